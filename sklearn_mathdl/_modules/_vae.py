"""Variational autoencoder module: Gaussian encoder, Gaussian or Bernoulli decoder."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
from torch import nn

from sklearn_mathdl._modules._mlp import ACTIVATIONS, _MLPModule

LOG_2PI = math.log(2.0 * math.pi)
# Floor on the learned decoder variance (standardized units): without one, a
# feature that is constant in the training data drives its variance to 0 and
# the likelihood of any held-out change in it to -infinity.
MIN_LOG_VAR = math.log(1e-3)


def gaussian_kl(mu, logvar):
    """KL(N(mu, diag exp(logvar)) || N(0, I)) per row, in closed form."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=-1)


def log_likelihood(X, out, log_var_x, likelihood):
    """log p(x|z) per row from the decoder output (the last axis is summed)."""
    if likelihood == "bernoulli":
        return -nn.functional.binary_cross_entropy_with_logits(
            out, X.expand_as(out), reduction="none"
        ).sum(dim=-1)
    return -0.5 * ((X - out).pow(2) * torch.exp(-log_var_x) + log_var_x + LOG_2PI).sum(
        dim=-1
    )


class _ConvEncoder(nn.Module):
    """Two stride-2 convolutions, then a linear map to ``n_out``."""

    def __init__(self, input_shape, n_out, activation):
        super().__init__()
        c, h, w = input_shape
        self.input_shape = tuple(input_shape)
        act = ACTIVATIONS[activation]
        self.conv = nn.Sequential(
            nn.Conv2d(c, 32, 3, stride=2, padding=1),
            act(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1),
            act(),
        )
        with torch.no_grad():
            n_flat = self.conv(torch.zeros(1, c, h, w)).numel()
        self.head = nn.Linear(n_flat, n_out)

    def forward(self, X):
        out = self.conv(X.reshape(-1, *self.input_shape))
        return self.head(out.flatten(1))


class _ConvDecoder(nn.Module):
    """Linear map to a 64-channel grid, two transposed convolutions, crop."""

    def __init__(self, input_shape, n_in, activation):
        super().__init__()
        c, h, w = input_shape
        self.input_shape = tuple(input_shape)
        self.grid = (math.ceil(h / 4), math.ceil(w / 4))
        act = ACTIVATIONS[activation]
        self.head = nn.Linear(n_in, 64 * self.grid[0] * self.grid[1])
        self.deconv = nn.Sequential(
            act(),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1),
            act(),
            nn.ConvTranspose2d(32, c, 4, stride=2, padding=1),
        )

    def forward(self, Z):
        out = self.head(Z).reshape(-1, 64, *self.grid)
        _, h, w = self.input_shape
        return self.deconv(out)[:, :, :h, :w].flatten(1)


class _VAEModule(nn.Module):
    """q(z|x) = N(mu(x), diag sigma^2(x)); p(z) = N(0, I); p(x|z) Gaussian or Bernoulli.

    ``forward`` draws one reparameterized z = mu + sigma * eps and returns
    ``(decoder_output, mu, logvar, log_var_x)``; ``log_var_x`` is the decoder's
    per-feature log-variance (Gaussian) or None (Bernoulli, where the decoder
    output is logits).
    """

    def __init__(
        self,
        n_features,
        n_components,
        encoder_hidden_layer_sizes=(128,),
        decoder_hidden_layer_sizes=(128,),
        activation="relu",
        likelihood="gaussian",
        decoder_variance="learned",
        input_shape=None,
        dropout=0.0,
        batch_norm=False,
    ):
        super().__init__()
        self.likelihood = likelihood
        if input_shape is None:
            self.encoder = _MLPModule(
                n_features,
                2 * n_components,
                encoder_hidden_layer_sizes,
                activation,
                dropout,
                batch_norm,
            )
            self.decoder = _MLPModule(
                n_components,
                n_features,
                decoder_hidden_layer_sizes,
                activation,
                dropout,
                batch_norm,
            )
        else:
            self.encoder = _ConvEncoder(input_shape, 2 * n_components, activation)
            self.decoder = _ConvDecoder(input_shape, n_components, activation)
        self.learn_variance = likelihood == "gaussian" and decoder_variance == "learned"
        if self.learn_variance:
            self.log_var_x = nn.Parameter(torch.zeros(n_features))
        elif likelihood == "gaussian":
            self.register_buffer(
                "log_var_x", torch.full((n_features,), math.log(decoder_variance))
            )
        else:
            self.log_var_x = None

    def encode(self, X):
        mu, logvar = self.encoder(X).chunk(2, dim=-1)
        return mu, logvar.clamp(-20.0, 10.0)

    def decode(self, Z):
        return self.decoder(Z)

    def decoder_log_var(self):
        if self.log_var_x is None:
            return None
        if self.learn_variance:
            return self.log_var_x.clamp(min=MIN_LOG_VAR)
        return self.log_var_x

    def mean(self, out):
        """Mean of p(x|z) from the decoder output."""
        return torch.sigmoid(out) if self.likelihood == "bernoulli" else out

    def log_likelihood(self, X, out, log_var_x):
        """log p(x|z) per row (the last axis is summed)."""
        return log_likelihood(X, out, log_var_x, self.likelihood)

    def forward(self, X):
        mu, logvar = self.encode(X)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode(z), mu, logvar, self.decoder_log_var()


class _NegativeELBO(nn.Module):
    """Per-row negative ELBO: -log p(x|z) + beta_t KL(q(z|x) || p(z)).

    ``kl_scale`` (set each epoch by the KL warm-up callback) multiplies beta.
    While in training mode it also sums the two parts for the epoch's record.
    """

    def __init__(self, likelihood="gaussian", beta=1.0):
        super().__init__()
        self.likelihood = likelihood
        self.beta = beta
        self.kl_scale = 1.0
        self.reset_sums()

    def reset_sums(self):
        self.sum_recon = 0.0
        self.sum_kl = 0.0
        self.rows = 0

    def forward(self, outputs, X):
        out, mu, logvar, log_var_x = outputs
        recon = -log_likelihood(X, out, log_var_x, self.likelihood)
        kl = gaussian_kl(mu, logvar)
        if self.training:
            self.sum_recon += float(recon.detach().sum())
            self.sum_kl += float(kl.detach().sum())
            self.rows += recon.shape[0]
        return recon + (self.beta * self.kl_scale) * kl
