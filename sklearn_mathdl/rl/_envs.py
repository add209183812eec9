"""Gymnasium environments of the book's chapter 21, and value iteration."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import gymnasium
import numpy as np
from gymnasium import spaces

# grid moves: up, right, down, left (row, column offsets)
_MOVES = np.array([[-1, 0], [0, 1], [1, 0], [0, -1]])


def value_iteration(transitions, rewards, discount, *, tol=1e-10, max_iter=100_000):
    """The optimal Q-function of a finite Markov decision process.

    Iterates the Bellman optimality operator
    ``Q(s, a) = R(s, a) + discount * sum_s' P(s' | s, a) max_a' Q(s', a')``,
    a contraction of modulus ``discount`` in the sup norm, to its fixed point.

    Parameters
    ----------
    transitions : array-like of shape (n_states, n_actions, n_states)
        ``P(s' | s, a)``; the rows of a terminal state are zero (no future).

    rewards : array-like of shape (n_states, n_actions)
        Expected reward of taking ``a`` in ``s``.

    discount : float
        Discount factor in [0, 1).

    tol : float, default=1e-10
        Stop once an iteration moves Q by less than ``tol`` (sup norm).

    max_iter : int, default=100_000
        Most iterations.

    Returns
    -------
    q : ndarray of shape (n_states, n_actions)
        The optimal Q-function; ``q.argmax(axis=1)`` is an optimal policy.

    Examples
    --------
    >>> from sklearn_mathdl.rl import GridWorld, value_iteration
    >>> env = GridWorld()
    >>> P, R = env.model()
    >>> value_iteration(P, R, discount=0.9).shape
    (16, 4)
    """
    P = np.asarray(transitions, dtype=float)
    R = np.asarray(rewards, dtype=float)
    if P.ndim != 3 or P.shape[0] != P.shape[2] or P.shape[:2] != R.shape:
        raise ValueError(
            "transitions must have shape (n_states, n_actions, n_states) and "
            f"rewards (n_states, n_actions); got {P.shape} and {R.shape}."
        )
    if not 0 <= discount < 1:
        raise ValueError(f"discount must be in [0, 1); got {discount!r}.")
    q = np.zeros_like(R)
    for _ in range(int(max_iter)):
        new = R + discount * P @ q.max(axis=1)
        if np.max(np.abs(new - q)) < tol:
            return new
        q = new
    return q


class GridWorld(gymnasium.Env):
    """A grid world with a known optimal Q-function (for tests and teaching).

    The agent starts in the top-left cell and moves up, right, down or left
    (actions 0-3); a move into a wall leaves it in place. Each move costs
    ``step_reward``; reaching the goal (the bottom-right cell) ends the episode
    with ``goal_reward``. With probability ``slip`` the move goes in a
    uniformly random direction instead. Observations are cell indices
    ``row * n_cols + col`` (a Discrete space). :meth:`model` returns the
    transition probabilities and expected rewards, from which
    :func:`value_iteration` computes the optimal Q-function.

    Parameters
    ----------
    n_rows, n_cols : int, default=4
        Size of the grid.

    slip : float, default=0.0
        Probability that a move goes in a random direction.

    step_reward : float, default=-0.04
        Reward of each move that does not reach the goal.

    goal_reward : float, default=1.0
        Reward of the move that reaches the goal.

    max_episode_steps : int, default=100
        Episodes are truncated after this many steps.

    Examples
    --------
    >>> from sklearn_mathdl.rl import GridWorld
    >>> env = GridWorld()
    >>> obs, info = env.reset(seed=0)
    >>> obs
    0
    >>> env.step(1)[:3]
    (1, -0.04, False)
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        n_rows=4,
        n_cols=4,
        *,
        slip=0.0,
        step_reward=-0.04,
        goal_reward=1.0,
        max_episode_steps=100,
    ):
        if n_rows < 1 or n_cols < 1 or n_rows * n_cols < 2:
            raise ValueError("The grid needs at least two cells.")
        if not 0 <= slip <= 1:
            raise ValueError(f"slip must be in [0, 1]; got {slip!r}.")
        self.n_rows, self.n_cols = int(n_rows), int(n_cols)
        self.slip = float(slip)
        self.step_reward, self.goal_reward = float(step_reward), float(goal_reward)
        self.max_episode_steps = int(max_episode_steps)
        self.n_states = self.n_rows * self.n_cols
        self.goal = self.n_states - 1
        self.observation_space = spaces.Discrete(self.n_states)
        self.action_space = spaces.Discrete(4)
        self._state = 0
        self._steps = 0

    def _move(self, state, direction):
        row, col = divmod(state, self.n_cols)
        row = min(max(row + _MOVES[direction][0], 0), self.n_rows - 1)
        col = min(max(col + _MOVES[direction][1], 0), self.n_cols - 1)
        return int(row * self.n_cols + col)

    def model(self):
        """Return the model: transition probabilities and expected rewards.

        Returns
        -------
        P : ndarray of shape (n_states, 4, n_states)
            ``P[s, a, s']``; the goal is terminal, its rows are zero.
        R : ndarray of shape (n_states, 4)
            Expected reward of each move.
        """
        P = np.zeros((self.n_states, 4, self.n_states))
        R = np.zeros((self.n_states, 4))
        for s in range(self.n_states):
            if s == self.goal:
                continue
            for a in range(4):
                outcomes = [(1 - self.slip, a)] + [(self.slip / 4, d) for d in range(4)]
                for p, d in outcomes:
                    nxt = self._move(s, d)
                    P[s, a, nxt] += p
                    R[s, a] += p * (
                        self.goal_reward if nxt == self.goal else self.step_reward
                    )
        return P, R

    def reset(self, *, seed=None, options=None):
        """Start an episode.

        Parameters
        ----------
        seed : int or None, default=None
            Seeds the environment's random generator (Gymnasium's convention).
        options : dict or None, default=None
            Not used.

        Returns
        -------
        observation : int
            The first observation.
        info : dict
            Empty.
        """
        super().reset(seed=seed)
        self._state, self._steps = 0, 0
        return self._state, {}

    def step(self, action):
        """Take one step.

        Parameters
        ----------
        action : int
            The action.

        Returns
        -------
        observation : int
            The next observation.
        reward : float
            The step's reward.
        terminated : bool
            Whether the goal was reached.
        truncated : bool
            Whether ``max_episode_steps`` have passed without termination.
        info : dict
            Empty.
        """
        if not self.action_space.contains(action):
            raise ValueError(f"Invalid action {action!r}: expected 0, 1, 2 or 3.")
        direction = int(action)
        if self.slip > 0 and self.np_random.random() < self.slip:
            direction = int(self.np_random.integers(4))
        self._state = self._move(self._state, direction)
        self._steps += 1
        terminated = self._state == self.goal
        reward = self.goal_reward if terminated else self.step_reward
        truncated = not terminated and self._steps >= self.max_episode_steps
        return self._state, reward, terminated, truncated, {}


