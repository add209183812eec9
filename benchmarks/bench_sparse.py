"""Sparse input (TF-IDF) to the MLP classifier, against scikit-learn's MLP.

A text-classification set generated on the spot (no download): documents of
Zipf-distributed words over a vocabulary, each class favouring its own topic
words, turned into a TF-IDF matrix by scikit-learn's ``TfidfVectorizer``
(about 99.8 % zeros). Three fits, alternating, medians over ``--repeats``:

- ``ours``: ``MLPClassifier`` on the sparse matrix (its first layer multiplies
  sparse batches);
- ``ours, densified batches``: the same with every batch made dense first
  (what the estimator did before the sparse first layer), for scale;
- ``sklearn``: scikit-learn's ``MLPClassifier``, which also multiplies sparse
  input directly.

Two cases: ``steps``, the same number of Adam steps on both sides (``--epochs``
epochs of batch 200 at scikit-learn's step 1e-3), which isolates the cost of a
step; and ``defaults``, each estimator with its own defaults (ours stops on
its own rules, scikit-learn after at most 200 epochs), scored on a held-out
quarter. One thread for torch and BLAS.

Run: ``python benchmarks/bench_sparse.py [--repeats 3]``; writes
``benchmarks/results_sparse_cpu.md``.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import datetime
import statistics
import time
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from threadpoolctl import threadpool_limits

import sklearn_mathdl
from sklearn_mathdl import MLPClassifier
from sklearn_mathdl._base import _BaseTorchEstimator

RESULTS = Path(__file__).with_name("results_sparse_cpu.md")


def make_text(n_docs, vocabulary, n_classes=4, words=80, seed=0):
    """Documents of Zipf-distributed words; each class draws one word in 20
    from its own 500 topic words. Returns (documents, labels)."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, vocabulary + 1)
    common = 1.0 / ranks**1.1
    common /= common.sum()
    topics = rng.permutation(vocabulary)[: 500 * n_classes].reshape(n_classes, 500)
    y = rng.integers(0, n_classes, n_docs)
    docs = []
    for label in y:
        n_topic = words // 20
        ids = np.concatenate(
            [
                rng.choice(vocabulary, words - n_topic, p=common),
                rng.choice(topics[label], n_topic),
            ]
        )
        docs.append(" ".join(f"w{i}" for i in ids))
    return docs, y


def _models(case, epochs):
    if case == "steps":
        same = dict(
            learning_rate_init=1e-3,
            max_iter=epochs,
            n_iter_no_change=np.inf,
            random_state=0,
        )
        ours = dict(same, optimizer="adam", learning_rate="constant")
        sk = dict(
            learning_rate_init=1e-3,
            max_iter=epochs,
            n_iter_no_change=epochs + 1,
            random_state=0,
        )
        return MLPClassifier(**ours), SkMLPClassifier(**sk)
    return MLPClassifier(random_state=0), SkMLPClassifier(random_state=0)


def _fit(which, case, epochs, Xa, ya, Xb, yb):
    ours, sk = _models(case, epochs)
    model = sk if which == "sklearn" else ours
    dense = which == "ours, densified batches"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        takes = _BaseTorchEstimator._takes_sparse
        if dense:
            takes = lambda self, module: False  # noqa: E731
        with mock.patch.object(_BaseTorchEstimator, "_takes_sparse", takes):
            start = time.perf_counter()
            model.fit(Xa, ya)
            fit_s = time.perf_counter() - start
            start = time.perf_counter()
            score = model.score(Xb, yb)
            predict_s = time.perf_counter() - start
    return fit_s, predict_s, score, model.n_iter_


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--docs", type=int, default=8000)
    parser.add_argument("--vocabulary", type=int, default=30000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--cases", nargs="+", default=["steps", "defaults"])
    args = parser.parse_args()
    torch.set_num_threads(1)
    threadpool_limits(1)

    docs, y = make_text(args.docs, args.vocabulary)
    X = TfidfVectorizer(dtype=np.float32).fit_transform(docs)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.25, random_state=0)
    density = X.nnz / (X.shape[0] * X.shape[1])
    # torch's one-time start-up (its first optimizer) charged to no fit
    MLPClassifier(max_iter=1, random_state=0).fit(Xa[:50], ya[:50])

    which_all = ["ours", "ours, densified batches", "sklearn"]
    rows = []
    for case in args.cases:
        runs = {w: [] for w in which_all}
        for r in range(args.repeats):
            order = which_all if r % 2 == 0 else which_all[::-1]
            for which in order:
                runs[which].append(_fit(which, case, args.epochs, Xa, ya, Xb, yb))
        for which in which_all:
            fits = [x[0] for x in runs[which]]
            rows.append(
                (
                    case,
                    which,
                    statistics.median(fits),
                    ", ".join(f"{t:.2f}" for t in fits),
                    statistics.median(x[1] for x in runs[which]),
                    runs[which][0][2],
                    runs[which][0][3],
                )
            )
    header = (
        f"# bench_sparse.py ({datetime.date.today()}, sklearn_mathdl "
        f"{sklearn_mathdl.__version__}, torch {torch.__version__}, 1 thread)\n\n"
        f"TF-IDF of {args.docs:,} generated documents: {X.shape[0]:,} x "
        f"{X.shape[1]:,}, density {density:.4f} ({X.nnz / X.shape[0]:.0f} "
        f"non-zeros a row); 75 % train, 25 % test; median of {args.repeats} "
        f"alternating runs. `steps`: {args.epochs} epochs of 200-row Adam steps at "
        "1e-3 on both sides; `defaults`: each estimator's defaults.\n"
    )
    table = [
        "| case | fit | fit s (median) | runs | predict s | test accuracy | epochs |",
        "|---|---|---|---|---|---|---|",
    ]
    for case, which, fit_s, runs_s, pred_s, score, n_iter in rows:
        table.append(
            f"| {case} | {which} | {fit_s:.2f} | {runs_s} | {pred_s:.3f} | "
            f"{score:.4f} | {n_iter} |"
        )
    ratios = []
    for case in args.cases:
        by = {w: f for c, w, f, *_ in rows if c == case}
        ratios.append(
            f"{case}: scikit-learn's MLP / ours = {by['sklearn'] / by['ours']:.2f}x "
            f"(fit); densified / sparse batches = "
            f"{by['ours, densified batches'] / by['ours']:.2f}x"
        )
    text = header + "\n" + "\n".join(table) + "\n\n" + "\n".join(ratios) + "\n"
    print(text)
    with open(RESULTS, "a") as f:
        f.write("\n" + text)


if __name__ == "__main__":
    main()
