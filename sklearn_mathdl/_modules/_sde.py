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


def _log_sigma_network(dim, hidden_layer_sizes, activation, log_sigma_init):
    """An MLP of ``log sigma(x)`` that starts near the constant
    ``log_sigma_init``: its last layer's weights shrunk by 10, its bias set."""
    net = _MLPModule(dim, dim, tuple(hidden_layer_sizes), activation)
    last = [m for m in net.modules() if isinstance(m, nn.Linear)][-1]
    with torch.no_grad():
        last.weight.mul_(0.1)
        last.bias.fill_(log_sigma_init)
    return net


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
            self.log_sigma_net = _log_sigma_network(
                n_channels, diffusion_hidden_layer_sizes, activation, log_sigma_init
            )
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


NOISE_TYPES = ("diagonal", "scalar", "additive")


class _NeuralSDEModule(nn.Module):
    """A neural ODE with noise: ``dh = f(t, h) dt + g(h) dW`` from t = 0 to
    ``integration_time`` by Euler-Maruyama, then a linear readout of h(T).

    ``g`` is "diagonal" (a network, one Brownian motion per state
    dimension), "scalar" (a network, one Brownian motion for all dimensions)
    or "additive" (a learned constant per dimension). In training each row
    draws its own noise (``n_train_paths`` paths a row); at inference the
    ``n_mc_samples`` Brownian paths are common to all rows and fixed by
    ``noise_seed``, so that a row's prediction does not depend on the other
    rows of the batch, and the same input gives the same output.

    Training mode returns the outputs of every path, shape (n, paths,
    n_outputs); evaluation mode their summary: the mean (``task=
    "regression"``) or the log of the mean probability (``"multiclass"``,
    ``"binary"``, as logits), and :meth:`paths_output` the paths themselves.
    """

    def __init__(
        self,
        n_features,
        n_outputs,
        hidden_layer_sizes=(32, 32),
        activation="tanh",
        augment_dim=0,
        diffusion="diagonal",
        n_steps=16,
        integration_time=1.0,
        n_train_paths=1,
        n_mc_samples=32,
        task="regression",
        noise_seed=0,
        sigma_init=0.1,
    ):
        super().__init__()
        from sklearn_mathdl._modules._ode import _VectorField

        if diffusion not in NOISE_TYPES:
            raise ValueError(
                f"diffusion must be one of {NOISE_TYPES}; got {diffusion!r}."
            )
        self.augment_dim = int(augment_dim)
        dim = n_features + self.augment_dim
        self.vector_field = _VectorField(dim, hidden_layer_sizes, activation)
        self.diffusion = diffusion
        log_init = math.log(sigma_init)
        if diffusion == "additive":
            self.log_sigma = nn.Parameter(torch.full((dim,), log_init))
        else:
            self.diffusion_net = _log_sigma_network(
                dim, hidden_layer_sizes[:1], activation, log_init
            )
        self.readout = nn.Linear(dim, n_outputs)
        self.n_steps = int(n_steps)
        self.integration_time = float(integration_time)
        self.n_train_paths = int(n_train_paths)
        self.n_mc_samples = int(n_mc_samples)
        self.task = task
        self.noise_seed = int(noise_seed)
        self.last_forward_nfe = 0

    def sigma(self, h):
        if self.diffusion == "additive":
            return torch.exp(self.log_sigma).expand_as(h)
        return torch.exp(self.diffusion_net(h).clamp(max=10.0))

    def _increments(self, n_paths, n_rows, dim, like):
        """Brownian increments (n_steps, paths, rows or 1, dim or 1)."""
        width = 1 if self.diffusion == "scalar" else dim
        dt = self.integration_time / self.n_steps
        if self.training:
            shape = (self.n_steps, n_paths, n_rows, width)
            return torch.randn(shape, dtype=like.dtype, device=like.device) * (dt**0.5)
        generator = torch.Generator(device=like.device)
        generator.manual_seed(self.noise_seed)
        shape = (self.n_steps, n_paths, 1, width)
        noise = torch.randn(
            shape, generator=generator, dtype=like.dtype, device=like.device
        )
        return noise * dt**0.5

    def paths_output(self, X, n_paths=None):
        """Readouts of the paths: (n, paths, n_outputs)."""
        if n_paths is None:
            n_paths = self.n_train_paths if self.training else self.n_mc_samples
        h = X
        if self.augment_dim:
            h = torch.cat([h, h.new_zeros(h.shape[0], self.augment_dim)], dim=1)
        n, dim = h.shape
        h = h.unsqueeze(0).expand(n_paths, n, dim).reshape(n_paths * n, dim)
        dW = self._increments(n_paths, n, dim, h)
        dt = self.integration_time / self.n_steps
        start = self.vector_field.nfe
        for k in range(self.n_steps):
            drift = self.vector_field(k * dt, h)
            noise = dW[k].expand(n_paths, n, dW.shape[-1]).reshape(n_paths * n, -1)
            h = h + drift * dt + self.sigma(h) * noise
        self.last_forward_nfe = self.vector_field.nfe - start
        out = self.readout(h).reshape(n_paths, n, -1)
        return out.transpose(0, 1)

    def forward(self, X):
        out = self.paths_output(X)
        if self.training:
            return out
        if self.task == "regression":
            return out.mean(dim=1)
        if self.task == "multiclass":
            log_p = torch.log_softmax(out, dim=-1)
            return torch.logsumexp(log_p, dim=1) - math.log(out.shape[1])
        # binary: the logit of the mean probability
        log_p = torch.logsumexp(nn.functional.logsigmoid(out), dim=1)
        log_q = torch.logsumexp(nn.functional.logsigmoid(-out), dim=1)
        return log_p - log_q


class _PathsLoss(nn.Module):
    """Per-row training loss of path outputs (n, paths, n_outputs).

    Classification: the mean over paths of the cross-entropy (the expected
    loss of the random network). Regression: the fair continuous ranked
    probability score of the paths as a sample of the predictive law
    (Gneiting and Raftery 2007), summed over outputs: ``mean_k |s_k - y| -
    sum_{k != j} |s_k - s_j| / (2 K (K - 1))``, a proper scoring rule, so the
    diffusion learns the spread of y given x.
    """

    def __init__(self, task):
        super().__init__()
        self.task = task

    def forward(self, out, y):
        if self.task == "multiclass":
            n, k, c = out.shape
            target = y.long().unsqueeze(1).expand(n, k).reshape(-1)
            ce = nn.functional.cross_entropy(
                out.reshape(n * k, c), target, reduction="none"
            )
            return ce.reshape(n, k).mean(dim=1)
        if self.task == "binary":
            target = y.unsqueeze(1).expand_as(out)
            bce = nn.functional.binary_cross_entropy_with_logits(
                out, target, reduction="none"
            )
            return bce.mean(dim=1)
        k = out.shape[1]
        skill = (out - y.unsqueeze(1)).abs().mean(dim=1)
        spread = (out.unsqueeze(1) - out.unsqueeze(2)).abs().sum(dim=(1, 2))
        return skill - spread / (2 * k * (k - 1))
