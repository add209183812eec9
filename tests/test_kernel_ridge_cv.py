"""KernelRidgeCV: leave-one-out errors against brute-force refits, selection, API."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_friedman1
from sklearn.kernel_ridge import KernelRidge as SkKernelRidge
from sklearn.linear_model import Ridge
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import KernelRidge, KernelRidgeCV

ALPHAS = [0.01, 0.3, 3.0]
GAMMAS = [0.2, 1.0]


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    n = 40
    X = rng.randn(n, 3)
    y = X[:, 0] + np.sin(X[:, 1]) + 0.1 * rng.randn(n) + 3.0
    Y = np.c_[y, X[:, 2] - 1.0]
    w = rng.uniform(0.2, 2.0, n)
    return X, Y, w


def _brute_exact(X, Y, w, alpha, gamma, fit_intercept):
    """Weighted LOO MSE by n refits of ridge on a kernel feature map.

    With Phi Phi^T = K, ridge on Phi (scikit-learn's Ridge, unpenalized
    intercept) is kernel ridge with an intercept; without an intercept the
    refits use scikit-learn's KernelRidge itself.
    """
    n = len(X)
    K = rbf_kernel(X, gamma=gamma)
    s, V = np.linalg.eigh(K)
    Phi = V * np.sqrt(np.clip(s, 0, None))
    errs = []
    for i in range(n):
        keep = np.arange(n) != i
        if fit_intercept:
            model = Ridge(alpha=alpha, solver="cholesky").fit(
                Phi[keep], Y[keep], sample_weight=w[keep]
            )
            pred = model.predict(Phi[i : i + 1])[0]
        else:
            model = SkKernelRidge(alpha=alpha, kernel="rbf", gamma=gamma).fit(
                X[keep], Y[keep], sample_weight=w[keep]
            )
            pred = model.predict(X[i : i + 1])[0]
        errs.append(Y[i] - pred)
    E = np.array(errs)
    return -(w[:, None] * E**2).sum() / (w.sum() * Y.shape[1])


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
def test_exact_loo_equals_brute_force_refits(data, fit_intercept, weighted):
    X, Y, w = data
    w = w if weighted else np.ones(len(X))
    est = KernelRidgeCV(
        alphas=ALPHAS, gamma=GAMMAS, fit_intercept=fit_intercept, solver="exact"
    ).fit(X, Y, sample_weight=w if weighted else None)
    ref = [_brute_exact(X, Y, w, a, g, fit_intercept) for g in GAMMAS for a in ALPHAS]
    np.testing.assert_allclose(est.cv_results_["mean_test_score"], ref, rtol=1e-8)
    best = int(np.argmax(ref))
    assert est.cv_results_["params"][best] == {"alpha": est.alpha_, "gamma": est.gamma_}
    assert est.best_score_ == pytest.approx(ref[best], rel=1e-8)


def test_nystrom_loo_equals_brute_force_refits(data):
    """The Nystrom model's LOO errors, centres held fixed, by direct solves of
    min sum w (y - b - Knm c)^2 + alpha c^T Kmm c on n - 1 rows."""
    X, Y, w = data
    est = KernelRidgeCV(
        alphas=ALPHAS, gamma=0.5, solver="nystrom", n_centers=15, random_state=0
    ).fit(X, Y, sample_weight=w)
    C = est.X_fit_
    Knm = rbf_kernel(X, C, gamma=0.5)
    Kmm = rbf_kernel(C, C, gamma=0.5)
    n, m = Knm.shape
    A = np.c_[np.ones(n), Knm]
    for j, alpha in enumerate(ALPHAS):
        P = np.zeros((m + 1, m + 1))
        P[1:, 1:] = alpha * Kmm
        errs = []
        for i in range(n):
            keep = np.arange(n) != i
            Aw = A[keep] * w[keep, None]
            coef = np.linalg.solve(A[keep].T @ Aw + P, Aw.T @ Y[keep])
            errs.append(Y[i] - A[i] @ coef)
        E = np.array(errs)
        ref = -(w[:, None] * E**2).sum() / (w.sum() * Y.shape[1])
        assert est.cv_results_["mean_test_score"][j] == pytest.approx(ref, rel=1e-8)


def test_fitted_model_is_the_selected_kernel_ridge(data):
    """Without an intercept, the fitted model equals KernelRidge at alpha_, gamma_."""
    X, Y, _ = data
    est = KernelRidgeCV(alphas=ALPHAS, gamma=GAMMAS, fit_intercept=False).fit(X, Y)
    ref = KernelRidge(
        alpha=est.alpha_, kernel="rbf", gamma=est.gamma_, normalize_y=False
    ).fit(X, Y)
    np.testing.assert_allclose(est.predict(X), ref.predict(X), rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(est.intercept_, 0.0)


def test_intercept_and_single_target(data):
    X, Y, _ = data
    est = KernelRidgeCV(alphas=ALPHAS, gamma=0.5).fit(X, Y[:, 0])
    assert isinstance(est.intercept_, float)
    assert est.dual_coef_.shape == (len(X),)
    assert est.predict(X[:5]).shape == (5,)
    # far from zero, the intercept carries the mean the penalty would shrink
    far = KernelRidgeCV(alphas=[10.0], gamma=0.5).fit(X, Y[:, 0] + 100.0)
    near = KernelRidgeCV(alphas=[10.0], gamma=0.5).fit(X, Y[:, 0])
    np.testing.assert_allclose(far.predict(X), near.predict(X) + 100.0, rtol=1e-9)


def test_selection_beats_fixed_parameters_and_matches_cv():
    X, y = make_friedman1(n_samples=600, n_features=10, noise=0.5, random_state=0)
    Xtr, Xte, ytr, yte = X[:400], X[400:], y[:400], y[400:]
    cv = KernelRidgeCV(alphas=np.logspace(-3, 1, 9), gamma=[0.01, 0.05, 0.2])
    search = make_pipeline(StandardScaler(), cv).fit(Xtr, ytr)
    plain = make_pipeline(StandardScaler(), KernelRidge(kernel="rbf")).fit(Xtr, ytr)
    assert search.score(Xte, yte) > plain.score(Xte, yte)
    assert search.score(Xte, yte) > 0.85


def test_nystrom_is_chosen_for_large_n_and_predicts_well():
    X, y = make_friedman1(n_samples=5200, n_features=10, noise=0.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    est = KernelRidgeCV(gamma=[0.02, 0.05], random_state=0).fit(X[:5100], y[:5100])
    assert est.solver_ == "nystrom"
    assert est.n_centers_ == 1000 and est.center_indices_.shape == (1000,)
    assert est.score(X[5100:], y[5100:]) > 0.9


def test_errors_name_the_problem(data):
    X, Y, _ = data
    with pytest.raises(ValueError, match="alphas must be"):
        KernelRidgeCV(alphas=[0.0, 1.0]).fit(X, Y)
    with pytest.raises(ValueError, match="alphas must be"):
        KernelRidgeCV(alphas=[]).fit(X, Y)
    with pytest.raises(ValueError, match="gamma must be positive"):
        KernelRidgeCV(gamma=[0.1, -1.0]).fit(X, Y)
    with pytest.raises(ValueError, match="no gamma parameter"):
        KernelRidgeCV(kernel="linear", gamma=[0.1, 1.0]).fit(X, Y)
    with pytest.raises(ValueError, match="at least 3 samples"):
        KernelRidgeCV().fit(X[:2], Y[:2])
    with pytest.raises(ValueError, match="non-zero"):
        KernelRidgeCV().fit(X, Y, sample_weight=np.zeros(len(X)))


def test_clone_pickle_and_cross_val(data):
    X, Y, _ = data
    est = KernelRidgeCV(alphas=ALPHAS, gamma=GAMMAS)
    fitted = clone(est).fit(X, Y[:, 0])
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))
    scores = cross_val_score(est, X, Y[:, 0], cv=3)
    assert np.all(np.isfinite(scores))
    assert set(fitted.cv_results_) >= {
        "params",
        "param_alpha",
        "param_gamma",
        "mean_test_score",
        "rank_test_score",
    }
    assert fitted.cv_results_["rank_test_score"].min() == 1


def test_weights_equal_repeated_rows_at_a_fixed_alpha(data):
    """One alpha and gamma: the fit with weight 2 equals the fit with the row twice."""
    X, Y, _ = data
    w = np.ones(len(X))
    w[:5] = 2.0
    weighted = KernelRidgeCV(alphas=[0.3], gamma=0.5).fit(X, Y, sample_weight=w)
    repeated = KernelRidgeCV(alphas=[0.3], gamma=0.5).fit(
        np.r_[X, X[:5]], np.r_[Y, Y[:5]]
    )
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-8)


@pytest.mark.parametrize("weighted", [False, True])
def test_scipy_and_torch_eigendecompositions_give_the_same_path(monkeypatch, weighted):
    # large kernel matrices are diagonalized by SciPy's syevd driver, small ones
    # by torch (whose LOO errors the brute-force test above checks)
    from sklearn_mathdl import _kernel_ridge

    X, y = make_friedman1(n_samples=120, n_features=5, noise=0.5, random_state=0)
    w = np.random.RandomState(0).uniform(0.5, 2.0, len(y)) if weighted else None
    est = KernelRidgeCV(alphas=np.logspace(-3, 1, 5), gamma=[0.1, 0.5])
    monkeypatch.setattr(_kernel_ridge, "_SCIPY_EIGH_MIN_N", 10**9)
    torch_path = clone(est).fit(X, y, sample_weight=w)
    monkeypatch.setattr(_kernel_ridge, "_SCIPY_EIGH_MIN_N", 0)
    scipy_path = clone(est).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(
        scipy_path.cv_results_["mean_test_score"],
        torch_path.cv_results_["mean_test_score"],
        rtol=1e-10,
    )
    np.testing.assert_allclose(scipy_path.predict(X), torch_path.predict(X), rtol=1e-8)
