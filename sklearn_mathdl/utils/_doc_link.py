"""Where the "?" of an estimator's HTML diagram points: this project's API pages."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from pathlib import Path

#: Environment variable naming the root of a published copy of the documentation
#: (for example ``https://docs.example.org/sklearn_mathdl``); the API page of an
#: estimator is ``<root>/api/generated/<module>.<Name>.html``.
DOCS_URL_ENV = "SKLEARN_MATHDL_DOCS_URL"

# where ``python -m sphinx -b html docs docs/_build`` (the README's and CI's
# command) writes the pages in a source checkout
_LOCAL_BUILD = Path(__file__).resolve().parents[2] / "docs" / "_build"


def docs_root():
    """The documentation root the HTML diagrams link to, or ``None``.

    ``$SKLEARN_MATHDL_DOCS_URL`` when it is set; otherwise the documentation
    built in this source checkout (a ``file://`` URL) when it exists; otherwise
    ``None`` and the diagrams show no link (the project publishes no hosted
    copy, and a link to a page that does not exist would be worse than none).
    """
    root = os.environ.get(DOCS_URL_ENV, "").strip()
    if root:
        return root.rstrip("/")
    if (_LOCAL_BUILD / "api.html").is_file():
        return _LOCAL_BUILD.as_uri()
    return None


class _DocLinkMixin:
    """Points scikit-learn's HTML repr at this project's API pages.

    Put it before :class:`~sklearn.base.BaseEstimator` in the bases. scikit-learn
    formats the template with the public module (the dotted path up to the
    first private part, so ``sklearn_mathdl`` for ``sklearn_mathdl._mlp``) and
    the class name, which is how ``docs/api.rst`` names the generated pages.
    """

    _doc_link_module = "sklearn_mathdl"

    @property
    def _doc_link_template(self):
        root = docs_root()
        if root is None:
            return ""
        return root + "/api/generated/{estimator_module}.{estimator_name}.html"
