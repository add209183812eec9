"""Sparse X (scipy CSR/CSC/COO matrices and arrays) for the MLPs."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline

from sklearn_mathdl import MLPClassifier, MLPRegressor, RNNClassifier
from sklearn_mathdl._modules._mlp import sparse_pays


@pytest.fixture(scope="module")
def sparse_data():
    X = sp.random(300, 40, density=0.2, format="csr", random_state=0)
    y = (X @ np.random.default_rng(0).normal(size=40) > 0).astype(int)
    return X, y


@pytest.fixture(scope="module")
def wide_sparse_data():
    # 0.2 % non-zeros: sparse batches pay (``sparse_pays``)
    X = sp.random(300, 3000, density=0.002, format="csr", random_state=0)
    y = (X @ np.random.default_rng(0).normal(size=3000) > 0).astype(int)
    return X, y


def test_sparse_batches_where_they_pay():
    # a 1,000-column one-hot code, 20 non-zeros a row: dense batches are
    # cheaper; a 50,000-column TF-IDF matrix, 50 a row: sparse ones
    one_hot = sp.random(1000, 1000, density=0.02, format="csr", random_state=0)
    tfidf = sp.random(1000, 50_000, density=0.001, format="csr", random_state=0)
    assert not sparse_pays(one_hot, 32, 200)
    assert sparse_pays(tfidf, 100, 200)
    assert sparse_pays(tfidf, 32, 200)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
@pytest.mark.parametrize("data", ["sparse_data", "wide_sparse_data"])
def test_sparse_fit_equals_dense_fit(request, data, fmt, container):
    # the same batches, the same model up to the float32 rounding of the
    # first layer's sparse products (20 % non-zeros: dense batches; 0.2 %:
    # sparse ones)
    X, y = request.getfixturevalue(data)
    Xs = container(X).asformat(fmt)
    kw = dict(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(**kw).fit(Xs, y)
        b = MLPClassifier(**kw).fit(X.toarray(), y)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(
        a.predict_proba(Xs), b.predict_proba(X.toarray()), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "data, optimizer",
    [
        ("sparse_data", "adam"),
        ("sparse_data", "lbfgs"),
        ("wide_sparse_data", "adam"),  # sparse batches (held out: R^2 near 0)
    ],
)
def test_sparse_regression_and_early_stopping(request, data, optimizer):
    X, _ = request.getfixturevalue(data)
    target = X @ np.linspace(-1, 1, X.shape[1])
    reg = MLPRegressor(
        optimizer=optimizer, early_stopping=True, random_state=0, alpha=1e-3
    ).fit(X, target)
    dense = MLPRegressor(
        optimizer=optimizer, early_stopping=True, random_state=0, alpha=1e-3
    ).fit(X.toarray(), target)
    assert reg.score(X, target) > 0.8
    # dense batches (20 % non-zeros), or sparse ones whose products differ
    # from the dense by float32 rounding
    np.testing.assert_allclose(reg.predict(X), dense.predict(X.toarray()), atol=1e-5)


def test_tfidf_pipeline():
    docs = ["good movie great plot", "bad movie awful plot", "great acting"] * 20
    docs += ["awful acting bad", "terrible film", "good fun"] * 20
    y = np.array(([1, 0, 1] * 20) + ([0, 0, 1] * 20))
    pipe = make_pipeline(
        TfidfVectorizer(), MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    )
    assert pipe.fit(docs, y).score(docs, y) == 1.0


def _random_csr(n, m, k):
    """An n x m float32 CSR matrix with k random non-zeros a row."""
    rng = np.random.default_rng(0)
    return sp.csr_matrix(
        (
            rng.random(n * k, dtype=np.float32),
            rng.integers(0, m, n * k),
            np.arange(0, n * k + 1, k),
        ),
        shape=(n, m),
    )


def _peak_numpy_bytes(run):
    """Peak of the Python/NumPy allocations traced while ``run()`` runs."""
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_large_sparse_matrix_never_densified():
    # 100,000 x 50,000 with 5 non-zeros a row: 20 GB dense, 4 MB sparse.
    # Fit (one epoch) and predict multiply sparse batches and blocks.
    n = 100_000
    X = _random_csr(n, 50_000, 5)
    row_sums = np.asarray(X.sum(axis=1)).ravel()
    y = (row_sums > np.median(row_sums)).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=1, random_state=0)
    out = {}
    peak = _peak_numpy_bytes(lambda: out.update(proba=clf.fit(X, y).predict_proba(X)))
    assert out["proba"].shape == (n, 2)
    assert clf._optimizer == "adam"
    # numpy allocations stay far below the dense 20 GB
    assert peak < 300 * 2**20


def test_lbfgs_multiplies_a_full_batch_too_large_to_densify():
    # dense full batch: 0.56 GiB. L-BFGS's first layer multiplies it sparse;
    # Newton's method, which densifies, refuses it
    X = _random_csr(30_000, 5_000, 5)
    y = np.asarray(X.sum(axis=1)).ravel()
    reg = MLPRegressor(optimizer="lbfgs", hidden_layer_sizes=(4,), max_iter=3)
    peak = _peak_numpy_bytes(lambda: reg.fit(X, y))
    assert reg.n_iter_ == 3
    assert peak < 100 * 2**20
    with pytest.raises(ValueError, match="dense full batch"):
        MLPRegressor(optimizer="newton", hidden_layer_sizes=()).fit(X, y)


def test_families_without_a_first_linear_layer_refuse_sparse(sparse_data):
    X, y = sparse_data
    with pytest.raises(TypeError, match=r"[Ss]parse"):
        RNNClassifier().fit(X, y)


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
def test_fit_and_predict_never_densify_a_batch(
    monkeypatch, wide_sparse_data, container
):
    # the first layer multiplies the sparse batches: no toarray() anywhere
    # (training, the validation split, the regressor's GCV penalty, inference)
    X, y = wide_sparse_data
    Xs = container(X)

    def refuse(self, *args, **kwargs):
        raise AssertionError("a sparse batch was densified")

    monkeypatch.setattr(container, "toarray", refuse)
    kw = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(early_stopping=True, **kw).fit(Xs, y)
        reg = MLPRegressor(**kw).fit(Xs, y.astype(float))
    assert clf.predict_proba(Xs).shape == (300, 2)
    assert reg.predict(Xs).shape == (300,)


def test_a_sparse_fit_continued_on_dense_rows_equals_one_on_sparse_rows(
    wide_sparse_data,
):
    # the first weight of a sparse fit is stored input-major; dense batches
    # then give gradients in the other layout, which must reach the fused
    # Adam step in the weight's own (it updates the wrong entries otherwise)
    X, y = wide_sparse_data
    kw = dict(hidden_layer_sizes=(8,), max_iter=10, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(**kw).fit(X, y)
        b = MLPClassifier(**kw).fit(X, y)
        assert a.module_.layers[0].weight.T.is_contiguous()
        a.fit(X.toarray(), y)
        b.fit(X, y)
    assert len(a.loss_curve_) == 20
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-4, atol=1e-6)


def test_newton_densifies_its_sparse_batches(sparse_data):
    # its Hessian differentiates twice, which torch's sparse products do not
    X, y = sparse_data
    kw = dict(hidden_layer_sizes=(), optimizer="newton", random_state=0)
    a = MLPClassifier(**kw).fit(X, y)
    b = MLPClassifier(**kw).fit(X.toarray(), y)
    np.testing.assert_allclose(
        a.predict_proba(X), b.predict_proba(X.toarray()), rtol=1e-5, atol=1e-6
    )


def test_predict_on_unsorted_and_duplicated_sparse_entries(wide_sparse_data):
    # inference multiplies CSR blocks: rows whose column indices are unsorted
    # (as CountVectorizer leaves them) or repeated (summed, as scipy reads
    # them) predict as their dense form, without torch's "beta" warning
    X, y = wide_sparse_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        clf.fit(X, y)
    rng = np.random.default_rng(0)
    indptr, indices, data = X.indptr, X.indices.copy(), X.data.copy()
    for i in range(X.shape[0]):  # reverse each row's entries
        lo, hi = indptr[i], indptr[i + 1]
        indices[lo:hi], data[lo:hi] = indices[lo:hi][::-1], data[lo:hi][::-1]
    # float32, as validated: the blocks reach torch as given
    unsorted = sp.csr_matrix((data.astype(np.float32), indices, indptr), shape=X.shape)
    # each row's entries twice, each holding a random share of the value
    d_data, d_indices, d_indptr = [], [], [0]
    for i in range(X.shape[0]):
        lo, hi = indptr[i], indptr[i + 1]
        share = rng.uniform(0.2, 0.8, size=hi - lo)
        d_data += [X.data[lo:hi] * share, X.data[lo:hi] * (1 - share)]
        d_indices += [X.indices[lo:hi]] * 2
        d_indptr.append(d_indptr[-1] + 2 * (hi - lo))
    doubled = sp.csr_matrix(
        (
            np.concatenate(d_data).astype(np.float32),
            np.concatenate(d_indices),
            d_indptr,
        ),
        shape=X.shape,
    )
    assert doubled.nnz == 2 * X.nnz and not doubled.has_canonical_format
    expected = clf.predict_proba(X.toarray())
    for Xs in (unsorted, doubled):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = clf.predict_proba(Xs)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
