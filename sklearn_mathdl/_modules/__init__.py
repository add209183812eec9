"""Pure torch modules; they never import scikit-learn or skorch."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn_mathdl._modules._mlp import ACTIVATIONS, _MLPModule
from sklearn_mathdl._modules._ode import ODESolverError, _NeuralODEModule
from sklearn_mathdl._modules._vae import _NegativeELBO, _VAEModule, gaussian_kl

__all__ = [
    "ACTIVATIONS",
    "ODESolverError",
    "_MLPModule",
    "_NegativeELBO",
    "_NeuralODEModule",
    "_VAEModule",
    "gaussian_kl",
]
