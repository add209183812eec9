"""Generative models with default parameters against scikit-learn's density models.

Run ``python benchmarks/bench_generative.py`` (``--quick`` for a smoke run with
small budgets; ``--models``/``--data`` to pick rows). Writes
``benchmarks/results_generative_cpu.md``.

Every model sees the training rows through a StandardScaler (as in a
pipeline) and draws 2,000 samples, mapped back to the data's units. The peers
are scikit-learn's GaussianMixture (10 components, full covariances) and
KernelDensity (Gaussian kernel, Scott's bandwidth). Scores, on held-out data
where there is any:

- ring of 8 Gaussians (radius 2, std 0.02): modes covered (>= 1 % of the
  samples within 3 std of the mode) and the fraction of high-quality samples
  (within 3 std of some mode). Target: WGAN 8/8 and >= 90 %.
- moons (noise 0.05) and the 2-D swiss roll: unbiased MMD^2 (RBF, median
  heuristic) between the samples and 2,000 held-out points, with its
  permutation-test p-value (200 permutations). Target: WGAN's MMD^2 at most
  the default VAE's, and p > 0.05.
- digits (8 x 8, flat): an SVC trained on the real training digits labels the
  samples; the entropy of the label histogram over log(10) (1: every digit
  equally often; target >= 0.95) and the SVC's mean top-class probability.

Fit seconds and seconds per epoch go beside each score; torch uses 1 thread.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import ast
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
import torch
from sklearn.calibration import CalibratedClassifierCV
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KernelDensity
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import sklearn_mathdl
from sklearn_mathdl import (
    GenerativeAdversarialNetwork,
    VariationalAutoencoder,
    WassersteinGAN,
)
from sklearn_mathdl._datasets import (
    RING_STD,
    digits_split,
    generative,
    ring_centers,
)
from sklearn_mathdl.metrics import maximum_mean_discrepancy, mode_coverage

N_SAMPLES = 2000
DATA = ("ring", "moons", "swiss_roll", "digits")


def _models(quick, seed=0):
    budget = {"max_iter": 5} if quick else {}
    return {
        "VariationalAutoencoder": lambda: VariationalAutoencoder(
            random_state=seed, **budget
        ),
        "GenerativeAdversarialNetwork": lambda: GenerativeAdversarialNetwork(
            random_state=seed, **budget
        ),
        "GAN (minimax)": lambda: GenerativeAdversarialNetwork(
            loss="minimax", random_state=seed, **budget
        ),
        "WassersteinGAN": lambda: WassersteinGAN(random_state=seed, **budget),
        "WassersteinGAN (clip)": lambda: WassersteinGAN(
            lipschitz="clip", random_state=seed, **budget
        ),
        "GaussianMixture(10)": lambda: GaussianMixture(10, random_state=seed),
        "KernelDensity(scott)": lambda: KernelDensity(bandwidth="scott"),
    }


def _fit_sample(make, X):
    scaler = StandardScaler().fit(X)
    model = make()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(scaler.transform(X))
    seconds = time.perf_counter() - start
    if isinstance(model, GaussianMixture):  # seeded by its random_state
        S = model.sample(N_SAMPLES)[0]
    else:
        S = model.sample(N_SAMPLES, random_state=1)
    epochs = getattr(model, "n_iter_", None)
    if isinstance(model, GaussianMixture):
        epochs = None  # its n_iter_ counts EM steps
    per_epoch = seconds / epochs if epochs else None
    return scaler.inverse_transform(S), seconds, per_epoch


def _score(name, S, X_test, svc):
    if name == "ring":
        n_modes, good, _ = mode_coverage(S, ring_centers(), 3 * RING_STD)
        return f"{n_modes}/8 modes, {100 * good:.1f} % high quality"
    if name == "digits":
        proba = svc.predict_proba(np.clip(S, 0, 16))
        hist = np.bincount(proba.argmax(1), minlength=10) / len(S)
        entropy = -np.sum(hist[hist > 0] * np.log(hist[hist > 0])) / np.log(10)
        return f"entropy {entropy:.3f} of log 10, top-class p {proba.max(1).mean():.3f}"
    result = maximum_mean_discrepancy(S, X_test, n_permutations=200, random_state=0)
    return f"MMD^2 {result.statistic:.5f} (p = {result.pvalue:.3f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--models", nargs="*")
    parser.add_argument("--data", nargs="*", default=list(DATA))
    parser.add_argument("--seed", type=int, default=0, help="random_state")
    parser.add_argument("--set", nargs="*", help="name=value overrides of ours")
    parser.add_argument(
        "--out",
        default=str(Path(__file__).with_name("results_generative_cpu.md")),
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    models = _models(args.quick, args.seed)
    if args.set:
        # --set name=value ...: override parameters of our models (the tuning
        # runs the user guide cites), e.g. --set gp_weight=10
        overrides = {}
        for item in args.set:
            key, value = item.split("=", 1)
            overrides[key] = ast.literal_eval(value)

        def with_overrides(make):
            def build():
                model = make()
                keys = set(model.get_params()) & set(overrides)
                return model.set_params(**{k: overrides[k] for k in keys})

            return build

        models = {k: with_overrides(v) for k, v in models.items()}
    if args.models:
        models = {k: v for k, v in models.items() if k in args.models}
    rows = []
    for data in args.data:
        X, X_test = generative(data, N_SAMPLES)
        svc = None
        if data == "digits":
            X_tr, _, y_tr, _ = digits_split()  # the rows X holds
            # (scikit-learn 1.9's replacement of SVC(probability=True))
            svc = CalibratedClassifierCV(SVC(), ensemble=False).fit(X_tr, y_tr)
        for model, make in models.items():
            S, seconds, per_epoch = _fit_sample(make, X)
            score = _score(data, S, X_test, svc)
            epoch = "-" if per_epoch is None else f"{1000 * per_epoch:.1f}"
            rows.append((data, model, score, f"{seconds:.1f}", epoch))
            print(" | ".join(rows[-1]), flush=True)
    lines = [
        f"# bench_generative.py ({time.strftime('%Y-%m-%d')}, sklearn_mathdl "
        f"{sklearn_mathdl.__version__}, torch {torch.__version__}, scikit-learn "
        f"{sklearn.__version__}, {platform.processor() or platform.machine()}, "
        "1 torch thread)",
        "",
        f"Command: `python benchmarks/bench_generative.py"
        f"{' --quick' if args.quick else ''}"
        f"{' --data ' + ' '.join(args.data) if args.data != list(DATA) else ''}"
        f"{' --models ' + ' '.join(map(repr, args.models)) if args.models else ''}"
        f"{' --seed ' + str(args.seed) if args.seed else ''}"
        f"{' --set ' + ' '.join(args.set) if args.set else ''}`",
        "",
        f"Default parameters (random_state={args.seed}) on standardized training rows; "
        f"{N_SAMPLES} samples scored against held-out data.",
        "",
        "| data | model | score | fit s | ms / epoch |",
        "|---|---|---|---|---|",
        *[f"| {' | '.join(r)} |" for r in rows],
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
