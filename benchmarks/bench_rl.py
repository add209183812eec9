"""DeepQLearning with defaults against stable-baselines3's DQN (RL Zoo settings).

Usage::

    pip install stable-baselines3   # the peer; not a dependency of the package
    python benchmarks/bench_rl.py                      # -> results_rl_cpu.md
    python benchmarks/bench_rl.py --envs CartPole-v1 --seeds 0

For each environment and seed, ours (``DeepQLearning(random_state=seed)``, all
else default) and the peer (``stable_baselines3.DQN`` with the RL Zoo's
published hyper-parameters for that environment, ``hyperparams/dqn.yml``) train
for the Zoo's number of environment steps, alternating which runs first; each
trained policy is then evaluated greedily for 100 episodes on a separately
seeded environment. One torch thread. The grid world row checks tabular-size
Q-learning against the optimal Q-function from value iteration. The offline
row fits ``FittedQIteration(random_state=seed)`` on 10,000 CartPole transitions
of the uniform random policy (logged with seed ``seed``; no peer in the same
run, the random policy's own return is the reference).
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import datetime
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

import sklearn_mathdl
from sklearn_mathdl.rl import (
    DeepQLearning,
    FittedQIteration,
    GridWorld,
    collect_transitions,
    value_iteration,
)

RESULTS = Path(__file__).with_name("results_rl_cpu.md")

# RL Zoo (rl-baselines3-zoo, hyperparams/dqn.yml): the peer's settings
ZOO = {
    "CartPole-v1": dict(
        n_timesteps=50_000,
        learning_rate=2.3e-3,
        batch_size=64,
        buffer_size=100_000,
        learning_starts=1000,
        gamma=0.99,
        target_update_interval=10,
        train_freq=256,
        gradient_steps=128,
        exploration_fraction=0.16,
        exploration_final_eps=0.04,
        policy_kwargs=dict(net_arch=[256, 256]),
    ),
    "Acrobot-v1": dict(
        n_timesteps=100_000,
        learning_rate=6.3e-4,
        batch_size=128,
        buffer_size=50_000,
        learning_starts=0,
        gamma=0.99,
        target_update_interval=250,
        train_freq=4,
        gradient_steps=-1,
        exploration_fraction=0.12,
        exploration_final_eps=0.1,
        policy_kwargs=dict(net_arch=[256, 256]),
    ),
    "MountainCar-v0": dict(
        n_timesteps=120_000,
        learning_rate=4e-3,
        batch_size=128,
        buffer_size=10_000,
        learning_starts=1000,
        gamma=0.98,
        target_update_interval=600,
        train_freq=16,
        gradient_steps=8,
        exploration_fraction=0.2,
        exploration_final_eps=0.07,
        policy_kwargs=dict(net_arch=[256, 256]),
    ),
}
EVAL_EPISODES = 100


def _evaluate(policy, env_id, seed):
    """Mean greedy return over EVAL_EPISODES episodes; ``policy(obs) -> action``."""
    import gymnasium

    env = gymnasium.make(env_id)
    returns = []
    for episode in range(EVAL_EPISODES):
        obs, _ = env.reset(seed=seed if episode == 0 else None)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(policy(obs))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return float(np.mean(returns))


def run_ours(env_id, seed):
    steps = ZOO[env_id]["n_timesteps"]
    start = time.perf_counter()
    agent = DeepQLearning(random_state=seed).fit(env_id, total_steps=steps)
    seconds = time.perf_counter() - start
    score = _evaluate(lambda o: int(agent.predict(o[None])[0]), env_id, 10_000 + seed)
    return score, seconds, steps


def run_peer(env_id, seed):
    from stable_baselines3 import DQN

    params = dict(ZOO[env_id])
    steps = params.pop("n_timesteps")
    start = time.perf_counter()
    model = DQN("MlpPolicy", env_id, seed=seed, verbose=0, device="cpu", **params)
    model.learn(total_timesteps=steps)
    seconds = time.perf_counter() - start
    score = _evaluate(
        lambda o: int(model.predict(o, deterministic=True)[0]), env_id, 10_000 + seed
    )
    return score, seconds, steps


GRID_STEPS = 5_000
OFFLINE_STEPS = 10_000


def offline_row(seed):
    """Fitted Q iteration (defaults) on a random policy's CartPole data: the
    greedy policy's mean return, the data's mean episode length, fit seconds."""
    X = collect_transitions("CartPole-v1", OFFLINE_STEPS, random_state=seed)
    data_return = len(X) / (1 + X[:, -1].sum())
    fqi = FittedQIteration(random_state=seed).fit(X)
    score = _evaluate(
        lambda obs: int(fqi.predict(np.asarray(obs).reshape(1, -1))[0]),
        "CartPole-v1",
        10_000 + seed,
    )
    return score, fqi.fit_time_, data_return


def grid_world_row():
    """Plain Q-learning of section 21.4 (no replay, no target network) with a
    one-hot linear Q-function and uniform exploration, against value iteration
    on the non-terminal states."""
    env = GridWorld()
    P, R = env.model()
    q_star = value_iteration(P, R, discount=0.9)
    start = time.perf_counter()
    agent = DeepQLearning(
        hidden_layer_sizes=(),
        discount=0.9,
        exploration_initial_eps=1.0,
        exploration_final_eps=1.0,
        replay=False,
        target_update_interval=1,
        optimizer="sgd",
        learning_rate_init=0.2,
        learning_rate="constant",
        loss="squared_error",
        keep="last",
        random_state=0,
    ).fit(env, total_steps=GRID_STEPS)
    seconds = time.perf_counter() - start
    states = np.arange(env.n_states - 1)  # the goal is terminal: no Q there
    error = float(np.abs(agent.predict_q(states) - q_star[states]).max())
    return error, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", nargs="*", default=list(ZOO))
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    parser.add_argument("--output", default=None)
    parser.add_argument(
        "--no-grid-world",
        dest="grid_world",
        action="store_false",
        help="skip the tabular grid-world row",
    )
    parser.add_argument(
        "--no-offline",
        dest="offline",
        action="store_false",
        help="skip the offline (fitted Q iteration) row",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    begin = time.perf_counter()
    output = args.output or (RESULTS if argv is None and len(sys.argv) == 1 else None)
    lines = [
        "| environment | agent | env steps | mean return (per seed) | fit s (median) |",
        "|---|---|---|---|---|",
    ]
    for env_id in args.envs:
        results = {"ours": [], "peer": []}
        for i, seed in enumerate(args.seeds):
            order = ("ours", "peer") if i % 2 == 0 else ("peer", "ours")
            for who in order:
                run = run_ours if who == "ours" else run_peer
                results[who].append(run(env_id, seed))
                print(env_id, who, seed, results[who][-1], flush=True)
        for who, label in (("ours", "DeepQLearning *"), ("peer", "SB3 DQN (Zoo)")):
            scores = [r[0] for r in results[who]]
            seconds = [r[1] for r in results[who]]
            per_seed = ", ".join(f"{s:.1f}" for s in scores)
            lines.append(
                f"| {env_id} | {label} | {results[who][0][2]:,} | "
                f"{np.mean(scores):.1f} ({per_seed}) | "
                f"{statistics.median(seconds):.1f} |"
            )
            print(lines[-1], flush=True)
        _write(output, lines, begin)  # after each environment: a cut run keeps it
    if args.grid_world:
        error, seconds = grid_world_row()
        lines.append(
            f"| GridWorld 4 x 4 (plain tabular Q-learning, SGD 0.2) | "
            f"max abs(Q - Q*) = {error:.4f} | {GRID_STEPS:,} | | {seconds:.1f} |"
        )
        print(lines[-1])
        _write(output, lines, begin)
    if args.offline:
        runs = [offline_row(seed) for seed in args.seeds]
        scores = ", ".join(f"{r[0]:.1f}" for r in runs)
        lines.append(
            f"| CartPole-v1, offline: {OFFLINE_STEPS:,} random-policy transitions "
            f"(mean return {np.mean([r[2] for r in runs]):.1f}) | "
            f"FittedQIteration * | 0 (offline) | "
            f"{np.mean([r[0] for r in runs]):.1f} ({scores}) | "
            f"{statistics.median(r[1] for r in runs):.1f} |"
        )
        print(lines[-1])
        _write(output, lines, begin)


def _write(output, lines, begin):
    if not output:
        return
    header = (
        f"# bench_rl.py ({datetime.date.today()}, sklearn_mathdl "
        f"{sklearn_mathdl.__version__}, torch {torch.__version__}, Python "
        f"{platform.python_version()}, 1 thread; "
        f"{time.perf_counter() - begin:.0f} s so far)\n\n"
        f"Command: `python benchmarks/bench_rl.py {' '.join(sys.argv[1:])}`\n\n"
        "* = ours with default parameters (random_state=seed). Mean return: "
        f"{EVAL_EPISODES} greedy evaluation episodes per seed.\n\n"
    )
    Path(output).write_text(header + "\n".join(lines) + "\n")
    print(f"wrote {output}", flush=True)


if __name__ == "__main__":
    main()
