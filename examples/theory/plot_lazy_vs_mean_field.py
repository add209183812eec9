"""
====================================================
Lazy (NTK) vs feature-learning (mean-field) training
====================================================

The same one-hidden-layer network :math:`f(x) = s_N \\sum_{i=1}^N a_i
\\phi(w_i \\cdot x/\\sqrt d + b_i)` trained by full-batch gradient descent, in the two
scalings of :class:`~sklearn_mathdl.MLPRegressor`'s ``scaling`` parameter:

- ``"ntk"`` (:math:`s_N = N^{-1/2}`): as the width N grows, the hidden weights move
  less and less (like :math:`N^{-1/2}`) and training becomes kernel regression with
  the neural tangent kernel (:func:`~sklearn_mathdl.kernels.ntk_kernel`);
- ``"mean_field"`` (:math:`s_N = N^{-1}`, step multiplied by N): the hidden weights
  move by O(1) at every width and the training curve no longer depends on N.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Train both scalings at several widths and record how far the hidden weights moved.
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_mathdl import MLPRegressor
from sklearn_mathdl.utils._seeding import torch_seed

rng = np.random.RandomState(0)
X = rng.randn(200, 10).astype(np.float32)
y = np.tanh(X[:, 0] + X[:, 1] * X[:, 2])
widths = [64, 256, 1024, 4096]
change, curves = {"ntk": [], "mean_field": []}, {"ntk": {}, "mean_field": {}}
for scaling in change:
    for N in widths:
        est = MLPRegressor(
            hidden_layer_sizes=(N,),
            scaling=scaling,
            optimizer="sgd",
            momentum=0.0,
            learning_rate_init=0.5,
            batch_size=200,
            max_iter=200,
            alpha=0.0,
            tol=0.0,
            n_iter_no_change=200,
            shuffle=False,
            normalize_y=False,
            random_state=0,
        ).fit(X, y)
        with torch_seed(est._seed, torch.device("cpu")):
            W0 = est._build_module(10, 1).layers[0].weight.detach()
        W = est.module_.layers[0].weight.detach()
        change[scaling].append(float((W - W0).norm() / W0.norm()))
        curves[scaling][N] = est.loss_curve_

# %%
# Plot: feature movement against width (log-log) and the training curves.
fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
for scaling, marker in [("ntk", "o"), ("mean_field", "s")]:
    axes[0].loglog(widths, change[scaling], marker + "-", label=scaling)
axes[0].loglog(
    widths,
    change["ntk"][0] * np.sqrt(widths[0] / np.array(widths)),
    "k:",
    label="N^(-1/2)",
)
axes[0].set_xlabel("width N")
axes[0].set_ylabel("||W_T - W_0|| / ||W_0||")
axes[0].set_title("how far the hidden features move")
axes[0].legend()
for ax, scaling in zip(axes[1:], ["ntk", "mean_field"], strict=True):
    for N, curve in curves[scaling].items():
        ax.semilogy(curve, label=f"N = {N}")
    ax.set_title(f"training loss, scaling='{scaling}'")
    ax.set_xlabel("gradient step")
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
