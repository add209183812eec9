"""Every estimator with default parameters against its peers on the development suite.

Run ``python benchmarks/bench_defaults.py`` (all parts, writes
``benchmarks/results_defaults_cpu.md``) or pick parts and data sets::

    python benchmarks/bench_defaults.py --part tabular --datasets wine iris
    python benchmarks/bench_defaults.py --part series ode vae
    python benchmarks/bench_defaults.py --part checks  # -> results_checks_cpu.md

``--part checks`` times scikit-learn's ``check_estimator`` on every public
estimator built with defaults (``random_state=0``), beside scikit-learn's own
MLPClassifier and MLPRegressor, and a default CNNClassifier fit on the digits
as 8 x 8 images (issue "What scikit-learn's own tests expect", item 6). It
writes its own table, ``benchmarks/results_checks_cpu.md``.

Only ``random_state=0`` is set on our estimators (and on the peers that take
one). Tabular data: 5-fold shuffled (stratified) CV, seed 0, inside a
``StandardScaler`` pipeline; categorical penguin columns one-hot encoded.
Series: aeon's published train/test split, no scaler. Neural ODE: a 30 % test
split of make_moons / make_circles, seed 0. The score is accuracy or R^2;
``fit s`` and ``predict s`` are the mean times of one fold's fit and predict
(one of each on split data; 1-NN DTW does its work in predict). A row
marked ``CONSTANT`` predicted a single value on a test fold (chance level).

Every estimator, ours and the peers, runs with one thread (torch and BLAS), so
the times compare like with like on a shared machine.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import datetime
import functools
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.base import is_classifier
from sklearn.compose import TransformedTargetRegressor
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.kernel_ridge import KernelRidge as SkKernelRidge
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

import sklearn_mathdl
from sklearn_mathdl import (
    CNNClassifier,
    KernelRidge,
    KernelRidgeClassifier,
    MLPClassifier,
    MLPRegressor,
    NeuralODEClassifier,
    RNNClassifier,
    TransformerEncoderClassifier,
    TransformerEncoderRegressor,
    VariationalAutoencoder,
    _datasets,
)

RESULTS = Path(__file__).with_name("results_defaults_cpu.md")
CHECKS_RESULTS = Path(__file__).with_name("results_checks_cpu.md")


def _timed_checks(est, fits=None):
    """(seconds in all, failed check names, the three slowest checks).

    ``fits``, a list, receives one (seconds, check name, X's shape, epochs)
    per fit of the estimator's class inside the checks."""
    from sklearn.utils.estimator_checks import estimator_checks_generator

    durations, failed = [], []
    current = [None]
    cls = type(est)
    own_fit = cls.__dict__.get("fit")
    if fits is not None:
        inner_fit = cls.fit

        @functools.wraps(inner_fit)  # the checks read fit's signature
        def fit(self, X, *args, **kwargs):
            t = time.perf_counter()
            try:
                return inner_fit(self, X, *args, **kwargs)
            finally:
                shape = getattr(X, "shape", None)  # None: a list, a wrapper
                epochs = getattr(self, "n_iter_", None)
                fits.append((time.perf_counter() - t, current[0], shape, epochs))

        cls.fit = fit
    start = time.perf_counter()
    try:
        for e, check in estimator_checks_generator(est, legacy=True, mark="skip"):
            name = getattr(check, "func", check).__name__
            current[0] = name
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    check(e)
                except Exception as exc:  # SkipTest included: recorded, not raised
                    if type(exc).__name__ != "SkipTest":
                        failed.append(name)
            durations.append((time.perf_counter() - t, name))
    finally:
        if fits is not None:  # the class as it was
            if own_fit is None:
                del cls.fit
            else:
                cls.fit = own_fit
    total = time.perf_counter() - start
    return total, failed, sorted(durations, reverse=True)[:3]


def _check_estimators(estimators):
    from sklearn_mathdl.utils.discovery import all_estimators

    cases = []
    for name, cls in all_estimators():
        if estimators and not any(e in name for e in estimators):
            continue
        try:
            cases.append((name, cls(random_state=0), True))
        except TypeError:  # the meta-estimators wrap a default MLP
            inner = MLPRegressor if "Regressor" in name else MLPClassifier
            cases.append((name, cls(inner(random_state=0)), True))
    if not estimators or any("sklearn" in e for e in estimators):
        cases.append(("sklearn MLPClassifier", SkMLPClassifier(random_state=0), False))
        cases.append(("sklearn MLPRegressor", SkMLPRegressor(random_state=0), False))
    return cases


def run_checks(estimators, n_fits=0):
    """check_estimator with defaults, and a default CNN on the digit images;
    with ``n_fits``, each estimator's slowest fits inside the checks."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    lines = [
        "| estimator | check_estimator s | failed checks | slowest checks (s) |",
        "|---|---|---|---|",
    ]
    fit_lines = []
    for name, est, ours in _check_estimators(estimators):
        fits = [] if n_fits and ours else None
        total, failed, slowest = _timed_checks(est, fits)
        slow = ", ".join(f"{n} {d:.1f}" for d, n in slowest)
        lines.append(
            f"| {name}{' *' if ours else ''} | {total:.1f} | "
            f"{', '.join(failed) or '-'} | {slow} |"
        )
        print(lines[-1], flush=True)
        if fits:
            fit_lines.append(
                f"\n{name}: {len(fits)} fits, {sum(f[0] for f in fits):.1f} s; "
                f"the {min(n_fits, len(fits))} slowest:\n\n"
                "| check | X shape | epochs | s |\n|---|---|---|---|"
            )
            by_time = sorted(fits, key=lambda f: f[0], reverse=True)
            for seconds, check, shape, epochs in by_time[:n_fits]:
                fit_lines.append(f"| {check} | {shape} | {epochs} | {seconds:.2f} |")
            print("\n".join(fit_lines[-n_fits - 1 :]), flush=True)
    if not estimators or any("CNNClassifier" in e for e in estimators):
        X, y = load_digits(return_X_y=True)
        X = X.reshape(-1, 1, 8, 8) / 16.0
        Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=0)
        clf = CNNClassifier(random_state=0)
        fit_s = _fit_timed(clf, Xa, ya)
        lines.append(
            f"| CNNClassifier * on digits 8 x 8 images (fit, 30 % test) | "
            f"{fit_s:.1f} (fit) | - | test accuracy {clf.score(Xb, yb):.3f}, "
            f"{clf.n_iter_} epochs |"
        )
        print(lines[-1], flush=True)
    return "\n".join(lines + fit_lines)


def _sk_mlp_regressor():
    # scikit-learn's MLP does not scale the target; a user comparing fairly
    # standardizes it (our MLPRegressor does so itself, normalize_y=True)
    return TransformedTargetRegressor(
        SkMLPRegressor(random_state=0), transformer=StandardScaler()
    )


# (label, factory, ours) per task; a factory returns a fresh estimator
TABULAR_MODELS = {
    "classification": [
        ("MLPClassifier", lambda: MLPClassifier(random_state=0), True),
        (
            "MLPClassifier (optimizer=lbfgs)",
            lambda: MLPClassifier(optimizer="lbfgs", random_state=0),
            True,
        ),
        (
            "TransformerEncoderClassifier",
            lambda: TransformerEncoderClassifier(random_state=0),
            True,
        ),
        ("KernelRidgeClassifier", lambda: KernelRidgeClassifier(), True),
        ("sklearn MLPClassifier", lambda: SkMLPClassifier(random_state=0), False),
        (
            "sklearn MLPClassifier (solver=lbfgs)",
            lambda: SkMLPClassifier(solver="lbfgs", random_state=0),
            False,
        ),
        ("sklearn LogisticRegression", lambda: LogisticRegression(), False),
        ("sklearn SVC", lambda: SVC(), False),
        (
            "sklearn HistGradientBoosting",
            lambda: HistGradientBoostingClassifier(random_state=0),
            False,
        ),
    ],
    "regression": [
        ("MLPRegressor", lambda: MLPRegressor(random_state=0), True),
        (
            "MLPRegressor (optimizer=adam)",
            lambda: MLPRegressor(optimizer="adam", random_state=0),
            True,
        ),
        (
            "MLPRegressor (alpha=1, optimizer=adam: the previous defaults)",
            lambda: MLPRegressor(alpha=1.0, optimizer="adam", random_state=0),
            True,
        ),
        (
            "TransformerEncoderRegressor",
            lambda: TransformerEncoderRegressor(random_state=0),
            True,
        ),
        ("KernelRidge", lambda: KernelRidge(), True),
        ("sklearn MLPRegressor (scaled y)", _sk_mlp_regressor, False),
        ("sklearn RidgeCV", lambda: RidgeCV(), False),
        ("sklearn KernelRidge", lambda: SkKernelRidge(), False),
        (
            "sklearn HistGradientBoosting",
            lambda: HistGradientBoostingRegressor(random_state=0),
            False,
        ),
    ],
}


def _series_models():
    from aeon.classification.convolution_based import MiniRocketClassifier
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

    return [
        ("CNNClassifier", lambda: CNNClassifier(random_state=0), True),
        ("RNNClassifier", lambda: RNNClassifier(random_state=0), True),
        (
            "TransformerEncoderClassifier",
            lambda: TransformerEncoderClassifier(random_state=0),
            True,
        ),
        ("aeon 1-NN DTW", lambda: KNeighborsTimeSeriesClassifier(), False),
        ("aeon MiniRocket", lambda: MiniRocketClassifier(random_state=0), False),
    ]


def _ode_models():
    return [
        ("NeuralODEClassifier", lambda: NeuralODEClassifier(random_state=0), True),
        ("MLPClassifier", lambda: MLPClassifier(random_state=0), True),
        ("sklearn MLPClassifier", lambda: SkMLPClassifier(random_state=0), False),
        ("sklearn SVC", lambda: SVC(), False),
    ]


def _score(est, X, y):
    start = time.perf_counter()
    pred = np.asarray(est.predict(X))
    _score.seconds = time.perf_counter() - start
    if is_classifier(est):
        return accuracy_score(y, pred), len(np.unique(pred)) == 1
    return r2_score(y, pred), bool(np.ptp(pred) <= 1e-8 * (1 + np.abs(pred).max()))


def _fit_timed(est, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    return time.perf_counter() - start


def _seeded(est, seed):
    """``est`` with ``random_state=seed`` where it has one (seed 0: as made)."""
    if seed and "random_state" in est.get_params():
        est.set_params(random_state=seed)
    return est


def run_cv(ds, label, make, ours, n_splits=5, seeds=(0,)):
    """K-fold CV in a StandardScaler pipeline; with several seeds, each one
    seeds the estimator and the folds' shuffling, and the row reports the mean
    over seeds of the fold means (std: of those means) and the median fit."""
    means, times, pred_times, constant, scores = [], [], [], False, []
    for seed in seeds:
        scores = []
        splitter = _datasets.cv_splitter(ds.task, n_splits, random_state=seed)
        for train, test in splitter.split(ds.X, ds.y):
            est = make_pipeline(StandardScaler(), _seeded(make(), seed))
            times.append(_fit_timed(est, ds.X[train], ds.y[train]))
            s, c = _score(est, ds.X[test], ds.y[test])
            pred_times.append(_score.seconds)
            scores.append(s)
            constant |= c
        means.append(np.mean(scores))
    if len(seeds) > 1:
        row = _row(ds, label, ours, means, times, constant, pred_times)
        row["fit_s"] = float(np.median(times))
        row["model"] += f" (seeds {seeds[0]}-{seeds[-1]})"
        return row
    return _row(ds, label, ours, scores, times, constant, pred_times)


def run_split(ds, label, make, ours, pad=False):
    X, X_test = ds.X, ds.X_test
    if pad:  # MiniRocket needs equal lengths: pad with the last value
        X, X_test = _pad_last([*X, *X_test])[: len(X)], None
        X_test = _pad_last([*ds.X, *ds.X_test])[len(ds.X) :]
    est = make()
    t = _fit_timed(est, X, ds.y)
    s, c = _score(est, X_test, ds.y_test)
    return _row(ds, label, ours, [s], [t], c, [_score.seconds])


def _pad_last(items):
    length = max(x.shape[-1] for x in items)
    out = np.empty((len(items), items[0].shape[0], length), dtype=np.float32)
    for i, x in enumerate(items):
        out[i, :, : x.shape[-1]] = x
        out[i, :, x.shape[-1] :] = x[:, -1:]
    return out


def _row(ds, label, ours, scores, times, constant, pred_times):
    metric = "accuracy" if ds.task == "classification" else "r2"
    return {
        "dataset": ds.name,
        "model": label,
        "ours": ours,
        "metric": metric,
        "mean": float(np.mean(scores)),
        "std": float(np.std(scores)),
        "fit_s": float(np.mean(times)),
        "predict_s": float(np.mean(pred_times)),
        "constant": bool(constant),
    }


def _vae_rows(quick):
    ds = _datasets.load("digits")
    rows = []
    for label, make, ours in [
        (
            "VariationalAutoencoder(8) + LogisticRegression",
            lambda: make_pipeline(
                VariationalAutoencoder(n_components=8, random_state=0),
                LogisticRegression(max_iter=2000),
            ),
            True,
        ),
        (
            "PCA(8) + LogisticRegression",
            lambda: make_pipeline(PCA(8), LogisticRegression(max_iter=2000)),
            False,
        ),
    ]:
        rows.append(run_cv(ds, label, make, ours, n_splits=3 if quick else 5))
        _print_row(rows[-1])
    return rows


def _print_row(r):
    flag = " CONSTANT" if r["constant"] else ""
    mark = " *" if r["ours"] else ""
    print(
        f"{r['dataset']:>15} | {r['model'] + mark:<48} | {r['mean']:.4f} "
        f"+- {r['std']:.4f} | {r['fit_s']:8.2f} s | {r['predict_s']:7.2f} s{flag}",
        flush=True,
    )


def run(parts, datasets, estimators, quick, seeds=(0,)):
    rows = []

    def wanted(name, label):
        return (not datasets or name in datasets) and (
            not estimators or any(e in label for e in estimators)
        )

    if "tabular" in parts:
        for name in _datasets.TABULAR:
            if datasets and name not in datasets:
                continue
            ds = _datasets.load(name)
            for label, make, ours in TABULAR_MODELS[ds.task]:
                if wanted(name, label):
                    rows.append(run_cv(ds, label, make, ours, 3 if quick else 5, seeds))
                    _print_row(rows[-1])
    if "series" in parts:
        for name in _datasets.SERIES:
            if datasets and name not in datasets:
                continue
            ds = _datasets.load(name)
            for label, make, ours in _series_models():
                if wanted(name, label):
                    pad = "MiniRocket" in label and isinstance(ds.X, list)
                    rows.append(run_split(ds, label, make, ours, pad=pad))
                    _print_row(rows[-1])
    if "ode" in parts:
        for name in _datasets.SYNTHETIC:
            if datasets and name not in datasets:
                continue
            ds = _datasets.load(name)
            for label, make, ours in _ode_models():
                if wanted(name, label):
                    rows.append(
                        run_split(
                            ds,
                            label,
                            lambda m=make: make_pipeline(StandardScaler(), m()),
                            ours,
                        )
                    )
                    _print_row(rows[-1])
    if "vae" in parts and (not datasets or "digits" in datasets):
        rows.extend(_vae_rows(quick))
    return rows


def format_rows(rows):
    lines = [
        "| data | model | score (mean +- std) | fit s | predict s | note |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        mark = " *" if r["ours"] else ""
        note = "constant prediction" if r["constant"] else ""
        lines.append(
            f"| {r['dataset']} | {r['model']}{mark} | {r['metric']} {r['mean']:.3f} "
            f"+- {r['std']:.3f} | {r['fit_s']:.2f} | {r['predict_s']:.2f} | {note} |"
        )
    return "\n".join(lines)


def _warm_up():
    """One small fit, so that no timed row pays a process's one-time costs
    (lazy imports, first kernel calls; before the engine's eager optimizers,
    torch's 1.4 s import of torch._dynamo). Returns its seconds."""
    start = time.perf_counter()
    rng = np.random.RandomState(0)
    sklearn_mathdl.MLPClassifier(max_iter=2).fit(rng.randn(20, 3), np.arange(20) % 2)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part",
        nargs="*",
        default=["tabular", "series", "ode", "vae"],
        choices=["tabular", "series", "ode", "vae", "checks"],
    )
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument(
        "--estimators",
        nargs="*",
        default=None,
        help="substrings of the row labels to run",
    )
    parser.add_argument("--quick", action="store_true", help="3 folds")
    parser.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="tabular part: repeat the CV with random_state 0..seeds-1 (the "
        "estimator's and the folds'); rows then give the mean over seeds",
    )
    parser.add_argument(
        "--output",
        default=None,
        help="Markdown file to write (--part checks: appended to; default "
        "results_checks_cpu.md)",
    )
    parser.add_argument(
        "--fits",
        type=int,
        default=0,
        help="--part checks: also list each estimator's N slowest fits inside "
        "the checks (check, X's shape, epochs, seconds)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads for --part checks (the fits then choose 1 for small "
        "steps, as by default); the other parts use 1",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads if "checks" in args.part else 1)
    start = time.perf_counter()
    if "checks" in args.part:
        with threadpool_limits(args.threads):
            table = run_checks(args.estimators, args.fits)
        output = args.output or CHECKS_RESULTS
        with open(output, "a") as f:  # the file keeps earlier runs
            f.write(
                f"\n# bench_defaults.py --part checks ({datetime.date.today()}, "
                f"sklearn_mathdl {sklearn_mathdl.__version__}, "
                f"torch {torch.__version__}, {args.threads} thread(s); "
                f"{time.perf_counter() - start:.0f} s in all)"
                "\n\n"
                f"Command: `python benchmarks/bench_defaults.py "
                f"{' '.join(sys.argv[1:])}`\n\n* = ours, default parameters "
                "(random_state=0). Target: under 60 s per estimator on 2 cores.\n"
                '"failed checks" lists every check that raised, including those '
                "tests/test_common.py marks as expected failures with a reason.\n\n"
                + table
                + "\n"
            )
        print(f"appended to {output}")
        return
    with threadpool_limits(1):
        warm_up = _warm_up()
        seeds = tuple(range(args.seeds))
        rows = run(args.part, args.datasets, args.estimators, args.quick, seeds)
    total = time.perf_counter() - start
    table = format_rows(rows)
    header = (
        f"# bench_defaults.py ({datetime.date.today()}, sklearn_mathdl "
        f"{sklearn_mathdl.__version__}, torch {torch.__version__}, Python "
        f"{platform.python_version()}, 1 thread; {total:.0f} s in all)\n\n"
        f"Before the timed fits, one throw-away fit took {warm_up:.2f} s (a "
        "process's one-time costs).\n\n"
        f"Command: `python benchmarks/bench_defaults.py {' '.join(sys.argv[1:])}`"
        "\n\n* = sklearn_mathdl estimator with default parameters "
        "(random_state=0).\n\n"
    )
    print(table)
    output = args.output
    if output is None and not (
        args.datasets or args.estimators or args.quick or args.seeds > 1
    ):
        output = RESULTS
    if output:
        Path(output).write_text(header + table + "\n")
        print(f"wrote {output}")


if __name__ == "__main__":
    main()
