"""
===========================================================
A neural SDE learns drift and diffusion from observed paths
===========================================================

:class:`~sklearn_mathdl.NeuralSDE` models paths as an Ito diffusion
``dX = mu(X) dt + sigma(X) dW`` with neural networks for ``mu`` and ``sigma``,
fitted by the Euler-Maruyama likelihood of the observed increments (the
book's section 22.5). Two data sets:

- Ornstein-Uhlenbeck paths, ``dX = theta (mu - X) dt + sigma dW``: the fitted
  coefficients give theta, mu and sigma back (within a few per cent, the
  sampling error of 100 paths);
- a double well, ``dX = (X - X^3) dt + (0.3 + 0.2 X^2) dW``, whose drift has
  three zeros and whose noise grows away from 0: the default networks learn
  both functions, and paths simulated from the fit (torchsde) reproduce the
  data's distribution of states.

Then :class:`~sklearn_mathdl.NeuralSDERegressor`, a network whose hidden state
flows under an SDE, gives intervals that cover held-out targets at their
nominal rate on data whose noise grows with ``|x|``.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Ornstein-Uhlenbeck: the parameters back
# ---------------------------------------
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_mathdl import NeuralSDE

torch.set_num_threads(1)
rng = np.random.default_rng(0)
theta, mu, sigma, dt = 1.5, 0.5, 0.3, 0.02
n_paths, n_times = 100, 501
times = np.arange(n_times) * dt
ou = np.empty((n_paths, 1, n_times))
ou[:, 0, 0] = mu + sigma / np.sqrt(2 * theta) * rng.normal(size=n_paths)
decay = np.exp(-theta * dt)
step_sd = sigma * np.sqrt((1 - decay**2) / (2 * theta))
for t in range(n_times - 1):
    ou[:, 0, t + 1] = (
        mu + (ou[:, 0, t] - mu) * decay + step_sd * rng.normal(size=n_paths)
    )

start = time.perf_counter()
sde = NeuralSDE(random_state=0).fit(ou, times=times)
seconds = time.perf_counter() - start
grid = np.linspace(np.quantile(ou, 0.05), np.quantile(ou, 0.95), 21)[:, None]
slope, intercept = np.polyfit(grid[:, 0], sde.predict_drift(grid)[:, 0], 1)
print(
    f"theta {-slope:.3f} (true {theta}), mu {intercept / -slope:.3f} (true {mu}), "
    f"sigma {sde.predict_diffusion(grid).mean():.3f} (true {sigma}); "
    f"fit {seconds:.1f} s"
)

# %%
# A double well with state-dependent noise
# ----------------------------------------
n_paths, n_times, dt = 200, 401, 0.02
times = np.arange(n_times) * dt
well = np.empty((n_paths, 1, n_times))
well[:, 0, 0] = rng.choice([-1.0, 1.0], size=n_paths) + 0.1 * rng.normal(size=n_paths)
for t in range(n_times - 1):
    x = well[:, 0, t]
    noise = (0.3 + 0.2 * x**2) * np.sqrt(dt) * rng.normal(size=n_paths)
    well[:, 0, t + 1] = x + (x - x**3) * dt + noise

model = NeuralSDE(random_state=0).fit(well, times=times)
simulated = model.sample(n_paths, random_state=1)
x = np.linspace(-1.6, 1.6, 81)[:, None]
low, high = np.quantile(well, [0.05, 0.95])
bulk = np.linspace(low, high, 41)[:, None]
drift_error = np.abs(model.predict_drift(bulk)[:, 0] - (bulk[:, 0] - bulk[:, 0] ** 3))
sigma_error = np.abs(
    model.predict_diffusion(bulk)[:, 0] / (0.3 + 0.2 * bulk[:, 0] ** 2) - 1
)
print(
    f"double well, states in [{low:.2f}, {high:.2f}] (90 % of the data): max drift "
    f"error {drift_error.max():.3f}, max relative diffusion error "
    f"{sigma_error.max():.3f}"
)

# %%
# A regressor whose noise is the predictive law
# ---------------------------------------------
# :class:`~sklearn_mathdl.NeuralSDERegressor` puts the noise inside the
# network: the outputs of its Brownian paths are a sample of y given x, trained
# by a proper scoring rule (the CRPS), so ``predict(return_std=True)`` follows
# the data's heteroscedastic noise.
from scipy import stats
from sklearn.model_selection import train_test_split

from sklearn_mathdl import NeuralSDERegressor

Xr = rng.uniform(-3, 3, size=(2000, 1))
yr = np.sin(Xr[:, 0]) + (0.1 + 0.3 * np.abs(Xr[:, 0])) * rng.normal(size=2000)
Xtr, Xte, ytr, yte = train_test_split(Xr, yr, test_size=0.5, random_state=0)
reg = NeuralSDERegressor(random_state=0).fit(Xtr, ytr)
mean, std = reg.predict(Xte, return_std=True)
for level in (0.5, 0.8, 0.9, 0.95):
    z = stats.norm.ppf(0.5 + level / 2)
    coverage = np.mean(np.abs(yte - mean) <= z * std)
    print(f"{level:.0%} intervals cover {coverage:.1%} of the held-out targets")

# %%
# The figure
# ----------
fig, axes = plt.subplots(1, 4, figsize=(17, 3.8))
axes[0].plot(x, x - x**3, "k--", label="true drift")
axes[0].plot(x, model.predict_drift(x), label="learnt drift")
axes[0].set_xlabel("x")
axes[0].set_title("drift mu(x)")
axes[0].legend()
axes[1].plot(x, 0.3 + 0.2 * x**2, "k--", label="true diffusion")
axes[1].plot(x, model.predict_diffusion(x), label="learnt diffusion")
axes[1].set_xlabel("x")
axes[1].set_title("diffusion sigma(x)")
axes[1].legend()
bins = np.linspace(-2, 2, 41)
axes[2].hist(well[:, 0, -1], bins, alpha=0.5, density=True, label="data, t = 8")
axes[2].hist(simulated[:, 0, -1], bins, alpha=0.5, density=True, label="simulated")
axes[2].set_xlabel("x")
axes[2].set_title("states at the last time")
axes[2].legend()
order = np.argsort(Xte[:, 0])
xs, ms, ss = Xte[order, 0], mean[order], std[order]
axes[3].scatter(Xte[:, 0], yte, s=3, color="0.6", label="held-out data")
axes[3].plot(xs, ms, label="mean of the paths")
axes[3].fill_between(xs, ms - 1.96 * ss, ms + 1.96 * ss, alpha=0.3, label="95 %")
axes[3].set_xlabel("x")
axes[3].set_title("NeuralSDERegressor")
axes[3].legend()
fig.tight_layout()
plt.show()
