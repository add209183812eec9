"""
===============================================
Mode collapse: GANs, a WGAN and a VAE on a ring
===============================================

The ring of 8 Gaussians (radius 2, standard deviation 0.02) is the standard test
of mode collapse (the book's section 15.4). Every model is fitted with its
default parameters on 2,000 standardized points and draws 2,000 samples. The
minimax GAN, whose generator loss saturates where the discriminator rejects its
samples, drops modes; the non-saturating GAN and the Wasserstein GAN (gradient
penalty) cover all eight. The default VAE explains most of the ring by its
decoder's learned noise: its samples, the decoder means at prior draws, sit near
the centre. Below the samples: both players' losses, and the WGAN critic's
estimate of the Wasserstein-1 distance.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit the four models on the same data.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import (
    GenerativeAdversarialNetwork,
    VariationalAutoencoder,
    WassersteinGAN,
)
from sklearn_mathdl._datasets import RING_STD, ring_centers, ring_of_gaussians
from sklearn_mathdl.metrics import mode_coverage

X = ring_of_gaussians(2000, random_state=0)
scaler = StandardScaler().fit(X)
models = {
    "GAN, minimax loss": GenerativeAdversarialNetwork(loss="minimax", random_state=0),
    "GAN, non-saturating loss": GenerativeAdversarialNetwork(random_state=0),
    "WGAN, gradient penalty": WassersteinGAN(random_state=0),
    "VAE": VariationalAutoencoder(random_state=0),
}
samples = {}
for name, model in models.items():
    model.fit(scaler.transform(X))
    samples[name] = scaler.inverse_transform(model.sample(2000, random_state=1))

# %%
# Top: samples (orange) over the data (grey), with the modes covered and the
# share of samples within 3 standard deviations of a mode.
fig, axes = plt.subplots(2, 4, figsize=(14, 7))
for ax, (name, S) in zip(axes[0], samples.items(), strict=True):
    n_modes, good, _ = mode_coverage(S, ring_centers(), 3 * RING_STD)
    ax.scatter(*X.T, s=2, c="0.7")
    ax.scatter(*S.T, s=2, c="tab:orange", alpha=0.5)
    ax.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal")
    ax.set_title(f"{name}\n{n_modes}/8 modes, {100 * good:.0f} % high quality")

# Below: loss curves, one value per epoch. At the game's optimum the
# discriminator's loss is log 4 (it can no longer tell real from generated rows).
for ax, name in zip(axes[1][:2], list(models)[:2], strict=True):
    gan = models[name]
    ax.plot(gan.discriminator_loss_curve_, label="discriminator")
    ax.plot(gan.generator_loss_curve_, label="generator")
    ax.axhline(np.log(4), color="k", lw=0.5, ls="--", label="log 4")
    ax.set(xlabel="epoch", title=name)
    ax.legend()
wgan = models["WGAN, gradient penalty"]
axes[1][2].plot(wgan.wasserstein_curve_, label="critic's estimate of $W_1$")
axes[1][2].plot(wgan.generator_loss_curve_, label="generator loss")
axes[1][2].set(xlabel="epoch", title="WGAN")
axes[1][2].legend()
vae = models["VAE"]
axes[1][3].plot(vae.elbo_curve_)
axes[1][3].set(xlabel="epoch", title="VAE: training ELBO per sample")
fig.tight_layout()
plt.show()
