"""Fully-connected feed-forward network module."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


class _MLPModule(nn.Module):
    """Linear -> [BatchNorm] -> activation -> [Dropout] blocks, then a linear head.

    With ``hidden_layer_sizes=()`` this is a single affine map: linear
    regression, or logistic regression under a sigmoid/softmax loss.
    Each activation is its own module instance (no reuse), which keeps the
    network friendly to hook-based tools such as SHAP's DeepExplainer.
    """

    def __init__(
        self,
        n_features_in,
        n_outputs,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
    ):
        super().__init__()
        layers = []
        width = n_features_in
        for size in hidden_layer_sizes:
            layers.append(nn.Linear(width, size))
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        return self.layers(X)
