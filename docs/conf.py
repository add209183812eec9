"""Sphinx configuration for sklearn_mathdl."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import sklearn_mathdl

project = "sklearn_mathdl"
author = "The sklearn_mathdl developers"
copyright = "2026, The sklearn_mathdl developers"
version = release = sklearn_mathdl.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # ships MathJax into _static: the built site renders maths with no network
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
# intersphinx is left out on purpose: builds run without network access, and a
# failed inventory download is a warning, which -W turns into an error.

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()

html_theme = "pydata_sphinx_theme"
html_title = "sklearn_mathdl"
html_theme_options = {"navigation_with_keys": False}
html_static_path = ["_static"]
html_css_files = ["custom.css"]

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("sklearn_mathdl",),
    "filename_pattern": r"/plot_",
    "run_stale_examples": False,
    "abort_on_example_error": True,
}

_SKLEARN_ROUTING = (
    "get_metadata_routing",
    "set_fit_request",
    "set_partial_fit_request",
    "set_score_request",
    "set_predict_request",
)


def _skip_sklearn_routing(app, what, name, obj, skip, options):
    # scikit-learn's metadata-routing helpers are generic and their docstrings
    # point into scikit-learn's own docs.
    if name in _SKLEARN_ROUTING:
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_routing)
