"""Behaviour of MLPClassifier and MLPRegressor (and through them, the engine)."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import warnings
from unittest import mock

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sklearn_mathdl import MLPClassifier, MLPRegressor
from sklearn_mathdl._modules import _MLPModule

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _clf(**kw):
    params = dict(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=60, random_state=0
    )
    params.update(kw)
    return MLPClassifier(**params)


def _reg(**kw):
    params = dict(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=80, random_state=0
    )
    params.update(kw)
    return MLPRegressor(**params)


@pytest.fixture(scope="module")
def fitted_clf(iris):
    X, y = iris
    return _clf().fit(X, y)


@pytest.fixture(scope="module")
def fitted_reg(regression_data):
    X, y = regression_data
    return _reg().fit(X, y)


# ----------------------------------------------------------------- learning
def test_classifier_learns_iris(fitted_clf, iris):
    X, y = iris
    assert fitted_clf.score(X, y) > 0.93
    assert fitted_clf.predict(X).dtype == y.dtype


def test_regressor_learns(fitted_reg, regression_data):
    X, y = regression_data
    assert fitted_reg.score(X, y) > 0.95
    pred = fitted_reg.predict(X)
    assert pred.shape == (len(X),) and pred.dtype == np.float64


def test_no_hidden_layer_is_logistic_regression(binary_data):
    """Full-batch Adam on the penalised logistic loss reaches sklearn's optimum."""
    X, y = binary_data
    C = 1.0
    ref = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)
    # sklearn minimises 0.5||w||^2 + C sum(loss); ours mean(loss) + alpha/2n ||w||^2
    ours = MLPClassifier(
        hidden_layer_sizes=(),
        alpha=1.0 / C,
        batch_size=len(X),
        learning_rate_init=0.05,
        # a fixed step all the way (the default "plateau" shrinks it at
        # Adam's first oscillations, and 3000 epochs no longer reach 1e-3)
        learning_rate="constant",
        max_iter=3000,
        tol=0,
        n_iter_no_change=3000,
        random_state=0,
    ).fit(X, y)
    w = ours.module_.layers[0].weight.detach().numpy().ravel()
    np.testing.assert_allclose(w, ref.coef_.ravel(), atol=2e-3)
    np.testing.assert_allclose(
        ours.predict_proba(X)[:, 1], ref.predict_proba(X)[:, 1], atol=1e-3
    )


def test_no_hidden_layer_is_linear_regression(regression_data):
    X, y = regression_data
    ref = LinearRegression().fit(X, y)
    ours = MLPRegressor(
        hidden_layer_sizes=(),
        alpha=0.0,
        batch_size=len(X),
        learning_rate_init=0.05,
        max_iter=1500,
        tol=0,
        n_iter_no_change=1500,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-3, atol=0.05)


def test_multiclass_outputs(fitted_clf, iris):
    X, _ = iris
    proba = fitted_clf.predict_proba(X)
    assert proba.shape == (len(X), 3) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(
        fitted_clf.predict_log_proba(X), np.log(proba), atol=1e-10
    )
    assert np.array_equal(fitted_clf.classes_[proba.argmax(1)], fitted_clf.predict(X))
    assert fitted_clf.decision_function(X).shape == (len(X), 3)


def test_binary_outputs_and_string_labels(binary_data):
    X, y = binary_data
    labels = np.array(["benign", "malignant"])[y]
    clf = _clf().fit(X, labels)
    assert list(clf.classes_) == ["benign", "malignant"]
    scores = clf.decision_function(X)
    assert scores.shape == (len(X),)
    pred = clf.predict(X)
    assert set(pred) <= {"benign", "malignant"}
    assert np.array_equal(pred == "malignant", scores > 0)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert clf.score(X, labels) > 0.9


def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=150, n_classes=4, random_state=0)
    X = StandardScaler().fit_transform(X)
    clf = _clf(max_iter=100).fit(X, Y)
    pred = clf.predict(X)
    assert pred.shape == Y.shape
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape
    assert np.array_equal((proba > 0.5).astype(int), pred)
    assert (pred == Y).mean() > 0.8


