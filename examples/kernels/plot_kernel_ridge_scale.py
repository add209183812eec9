"""
==========================================
Kernel ridge regression: kernels and scale
==========================================

Left: the same 1-D regression problem fitted by :class:`~sklearn_mathdl.KernelRidge`
with different kernels; the arc-cosine kernel of order 1 is the kernel of an
infinitely wide ReLU network. Right: how the Nystrom solver trades accuracy for
time as the number of centres m grows, on 40,000 rows of friedman1, next to the
exact solver on the subsample it can afford.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Kernels on a 1-D problem.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1

from sklearn_mathdl import KernelRidge

rng = np.random.RandomState(0)
x = np.sort(rng.uniform(-3, 3, 80))[:, None]
y = np.sin(2 * x).ravel() + 0.2 * rng.randn(80)
grid = np.linspace(-3.5, 3.5, 400)[:, None]
fits = {
    "rbf": KernelRidge(alpha=0.1, kernel="rbf", gamma=2.0),
    "laplacian": KernelRidge(alpha=0.1, kernel="laplacian", gamma=1.0),
    "matern nu=1.5": KernelRidge(
        alpha=0.1, kernel="matern", kernel_params={"nu": 1.5, "length_scale": 0.7}
    ),
    "arccos order 1 (ReLU net)": KernelRidge(
        alpha=0.01, kernel="arccos", kernel_params={"order": 1}
    ),
}
curves = {
    name: est.fit(np.c_[x, np.ones_like(x)], y).predict(np.c_[grid, np.ones_like(grid)])
    for name, est in fits.items()
}

# %%
# Nystrom: accuracy and time against the number of centres. Data: friedman1 with
# 20 features (15 pure noise), noise 1.0; test R^2 on 5,000 held-out rows.
X, Y = make_friedman1(n_samples=45_000, n_features=20, noise=1.0, random_state=0)
X_train, y_train, X_test, y_test = X[:40_000], Y[:40_000], X[40_000:], Y[40_000:]
params = dict(alpha=1e-2, kernel="rbf", gamma=0.1)
ms, r2, secs = [50, 100, 200, 400, 800, 1600], [], []
for m in ms:
    start = time.perf_counter()
    est = KernelRidge(solver="nystrom", n_centers=m, random_state=0, **params)
    est.fit(X_train, y_train)
    secs.append(time.perf_counter() - start)
    r2.append(est.score(X_test, y_test))
start = time.perf_counter()
exact = KernelRidge(solver="exact", **params).fit(X_train[:8000], y_train[:8000])
exact_s, exact_r2 = time.perf_counter() - start, exact.score(X_test, y_test)

# %%
# Plot.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
ax1.scatter(x, y, s=10, c="k", label="data")
for name, curve in curves.items():
    ax1.plot(grid, curve, label=name)
ax1.set_title("one problem, four kernels (a bias feature appended)")
ax1.legend(fontsize=8)
ax2.plot(ms, r2, "o-", label="Nystrom, n = 40,000")
for m, s, r in zip(ms, secs, r2, strict=True):
    ax2.annotate(
        f"{s:.1f}s",
        (m, r),
        textcoords="offset points",
        xytext=(0, 6),
        fontsize=7,
        ha="center",
    )
ax2.axhline(
    exact_r2, color="C1", ls="--", label=f"exact on 8,000 rows ({exact_s:.1f}s)"
)
ax2.set_xscale("log")
ax2.set_xlabel("number of centres m")
ax2.set_ylabel("test R^2")
ax2.set_title("Nystrom: more centres, more accuracy")
ax2.legend(fontsize=8)
fig.tight_layout()
plt.show()
