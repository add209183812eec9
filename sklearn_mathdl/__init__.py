"""sklearn_mathdl: the book's deep learning models as scikit-learn estimators."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn_mathdl import kernels, timeseries
from sklearn_mathdl._conformal import ConformalRegressor
from sklearn_mathdl._ensemble import DeepEnsembleClassifier, DeepEnsembleRegressor
from sklearn_mathdl._kernel_ridge import KernelRidge, KernelRidgeClassifier
from sklearn_mathdl._kernel_ridge_cv import KernelRidgeCV
from sklearn_mathdl._mlp import MLPClassifier, MLPRegressor
from sklearn_mathdl._ode import NeuralODEClassifier, NeuralODERegressor
from sklearn_mathdl._sequence import (
    CNNClassifier,
    CNNRegressor,
    RNNClassifier,
    RNNRegressor,
    TransformerEncoderClassifier,
    TransformerEncoderRegressor,
)
from sklearn_mathdl._vae import VariationalAutoencoder

__version__ = "0.1.0"

__all__ = [
    "CNNClassifier",
    "CNNRegressor",
    "ConformalRegressor",
    "DeepEnsembleClassifier",
    "DeepEnsembleRegressor",
    "KernelRidge",
    "KernelRidgeCV",
    "KernelRidgeClassifier",
    "MLPClassifier",
    "MLPRegressor",
    "NeuralODEClassifier",
    "NeuralODERegressor",
    "RNNClassifier",
    "RNNRegressor",
    "TransformerEncoderClassifier",
    "TransformerEncoderRegressor",
    "VariationalAutoencoder",
    "__version__",
    "kernels",
    "timeseries",
]
