"""
==============================================================
Convergence of SGD: Robbins-Monro step sizes vs constant steps
==============================================================

Linear regression trained by single-sample stochastic gradient descent
(:class:`~sklearn_mathdl.MLPRegressor` with ``hidden_layer_sizes=()`` and
``batch_size=1``). With a constant step, the iterates reach a noise ball around the
least-squares solution and stay there: the gradient noise never averages out. With
Robbins-Monro steps :math:`\\eta_t = \\eta_0/(1+t)^p`, :math:`1/2 < p \\le 1`
(``learning_rate="invscaling"``), :math:`\\sum_t \\eta_t = \\infty` and
:math:`\\sum_t \\eta_t^2 < \\infty`, and the distance to the solution keeps falling.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data with noise, and the least-squares solution w*.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_mathdl import MLPRegressor

rng = np.random.RandomState(0)
X = rng.randn(500, 5)
w_true = rng.randn(5)
y = X @ w_true + 0.5 * rng.randn(500)
w_star = np.linalg.lstsq(np.c_[X, np.ones(500)], y, rcond=None)[0]

# %%
# One epoch per partial_fit call; after each, the distance of (w, b) to w*.
runs = {
    "constant, eta = 0.05": dict(learning_rate="constant", learning_rate_init=0.05),
    "Robbins-Monro, p = 0.6": dict(
        learning_rate="invscaling", power_t=0.6, learning_rate_init=0.1
    ),
    "Robbins-Monro, p = 1": dict(
        learning_rate="invscaling", power_t=1.0, learning_rate_init=1.0
    ),
}
distances = {}
for label, params in runs.items():
    sgd = MLPRegressor(
        hidden_layer_sizes=(),
        optimizer="sgd",
        momentum=0.0,
        batch_size=1,
        alpha=0.0,
        normalize_y=False,
        random_state=0,
        **params,
    )
    dist = []
    for _ in range(40):
        sgd.partial_fit(X, y)
        layer = sgd.module_.layers[0]
        w = np.r_[layer.weight.detach().numpy().ravel(), layer.bias.item()]
        dist.append(np.linalg.norm(w - w_star))
    distances[label] = dist

# %%
# Plot against the number of SGD steps.
steps = 500 * np.arange(1, 41)
fig, ax = plt.subplots(figsize=(7, 4.5))
for label, dist in distances.items():
    ax.loglog(steps, dist, label=label)
ax.set_xlabel("SGD steps")
ax.set_ylabel("||w_t - w*||")
ax.set_title("single-sample SGD on least squares")
ax.legend()
fig.tight_layout()
plt.show()
