"""sklearn_mathdl: the book's deep learning models as scikit-learn estimators.

The estimators and submodules load on first use (PEP 562): ``import
sklearn_mathdl`` does not import torch or scikit-learn, so a script, a CLI or a
worker process that only needs one estimator pays for what it uses.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "CNNClassifier": "_sequence",
    "CNNRegressor": "_sequence",
    "ConformalRegressor": "_conformal",
    "DeepEnsembleClassifier": "_ensemble",
    "DeepEnsembleRegressor": "_ensemble",
    "KernelRidge": "_kernel_ridge",
    "KernelRidgeCV": "_kernel_ridge_cv",
    "KernelRidgeClassifier": "_kernel_ridge",
    "MLPClassifier": "_mlp",
    "MLPRegressor": "_mlp",
    "NeuralODEClassifier": "_ode",
    "NeuralODERegressor": "_ode",
    "NeuralSDE": "_sde",
    "NeuralSDEClassifier": "_sde",
    "NeuralSDERegressor": "_sde",
    "RNNClassifier": "_sequence",
    "RNNRegressor": "_sequence",
    "TransformerEncoderClassifier": "_sequence",
    "TransformerEncoderRegressor": "_sequence",
    "VariationalAutoencoder": "_vae",
    "GenerativeAdversarialNetwork": "_gan",
    "WassersteinGAN": "_gan",
    "Perceptron": "_perceptron",
    "KernelPerceptron": "_perceptron",
}
_SUBMODULES = {"autodiff", "kernels", "metrics", "rl", "timeseries"}

__all__ = [
    "CNNClassifier",
    "CNNRegressor",
    "ConformalRegressor",
    "DeepEnsembleClassifier",
    "DeepEnsembleRegressor",
    "GenerativeAdversarialNetwork",
    "KernelPerceptron",
    "KernelRidge",
    "KernelRidgeCV",
    "KernelRidgeClassifier",
    "MLPClassifier",
    "MLPRegressor",
    "NeuralODEClassifier",
    "NeuralODERegressor",
    "NeuralSDE",
    "NeuralSDEClassifier",
    "NeuralSDERegressor",
    "Perceptron",
    "RNNClassifier",
    "RNNRegressor",
    "TransformerEncoderClassifier",
    "TransformerEncoderRegressor",
    "VariationalAutoencoder",
    "WassersteinGAN",
    "__version__",
    "autodiff",
    "kernels",
    "metrics",
    "rl",
    "timeseries",
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
