"""Accuracy and per-epoch time of the CNN, RNN and transformer estimators.

Run ``python benchmarks/bench_sequence.py`` (``--quick``: fewer epochs and
folds; ``--part accuracy`` or ``--part speed`` for one half).

Accuracy (targets from the issue; published baselines in parentheses):

- CNNClassifier on sklearn's digits as 1x8x8 images behind a StandardScaler,
  5-fold stratified CV (target >= 0.985; sklearn SVC 0.981, MLP 0.977).
- UCR GunPoint from aeon's bundled files, official train/test split: CNN
  (target >= 0.99), RNN and transformer (target > 0.907, 1-NN DTW).
- TransformerEncoderClassifier on breast_cancer (tabular), 5-fold CV
  (target >= 0.97).

Speed: per-epoch fit time of each estimator against a hand-written torch loop
on the same module (same init, Adam, batch 64, in-memory tensors), medians of
3 alternating runs; target ratio <= 1.15.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import CNNClassifier, RNNClassifier, TransformerEncoderClassifier


def gunpoint():
    from aeon.datasets import load_classification

    X_train, y_train = load_classification("GunPoint", split="train")
    X_test, y_test = load_classification("GunPoint", split="test")
    return X_train, y_train, X_test, y_test


def znorm(X):
    mu = X.mean(axis=-1, keepdims=True)
    sd = X.std(axis=-1, keepdims=True)
    return (X - mu) / np.where(sd > 0, sd, 1.0)


def accuracy(quick):
    folds = 2 if quick else 5
    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    X, y = load_digits(return_X_y=True)
    cnn = CNNClassifier(
        n_filters=(32, 64, 64),
        input_shape=(1, 8, 8),
        batch_size=32,
        learning_rate="cosine",
        max_iter=5 if quick else 40,
        random_state=0,
    )
    scores = cross_val_score(make_pipeline(StandardScaler(), cnn), X, y, cv=cv)
    print(
        f"| digits (1x8x8), {folds}-fold CV | CNNClassifier | {scores.mean():.4f} "
        f"+- {scores.std():.4f} | >= 0.985 |",
        flush=True,
    )

    Xtr, ytr, Xte, yte = gunpoint()
    Xtr, Xte = znorm(Xtr), znorm(Xte)
    epochs = 20 if quick else None
    models = {
        "CNNClassifier": CNNClassifier(
            n_filters=(64, 128, 64),
            max_iter=epochs or 300,
            n_iter_no_change=300,  # 50 rows: let the whole budget run
            batch_size=16,
            random_state=0,
        ),
        "RNNClassifier (GRU, bidirectional)": RNNClassifier(
            cell="gru",
            hidden_size=64,
            bidirectional=True,
            learning_rate_init=3e-3,
            learning_rate="cosine",
            max_iter=epochs or 300,
            n_iter_no_change=300,
            batch_size=16,
            random_state=0,
        ),
        "TransformerEncoderClassifier": TransformerEncoderClassifier(
            d_model=32,
            n_heads=4,
            n_layers=2,
            dim_feedforward=64,
            pooling="mean",
            learning_rate_init=1e-3,
            max_iter=epochs or 200,
            n_iter_no_change=200,
            batch_size=16,
            random_state=0,
        ),
    }
    for name, model in models.items():
        start = time.perf_counter()
        acc = model.fit(Xtr, ytr).score(Xte, yte)
        target = ">= 0.99" if name.startswith("CNN") else "> 0.907"
        print(
            f"| GunPoint test | {name} | {acc:.4f} "
            f"({time.perf_counter() - start:.0f} s) | {target} |",
            flush=True,
        )

    X, y = load_breast_cancer(return_X_y=True)
    # a 5-fold mean moves by ~0.01 with the initialization seed: report the
    # mean over seeds too
    seeds = [0] if quick else [0, 1, 2, 3, 4]
    means = []
    for seed in seeds:
        tr = TransformerEncoderClassifier(
            d_model=32,
            n_heads=4,
            n_layers=2,
            dim_feedforward=64,
            pooling="mean",
            dropout=0.0,
            alpha=1.0,  # L2 as sklearn's MLP counts it; 1e-4 overfits 455 rows
            batch_size=32,
            learning_rate="cosine",  # small late steps: 0.978 vs 0.968 constant
            max_iter=5 if quick else 30,
            n_iter_no_change=30,
            random_state=seed,
        )
        scores = cross_val_score(make_pipeline(StandardScaler(), tr), X, y, cv=cv)
        means.append(scores.mean())
        print(
            f"| breast_cancer, {folds}-fold CV, random_state={seed} | "
            f"TransformerEncoderClassifier | {scores.mean():.4f} +- "
            f"{scores.std():.4f} | >= 0.97 |",
            flush=True,
        )
    print(
        f"| breast_cancer, mean over {len(seeds)} seeds | "
        f"TransformerEncoderClassifier | {np.mean(means):.4f} | >= 0.97 |",
        flush=True,
    )


def hand_epoch_time(est, X, y, epochs):
    module = est._build_module(est.n_features_in_, len(est.classes_))
    module.load_state_dict(est.module_.state_dict())
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt = torch.from_numpy(est._prepare_X(X.astype(np.float32)))
    yt = torch.from_numpy(np.searchsorted(est.classes_, y))
    gen = torch.Generator().manual_seed(0)
    module.train()
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), generator=gen)
        total = 0.0
        for s in range(0, len(Xt), 64):
            idx = perm[s : s + 64]
            opt.zero_grad()
            loss = loss_fn(module(Xt[idx]), yt[idx])
            loss.backward()
            if getattr(est, "max_grad_norm", None):
                torch.nn.utils.clip_grad_norm_(module.parameters(), est.max_grad_norm)
            opt.step()
            total += loss.item()
    return (time.perf_counter() - start) / epochs


def speed(quick):
    rng = np.random.RandomState(0)
    X = rng.randn(2048, 3, 100).astype(np.float32)
    y = (X[:, 0, :50].mean(1) > 0).astype(int) + (X[:, 1].std(1) > 1)
    epochs = 2 if quick else 5
    print("| estimator | ours s/epoch | hand loop s/epoch | ratio |")
    print("|---|---|---|---|")
    for est in (
        CNNClassifier(n_filters=(32, 64, 32), batch_size=64, random_state=0),
        RNNClassifier(cell="lstm", hidden_size=64, batch_size=64, random_state=0),
        TransformerEncoderClassifier(
            d_model=32, dropout=0.0, batch_size=64, optimizer="adam", random_state=0
        ),
    ):
        ours, hand = [], []
        est.set_params(max_iter=epochs, tol=0.0)
        for rep in range(3):
            runs = [("ours", None), ("hand", None)]
            if rep % 2:
                runs.reverse()
            for who, _ in runs:
                if who == "ours":
                    start = time.perf_counter()
                    est.fit(X, y)
                    ours.append((time.perf_counter() - start) / epochs)
                else:
                    hand.append(hand_epoch_time(est, X, y, epochs))
        o, h = statistics.median(ours), statistics.median(hand)
        print(f"| {type(est).__name__} | {o:.3f} | {h:.3f} | {o / h:.2f} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", choices=["accuracy", "speed", "all"], default="all")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    if args.part in ("accuracy", "all"):
        print("| data | estimator | accuracy | target |\n|---|---|---|---|")
        accuracy(args.quick)
    if args.part in ("speed", "all"):
        speed(args.quick)


if __name__ == "__main__":
    main()
