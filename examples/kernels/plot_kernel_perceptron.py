"""
===================================================
The perceptron and the kernel perceptron on circles
===================================================

The book's chapter 4. Rosenblatt's perceptron changes its weights only on its
mistakes; on two concentric circles no line separates the classes, so it never
completes an epoch without a mistake. Its dual form, with the inner product
replaced by an RBF kernel, separates them after a few epochs. The right panel
shows the mistakes per epoch.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles
from sklearn.exceptions import ConvergenceWarning

from sklearn_mathdl import KernelPerceptron, Perceptron

X, y = make_circles(300, factor=0.4, noise=0.06, random_state=0)
X_test, y_test = make_circles(500, factor=0.4, noise=0.06, random_state=1)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # the line cannot converge
    linear = Perceptron(max_iter=30, random_state=0).fit(X, y)
kernel = KernelPerceptron(kernel="rbf", gamma=2.0, random_state=0).fit(X, y)
for name, clf in [("perceptron", linear), ("RBF kernel perceptron", kernel)]:
    print(
        f"{name}: converged={clf.converged_}, epochs={clf.n_iter_}, "
        f"test accuracy {clf.score(X_test, y_test):.3f}"
    )
print(f"support vectors: {len(kernel.support_)} of {len(X)} rows")

# %%
xx, yy = np.meshgrid(np.linspace(-1.4, 1.4, 200), np.linspace(-1.4, 1.4, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 3, figsize=(13, 4))
for ax, (name, clf) in zip(
    axes[:2], [("perceptron", linear), ("RBF kernel perceptron", kernel)], strict=True
):
    z = clf.decision_function(grid).reshape(xx.shape)
    ax.contourf(xx, yy, z > 0, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=10, edgecolors="k")
    ax.set_title(f"{name}: test {clf.score(X_test, y_test):.2f}")
    ax.set_aspect("equal")
axes[2].plot(np.arange(1, linear.n_iter_ + 1), linear.mistakes_, "o-", label="linear")
axes[2].plot(np.arange(1, kernel.n_iter_ + 1), kernel.mistakes_, "s-", label="RBF")
axes[2].set_xlabel("epoch")
axes[2].set_ylabel("mistakes")
axes[2].legend()
fig.tight_layout()