def test_multioutput_regression(regression_data):
    X, y = regression_data
    Y = np.column_stack([y, -2 * y + 3])
    reg = _reg().fit(X, Y)
    assert reg.n_outputs_ == 2
    assert reg.predict(X).shape == (len(X), 2)
    assert reg.score(X, Y) > 0.9


# ------------------------------------------------------------ sklearn tools
def test_pipeline_gridsearch_cross_val(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), _clf(max_iter=30))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.85
    search = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1e-2]}, cv=2)
    search.fit(X, y)
    assert search.best_score_ > 0.8
    assert search.predict(X).shape == y.shape


def test_clone_and_reproducibility(iris):
    X, y = iris
    a = _clf(max_iter=10).fit(X, y)
    b = clone(a).fit(X, y)
    assert not hasattr(clone(a), "module_")
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = _clf(max_iter=10, random_state=1).fit(X, y)
    assert not np.allclose(a.predict_proba(X), c.predict_proba(X))


def test_global_rng_untouched(iris):
    X, y = iris
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _clf(max_iter=3, dropout=0.2).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


def test_pickle_round_trip(fitted_clf, fitted_reg, iris, regression_data):
    for est, X in ((fitted_clf, iris[0]), (fitted_reg, regression_data[0])):
        loaded = pickle.loads(pickle.dumps(est))
        assert loaded.module_ is loaded._net.module_
        np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


def test_gpu_pickle_loads_on_cpu_only_machine(fitted_reg, regression_data):
    """A model saved from CUDA is re-mapped to the CPU where CUDA is missing.

    Without a GPU we simulate the saved state: the net and the estimator claim
    CUDA, and loading runs with ``torch.cuda.is_available`` patched to False.
    """
    X, _ = regression_data
    est = pickle.loads(pickle.dumps(fitted_reg))
    est._device = torch.device("cuda")
    est._net.device = "cuda"
    blob = pickle.dumps(est)
    with mock.patch("torch.cuda.is_available", return_value=False):
        with pytest.warns(UserWarning, match="CUDA"):
            loaded = pickle.loads(blob)
    assert loaded._device.type == "cpu"
    np.testing.assert_allclose(loaded.predict(X), fitted_reg.predict(X))


@pytest.mark.cuda
def test_cuda_fit_predict_and_cpu_unpickle(tmp_path, regression_data):
    import subprocess
    import sys

    X, y = regression_data
    reg = _reg(device="cuda", max_iter=20).fit(X, y)
    assert next(reg.module_.parameters()).is_cuda
    pred = reg.predict(X)
    assert isinstance(pred, np.ndarray)
    path = tmp_path / "gpu.pkl"
    path.write_bytes(pickle.dumps(reg))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "pred.npy", pred)
    code = (
        "import pickle, numpy as np, warnings;"
        "warnings.simplefilter('ignore');"
        f"m = pickle.loads(open(r'{path}', 'rb').read());"
        f"X = np.load(r'{tmp_path / 'X.npy'}');"
        f"p = np.load(r'{tmp_path / 'pred.npy'}');"
        "np.testing.assert_allclose(m.predict(X), p, rtol=1e-4, atol=1e-4)"
    )
    env = {"CUDA_VISIBLE_DEVICES": "", "PATH": ""}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# ------------------------------------------------------------ continuation
def test_warm_start_continues(iris):
    X, y = iris
    clf = _clf(max_iter=5, warm_start=True, tol=0).fit(X, y)
    first = list(clf.loss_curve_)
    clf.fit(X, y)
    assert clf.n_iter_ == 10
    assert clf.loss_curve_[:5] == first
    assert clf.loss_ < first[-1]
    cold = _clf(max_iter=5, tol=0).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 5


def test_warm_start_refuses_new_classes(iris):
    X, y = iris
    clf = _clf(max_iter=2, warm_start=True).fit(X[y < 2], y[y < 2])
    with pytest.raises(ValueError, match="same classes"):
        clf.fit(X, y)


