"""Generative adversarial networks: generator and critic modules, the players' losses
and the alternating training step."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
from torch import nn
from torch.nn import functional as F

from sklearn_mathdl._engine import _batch_weight
from sklearn_mathdl._modules._mlp import _MLPModule
from sklearn_mathdl._modules._vae import _ConvDecoder, _ConvEncoder


class _GANModule(nn.Module):
    """A generator G: R^k -> R^d and a critic f: R^d -> R (the discriminator's
    logit for a GAN, the Kantorovich potential for a WGAN).

    ``forward(X)`` is the critic's value on X, one per row.
    """

    def __init__(
        self,
        n_features,
        n_components,
        generator_hidden_layer_sizes=(128, 128, 128, 128),
        critic_hidden_layer_sizes=(128, 128, 128),
        activation="relu",
        input_shape=None,
    ):
        super().__init__()
        self.n_components = n_components
        if input_shape is None:
            self.generator = _MLPModule(
                n_components,
                n_features,
                generator_hidden_layer_sizes,
                activation,
                init="he",
            )
            self.critic = _MLPModule(
                n_features, 1, critic_hidden_layer_sizes, activation, init="he"
            )
        else:
            self.generator = _ConvDecoder(input_shape, n_components, activation)
            self.critic = _ConvEncoder(input_shape, 1, activation)

    def forward(self, X):
        return self.critic(X).squeeze(-1)


def _weighted_mean(values, w):
    return values.mean() if w is None else (values * w).sum() / w.sum()


class _AdversarialStep:
    """One mini-batch of the two-player game (the engine's ``_step`` hook).

    Every batch is a step of the critic (the discriminator, second player) on
    the batch's real rows against as many generated ones; every
    ``n_critic``-th batch is also a step of the generator (first player) on a
    fresh latent draw of the same size. Losses, with f the critic, G the
    generator, z ~ N(0, I) and sigma the logistic function:

    - "minimax" (Goodfellow et al. 2014): the discriminator minimizes
      -E log sigma(f(x)) - E log(1 - sigma(f(G(z)))); the generator minimizes
      E log(1 - sigma(f(G(z)))), the other side of the same value function;
    - "non_saturating": the same discriminator; the generator minimizes
      -E log sigma(f(G(z))), whose gradient does not vanish where the
      discriminator rejects the samples confidently;
    - "wasserstein" (Arjovsky et al. 2017): the critic minimizes
      E f(G(z)) - E f(x) (minus the dual estimate of W_1) under a Lipschitz
      constraint, weight clipping to [-clip_value, clip_value] or the gradient
      penalty with weight ``gp_weight``; the generator minimizes -E f(G(z)).

    Sample weights weight the real rows' terms. The step keeps the epoch's
    sums of both players' losses on the device (one transfer an epoch).
    """

    def __init__(
        self, loss, *, n_critic=1, lipschitz=None, clip_value=0.01, gp_weight=0.1
    ):
        self.loss = loss
        self.n_critic = int(n_critic)
        self.lipschitz = lipschitz
        self.clip_value = float(clip_value)
        self.gp_weight = float(gp_weight)
        self.reset_sums()

    def reset_sums(self):
        self.sums = {}
        self.counts = {}

    def _add(self, name, value):
        value = value.detach()
        if name in self.sums:
            self.sums[name] = self.sums[name] + value
            self.counts[name] += 1
        else:
            self.sums[name] = value
            self.counts[name] = 1

    def epoch_means(self):
        """Mean of each recorded loss over the epoch's steps (floats)."""
        return {k: float(v) / self.counts[k] for k, v in self.sums.items()}

    def _critic_loss(self, net, real, w):
        module = net.module_
        with torch.no_grad():
            z = torch.randn(real.shape[0], module.n_components, device=real.device)
            fake = module.generator(z)
        n = real.shape[0]
        if self.lipschitz == "gradient_penalty":
            # one critic pass over the real, generated and interpolated rows
            # (rows are independent: no batch statistics in the critic)
            eps = torch.rand(n, *([1] * (real.ndim - 1)), device=real.device)
            x_hat = (eps * real + (1.0 - eps) * fake).requires_grad_(True)
            out = module(torch.cat([real, fake, x_hat]))
            real_out, fake_out, hat_out = out[:n], out[n : 2 * n], out[2 * n :]
            (grad,) = torch.autograd.grad(hat_out.sum(), x_hat, create_graph=True)
            penalty = (grad.flatten(1).norm(dim=1) - 1.0).pow(2).mean()
        else:
            out = module(torch.cat([real, fake]))
            real_out, fake_out = out[:n], out[n:]
        if self.loss == "wasserstein":
            estimate = _weighted_mean(real_out, w) - fake_out.mean()
            self._add("wasserstein", estimate)
            data_loss = -estimate
            loss = data_loss
            if self.lipschitz == "gradient_penalty":
                loss = loss + self.gp_weight * penalty
        else:  # -log sigma(f(x)) - log(1 - sigma(f(G(z))))
            data_loss = (
                _weighted_mean(F.softplus(-real_out), w) + F.softplus(fake_out).mean()
            )
            loss = data_loss
        return loss, data_loss

    def _generator_loss(self, net, n, device):
        module = net.module_
        z = torch.randn(n, module.n_components, device=device)
        out = module(module.generator(z))
        if self.loss == "wasserstein":
            return -out.mean()
        if self.loss == "minimax":  # log(1 - sigma(f)) = -softplus(f)
            return -F.softplus(out).mean()
        return F.softplus(-out).mean()  # non-saturating: -log sigma(f)

    @staticmethod
    def _update(net, optimizer, loss, params, weight):
        """One player's step (the engine's backward, penalties and clipping)."""
        optimizer.zero_grad(set_to_none=True)
        total = net._backward(loss, weight, params)
        optimizer.step()
        return total

    def __call__(self, net, X, target):
        module = net.module_
        w = target[1]
        critic_params = list(module.critic.parameters())
        weight = _batch_weight(target)
        loss, data_loss = self._critic_loss(net, X, w)
        total = self._update(net, net.second_optimizer_, loss, critic_params, weight)
        if self.lipschitz == "clip":
            with torch.no_grad():
                for p in critic_params:
                    p.clamp_(-self.clip_value, self.clip_value)
        self._add("critic", total)
        net._game_steps = getattr(net, "_game_steps", 0) + 1
        if net._game_steps % self.n_critic == 0:
            generator_params = list(module.generator.parameters())
            g_loss = self._generator_loss(net, X.shape[0], X.device)
            g_total = self._update(
                net, net.optimizer_, g_loss, generator_params, X.shape[0]
            )
            self._add("generator", g_total)
        return {"loss": total, "data_loss": data_loss.detach(), "y_pred": None}
