"""Model inspection: feature importance with confidence intervals and p-values."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn_mathdl.inspection._importance import (
    feature_importance,
    plot_feature_importance,
    to_shap_explanation,
)

__all__ = ["feature_importance", "plot_feature_importance", "to_shap_explanation"]
