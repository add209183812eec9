"""
================================================
Fluctuations around the mean-field limit (a CLT)
================================================

In the mean-field scaling a one-hidden-layer network's output converges, as the
width N grows, to a deterministic limit g_t(x) (the empirical measure of the
neurons follows a PDE). The book's section 20.4 (Sirignano and Spiliopoulos,
"Mean field analysis of neural networks: a central limit theorem") goes one order
further: the fluctuations sqrt(N) (f_t^N(x) - g_t(x)) converge to a Gaussian
process. Here networks of widths 32 to 2048 are trained by the same full-batch
gradient descent (``scaling="mean_field"``, step eta N) from 20 independent
initializations each; the limit g_t is estimated by the average output of the
widest networks. Left: the spread of f^N around it, which shrinks like
N^(-1/2), and the rescaled spread sqrt(N) * std, which settles to a constant.
Right: the rescaled fluctuations at the widest network against a normal's
quantiles.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from sklearn_mathdl import MLPRegressor

rng = np.random.RandomState(0)
X = rng.randn(100, 3)
y = np.tanh(X[:, 0] + X[:, 1] * X[:, 2])
X_eval = rng.randn(20, 3)  # points where the output is followed

widths = [32, 128, 512, 2048]
n_seeds = 20
outputs = {}
for width in widths:
    outputs[width] = np.array(
        [
            MLPRegressor(
                hidden_layer_sizes=(width,),
                scaling="mean_field",
                optimizer="sgd",
                momentum=0.0,
                learning_rate_init=0.1,
                batch_size=len(X),  # full-batch gradient descent
                max_iter=100,
                n_iter_no_change=np.inf,
                alpha=0.0,
                shuffle=False,
                normalize_y=False,
                random_state=seed,
            )
            .fit(X, y)
            .predict(X_eval)
            for seed in range(n_seeds)
        ]
    )  # (seeds, points)

# the limit g_t(x): the mean over initializations at the largest width
limit = outputs[widths[-1]].mean(axis=0)
spread = {N: np.sqrt(np.mean((outputs[N] - limit) ** 2)) for N in widths}
for N in widths:
    rescaled = np.sqrt(N) * spread[N]
    print(f"N={N:5d}: spread {spread[N]:.4f}, sqrt(N) * spread {rescaled:.3f}")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.loglog(widths, [spread[N] for N in widths], "o-", label="spread of f^N around g")
ax1.loglog(
    widths,
    [np.sqrt(N) * spread[N] for N in widths],
    "s-",
    label="sqrt(N) x spread",
)
ax1.loglog(
    widths,
    [spread[widths[0]] * np.sqrt(widths[0] / N) for N in widths],
    "k--",
    lw=0.8,
    label="N^(-1/2)",
)
ax1.set(xlabel="width N", title="Fluctuations after 100 gradient steps (t = 10)")
ax1.legend()
# standardize the rescaled fluctuations per point, then pool the points
widest = outputs[widths[-1]]
z = (widest - limit) / widest.std(axis=0, ddof=1)
stats.probplot(z.ravel(), dist="norm", plot=ax2)
ax2.set_title(f"sqrt(N) (f^N - g) at N = {widths[-1]}, standardized per point")
fig.tight_layout()
plt.show()
