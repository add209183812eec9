"""Docstrings: numpydoc validation and identical text for shared parameters."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")
from numpydoc.docscrape import ClassDoc  # noqa: E402

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
    yield "sklearn_mathdl.utils.discovery.all_estimators"


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


def test_shared_parameters_have_identical_text():
    docs = {
        name: {p.name: (p.type, "\n".join(p.desc)) for p in ClassDoc(cls)["Parameters"]}
        for name, cls in all_estimators()
    }
    shared = [
        "optimizer",
        "learning_rate_init",
        "learning_rate",
        "power_t",
        "momentum",
        "nesterovs_momentum",
        "optimizer_params",
        "alpha",
        "l1_alpha",
        "dropout",
        "batch_norm",
        "batch_size",
        "max_iter",
        "shuffle",
        "tol",
        "n_iter_no_change",
        "early_stopping",
        "validation_fraction",
        "warm_start",
        "random_state",
        "device",
        "verbose",
    ]
    for param in shared:
        texts = {name: d[param] for name, d in docs.items() if param in d}
        assert len(set(texts.values())) == 1, f"{param} differs: {sorted(texts)}"


def test_check_device_documented():
    assert "Examples" in check_device.__doc__
