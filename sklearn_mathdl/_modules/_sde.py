"""Drift and diffusion networks of a neural stochastic differential equation,
the Euler-Maruyama likelihood of observed increments, and simulation with
torchsde."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
from torch import nn

from sklearn_mathdl._modules._mlp import _MLPModule

DIFFUSIONS = ("diagonal", "additive")
LOG_2PI = math.log(2.0 * math.pi)


class _SDEDynamicsModule(nn.Module):
    """``dX = mu(X) dt + diag(sigma(X)) dW`` on ``n_channels`` channels.

    ``mu`` is an MLP (``hidden_layer_sizes=()``: an affine drift, so an
    Ornstein-Uhlenbeck process is in the model class exactly). ``sigma`` is
    an MLP followed by ``exp`` ("diagonal": state dependent) or one learned
    log-scale per channel ("additive": constant). ``forward`` returns the drift
    and the log diffusion of each row, concatenated.
    """

    def __init__(
        self,
        n_channels,
        hidden_layer_sizes=(32, 32),
        diffusion_hidden_layer_sizes=(32,),
        activation="tanh",
        diffusion="diagonal",
        log_sigma_init=0.0,
    ):
        super().__init__()
        if diffusion not in DIFFUSIONS:
            raise ValueError(
                f"diffusion must be one of {DIFFUSIONS}; got {diffusion!r}."
            )
        self.n_channels = n_channels
        self.diffusion = diffusion
        self.drift_net = _MLPModule(
            n_channels, n_channels, tuple(hidden_layer_sizes), activation
        )
        if diffusion == "diagonal":
            self.log_sigma_net = _MLPModule(
                n_channels, n_channels, tuple(diffusion_hidden_layer_sizes), activation
            )
            with torch.no_grad():  # start from a constant diffusion
                last = [
                    m for m in self.log_sigma_net.modules() if isinstance(m, nn.Linear)
                ]
                last[-1].weight.mul_(0.1)
                last[-1].bias.fill_(log_sigma_init)
        else:
            self.log_sigma = nn.Parameter(
                torch.full((n_channels,), float(log_sigma_init))
            )

    def drift(self, x):
        return self.drift_net(x)

    def log_diffusion(self, x):
        if self.diffusion == "diagonal":
            return self.log_sigma_net(x)
        return self.log_sigma.expand(x.shape[0], -1)

    def forward(self, x):
        return torch.cat([self.drift(x), self.log_diffusion(x)], dim=1)


class _IncrementNLL(nn.Module):
    """Per-row negative log-likelihood of an Euler-Maruyama increment.

    The target holds the increment ``dx`` (``n_channels`` columns) and the time
    step ``dt`` (the last column); ``dx ~ N(mu dt, sigma^2 dt)`` per channel.
    """

    def forward(self, outputs, target):
        return increment_nll(outputs, target)


def increment_nll(outputs, target):
    c = outputs.shape[1] // 2
    mu, log_sigma = outputs[:, :c], outputs[:, c:]
    dx, dt = target[:, :c], target[:, c:]
    var = torch.exp(2.0 * log_sigma) * dt
    return 0.5 * (torch.log(var) + (dx - mu * dt).pow(2) / var + LOG_2PI).sum(dim=1)


class _TorchSDE(nn.Module):
    """The fitted dynamics in torchsde's interface (Ito, diagonal noise)."""

    noise_type = "diagonal"
    sde_type = "ito"

    def __init__(self, dynamics):
        super().__init__()
        self.dynamics = dynamics

    def f(self, t, y):
        return self.dynamics.drift(y)

    def g(self, t, y):
        return torch.exp(self.dynamics.log_diffusion(y))
