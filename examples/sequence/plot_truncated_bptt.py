"""
=========================================================
Backpropagation through time, full and truncated
=========================================================

The gradient of a sequence-to-one loss with respect to the input at step
:math:`t` passes through the Jacobians :math:`\\partial h_{s+1} / \\partial h_s` of
every later step, so it shrinks (or grows) geometrically with the distance to the
end of the sequence: the vanishing gradients of the book's chapter 13. Truncated
BPTT (``bptt_steps`` of :class:`~sklearn_mathdl.RNNClassifier`) cuts the sum at
:math:`k` steps: earlier steps get no gradient at all, and training memory stops
growing with the length. This example plots :math:`\\|\\partial L / \\partial x_t\\|`
against :math:`t` for an Elman network, an LSTM, and the Elman network truncated to
20 steps, then trains both Elman variants on a task whose signal lies in the last
steps.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Gradient reaching each time step, at initialization.

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_mathdl import RNNClassifier
from sklearn_mathdl._modules._sequence import _RNNModule

T = 100
torch.manual_seed(0)
X = torch.randn(64, 1, T)
curves = {}
for label, cell, steps in [
    ("Elman, full BPTT", "elman", None),
    ("LSTM, full BPTT", "lstm", None),
    ("Elman, bptt_steps=20", "elman", 20),
]:
    torch.manual_seed(0)
    module = _RNNModule(
        1,
        1,
        cell=cell,
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        bptt_steps=steps,
    )
    x = X.clone().requires_grad_()
    module(x).pow(2).sum().backward()
    curves[label] = x.grad.abs().mean(dim=(0, 1)).numpy()

fig, ax = plt.subplots(figsize=(6, 4))
for label, g in curves.items():
    ax.semilogy(np.arange(T), np.maximum(g, 1e-30), label=label)
ax.set_ylim(1e-12, None)
ax.set_xlabel("time step t")
ax.set_ylabel("mean |dL/dx_t|")
ax.legend()
fig.tight_layout()

# %%
# The full Elman gradient decays geometrically towards the start of the series;
# the truncated one is identical over the last 20 steps and exactly zero before
# them. When the label depends on recent values only, truncation costs nothing:
rng = np.random.RandomState(0)
Xs = rng.randn(400, 1, T)
ys = (Xs[:, 0, -5:].sum(axis=1) > 0).astype(int)
import warnings

from sklearn.exceptions import ConvergenceWarning

warnings.simplefilter("ignore", ConvergenceWarning)
for steps in (None, 20):
    clf = RNNClassifier(
        "elman",
        hidden_size=16,
        bptt_steps=steps,
        patch_size=1,
        max_iter=60,
        random_state=0,
    )
    clf.fit(Xs[:300], ys[:300])
    print(f"bptt_steps={steps}: test accuracy {clf.score(Xs[300:], ys[300:]):.3f}")
