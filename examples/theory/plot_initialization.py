"""
===================================================
Initialization: signal propagation through depth
===================================================

The book's section 19.2 asks how the initial weights should scale with the width.
For a layer :math:`z = W h + b` with :math:`w_{ij} \\sim (0, \\sigma_w^2)`,
:math:`E[z_i^2] = \\text{fan\\_in}\\, \\sigma_w^2\\, E[h_j^2]`. A ReLU keeps half of
the second moment, so :math:`\\sigma_w^2 = 2/\\text{fan\\_in}` ("he", He et al. 2015)
keeps :math:`E[z^2]` the same in every layer, LeCun's
:math:`1/\\text{fan\\_in}` halves it per layer, and Glorot's
:math:`2/(\\text{fan\\_in} + \\text{fan\\_out})` shrinks it further when layers widen.
This example builds deep ReLU networks with each ``init`` of
:class:`~sklearn_mathdl.MLPClassifier` and measures the second moment layer by
layer, then trains each on the digits to show what the signal does to learning.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Second moment of the pre-activations, layer by layer, at initialization.
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from sklearn_mathdl import MLPClassifier
from sklearn_mathdl._modules._mlp import _MLPModule

torch.manual_seed(0)
depth, width = 12, 256
X0 = torch.randn(512, 64)
laws = ["glorot", "he", "lecun", "ntk", "torch"]
moments = {}
for init in laws:
    module = _MLPModule(64, 10, (width,) * depth, "relu", init=init)
    h, m = X0, []
    with torch.no_grad():
        for layer in module.layers[:-1]:
            h = layer(h)
            if isinstance(layer, nn.Linear):
                m.append(float(h.pow(2).mean()))
    moments[init] = m

fig, ax = plt.subplots(figsize=(6, 4))
for init, m in moments.items():
    ax.semilogy(range(1, depth + 1), m, "o-", label=init)
ax.set_xlabel("hidden layer")
ax.set_ylabel("E[z^2] of the pre-activations")
ax.set_title(f"ReLU network, width {width}, unit-variance inputs")
ax.legend()
fig.tight_layout()

# %%
# "he" holds the moment constant; LeCun's law (zero biases) halves it at each
# layer, about :math:`2^{-11}` after 12 layers. Glorot's law and PyTorch's draw
# biases on the scale of the weights, and "ntk" draws unit-variance biases: the
# biases feed a fresh, input-independent term into every layer, so the moment
# stops shrinking, but the part of it that depends on the input still shrinks
# with the weight variance (a factor 1/6 per layer for PyTorch's
# U(+-1/sqrt(fan_in)) under ReLU).
for init, m in moments.items():
    print(f"{init:>7}: E[z^2] in layer {depth} / layer 1 = {m[-1] / m[0]:.2e}")

# %%
# Training an 8-hidden-layer network on the digits shows the consequence: when
# the input's part of the signal vanishes (PyTorch's law, about :math:`6^{-8}`
# after 8 layers) the output barely depends on the input, the first layers get
# almost no gradient, and the fit stays at chance level; the other laws train.
import warnings

from sklearn.exceptions import ConvergenceWarning

X, y = load_digits(return_X_y=True)
for init in laws:
    clf = make_pipeline(
        StandardScaler(),
        MLPClassifier((64,) * 8, init=init, max_iter=30, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=".*learnt nothing")
        scores = cross_val_score(clf, X, y, cv=3)
    print(f"{init:>7}: 3-fold accuracy {np.mean(scores):.3f}")