def test_partial_fit(iris, regression_data):
    X, y = iris
    clf = _clf()
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for i in range(5):
        clf.partial_fit(X, y, classes=np.unique(y))
        assert clf.n_iter_ == i + 1
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, y + 10)
    Xr, yr = regression_data
    reg = _reg()
    for _ in range(3):
        reg.partial_fit(Xr, yr)
    assert reg.n_iter_ == 3 and reg.loss_curve_[-1] < reg.loss_curve_[0]


def test_early_stopping_restores_best_weights(iris):
    X, y = iris
    clf = _clf(
        early_stopping=True,
        max_iter=60,
        n_iter_no_change=5,
        validation_fraction=0.3,
        learning_rate_init=0.05,
    )
    clf.fit(X, y)
    assert clf.validation_scores_ is not None
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # Recreate the held-out split and check the kept weights score best.
    _, X_val, _, y_val = train_test_split(
        X, y, test_size=0.3, random_state=clf._seed % (2**32 - 1), stratify=y
    )
    assert clf.score(X_val, y_val) == pytest.approx(clf.best_validation_score_)


def test_stops_on_plateau_and_warns_otherwise(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = _clf(max_iter=500, tol=1e-2, n_iter_no_change=3).fit(X, y)
    assert clf.n_iter_ < 500
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        _clf(max_iter=3, n_iter_no_change=2).fit(X, y)


# ---------------------------------------------------------------- weights
def test_sample_weight_full_batch_equivalences(regression_data):
    """In full-batch training, weight k equals repeating a row k times."""
    X, y = regression_data
    X, y = X[:60], y[:60]
    params = dict(batch_size=1000, alpha=0.0, max_iter=30, tol=0, normalize_y=False)
    w = np.r_[np.full(30, 2.0), np.zeros(30)]
    weighted = _reg(**params).fit(X, y, sample_weight=w)
    repeated = _reg(**params).fit(np.r_[X[:30], X[:30]], np.r_[y[:30], y[:30]])
    # float32: the sums over 60 weighted rows and 60 repeated rows round
    # differently (by up to 3e-3 on targets of scale 150 on some CPUs)
    scale = np.abs(y).max()
    np.testing.assert_allclose(
        weighted.predict(X), repeated.predict(X), rtol=1e-4, atol=1e-4 * scale
    )
    unweighted = _reg(**params).fit(X, y)
    assert not np.allclose(weighted.predict(X), unweighted.predict(X))


def test_class_weight_is_sample_weight(binary_data):
    X, y = binary_data
    a = _clf(class_weight={0: 3.0, 1: 1.0}, max_iter=10).fit(X, y)
    b = _clf(max_iter=10).fit(X, y, sample_weight=np.where(y == 0, 3.0, 1.0))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)


def test_balanced_class_weight_helps_minority():
    X, y = make_classification(
        n_samples=400, weights=[0.92], flip_y=0.02, class_sep=0.6, random_state=0
    )
    plain = _clf(max_iter=40).fit(X, y)
    balanced = _clf(max_iter=40, class_weight="balanced").fit(X, y)
    recall = lambda m: (m.predict(X)[y == 1] == 1).mean()  # noqa: E731
    assert recall(balanced) > recall(plain)


def test_l1_penalty_sparsifies(regression_data):
    X, y = regression_data
    Xn = np.c_[X, np.random.RandomState(0).randn(len(X), 20)]
    dense = _reg(max_iter=60, alpha=0.0).fit(Xn, y)
    sparse = _reg(max_iter=60, l1_alpha=1.0, alpha=0.0).fit(Xn, y)
    mass = lambda m: np.abs(m.module_.layers[0].weight.detach().numpy()[:, 5:]).sum()  # noqa: E731
    assert mass(sparse) < 0.5 * mass(dense)


# -------------------------------------------------------- architecture knobs
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu", "identity"])
def test_activations(activation, iris):
    X, y = iris
    clf = _clf(activation=activation, max_iter=30).fit(X, y)
    assert clf.score(X, y) > 0.7


