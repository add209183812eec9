"""
====================================================
Double descent with random ReLU features
====================================================

The book's section 1.6: the classical bias-variance picture says test error is
U-shaped in model size; past the interpolation threshold, where the model has as
many parameters as there are training points, it comes down again ("double
descent", Belkin et al. 2019). Here the model is a one-hidden-layer ReLU network
whose hidden weights are random and frozen, :math:`\\phi_i(x) = \\sqrt{2/N}\\,
\\max(0, w_i \\cdot x)` with :math:`w_i \\sim N(0, I)`, and whose readout is fitted
by ridgeless least squares (:class:`~sklearn_mathdl.KernelRidge` with a linear
kernel on the features and ``alpha=1e-8``, the minimum-norm interpolator once
:math:`N \\geq n`). As :math:`N \\to \\infty` the feature kernel tends to the
arc-cosine kernel (:func:`~sklearn_mathdl.kernels.arccos_kernel`), drawn as the
limit. The data: 60 training rows of scikit-learn's diabetes set.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Test error against the width N, averaged over draws of the features.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import KernelRidge, KernelRidgeCV

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=60, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
y_scale = y_train.std()
n = len(y_train)


def features(A, W):
    return np.sqrt(2.0 / W.shape[1]) * np.maximum(A @ W, 0.0)


def test_mse(model, F_train, F_test):
    model.fit(F_train, y_train)
    return mean_squared_error(y_test, model.predict(F_test)) / y_scale**2


widths = np.unique(np.geomspace(4, 2000, 20).astype(int))
seeds = range(5)
ridgeless, tuned = [], []
for N in widths:
    runs, runs_cv = [], []
    for seed in seeds:
        W = np.random.RandomState(seed).randn(X.shape[1], N)
        F_train, F_test = features(X_train, W), features(X_test, W)
        runs.append(test_mse(KernelRidge(alpha=1e-8), F_train, F_test))
        cv = KernelRidgeCV(kernel="linear", alphas=np.logspace(-4, 3, 8))
        runs_cv.append(test_mse(cv, F_train, F_test))
    ridgeless.append(np.median(runs))
    tuned.append(np.median(runs_cv))
limit = test_mse(KernelRidge(kernel="arccos", alpha=1e-8), X_train, X_test)

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.loglog(widths, ridgeless, "o-", label="ridgeless readout (alpha=1e-8)")
ax.loglog(widths, tuned, "s-", label="readout with alpha by leave-one-out")
ax.axhline(limit, color="k", ls=":", label="N = infinity (arc-cosine kernel)")
ax.axvline(n, color="grey", ls="--", label=f"N = n = {n}")
ax.set_xlabel("width N (random ReLU features)")
ax.set_ylabel("test MSE / Var(y)")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# The ridgeless error rises as N approaches n (the least-squares system becomes
# square and ill-conditioned, and the interpolating readout's norm explodes), peaks
# at N = n, and falls again as N grows towards the kernel limit. On 60 noisy rows
# the second descent only reaches that limit, which interpolates the noise and is
# no better than predicting the mean, while the classical optimum (a few dozen
# features, below the threshold) is better. A penalty chosen by leave-one-out
# (:class:`~sklearn_mathdl.KernelRidgeCV`) removes the peak and beats both:
# double descent is a property of the unregularized interpolator.
peak = widths[int(np.argmax(ridgeless))]
print(f"peak of the ridgeless test error at N = {peak} (n = {n})")
print(f"largest width: ridgeless {ridgeless[-1]:.3f}, limit {limit:.3f}")
print(f"with the leave-one-out penalty: at most {max(tuned):.3f}")
