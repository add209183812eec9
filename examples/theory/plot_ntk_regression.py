"""
============================================================
NTK regression vs a wide network trained by gradient descent
============================================================

In NTK scaling (``MLPRegressor(scaling="ntk")``), a network trained by full-batch
gradient descent on the squared loss behaves, as its width N grows, like its
linearization at initialization: the trained function is
:math:`f_0(x) + \\Theta(x, X)\\,\\Theta(X, X)^{-1}(y - f_0(X))`, with :math:`\\Theta`
the neural tangent kernel (:func:`~sklearn_mathdl.kernels.ntk_kernel`) and
:math:`f_0` the random network at initialization. The panels compare the trained
network with that kernel prediction at two widths; the average over initializations
is ridge-less kernel regression with :math:`\\Theta`
(:class:`~sklearn_mathdl.KernelRidge` with ``kernel="ntk"``), shown dashed.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data, the analytic NTK of a one-hidden-layer ReLU net (sigma_w = sigma_b = 1).
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_mathdl import KernelRidge, MLPRegressor
from sklearn_mathdl.kernels import ntk_kernel
from sklearn_mathdl.utils._seeding import torch_seed

# Evenly spread points keep Theta(X, X) well conditioned (cond ~ 370); with
# clustered points its small eigenvalues make gradient descent converge too slowly
# along some directions for the comparison to be meaningful.
X = np.linspace(-2, 2, 8)[:, None].astype(np.float32)
y = np.sin(2 * X).ravel()
grid = np.linspace(-2.5, 2.5, 300)[:, None].astype(np.float32)
params = dict(depth=1, sigma_w=1.0, sigma_b=1.0)
K, K_grid = ntk_kernel(X, **params), ntk_kernel(grid, X, **params)
mean_prediction = (
    KernelRidge(alpha=1e-8, kernel="ntk", kernel_params=params).fit(X, y).predict(grid)
)

# %%
# Train wide networks by small-step full-batch gradient descent.
results = {}
for N in (64, 4096):
    net = MLPRegressor(
        hidden_layer_sizes=(N,),
        scaling="ntk",
        optimizer="sgd",
        momentum=0.0,
        learning_rate_init=0.5,
        batch_size=8,
        max_iter=3000,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=3000,
        shuffle=False,
        normalize_y=False,
        random_state=0,
    ).fit(X, y)
    with torch_seed(net._seed, torch.device("cpu")), torch.no_grad():
        f0_module = net._build_module(1, 1)
        f0 = f0_module(torch.from_numpy(X)).numpy()[:, 0]
        f0_grid = f0_module(torch.from_numpy(grid)).numpy()[:, 0]
    results[N] = (net.predict(grid), f0_grid + K_grid @ np.linalg.solve(K, y - f0))

# %%
# Plot.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
for ax, (N, (trained, kernel_pred)) in zip(axes, results.items(), strict=True):
    gap = np.linalg.norm(trained - kernel_pred) / np.linalg.norm(kernel_pred)
    ax.plot(grid, trained, lw=2, label="trained network")
    ax.plot(grid, kernel_pred, lw=2, ls=":", label="f_0 + NTK regression")
    ax.plot(grid, mean_prediction, "k--", lw=1, label="KernelRidge(kernel='ntk')")
    ax.scatter(X, y, c="k", zorder=3)
    ax.set_title(f"width N = {N}: relative gap {gap:.3f}")
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
