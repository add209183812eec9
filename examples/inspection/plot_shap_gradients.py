"""
==========================================================
Shapley values and gradients with noise-probe significance
==========================================================

The diabetes data (442 patients, 10 features) and an
:class:`~sklearn_mathdl.MLPRegressor` behind a StandardScaler. We compare three
attributions from :func:`~sklearn_mathdl.inspection.feature_importance`:

- mean absolute Shapley value (``method="shap"``), from our batched sampler;
- mean absolute integrated gradient (``method="integrated_gradients"``),
  differentiated through the network and the scaler;
- mean absolute gradient times the feature's standard deviation.

Each is computed over 2 refits with different random states. Every refit adds
39 shadow features (permuted copies of real ones, irrelevant by construction), so
the p-value of a feature is the share of shadows at least as important. Filled
bars are significant at 0.05. Finally, the per-patient Shapley values go to
shap's beeswarm plot.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Importances with intervals over refits and rows.
import matplotlib.pyplot as plt
import numpy as np
import shap
from sklearn.datasets import load_diabetes
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import MLPRegressor
from sklearn_mathdl.inspection import (
    feature_importance,
    plot_feature_importance,
    to_shap_explanation,
)

X, y = load_diabetes(return_X_y=True, as_frame=True)
model = make_pipeline(
    StandardScaler(),
    MLPRegressor(
        hidden_layer_sizes=(32,),
        optimizer="adam",
        alpha=1.0,
        learning_rate_init=3e-3,
        max_iter=100,
    ),
)
common = dict(n_refits=2, n_background=50, max_samples=100, random_state=0)
results = {
    "mean |SHAP|": feature_importance(model, X, y, method="shap", **common),
    "mean |integrated gradient|": feature_importance(
        model, X, y, method="integrated_gradients", **common
    ),
    "mean |gradient| x std": feature_importance(
        model, X, y, method="gradient", **common
    ),
}
grad = results["mean |gradient| x std"]
std = X.std().to_numpy()
for key in ("importances", "ci_low", "ci_high"):
    grad[key] = grad[key] * std  # per standard deviation, comparable across features

for name, res in results.items():
    top = res.feature_names[np.argsort(-res.importances)[:4]]
    print(
        f"{name:28s} top 4: {list(top)}; p < 0.05: "
        f"{list(res.feature_names[res.pvalues < 0.05])}"
    )

# %%
# Bars with 95% intervals; filled where the probe p-value is below 0.05.
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, (name, res) in zip(axes, results.items(), strict=True):
    plot_feature_importance(res, ax=ax)
    ax.set_xlabel(name)
fig.tight_layout()

# %%
# Per-patient Shapley values (held-out rows of every refit) in shap's beeswarm plot.
plt.figure()
shap.plots.beeswarm(to_shap_explanation(results["mean |SHAP|"]), show=False)
plt.tight_layout()
plt.show()
