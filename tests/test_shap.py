"""SHAP works unchanged on every supervised estimator, alone and in a Pipeline."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.datasets import make_friedman1
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import (
    KernelRidge,
    KernelRidgeClassifier,
    MLPClassifier,
    MLPRegressor,
    NeuralODEClassifier,
    NeuralODERegressor,
)

shap = pytest.importorskip("shap")
pd = pytest.importorskip("pandas")
pytestmark = pytest.mark.filterwarnings("ignore")

ESTIMATORS = [
    MLPRegressor(hidden_layer_sizes=(16,), max_iter=20, random_state=0),
    MLPClassifier(hidden_layer_sizes=(16,), max_iter=20, random_state=0),
    KernelRidge(alpha=0.1, kernel="rbf"),
    KernelRidgeClassifier(alpha=0.1, kernel="rbf"),
    NeuralODERegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0),
    NeuralODEClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0),
]


@pytest.fixture(scope="module")
def data():
    X, y = make_friedman1(n_samples=200, n_features=6, random_state=0)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]), y


def _target(est, y):
    return (y > np.median(y)).astype(int) if is_classifier(est) else y


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("frame", [False, True], ids=["numpy", "pandas"])
def test_explainer_on_estimator_and_pipeline(est, frame, data):
    df, y = data
    X = df if frame else df.to_numpy()
    bg, rows = X[:30], X[30:38]
    est = est.fit(X, _target(est, y))
    direct = shap.Explainer(est, bg)(rows)  # the estimator is callable
    via_fn = shap.Explainer(est.predict if not is_classifier(est) else est, bg)(rows)
    np.testing.assert_allclose(direct.values, via_fn.values, rtol=1e-6, atol=1e-8)
    out = np.asarray(est(rows))
    # exact explainer (6 features): base value + contributions = model output
    np.testing.assert_allclose(
        direct.base_values + direct.values.sum(1), out, rtol=1e-4, atol=1e-4
    )
    if not is_classifier(est):
        assert direct.values.shape == (8, 6)  # single target: (n, d)
    if frame:
        assert list(direct.feature_names) == list(df.columns)
    pipe = make_pipeline(StandardScaler(), est).fit(X, _target(est, y))
    model = (
        pipe.predict_proba
        if hasattr(pipe, "predict_proba")
        else (pipe.decision_function if is_classifier(est) else pipe.predict)
    )
    piped = shap.Explainer(model, bg)(rows)
    assert piped.values.shape[:2] == (8, 6)


def test_kernel_and_permutation_explainers(data):
    df, y = data
    reg = MLPRegressor(hidden_layer_sizes=(16,), max_iter=20, random_state=0).fit(df, y)
    X = df.to_numpy()
    kernel = shap.KernelExplainer(reg, X[:20]).shap_values(
        X[:3], nsamples=200, silent=True
    )
    assert np.shape(kernel) == (3, 6)
    perm = shap.PermutationExplainer(reg, X[:30])(X[:5])
    assert perm.values.shape == (5, 6)
    exact = shap.Explainer(reg, X[:30], algorithm="exact")(X[:5])
    np.testing.assert_allclose(
        perm.values, exact.values, atol=0.2 * np.abs(exact.values).max()
    )


def test_deep_explainer_on_predict_module_is_in_predict_units():
    """module_ outputs the standardized target; predict_module() does not:
    DeepExplainer's attributions on it add up to predict (SHAP's additivity)."""
    import torch

    X, y = make_friedman1(120, n_features=5, noise=0.1, random_state=0)
    X = X.astype(np.float32)
    y = 300.0 * y + 50.0  # a target scale far from 1
    reg = MLPRegressor(hidden_layer_sizes=(16,), random_state=0).fit(X, y)
    background = torch.from_numpy(X[:40])
    rows = torch.from_numpy(X[40:50])
    explainer = shap.DeepExplainer(reg.predict_module(), background)
    values = np.asarray(explainer.shap_values(rows, check_additivity=False))
    values = values.reshape(10, 5)
    base = float(np.ravel(explainer.expected_value)[0])
    pred = reg.predict(X[40:50])
    np.testing.assert_allclose(values.sum(1) + base, pred, rtol=1e-3, atol=1e-2)
    # the raw module is off by the target's scale
    raw = shap.DeepExplainer(reg.module_, background)
    raw_values = np.asarray(raw.shap_values(rows, check_additivity=False))
    ratio = np.abs(values).sum() / np.abs(raw_values).sum()
    assert ratio == pytest.approx(reg._y_std[0], rel=1e-3)
