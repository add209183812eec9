"""Tests of the reinforcement learning agents and environments."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
from unittest import mock

import numpy as np
import pytest
import torch
from sklearn.base import clone

gymnasium = pytest.importorskip("gymnasium")

from sklearn_mathdl.rl import (  # noqa: E402
    DeepQLearning,
    ExitTimeVehicle,
    GridWorld,
    value_iteration,
)

# tabular Q-learning: one-hot states, a linear Q-function, uniform exploration
TABULAR = dict(
    hidden_layer_sizes=(),
    discount=0.9,
    exploration_initial_eps=1.0,
    exploration_final_eps=1.0,
    optimizer="sgd",
    learning_rate_init=0.2,
    learning_rate="constant",
    loss="squared_error",
    keep="last",
    random_state=0,
)
SMALL = dict(
    hidden_layer_sizes=(16,),
    learning_starts=50,
    train_freq=20,
    gradient_steps=10,
    random_state=0,
)


def _distance_to_goal(env):
    rows, cols = np.divmod(np.arange(env.n_states), env.n_cols)
    return (env.n_rows - 1 - rows) + (env.n_cols - 1 - cols)


def test_value_iteration_matches_the_closed_form_of_the_grid():
    # deterministic moves: from d steps away the best return is d - 1 step
    # rewards and the goal reward, discounted
    env = GridWorld(step_reward=-0.04, goal_reward=1.0)
    P, R = env.model()
    gamma = 0.9
    q = value_iteration(P, R, discount=gamma)
    d = _distance_to_goal(env)[:-1]
    expected = -0.04 * (1 - gamma ** (d - 1)) / (1 - gamma) + gamma ** (d - 1)
    np.testing.assert_allclose(q.max(axis=1)[:-1], expected, atol=1e-9)
    # one state, one action, reward 1 forever: 1 / (1 - gamma)
    q1 = value_iteration(np.ones((1, 1, 1)), np.ones((1, 1)), discount=0.5)
    np.testing.assert_allclose(q1, [[2.0]], atol=1e-9)
    with pytest.raises(ValueError, match="shape"):
        value_iteration(np.ones((2, 2)), np.ones((2, 2)), discount=0.5)
    with pytest.raises(ValueError, match="discount"):
        value_iteration(P, R, discount=1.0)


@pytest.mark.parametrize("replay", [False, True])
def test_tabular_q_learning_converges_to_q_star(replay):
    """Off-policy Q-learning with a uniform behaviour policy: max |Q - Q*| over
    the non-terminal states below 0.05 (the issue's target)."""
    env = GridWorld(n_rows=3, n_cols=3)
    P, R = env.model()
    q_star = value_iteration(P, R, discount=0.9)
    params = dict(TABULAR)
    if replay:
        params.update(learning_rate_init=0.3, learning_starts=100, batch_size=32)
    else:
        params.update(replay=False, target_update_interval=1)
    agent = DeepQLearning(**params).fit(env, total_steps=3000)
    states = np.arange(env.n_states - 1)  # the goal is terminal: no Q there
    error = np.abs(agent.predict_q(states) - q_star[states]).max()
    assert error < 0.05
    # the greedy policy is optimal (right and down tie on the grid)
    greedy_value = q_star[states, agent.predict(states)]
    np.testing.assert_allclose(greedy_value, q_star[states].max(1), atol=1e-9)


def test_stochastic_grid_q_learning_finds_the_optimal_policy():
    env = GridWorld(slip=0.2)
    P, R = env.model()
    q_star = value_iteration(P, R, discount=0.9)
    agent = DeepQLearning(**{**TABULAR, "learning_rate_init": 0.1}).fit(
        env, total_steps=6000
    )
    states = np.arange(env.n_states - 1)
    q = agent.predict_q(states)
    # the slip makes targets random: a constant step leaves O(step) noise
    assert np.abs(q - q_star[states]).max() < 0.15
    v_greedy = q_star[states, agent.predict(states)]
    np.testing.assert_allclose(v_greedy, q_star[states].max(1), atol=0.02)


def test_deep_q_learning_learns_the_grid():
    agent = DeepQLearning(**SMALL, discount=0.9).fit(GridWorld(), total_steps=3000)
    result = agent.evaluate(GridWorld(), n_episodes=3, random_state=0)
    # the shortest path: 6 moves, 5 step rewards and the goal
    assert result.mean == pytest.approx(1.0 - 5 * 0.04)
    assert result.lengths.tolist() == [6, 6, 6]
    assert agent.score(GridWorld(), n_episodes=2) == pytest.approx(0.8)
    assert agent.n_actions_ == 4 and agent.n_features_in_ == 16
    assert agent.n_steps_ == 3000
    assert agent.episode_returns_.shape == agent.episode_lengths_.shape
    assert agent.episode_lengths_.sum() <= 3000
    assert agent.td_loss_curve_.shape == (((3000 - 50) // 20 + 1) * 10,)


def test_same_random_state_same_agent():
    a = DeepQLearning(**SMALL).fit(GridWorld(slip=0.1), total_steps=600)
    b = DeepQLearning(**SMALL).fit(GridWorld(slip=0.1), total_steps=600)
    np.testing.assert_array_equal(a.td_loss_curve_, b.td_loss_curve_)
    np.testing.assert_array_equal(a.episode_returns_, b.episode_returns_)
    np.testing.assert_array_equal(a.predict_q(range(16)), b.predict_q(range(16)))
    c = DeepQLearning(**{**SMALL, "random_state": 1}).fit(
        GridWorld(slip=0.1), total_steps=600
    )
    assert not np.array_equal(a.td_loss_curve_, c.td_loss_curve_)


def test_box_observations_and_an_env_id():
    agent = DeepQLearning(**SMALL).fit("CartPole-v1", total_steps=300)
    obs = np.zeros((5, 4), dtype=np.float32)
    assert agent.predict_q(obs).shape == (5, 2)
    assert agent.predict(obs).dtype.kind == "i"
    assert agent.predict(obs[0]).shape == (1,)
    with pytest.raises(ValueError, match="4 features"):
        agent.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        agent.predict(np.full((1, 4), np.nan))


def test_clone_pickle_and_params():
    agent = DeepQLearning(**SMALL)
    assert clone(agent).get_params() == agent.get_params()
    agent.fit(GridWorld(), total_steps=300)
    restored = pickle.loads(pickle.dumps(agent))
    np.testing.assert_array_equal(
        restored.predict_q(range(16)), agent.predict_q(range(16))
    )
    assert agent.set_params(discount=0.5).discount == 0.5


def test_bad_input_is_a_clear_error_and_keeps_the_model():
    agent = DeepQLearning(**SMALL).fit(GridWorld(), total_steps=300)
    before = agent.predict_q(range(16))
    continuous = gymnasium.make("MountainCarContinuous-v0")
    with pytest.raises(ValueError, match="discrete action space"):
        agent.fit(continuous, total_steps=10)
    with pytest.raises(ValueError, match="total_steps"):
        agent.fit(GridWorld(), total_steps=0)
    with pytest.raises(TypeError, match="Gymnasium environment"):
        agent.fit(np.zeros((3, 3)), total_steps=10)
    with pytest.raises(ValueError, match="State indices"):
        agent.predict([16])
    with pytest.raises(ValueError, match="trained with 4"):
        agent.evaluate("CartPole-v1", 1)
    # a diverging fit (a huge step) fails loudly and keeps the previous model
    agent.set_params(
        learning_rate_init=1e12,
        optimizer="sgd",
        max_grad_norm=None,
        loss="squared_error",
        learning_rate="constant",
    )
    with pytest.raises(ValueError, match="non-finite"):
        agent.fit(GridWorld(), total_steps=2000)
    np.testing.assert_array_equal(agent.predict_q(range(16)), before)
    with pytest.raises(ValueError, match="one hidden layer"):
        DeepQLearning(hidden_layer_sizes=(8, 8), scaling="ntk").fit(
            GridWorld(), total_steps=10
        )


def test_ntk_q_network_output_is_order_one_at_every_width():
    """The book's 1/sqrt(N) network: the initial Q-values have a variance that
    does not depend on the width N (a CLT over N independent units)."""
    spreads = []
    obs = np.random.default_rng(0).normal(size=(256, 4)).astype(np.float32)
    for width in (64, 4096):
        outs = []
        for seed in range(20):
            agent = DeepQLearning(
                hidden_layer_sizes=(width,),
                scaling="ntk",
                activation="tanh",
                learning_starts=10**6,
                random_state=seed,
            ).fit("CartPole-v1", total_steps=1)
            outs.append(agent.predict_q(obs)[:, 0])
        spreads.append(np.std(np.stack(outs), axis=0).mean())
    assert 0.7 < spreads[1] / spreads[0] < 1.3


def test_learning_rate_schedule_and_keep_best():
    agent = DeepQLearning(**{**SMALL, "learning_rate": "linear"})
    run = agent._start(agent_encoder(), 4, torch.device("cpu"), seed=0, total_steps=100)
    agent._set_learning_rate(run, 75)
    assert run.optimizer.param_groups[0]["lr"] == pytest.approx(0.25 * 2.3e-3)
    # keep="best": the snapshot after the best 10-episode window is returned
    agent = DeepQLearning(**{**SMALL, "keep": "best"})
    run = agent._start(agent_encoder(), 4, torch.device("cpu"), seed=0, total_steps=100)
    for r in [0.0] * 10:
        agent._end_episode(run, r, 1)
    best = {k: v.clone() for k, v in run.q_network.state_dict().items()}
    with torch.no_grad():
        for p in run.q_network.parameters():
            p.add_(1.0)
    agent._end_episode(run, -5.0, 1)  # a worse window: no new snapshot
    for k, v in run.best_state.items():
        torch.testing.assert_close(v, best[k])


def agent_encoder():
    from sklearn_mathdl.rl._spaces import _Encoder

    return _Encoder(n_features=16, n_discrete=16)


def test_environments_pass_gymnasiums_checker():
    from gymnasium.utils.env_checker import check_env

    check_env(GridWorld(slip=0.1), skip_render_check=True)
    check_env(ExitTimeVehicle(), skip_render_check=True)


def test_exit_time_vehicle_dynamics_and_costs():
    env = ExitTimeVehicle(sigma=0.0, dt=0.1, running_cost=2.0, wall_cost=5.0)
    # straight right from (0.75, 0): 3 steps to x = 1.05, through the target
    env.reset(seed=0, options={"x": [0.75, 0.0]})
    rewards = []
    for _ in range(3):
        _, reward, terminated, truncated, _ = env.step(1)
        rewards.append(reward)
    assert terminated and not truncated
    np.testing.assert_allclose(rewards, [-0.2, -0.2, -0.2])
    # straight up from (0, 0.85): exits through the top wall, pays wall_cost
    env.reset(options={"x": [0.0, 0.85]})
    _, reward, terminated, _, _ = env.step(0)
    _, reward, terminated, _, _ = env.step(0)
    assert terminated and reward == pytest.approx(-0.2 - 5.0)
    # staying put never exits: truncated at max_episode_steps
    env = ExitTimeVehicle(sigma=0.0, max_episode_steps=5)
    env.reset(options={"x": [0.0, 0.0]})
    for _ in range(5):
        _, _, terminated, truncated, _ = env.step(4)
    assert truncated and not terminated


def test_exit_time_vehicle_is_learnable():
    """A short deep Q-learning run heads for the target: its greedy cost beats
    the policy that always stays put (which only ever hits walls by noise)."""
    env = ExitTimeVehicle()
    agent = DeepQLearning(
        hidden_layer_sizes=(64,),
        learning_starts=500,
        discount=0.98,
        random_state=0,
    ).fit(env, total_steps=8000)
    learned = agent.evaluate(ExitTimeVehicle(), 20, random_state=0).mean

    def stay_return(seed):
        e = ExitTimeVehicle()
        e.reset(seed=seed)
        total, done = 0.0, False
        while not done:
            _, r, term, trunc, _ = e.step(4)
            total, done = total + r, term or trunc
        return total

    stay = np.mean([stay_return(s) for s in range(20)])
    assert learned > stay + 1.0
    # most greedy actions on the left half push right
    grid = np.stack(np.meshgrid(np.linspace(-0.8, 0.0, 5), [-0.1, 0.0, 0.1]), -1)
    assert np.mean(agent.predict(grid.reshape(-1, 2)) == 1) > 0.6


def test_warm_start_continues_and_a_failure_keeps_the_agent():
    agent = DeepQLearning(**SMALL, warm_start=True).fit(GridWorld(), total_steps=300)
    n_losses, n_episodes = len(agent.td_loss_curve_), len(agent.episode_returns_)
    before = agent.predict_q(range(16))
    # a vanishing step: the continued network is the previous one
    agent.set_params(learning_rate_init=1e-30)
    agent.fit(GridWorld(), total_steps=300)
    np.testing.assert_allclose(agent.predict_q(range(16)), before, atol=1e-6)
    assert len(agent.td_loss_curve_) > n_losses
    assert len(agent.episode_returns_) >= n_episodes
    with pytest.raises(ValueError, match="same spaces"):
        agent.fit("CartPole-v1", total_steps=10)
    np.testing.assert_allclose(agent.predict_q(range(16)), before, atol=1e-6)
    # without warm_start the same call starts afresh
    agent.set_params(warm_start=False, learning_rate_init=2.3e-3)
    fresh = agent.fit(GridWorld(), total_steps=300)
    assert len(fresh.td_loss_curve_) == n_losses


def test_gpu_trained_agent_unpickles_on_a_cpu_only_machine():
    agent = DeepQLearning(**SMALL).fit(GridWorld(), total_steps=200)
    expected = agent.predict_q(range(16))
    agent._device = torch.device("cuda")  # as if trained on a GPU
    with mock.patch("torch.cuda.is_available", return_value=False):
        restored = pickle.loads(pickle.dumps(agent))
    assert restored._device.type == "cpu"
    assert restored._training is None  # the warm-start state stays behind
    np.testing.assert_array_equal(restored.predict_q(range(16)), expected)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_fit_on_cuda():
    agent = DeepQLearning(**SMALL, device="cuda").fit(GridWorld(), total_steps=500)
    q = agent.predict_q(range(16))
    assert isinstance(q, np.ndarray) and q.shape == (16, 4)
    assert next(agent.q_network_.parameters()).is_cuda
