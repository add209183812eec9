"""Input checks shared by the torch and kernel estimators."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight


def class_sample_weight(class_weight, y, sample_weight):
    """``sample_weight`` times the per-sample weights of ``class_weight``, checked.

    Every class weight must be a finite, non-negative number, and the product
    must not be 0 for every sample: such weights would train on NaN or on
    nothing at all, silently or with a misleading divergence error. With
    ``class_weight=None`` only the positive sum of ``sample_weight`` is checked.
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
    if class_weight is None:
        if not sample_weight.sum() > 0:
            raise ValueError("sample_weight must have a positive sum.")
        return sample_weight
    weights = sample_weight * compute_sample_weight(class_weight, y).astype(
        sample_weight.dtype
    )
    if not weights.sum() > 0:
        raise ValueError(
            "sample_weight times class_weight is 0 for every sample: at least one "
            "class present in y needs a positive weight."
        )
    return weights


def check_hidden_layer_sizes(sizes):
    """Refuse hidden layer widths that are not positive integers."""
    for size in sizes:
        if not isinstance(size, Integral) or size < 1:
            raise ValueError(
                f"hidden_layer_sizes must contain positive integers, got {sizes!r}."
            )


def standardizing_scale(Y, sample_weight):
    """(weighted mean, weighted standard deviation) of each column of ``Y``.

    A standard deviation that is zero to rounding (a constant column) becomes
    1, so that standardizing leaves such a column centred rather than NaN.
    """
    mean = np.average(Y, axis=0, weights=sample_weight)
    std = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=sample_weight))
    std[std < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean, std


def labels_from_scores(classes, scores):
    """Class labels from decision scores: one column (binary, positive means
    ``classes[1]``) or one column per class (the largest wins)."""
    if scores.ndim == 1:
        return classes[(scores > 0).astype(np.intp)]
    return classes[np.argmax(scores, axis=1)]
