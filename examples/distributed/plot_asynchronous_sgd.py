"""
=====================================
Asynchronous SGD and stale gradients
=====================================

Section 23.3 of the book: in asynchronous SGD the workers do not wait for each
other. Here :func:`~sklearn_mathdl.distributed.asynchronous` runs Hogwild
workers on one machine: the network's weights live in shared memory, and each
worker computes a gradient at the weights as it reads them and writes its
update in place. An update is *stale* by the number of updates the other
workers landed between its read and its write; every fit measures it
(``staleness_``).

We fit the same MLP by plain SGD with 1, 2 and 3 workers. One worker takes
exactly the steps of an ordinary fit (staleness 0). With more workers an
epoch takes less wall time on a machine with free cores, but each update is
computed at older weights, so the loss per epoch falls more slowly: the
trade-off the book's analysis of delayed gradients describes.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data and model
# --------------
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning

from sklearn_mathdl import MLPRegressor
from sklearn_mathdl.distributed import asynchronous

X, y = make_friedman1(4096, n_features=10, noise=0.5, random_state=0)
X = X.astype(np.float32)
y = (y - y.mean()) / y.std()


def make_model():
    return MLPRegressor(
        hidden_layer_sizes=(128, 128),
        optimizer="sgd",
        momentum=0.0,  # plain SGD, the scheme of the analysis
        learning_rate_init=0.05,
        alpha=1e-4,
        batch_size=64,
        max_iter=15,
        n_iter_no_change=np.inf,
        random_state=0,
    )


# %%
# One, two and three workers
# --------------------------
# An ordinary fit first (it also pays the process's one-time start-up costs,
# so the timings below compare like with like).
plain = make_model()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    plain.fit(X, y)

results = {}
for n_workers in (1, 2, 3):
    model = make_model()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with asynchronous(n_workers, threads_per_worker=1):
            model.fit(X, y)
    wall = time.perf_counter() - start
    results[n_workers] = (model, wall)
    print(
        f"{n_workers} worker(s): {wall:.1f} s, final loss {model.loss_curve_[-1]:.4f}, "
        f"mean staleness {model.staleness_.mean():.2f} "
        f"(max {model.staleness_.max()})"
    )

# one worker takes exactly the steps of the ordinary fit
assert np.allclose(results[1][0].loss_curve_, plain.loss_curve_, rtol=1e-5)

# %%
# Loss per epoch and the staleness of the updates
# -----------------------------------------------
# The left panel shows the price of staleness per epoch; the right one how
# stale the updates were. With K workers of equal speed the staleness is
# about K - 1.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for n_workers, (model, wall) in results.items():
    ax1.plot(
        np.arange(1, len(model.loss_curve_) + 1),
        model.loss_curve_,
        marker="o",
        ms=3,
        label=f"{n_workers} worker(s), {wall:.1f} s",
    )
    counts = np.bincount(model.staleness_, minlength=6)[:6]
    ax2.bar(
        np.arange(6) + 0.25 * (n_workers - 2),
        counts / counts.sum(),
        width=0.25,
        label=f"{n_workers} worker(s)",
    )
ax1.set_yscale("log")
ax1.set_xlabel("epoch")
ax1.set_ylabel("training loss")
ax1.legend()
ax2.set_xlabel("staleness of an update (updates landed in between)")
ax2.set_ylabel("fraction of updates")
ax2.legend()
fig.tight_layout()
plt.show()
