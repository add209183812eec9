"""sklearn_mathdl: the book's deep learning models as scikit-learn estimators."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn_mathdl import kernels
from sklearn_mathdl._conformal import ConformalRegressor
from sklearn_mathdl._ensemble import DeepEnsembleClassifier, DeepEnsembleRegressor
from sklearn_mathdl._kernel_ridge import KernelRidge, KernelRidgeClassifier
from sklearn_mathdl._mlp import MLPClassifier, MLPRegressor
from sklearn_mathdl._ode import NeuralODEClassifier, NeuralODERegressor
from sklearn_mathdl._vae import VariationalAutoencoder

__version__ = "0.1.0"

__all__ = [
    "ConformalRegressor",
    "DeepEnsembleClassifier",
    "DeepEnsembleRegressor",
    "KernelRidge",
    "KernelRidgeClassifier",
    "MLPClassifier",
    "MLPRegressor",
    "NeuralODEClassifier",
    "NeuralODERegressor",
    "VariationalAutoencoder",
    "__version__",
    "kernels",
]
