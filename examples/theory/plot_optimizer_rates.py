"""
==========================================================
Convergence rates of the optimizers of chapters 17 and 18
==========================================================

Measured convergence of gradient descent, heavy-ball momentum, Nesterov's
method, Adam, SGD and Newton's method, with the rates the book proves drawn
beside them.

- Left: a strongly convex quadratic :math:`f(w) = \\frac12 (w - w^*)^\\top A
  (w - w^*)` whose Hessian has eigenvalues in :math:`[\\mu, L]`, condition number
  :math:`\\kappa = L/\\mu`. Gradient descent with step :math:`1/L` converges
  linearly, :math:`f_t - f^* \\le (1 - 1/\\kappa)^{2t} (f_0 - f^*)` (section 17.2);
  Polyak's heavy ball with its optimal constants at the accelerated rate
  :math:`((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1))^{2t}`. SGD with a constant step
  and noisy gradients :math:`\\nabla f + \\sigma \\xi` converges linearly only down to
  a "confusion zone" (section 18.4) whose level comes from the stationary
  variance of :math:`e_{t+1} = (1 - \\eta\\lambda) e_t - \\eta\\sigma\\xi` along
  each eigenvalue :math:`\\lambda`:
  :math:`E[f - f^*] = \\sum_i \\eta\\sigma^2 / (2 (2 - \\eta\\lambda_i))`. With steps
  :math:`\\eta_t = 1/(\\mu (t + t_0))` it goes on decreasing like :math:`O(1/t)`.
- Right: :math:`\\ell_2`-penalized logistic regression on breast_cancer, trained by
  :class:`~sklearn_mathdl.MLPClassifier` with ``hidden_layer_sizes=()`` and a full
  batch (one step an epoch). The penalty makes :math:`\\mu = \\alpha/n` tiny, so the
  bound that matters is the smooth convex one, :math:`f_t - f^* \\le L \\|w_0 -
  w^*\\|^2 / (2t)` for gradient descent with step :math:`1/L`; Newton's method
  (``optimizer="newton"``) gives :math:`f^*` and converges quadratically.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The quadratic: the iterations written out, so the constants are explicit.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import MLPClassifier

rng = np.random.RandomState(0)
d, mu, L, T = 50, 0.05, 1.0, 300
lam = np.linspace(mu, L, d)  # eigenvalues of A (A diagonal: a rotation changes nothing)
w0 = rng.randn(d)


def gap(e):
    return 0.5 * np.sum(lam * e**2)


def run(step, momentum=0.0, nesterov=False, noise=0.0, seed=0):
    r = np.random.RandomState(seed)
    e, prev, out = w0.copy(), w0.copy(), []
    for t in range(T):
        out.append(gap(e))
        look = e + momentum * (e - prev) if nesterov else e
        g = lam * look + noise * r.randn(d)
        eta = step(t)
        new = look - eta * g if nesterov else e - eta * g + momentum * (e - prev)
        prev, e = e, new
    return np.array(out)


kappa = L / mu
rho = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
sigma, eta_sgd = 0.3, 0.5
curves = {
    "GD, step 1/L": run(lambda t: 1 / L),
    "heavy ball (Polyak)": run(
        lambda t: 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, momentum=rho**2
    ),
    "Nesterov": run(lambda t: 1 / L, momentum=rho, nesterov=True),
    "SGD, constant step": np.mean(
        [run(lambda t: eta_sgd, noise=sigma, seed=s) for s in range(20)], axis=0
    ),
    "SGD, step 1/(mu (t + t0))": np.mean(
        [
            run(lambda t: 1 / (mu * (t + 2 / mu)), noise=sigma, seed=s)
            for s in range(20)
        ],
        axis=0,
    ),
}
t = np.arange(T)
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
ax = axes[0]
for label, c in curves.items():
    ax.semilogy(t, c, label=label)
f0 = gap(w0)
ax.semilogy(t, f0 * (1 - 1 / kappa) ** (2 * t), "k:", label="(1 - 1/kappa)^(2t)")
ax.semilogy(t, f0 * rho ** (2 * t) * kappa, "k--", label="accelerated rate")
zone = np.sum(eta_sgd * sigma**2 / (2 * (2 - eta_sgd * lam)))
ax.axhline(zone, color="grey", ls="-.", label="confusion zone (theory)")
ax.set_ylim(1e-8, 2 * f0)
ax.set_xlabel("iteration t")
ax.set_ylabel("f(w_t) - f*")
ax.set_title(f"strongly convex quadratic, kappa = {kappa:.0f}")
ax.legend(fontsize=7)
plateau = curves["SGD, constant step"][-100:].mean()
print(f"SGD, constant step: mean gap over the last 100 iterations {plateau:.4f}")
print(f"confusion zone predicted: {zone:.4f}")

# %%
# Logistic regression with our estimator: per-epoch losses of full-batch fits.
X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)
n, alpha, epochs = len(y), 1.0, 300
Xb = np.c_[X, np.ones(n)]
L_log = np.linalg.eigvalsh(Xb.T @ Xb / n).max() / 4 + alpha / n
common = dict(
    hidden_layer_sizes=(),
    alpha=alpha,
    batch_size=n,
    max_iter=epochs,
    n_iter_no_change=np.inf,
    tol=0.0,
    shuffle=False,
    random_state=0,
)
newton = MLPClassifier(optimizer="newton", **{**common, "max_iter": 50}).fit(X, y)
f_star = newton.loss_
runs = {
    "GD, step 1/L": dict(optimizer="sgd", momentum=0.0, learning_rate_init=1 / L_log),
    "heavy ball": dict(
        optimizer="sgd",
        momentum=0.9,
        nesterovs_momentum=False,
        learning_rate_init=1 / L_log,
    ),
    "Nesterov": dict(
        optimizer="sgd",
        momentum=0.9,
        nesterovs_momentum=True,
        learning_rate_init=1 / L_log,
    ),
    "Adam": dict(optimizer="adam", learning_rate_init=0.05),
}
ax = axes[1]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.filterwarnings("ignore", message=".*learnt nothing")  # the 1e-12 step
    start = MLPClassifier(
        optimizer="sgd", learning_rate_init=1e-12, **{**common, "max_iter": 1}
    )
    start.fit(X, y)
    for label, params in runs.items():
        est = MLPClassifier(**params, **common).fit(X, y)
        ax.loglog(
            np.arange(1, epochs + 1),
            np.array(est.loss_curve_) - f_star + 1e-16,
            label=label,
        )
w_start = np.r_[start.coefs_[0].ravel(), start.intercepts_[0]]
w_star = np.r_[newton.coefs_[0].ravel(), newton.intercepts_[0]]
tt = np.arange(1, epochs + 1)
ax.loglog(
    tt,
    L_log * np.sum((w_start - w_star) ** 2) / (2 * tt),
    "k:",
    label="L ||w0 - w*||^2 / (2t)",
)
gaps_newton = np.array(newton.loss_curve_) - f_star
ax.loglog(
    np.arange(1, len(gaps_newton) + 1),
    gaps_newton + 1e-16,
    "o-",
    ms=3,
    label=f"Newton ({newton.n_iter_} iterations)",
)
ax.set_ylim(1e-7, None)
ax.set_xlabel("epoch (one full-batch step)")
ax.set_ylabel("loss - loss*")
ax.set_title("logistic regression, breast_cancer")
ax.legend(fontsize=7)
fig.tight_layout()

# %%
# Gradient descent stays below its O(1/t) bound, the momentum methods reach a
# given accuracy in fewer steps, and Newton's method reaches float32's resolution
# of the loss in about ten iterations. (The losses are float32, so gaps below
# about 1e-7 are round-off.)
