"""Greedy evaluation episodes and the interval of their mean return, shared
by the online and the offline agents."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np

from sklearn_mathdl.utils._seeding import draw_seed


@dataclass
class EvaluationResult:
    """Returns of greedy evaluation episodes, with a confidence interval.

    Attributes
    ----------
    mean, std : float
        Mean and standard deviation (ddof=1) of the episode returns.
    ci_low, ci_high : float
        Student-t confidence interval of the mean return at ``confidence``.
    confidence : float
        Level of the interval.
    returns : ndarray of shape (n_episodes,)
        Return of each episode.
    lengths : ndarray of shape (n_episodes,)
        Steps of each episode.
    """

    mean: float
    std: float
    ci_low: float
    ci_high: float
    confidence: float
    returns: np.ndarray = field(repr=False)
    lengths: np.ndarray = field(repr=False)


def _t_interval(values, confidence):
    from scipy import stats

    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2:
        return mean, 0.0, mean, mean
    std = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, values.size - 1)) * std
    half /= math.sqrt(values.size)
    return mean, std, mean - half, mean + half


def run_greedy_episodes(act, env, n_episodes, *, confidence, random_state):
    """Play ``n_episodes`` with ``act(observation) -> action`` on ``env`` (reset
    with ``random_state`` once, at the first episode). Each episode ends at
    termination or truncation."""
    if not isinstance(n_episodes, Integral) or n_episodes < 1:
        raise ValueError(f"n_episodes must be a positive int; got {n_episodes!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1); got {confidence!r}.")
    returns, lengths = [], []
    seed = None if random_state is None else draw_seed(random_state)
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed if episode == 0 else None)
        total, length, done = 0.0, 0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(act(obs))
            total += float(reward)
            length += 1
            done = terminated or truncated
        returns.append(total)
        lengths.append(length)
    mean, std, low, high = _t_interval(returns, confidence)
    return EvaluationResult(
        mean, std, low, high, confidence, np.asarray(returns), np.asarray(lengths)
    )
