"""Bad input over every public estimator: clear errors, no garbage, no lost model."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from test_common import _instances

from sklearn_mathdl import MLPClassifier, MLPRegressor, RNNClassifier
from sklearn_mathdl._gan import _BaseGAN

ESTIMATORS = list(_instances())
IDS = [type(e).__name__ for e in ESTIMATORS]


def _data(est, n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 5)
    if is_classifier(est):
        return X, (X[:, 0] > 0).astype(int)
    return X, X[:, 0] + 0.1 * rng.randn(n)


def _outputs(est, X):
    if hasattr(est, "predict"):
        return np.asarray(est.predict(X), dtype=float)
    if hasattr(est, "transform"):
        return np.asarray(est.transform(X), dtype=float)
    # a GAN: what it generates, and its score on X
    return np.append(est.sample(5, random_state=0).ravel(), est.score(X))


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_float64_beyond_float32_range_is_refused_or_finite(est):
    est = clone(est)
    X, y = _data(est)
    est.fit(X, y) if (is_classifier(est) or is_regressor(est)) else est.fit(X)
    X_bad = X.copy()
    X_bad[0, 0] = 1e39
    try:
        out = _outputs(est, X_bad)
    except ValueError as exc:
        assert "float32" in str(exc) or "too large" in str(exc)
    else:
        assert np.isfinite(out).all(), "silent inf/NaN output"
    if hasattr(est, "predict_proba"):
        try:
            proba = est.predict_proba(X_bad)
        except ValueError:
            pass
        else:
            assert np.isfinite(proba).all()


CLASSIFIERS = [
    e for e in ESTIMATORS if is_classifier(e) and "class_weight" in e.get_params()
]


@pytest.mark.parametrize(
    "est", CLASSIFIERS, ids=[type(e).__name__ for e in CLASSIFIERS]
)
@pytest.mark.parametrize(
    "class_weight",
    [{0: -1.0, 1: 1.0}, {0: 0.0, 1: 0.0}, {0: np.nan, 1: 1.0}, {0: np.inf, 1: 1.0}],
    ids=["negative", "all-zero", "nan", "inf"],
)
def test_invalid_class_weight_is_a_clear_error(est, class_weight):
    est = clone(est).set_params(class_weight=class_weight)
    X, y = _data(est)
    with pytest.raises(ValueError, match="class_weight"):
        est.fit(X, y)


def test_zero_weight_for_one_class_is_allowed():
    X, y = _data(MLPClassifier())
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, class_weight={0: 0, 1: 1}).fit(
        X, y
    )


# (the GANs' players have their own losses, not get_loss: tests/test_gan.py
# makes their step fail instead)
INCREMENTAL = [
    e for e in ESTIMATORS if hasattr(e, "partial_fit") and not isinstance(e, _BaseGAN)
]


@pytest.mark.parametrize(
    "est", INCREMENTAL, ids=[type(e).__name__ for e in INCREMENTAL]
)
def test_failed_partial_fit_keeps_the_model(est, monkeypatch):
    # three batches an epoch; the second batch's loss of the failing call is
    # NaN, so the first batch has already moved the weights when it fails
    est = clone(est).set_params(batch_size=20)
    X, y = _data(est)
    supervised = is_classifier(est) or is_regressor(est)

    def step():
        return est.partial_fit(X, y) if supervised else est.partial_fit(X)

    if is_classifier(est):
        est.partial_fit(X, y, classes=np.unique(y))
    else:
        step()
    before = _outputs(est, X)
    n_iter = est.n_iter_
    net_cls = type(est._net)
    original = net_cls.get_loss
    calls = []

    def diverging(self, *args, **kwargs):
        loss = original(self, *args, **kwargs)
        if kwargs.get("training"):
            calls.append(1)
        return loss * float("nan") if len(calls) == 2 else loss

    monkeypatch.setattr(net_cls, "get_loss", diverging)
    with pytest.raises(ValueError, match="unchanged"):
        step()
    monkeypatch.setattr(net_cls, "get_loss", original)
    np.testing.assert_array_equal(_outputs(est, X), before)
    assert est.n_iter_ == n_iter
    step()  # training goes on from the kept model
    assert est.n_iter_ == n_iter + 1


def test_issue_reproducer_failed_partial_fit_regressor():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 5)
    y = X[:, 0]
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=3).fit(X, y)
    before = reg.predict(X)
    with pytest.raises(ValueError, match="unchanged"):
        reg.partial_fit(X, y * 1e30)
    np.testing.assert_array_equal(reg.predict(X), before)
    # and it keeps training from where it was
    reg.partial_fit(X, y)
    assert reg.n_iter_ == 4


def test_failed_warm_start_refit_keeps_the_model():
    X, y = _data(MLPRegressor())
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=3, warm_start=True).fit(X, y)
    before = reg.predict(X)
    reg.set_params(learning_rate_init=1e12, optimizer="sgd", momentum=0.0)
    with pytest.raises(ValueError, match="unchanged"):
        reg.fit(X, y * 1e20)
    np.testing.assert_array_equal(reg.predict(X), before)


def test_interrupt_in_first_epoch_of_partial_fit_keeps_the_model(monkeypatch):
    X, y = _data(RNNClassifier())
    clf = RNNClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    net = clf._net
    original = type(net).train_step

    def interrupted(self, batch, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(type(net), "train_step", interrupted)
    with pytest.raises(KeyboardInterrupt, match="as it was"):
        clf.partial_fit(X, y)
    monkeypatch.setattr(type(net), "train_step", original)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    clf.partial_fit(X, y)  # still usable


def test_divergence_with_finite_losses_warns():
    # the issue's reproducer: loss ~1e16, finite, "converged" without a word
    rng = np.random.RandomState(0)
    X = 100 * rng.randn(200, 5)
    y = X @ rng.randn(5) * 1e6
    reg = MLPRegressor(
        hidden_layer_sizes=(16,), optimizer="adam", learning_rate_init=1e3, max_iter=20
    )
    with pytest.warns(UserWarning, match="diverged"):
        reg.fit(X, y)


def test_sgd_blow_up_of_a_classifier_warns():
    import warnings

    X, y = _data(RNNClassifier())
    clf = RNNClassifier(
        hidden_size=8, optimizer="sgd", learning_rate_init=1e6, max_iter=5
    )
    raised = None
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            clf.fit(X, y)
        except ValueError as exc:  # a NaN loss is the other honest outcome
            raised = exc
    said = [str(w.message) for w in record] + ([str(raised)] if raised else [])
    assert any("diverged" in text for text in said), said


def test_a_good_fit_does_not_warn_of_divergence():
    import warnings

    X, y = _data(MLPClassifier())
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        MLPClassifier(hidden_layer_sizes=(8,), random_state=0).fit(X, y)


def test_parameter_errors_name_our_parameters():
    from sklearn_mathdl import NeuralODEClassifier
    from sklearn_mathdl.kernels import laplacian_kernel, matern_kernel, rbf_kernel

    X, y = _data(MLPClassifier(), n=20)
    for sizes in [(0,), (-3,), (2.5,)]:
        with pytest.raises(ValueError, match="hidden_layer_sizes"):
            NeuralODEClassifier(hidden_layer_sizes=sizes, max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="gamma must be positive"):
        rbf_kernel(X, gamma=-1)
    with pytest.raises(ValueError, match="gamma must be positive"):
        laplacian_kernel(X, gamma=0.0)
    with pytest.raises(ValueError, match="length_scale"):
        matern_kernel(X, length_scale=-2.0)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        rbf_kernel(X_nan)
    with pytest.raises(ValueError, match="validation_fraction"):
        MLPClassifier(early_stopping=True, max_iter=1).fit(X[:5], [0, 1, 0, 1, 0])


def test_binary_early_stopping_split_is_stratified():
    rng = np.random.RandomState(0)
    X = rng.randn(100, 3)
    y = np.r_[np.zeros(90, int), np.ones(10, int)]
    clf = MLPClassifier(early_stopping=True, validation_fraction=0.2, max_iter=2)
    clf.fit(X, y)
    valid = clf._net.train_split.valid_index.cpu().numpy()
    assert y[valid].sum() == 2  # 10 % positives of 20 validation rows


def test_partial_fit_refuses_early_stopping_as_scikit_learn_does():
    X, y = _data(MLPClassifier())
    clf = MLPClassifier(early_stopping=True)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "n_iter_")


# ----------------------------------------------------------------- threads
def _thread_cases():
    from sklearn_mathdl import (
        CNNClassifier,
        DeepEnsembleRegressor,
        MLPClassifier,
        MLPRegressor,
        TransformerEncoderClassifier,
        VariationalAutoencoder,
    )

    rng = np.random.RandomState(0)
    X = rng.randn(60, 8).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return [
        (MLPClassifier(hidden_layer_sizes=(16,), dropout=0.3, max_iter=8), X, y),
        (
            TransformerEncoderClassifier(
                d_model=8, n_heads=2, n_layers=1, dim_feedforward=16, max_iter=3
            ),
            X,
            y,
        ),
        (CNNClassifier(n_filters=(4,), dropout=0.2, max_iter=3), X, y),
        (VariationalAutoencoder(n_components=2, max_iter=4), X, None),
        (
            DeepEnsembleRegressor(
                MLPRegressor(hidden_layer_sizes=(8,), dropout=0.2, max_iter=4),
                n_estimators=2,
            ),
            X,
            X[:, 0],
        ),
    ]


def _output(est, X):
    if hasattr(est, "predict_proba"):
        return est.predict_proba(X)
    if hasattr(est, "transform") and not hasattr(est, "predict"):
        return est.transform(X)
    return est.predict(X)


def test_threaded_fits_equal_sequential_fits():
    """4 threads x 3 seeds per estimator: each model equals its sequential fit
    (weight init, dropout masks and VAE noise come from the global torch RNG,
    which a seeded block holds alone)."""
    from concurrent.futures import ThreadPoolExecutor

    for est, X, y in _thread_cases():
        seeds = [0, 1, 2, 0]

        def fit(seed, est=est, X=X, y=y):
            model = clone(est).set_params(random_state=seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X) if y is None else model.fit(X, y)
            return _output(model, X)

        sequential = [fit(s) for s in seeds]
        for _ in range(2):
            with ThreadPoolExecutor(max_workers=4) as pool:
                threaded = list(pool.map(fit, seeds))
            for a, b in zip(sequential, threaded, strict=True):
                np.testing.assert_array_equal(a, b, err_msg=type(est).__name__)
        np.testing.assert_array_equal(sequential[0], sequential[3])


def test_bad_optimizer_params_fail_before_training():
    X = np.random.RandomState(0).randn(30, 3)
    y = (X[:, 0] > 0).astype(int)
    cases = [({"bogus": 1}, "unexpected keyword"), ({"betas": (2.0, 0.9)}, "beta")]
    for params, what in cases:
        est = MLPClassifier(max_iter=2, optimizer_params=params)
        with pytest.raises(ValueError, match=f"optimizer_params=.*Adam.*{what}"):
            est.fit(X, y)
        assert not hasattr(est, "module_")


def test_ctrl_c_during_first_fit_leaves_later_fits_working(tmp_path):
    """A SIGINT during the first fit of a process (while torch imports its
    optimizer machinery, or while training) must not break later fits."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import os, signal, threading, time, warnings
        import numpy as np
        from sklearn_mathdl import MLPClassifier
        X = np.random.RandomState(0).randn(200, 5)
        y = (X[:, 0] > 0).astype(int)
        for delay in (0.01, 0.05, 0.3):
            try:
                threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT)).start()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    MLPClassifier(max_iter=200).fit(X, y)
                time.sleep(0.5)  # a fit faster than the timer: the signal lands here
            except KeyboardInterrupt:
                pass
        print("score", MLPClassifier(max_iter=30, random_state=0).fit(X, y).score(X, y))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.split("score")[-1]) > 0.7


@pytest.mark.parametrize("kind", ["mlp_regressor", "mlp_classifier", "kernel_ridge"])
def test_predict_does_not_copy_large_input(kind):
    """Predict on 1 M x 20 float64 rows allocates (in NumPy) little beyond its
    output: no whole-input float32 copy (80 MB) or finiteness mask (20 MB)."""
    import tracemalloc

    from sklearn_mathdl import KernelRidge

    rng = np.random.RandomState(0)
    Xf = rng.randn(300, 20)
    yf = Xf[:, 0]
    if kind == "mlp_regressor":
        est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=2).fit(Xf, yf)
        method = est.predict
    elif kind == "mlp_classifier":
        est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2).fit(Xf, yf > 0)
        method = est.predict_proba
    else:
        est = KernelRidge(kernel="rbf", solver="nystrom", n_centers=50).fit(Xf, yf)
        method = est.predict
    X = rng.randn(1_000_000, 20)
    tracemalloc.start()
    try:
        out = method(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.isfinite(out).all()
    assert peak < 3 * out.nbytes + 24 * 2**20, peak / 2**20
    X[123_456, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        method(X)
