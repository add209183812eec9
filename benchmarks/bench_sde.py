"""Neural SDEs (section 22.5) against their targets and the neural ODE.

Usage::

    python benchmarks/bench_sde.py            # -> results_sde_cpu.md
    python benchmarks/bench_sde.py --seeds 0

Three tables, defaults everywhere (only ``random_state`` set), one torch thread:

1. ``NeuralSDE`` on Ornstein-Uhlenbeck paths (theta 1.5, mu 0.5, sigma 0.3;
   100 paths of 500 steps of 0.02, exact transitions, data seed = seed): the
   parameters read off the fitted drift and diffusion, against the truth and
   against the closed-form Euler-Maruyama MLE of the same sample (least
   squares of the increments on the state). Target: within 10 % of the truth.
2. ``NeuralSDEClassifier`` against ``NeuralODEClassifier`` on make_moons(1000,
   noise=0.2) and make_circles(1000, noise=0.1, factor=0.5), 30 % held out, in
   a StandardScaler pipeline. Target: the SDE's accuracy at least the ODE's.
3. ``NeuralSDERegressor`` on y = sin(x) + (0.1 + 0.3 |x|) eps, x ~ U(-3, 3),
   1,000 rows to fit and 1,000 held out: the coverage of mean +- z std at
   four levels. Target: within 3 points of the nominal rate.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import datetime
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from scipy import stats
from sklearn.datasets import make_circles, make_moons
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_mathdl
from sklearn_mathdl import (
    NeuralODEClassifier,
    NeuralSDE,
    NeuralSDEClassifier,
    NeuralSDERegressor,
)

RESULTS = Path(__file__).with_name("results_sde_cpu.md")
THETA, MU, SIGMA, DT = 1.5, 0.5, 0.3, 0.02
LEVELS = (0.5, 0.8, 0.9, 0.95)


def ou_paths(seed, n_paths=100, n_times=501):
    rng = np.random.default_rng(seed)
    X = np.empty((n_paths, 1, n_times))
    X[:, 0, 0] = MU + SIGMA / np.sqrt(2 * THETA) * rng.normal(size=n_paths)
    a = np.exp(-THETA * DT)
    s = SIGMA * np.sqrt((1 - a**2) / (2 * THETA))
    for t in range(n_times - 1):
        X[:, 0, t + 1] = MU + (X[:, 0, t] - MU) * a + s * rng.normal(size=n_paths)
    return X, np.arange(n_times) * DT


def ou_rows(seed):
    X, times = ou_paths(seed)
    x, dx = X[:, 0, :-1].ravel(), np.diff(X[:, 0], axis=1).ravel()
    b, a = np.polyfit(x, dx, 1)
    mle = (-b / DT, -a / b, np.sqrt(np.var(dx - a - b * x) / DT))
    rows = [("closed-form Euler MLE", *mle, 0.0)]
    grid = np.linspace(np.quantile(X, 0.05), np.quantile(X, 0.95), 21)[:, None]
    for label, params in (
        (
            "NeuralSDE(hidden_layer_sizes=(), diffusion='additive')",
            dict(hidden_layer_sizes=(), diffusion="additive"),
        ),
        ("NeuralSDE() (defaults)", {}),
    ):
        start = time.perf_counter()
        sde = NeuralSDE(random_state=seed, **params).fit(X, times=times)
        seconds = time.perf_counter() - start
        slope, intercept = np.polyfit(grid[:, 0], sde.predict_drift(grid)[:, 0], 1)
        sigma = sde.predict_diffusion(grid)[:, 0].mean()
        rows.append((label, -slope, intercept / -slope, sigma, seconds))
    return rows


def classification_rows(seed):
    data = {
        "moons": make_moons(1000, noise=0.2, random_state=seed),
        "circles": make_circles(1000, noise=0.1, factor=0.5, random_state=seed),
    }
    rows = []
    for name, (X, y) in data.items():
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=seed)
        for est in (
            NeuralSDEClassifier(random_state=seed),
            NeuralODEClassifier(random_state=seed),
        ):
            start = time.perf_counter()
            pipe = make_pipeline(StandardScaler(), est).fit(Xtr, ytr)
            seconds = time.perf_counter() - start
            rows.append((name, type(est).__name__, pipe.score(Xte, yte), seconds))
    return rows


def coverage_row(seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(2000, 1))
    y = np.sin(X[:, 0]) + (0.1 + 0.3 * np.abs(X[:, 0])) * rng.normal(size=2000)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=seed)
    start = time.perf_counter()
    reg = NeuralSDERegressor(random_state=seed).fit(Xtr, ytr)
    seconds = time.perf_counter() - start
    mean, std = reg.predict(Xte, return_std=True)
    cover = [
        float(np.mean(np.abs(yte - mean) <= stats.norm.ppf(0.5 + lv / 2) * std))
        for lv in LEVELS
    ]
    return cover, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    begin = time.perf_counter()
    output = args.output or (RESULTS if argv is None and len(sys.argv) == 1 else None)
    lines = [
        "## 1. NeuralSDE on Ornstein-Uhlenbeck paths (truth: theta 1.5, mu 0.5, "
        "sigma 0.3)",
        "",
        "| seed | model | theta | mu | sigma | fit s |",
        "|---|---|---|---|---|---|",
    ]
    for seed in args.seeds:
        for label, theta, mu, sigma, seconds in ou_rows(seed):
            lines.append(
                f"| {seed} | {label} | {theta:.3f} | {mu:.3f} | {sigma:.3f} | "
                f"{seconds:.1f} |"
            )
            print(lines[-1], flush=True)
    lines += [
        "",
        "## 2. Classification, 30 % held out",
        "",
        "| seed | data | model | accuracy | fit s |",
        "|---|---|---|---|---|",
    ]
    for seed in args.seeds:
        for name, model, score, seconds in classification_rows(seed):
            lines.append(f"| {seed} | {name} | {model} | {score:.3f} | {seconds:.1f} |")
            print(lines[-1], flush=True)
    header = " | ".join(f"{lv:.0%}" for lv in LEVELS)
    lines += [
        "",
        "## 3. NeuralSDERegressor: coverage of mean +- z std on held-out targets",
        "",
        f"| seed | {header} | fit s |",
        "|---|" + "---|" * len(LEVELS) + "---|",
    ]
    for seed in args.seeds:
        cover, seconds = coverage_row(seed)
        cells = " | ".join(f"{c:.3f}" for c in cover)
        lines.append(f"| {seed} | {cells} | {seconds:.1f} |")
        print(lines[-1], flush=True)
    if output:
        head = (
            f"# bench_sde.py ({datetime.date.today()}, sklearn_mathdl "
            f"{sklearn_mathdl.__version__}, torch {torch.__version__}, Python "
            f"{platform.python_version()}, 1 thread; "
            f"{time.perf_counter() - begin:.0f} s)\n\n"
            f"Command: `python benchmarks/bench_sde.py {' '.join(sys.argv[1:])}`\n\n"
        )
        Path(output).write_text(head + "\n".join(lines) + "\n")
        print(f"wrote {output}")


if __name__ == "__main__":
    main()
