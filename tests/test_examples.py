"""Every gallery script runs to completion (with a non-interactive backend).

The scripts that take over 15 s on 2 cores are marked ``slow``: the docs build
(``.ci/run``, sphinx-gallery) runs every script again and fails on any error,
so CI still runs them, once.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import runpy
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").rglob("plot_*.py"))
SLOW = {
    "plot_gunpoint_classification.py",
    "plot_sgd_convergence.py",
    "plot_kernel_ridge_scale.py",
    "plot_digits_cnn.py",
    "plot_batched_search.py",
    "plot_gan_ring.py",
    "plot_gamma_scaling.py",
    "plot_mean_field_clt.py",
    "plot_cartpole.py",
    "plot_q_learning_width.py",
    "plot_fitted_q_iteration.py",
    "plot_neural_sde.py",
}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=[pytest.mark.slow]) if p.name in SLOW else p
        for p in EXAMPLES
    ],
    ids=lambda p: p.name,
)
def test_example_runs(path):
    import matplotlib.pyplot as plt

    runpy.run_path(str(path), run_name="__main__")
    assert plt.get_fignums(), f"{path.name} made no figure"
    plt.close("all")


def test_examples_found():
    assert EXAMPLES
    assert SLOW <= {p.name for p in EXAMPLES}