class ExitTimeVehicle(gymnasium.Env):
    """The exit-time control problem of the book's section 21.2.

    Steer a vehicle out of a region at the least discounted cost.

    A vehicle at ``x`` in the square ``D = (-1, 1)^2`` moves under the chosen
    control ``lambda`` (a unit velocity: up, right, down, left, or staying
    put) and a random disturbance,

    ``X_{n+1} = X_n + lambda_n * dt + sigma * sqrt(dt) * xi_n``,
    ``xi_n ~ N(0, I_2)``,

    until the exit time ``tau``, the number of steps after which it has left
    ``D`` (the exit cost is paid with the last step's reward). The
    cost of a control policy from ``x`` is

    ``J(x; lambda) = E[ sum_{n < tau} beta^n c dt + beta^(tau - 1) g(X_tau) ]``

    with running cost ``c`` per unit time (``running_cost``), discount ``beta``
    (the agent's ``discount``) and an exit cost ``g`` that is 0 through the
    target (the right edge, ``x_1 >= 1``, between heights ``-target_half_width``
    and ``target_half_width``) and ``wall_cost`` anywhere else. The reward of a
    step is minus its cost, so maximizing the return minimizes ``J``.
    Observations are the position (a Box in [-1, 1]^2). Episodes are
    truncated after ``max_episode_steps``.

    Parameters
    ----------
    dt : float, default=0.05
        Time step.

    sigma : float, default=0.3
        Size of the disturbance.

    running_cost : float, default=1.0
        Cost per unit time while inside ``D``.

    wall_cost : float, default=5.0
        Exit cost outside the target.

    target_half_width : float, default=0.3
        Half the height of the target on the right edge.

    max_episode_steps : int, default=400
        Episodes are truncated after this many steps.

    Examples
    --------
    >>> from sklearn_mathdl.rl import ExitTimeVehicle
    >>> env = ExitTimeVehicle()
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape
    (2,)
    """

    metadata = {"render_modes": []}
    _CONTROLS = np.array([[0, 1], [1, 0], [0, -1], [-1, 0], [0, 0]], dtype=float)

    def __init__(
        self,
        *,
        dt=0.05,
        sigma=0.3,
        running_cost=1.0,
        wall_cost=5.0,
        target_half_width=0.3,
        max_episode_steps=400,
    ):
        if dt <= 0 or sigma < 0:
            raise ValueError("dt must be positive and sigma non-negative.")
        self.dt, self.sigma = float(dt), float(sigma)
        self.running_cost, self.wall_cost = float(running_cost), float(wall_cost)
        self.target_half_width = float(target_half_width)
        self.max_episode_steps = int(max_episode_steps)
        self.observation_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self.action_space = spaces.Discrete(len(self._CONTROLS))
        self._x = np.zeros(2)
        self._steps = 0

    def exit_cost(self, x):
        """Return the exit cost g(x): 0 through the target, else the wall's.

        Parameters
        ----------
        x : array-like of shape (2,)
            A point on the boundary of the square.

        Returns
        -------
        cost : float
            The exit cost.
        """
        x = np.asarray(x, dtype=float)
        through_target = x[0] >= 1.0 and abs(x[1]) <= self.target_half_width
        return 0.0 if through_target else self.wall_cost

    def reset(self, *, seed=None, options=None):
        """Start an episode.

        Parameters
        ----------
        seed : int or None, default=None
            Seeds the environment's random generator (Gymnasium's convention).
        options : dict or None, default=None
            ``{"x": (x1, x2)}`` starts there; otherwise the start is
            uniform in the left half of the square.

        Returns
        -------
        observation : ndarray of shape (2,)
            The first observation.
        info : dict
            Empty.
        """
        super().reset(seed=seed)
        if options and "x" in options:
            self._x = np.asarray(options["x"], dtype=float).reshape(2).copy()
        else:
            self._x = self.np_random.uniform([-0.9, -0.9], [0.0, 0.9])
        self._steps = 0
        return self._x.astype(np.float32), {}

    def step(self, action):
        """Take one step.

        Parameters
        ----------
        action : int
            The action.

        Returns
        -------
        observation : ndarray of shape (2,)
            The next observation.
        reward : float
            The step's reward.
        terminated : bool
            Whether the vehicle has left the square.
        truncated : bool
            Whether ``max_episode_steps`` have passed without termination.
        info : dict
            Empty.
        """
        if not self.action_space.contains(action):
            raise ValueError(f"Invalid action {action!r}: expected 0 to 4.")
        noise = self.np_random.standard_normal(2)
        self._x = self._x + self._CONTROLS[int(action)] * self.dt
        self._x = self._x + self.sigma * np.sqrt(self.dt) * noise
        self._steps += 1
        cost = self.running_cost * self.dt
        terminated = bool(np.any(np.abs(self._x) >= 1.0))
        if terminated:
            cost += self.exit_cost(np.clip(self._x, -1.0, 1.0))
        truncated = not terminated and self._steps >= self.max_episode_steps
        obs = np.clip(self._x, -1.0, 1.0).astype(np.float32)
        return obs, -cost, terminated, truncated, {}
