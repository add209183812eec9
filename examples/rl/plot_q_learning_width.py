"""
======================================================
Q-learning with a 1/sqrt(N) network as the width grows
======================================================

The book's Theorem 21.6 (Sirignano and Spiliopoulos, "Asymptotics of
reinforcement learning with neural networks") studies Q-learning with a
one-hidden-layer network in the 1/sqrt(N) scaling,
``Q(s, a) = N^(-1/2) sum_i c_a^i tanh(w^i . s + b^i)``, steps of size
``alpha / N`` and time ``t = k / N`` after ``k`` steps. As the width ``N``
grows, the network's Q-values follow the solution of a limit equation: the
randomness of a finite network, from its initialization and from its data,
fades, and the spread of ``Q^N_t`` across seeds shrinks like ``N^(-1/2)``.

Here :class:`~sklearn_mathdl.rl.DeepQLearning` runs that algorithm (plain
Q-learning, one step per transition, no replay or target network) on a 3 x 3
:class:`~sklearn_mathdl.rl.GridWorld` under uniformly random exploration, five
seeds per width, and records ``Q^N_t(start, right)`` at ``t = 1, ..., 5``.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The initial condition
# ---------------------
# With N(0, 1) parameters the initial output is a sum of ``N`` independent terms
# divided by ``sqrt(N)``: a Gaussian of variance O(1) at every width (the
# central limit theorem), which the limit equation inherits as its random
# starting point. To watch the concentration of the dynamics themselves, each
# network below starts from a symmetric initialization: the second half of the
# hidden units copies the first half's ``(w, b)`` with readout ``-c``, so the
# initial output is exactly 0 while the units are as random as before.
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_mathdl.rl import DeepQLearning, GridWorld

torch.set_num_threads(1)
WIDTHS = (16, 64, 256, 1024)
SEEDS = range(5)
TIMES = np.arange(1, 6)
ALPHA = 2.0


def agent(width, seed):
    return DeepQLearning(
        hidden_layer_sizes=(width,),
        scaling="ntk",
        activation="tanh",
        replay=False,
        target_update_interval=1,
        exploration_initial_eps=1.0,
        exploration_final_eps=1.0,
        optimizer="sgd",
        learning_rate_init=ALPHA / width,
        learning_rate="constant",
        loss="squared_error",
        keep="last",
        discount=0.9,
        warm_start=True,
        random_state=seed,
    )


def symmetrize(q_network):
    first, readout = q_network.layers[0], q_network.layers[2]
    half = first.weight.shape[0] // 2
    with torch.no_grad():
        first.weight[half:] = first.weight[:half]
        first.bias[half:] = first.bias[:half]
        readout.weight[:, half:] = -readout.weight[:, :half]
        readout.bias.zero_()


initial_spread = {}
trajectories = {}
for width in WIDTHS:
    runs, starts = [], []
    for seed in SEEDS:
        q = agent(width, seed).fit(GridWorld(3, 3), total_steps=1)
        starts.append(q.predict_q([0])[0, 1])
        symmetrize(q.q_network_)
        path = []
        for _ in TIMES:  # one unit of time: N more steps (warm start)
            q.fit(GridWorld(3, 3), total_steps=width)
            path.append(q.predict_q([0])[0, 1])
        runs.append(path)
    initial_spread[width] = np.std(starts)
    trajectories[width] = np.array(runs)
    print(
        f"N={width:5d}: spread at t={TIMES[-1]}: {trajectories[width][:, -1].std():.4f}"
    )

# %%
# The trajectories
# ----------------
# Each band is the mean plus or minus one standard deviation across seeds of
# ``Q^N_t(start, right)``; the bands narrow and their centres settle as ``N``
# grows.
fig, ax = plt.subplots(figsize=(7, 4))
for width in WIDTHS:
    runs = trajectories[width]
    mean, std = runs.mean(0), runs.std(0)
    ax.plot(TIMES, mean, marker="o", label=f"N = {width}")
    ax.fill_between(TIMES, mean - std, mean + std, alpha=0.2)
ax.set(xlabel="time t = steps / N", ylabel="Q(start, right)")
ax.set_title("Q-learning with a 1/sqrt(N) network")
ax.legend()
plt.show()

# %%
# The spread shrinks like N^(-1/2)
# --------------------------------
# The standard deviation across seeds at each time, averaged over the times,
# against ``N`` on log-log axes, with the slope ``-1/2`` for reference. The
# initial output of the plain Gaussian initialization (before symmetrizing) does
# not shrink: that part of the randomness stays in the limit.
spread = np.array([trajectories[w].std(0).mean() for w in WIDTHS])
slope = np.polyfit(np.log(WIDTHS), np.log(spread), 1)[0]
print(f"fitted slope of log spread against log N: {slope:.2f}")
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(WIDTHS, spread, "o-", label=f"Q-learning spread (slope {slope:.2f})")
ax.loglog(
    WIDTHS,
    spread[0] * (np.array(WIDTHS) / WIDTHS[0]) ** -0.5,
    "k--",
    label="N^(-1/2)",
)
ax.loglog(
    WIDTHS, [initial_spread[w] for w in WIDTHS], "s:", label="Gaussian init, t = 0"
)
ax.set(xlabel="width N", ylabel="standard deviation across seeds")
ax.legend()
plt.show()
