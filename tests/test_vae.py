"""VariationalAutoencoder: ELBO math, IWAE, PPCA recovery, sklearn integration."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_mathdl import VariationalAutoencoder
from sklearn_mathdl._modules import gaussian_kl
from sklearn_mathdl._vae import _row_normals

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[:400]).astype(np.float32), y[:400]


@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = digits
    return VariationalAutoencoder(n_components=4, max_iter=40, random_state=0).fit(X)


def test_analytic_kl_equals_monte_carlo():
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(5, 3, generator=g, dtype=torch.float64)
    logvar = torch.randn(5, 3, generator=g, dtype=torch.float64) * 0.5
    eps = torch.randn(200_000, 5, 3, generator=g, dtype=torch.float64)
    z = mu + torch.exp(0.5 * logvar) * eps
    log_q = (-0.5 * (eps**2 + logvar + np.log(2 * np.pi))).sum(-1)
    log_p = (-0.5 * (z**2 + np.log(2 * np.pi))).sum(-1)
    samples = log_q - log_p
    mc, se = samples.mean(0), samples.std(0) / np.sqrt(len(eps))
    assert torch.all((gaussian_kl(mu, logvar) - mc).abs() < 4 * se)


def test_iwae_bound_increases_with_k(fitted, digits):
    X, _ = digits
    scores = []
    for k in (1, 10, 100):
        est = pickle.loads(pickle.dumps(fitted)).set_params(n_importance_samples=k)
        scores.append(est.score(X))
    assert scores[0] < scores[1] < scores[2]
    # the k=1 estimate is an unbiased estimate of the ELBO of the last epoch
    # (here on the training rows, which the final training ELBO also averages)
    assert abs(scores[0] - fitted.elbo_curve_[-1]) < 0.05 * abs(scores[0])


def test_linear_gaussian_vae_recovers_ppca_likelihood():
    rng = np.random.RandomState(0)
    W = rng.randn(6, 2)
    X = rng.randn(3000, 2) @ W.T + 0.5 * rng.randn(3000, 6) + 1.0
    X_train, X_test = X[:2000], X[2000:]
    ppca = PCA(n_components=2).fit(X_train).score(X_test)
    vae = VariationalAutoencoder(
        n_components=2,
        encoder_hidden_layer_sizes=(),
        decoder_hidden_layer_sizes=(),
        learning_rate_init=0.01,
        max_iter=300,
        tol=0.0,
        n_iter_no_change=300,
        alpha=0.0,
        n_importance_samples=500,
        random_state=0,
    ).fit(X_train)
    assert vae.score(X_test) == pytest.approx(ppca, abs=0.05)


def test_transform_inverse_sample_shapes_and_determinism(fitted, digits):
    X, _ = digits
    Z = fitted.transform(X)
    assert Z.shape == (len(X), 4) and Z.dtype == np.float32
    assert fitted.transform(X.astype(np.float64)).dtype == np.float64
    np.testing.assert_array_equal(Z, fitted.transform(X))
    assert fitted.inverse_transform(Z).shape == X.shape
    a = fitted.sample(5, random_state=1)
    np.testing.assert_array_equal(a, fitted.sample(5, random_state=1))
    assert a.shape == (5, 64)
    assert not np.allclose(a, fitted.sample(5, random_state=2))
    with pytest.raises(ValueError, match="inverse_transform expects"):
        fitted.inverse_transform(np.zeros((2, 3)))


def test_score_samples_is_order_and_subset_invariant(fitted, digits):
    X, _ = digits
    full = fitted.score_samples(X[:50])
    perm = np.random.RandomState(0).permutation(50)
    np.testing.assert_allclose(
        fitted.score_samples(X[:50][perm]), full[perm], rtol=1e-5
    )
    np.testing.assert_allclose(fitted.score_samples(X[10:20]), full[10:20], rtol=1e-5)


def test_row_normals_are_standard_normal():
    X = np.random.RandomState(0).randn(2000, 5)
    eps = _row_normals(X, 50, seed=3)
    assert eps.shape == (2000, 50)
    assert abs(eps.mean()) < 0.01 and abs(eps.std() - 1) < 0.01
    np.testing.assert_array_equal(_row_normals(X[5:6], 50, 3), eps[5:6])
    assert not np.allclose(_row_normals(X, 50, seed=4), eps)


def test_elbo_curves_and_kl_warmup(digits):
    X, _ = digits
    vae = VariationalAutoencoder(
        n_components=2, max_iter=12, kl_warmup=6, tol=0, random_state=0
    ).fit(X)
    assert len(vae.elbo_curve_) == len(vae.kl_curve_) == vae.n_iter_ == 12
    scales = [row["kl_scale"] for row in vae._net.history]
    np.testing.assert_allclose(scales[:7], [1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1, 1])
    np.testing.assert_allclose(
        vae.elbo_curve_[-1], -(vae.reconstruction_curve_[-1] + vae.kl_curve_[-1])
    )
    assert vae.elbo_curve_[-1] > vae.elbo_curve_[0]


def test_warmup_does_not_trigger_plateau_stop(digits):
    """The loss rises while the KL weight grows; that is not a plateau."""
    X, _ = digits
    vae = VariationalAutoencoder(
        n_components=2,
        max_iter=40,
        kl_warmup=30,
        n_iter_no_change=3,
        tol=1e-4,
        random_state=0,
    ).fit(X)
    assert vae.n_iter_ > 30


def test_beta_trades_reconstruction_for_kl(digits):
    X, _ = digits
    kw = dict(n_components=4, max_iter=30, random_state=0)
    low = VariationalAutoencoder(beta=0.1, **kw).fit(X)
    high = VariationalAutoencoder(beta=4.0, **kw).fit(X)
    assert high.kl_curve_[-1] < low.kl_curve_[-1]
    assert high.reconstruction_curve_[-1] > low.reconstruction_curve_[-1]


def test_pipeline_gridsearch_set_output(digits):
    X, y = digits
    pipe = make_pipeline(
        VariationalAutoencoder(n_components=8, max_iter=30, random_state=0),
        LogisticRegression(max_iter=500),
    )
    assert pipe.fit(X, y).score(X, y) > 0.7
    search = GridSearchCV(
        VariationalAutoencoder(max_iter=10, random_state=0),
        {"n_components": [2, 6]},
        cv=2,
    ).fit(X)
    assert search.best_params_["n_components"] in (2, 6)
    assert np.isfinite(search.best_score_)
    pd = pytest.importorskip("pandas")
    vae = VariationalAutoencoder(n_components=3, max_iter=3, random_state=0)
    out = vae.set_output(transform="pandas").fit_transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"variationalautoencoder{i}" for i in range(3)]


def test_bernoulli_and_convolutional(digits):
    X = MinMaxScaler().fit_transform(load_digits().data[:200])
    vae = VariationalAutoencoder(
        n_components=2,
        likelihood="bernoulli",
        input_shape=(1, 8, 8),
        max_iter=5,
        random_state=0,
    ).fit(X)
    kinds = {type(m).__name__ for m in vae.module_.modules()}
    assert {"Conv2d", "ConvTranspose2d"} <= kinds
    samples = vae.sample(3, random_state=0)
    assert samples.shape == (3, 64) and samples.min() >= 0 and samples.max() <= 1
    assert np.all(np.isfinite(vae.score_samples(X)))
    with pytest.raises(ValueError, match=r"needs X in \[0, 1\]"):
        VariationalAutoencoder(likelihood="bernoulli").fit(digits[0])
    with pytest.raises(ValueError, match="input_shape"):
        VariationalAutoencoder(input_shape=(1, 7, 7), max_iter=1).fit(X)


def test_fixed_variance_and_pickle(digits):
    X, _ = digits
    vae = VariationalAutoencoder(
        n_components=2, decoder_variance=0.5, max_iter=5, random_state=0
    ).fit(X)
    assert "log_var_x" not in dict(vae.module_.named_parameters())
    np.testing.assert_allclose(
        dict(vae.module_.named_buffers())["log_var_x"].exp(), 0.5, rtol=1e-6
    )
    loaded = pickle.loads(pickle.dumps(vae))
    np.testing.assert_array_equal(loaded.transform(X), vae.transform(X))
    np.testing.assert_array_equal(loaded.score_samples(X), vae.score_samples(X))


@pytest.mark.slow
def test_beats_pca_held_out_likelihood_on_digits():
    from sklearn.model_selection import KFold, cross_val_score

    X = load_digits().data
    cv = KFold(3, shuffle=True, random_state=0)
    pca = cross_val_score(make_pipeline(StandardScaler(), PCA(5)), X, cv=cv).mean()
    vae = VariationalAutoencoder(
        n_components=5,
        n_importance_samples=100,
        early_stopping=True,
        n_iter_no_change=20,
        max_iter=300,
        random_state=0,
    )
    ours = cross_val_score(make_pipeline(StandardScaler(), vae), X, cv=cv).mean()
    assert ours > pca + 5
