"""Observation encoding and environment helpers shared by the agents."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import dataclass

import numpy as np


def make_env(env):
    """An environment from ``env``: a Gymnasium id (``"CartPole-v1"``) is made
    with :func:`gymnasium.make`; anything else is used as it is."""
    if isinstance(env, str):
        try:
            import gymnasium
        except ImportError as exc:  # pragma: no cover - the rl extra installs it
            raise ImportError(
                "An environment id needs Gymnasium: pip install gymnasium (or "
                "sklearn_mathdl's 'rl' extra)."
            ) from exc
        return gymnasium.make(env)
    for attr in ("reset", "step", "action_space", "observation_space"):
        if not hasattr(env, attr):
            raise TypeError(
                "env must be a Gymnasium environment (reset, step, action_space, "
                f"observation_space) or its id; got {type(env).__name__}, which "
                f"has no {attr!r}."
            )
    return env


@dataclass(frozen=True)
class _Encoder:
    """Observations -> float32 rows: a Box is flattened, a Discrete one-hot."""

    n_features: int
    n_discrete: int = 0  # > 0: a Discrete space of that many states

    @classmethod
    def from_space(cls, space):
        n = getattr(space, "n", None)
        if n is not None and getattr(space, "shape", None) == ():
            return cls(n_features=int(n), n_discrete=int(n))
        shape = getattr(space, "shape", None)
        if not shape:
            raise ValueError(
                "The observation space must be a Box or a Discrete space; got "
                f"{space!r}."
            )
        return cls(n_features=int(np.prod(shape)))

    def one(self, observation):
        """One observation as a float32 vector."""
        if self.n_discrete:
            row = np.zeros(self.n_features, dtype=np.float32)
            row[int(observation)] = 1.0
            return row
        return np.asarray(observation, dtype=np.float32).reshape(-1)

    def many(self, observations):
        """A batch of observations as a float32 matrix, validated."""
        if self.n_discrete:
            states = np.asarray(observations).reshape(-1)
            if states.size and not np.issubdtype(states.dtype, np.integer):
                if not np.all(np.mod(states, 1) == 0):
                    raise ValueError(
                        "The observations of a Discrete space are integer state "
                        "indices."
                    )
                states = states.astype(np.int64)
            if states.size and (states.min() < 0 or states.max() >= self.n_discrete):
                raise ValueError(
                    f"State indices must be in [0, {self.n_discrete}); got values "
                    f"in [{states.min()}, {states.max()}]."
                )
            out = np.zeros((states.size, self.n_features), dtype=np.float32)
            out[np.arange(states.size), states] = 1.0
            return out
        X = np.asarray(observations, dtype=np.float32)
        if X.ndim == 1 and X.size == self.n_features:
            X = X.reshape(1, -1)
        X = X.reshape(X.shape[0], -1) if X.ndim > 1 else X
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(
                f"Expected observations of {self.n_features} features, one row "
                f"each; got an array of shape {np.shape(observations)}."
            )
        if not np.isfinite(X).all():
            raise ValueError("Observations contain NaN or infinity.")
        return X
