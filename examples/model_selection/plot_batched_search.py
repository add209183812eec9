"""
=========================================================
Batched grid search and kernel ridge regularization paths
=========================================================

Left: a 4 x 3 grid over ``alpha`` and ``learning_rate_init`` of an
:class:`~sklearn_mathdl.MLPClassifier` in a scaling pipeline, searched by
:class:`sklearn_mathdl.model_selection.GridSearchCV`: the 12 candidates of each
fold train as one stacked model, and the scores are those of separate fits
(checked below against scikit-learn's loop for one candidate). Right: the
exact leave-one-out error of :class:`~sklearn_mathdl.KernelRidgeCV` along the
``alpha`` path for three RBF widths, each path from one eigendecomposition,
beside the held-out error of the same models.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A batched grid search over regularization and step size.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer, make_friedman1
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import KernelRidge, KernelRidgeCV, MLPClassifier
from sklearn_mathdl.model_selection import GridSearchCV

X, y = load_breast_cancer(return_X_y=True)
alphas = [1e-4, 1e-2, 1.0, 10.0]
rates = [1e-3, 3e-3, 1e-2]
pipe = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
grid = {"mlpclassifier__alpha": alphas, "mlpclassifier__learning_rate_init": rates}
start = time.perf_counter()
search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
print(f"12 candidates x 3 folds in {time.perf_counter() - start:.1f} s")
print(search.batched_groups_)
print("best:", search.best_params_, f"{search.best_score_:.4f}")

# %%
# The same number from scikit-learn's own loop, for the best candidate.
best = pipe.set_params(**search.best_params_)
again = cross_val_score(best, X, y, cv=3).mean()
print(f"cross_val_score of the best candidate: {again:.4f}")

# %%
# Leave-one-out along the alpha path for three kernel widths.
Xr, yr = make_friedman1(n_samples=1400, n_features=10, noise=1.0, random_state=0)
Xr = StandardScaler().fit_transform(Xr)
X_train, y_train, X_test, y_test = Xr[:800], yr[:800], Xr[800:], yr[800:]
path = np.logspace(-3, 2, 16)
gammas = [0.01, 0.05, 0.2]
krcv = KernelRidgeCV(alphas=path, gamma=gammas).fit(X_train, y_train)
loo = -krcv.cv_results_["mean_test_score"].reshape(len(gammas), len(path))
held_out = np.array(
    [
        [
            mean_squared_error(
                y_test,
                KernelRidge(alpha=a, kernel="rbf", gamma=g)
                .fit(X_train, y_train)
                .predict(X_test),
            )
            for a in path
        ]
        for g in gammas
    ]
)

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
scores = search.cv_results_["mean_test_score"].reshape(len(alphas), len(rates))
im = left.imshow(scores, cmap="viridis")
left.set_xticks(range(len(rates)), [f"{r:g}" for r in rates])
left.set_yticks(range(len(alphas)), [f"{a:g}" for a in alphas])
left.set_xlabel("learning_rate_init")
left.set_ylabel("alpha")
left.set_title("3-fold CV accuracy, batched search")
for i in range(len(alphas)):
    for j in range(len(rates)):
        left.text(j, i, f"{scores[i, j]:.3f}", ha="center", va="center", color="w")
fig.colorbar(im, ax=left)
for k, g in enumerate(gammas):
    (line,) = right.loglog(path, loo[k], label=f"LOO, gamma={g}")
    right.loglog(path, held_out[k], "--", color=line.get_color(), label="held-out")
right.axvline(krcv.alpha_, color="k", lw=0.8)
right.set_xlabel("alpha")
right.set_ylabel("mean squared error")
right.set_title(f"KernelRidgeCV: alpha_={krcv.alpha_:.3g}, gamma_={krcv.gamma_}")
right.legend(fontsize=7)
fig.tight_layout()
plt.show()
