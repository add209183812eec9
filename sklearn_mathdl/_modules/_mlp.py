"""Fully-connected feed-forward network module."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "logistic": nn.Sigmoid,  # scikit-learn's name
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


class _ScaledLinear(nn.Module):
    """Affine map with N(0, 1) parameters and explicit scales.

    ``forward(x) = weight_scale * x @ W.T + bias_scale * b``: the
    parameterizations of the NTK and mean-field analyses, where the width
    enters through the scales, not the initialization.
    """

    def __init__(self, n_in, n_out, weight_scale, bias_scale=None):
        super().__init__()
        self.in_features, self.out_features = n_in, n_out
        self.weight = nn.Parameter(torch.randn(n_out, n_in))
        self.bias = nn.Parameter(torch.randn(n_out)) if bias_scale else None
        self.weight_scale = float(weight_scale)
        self.bias_scale = float(bias_scale or 0.0)

    def forward(self, X):
        out = nn.functional.linear(X, self.weight) * self.weight_scale
        if self.bias is not None:
            out = out + self.bias_scale * self.bias
        return out


class _MLPModule(nn.Module):
    """Linear -> [BatchNorm] -> activation -> [Dropout] blocks, then a linear head.

    With ``hidden_layer_sizes=()`` this is a single affine map: linear
    regression, or logistic regression under a sigmoid/softmax loss.
    Each activation is its own module instance (no reuse), which keeps the
    network friendly to hook-based tools such as SHAP's DeepExplainer.

    Weights and biases start from Glorot's uniform law, as in scikit-learn's
    MLP: U(-b, b) with b = sqrt(6 / (fan_in + fan_out)) (sqrt(2 / ...) for the
    sigmoid). On small tabular sets this beat PyTorch's default init
    (U(+-1/sqrt(fan_in))) in 5-fold CV averaged over seeds.
    """

    def __init__(
        self,
        n_features_in,
        n_outputs,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        scaling="standard",
    ):
        super().__init__()
        if scaling == "mean_field" and len(hidden_layer_sizes) != 1:
            raise ValueError(
                "scaling='mean_field' is defined for one hidden layer; got "
                f"hidden_layer_sizes={tuple(hidden_layer_sizes)}."
            )
        layers = []
        width = n_features_in

        def linear(n_in, n_out, readout=False):
            if scaling == "standard":
                return nn.Linear(n_in, n_out)
            if not readout:  # w.x / sqrt(fan_in) + b, w, b ~ N(0, 1)
                return _ScaledLinear(n_in, n_out, 1.0 / math.sqrt(n_in), 1.0)
            if scaling == "mean_field":  # a.h / N, no bias
                return _ScaledLinear(n_in, n_out, 1.0 / n_in)
            # a.h / sqrt(N) + b, as google/neural-tangents' NTK parameterization
            return _ScaledLinear(n_in, n_out, 1.0 / math.sqrt(n_in), 1.0)

        for size in hidden_layer_sizes:
            layers.append(linear(width, size))
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(linear(width, n_outputs, readout=True))
        self.layers = nn.Sequential(*layers)
        sigmoid = activation in ("sigmoid", "logistic")
        self.reset_parameters(2.0 if sigmoid else 6.0)

    @torch.no_grad()
    def reset_parameters(self, factor=6.0):
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                bound = math.sqrt(factor / (layer.in_features + layer.out_features))
                layer.weight.uniform_(-bound, bound)
                layer.bias.uniform_(-bound, bound)

    def forward(self, X):
        return self.layers(X)
