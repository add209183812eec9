"""Input gradients and integrated gradients through our torch estimators."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import torch
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    RobustScaler,
    StandardScaler,
)

# Steps whose transform is x -> a * x + c column by column: the chain rule
# through them is a product with a.
_ELEMENTWISE_AFFINE = (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler)


def differentiable_model(estimator):
    """Split ``estimator`` into an elementwise affine map and a torch estimator.

    Returns ``(model, a, c)`` such that the model's input is ``a * x + c``.
    Raises TypeError naming the step that cannot be differentiated.
    """
    from sklearn_mathdl._base import _BaseTorchClassifier, _BaseTorchRegressor

    steps = []
    final = estimator
    if isinstance(estimator, Pipeline):
        steps = [s for _, s in estimator.steps[:-1] if s not in (None, "passthrough")]
        final = estimator.steps[-1][1]
    if not isinstance(final, (_BaseTorchClassifier, _BaseTorchRegressor)):
        raise TypeError(
            "method='gradient' and 'integrated_gradients' differentiate through "
            "the torch module of a sklearn_mathdl classifier or regressor; got "
            f"{type(final).__name__}. Use method='shap' or 'permutation', which "
            "work with any estimator."
        )
    n_features = final.n_features_in_
    a = np.ones(n_features)
    c = np.zeros(n_features)
    for step in steps:
        if type(step) not in _ELEMENTWISE_AFFINE:
            raise TypeError(
                "method='gradient' can apply the chain rule only through "
                "StandardScaler, MinMaxScaler, MaxAbsScaler and RobustScaler in "
                f"front of the network; the pipeline has a {type(step).__name__} "
                "step. Use method='shap' or 'permutation' for this pipeline."
            )
        if getattr(step, "clip", False):
            raise TypeError(
                "MinMaxScaler(clip=True) is not differentiable at the clip "
                "boundaries; refit with clip=False or use method='shap'."
            )
        zero = _transform_row(step, 0.0, n_features)
        one = _transform_row(step, 1.0, n_features)
        # compose: new(x) = s(a x + c) = slope (a x + c) + offset
        slope = one - zero
        a, c = slope * a, slope * c + zero
    return final, a, c


def _transform_row(step, value, n_features):
    row = np.full((1, n_features), value)
    names = getattr(step, "feature_names_in_", None)
    if names is not None:  # fitted on a DataFrame: give it one
        import pandas as pd

        row = pd.DataFrame(row, columns=names)
    return np.asarray(step.transform(row), dtype=np.float64)[0]


def _input_grads(model, Z):
    """Input gradients (n, d, n_outputs) of the model's output at rows Z."""
    device = model._device
    module = model.module_
    module.eval()
    Zt = torch.as_tensor(np.ascontiguousarray(Z, dtype=np.float32), device=device)
    grads = []
    for start in range(0, len(Zt), 4096):
        zb = Zt[start : start + 4096].clone().requires_grad_(True)
        with torch.enable_grad():
            out = model._differentiable_output(zb)
            g = []
            for k in range(out.shape[1]):
                (gk,) = torch.autograd.grad(
                    out[:, k].sum(), zb, retain_graph=k + 1 < out.shape[1]
                )
                g.append(gk)
        grads.append(torch.stack(g, dim=-1).double().cpu().numpy())
    return np.concatenate(grads)


def input_gradients(estimator, X):
    """d prediction / d x at the rows of X in the input units of the pipeline.

    Returns (n_samples, n_features, n_outputs).
    """
    model, a, c = differentiable_model(estimator)
    X = np.asarray(X, dtype=np.float64)
    g = _input_grads(model, X * a + c)
    return g * a[None, :, None]


def integrated_gradients(estimator, X, baseline, *, n_steps=50):
    """Integrated gradients (Sundararajan et al. 2017) from ``baseline`` to X.

    ``IG_j(x) = (x_j - x'_j) * int_0^1 df/dx_j(x' + t (x - x')) dt`` by the
    midpoint rule with ``n_steps`` points. Completeness:
    ``sum_j IG_j(x) = f(x) - f(x')`` up to the quadrature error.

    Returns (n_samples, n_features, n_outputs).
    """
    model, a, c = differentiable_model(estimator)
    X = np.asarray(X, dtype=np.float64)
    baseline = np.asarray(baseline, dtype=np.float64).reshape(1, -1)
    ts = (np.arange(n_steps) + 0.5) / n_steps
    total = None
    for t in ts:
        g = _input_grads(model, (baseline + t * (X - baseline)) * a + c)
        total = g if total is None else total + g
    avg = total / n_steps * a[None, :, None]
    return avg * (X - baseline)[:, :, None]
