"""Deep ensembles: members trained as one stacked model against one by one.

``DeepEnsembleClassifier(MLPClassifier(random_state=0))`` with defaults (five
members, Adam) on small tabular sets, in a StandardScaler pipeline: the
stacked fit (the default) against the same members fitted one after another
(what the ensemble did before, and what any loop over seeds does), and against
five scikit-learn MLPClassifiers with their defaults (the peer a user would
loop over). Medians of alternating runs, one thread. The stacked and the
one-by-one ensembles are the same model: their test accuracies are equal and
the largest difference of their probabilities is printed.

Run: ``python benchmarks/bench_ensemble.py [--repeats 3]``; writes
``benchmarks/results_ensemble_cpu.md``.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import datetime
import statistics
import time
from pathlib import Path
from unittest import mock

import numpy as np
import torch
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import sklearn_mathdl
from sklearn_mathdl import DeepEnsembleClassifier, MLPClassifier, _datasets
from sklearn_mathdl._ensemble import _BaseDeepEnsemble

RESULTS = Path(__file__).with_name("results_ensemble_cpu.md")
N_MEMBERS = 5


def _ours():
    return make_pipeline(
        StandardScaler(),
        DeepEnsembleClassifier(MLPClassifier(random_state=0), random_state=0),
    )


def _sklearn_loop(X, y):
    """Five scikit-learn MLPs with defaults, seeds 0..4 (a loop over seeds)."""
    scaler = StandardScaler().fit(X)
    Xs = scaler.transform(X)
    return scaler, [
        SkMLPClassifier(random_state=s).fit(Xs, y) for s in range(N_MEMBERS)
    ]


def _one_case(name, repeats):
    data = _datasets.load(name)
    Xa, Xb, ya, yb = train_test_split(
        data.X, data.y, test_size=0.3, random_state=0, stratify=data.y
    )
    times = {"stacked": [], "one by one": [], "sklearn MLP x5": []}
    proba = {}
    for r in range(repeats):
        order = list(times) if r % 2 == 0 else list(times)[::-1]
        for which in order:
            start = time.perf_counter()
            if which == "sklearn MLP x5":
                scaler, members = _sklearn_loop(Xa, ya)
                p = np.mean(
                    [m.predict_proba(scaler.transform(Xb)) for m in members], axis=0
                )
            else:
                model = clone(_ours())
                if which == "one by one":
                    with mock.patch.object(
                        _BaseDeepEnsemble,
                        "_fit_stacked",
                        lambda self, X, y, kw, seeds: [None] * len(seeds),
                    ):
                        model.fit(Xa, ya)
                else:
                    model.fit(Xa, ya)
                p = model.predict_proba(Xb)
            times[which].append(time.perf_counter() - start)
            proba[which] = p
    classes = np.unique(ya)
    rows = []
    for which, ts in times.items():
        acc = float(np.mean(classes[proba[which].argmax(1)] == yb))
        rows.append((which, statistics.median(ts), acc))
    diff = float(np.abs(proba["stacked"] - proba["one by one"]).max())
    return rows, diff


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--datasets", nargs="*", default=["breast_cancer", "wine", "digits"]
    )
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    lines = [
        f"# bench_ensemble.py ({datetime.date.today()}, sklearn_mathdl "
        f"{sklearn_mathdl.__version__}, torch {torch.__version__}, 1 thread)",
        "",
        f"Command: `python benchmarks/bench_ensemble.py --repeats {args.repeats}`",
        "",
        "DeepEnsembleClassifier(MLPClassifier(random_state=0), random_state=0) "
        "with defaults (5 members), StandardScaler pipeline, 30 % stratified test "
        f"split, median fit + predict seconds of {args.repeats} alternating runs.",
        "",
        "| data | ensemble | s | test accuracy | one by one / stacked |",
        "|---|---|---|---|---|",
    ]
    with threadpool_limits(1):
        for name in args.datasets:
            rows, diff = _one_case(name, args.repeats)
            stacked = rows[0][1]
            for which, t, acc in rows:
                lines.append(
                    f"| {name} | {which} | {t:.2f} | {acc:.3f} | {t / stacked:.2f} |"
                )
                print(lines[-1], flush=True)
            lines.append(
                f"| {name} | max abs difference of the stacked and one-by-one "
                f"probabilities | {diff:.1e} | | |"
            )
            print(lines[-1], flush=True)
    Path(args.output).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
