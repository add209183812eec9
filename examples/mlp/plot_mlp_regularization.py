"""
================================================
From logistic regression to regularized networks
================================================

The book's first chapters in one picture. On the two-moons data, logistic regression
trained by SGD (:class:`~sklearn_mathdl.MLPClassifier` with no hidden layer) can only
draw a straight boundary; a hidden layer bends it; dropout, an L2 penalty and early
stopping keep a wide network from fitting the noise. The last panel compares SGD with
constant steps and with Robbins-Monro steps :math:`\\eta_t = \\eta_0/(1+t)^{0.75}`.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data: two noisy interleaved half-circles, split into train and test.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from sklearn_mathdl import MLPClassifier

X, y = make_moons(n_samples=400, noise=0.3, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# Four models, from a linear boundary to a regularized network.
models = {
    "logistic regression (SGD)": MLPClassifier(
        hidden_layer_sizes=(),
        optimizer="sgd",
        learning_rate_init=0.1,
        max_iter=200,
        random_state=0,
    ),
    "MLP (256, 256), no regularization": MLPClassifier(
        hidden_layer_sizes=(256, 256),
        alpha=0.0,
        learning_rate_init=0.01,
        max_iter=300,
        tol=0.0,
        n_iter_no_change=300,
        random_state=0,
    ),
    "same + dropout 0.3 + L2": MLPClassifier(
        hidden_layer_sizes=(256, 256),
        dropout=0.3,
        alpha=1.0,
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ),
    "same + early stopping": MLPClassifier(
        hidden_layer_sizes=(256, 256),
        alpha=0.0,
        learning_rate_init=0.01,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=20,
        max_iter=300,
        random_state=0,
    ),
}

for model in models.values():
    model.fit(X_train, y_train)

# %%
# Robbins-Monro steps: with a large constant step, SGD makes fast progress but
# keeps fluctuating, since the gradient noise never averages out. Steps that
# decrease like (1 + t)^-0.75 give a smooth, monotone curve, the regime in which
# SGD provably converges, but they shrink quickly, so progress slows: the
# classical trade-off between noise and speed.
curves = {}
for schedule in ["constant", "invscaling"]:
    model = MLPClassifier(
        hidden_layer_sizes=(32,),
        optimizer="sgd",
        momentum=0.0,
        learning_rate_init=0.5,
        learning_rate=schedule,
        power_t=0.75,
        batch_size=16,
        max_iter=60,
        tol=0.0,
        n_iter_no_change=60,
        random_state=0,
    ).fit(X_train, y_train)
    curves[schedule] = (model.loss_curve_, model.score(X_test, y_test))

# %%
# Decision boundaries (probability of the second class) and the loss curves.
xx, yy = np.meshgrid(np.linspace(-2, 3, 200), np.linspace(-1.5, 2, 200))
grid = np.c_[xx.ravel(), yy.ravel()]

fig, axes = plt.subplots(1, 5, figsize=(22, 4.2))
for ax, (name, model) in zip(axes, models.items(), strict=False):
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=20, cmap="RdBu", alpha=0.7)
    ax.scatter(
        X_train[:, 0],
        X_train[:, 1],
        c=y_train,
        cmap="RdBu",
        s=8,
        edgecolors="k",
        linewidths=0.3,
    )
    ax.set_title(
        f"{name}\ntrain {model.score(X_train, y_train):.2f}, "
        f"test {model.score(X_test, y_test):.2f}",
        fontsize=9,
    )
    ax.set_xticks([])
    ax.set_yticks([])
for schedule, (curve, test_score) in curves.items():
    axes[-1].plot(curve, label=f"{schedule}: test {test_score:.2f}")
axes[-1].set_xlabel("epoch")
axes[-1].set_ylabel("training loss")
axes[-1].set_title("SGD step-size schedules", fontsize=9)
axes[-1].legend(fontsize=8)
fig.tight_layout()
plt.show()
