"""The "?" link of scikit-learn's HTML diagram points at our API pages."""

import re
from pathlib import Path

import pytest

from sklearn_mathdl import MLPClassifier
from sklearn_mathdl.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn_mathdl.utils import _doc_link
from sklearn_mathdl.utils.discovery import all_estimators

API_RST = Path(__file__).resolve().parents[1] / "docs" / "api.rst"


def _documented_pages():
    """The page names autosummary generates from docs/api.rst."""
    pages, module = set(), None
    for line in API_RST.read_text().splitlines():
        m = re.match(r"\.\. currentmodule:: (\S+)", line)
        if m:
            module = m.group(1)
        elif re.match(r"   [A-Za-z_]\w*$", line):
            pages.add(f"{module}.{line.strip()}.html")
    return pages


def _instances():
    for _, cls in all_estimators():
        try:
            yield cls()
        except TypeError:  # meta-estimators need the estimator they wrap
            yield cls(MLPClassifier())
    yield GridSearchCV(MLPClassifier(), {"alpha": [1e-4]})
    yield RandomizedSearchCV(MLPClassifier(), {"alpha": [1e-4]})


@pytest.fixture
def published(monkeypatch):
    monkeypatch.setenv(_doc_link.DOCS_URL_ENV, "https://docs.example.org/mathdl/")
    return "https://docs.example.org/mathdl"


def test_every_estimator_links_to_its_documented_page(published):
    pages = _documented_pages()
    for est in _instances():
        link = est._get_doc_link()
        assert link.startswith(published + "/api/generated/"), link
        page = link.rsplit("/", 1)[1]
        assert page in pages, f"{type(est).__name__} links to {page}, not in api.rst"


def test_html_repr_carries_the_link(published):
    html = MLPClassifier()._repr_html_()
    assert published + "/api/generated/sklearn_mathdl.MLPClassifier.html" in html


def test_local_build_is_linked_and_no_link_without_docs(monkeypatch, tmp_path):
    monkeypatch.delenv(_doc_link.DOCS_URL_ENV, raising=False)
    monkeypatch.setattr(_doc_link, "_LOCAL_BUILD", tmp_path)
    # no built documentation and no published root: no link at all
    assert MLPClassifier()._get_doc_link() == ""
    assert "api/generated" not in MLPClassifier()._repr_html_()
    (tmp_path / "api.html").write_text("<html></html>")
    link = MLPClassifier()._get_doc_link()
    assert (
        link == tmp_path.as_uri() + "/api/generated/sklearn_mathdl.MLPClassifier.html"
    )


def test_scikit_learn_estimators_keep_their_own_links(published):
    from sklearn.linear_model import Ridge

    assert "scikit-learn.org" in Ridge()._get_doc_link()
