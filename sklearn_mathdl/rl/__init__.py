"""Reinforcement learning (the book's chapter 21): agents and environments.

:class:`DeepQLearning` learns a neural Q-function online from a Gymnasium
environment; :class:`GridWorld` and :class:`ExitTimeVehicle` are environments
of the chapter, and :func:`value_iteration` computes the optimal Q-function of
a known finite model. :class:`FittedQIteration` learns a Q-function offline,
from transitions logged by :func:`collect_transitions` or any other source.
The environments and the online agent need Gymnasium (the ``rl`` extra:
``pip install "sklearn_mathdl[rl]"``); they load on first use.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib

_LAZY = {
    "DeepQLearning": "_dqn",
    "EvaluationResult": "_evaluation",
    "ExitTimeVehicle": "_envs",
    "FittedQIteration": "_fqi",
    "collect_transitions": "_fqi",
    "transition_columns": "_fqi",
    "GridWorld": "_envs",
    "value_iteration": "_envs",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
    except ModuleNotFoundError as exc:
        if exc.name != "gymnasium":
            raise
        raise ImportError(
            f"sklearn_mathdl.rl.{name} needs Gymnasium: pip install gymnasium "
            "(or sklearn_mathdl's 'rl' extra)."
        ) from exc
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
