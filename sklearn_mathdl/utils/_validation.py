"""Input checks shared by the torch and kernel estimators."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Real

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight


def class_sample_weight(class_weight, y):
    """Per-sample weights of ``class_weight`` for labels ``y``, checked.

    Every weight must be a finite, non-negative number and the classes present
    in ``y`` must not all weigh 0: such weights would train on NaN or nothing
    at all, silently or with a misleading divergence error.
    """
    if isinstance(class_weight, dict):
        for label, value in class_weight.items():
            if (
                not isinstance(value, Real)
                or isinstance(value, bool)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ValueError(
                    "class_weight values must be finite non-negative numbers; got "
                    f"{value!r} for class {label!r}."
                )
    weights = compute_sample_weight(class_weight, y)
    if not np.any(weights > 0):
        raise ValueError(
            "class_weight gives every training sample weight 0: at least one "
            "class present in y needs a positive weight."
        )
    return weights
