"""KernelRidge and KernelRidgeClassifier: exactness, scaling solvers, memory."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_friedman1
from sklearn.kernel_ridge import KernelRidge as SkKernelRidge
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import KernelRidge, KernelRidgeClassifier, KernelRidgeCV
from sklearn_mathdl.kernels import rbf_kernel


@pytest.fixture(scope="module")
def friedman():
    X, y = make_friedman1(n_samples=400, n_features=10, noise=0.5, random_state=0)
    return X, y


def _rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.mark.parametrize(
    "kernel, params",
    [
        ("linear", {}),
        ("rbf", {"gamma": 0.1}),
        ("laplacian", {"gamma": 0.05}),
        ("poly", {"degree": 2, "coef0": 1}),
        ("rbf", {}),
    ],
)
def test_exact_matches_sklearn(kernel, params, friedman):
    X, y = friedman
    ref = SkKernelRidge(alpha=0.1, kernel=kernel, **params).fit(X, y)
    ours = KernelRidge(alpha=0.1, kernel=kernel, normalize_y=False, **params).fit(X, y)
    assert ours.solver_ == "exact"
    assert _rel(ours.predict(X[:50]), ref.predict(X[:50])) < 1e-8
    np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, rtol=1e-6, atol=1e-9)


def test_exact_sample_weight_multioutput_and_alphas(friedman):
    X, y = friedman
    Y = np.c_[y, np.sin(y)]
    sw = np.random.RandomState(0).uniform(0, 2, len(y))
    kw = dict(kernel="rbf", gamma=0.1)
    for alpha in (0.3, [0.1, 1.0]):
        ref = SkKernelRidge(alpha=alpha, **kw).fit(X, Y, sample_weight=sw)
        ours = KernelRidge(alpha=alpha, normalize_y=False, **kw).fit(
            X, Y, sample_weight=sw
        )
        assert ours.predict(X).shape == (len(X), 2)
        assert _rel(ours.predict(X), ref.predict(X)) < 1e-8


@pytest.mark.parametrize("n, block", [(50, 7), (64, 16), (300, 1024), (257, 64)])
def test_blocked_inplace_cholesky(n, block):
    import torch

    from sklearn_mathdl._kernel_ridge import _cholesky_lower_inplace

    X = torch.randn(
        n, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(n)
    )
    A = torch.from_numpy(rbf_kernel(X.numpy(), gamma=0.5))
    A += 1e-3 * torch.eye(n, dtype=torch.float64)
    ref = torch.linalg.cholesky(A)
    assert _cholesky_lower_inplace(A, block=block) == 0
    torch.testing.assert_close(torch.tril(A), ref, rtol=1e-10, atol=1e-12)
    bad = -torch.eye(5, dtype=torch.float64)
    assert _cholesky_lower_inplace(bad, block=2) > 0


def test_nystrom_with_all_points_is_exact(friedman):
    X, y = friedman
    exact = KernelRidge(alpha=0.1, kernel="rbf", gamma=0.1).fit(X, y)
    full = KernelRidge(
        alpha=0.1,
        kernel="rbf",
        gamma=0.1,
        solver="nystrom",
        n_centers=len(X),
        random_state=0,
    ).fit(X, y)
    assert _rel(full.predict(X), exact.predict(X)) < 1e-6


def test_nystrom_equals_nystroem_features_plus_ridge(friedman):
    """Independent check: Nystrom feature map Knm Kmm^-1/2, then linear ridge."""
    X, y = friedman
    ours = KernelRidge(
        alpha=0.5,
        kernel="rbf",
        gamma=0.1,
        solver="nystrom",
        n_centers=60,
        normalize_y=False,
        random_state=0,
    ).fit(X, y)
    C = X[ours.center_indices_]
    w, V = np.linalg.eigh(rbf_kernel(C, gamma=0.1))
    inv_sqrt = V @ np.diag(1 / np.sqrt(np.maximum(w, 1e-12))) @ V.T
    Phi = rbf_kernel(X, C, gamma=0.1) @ inv_sqrt
    ridge = Ridge(alpha=0.5, fit_intercept=False, solver="cholesky").fit(Phi, y)
    assert _rel(ours.predict(X), ridge.predict(Phi)) < 1e-5


def test_falkon_agrees_with_nystrom(friedman):
    X, y = friedman
    kw = dict(alpha=0.1, kernel="rbf", gamma=0.1, n_centers=80, random_state=0)
    direct = KernelRidge(solver="nystrom", **kw).fit(X, y)
    cg = KernelRidge(solver="falkon", tol=1e-10, max_iter=300, **kw).fit(X, y)
    np.testing.assert_array_equal(cg.center_indices_, direct.center_indices_)
    assert 1 <= cg.n_iter_ < 300
    assert _rel(cg.predict(X), direct.predict(X)) < 1e-6
    fast = KernelRidge(solver="falkon", precision="float32", **kw).fit(X, y)
    assert _rel(fast.predict(X), direct.predict(X)) < 1e-2


def test_falkon_multioutput_and_weights(friedman):
    X, y = friedman
    Y = np.c_[y, -y]
    sw = np.random.RandomState(1).uniform(0.5, 1.5, len(y))
    kw = dict(alpha=0.1, kernel="rbf", gamma=0.1, n_centers=50, random_state=0)
    a = KernelRidge(solver="nystrom", **kw).fit(X, Y, sample_weight=sw)
    b = KernelRidge(solver="falkon", tol=1e-10, max_iter=300, **kw).fit(
        X, Y, sample_weight=sw
    )
    assert _rel(b.predict(X), a.predict(X)) < 1e-6
    np.testing.assert_allclose(b.predict(X)[:, 0], -b.predict(X)[:, 1], rtol=1e-8)


def test_leverage_centers(friedman):
    X, y = friedman
    lev = KernelRidge(
        alpha=0.1,
        kernel="rbf",
        gamma=0.1,
        solver="nystrom",
        n_centers=60,
        center_selection="leverage",
        random_state=0,
    )
    lev.fit(X, y)
    assert len(np.unique(lev.center_indices_)) == 60
    uni = KernelRidge(
        alpha=0.1,
        kernel="rbf",
        gamma=0.1,
        solver="nystrom",
        n_centers=60,
        random_state=0,
    ).fit(X, y)
    assert lev.score(X, y) > uni.score(X, y) - 0.05


def test_auto_solver_choice():
    est = KernelRidge()
    assert est._choose_solver(1000) == ("exact", 1000)
    assert est._choose_solver(50_000) == ("nystrom", 1000)
    assert est._choose_solver(10_000_000)[0] == "falkon"
    assert KernelRidge(n_centers=5000)._choose_solver(100_000) == ("falkon", 5000)


def test_auto_picks_nystrom_on_large_n():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (25_000, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    est = KernelRidge(alpha=1e-2, kernel="rbf", gamma=1.0, random_state=0).fit(X, y)
    assert est.solver_ == "nystrom" and est.n_centers_ == 1000
    assert est.score(X[:2000], y[:2000]) > 0.99


def test_matern_and_arccos_and_callable(friedman):
    X, y = friedman
    for params in [
        dict(kernel="matern", kernel_params={"nu": 2.5, "length_scale": 2.0}),
        dict(kernel="arccos", kernel_params={"order": 1}),
        dict(kernel=lambda A, B, g=0.1: rbf_kernel(A, B, gamma=g)),
    ]:
        est = KernelRidge(alpha=0.1, **params).fit(X, y)
        assert est.score(X, y) > 0.8
    a = KernelRidge(alpha=0.1, kernel=lambda A, B: rbf_kernel(A, B, gamma=0.1))
    b = KernelRidge(alpha=0.1, kernel="rbf", gamma=0.1)
    np.testing.assert_allclose(a.fit(X, y).predict(X), b.fit(X, y).predict(X))


def test_classifier(friedman):
    X, y = load_iris(return_X_y=True)
    for solver in ["exact", "nystrom", "falkon"]:
        clf = KernelRidgeClassifier(
            alpha=0.1, kernel="rbf", solver=solver, n_centers=60, random_state=0
        ).fit(X, y)
        assert clf.decision_function(X).shape == (150, 3)
        assert clf.score(X, y) > 0.95
    labels = np.array(["no", "yes"])[(y > 0).astype(int)]
    clf = KernelRidgeClassifier(alpha=0.1, kernel="rbf").fit(X, labels)
    scores = clf.decision_function(X)
    assert scores.shape == (150,)
    np.testing.assert_array_equal(clf.predict(X) == "yes", scores > 0)
    # +-1 one-vs-all targets: same as KernelRidge on the binarized labels
    reg = KernelRidge(alpha=0.1, kernel="rbf", normalize_y=False).fit(
        X, np.where(y > 0, 1.0, -1.0)
    )
    np.testing.assert_allclose(scores, reg.predict(X), rtol=1e-10)
    with pytest.raises(ValueError, match="at least 2 classes"):
        KernelRidgeClassifier().fit(X, np.zeros(150))


def test_pipeline_gridsearch_and_pickle(friedman):
    X, y = friedman
    search = GridSearchCV(
        make_pipeline(StandardScaler(), KernelRidge(kernel="rbf")),
        {"kernelridge__alpha": [0.01, 1.0], "kernelridge__gamma": [0.01, 0.1]},
        cv=3,
    ).fit(X, y)
    assert search.best_score_ > 0.7
    est = search.best_estimator_
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


def test_bad_inputs(friedman):
    X, y = friedman
    with pytest.raises(ValueError, match="one value per target"):
        KernelRidge(alpha=[1.0, 2.0, 3.0]).fit(X, y)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KernelRidge().fit(Xn, y)
    with pytest.raises(ValueError, match="features"):
        KernelRidge().fit(X, y).predict(X[:, :3])
    with pytest.raises(ValueError, match=r"CUDA is not available|Unknown device"):
        KernelRidge(device="cuda:7" if not _cuda() else "tpu").fit(X, y)


def _cuda():
    import torch

    return torch.cuda.is_available()


@pytest.mark.cuda
def test_cuda_solvers_match_cpu(friedman):
    X, y = friedman
    for solver in ["exact", "nystrom", "falkon"]:
        kw = dict(
            alpha=0.1,
            kernel="rbf",
            gamma=0.1,
            solver=solver,
            n_centers=60,
            random_state=0,
            tol=1e-10,
            max_iter=300,
        )
        cpu = KernelRidge(**kw).fit(X, y).predict(X)
        gpu = KernelRidge(device="cuda", **kw).fit(X, y).predict(X)
        assert _rel(gpu, cpu) < 1e-6


def _peak_mb(code):
    """Peak RSS growth (MB) of `code` in a fresh process, after its setup part."""
    script = textwrap.dedent(
        """
        import resource, numpy as np, torch
        torch.set_num_threads(1)
        from sklearn_mathdl import KernelRidge
        {setup}
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        {run}
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((peak - base) / 1024)
        """
    )
    setup, run = code
    out = subprocess.run(
        [sys.executable, "-c", script.format(setup=setup, run=run)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def test_exact_memory_is_one_kernel_buffer():
    n = 5000
    grow = _peak_mb(
        (
            f"X = np.random.RandomState(0).randn({n}, 10); y = X[:, 0]",
            "KernelRidge(alpha=1.0, kernel='rbf').fit(X, y)",
        )
    )
    kernel_mb = 8 * n * n / 2**20  # 190 MB; sklearn needs about 3x this
    assert grow < 1.35 * kernel_mb + 60, (grow, kernel_mb)


def test_nystrom_memory_never_n_by_m():
    n, m = 400_000, 500
    grow = _peak_mb(
        (
            f"X = np.random.RandomState(0).randn({n}, 5); y = X[:, 0]",
            f"KernelRidge(alpha=1.0, kernel='rbf', solver='nystrom', n_centers={m}, "
            "random_state=0).fit(X, y)",
        )
    )
    n_by_m_mb = 8 * n * m / 2**20  # 1.5 GB if it were materialised
    assert grow < 250, (grow, n_by_m_mb)


def test_normalize_y_is_scikit_learn_on_the_standardized_target():
    rng = np.random.RandomState(0)
    X = rng.randn(80, 4)
    Y = np.column_stack([50 + 10 * X[:, 0], -3 + X[:, 1] ** 2])
    sw = rng.uniform(0.5, 2, 80)
    mean = np.average(Y, axis=0, weights=sw)
    std = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=sw))
    ref = SkKernelRidge(alpha=0.5, kernel="rbf", gamma=0.2).fit(
        X, (Y - mean) / std, sample_weight=sw
    )
    ours = KernelRidge(alpha=0.5, kernel="rbf", gamma=0.2).fit(X, Y, sample_weight=sw)
    np.testing.assert_allclose(
        ours.predict(X), ref.predict(X) * std + mean, rtol=1e-8, atol=1e-8
    )
    # with an offset target, the default beats scikit-learn's default
    y = 100 + X[:, 0]
    assert KernelRidge().fit(X, y).score(X, y) > 0.9
    assert SkKernelRidge().fit(X, y).score(X, y) < 0


def test_read_only_input_fits_without_torch_warnings():
    import warnings

    rng = np.random.RandomState(0)
    X, y = rng.rand(30, 3), rng.rand(30)
    X.setflags(write=False)
    y.setflags(write=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        for solver in ["exact", "nystrom"]:
            est = KernelRidge(kernel="rbf", solver=solver, n_centers=10, random_state=0)
            est.fit(X, y).predict(X)


def test_precomputed_kernel_matches_scikit_learn(friedman):
    X, y = friedman
    Xtr, Xte, ytr = X[:300], X[300:], y[:300]
    K = rbf_kernel(Xtr, Xtr, gamma=0.1)
    Kte = rbf_kernel(Xte, Xtr, gamma=0.1)
    ours = KernelRidge(alpha=0.5, kernel="precomputed", normalize_y=False).fit(K, ytr)
    ref = SkKernelRidge(alpha=0.5, kernel="precomputed").fit(K, ytr)
    np.testing.assert_allclose(ours.predict(Kte), ref.predict(Kte), rtol=1e-8)
    same = KernelRidge(alpha=0.5, kernel="rbf", gamma=0.1, normalize_y=False)
    np.testing.assert_allclose(
        ours.predict(Kte), same.fit(Xtr, ytr).predict(Xte), rtol=1e-8
    )
    assert ours.__sklearn_tags__().input_tags.pairwise
    clf = KernelRidgeClassifier(kernel="precomputed").fit(K, ytr > np.median(ytr))
    assert clf.score(Kte, y[300:] > np.median(ytr)) > 0.7
    with pytest.raises(ValueError, match="n x n Gram matrix"):
        KernelRidge(kernel="precomputed").fit(Xtr, ytr)
    with pytest.raises(ValueError, match="solved exactly"):
        KernelRidge(kernel="precomputed", solver="nystrom").fit(K, ytr)
    cv = KernelRidgeCV(alphas=[0.1, 1.0], kernel="precomputed").fit(K, ytr)
    exact = KernelRidgeCV(alphas=[0.1, 1.0], gamma=0.1).fit(Xtr, ytr)
    np.testing.assert_allclose(cv.predict(Kte), exact.predict(Xte), rtol=1e-8)


def test_class_weight_check_passes_with_defaults_on_standardized_blobs():
    """scikit-learn's check_class_weight_classifiers, on standardized inputs:
    the default rbf kernel lets the class weighted 1e7 times win (the docs say
    why the check's unscaled version does not)."""
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from sklearn_mathdl import KernelRidgeClassifier

    for n_centers in (2, 3):
        X, y = make_blobs(centers=n_centers, random_state=0, cluster_std=20)
        X = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, _ = train_test_split(
            X, y, test_size=0.5, random_state=0
        )
        weights = {0: 1000, **{k: 0.0001 for k in range(1, n_centers)}}
        clf = KernelRidgeClassifier(class_weight=weights).fit(X_train, y_train)
        assert np.mean(clf.predict(X_test) == 0) > 0.87


def test_sparse_x_is_densified_or_refused_past_the_limit(monkeypatch):
    """Sparse X gives the dense fit; one whose dense copy is too big is refused
    with a message naming the size (never a silent multi-GB allocation)."""
    import scipy.sparse as sp

    import sklearn_mathdl._kernel_ridge as krr
    from sklearn_mathdl import KernelRidge, KernelRidgeClassifier

    rng = np.random.default_rng(0)
    X = sp.random(60, 8, density=0.3, random_state=0, format="csr")
    y = rng.normal(size=60)
    dense = KernelRidge(kernel="rbf").fit(X.toarray(), y)
    sparse = KernelRidge(kernel="rbf").fit(X, y)
    np.testing.assert_allclose(sparse.predict(X), dense.predict(X.toarray()))
    labels = (y > 0).astype(int)
    clf = KernelRidgeClassifier().fit(X.tocsc(), labels)
    assert clf.predict(X).shape == (60,)
    monkeypatch.setattr(krr, "_SPARSE_DENSE_LIMIT_BYTES", 1000)
    with pytest.raises(ValueError, match="GiB dense, over the 1 GiB limit"):
        KernelRidge().fit(X, y)
