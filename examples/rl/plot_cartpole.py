"""
=================================
Deep Q-learning balances CartPole
=================================

:class:`~sklearn_mathdl.rl.DeepQLearning` with its default parameters learns
Gymnasium's CartPole-v1 (push a cart left or right to keep a pole upright; the
return is the number of steps it stays up, at most 500) in 50,000 environment
steps: epsilon-greedy exploration, a replay buffer, a target network, double
Q-learning, a step size decreasing to 0 and the best Q-network of the run kept.
Then it is evaluated greedily, with a confidence interval for its mean return.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Training
# --------
# ``fit`` takes an environment (or its Gymnasium id) and a number of environment
# steps. The training episodes' returns are kept in ``episode_returns_``.
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_mathdl.rl import DeepQLearning

torch.set_num_threads(1)
agent = DeepQLearning(random_state=0).fit("CartPole-v1", total_steps=50_000)
print(f"{len(agent.episode_returns_)} training episodes")

# %%
# Greedy evaluation
# -----------------
# ``evaluate`` plays greedy episodes on a separately seeded environment and
# returns their mean with a 95 % Student-t interval.
result = agent.evaluate("CartPole-v1", n_episodes=20, random_state=1)
print(
    f"mean return {result.mean:.1f}, 95 % CI [{result.ci_low:.1f}, "
    f"{result.ci_high:.1f}]"
)

# %%
# The learning curve
# ------------------
# Training returns are noisy (epsilon-greedy actions, a Q-function still
# moving); a moving average over 10 episodes shows the trend, and the greedy
# evaluation is drawn on the right.
returns = agent.episode_returns_
window = 10
smooth = np.convolve(returns, np.ones(window) / window, mode="valid")
steps = np.cumsum(agent.episode_lengths_)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(steps, returns, ".", alpha=0.3, label="training episode")
ax.plot(steps[window - 1 :], smooth, label=f"mean of {window} episodes")
ax.errorbar(
    steps[-1] * 1.03,
    result.mean,
    yerr=[[result.mean - result.ci_low], [result.ci_high - result.mean]],
    fmt="o",
    color="k",
    label="greedy evaluation (95 % CI)",
)
ax.set(xlabel="environment steps", ylabel="return", title="CartPole-v1")
ax.legend(loc="upper left")
plt.show()
