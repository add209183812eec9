"""Docstrings: numpydoc validation and identical text for shared parameters."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")
from numpydoc.docscrape import ClassDoc  # noqa: E402

import sklearn_mathdl.distributed  # noqa: E402
from sklearn_mathdl.utils import check_device  # noqa: E402
from sklearn_mathdl.utils.discovery import all_estimators  # noqa: E402

# GL08: private/inherited helpers without docstrings; SA01/EX01: See Also and
# Examples are required on classes (checked below), not on every method; ES01:
# extended summaries are optional; RT02: sklearn's "self : object" style.
IGNORED = {"GL08", "SA01", "EX01", "ES01", "RT02", "PR02"}
PUBLIC_METHODS = (
    "fit",
    "partial_fit",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "transform",
)


def _public_path(name, cls):
    """Where users import the class from: the package, or its public
    submodule (``sklearn_mathdl.rl.FittedQIteration``)."""
    import sklearn_mathdl

    if name in sklearn_mathdl.__all__:
        return f"sklearn_mathdl.{name}"
    return ".".join(cls.__module__.split(".")[:2]) + f".{name}"


def _targets():
    for name, cls in all_estimators():
        path = _public_path(name, cls)
        yield path
        for meth in PUBLIC_METHODS:
            if hasattr(cls, meth):
                yield f"{path}.{meth}"
    yield "sklearn_mathdl.utils.check_device"
    yield "sklearn_mathdl.inspection.feature_importance"
    yield "sklearn_mathdl.inspection.plot_feature_importance"
    yield "sklearn_mathdl.inspection.to_shap_explanation"
    yield "sklearn_mathdl.timeseries.make_windows"
    yield "sklearn_mathdl.utils.discovery.all_estimators"
    for name in sklearn_mathdl.distributed.__all__:
        yield f"sklearn_mathdl.distributed.{name}"
    rl = "sklearn_mathdl.rl"
    yield f"{rl}.DeepQLearning"
    for meth in ("fit", "predict", "predict_q", "evaluate", "score"):
        yield f"{rl}.DeepQLearning.{meth}"
    for meth in ("predict_q", "evaluate", "score"):
        yield f"{rl}.FittedQIteration.{meth}"
    for name in (
        "GridWorld",
        "ExitTimeVehicle",
        "value_iteration",
        "collect_transitions",
        "transition_columns",
    ):
        yield f"{rl}.{name}"


@pytest.mark.parametrize("target", list(_targets()))
def test_numpydoc_valid(target):
    result = numpydoc_validate.validate(target)
    errors = [(code, msg) for code, msg in result["errors"] if code not in IGNORED]
    assert not errors, f"{target}: {errors}"


@pytest.mark.parametrize("name, cls", all_estimators())
def test_class_docstring_sections(name, cls):
    doc = ClassDoc(cls)
    documented = {p.name for p in doc["Parameters"]}
    params = set(inspect.signature(cls).parameters)
    assert documented == params, f"{name}: {documented ^ params}"
    assert doc["Examples"], f"{name} has no Examples"
    assert doc["See Also"], f"{name} has no See Also"
    assert "User Guide" in "".join(doc["Summary"] + doc["Extended Summary"])


@pytest.mark.parametrize("name, cls", all_estimators())
def test_class_docstring_is_written_in_the_source(name, cls):
    """IDEs and other static tools read a class's docstring from its source.

    A docstring assembled at import (``__doc__ = ...``) would show them nothing;
    the house style writes shared text out and tests it for consistency below.
    """
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))
    node = next(
        n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == name
    )
    literal = ast.get_docstring(node, clean=False)
    assert literal is not None, f"{name} has no docstring literal"
    assert inspect.cleandoc(literal) == inspect.cleandoc(cls.__doc__)


def _families():
    from sklearn_mathdl._base import _BaseTorchEstimator
    from sklearn_mathdl._kernel_ridge import _BaseKernelRidge
    from sklearn_mathdl._perceptron import _PerceptronMixin

    bases = {
        "torch": _BaseTorchEstimator,
        "kernel": _BaseKernelRidge,
        "perceptron": _PerceptronMixin,
    }
    return {
        fam: [(n, c) for n, c in all_estimators() if issubclass(c, base)]
        for fam, base in bases.items()
    }


@pytest.mark.parametrize("family", ["torch", "kernel"])
def test_shared_parameters_have_identical_text(family):
    """Within a family, a parameter that several estimators share reads the same."""
    members = _families()[family]
    assert len(members) >= 2
    docs = {
        name: {p.name: (p.type, "\n".join(p.desc)) for p in ClassDoc(cls)["Parameters"]}
        for name, cls in members
    }
    common = set.intersection(*(set(d) for d in docs.values()))
    assert len(common) >= 10
    # on purpose: hidden_layer_sizes says what () means per task or family;
    # neural ODEs default to tanh (smooth vector fields need fewer solver steps)
    # dropout and batch_norm act where the architecture puts them (hidden units,
    # convolution blocks, between recurrent layers, attention blocks) and the
    # docs say where; input_shape says what 2-D X means (a sequence, table
    # tokens, or flat images for the VAE); alpha's default is chosen per
    # architecture on the development suite (bench_defaults.py), and so is
    # the "auto" batch size (small for convolutions and attention) and the
    # kernel of KernelRidgeClassifier (KernelRidge keeps scikit-learn's);
    # KernelRidgeCV's gamma also takes a grid, and its solver/n_centers have
    # no FALKON; the MLPs' optimizer also takes "lbfgs" and "auto"; init
    # keeps each family's previous law as its default (Glorot for the MLPs,
    # PyTorch's for the convolutions); the path model NeuralSDE has no
    # "scalar" diffusion (one Brownian motion for all channels makes the
    # likelihood of an increment singular); MLPClassifier's default schedule
    # is "plateau" (chosen on the development suite with its alpha="auto");
    # the "auto" patience counts steps of the family's "auto" batch size;
    # pooling pools what each architecture has (recurrent outputs, tokens);
    # transformers take a smaller default step (learning_rate_init 3e-4) and
    # hold out a validation split on larger data (early_stopping="auto")
    intentionally_different = {
        "learning_rate_init",
        "early_stopping",
        "n_iter_no_change",
        "pooling",
        "learning_rate",
        "diffusion",
        "init",
        "optimizer",
        "alpha",
        "gamma",
        "solver",
        "n_centers",
        "batch_size",
        "kernel",
        "hidden_layer_sizes",
        "activation",
        "dropout",
        "batch_norm",
        "input_shape",
    }
    shared = {
        p
        for p in set().union(*docs.values())
        if sum(p in d for d in docs.values()) >= 2
    }
    # the GANs' budget has no stopping rule, their schedules no plateau, their
    # learning_rate_init and optimizer_params are the generator's (the second
    # player has its own), their seed also draws the game's noise, and their
    # loss is the generator's in the game (MLPRegressor's is a regression loss)
    gan_specific = {
        "loss",
        "max_iter",
        "learning_rate",
        "learning_rate_init",
        "optimizer_params",
        "random_state",
        "verbose",
        "n_components",
    }
    gans = {"GenerativeAdversarialNetwork", "WassersteinGAN"}
    for param in sorted(shared - intentionally_different):
        having = sorted(n for n, d in docs.items() if param in d)
        if param in gan_specific:
            having = [n for n in having if n not in gans]
        texts = {docs[n][param] for n in having}
        assert len(texts) == 1, f"{family}: {param} differs across {having}"
    # the classifier and the regressor of one architecture describe even these
    # the same way (the text is written out in each class, not generated),
    # except hidden_layer_sizes, whose () is logistic vs linear regression,
    # and the defaults of alpha, kernel, (the MLPs') optimizer and learning_rate,
    # and the MLPs' learning_rate_init (the classifier's 1e-2 goes with its
    # "plateau" schedule; the regressor's Adam lost accuracy at 1e-2)
    pair_specific = {"MLP": {"learning_rate_init"}}
    pairs = {}
    for name in docs:
        if not name.endswith(("Classifier", "Regressor")):
            continue  # NeuralSDE (a model of paths) is no task's pair
        stem = name.removesuffix("Classifier").removesuffix("Regressor")
        pairs.setdefault(stem, []).append(name)
    for stem, names in pairs.items():
        for param in sorted(
            intentionally_different
            - {"hidden_layer_sizes", "alpha", "kernel", "optimizer", "learning_rate"}
            - pair_specific.get(stem, set())
        ):
            texts = {docs[n][param] for n in names if param in docs[n]}
            assert len(texts) <= 1, f"{stem}: {param} differs across {names}"


META_ESTIMATORS = {
    "ConformalRegressor",
    # a regressor per Bellman iteration (any scikit-learn one)
    "FittedQIteration",
    "DeepEnsembleClassifier",
    "DeepEnsembleRegressor",
}


def test_every_estimator_belongs_to_a_family():
    grouped = {n for members in _families().values() for n, _ in members}
    assert grouped | META_ESTIMATORS == {n for n, _ in all_estimators()}


def test_check_device_documented():
    assert "Examples" in check_device.__doc__
