"""MLPRegressor(loss="poisson"): the log link and the half Poisson deviance."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import PoissonRegressor

from sklearn_mathdl import MLPRegressor


@pytest.fixture
def counts():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = rng.poisson(np.exp(0.5 + X @ np.array([0.4, -0.3, 0.2])))
    return X, y


@pytest.mark.parametrize("alpha_sk", [0.0, 0.01])
def test_no_hidden_layer_is_poisson_regression(counts, alpha_sk):
    X, y = counts
    ref = PoissonRegressor(alpha=alpha_sk, tol=1e-10, max_iter=1000).fit(X, y)
    # scikit-learn: mean deviance / 2 + alpha/2 ||w||^2; ours: mean half
    # deviance + alpha/2 ||W||^2 / n, so alpha = n alpha_sk
    ours = MLPRegressor(
        (), loss="poisson", optimizer="newton", alpha=len(y) * alpha_sk
    ).fit(X, y)
    np.testing.assert_allclose(ours.coefs_[0].ravel(), ref.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6)


def test_predictions_and_module_are_means(counts):
    X, y = counts
    reg = MLPRegressor((16,), loss="poisson", random_state=0).fit(X, y)
    pred = reg.predict(X)
    assert (pred > 0).all() and reg.alpha_ == 1e-4
    out = reg.predict_module()(torch.as_tensor(X, dtype=torch.float32))
    np.testing.assert_allclose(out.detach().numpy()[:, 0], pred, rtol=1e-5)
    # better than the constant in deviance, on the training rows
    dev = lambda mu: np.mean(mu - y * np.log(mu))  # noqa: E731
    assert dev(pred) < dev(np.full_like(pred, y.mean()))


def test_negative_targets_are_refused(counts):
    X, y = counts
    with pytest.raises(ValueError, match="loss='poisson' needs non-negative"):
        MLPRegressor(loss="poisson").fit(X, y - 5.0)
