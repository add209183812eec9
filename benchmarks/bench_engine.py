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
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from sklearn_mathdl import MLPClassifier, MLPRegressor
from sklearn_mathdl._modules import _MLPModule

EPOCHS = 10
BATCH = 256
LR = 1e-3


def hand_fit(X, y, hidden, seed):
    torch.manual_seed(seed)
    module = _MLPModule(X.shape[1], 1, hidden)
    opt = torch.optim.Adam(module.parameters(), lr=LR)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    return hand_loop(module, opt, loss_fn, X, y, seed, EPOCHS, BATCH)


def hand_loop(module, opt, loss_fn, X, y, seed, epochs, batch):
    """The training loop a PyTorch user writes: in-memory tensors, a fresh
    permutation per epoch, zero_grad/backward/step, the loss read for logging."""
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.float32))[:, None]
    gen = torch.Generator().manual_seed(seed)
    n = len(Xt)
    module.train()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for start in range(0, n, batch):
            idx = perm[start : start + batch]
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


# --------------------------------------------------------------- small data
# The work users do most: a default-sized MLP on a small table. Same module
# (same init seed), Adam lr 1e-3, batch 200, L2 alpha applied to the weight
# matrices, 200 epochs with no early stop (tol=0): 600 steps on breast_cancer.
SMALL_EPOCHS = 200
SMALL_BATCH = 200
SMALL_ALPHA = 1e-4


def _small_data(name):
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.preprocessing import StandardScaler

    loader = {"breast_cancer": load_breast_cancer, "diabetes": load_diabetes}[name]
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    if name == "diabetes":
        y = ((y - y.mean()) / y.std()).astype(np.float32)
    return X, y


def hand_fit_small(X, y, seed, classify):
    torch.manual_seed(seed)
    module = _MLPModule(X.shape[1], 1, (100,))
    weights = [p for p in module.parameters() if p.ndim >= 2]
    others = [p for p in module.parameters() if p.ndim < 2]
    # L2 on the weights as a PyTorch user writes it: Adam's (coupled) decay
    opt = torch.optim.Adam(
        [
            {"params": weights, "weight_decay": SMALL_ALPHA / SMALL_BATCH},
            {"params": others},
        ],
        lr=LR,
    )
    loss_fn = torch.nn.BCEWithLogitsLoss() if classify else torch.nn.MSELoss()
    return hand_loop(module, opt, loss_fn, X, y, seed, SMALL_EPOCHS, SMALL_BATCH)


def ours_fit_small(X, y, seed, classify):
    Est = MLPClassifier if classify else MLPRegressor
    est = Est(
        optimizer="adam",  # the regressor's default "auto" would pick L-BFGS
        learning_rate_init=LR,  # the loops' step (the classifier's default is 1e-2)
        alpha=SMALL_ALPHA,
        learning_rate="constant",  # the loops' fixed step (the classifier's
        # default "plateau" would shrink it under tol=0)
        max_iter=SMALL_EPOCHS,
        tol=0.0,
        n_iter_no_change=SMALL_EPOCHS + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def sk_fit_small(X, y, seed, classify):
    Est = SkMLPClassifier if classify else SkMLPRegressor
    est = Est(
        learning_rate_init=LR,
        alpha=SMALL_ALPHA,
        max_iter=SMALL_EPOCHS,
        tol=0.0,
        n_iter_no_change=SMALL_EPOCHS + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def bench_small(name, repeats):
    X, y = _small_data(name)
    classify = name == "breast_cancer"
    hand_fit_small(X, y, 0, classify)  # warm-up (lazy imports)
    ours_fit_small(X, y, 0, classify)
    runs = {"hand": hand_fit_small, "ours": ours_fit_small, "sklearn": sk_fit_small}
    t = {k: [] for k in runs}
    for r in range(repeats):
        order = list(runs) if r % 2 == 0 else list(runs)[::-1]
        for who in order:
            dt, _ = timed(runs[who], X, y, r, classify)
            t[who].append(dt)
    return {k: statistics.median(v) for k, v in t.items()}


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
    parser.add_argument(
        "--small-only", action="store_true", help="only the small-data rows"
    )
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
    print(
        f"\nSmall data: hidden (100,), batch {SMALL_BATCH}, {SMALL_EPOCHS} epochs, "
        f"alpha {SMALL_ALPHA}, Adam lr {LR}, no early stop; median of {repeats}"
    )
    small = ("hand fit s", "ours fit s", "sklearn fit s", "ours/hand", "ours/sklearn")
    print("| data | " + " | ".join(small) + " |")
    print("|" + "---|" * (len(small) + 1))
    for name in ["breast_cancer", "diabetes"]:
        med = bench_small(name, repeats)
        print(
            f"| {name} | {med['hand']:.3f} | {med['ours']:.3f} | {med['sklearn']:.3f} "
            f"| {med['ours'] / med['hand']:.3f} | {med['ours'] / med['sklearn']:.3f} |",
            flush=True,
        )
    if args.small_only:
        return
    print()
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
