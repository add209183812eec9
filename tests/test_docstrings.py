"""Docstrings: numpydoc validation and identical text for shared parameters."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

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


def _targets():
    for name, cls in all_estimators():
        yield f"sklearn_mathdl.{name}"
        for meth in PUBLIC_METHODS:
            if hasattr(cls, meth):
                yield f"sklearn_mathdl.{name}.{meth}"
    yield "sklearn_mathdl.utils.check_device"
    yield "sklearn_mathdl.inspection.feature_importance"
    yield "sklearn_mathdl.inspection.plot_feature_importance"
    yield "sklearn_mathdl.inspection.to_shap_explanation"
    yield "sklearn_mathdl.timeseries.make_windows"
    yield "sklearn_mathdl.utils.discovery.all_estimators"
    for name in sklearn_mathdl.distributed.__all__:
        yield f"sklearn_mathdl.distributed.{name}"


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


def _families():
    from sklearn_mathdl._base import _BaseTorchEstimator
    from sklearn_mathdl._kernel_ridge import _BaseKernelRidge

    bases = {"torch": _BaseTorchEstimator, "kernel": _BaseKernelRidge}
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
    # dropout acts where the architecture puts it (hidden units, between
    # recurrent layers, attention blocks) and the docs say where
    intentionally_different = {"hidden_layer_sizes", "activation", "dropout"}
    for param in sorted(common - intentionally_different):
        texts = {d[param] for d in docs.values()}
        assert len(texts) == 1, f"{family}: {param} differs across {sorted(docs)}"


META_ESTIMATORS = {
    "ConformalRegressor",
    "DeepEnsembleClassifier",
    "DeepEnsembleRegressor",
}


def test_every_estimator_belongs_to_a_family():
    grouped = {n for members in _families().values() for n, _ in members}
    assert grouped | META_ESTIMATORS == {n for n, _ in all_estimators()}


def test_check_device_documented():
    assert "Examples" in check_device.__doc__


class _Source:
    """Source at module level: its docstring is indented less than Target's.

    Parameters
    ----------
    tol : float, default=1e-4
        Shared tolerance.
    """


def test_fill_parameters_inserts_shared_text_in_signature_order():
    from sklearn_mathdl.utils._docstrings import fill_parameters, param_blocks

    class Source:
        """Source.

        Parameters
        ----------
        tol : float, default=1e-4
            Shared tolerance.

        verbose : int, default=0
            Shared verbosity.

        Attributes
        ----------
        n_iter_ : int
            Epochs.
        """

    @fill_parameters(_Source, Source, attributes=("n_iter_", "coef_"))
    class Target:
        """Target.

        Parameters
        ----------
        width : int, default=3
            Own width.

        verbose : bool, default=False
            Own text wins over the source's.

        Attributes
        ----------
        coef_ : ndarray
            Weights.
        """

        def __init__(self, tol=1e-4, width=3, verbose=False):
            pass

    blocks = param_blocks(Target.__doc__)
    assert list(blocks) == ["tol", "width", "verbose"]
    assert "Shared tolerance." in blocks["tol"]
    assert "Own text wins" in blocks["verbose"]
    attributes = param_blocks(Target.__doc__, "Attributes")
    assert list(attributes) == ["n_iter_", "coef_"]
    assert "Epochs." in attributes["n_iter_"]
    assert "Weights." in attributes["coef_"]
    # the result is valid numpydoc with every parameter described once
    documented = [p.name for p in ClassDoc(Target)["Parameters"]]
    assert documented == ["tol", "width", "verbose"]


def test_fill_parameters_refuses_undocumented_and_unknown_parameters():
    from sklearn_mathdl.utils._docstrings import fill_parameters

    class Source:
        """Source.

        Parameters
        ----------
        tol : float
            Tolerance.
        """

    class Missing:
        """Missing.

        Parameters
        ----------
        tol : float
            Tolerance.
        """

        def __init__(self, tol=0.1, gamma=1.0):
            pass

    with pytest.raises(ValueError, match="parameter 'gamma' of Missing"):
        fill_parameters(Source)(Missing)

    class Stale:
        """Stale.

        Parameters
        ----------
        old : int
            Removed from __init__.
        """

        def __init__(self, tol=0.1):
            pass

    with pytest.raises(ValueError, match=r"describes \['old'\]"):
        fill_parameters(Source)(Stale)

    class NoCoef:
        """No coef_.

        Parameters
        ----------
        tol : float
            Tolerance.

        Attributes
        ----------
        n_iter_ : int
            Epochs.
        """

        def __init__(self, tol=0.1):
            pass

    with pytest.raises(ValueError, match="attribute 'coef_' of NoCoef"):
        fill_parameters(Source, attributes=("coef_",))(NoCoef)
