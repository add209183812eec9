"""Fitted Q iteration (the book's chapter 21, offline): Q-learning from logged
transitions as a sequence of regressions."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from sklearn_mathdl.rl._evaluation import run_greedy_episodes
from sklearn_mathdl.utils._compat import HasMethods, Interval, _fit_context
from sklearn_mathdl.utils._doc_link import _DocLinkMixin
from sklearn_mathdl.utils._seeding import draw_seed

# rows per block when the Q-values of all actions are evaluated: a block
# holds block x n_actions regressor rows
_Q_BLOCK = 4096

# the columns of a table of transitions, in order (the state and the next
# state have n_state_features columns each)
LAYOUT = ("state", "action", "reward", "next_state", "done")


def transition_columns(n_state_features):
    """Column names of a table of transitions with states of that length.

    ``state_0 ... state_{d-1}, action, reward, next_state_0 ...
    next_state_{d-1}, done``: the layout :class:`FittedQIteration` reads
    (:func:`collect_transitions` writes it).

    Parameters
    ----------
    n_state_features : int
        Length d of a state.

    Returns
    -------
    columns : list of str
        The 2 d + 3 column names.

    Examples
    --------
    >>> from sklearn_mathdl.rl import transition_columns
    >>> transition_columns(2)
    ['state_0', 'state_1', 'action', 'reward', 'next_state_0', 'next_state_1', 'done']
    """
    if not isinstance(n_state_features, Integral) or n_state_features < 0:
        raise ValueError(
            f"n_state_features must be a non-negative int; got {n_state_features!r}."
        )
    d = int(n_state_features)
    return (
        [f"state_{i}" for i in range(d)]
        + ["action", "reward"]
        + [f"next_state_{i}" for i in range(d)]
        + ["done"]
    )


def _structured_to_table(X):
    """A structured array with fields state, action, reward, next_state, done
    (a state field may hold a vector) as a 2-D float table."""
    missing = [f for f in LAYOUT if f not in X.dtype.names]
    if missing:
        raise ValueError(
            f"A structured array of transitions needs the fields {list(LAYOUT)}; "
            f"{missing} missing (it has {list(X.dtype.names)})."
        )
    columns = [np.asarray(X[f], dtype=float).reshape(len(X), -1) for f in LAYOUT]
    if columns[0].shape[1] != columns[3].shape[1]:
        raise ValueError(
            f"state has {columns[0].shape[1]} values per row but next_state has "
            f"{columns[3].shape[1]}."
        )
    return np.hstack(columns)


def _check_named_layout(X):
    """A DataFrame that names its action, reward or done columns must have
    them where the layout puts them (a reordered frame would otherwise be read
    silently wrong)."""
    names = [str(c) for c in X.columns]
    n = len(names)
    if n < 3 or (n - 3) % 2:
        return
    d = (n - 3) // 2
    expected = {"action": d, "reward": d + 1, "done": n - 1}
    for name, position in expected.items():
        if name in names and names.index(name) != position:
            raise ValueError(
                f"Column {name!r} is at position {names.index(name)}; the layout "
                f"[state (d columns), action, reward, next_state (d columns), "
                f"done] with d = {d} puts it at {position}. Reorder the columns, "
                "e.g. X[transition_columns(d)]."
            )


def _done_flags(column):
    """The done column as booleans: non-zero is terminated. A column with
    values other than 0 and 1 is most likely a layout mistake (a column out of
    place, or a table that went through a scaler), so it is read but warned
    about."""
    odd = (column != 0) & (column != 1)
    if odd.any():
        shown = np.unique(column[odd])[:3].tolist()
        warnings.warn(
            f"The done column (the last one) holds values other than 0 and 1, "
            f"e.g. {shown}; every non-zero value is read as a termination. Is a "
            "column out of place, or the table scaled? The layout is [state (d), "
            "action, reward, next_state (d), done]; scale the states inside the "
            "regressor (make_pipeline(StandardScaler(), MLPRegressor())), not "
            "the table.",
            UserWarning,
            stacklevel=4,
        )
    return column != 0


class FittedQIteration(_DocLinkMixin, BaseEstimator):
    """Fitted Q iteration: a Q-function learnt offline from logged transitions.

    Each iteration ``k`` regresses the Bellman targets of the previous
    Q-function on the logged state-action pairs,

    ``Q_k = argmin_Q sum_i (Q(s_i, a_i) - r_i - discount * (1 - done_i) *
    max_a Q_{k-1}(s'_i, a))^2``,

    starting from ``Q_0 = 0`` (Ernst, Geurts and Wehenkel 2005). With the
    default regressor, one of this package's neural networks trained full
    batch, it is neural fitted Q iteration (Riedmiller 2005); any scikit-learn
    regressor works (Ernst et al. used extremely randomized trees). Where
    :class:`DeepQLearning` interacts with an environment, this learns from a
    fixed batch of experience, the setting of offline (batch) reinforcement
    learning, and fits scikit-learn's ``fit(X)`` contract.

    Read more in the :ref:`User Guide <reinforcement_learning>`.

    Parameters
    ----------
    regressor : regressor or None, default=None
        The regression model of Q(s, a). Its input is the state followed by
        the one-hot encoding of the action (``n_state_features + n_actions``
        columns), its target the Bellman target. ``None`` is
        ``sklearn_mathdl.MLPRegressor()`` with its defaults (full-batch
        L-BFGS on up to 20,000 rows). Scale the states if their ranges differ,
        e.g. ``make_pipeline(StandardScaler(), MLPRegressor())``.

    n_iterations : int, default=50
        Most Bellman iterations. The error of the Q-function after ``k``
        iterations contracts like ``discount ** k`` (plus the regression
        error), so the horizon it plans over is about ``k`` steps.

    discount : float, default=0.99
        Discount factor of the returns, in [0, 1).

    tol : float, default=1e-4
        Stop when the Bellman targets change by less than ``tol`` times their
        largest magnitude (sup norm over the logged transitions) from one
        iteration to the next.

    iteration_warm_start : bool, default=True
        Each iteration continues training the previous iteration's regressor
        (every ``warm_start`` parameter of the regressor, a pipeline's steps
        included, is set to True), so that later iterations need few
        optimizer steps. False fits a fresh clone each iteration; a regressor
        without ``warm_start`` is always cloned afresh.

    random_state : int, RandomState instance or None, default=None
        Seeds the regressor: every ``random_state`` parameter it has that is
        None is set from this seed, the same one in every iteration.

    verbose : int, default=0
        Print the change of the targets after each iteration when > 0.

    Attributes
    ----------
    regressor_ : regressor
        The fitted regressor of the last iteration: the Q-function, in units
        of ``q_scale_`` (``Q(s, a) = q_scale_ * regressor_.predict(...)``).

    q_scale_ : float
        ``max |r| / (1 - discount)``, the bound on ``|Q|``: the regressions
        fit the targets divided by it, so that their scale stays in [-1, 1]
        from the first iteration (rewards only) to the last (a warm-started
        network keeps the target scaling of its first fit).

    actions_ : ndarray of shape (n_actions,)
        The actions seen in the data (sorted). :meth:`predict` returns these.

    n_actions_ : int
        Number of actions.

    n_state_features_ : int
        Length d of a state.

    n_features_in_ : int
        Columns of a table of transitions: ``2 * n_state_features_ + 3``.

    feature_names_in_ : ndarray of shape (2 d + 3,)
        Column names of ``X`` when it is a DataFrame with string names.

    n_iter_ : int
        Bellman iterations run.

    target_change_curve_ : ndarray of shape (n_iter,)
        Relative sup-norm change of the Bellman targets at each iteration
        (``inf`` at the first).

    fit_time_ : float
        Seconds of the last fit.

    See Also
    --------
    DeepQLearning : Online deep Q-learning from an environment.
    collect_transitions : Log transitions from an environment in this layout.

    Notes
    -----
    **The layout of X.** One row per transition, ``2 d + 3`` columns for
    states of length d: the state ``s`` (d columns), the action ``a``, the
    reward ``r``, the next state ``s'`` (d columns) and ``done`` (1 where the
    episode terminated at ``s'``, so that ``s'`` has value 0; 0 where it
    continues; any other value counts as terminated, with a warning, as it
    suggests a column out of place or a scaled table). A time-limit cut is not
    a termination: log ``done=0`` there. Do not put a scaler in front of this
    estimator: scale the states inside the regressor. ``X`` may be a 2-D array, a
    DataFrame in this column order (:func:`transition_columns` names its
    columns; a frame whose ``action``, ``reward`` or ``done`` column is
    elsewhere is refused) or a structured array with fields ``state``,
    ``action``, ``reward``, ``next_state``, ``done``. The actions are labels,
    as a classifier's classes: any numbers; :meth:`predict` returns them.

    :meth:`predict` and :meth:`predict_q` take states (d columns) or
    transitions (``n_features_in_`` columns, whose states they read).

    References
    ----------
    .. [1] Ernst, Geurts and Wehenkel. "Tree-based batch mode reinforcement
       learning." Journal of Machine Learning Research 6 (2005).
    .. [2] Riedmiller. "Neural fitted Q iteration - first experiences with a
       data efficient neural reinforcement learning method." ECML (2005).

    Examples
    --------
    A chain of 4 states: action 1 moves right, action 0 left; reaching the
    right end pays 1 and ends the episode.

    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from sklearn_mathdl.rl import FittedQIteration
    >>> X = np.array([[s, a, float(s == 2 and a == 1), min(max(s + 2 * a - 1, 0), 3),
    ...                float(s == 2 and a == 1)] for s in range(3) for a in (0, 1)])
    >>> fqi = FittedQIteration(DecisionTreeRegressor(), discount=0.9).fit(X)
    >>> fqi.predict([[0], [1], [2]])
    array([1., 1., 1.])
    >>> fqi.predict_q([[0]]).round(2)
    array([[0.73, 0.81]])
    """

    _parameter_constraints: dict = {
        "regressor": [None, HasMethods(["fit", "predict"])],
        "n_iterations": [Interval(Integral, 1, None, closed="left")],
        "discount": [Interval(Real, 0, 1, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "iteration_warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        regressor=None,
        *,
        n_iterations=50,
        discount=0.99,
        tol=1e-4,
        iteration_warm_start=True,
        random_state=None,
        verbose=0,
    ):
        self.regressor = regressor
        self.n_iterations = n_iterations
        self.discount = discount
        self.tol = tol
        self.iteration_warm_start = iteration_warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------ data
    def _read_transitions(self, X, *, reset=True):
        """Validate a table of transitions: (states, actions, rewards, next
        states, done); ``reset`` sets n_features_in_ (fit), else checks it."""
        if isinstance(X, np.ndarray) and X.dtype.names:
            X = _structured_to_table(X)
        elif hasattr(X, "columns"):
            _check_named_layout(X)
        X = validate_data(self, X, dtype=np.float64, reset=reset)
        n = X.shape[1]
        if n < 3 or (n - 3) % 2:
            raise ValueError(
                f"X has {n} feature(s) (n_features = {n}); a table of transitions "
                "has 2 * d + 3 columns for states of length d: state (d), action, "
                "reward, next_state (d), done."
            )
        d = (n - 3) // 2
        next_states = X[:, d + 2 : 2 * d + 2]
        return X[:, :d], X[:, d], X[:, d + 1], next_states, _done_flags(X[:, -1])

    def _read_states(self, X):
        """States (n_state_features_ columns), or transitions whose states are
        read."""
        check_is_fitted(self, "regressor_")
        d = self.n_state_features_
        if np.ndim(X) != 2:  # scikit-learn's message (reshape your data)
            X = check_array(X, dtype=np.float64)
        n = np.shape(X)[1]
        if n == self.n_features_in_:
            X = validate_data(self, X, dtype=np.float64, reset=False)
            return X[:, :d]
        if n == d and d > 0:
            names = getattr(self, "feature_names_in_", None)
            if names is not None and hasattr(X, "columns"):
                given = [str(c) for c in X.columns]
                if given != list(names[:d]):
                    raise ValueError(
                        f"The state columns are {given}; the state columns seen "
                        f"in fit are {list(names[:d])}."
                    )
            return check_array(X, dtype=np.float64)
        raise ValueError(
            f"X has {n} features, but {type(self).__name__} is expecting "
            f"{self.n_features_in_} features as input (transitions) or "
            f"{d} (states)."
        )

    # ------------------------------------------------------------ regression
    def _inputs(self, states, action_index):
        """Regressor rows: the state, then the one-hot action."""
        onehot = np.zeros((len(states), self.n_actions_))
        onehot[np.arange(len(states)), action_index] = 1.0
        return np.hstack([states, onehot])

    def _bellman_targets(self, regressor, rewards, next_states, done):
        """``r + discount * (1 - done) * max_a Q(s', a)`` (Q = 0 for no
        regressor: the first iteration)."""
        if regressor is None:
            return rewards.copy()
        next_value = self._all_q(regressor, next_states).max(axis=1)
        return rewards + np.where(done, 0.0, self.discount) * next_value

    def _all_q(self, regressor, states):
        """Q(s, a) for every action, (n, n_actions), in blocks of rows."""
        n, k = len(states), self.n_actions_
        out = np.empty((n, k))
        for start in range(0, n, _Q_BLOCK):
            block = states[start : start + _Q_BLOCK]
            rows = np.repeat(block, k, axis=0)
            actions = np.tile(np.arange(k), len(block))
            q = np.asarray(regressor.predict(self._inputs(rows, actions)), float)
            out[start : start + len(block)] = q.reshape(len(block), k)
        return out * self.q_scale_

    def _make_regressor(self, seed):
        if self.regressor is None:
            from sklearn_mathdl import MLPRegressor

            regressor = MLPRegressor()
        else:
            regressor = clone(self.regressor)
        params = regressor.get_params()
        seeds = {
            key: seed
            for key, value in params.items()
            if (key == "random_state" or key.endswith("__random_state"))
            and value is None
        }
        regressor.set_params(**seeds)
        return regressor

    def _warm_start_keys(self, regressor):
        return [
            key
            for key in regressor.get_params()
            if key == "warm_start" or key.endswith("__warm_start")
        ]

    # ------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Run fitted Q iteration on a table of transitions.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_transitions, 2 d + 3), or a \
                structured array
            The transitions, in the layout of the Notes.

        y : None
            Ignored (the targets are built from X).

        Returns
        -------
        self : FittedQIteration
            The fitted estimator.
        """
        start = time.perf_counter()
        if self.regressor is not None and not is_regressor(self.regressor):
            raise ValueError(
                f"regressor must be a scikit-learn regressor; got "
                f"{type(self.regressor).__name__}."
            )
        # validation sets n_features_in_ and the helpers read the fitted
        # attributes: a fit that fails restores the previous model
        previous = {k: v for k, v in self.__dict__.items() if k.endswith("_")}
        try:
            self._fit(X)
        except BaseException:
            for key in [k for k in self.__dict__ if k.endswith("_")]:
                del self.__dict__[key]
            self.__dict__.update(previous)
            raise
        self.fit_time_ = time.perf_counter() - start
        return self

    def _fit(self, X):
        states, actions, rewards, next_states, done = self._read_transitions(X)
        actions_, action_index = np.unique(actions, return_inverse=True)
        reward_scale = float(np.abs(rewards).max())
        self.actions_ = actions_
        self.n_actions_ = len(actions_)
        self.n_state_features_ = states.shape[1]
        # the bound on |Q|: the regressions see targets in [-1, 1]
        self.q_scale_ = (reward_scale or 1.0) / (1.0 - self.discount)
        regressor, changes = self._iterate(
            states, action_index, rewards, next_states, done
        )
        self.regressor_ = regressor
        self.n_iter_ = len(changes)
        self.target_change_curve_ = np.asarray(changes)

    def _iterate(self, states, action_index, rewards, next_states, done):
        """The Bellman iterations: (last regressor, target changes)."""
        seed = draw_seed(check_random_state(self.random_state))
        inputs = self._inputs(states, action_index)
        regressor, targets, changes = None, None, []
        last_warnings = []
        for k in range(self.n_iterations):
            new_targets = self._bellman_targets(regressor, rewards, next_states, done)
            if targets is None:
                change = np.inf
            else:
                scale = max(np.abs(new_targets).max(), np.finfo(float).tiny)
                change = float(np.abs(new_targets - targets).max() / scale)
            targets = new_targets
            changes.append(change)
            if self.verbose > 0:
                print(f"iteration {k + 1}: targets changed by {change:.3g}")
            if change <= self.tol:
                break
            regressor = self._next_regressor(regressor, seed)
            # the warnings of the last regression are the fit's; those of the
            # intermediate ones (a plateau on targets that barely vary) are not
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                regressor.fit(inputs, targets / self.q_scale_)
            last_warnings = caught
        for warning in last_warnings:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
        return regressor, changes

    def _next_regressor(self, regressor, seed):
        if regressor is not None and self.iteration_warm_start:
            keys = self._warm_start_keys(regressor)
            if keys:
                regressor.set_params(**dict.fromkeys(keys, True))
                return regressor
        return self._make_regressor(seed)

    # ------------------------------------------------------------ inference
    def predict_q(self, X):
        """Return the Q-value of every action.

        Parameters
        ----------
        X : array-like of shape (n_samples, d) or (n_samples, 2 d + 3)
            States, or transitions (their states are read).

        Returns
        -------
        q : ndarray of shape (n_samples, n_actions)
            Column ``j`` is the value of action ``actions_[j]``.
        """
        states = self._read_states(X)
        return self._all_q(self.regressor_, states)

    def predict(self, X):
        """Return the greedy action of each state.

        Parameters
        ----------
        X : array-like of shape (n_samples, d) or (n_samples, 2 d + 3)
            States, or transitions (their states are read).

        Returns
        -------
        actions : ndarray of shape (n_samples,)
            ``actions_[argmax_j Q(s, actions_[j])]``.
        """
        q = self.predict_q(X)
        return self.actions_[q.argmax(axis=1)]

    def score(self, X, y=None):
        """Return minus the mean squared Bellman residual on transitions.

        ``-mean_i (Q(s_i, a_i) - r_i - discount * (1 - done_i) * max_a
        Q(s'_i, a))^2``: 0 for a fixed point of the Bellman optimality
        operator on these transitions. On held-out transitions it measures
        how well the Q-function generalises, not the return of its policy
        (a stochastic environment leaves a residual even for the optimal Q);
        :meth:`evaluate` measures the return.

        Parameters
        ----------
        X : array-like of shape (n_transitions, 2 d + 3)
            Transitions in the layout of fit.

        y : None
            Ignored.

        Returns
        -------
        score : float
            Minus the mean squared Bellman residual.
        """
        check_is_fitted(self, "regressor_")
        states, actions, rewards, next_states, done = self._read_transitions(
            X, reset=False
        )
        index = np.searchsorted(self.actions_, actions)
        index = np.clip(index, 0, self.n_actions_ - 1)
        if not np.all(self.actions_[index] == actions):
            unseen = np.setdiff1d(actions, self.actions_)
            raise ValueError(
                f"X has actions {unseen[:5].tolist()} not seen in fit (seen: "
                f"{self.actions_.tolist()[:10]})."
            )
        q = self.q_scale_ * np.asarray(
            self.regressor_.predict(self._inputs(states, index)), float
        )
        target = self._bellman_targets(self.regressor_, rewards, next_states, done)
        return -float(np.mean((q - target) ** 2))

    def evaluate(self, env, n_episodes=100, *, confidence=0.95, random_state=None):
        """Run greedy episodes on an environment: returns and an interval.

        The observations are encoded as :class:`DeepQLearning` encodes them
        (and :func:`collect_transitions` logs them): a Box flattened, a
        Discrete state one-hot.

        Parameters
        ----------
        env : gymnasium.Env or str
            The environment (or its id), with a discrete action space whose
            actions are the ``actions_`` seen in fit.

        n_episodes : int, default=100
            Episodes to run.

        confidence : float, default=0.95
            Level of the Student-t interval of the mean return.

        random_state : int or None, default=None
            Seed of the environment's first reset.

        Returns
        -------
        result : EvaluationResult
            ``mean``, ``std``, ``ci_low``, ``ci_high``, ``returns``, ``lengths``.
        """
        from sklearn_mathdl.rl._spaces import _Encoder, make_env

        check_is_fitted(self, "regressor_")
        env = make_env(env)
        encoder = _Encoder.from_space(env.observation_space)
        if encoder.n_features != self.n_state_features_:
            raise ValueError(
                f"The environment's observations encode to {encoder.n_features} "
                f"features; the transitions of fit had states of "
                f"{self.n_state_features_}."
            )
        n = getattr(env.action_space, "n", None)
        if n is None or not np.all(np.isin(self.actions_, np.arange(n))):
            raise ValueError(
                f"The actions seen in fit, {self.actions_.tolist()[:10]}, are not "
                f"actions of the environment's space {env.action_space!r}."
            )

        def act(obs):
            return int(self.predict(encoder.one(obs).reshape(1, -1))[0])

        return run_greedy_episodes(
            act, env, n_episodes, confidence=confidence, random_state=random_state
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags


def collect_transitions(env, n_steps, policy=None, *, random_state=None):
    """Log transitions from an environment in :class:`FittedQIteration`'s layout.

    Parameters
    ----------
    env : gymnasium.Env or str
        The environment (or its id), with a discrete action space.

    n_steps : int
        Transitions to log (episodes are reset as they end).

    policy : callable, object with ``predict``, or None, default=None
        The behaviour policy: ``policy(encoded_observation) -> action``, or a
        fitted agent (a :class:`DeepQLearning`, a :class:`FittedQIteration`)
        whose greedy ``predict`` is used. ``None`` is the uniform random
        policy.

    random_state : int or None, default=None
        Seeds the first reset, the action space and the random policy.

    Returns
    -------
    X : ndarray of shape (n_steps, 2 d + 3)
        Columns :func:`transition_columns` (d), observations encoded as
        :class:`DeepQLearning` encodes them (a Box flattened, a Discrete
        state one-hot). ``done`` is 1 only at a termination; a time-limit
        cut logs 0 (the next state keeps its value).

    Examples
    --------
    >>> from sklearn_mathdl.rl import GridWorld, collect_transitions
    >>> X = collect_transitions(GridWorld(), 100, random_state=0)
    >>> X.shape  # 16 one-hot states, twice, and 3 columns
    (100, 35)
    """
    from sklearn_mathdl.rl._spaces import _Encoder, make_env

    if not isinstance(n_steps, Integral) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive int; got {n_steps!r}.")
    env = make_env(env)
    n_actions = getattr(env.action_space, "n", None)
    if n_actions is None:
        raise ValueError(
            f"collect_transitions needs a discrete action space; got "
            f"{env.action_space!r}."
        )
    encoder = _Encoder.from_space(env.observation_space)
    rng = np.random.default_rng(None if random_state is None else random_state)
    if policy is None:

        def act(obs_row):
            return int(rng.integers(n_actions))

    elif isinstance(policy, FittedQIteration):

        def act(obs_row):  # it reads encoded states
            return int(policy.predict(obs_row.reshape(1, -1))[0])

    elif hasattr(policy, "predict"):

        def act(obs_row):  # it reads observations as the environment gives them
            if encoder.n_discrete:
                return int(policy.predict([int(np.argmax(obs_row))])[0])
            return int(policy.predict(obs_row.reshape(1, -1))[0])

    elif callable(policy):
        act = policy
    else:
        raise TypeError(
            "policy must be None, a callable or an object with predict; got "
            f"{type(policy).__name__}."
        )
    d = encoder.n_features
    out = np.empty((n_steps, 2 * d + 3))
    seed = None if random_state is None else draw_seed(random_state)
    obs, _ = env.reset(seed=seed)
    row = encoder.one(obs)
    for t in range(n_steps):
        action = act(row)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        next_row = encoder.one(next_obs)
        out[t, :d] = row
        out[t, d] = action
        out[t, d + 1] = reward
        out[t, d + 2 : 2 * d + 2] = next_row
        out[t, -1] = float(terminated)
        if terminated or truncated:
            obs, _ = env.reset()
            row = encoder.one(obs)
        else:
            row = next_row
    return out
