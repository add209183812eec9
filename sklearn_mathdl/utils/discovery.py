"""Discovery of the public estimators of sklearn_mathdl."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import inspect
import pkgutil
from operator import itemgetter

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
)

# packages of the optional extras: a module that needs one is skipped when it
# is missing
_OPTIONAL = {"gymnasium", "torchsde", "mpi4py", "dask", "distributed"}

_TYPE_FILTERS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
}


def _classes(module):
    """The classes a module holds. A lazy attribute whose optional extra is
    missing (``sklearn_mathdl.rl.GridWorld`` without Gymnasium) raises
    ImportError on access: it is skipped, as its module is."""
    for name in dir(module):
        try:
            value = getattr(module, name)
        except ImportError:
            continue
        if inspect.isclass(value):
            yield name, value


def all_estimators(type_filter=None):
    """List the public estimators of sklearn_mathdl.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer"}, list of those \
            or None, default=None
        Keep only estimators of these kinds. ``None`` keeps all.

    Returns
    -------
    estimators : list of (name, class) tuples
        Sorted by name. Private classes (names starting with ``_``) are never
        listed, nor the searches of :mod:`sklearn_mathdl.model_selection`,
        which wrap an estimator they need to be given, nor the online agents
        of :mod:`sklearn_mathdl.rl`, which learn from an environment rather
        than from data (``fit(env)``).

    Examples
    --------
    >>> from sklearn_mathdl.utils.discovery import all_estimators
    >>> "MLPRegressor" in dict(all_estimators("regressor"))
    True
    """
    import sklearn_mathdl

    found = {}
    for info in pkgutil.walk_packages(
        sklearn_mathdl.__path__, prefix="sklearn_mathdl."
    ):
        if ".tests" in info.name or info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ModuleNotFoundError as exc:
            if exc.name in _OPTIONAL:  # an extra that is not installed
                continue
            raise
        for name, cls in _classes(module):
            if name.startswith("_") or not cls.__module__.startswith("sklearn_mathdl"):
                continue
            if cls.__module__ == "sklearn_mathdl.model_selection":
                continue
            if getattr(cls, "_learns_from_environment", False):
                continue
            if issubclass(cls, BaseEstimator) and not inspect.isabstract(cls):
                found[name] = cls
    estimators = sorted(found.items(), key=itemgetter(0))
    if type_filter is None:
        return estimators
    filters = [type_filter] if isinstance(type_filter, str) else list(type_filter)
    unknown = set(filters) - set(_TYPE_FILTERS)
    if unknown:
        raise ValueError(
            f"type_filter must be among {sorted(_TYPE_FILTERS)} or None, "
            f"got {sorted(unknown)}."
        )
    return [
        (name, cls)
        for name, cls in estimators
        if any(issubclass(cls, _TYPE_FILTERS[f]) for f in filters)
    ]
