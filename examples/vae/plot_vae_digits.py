"""
===============================================
A variational autoencoder on handwritten digits
===============================================

:class:`~sklearn_mathdl.VariationalAutoencoder` with a 2-D latent space and a
Bernoulli likelihood, fitted to sklearn's 8x8 digits scaled to [0, 1]. Left: the
posterior means of the digits, coloured by their label (which the VAE never saw).
Middle: the decoder's mean image on a grid of latent points, the generative model's
map of the latent space. Right: the ELBO and its two parts during training, with a
KL warm-up over the first 20 epochs.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit a VAE with a 2-D latent space.
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.datasets import load_digits

from sklearn_mathdl import VariationalAutoencoder

X, y = load_digits(return_X_y=True)
X = X / 16.0
vae = VariationalAutoencoder(
    n_components=2,
    likelihood="bernoulli",
    encoder_hidden_layer_sizes=(256, 128),
    decoder_hidden_layer_sizes=(128, 256),
    kl_warmup=20,
    max_iter=150,
    learning_rate_init=2e-3,
    random_state=0,
).fit(X)
Z = vae.transform(X)

# %%
# Decode a grid of latent points: quantiles of the N(0, 1) prior in each axis.
n = 12
q = norm.ppf(np.linspace(0.04, 0.96, n))
grid = np.array([[a, b] for b in q[::-1] for a in q])
images = vae.inverse_transform(grid).reshape(n, n, 8, 8)
# one blank pixel between neighbouring digits
images = np.pad(images, ((0, 0), (0, 0), (0, 1), (0, 1)))
canvas = images.transpose(0, 2, 1, 3).reshape(n * 9, n * 9)

# %%
# Plot.
fig, axes = plt.subplots(1, 3, figsize=(16, 5))
sc = axes[0].scatter(Z[:, 0], Z[:, 1], c=y, cmap="tab10", s=6)
axes[0].legend(*sc.legend_elements(), fontsize=7, title="digit", loc="best")
axes[0].set_title("posterior means E[z | x]")
axes[1].imshow(canvas, cmap="gray_r")
axes[1].set_title("decoder mean on a grid of latent points")
axes[1].axis("off")
axes[2].plot(vae.elbo_curve_, label="ELBO")
axes[2].plot(-np.array(vae.reconstruction_curve_), label="E[log p(x|z)]")
axes[2].plot(-np.array(vae.kl_curve_), label="-KL(q || p)")
axes[2].set_xlabel("epoch")
axes[2].set_title("training objective (nats per digit)")
axes[2].legend(fontsize=8)
fig.tight_layout()
plt.show()