def test_dropout_and_batch_norm(iris):
    X, y = iris
    clf = _clf(dropout=0.3, batch_norm=True, batch_size=37, max_iter=40).fit(X, y)
    kinds = {type(m).__name__ for m in clf.module_.modules()}
    assert {"Dropout", "BatchNorm1d"} <= kinds
    assert not clf.module_.training
    # eval mode: dropout off, so predictions are deterministic
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))
    assert clf.score(X, y) > 0.85


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_optimizers(optimizer, iris):
    X, y = iris
    clf = _clf(optimizer=optimizer, learning_rate_init=0.05, max_iter=40).fit(X, y)
    assert clf.score(X, y) > 0.8


def test_invscaling_is_robbins_monro(iris):
    X, y = iris
    clf = _clf(
        optimizer="sgd",
        learning_rate="invscaling",
        power_t=0.75,
        learning_rate_init=0.5,
        batch_size=50,
        max_iter=4,
        tol=0,
    ).fit(X, y)
    steps = 4 * 3
    lr = clf._net.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(0.5 / steps**0.75)


def test_cosine_and_plateau(iris):
    X, y = iris
    clf = _clf(learning_rate="cosine", max_iter=10, tol=0).fit(X, y)
    assert clf._net.optimizer_.param_groups[0]["lr"] < 0.01 * 0.05
    clf = _clf(
        learning_rate="plateau", max_iter=30, tol=10.0, n_iter_no_change=100
    ).fit(X, y)
    assert clf._net.optimizer_.param_groups[0]["lr"] < 0.01


def test_warm_start_fit_restarts_the_cosine_schedule(iris):
    """Each fit call anneals over its own max_iter epochs; before, a warm-started
    fit continued at the end of the first call's cycle, with a step of 0."""
    X, y = iris
    clf = _clf(
        learning_rate="cosine",
        max_iter=4,
        tol=0,
        warm_start=True,
        optimizer="adam",
        learning_rate_init=0.01,
    ).fit(X, y)
    before = [p.detach().clone() for p in clf.module_.parameters()]
    clf.fit(X, y)
    after = list(clf.module_.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(after, before, strict=True))
    # the last of 4 epochs of the second call: (1 + cos(3 pi / 4)) / 2 of lr0
    lr = clf._net.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(0.01 * 0.5 * (1 + np.cos(3 * np.pi / 4)))
    # partial_fit calls continue one schedule
    clf.partial_fit(X, y)
    assert clf._net.optimizer_.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)


def test_verbose_progress_bar(iris, capsys):
    X, y = iris
    _clf(max_iter=3, verbose=1, early_stopping=True).fit(X, y)
    err = capsys.readouterr().err
    assert "epoch" in err and "val_score" in err
    _clf(max_iter=3).fit(X, y)
    assert capsys.readouterr().err == ""


# -------------------------------------------------------------- bad input
def test_bad_inputs_raise_clear_errors(fitted_clf, iris):
    X, y = iris
    Xnan = X.copy()
    Xnan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        _clf().fit(Xnan, y)
    Xinf = X.copy()
    Xinf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        _clf().fit(Xinf, y)
    with pytest.raises(ValueError, match="features"):
        fitted_clf.predict(X[:, :2])
    with pytest.raises(ValueError, match="0 sample"):
        _clf().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Unknown label type"):
        _clf().fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="sample_weight"):
        _clf().fit(X, y, sample_weight=-np.ones(len(X)))
    with pytest.raises(NotFittedError):
        _clf().predict(X)


def test_batch_norm_needs_two_rows_per_batch(iris):
    X, y = iris
    with pytest.raises(ValueError, match="batch_norm=True needs batches"):
        _clf(batch_norm=True, batch_size=1).fit(X, y)


def test_bad_device(iris):
    X, y = iris
    with pytest.raises(ValueError, match="Unknown device"):
        _clf(device="tpu").fit(X, y)
    with mock.patch("torch.cuda.is_available", return_value=False):
        with pytest.raises(ValueError, match="CUDA is not available"):
            _clf(device="cuda").fit(X, y)


