"""
===========================================
Full-batch L-BFGS, and sparse one-hot input
===========================================

Two things scikit-learn's MLP users reach for. First, ``optimizer="lbfgs"``: on a
small regression problem full-batch L-BFGS (a quasi-Newton direction from the last
10 steps, a strong-Wolfe line search) reaches a lower penalized loss than Adam in
far fewer iterations, each of which is one pass over the data. Second, sparse
input: a :class:`~sklearn.preprocessing.OneHotEncoder` output stays a SciPy sparse
matrix, and so does every mini-batch: the first layer multiplies it by a
sparse-dense product, whose cost follows the non-zeros, not the columns.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A smooth surface, 300 noisy samples.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_mathdl import MLPClassifier, MLPRegressor

rng = np.random.default_rng(0)
X = rng.uniform(-3, 3, (300, 2))
y = np.sin(X[:, 0]) * np.cos(X[:, 1]) + 0.05 * rng.normal(size=300)
X_test = rng.uniform(-3, 3, (1000, 2))
y_test = np.sin(X_test[:, 0]) * np.cos(X_test[:, 1])

# %%
# The same network and penalty (chosen from the data, ``alpha="auto"``), trained
# by Adam and by L-BFGS (the regressor's default on small data).
curves = {}
for name in ["adam", "lbfgs"]:
    reg = MLPRegressor(optimizer=name, random_state=0)
    start = time.perf_counter()
    reg.fit(X, y)
    seconds = time.perf_counter() - start
    curves[name] = reg.loss_curve_
    print(
        f"{name:5s}: {reg.n_iter_:4d} iterations, final loss {reg.loss_:.4f}, "
        f"test R^2 {reg.score(X_test, y_test):.3f}, {seconds:.2f} s"
    )

fig, ax = plt.subplots(figsize=(6, 4))
for name, curve in curves.items():
    label = "Adam (epochs of 2 mini-batches)" if name == "adam" else "L-BFGS"
    ax.semilogy(np.arange(1, len(curve) + 1), curve, label=label)
ax.set_xlabel("epoch (L-BFGS: iteration, one pass over the data)")
ax.set_ylabel("penalized training loss")
ax.set_title("sin(x1) cos(x2), 300 samples")
ax.legend()
fig.tight_layout()

# %%
# Sparse input: 20 categorical columns with 50 levels each give a 1,000-column
# one-hot matrix with 20 non-zeros per row. It reaches the network as a sparse
# matrix; no dense copy of it, or of a batch of it, is ever made. The same fit on
# a dense copy gives the same model (up to float32 rounding) at the cost of all
# the zeros.
n, n_columns, n_levels = 3000, 20, 50
codes = rng.integers(0, n_levels, (n, n_columns))
effect = rng.normal(size=(n_columns, n_levels))
score = effect[np.arange(n_columns), codes].sum(axis=1)
labels = (score > np.median(score)).astype(int)

encoder = OneHotEncoder(handle_unknown="ignore")  # sparse output by default
print("encoded:", type(encoder.fit_transform(codes)).__name__)
for form in ["sparse", "dense"]:
    one_hot = OneHotEncoder(handle_unknown="ignore", sparse_output=form == "sparse")
    mlp = MLPClassifier(hidden_layer_sizes=(32,), random_state=0)
    clf = make_pipeline(one_hot, mlp)
    start = time.perf_counter()
    clf.fit(codes[:2000], labels[:2000])
    seconds = time.perf_counter() - start
    accuracy = clf.score(codes[2000:], labels[2000:])
    print(f"one-hot MLP, {form} input: accuracy {accuracy:.3f}, fit {seconds:.2f} s")
