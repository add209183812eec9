"""
====================================
A neural ODE's flow on the two moons
====================================

:class:`~sklearn_mathdl.NeuralODEClassifier` moves each point along the solution of
a learned ODE :math:`dh/dt = f_\\theta(t, h)` from :math:`t=0` to :math:`t=1`, then
separates the end points linearly. Left: trajectories of a plain neural ODE, whose
state is the 2-D input itself; the flow is a homeomorphism of the plane, so it can
bend the moons but not pull them apart completely. Right: the augmented neural ODE
(``augment_dim=14``, a 16-dim state) separates them; its trajectories are shown in
their first two coordinates.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit a plain and an augmented neural ODE.
import matplotlib.pyplot as plt
import torch
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from sklearn_mathdl import NeuralODEClassifier

X, y = make_moons(600, noise=0.1, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
models = {
    aug: NeuralODEClassifier(
        augment_dim=aug, learning_rate_init=0.01, max_iter=60, random_state=0
    ).fit(X_train, y_train)
    for aug in (0, 14)
}

# %%
# Trajectories h(t) of 150 test points, t in [0, 1].
times = torch.linspace(0, 1, 25)
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
for ax, (aug, clf) in zip(axes, models.items(), strict=True):
    with torch.no_grad():
        path = clf.module_.trajectory(
            torch.tensor(X_test[:150], dtype=torch.float32), times
        ).numpy()
    for i in range(path.shape[1]):
        ax.plot(path[:, i, 0], path[:, i, 1], color=f"C{y_test[i]}", alpha=0.4, lw=0.8)
    ax.scatter(path[-1, :, 0], path[-1, :, 1], c=[f"C{c}" for c in y_test[:150]], s=8)
    ax.set_title(
        f"augment_dim={aug}: test accuracy "
        f"{clf.score(X_test, y_test):.3f}, {clf.nfe_forward_:.0f} "
        "evaluations per forward pass",
        fontsize=9,
    )
fig.tight_layout()
plt.show()
