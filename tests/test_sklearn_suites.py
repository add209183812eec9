"""scikit-learn's own MLP and kernel-ridge test modules, run against our classes.

The installed modules ``sklearn.neural_network.tests.test_mlp`` and
``sklearn.tests.test_kernel_ridge`` are imported at test time (nothing of
them is copied here) with their estimator names rebound to ours, and their
test functions collected from this module. The rebinding translates what
scikit-learn users type and our classes spell differently on purpose
(``solver=`` is ``optimizer=``) and passes scikit-learn's values for the
parameters whose defaults differ on purpose (``alpha``, the solver, the
epoch budget and patience; see "Compared with scikit-learn's MLP" in the
user guide), so that each test sees the model it was written for. Tests that
read scikit-learn's private attributes, or assert a behaviour we change on
purpose, are skipped with the reason.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import types

import pytest

import sklearn_mathdl as ours

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# scikit-learn's defaults where ours differ on purpose
_SK_MLP_DEFAULTS = {
    "alpha": 1e-4,
    "optimizer": "adam",
    "max_iter": 200,
    "n_iter_no_change": 10,
}


def _sk_spelling(kw):
    kw = dict(kw)
    if "solver" in kw:
        kw["optimizer"] = kw.pop("solver")
    return {**_SK_MLP_DEFAULTS, **kw}


def MLPClassifier(*args, **kw):
    return ours.MLPClassifier(*args, **_sk_spelling(kw))


def MLPRegressor(*args, **kw):
    return ours.MLPRegressor(*args, **_sk_spelling(kw))


# scikit-learn's KernelRidge has no intercept and fits y as it is
_SK_KRR_DEFAULTS = {"normalize_y": False}


def KernelRidge(*args, **kw):
    return ours.KernelRidge(*args, **{**_SK_KRR_DEFAULTS, **kw})


_PRIVATE = "reads scikit-learn's private {}; "
_WARM_START = (
    "with warm_start=True each fit trains up to max_iter more epochs "
    "(n_iter_ counts them all), where scikit-learn caps the total n_iter_ at "
    "max_iter; and with the plateau rule off (n_iter_no_change=np.inf) "
    "running to max_iter is what was asked, so no ConvergenceWarning"
)
MLP_SKIPS = {
    "test_gradient": _PRIVATE.format("_loss_grad_lbfgs")
    + "our gradients are torch autograd's (tests/test_base.py checks the "
    "penalty gradients against autograd of the penalized loss)",
    "test_fit": "assigns coefs_/intercepts_ lists and steps scikit-learn's "
    "private optimizer; our coefs_ are read-only views of the torch weights",
    "test_adaptive_learning_rate": _PRIVATE.format("_optimizer object"),
    "test_learning_rate_warmstart": _PRIVATE.format("_optimizer object"),
    "test_n_iter_no_change": _PRIVATE.format("_no_improvement_count"),
    "test_n_iter_no_change_inf": _PRIVATE.format("_no_improvement_count")
    + "n_iter_no_change=np.inf is accepted (tests/test_mlp.py)",
    "test_nonfinite_params": "computation is float32: X of 1e308 is refused "
    "at input validation (too large for float32), before any training",
    "test_verbose_sgd": "verbose=1 shows a progress bar with the loss, not "
    "per-iteration print lines",
    "test_mlp_diverging_loss": "a non-finite training loss raises a "
    "ValueError naming the cause and leaves the model as it was, where "
    "scikit-learn goes on with non-finite weights",
    "test_early_stopping_stratified": "the same error, but its message names "
    "the class as encoded (1.0) where scikit-learn's names it True",
    "test_lbfgs_regression": "under L-BFGS the plateau rule also ends a fit "
    "whose loss improves by less than tol times a constant prediction's loss "
    "for n_iter_no_change iterations (scikit-learn: the gradient tolerance "
    "only), so tol=1e-3 stops this fit on noisy data (noise=100) before it "
    "interpolates it: training R^2 0.82 where the test asks 0.98",
    "test_mlp_param_dtypes": "computation is float32 whatever the input "
    "dtype (coefs_ are float32), and predictions come back as float64",
    "test_warm_start_full_iteration": _WARM_START,
    "test_mlp_warm_start_no_convergence": _WARM_START,
    "test_multilabel_classification": "the multilabel loss is the mean of "
    "the per-label log-losses (scikit-learn sums them), so at the same "
    "learning_rate_init an SGD step is 1/n_labels as long: 100 one-step "
    "partial_fit calls reach 0.84 where the test asks 0.9",
    "test_predict_proba_multilabel": "predict_log_proba is computed from the "
    "logits (log_expit), exact where predict_proba rounds to 1.0 (logits above "
    "about 37); scikit-learn's is log(predict_proba), so its argmax ties "
    "exactly where predict_proba's does. This fit has such logits in one row: "
    "the two argmaxes differ there, and log(predict_proba) would be 0 where "
    "ours is -1e-17",
    "test_preserve_feature_names": {
        "MLPClassifier": "a classifier refuses a target with a single class, "
        "with an error that names it",
    },
}
MLP_XFAILS = {}
KERNEL_RIDGE_SKIPS = {}
KERNEL_RIDGE_XFAILS = {}


def _rebind(module_name, names, skips, xfails):
    """The test functions of ``module_name``, with ``names`` rebound to ours.

    ``skips[test]`` is a reason, or {estimator name: reason} for one value of
    a parametrization over the estimators; ``xfails[test]`` a known gap (a
    strict xfail: the day it passes, the test says so).
    """
    mod = importlib.import_module(module_name)
    originals = {name: getattr(mod, name) for name in names}
    for name in names:
        setattr(mod, name, globals()[name])
    swap = {id(v): globals()[k] for k, v in originals.items()}
    tests = {}
    for attr in dir(mod):
        func = getattr(mod, attr)
        if not attr.startswith("test_") or not callable(func):
            continue
        new = types.FunctionType(
            func.__code__, func.__globals__, attr, func.__defaults__, func.__closure__
        )
        new.__dict__.update(func.__dict__)
        marks = []
        for mark in getattr(func, "pytestmark", []):
            if mark.name == "parametrize":
                # values bound at import (parametrize over the estimator
                # classes) are scikit-learn's: swap them for ours
                argnames, values = mark.args[0], mark.args[1]
                values = [swap.get(id(v), v) for v in values]
                per_value = skips.get(attr)
                if isinstance(per_value, dict):
                    values = [
                        pytest.param(v, marks=pytest.mark.skip(reason=per_value[n]))
                        if (n := getattr(v, "__name__", None)) in per_value
                        else v
                        for v in values
                    ]
                mark = pytest.mark.parametrize(argnames, values, **mark.kwargs).mark
            marks.append(mark)
        if isinstance(skips.get(attr), str):
            marks.append(pytest.mark.skip(reason=skips[attr]).mark)
        if attr in xfails:
            marks.append(pytest.mark.xfail(reason=xfails[attr], strict=True).mark)
        new.pytestmark = marks
        tests[attr] = new
    return tests


@pytest.fixture
def global_random_seed():
    """scikit-learn's fixture (its conftest is not loaded here): one seed."""
    return 42


for _name, _test in _rebind(
    "sklearn.neural_network.tests.test_mlp",
    ["MLPClassifier", "MLPRegressor"],
    MLP_SKIPS,
    MLP_XFAILS,
).items():
    globals()[f"{_name}__mlp"] = _test

for _name, _test in _rebind(
    "sklearn.tests.test_kernel_ridge",
    ["KernelRidge"],
    KERNEL_RIDGE_SKIPS,
    KERNEL_RIDGE_XFAILS,
).items():
    globals()[f"{_name}__kernel_ridge"] = _test
