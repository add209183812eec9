"""
===================================================
Reverse versus forward mode: the cost of a gradient
===================================================

The book's section 24.2 in one picture. For a scalar function of d inputs,
reverse-mode automatic differentiation (backpropagation) computes the whole
gradient in one forward and one backward pass, whatever d; forward mode
propagates one directional derivative per pass and needs d passes. Both are
implemented in :mod:`sklearn_mathdl.autodiff`; here we time them on
f(x) = sum(tanh(x) * x) + log(sum(exp(x / 10))) for d = 10 ... 10,000 and check
that they agree.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from sklearn_mathdl import autodiff as ad


def f(x):
    return ad.sum(ad.tanh(x) * x) + ad.log(ad.sum(ad.exp(x / 10.0)))


def best_time(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


sizes = [10, 100, 1000, 10000]
reverse, forward = [], []
rng = np.random.default_rng(0)
for d in sizes:
    x = rng.normal(size=d)
    t_rev, g_rev = best_time(lambda x=x: ad.grad(f, x))
    t_fwd, g_fwd = best_time(
        lambda x=x: ad.grad(f, x, mode="forward"), repeat=1 if d > 1000 else 3
    )
    assert np.allclose(g_rev, g_fwd, rtol=1e-10)
    reverse.append(t_rev)
    forward.append(t_fwd)
    print(f"d={d:6d}: reverse {t_rev * 1e3:8.2f} ms, forward {t_fwd * 1e3:9.1f} ms")

# %%
# Reverse mode's time barely grows (each pass is a handful of vectorized array
# operations); forward mode's grows like d (d passes) times the cost of a pass.
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(sizes, reverse, "o-", label="reverse mode (1 pass + backward)")
ax.loglog(sizes, forward, "s-", label="forward mode (d passes)")
ax.loglog(sizes, forward[0] * np.array(sizes) / sizes[0], "k:", label="slope 1")
ax.set_xlabel("number of inputs d")
ax.set_ylabel("seconds for the full gradient")
ax.legend()
fig.tight_layout()
