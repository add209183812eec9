"""
===============================================
Which features matter? Importance with p-values
===============================================

friedman1 with 5 informative features and 25 pure-noise features. An
:class:`~sklearn_mathdl.MLPRegressor` is fitted on 1,000 rows and
:func:`~sklearn_mathdl.inspection.feature_importance` permutes each column of 500
held-out rows 99 times. Bars show the loss increase with bootstrap 95% intervals;
filled bars are significant at 0.05 by the exact permutation test. Noise
features have importances near 0, and a test at level 0.05 flags about 5% of them
by chance (here, out of 25).
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit a network on training rows, then measure importance on held-out rows.
import matplotlib.pyplot as plt
from sklearn.datasets import make_friedman1
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import MLPRegressor
from sklearn_mathdl.inspection import feature_importance, plot_feature_importance

X, y = make_friedman1(n_samples=1500, n_features=30, noise=1.0, random_state=1)
model = make_pipeline(
    StandardScaler(),
    MLPRegressor(
        hidden_layer_sizes=(64,),
        alpha=1e-2,
        max_iter=100,
        early_stopping=True,
        random_state=0,
    ),
).fit(X[:1000], y[:1000])
result = feature_importance(model, X[1000:], y[1000:], random_state=0)
print("significant at 0.05:", list(result.feature_names[result.pvalues < 0.05]))

# %%
# Plot.
fig, ax = plt.subplots(figsize=(7, 8))
plot_feature_importance(result, ax=ax)
ax.set_title("friedman1: x0-x4 informative, x5-x29 noise")
fig.tight_layout()
plt.show()
