"""Tests of fitted Q iteration (offline reinforcement learning)."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.tree import DecisionTreeRegressor

from sklearn_mathdl import MLPRegressor
from sklearn_mathdl.rl import (
    DeepQLearning,
    FittedQIteration,
    GridWorld,
    collect_transitions,
    transition_columns,
    value_iteration,
)

pytest.importorskip("gymnasium")

GAMMA = 0.9
SMALL_MLP = MLPRegressor(hidden_layer_sizes=(16,), max_iter=30, random_state=0)


@pytest.fixture(scope="module")
def grid():
    env = GridWorld()
    P, R = env.model()
    return env, P, R, collect_transitions(env, 2000, random_state=0)


def _bellman_iterates(P, R, k):
    """k applications of the Bellman optimality operator to Q = 0."""
    q = np.zeros_like(R)
    for _ in range(k):
        q = R + GAMMA * P @ q.max(axis=1)
    return q


@pytest.mark.parametrize("k", [1, 3, 20])
def test_exact_regressor_gives_the_bellman_iterates(grid, k):
    """A regression tree reproduces the logged (deterministic) targets
    exactly, so k iterations are k steps of value iteration on the model."""
    env, P, R, X = grid
    fqi = FittedQIteration(
        DecisionTreeRegressor(), n_iterations=k, discount=GAMMA, tol=0
    ).fit(X)
    states = np.eye(env.n_states)[:-1]  # every non-terminal state is logged
    expected = _bellman_iterates(P, R, k)[:-1]
    np.testing.assert_allclose(fqi.predict_q(states), expected, atol=1e-12)


def test_default_network_reaches_q_star(grid):
    """The default (neural fitted Q iteration) on 2,000 random-policy steps:
    max |Q - Q*| < 0.05 over the non-terminal states, the greedy policy is
    optimal, and the greedy episodes take the shortest path."""
    env, P, R, X = grid
    q_star = value_iteration(P, R, discount=GAMMA)
    fqi = FittedQIteration(discount=GAMMA, random_state=0).fit(X)
    states = np.eye(env.n_states)[:-1]
    q = fqi.predict_q(states)
    assert np.abs(q - q_star[:-1]).max() < 0.05
    greedy = fqi.predict(states).astype(int)
    np.testing.assert_allclose(
        q_star[np.arange(env.n_states - 1), greedy], q_star[:-1].max(1), atol=1e-9
    )
    result = fqi.evaluate(env, n_episodes=3, random_state=0)
    assert result.mean == pytest.approx(1.0 - 5 * 0.04)
    assert fqi.n_iter_ < fqi.n_iterations  # stopped on tol
    assert fqi.target_change_curve_[0] == np.inf
    assert fqi.target_change_curve_[-1] <= fqi.tol


def test_layouts_agree(grid):
    pd = pytest.importorskip("pandas")
    env, _, _, X = grid
    X = X[:500]
    d = env.n_states
    est = FittedQIteration(DecisionTreeRegressor(), discount=GAMMA, n_iterations=5)
    from_array = est.fit(X).predict_q(X)
    frame = pd.DataFrame(X, columns=transition_columns(d))
    fitted = clone(est).fit(frame)
    np.testing.assert_array_equal(fitted.predict_q(frame), from_array)
    assert list(fitted.feature_names_in_) == transition_columns(d)
    # states alone, named as in fit
    states = frame[transition_columns(d)[:d]]
    np.testing.assert_array_equal(fitted.predict_q(states), from_array)
    wrong = states.rename(columns={"state_0": "s0"})
    with pytest.raises(ValueError, match="state columns"):
        fitted.predict(wrong)
    structured = np.zeros(
        len(X),
        dtype=[
            ("state", float, (d,)),
            ("action", int),
            ("reward", float),
            ("next_state", float, (d,)),
            ("done", bool),
        ],
    )
    structured["state"] = X[:, :d]
    structured["action"] = X[:, d]
    structured["reward"] = X[:, d + 1]
    structured["next_state"] = X[:, d + 2 : 2 * d + 2]
    structured["done"] = X[:, -1] == 1
    np.testing.assert_array_equal(
        clone(est).fit(structured).predict_q(X[:, :d]), from_array
    )


def test_bad_layouts_are_refused(grid):
    pd = pytest.importorskip("pandas")
    env, _, _, X = grid
    est = FittedQIteration(DecisionTreeRegressor())
    with pytest.raises(ValueError, match=r"2 \* d \+ 3 columns"):
        est.fit(X[:, :-1])
    columns = transition_columns(env.n_states)
    frame = pd.DataFrame(X, columns=columns)
    swapped = frame[[*columns[:-3], "done", columns[-2], columns[-1]]]
    swapped.columns = [*columns[:-3], "done", "x", "y"]
    with pytest.raises(ValueError, match="Column 'done' is at position"):
        est.fit(swapped)
    missing = np.zeros(3, dtype=[("state", float), ("action", int)])
    with pytest.raises(ValueError, match="needs the fields"):
        est.fit(missing)
    fitted = clone(est).fit(X)
    with pytest.raises(ValueError, match="expecting 35 features"):
        fitted.predict(X[:, :5])
    with pytest.raises(ValueError, match="not seen in fit"):
        bad = X.copy()
        bad[:, env.n_states] = 7
        fitted.score(bad)
    with pytest.raises(ValueError, match="regressor"):
        FittedQIteration(DeepQLearning()).fit(X)


def test_a_failed_fit_keeps_the_model(grid):
    _, _, _, X = grid
    fqi = FittedQIteration(DecisionTreeRegressor(), discount=GAMMA).fit(X)
    before = fqi.predict_q(X)
    attributes = dict(fqi.__dict__)
    bad = X[:, [0, 1, 2, 3, 4]].copy()  # d = 1
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fqi.fit(bad)
    assert fqi.__dict__.keys() == attributes.keys()
    np.testing.assert_array_equal(fqi.predict_q(X), before)
    # one that fails inside the iterations
    exploding = clone(fqi).set_params(regressor=_FailingRegressor())
    exploding.__dict__.update({k: v for k, v in attributes.items() if k[-1] == "_"})
    with pytest.raises(RuntimeError, match="boom"):
        exploding.fit(X)
    assert exploding.n_actions_ == 4 and exploding.q_scale_ == fqi.q_scale_
    np.testing.assert_array_equal(exploding.predict_q(X), before)


class _FailingRegressor(DecisionTreeRegressor):
    def fit(self, X, y, sample_weight=None):
        # the second iteration: the step costs of two moves (the first fits
        # r / q_scale_, in {-0.004, 0.1})
        if y.min() < -0.005:
            raise RuntimeError("boom")
        return super().fit(X, y, sample_weight)


def test_actions_are_labels_and_score_is_the_bellman_residual():
    """A one-state problem with actions -1 and +1: +1 pays 1, -1 pays 0, and
    the episode goes on. Q(+1) = 1 / (1 - g), Q(-1) = g / (1 - g)."""
    rng = np.random.default_rng(0)
    actions = rng.choice([-1.0, 1.0], size=200)
    state = np.zeros(200)
    X = np.column_stack(
        [state, actions, (actions > 0).astype(float), state, np.zeros(200)]
    )
    g = 0.5
    fqi = FittedQIteration(
        DecisionTreeRegressor(), discount=g, tol=1e-12, n_iterations=200
    ).fit(X)
    np.testing.assert_array_equal(fqi.actions_, [-1.0, 1.0])
    assert fqi.predict([[0.0]])[0] == 1.0
    np.testing.assert_allclose(fqi.predict_q([[0.0]]), [[g / (1 - g), 1 / (1 - g)]])
    assert fqi.score(X) == pytest.approx(0.0, abs=1e-20)
    # two iterations: Q_2 = (0.5, 1.5), whose Bellman targets are (0.75, 1.75):
    # a residual of 0.25 on every transition
    worse = FittedQIteration(DecisionTreeRegressor(), discount=g, n_iterations=2).fit(X)
    np.testing.assert_allclose(worse.predict_q([[0.0]]), [[0.5, 1.5]])
    assert worse.score(X) == pytest.approx(-0.0625, rel=1e-12)


def test_reproducible_clone_pickle_and_warm_start_choice(grid):
    _, _, _, X = grid
    X = X[:600]
    est = FittedQIteration(SMALL_MLP, discount=GAMMA, n_iterations=4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = clone(est).fit(X).predict_q(X)
        b = clone(est).fit(X).predict_q(X)
        fresh = clone(est).set_params(iteration_warm_start=False).fit(X)
    np.testing.assert_array_equal(a, b)
    assert fresh.regressor_.warm_start is False
    restored = pickle.loads(pickle.dumps(clone(est).fit(X)))
    np.testing.assert_array_equal(restored.predict_q(X), a)
    assert restored.get_params()["n_iterations"] == 4


def test_collect_transitions_layout_and_policies():
    env = GridWorld(max_episode_steps=5)
    X = collect_transitions(env, 300, random_state=0)
    d = env.n_states
    assert X.shape == (300, 2 * d + 3)
    np.testing.assert_array_equal(X[:, :d].sum(1), 1)  # one-hot states
    assert set(np.unique(X[:, d])) <= {0, 1, 2, 3}
    # done marks terminations (the goal) only, not the time-limit cuts
    reached_goal = X[:, d + 2 + env.goal] == 1
    np.testing.assert_array_equal(X[:, -1] == 1, reached_goal)
    np.testing.assert_array_equal(X, collect_transitions(env, 300, random_state=0))
    # a trained agent as the behaviour policy
    fqi = FittedQIteration(DecisionTreeRegressor(), discount=GAMMA).fit(
        collect_transitions(GridWorld(), 2000, random_state=1)
    )
    greedy = collect_transitions(GridWorld(), 60, policy=fqi, random_state=0)
    assert greedy[:, -1].sum() == 10  # every episode of 6 steps reaches the goal
    with pytest.raises(TypeError, match="policy must be"):
        collect_transitions(env, 10, policy=3)
    with pytest.raises(ValueError, match="n_steps"):
        collect_transitions(env, 0)


def test_evaluate_checks_the_environment(grid):
    _, _, _, X = grid
    fqi = FittedQIteration(DecisionTreeRegressor(), discount=GAMMA).fit(X)
    with pytest.raises(ValueError, match="encode to 9 features"):
        fqi.evaluate(GridWorld(n_rows=3, n_cols=3), n_episodes=1)


def test_offline_agent_and_discovery_work_without_gymnasium():
    """Fitted Q iteration needs no environment: without Gymnasium it fits and
    predicts, and the estimator discovery skips only the online agent."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['gymnasium'] = None\n"
        "import numpy as np\n"
        "from sklearn.tree import DecisionTreeRegressor\n"
        "from sklearn_mathdl.utils.discovery import all_estimators\n"
        "names = dict(all_estimators())\n"
        "assert 'FittedQIteration' in names and 'DeepQLearning' not in names\n"
        "from sklearn_mathdl.rl import FittedQIteration\n"
        "X = np.array([[0, a, a, 0, 1] for a in (0, 1)], float)\n"
        "fqi = FittedQIteration(DecisionTreeRegressor()).fit(X)\n"
        "assert fqi.predict([[0.0]])[0] == 1\n"
        "try:\n"
        "    from sklearn_mathdl.rl import GridWorld\n"
        "except ImportError as exc:\n"
        "    assert 'needs Gymnasium' in str(exc)\n"
        "else:\n"
        "    raise AssertionError('GridWorld imported without Gymnasium')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_scaled_table_is_warned_about(grid):
    """A StandardScaler in front turns the 0/1 done column into two non-zero
    values: every transition would look terminal. The fit says so."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    _, _, _, X = grid
    pipe = make_pipeline(StandardScaler(), FittedQIteration(DecisionTreeRegressor()))
    with pytest.warns(UserWarning, match="or the table scaled"):
        pipe.fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FittedQIteration(DecisionTreeRegressor(), n_iterations=2).fit(X)