def test_non_finite_loss_is_a_clear_error(regression_data):
    X, y = regression_data
    reg = _reg(optimizer="sgd", learning_rate_init=1e6, normalize_y=False, max_iter=5)
    with pytest.raises(ValueError, match=r"at epoch [12]\b.*learning_rate_init"):
        reg.fit(X * 100, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(reg)


def test_keyboard_interrupt_keeps_best_weights(iris):
    X, y = iris
    real_forward = _MLPModule.forward
    calls = {"n": 0}

    def flaky(self, X):
        calls["n"] += 1
        if calls["n"] == 3 * 7 + 1:  # first batch of epoch 8 (3 batches/epoch)
            raise KeyboardInterrupt
        return real_forward(self, X)

    with mock.patch.object(_MLPModule, "forward", flaky):
        with pytest.warns(UserWarning, match="interrupted"):
            clf = _clf(batch_size=50, max_iter=50).fit(X, y)
    assert clf.n_iter_ == 7
    assert clf.predict(X).shape == y.shape

    calls["n"] = 0

    def early(self, X):
        raise KeyboardInterrupt

    with mock.patch.object(_MLPModule, "forward", early):
        with pytest.raises(KeyboardInterrupt):
            _clf().fit(X, y)


def test_pandas_and_float64_inputs(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    df = pd.DataFrame(X.astype(np.float64), columns=[f"f{i}" for i in range(4)])
    clf = _clf(max_iter=5).fit(df, y)
    assert list(clf.feature_names_in_) == list(df.columns)
    np.testing.assert_allclose(clf.predict_proba(df), clf.predict_proba(X), rtol=1e-6)


def test_predictions_are_batch_invariant_to_float32_precision(
    fitted_reg, regression_data
):
    X, _ = regression_data
    full = fitted_reg.predict(X)
    rows = np.concatenate([fitted_reg.predict(X[i : i + 1]) for i in range(20)])
    np.testing.assert_allclose(rows, full[:20], rtol=1e-5, atol=1e-5)
    big = np.repeat(X, 50, axis=0)  # > one inference chunk
    np.testing.assert_allclose(
        fitted_reg.predict(big)[::50], full, rtol=1e-5, atol=1e-5
    )


def test_inference_fast_path_matches_validated_path(fitted_reg, regression_data):
    X, _ = regression_data
    fast = fitted_reg.predict(X.astype(np.float64))
    slow = fitted_reg.predict(X.tolist())  # a list goes through validate_data
    np.testing.assert_array_equal(fast, slow)
    Xbad = X.copy()
    Xbad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fitted_reg.predict(Xbad)
    with pytest.raises(ValueError, match="features"):
        fitted_reg.predict(X[:, :3])


def test_batch_norm_statistics_are_recomputed_with_the_final_weights():
    """After fit, the running mean of the first batch norm is the mean of the
    first layer's pre-activations over the training set (PreciseBN), not an
    exponential average taken while the weights moved."""
    import torch

    rng = np.random.RandomState(0)
    X = rng.randn(256, 5).astype(np.float32) * 3 + 1
    y = X[:, 0] - X[:, 1]
    # an exponential average (momentum 0.1) over 5 x 4 batches would keep
    # 0.9 ** 20 = 12 % of its initial value 0: the mean check tells them apart
    reg = MLPRegressor(
        hidden_layer_sizes=(8,),
        batch_norm=True,
        batch_size=64,  # 4 full batches: their means average to the full mean
        learning_rate_init=1e-2,
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    modules = list(reg.module_.modules())
    first = next(m for m in modules if hasattr(m, "weight") and m.weight.ndim == 2)
    bn = next(m for m in modules if isinstance(m, torch.nn.BatchNorm1d))
    with torch.no_grad():
        pre = first(torch.from_numpy(X))
    np.testing.assert_allclose(bn.running_mean, pre.mean(0), rtol=1e-4, atol=1e-5)
    # the average of 4 random batches' unbiased variances: near the full one
    np.testing.assert_allclose(bn.running_var, pre.var(0), rtol=0.1)
    assert bn.momentum == 0.1  # restored for warm starts


def test_coefs_and_intercepts_as_scikit_learn_exposes_them():
    """coefs_[i] is (n_in, n_out); a NumPy forward pass with them equals predict,
    and on the CPU they are views: writing to them changes the model."""
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = X[:, 0] - X[:, 1]
    est = MLPRegressor(hidden_layer_sizes=(5, 4), max_iter=20, random_state=0).fit(X, y)
    shapes = [c.shape for c in est.coefs_]
    assert shapes == [(3, 5), (5, 4), (4, 1)]
    assert [b.shape for b in est.intercepts_] == [(5,), (4,), (1,)]
    h = X
    for i, (W, b) in enumerate(zip(est.coefs_, est.intercepts_, strict=True)):
        h = h @ W + b
        if i < 2:
            h = np.maximum(h, 0)
    np.testing.assert_allclose(
        h[:, 0] * est._y_std[0] + est._y_mean[0], est.predict(X), rtol=1e-5, atol=1e-5
    )
    est.coefs_[-1][:] = 0.0
    est.intercepts_[-1][:] = 0.0
    np.testing.assert_allclose(est.predict(X), est._y_mean[0], rtol=1e-6)
    assert not hasattr(MLPRegressor(), "coefs_")  # NotFittedError is an AttributeError


def test_scikit_learn_spellings():
    """What users of scikit-learn's MLP type: an int hidden_layer_sizes,
    activation="logistic", learning_rate="adaptive", n_layers_,
    out_activation_ and n_outputs_."""
    rng = np.random.RandomState(0)
    X = rng.randn(80, 4)
    y = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier(
        hidden_layer_sizes=7,
        activation="logistic",
        learning_rate="adaptive",
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    assert clf.coefs_[0].shape == (4, 7)
    assert clf.n_layers_ == 3 and clf.out_activation_ == "logistic"
    assert clf.n_outputs_ == 1
    same = MLPClassifier(
        hidden_layer_sizes=(7,),
        activation="sigmoid",
        learning_rate="plateau",
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), same.predict_proba(X))
    multi = MLPClassifier(max_iter=3, random_state=0).fit(X, rng.randint(0, 3, 80))
    assert multi.out_activation_ == "softmax" and multi.n_outputs_ == 3
    reg = MLPRegressor(hidden_layer_sizes=(3, 2), max_iter=3).fit(X, X[:, 0])
    assert reg.n_layers_ == 4 and reg.out_activation_ == "identity"


def test_scikit_learn_refusals_and_spellings():
    """What scikit-learn's MLP refuses and accepts (issue: scikit-learn parity)."""
    from sklearn.exceptions import ConvergenceWarning

    X = np.random.RandomState(0).randn(40, 3)
    y = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="not the same as on the first call"):
        clf.partial_fit(X, y, classes=[1, 2])
    clf.partial_fit(X, y, classes=[1, 0])  # the same set, in another order
    # a validation split of one row is an error, not a useless score
    with pytest.raises(ValueError, match="The validation set is too small"):
        MLPRegressor(early_stopping=True).fit(X[:2], X[:2, 0])
    # np.inf: no plateau stop, as in scikit-learn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor(
            hidden_layer_sizes=(4,),
            optimizer="sgd",
            tol=1e9,
            max_iter=15,
            n_iter_no_change=np.inf,
            random_state=0,
        ).fit(X, X[:, 0])
    assert reg.n_iter_ == 15
    es = MLPRegressor(hidden_layer_sizes=(4,), early_stopping=True, max_iter=5)
    assert es.fit(X, X[:, 0]).best_loss_ is None


def test_warm_start_on_new_targets_checks_divergence_on_its_own_epochs():
    """A warm-started fit on targets of a larger scale (fitted Q iteration
    does this each iteration) starts from a higher loss than the first call
    did; that is no divergence. The check compares this call's epochs only."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    model = MLPRegressor(warm_start=True, random_state=0).fit(X, X[:, 0])
    y = 30 * (X[:, 0] + np.sin(3 * X[:, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(X, y)
    assert model.score(X, y) > 0.8
