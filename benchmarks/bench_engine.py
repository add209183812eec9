"""Engine overhead: our MLPClassifier vs a hand-written torch loop and sklearn's MLP.

Run ``python benchmarks/bench_engine.py`` (``--quick`` for a smoke run). For each
size it fits the same module (same init seed), loss, optimizer (Adam, lr 1e-3),
batch size (256) and epochs (10) three ways, alternating the order, and reports
medians of ``--repeats`` runs and the ratios:

- fit ratio = our fit / hand-written loop (target <= 1.15);
- predict ratio = our ``predict_proba`` on a NumPy array / the hand-written
  forward of the same rows under ``torch.inference_mode`` (target <= 1.10);
- sklearn ratio = our fit / sklearn's ``MLPClassifier`` fit (target < 1 at the
  largest size).

The hand-written loop is what a PyTorch user would write: in-memory tensors, a
fresh permutation per epoch, ``zero_grad``/``backward``/``step``, the batch loss
read with ``.item()`` for logging.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

from sklearn_mathdl import MLPClassifier
from sklearn_mathdl._modules import _MLPModule

EPOCHS = 10
BATCH = 256
LR = 1e-3


def hand_fit(X, y, hidden, seed):
    torch.manual_seed(seed)
    module = _MLPModule(X.shape[1], 1, hidden)
    opt = torch.optim.Adam(module.parameters(), lr=LR)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.float32))[:, None]
    gen = torch.Generator().manual_seed(seed)
    n = len(Xt)
    module.train()
    for _ in range(EPOCHS):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for start in range(0, n, BATCH):
            idx = perm[start : start + BATCH]
            opt.zero_grad()
            loss = loss_fn(module(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item()
    module.eval()
    return module


def hand_predict(module, X):
    with torch.inference_mode():
        return torch.sigmoid(module(torch.from_numpy(X))).numpy()


def ours_fit(X, y, hidden, seed):
    est = MLPClassifier(
        hidden_layer_sizes=hidden,
        batch_size=BATCH,
        max_iter=EPOCHS,
        learning_rate_init=LR,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=EPOCHS + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def sk_fit(X, y, hidden, seed):
    est = SkMLPClassifier(
        hidden_layer_sizes=hidden,
        batch_size=BATCH,
        max_iter=EPOCHS,
        learning_rate_init=LR,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=EPOCHS + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def bench(n, d, hidden, repeats, with_sklearn=True):
    X, y = make_classification(
        n_samples=n, n_features=d, n_informative=d // 2, random_state=0
    )
    X = X.astype(np.float32)
    # Warm-up: torch imports some modules lazily on the first optimizer step.
    hand_fit(X[:512], y[:512], hidden, 0)
    ours_fit(X[:512], y[:512], hidden, 0)
    t = {"hand_fit": [], "ours_fit": [], "sk_fit": [], "hand_pred": [], "ours_pred": []}
    accs = {}
    for r in range(repeats):
        order = ["hand", "ours", "sk"] if r % 2 == 0 else ["sk", "ours", "hand"]
        for who in order:
            if who == "hand":
                dt, module = timed(hand_fit, X, y, hidden, r)
                t["hand_fit"].append(dt)
                hand_predict(module, X[:10])
                dt, p = timed(hand_predict, module, X)
                t["hand_pred"].append(dt)
                accs["hand"] = float(((p[:, 0] > 0.5) == y).mean())
            elif who == "ours":
                dt, est = timed(ours_fit, X, y, hidden, r)
                t["ours_fit"].append(dt)
                est.predict_proba(X[:10])
                dt, p = timed(est.predict_proba, X)
                t["ours_pred"].append(dt)
                accs["ours"] = float(((p[:, 1] > 0.5) == y).mean())
            elif with_sklearn:
                dt, est = timed(sk_fit, X, y, hidden, r)
                t["sk_fit"].append(dt)
                accs["sklearn"] = float(est.score(X, y))
    med = {k: statistics.median(v) for k, v in t.items() if v}
    return med, accs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and 2 repeats (smoke run)"
    )
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    sizes = [(20_000, 20, (64, 64)), (100_000, 50, (256, 256))]
    repeats = args.repeats
    if args.quick:
        sizes = [(4_000, 20, (64, 64))]
        repeats = 2
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} torch threads, "
        f"{EPOCHS} epochs, batch {BATCH}, Adam lr {LR}, median of {repeats}"
    )
    header = (
        "size",
        "hidden",
        "hand fit s",
        "ours fit s",
        "sklearn fit s",
        "fit ratio",
        "hand pred s",
        "ours pred s",
        "pred ratio",
        "ours/sklearn fit",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for n, d, hidden in sizes:
        med, accs = bench(n, d, hidden, repeats)
        row = (
            f"{n}x{d}",
            str(hidden),
            f"{med['hand_fit']:.3f}",
            f"{med['ours_fit']:.3f}",
            f"{med['sk_fit']:.3f}",
            f"{med['ours_fit'] / med['hand_fit']:.3f}",
            f"{med['hand_pred']:.4f}",
            f"{med['ours_pred']:.4f}",
            f"{med['ours_pred'] / med['hand_pred']:.3f}",
            f"{med['ours_fit'] / med['sk_fit']:.3f}",
        )
        print("| " + " | ".join(row) + " |", flush=True)
        print(f"  train accuracy: {accs}")


if __name__ == "__main__":
    main()
