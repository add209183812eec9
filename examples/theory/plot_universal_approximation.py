"""
====================================================
Universal approximation: error against network width
====================================================

The universal approximation theorem says one hidden layer suffices to approximate any
continuous function on a compact set, given enough units. Here networks of growing
width N (:class:`~sklearn_mathdl.MLPRegressor`, ReLU, one hidden layer) are fitted
to a smooth 1-D function; the approximation error falls steadily with N. (For ReLU
networks and smooth targets the best error decays polynomially in N; training by
gradient descent reaches less than the best, but the trend is the theorem's.)
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit networks of increasing width to f(x) = sin(3x) + 0.3 x^2 on [-2, 2].
import matplotlib.pyplot as plt
import numpy as np

from sklearn_mathdl import MLPRegressor

x = np.linspace(-2, 2, 400)[:, None]
f = np.sin(3 * x).ravel() + 0.3 * x.ravel() ** 2
widths = [2, 4, 8, 16, 32, 64, 128]
errors, fits = [], {}
for N in widths:
    net = MLPRegressor(
        hidden_layer_sizes=(N,),
        optimizer="adam",
        learning_rate_init=0.01,
        batch_size=400,
        max_iter=1500,
        tol=0.0,
        n_iter_no_change=1500,
        alpha=0.0,
        random_state=0,
    ).fit(x, f)
    pred = net.predict(x)
    errors.append(np.sqrt(np.mean((pred - f) ** 2)))
    fits[N] = pred

# %%
# Plot the fits and the error against the width.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
ax1.plot(x, f, "k", lw=3, alpha=0.3, label="target")
for N in (2, 8, 128):
    ax1.plot(x, fits[N], label=f"N = {N}")
ax1.legend()
ax1.set_title("one-hidden-layer ReLU networks")
ax2.loglog(widths, errors, "o-")
ax2.set_xlabel("width N")
ax2.set_ylabel("RMS error on [-2, 2]")
ax2.set_title("approximation error falls with the width")
fig.tight_layout()
plt.show()
