"""The tour: every estimator, cross-validated next to scikit-learn baselines."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_wine,
    make_moons,
)
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.kernel_ridge import KernelRidge as SkKernelRidge
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import check_scoring
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neighbors import KernelDensity
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.parallel import Parallel, delayed

from sklearn_mathdl._conformal import ConformalRegressor
from sklearn_mathdl._ensemble import DeepEnsembleClassifier, DeepEnsembleRegressor
from sklearn_mathdl._gan import GenerativeAdversarialNetwork, WassersteinGAN
from sklearn_mathdl._kernel_ridge import KernelRidge, KernelRidgeClassifier
from sklearn_mathdl._kernel_ridge_cv import KernelRidgeCV
from sklearn_mathdl._mlp import MLPClassifier, MLPRegressor
from sklearn_mathdl._ode import NeuralODEClassifier, NeuralODERegressor
from sklearn_mathdl._perceptron import KernelPerceptron, Perceptron
from sklearn_mathdl._sde import NeuralSDEClassifier, NeuralSDERegressor
from sklearn_mathdl._sequence import (
    CNNClassifier,
    CNNRegressor,
    RNNClassifier,
    RNNRegressor,
    TransformerEncoderClassifier,
    TransformerEncoderRegressor,
)
from sklearn_mathdl._vae import VariationalAutoencoder
from sklearn_mathdl.metrics import maximum_mean_discrepancy
from sklearn_mathdl.model_selection import GridSearchCV


def load_moons(return_X_y=True):
    """1,000 rows of make_moons (noise 0.05) for the generative rows (y unused)."""
    X, y = make_moons(1000, noise=0.05, random_state=0)
    return X, y


DATASETS = {
    "breast_cancer": ("classification", load_breast_cancer),
    "wine": ("classification", load_wine),
    "digits": ("classification", load_digits),
    "diabetes": ("regression", load_diabetes),
    "moons": ("generative", load_moons),
}

# The generative rows' score: -MMD^2 between the held-out fold and as many
# samples of the fitted model, in the pipeline's standardized units.
NEG_MMD = "-MMD^2"


def _neg_mmd2(pipe, X, y=None):
    Z = pipe[:-1].transform(X)
    model = pipe[-1]
    if isinstance(model, GaussianMixture):  # seeded by its random_state
        S = model.sample(len(Z))[0]
    else:
        S = model.sample(len(Z), random_state=0)
    return -maximum_mean_discrepancy(S, Z, random_state=0).statistic


@dataclass
class TourModel:
    """One row family of the tour: a label and a factory of estimators."""

    label: str
    task: str
    make: object  # callable(quick: bool, device: str) -> estimator
    ours: bool
    datasets: tuple = ()  # restrict the row to these datasets (empty: all)


def _sk_models():
    return [
        TourModel(
            "sklearn LogisticRegression",
            "classification",
            lambda q, d: LogisticRegression(max_iter=2000),
            False,
        ),
        TourModel(
            "sklearn MLPClassifier",
            "classification",
            lambda q, d: SkMLPClassifier(max_iter=60 if q else 200, random_state=0),
            False,
        ),
        TourModel("sklearn SVC", "classification", lambda q, d: SVC(), False),
        TourModel(
            "sklearn GaussianMixture(10)",
            "generative",
            lambda q, d: GaussianMixture(10, random_state=0),
            False,
        ),
        TourModel(
            "sklearn KernelDensity(scott)",
            "generative",
            lambda q, d: KernelDensity(bandwidth="scott"),
            False,
        ),
        TourModel(
            "sklearn HistGradientBoosting",
            "classification",
            lambda q, d: HistGradientBoostingClassifier(random_state=0),
            False,
        ),
        TourModel("sklearn Ridge", "regression", lambda q, d: Ridge(), False),
        TourModel(
            "sklearn MLPRegressor (scaled target)",
            "regression",
            # scikit-learn's MLP does not scale the target (ours does,
            # normalize_y=True): unscaled, it scores R^2 -1 on diabetes
            lambda q, d: TransformedTargetRegressor(
                SkMLPRegressor(max_iter=60 if q else 200, random_state=0),
                transformer=StandardScaler(),
            ),
            False,
        ),
        TourModel(
            "sklearn KernelRidge (rbf)",
            "regression",
            lambda q, d: SkKernelRidge(kernel="rbf"),
            False,
        ),
        TourModel(
            "sklearn HistGradientBoosting",
            "regression",
            lambda q, d: HistGradientBoostingRegressor(random_state=0),
            False,
        ),
    ]


def _budget(quick, epochs):
    """``max_iter`` of a tour row: the default ("auto"), or a cap for --quick."""
    return epochs if quick else "auto"


def _our_models():
    """Rows for the estimators of sklearn_mathdl, with default parameters.

    Only what defines the model is set (no hidden layer, an rbf kernel, the
    image shape of digits, the latent size); ``--quick`` caps the epochs. New
    families add their rows here.
    """
    return [
        TourModel(
            "MLPClassifier",
            "classification",
            lambda q, d: MLPClassifier(
                max_iter=_budget(q, 60), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "MLPClassifier() logistic SGD",
            "classification",
            lambda q, d: MLPClassifier(
                hidden_layer_sizes=(),
                optimizer="sgd",
                max_iter=_budget(q, 60),
                random_state=0,
                device=d,
            ),
            True,
        ),
        TourModel(
            "MLPRegressor",
            "regression",
            lambda q, d: MLPRegressor(
                max_iter=_budget(q, 60), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "MLPRegressor() linear SGD",
            "regression",
            lambda q, d: MLPRegressor(
                hidden_layer_sizes=(),
                optimizer="sgd",
                max_iter=_budget(q, 60),
                random_state=0,
                device=d,
            ),
            True,
        ),
        TourModel(
            "KernelRidge (rbf)",
            "regression",
            lambda q, d: KernelRidge(kernel="rbf", device=d),
            True,
        ),
        TourModel(
            "KernelRidgeCV (rbf, leave-one-out over alphas x 4 gammas)",
            "regression",
            lambda q, d: KernelRidgeCV(gamma=[0.01, 0.03, 0.1, 0.3], device=d),
            True,
        ),
        TourModel(
            "GridSearchCV(MLPClassifier, 2 alpha x 2 lr), batched",
            "classification",
            lambda q, d: GridSearchCV(
                MLPClassifier(max_iter=_budget(q, 60), random_state=0, device=d),
                {"alpha": [0.01, 1.0], "learning_rate_init": [1e-3, 1e-2]},
                cv=3,
            ),
            True,
            ("wine",),
        ),
        TourModel(
            "VariationalAutoencoder(8) + LogisticRegression",
            "classification",
            lambda q, d: make_pipeline(
                VariationalAutoencoder(
                    n_components=8,
                    max_iter=_budget(q, 40),
                    random_state=0,
                    device=d,
                ),
                LogisticRegression(max_iter=2000),
            ),
            True,
        ),
        TourModel(
            "NeuralODEClassifier",
            "classification",
            lambda q, d: NeuralODEClassifier(
                max_iter=_budget(q, 10), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "NeuralODERegressor",
            "regression",
            lambda q, d: NeuralODERegressor(
                max_iter=_budget(q, 10), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "NeuralSDEClassifier",
            "classification",
            lambda q, d: NeuralSDEClassifier(
                max_iter=_budget(q, 10), random_state=0, device=d
            ),
            True,
            ("breast_cancer", "wine"),
        ),
        TourModel(
            "NeuralSDERegressor",
            "regression",
            lambda q, d: NeuralSDERegressor(
                max_iter=_budget(q, 10), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "ConformalRegressor(KernelRidge rbf), point predictions",
            "regression",
            lambda q, d: ConformalRegressor(
                KernelRidge(kernel="rbf", device=d), random_state=0
            ),
            True,
        ),
        TourModel(
            "DeepEnsembleClassifier(3 x MLPClassifier)",
            "classification",
            lambda q, d: DeepEnsembleClassifier(
                MLPClassifier(max_iter=_budget(q, 60), device=d),
                n_estimators=3,
                random_state=0,
            ),
            True,
        ),
        TourModel(
            "DeepEnsembleRegressor(3 x MLPRegressor)",
            "regression",
            lambda q, d: DeepEnsembleRegressor(
                MLPRegressor(max_iter=_budget(q, 60), device=d),
                n_estimators=3,
                random_state=0,
            ),
            True,
        ),
        TourModel(
            "KernelRidgeClassifier (rbf)",
            "classification",
            lambda q, d: KernelRidgeClassifier(device=d),
            True,
        ),
        TourModel(
            "Perceptron",
            "classification",
            lambda q, d: Perceptron(max_iter=20 if q else 1000, random_state=0),
            True,
        ),
        TourModel(
            "KernelPerceptron (rbf)",
            "classification",
            lambda q, d: KernelPerceptron(max_iter=10 if q else 100, random_state=0),
            True,
        ),
        TourModel(
            "CNNClassifier (1x8x8 images)",
            "classification",
            lambda q, d: CNNClassifier(
                input_shape=(1, 8, 8),
                max_iter=_budget(q, 5),
                random_state=0,
                device=d,
            ),
            True,
            ("digits",),
        ),
        TourModel(
            "RNNClassifier (image rows as 8 steps)",
            "classification",
            lambda q, d: RNNClassifier(
                input_shape=(8, 8),
                max_iter=_budget(q, 10),
                random_state=0,
                device=d,
            ),
            True,
            ("digits",),
        ),
        TourModel(
            "TransformerEncoderClassifier (feature tokens)",
            "classification",
            lambda q, d: TransformerEncoderClassifier(
                max_iter=_budget(q, 10), random_state=0, device=d
            ),
            True,
            ("breast_cancer", "wine"),
        ),
        TourModel(
            "TransformerEncoderRegressor (feature tokens)",
            "regression",
            lambda q, d: TransformerEncoderRegressor(
                max_iter=_budget(q, 10), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "CNNRegressor (features as a 1-D sequence)",
            "regression",
            lambda q, d: CNNRegressor(
                max_iter=_budget(q, 10), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "RNNRegressor (features as a 1-D sequence)",
            "regression",
            lambda q, d: RNNRegressor(
                max_iter=_budget(q, 10), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "VariationalAutoencoder",
            "generative",
            lambda q, d: VariationalAutoencoder(
                max_iter=_budget(q, 20), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "GenerativeAdversarialNetwork",
            "generative",
            lambda q, d: GenerativeAdversarialNetwork(
                max_iter=_budget(q, 20), random_state=0, device=d
            ),
            True,
        ),
        TourModel(
            "WassersteinGAN",
            "generative",
            lambda q, d: WassersteinGAN(
                max_iter=_budget(q, 20), random_state=0, device=d
            ),
            True,
        ),
    ]


def tour_models():
    """All tour rows: sklearn baselines first, then ours."""
    return _sk_models() + _our_models()


def _legend(quick):
    """What the table's marks and columns mean, with versions and date."""
    import platform
    from datetime import date

    import sklearn
    import torch

    import sklearn_mathdl

    folds = 3 if quick else 5
    return (
        f"\n`*` marks estimators of sklearn_mathdl (default parameters); the others "
        f"are scikit-learn baselines. Scores are the mean +- std over {folds} "
        "shuffled CV folds in a StandardScaler pipeline (for the generative "
        "models on moons, -MMD^2 between the held-out fold and as many samples: "
        "0 is best); fit s is the mean fit "
        "time of one fold. "
        f"{date.today().isoformat()}, sklearn_mathdl "
        f"{sklearn_mathdl.__version__}, scikit-learn {sklearn.__version__}, torch "
        f"{torch.__version__}, Python {platform.python_version()}"
        f"{', --quick' if quick else ''}.\n"
    )


def _fit_fold(pipe, X, y, train, test, scoring, keep):
    """Fit ``pipe`` on the rows ``train``; its score on ``test`` and fit time.

    Before the timer starts, each worker process pays its first optimizer
    step's one-time costs, which would otherwise land on whichever row that
    process fits first.
    """
    import torch

    from sklearn_mathdl._engine import _EagerAdam, _warm_up_optimizer

    _warm_up_optimizer(_EagerAdam, {}, torch.device("cpu"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        pipe.fit(X[train], y[train])
        fit_s = time.perf_counter() - start
        scorer = _neg_mmd2 if scoring == NEG_MMD else check_scoring(pipe, scoring)
        score = scorer(pipe, X[test], y[test])
    return float(score), fit_s, pipe if keep else None


def _pending_folds(jobs, done, quick, device, n_splits):
    """One task per (row, fold) of the rows not done yet, in row order."""
    for name, model in jobs:
        if (name, model.label) in done:
            continue
        task, loader = DATASETS[name]
        X, y = loader(return_X_y=True)
        if task == "classification":
            cv = StratifiedKFold(n_splits, shuffle=True, random_state=0)
        else:
            cv = KFold(n_splits, shuffle=True, random_state=0)
        scoring = {"classification": "accuracy", "regression": "r2"}.get(task, NEG_MMD)
        pipe = make_pipeline(StandardScaler(), model.make(quick, device))
        for k, (train, test) in enumerate(cv.split(X, y)):
            keep = model.ours and k == 0  # its learning curve is plotted
            yield (name, model), (clone(pipe), X, y, train, test, scoring, keep)


def _learning_curve(last, task):
    """(kind, training losses, validation scores) of a fitted tour row, or None."""
    if hasattr(last, "steps"):  # a nested pipeline: its first step
        last = last.steps[0][1]
    last = getattr(last, "best_estimator_", last)  # a search: its best
    if not hasattr(last, "loss_curve_"):
        return None
    if hasattr(last, "elbo_curve_"):
        kind = "negative ELBO (VAE)"
    elif hasattr(last, "wasserstein_curve_"):
        kind = "critic loss (WGAN)"
    elif hasattr(last, "generator_"):
        kind = "discriminator loss (GAN)"
    elif task == "classification":
        kind = "cross-entropy"
    else:
        kind = "squared error (standardized target)"
    return kind, last.loss_curve_, getattr(last, "validation_scores_", None)


def run_tour(
    *,
    quick=False,
    output="tour_output",
    device="cpu",
    datasets=None,
    progress=True,
    resume=True,
    n_jobs=None,
):
    """Cross-validate every model on every bundled dataset; return result rows.

    The folds of all rows form one queue, worked off by ``n_jobs`` processes
    with one thread each (joblib limits the threads of its workers), so the
    cores stay busy across rows; a row is printed and saved once its last fold
    is back. None is one process per CPU core on the CPU, and 1 on an
    accelerator. A default fit of a small model runs on one thread
    (``_fit_threads``), so folds in parallel use the cores that one fit
    leaves idle.
    """
    from tqdm.auto import tqdm

    datasets = list(datasets or DATASETS)
    n_splits = 3 if quick else 5
    if n_jobs is None:
        n_jobs = min(n_splits, os.cpu_count() or 1) if device == "cpu" else 1
    jobs = [
        (name, model)
        for name in datasets
        for model in tour_models()
        if model.task == DATASETS[name][0]
        and (not model.datasets or name in model.datasets)
    ]
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    # rows are saved as they finish: an interrupted tour resumes where it
    # stopped (same --quick setting), and results.md is always current
    saved = out / "rows.json"
    done = {}
    if resume and saved.exists():
        try:
            state = json.loads(saved.read_text())
        except ValueError:
            state = {}
        if state.get("quick") == quick:
            done = {(r["dataset"], r["model"]): r for r in state.get("rows", [])}
    rows = [done[key] for key in ((n, m.label) for n, m in jobs) if key in done]
    curves = {}
    bar = tqdm(total=len(jobs), desc="tour", unit="model", disable=not progress)
    bar.update(len(rows))
    tasks = list(_pending_folds(jobs, done, quick, device, n_splits))
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_fold)(*args) for _, args in tasks
    )
    folds = {}
    for (key, args), (score, fit_s, fitted) in zip(tasks, results, strict=True):
        name, model = key
        entry = folds.setdefault((name, model.label), {"scores": [], "fit": []})
        entry["scores"].append(score)
        entry["fit"].append(fit_s)
        if fitted is not None:
            entry["estimator"] = fitted
        if len(entry["scores"]) < n_splits:
            continue
        row = {
            "dataset": name,
            "model": model.label,
            "metric": args[5],
            "mean": float(np.mean(entry["scores"])),
            "std": float(np.std(entry["scores"])),
            "fit_s": float(np.mean(entry["fit"])),
            "ours": model.ours,
        }
        rows.append(row)
        bar.update(1)
        bar.set_postfix_str(f"{name}: {model.label}")
        if progress:
            bar.write(
                f"{name:14s} {model.label[:52]:52s} {row['mean']:.3f} +- "
                f"{row['std']:.3f}  {row['fit_s']:.2f} s/fold"
            )
        saved.write_text(json.dumps({"quick": quick, "rows": rows}))
        (out / "results.md").write_text(format_table(rows) + "\n" + _legend(quick))
        if "estimator" in entry:
            curve = _learning_curve(entry["estimator"][-1], DATASETS[name][0])
            if curve is not None:
                curves[(name, model.label)] = curve
                _plot_curves(curves, out / "learning_curves.png")
    bar.close()
    table = format_table(rows)
    if "diabetes" in datasets:
        table += (
            "\n\nFeature importance on diabetes (MLPRegressor; top 5 by permutation "
            "importance on 30% held-out rows):\n\n"
            + importance_table(quick)
            + "\n\n"
            + IMPORTANCE_LEGEND
        )
    (out / "results.md").write_text(table + "\n" + _legend(quick))
    _plot_curves(curves, out / "learning_curves.png")
    return rows, table


# What the importance table's numbers mean, printed under it: an interval and a
# p-value answer different questions, so they need not agree.
IMPORTANCE_LEGEND = (
    "How to read it: the [95% CI] is a bootstrap interval of the importance "
    "estimate (over held-out rows, and over refits for SHAP): how precisely this "
    "number is known. p tests a different question, whether the feature matters "
    "at all: for permutation, the exact randomization test (the share of random "
    "permutations of the column after which the loss was no higher than with the "
    "true column, counted as (1 + k) / (n_repeats + 1)); for SHAP, the share of "
    "noise probe columns at least as important. A CI that touches 0 with "
    "p <= 0.05 is no contradiction: almost every permutation raised the loss, "
    "while the size of the rise is still uncertain from row to row."
)


def importance_table(quick=False):
    """Top features of diabetes with 95% intervals and p-values, two ways.

    Permutation importance of a fitted MLP on held-out rows (exact test), and
    mean |SHAP| over refits with noise-probe p-values.
    """
    from sklearn.model_selection import train_test_split

    from sklearn_mathdl.inspection import feature_importance

    data = load_diabetes()
    X, y = data.data, data.target
    names = np.asarray(data.feature_names, dtype=object)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0
    )

    def model():
        return make_pipeline(
            StandardScaler(),
            MLPRegressor(
                hidden_layer_sizes=(32,),
                alpha=1.0,
                learning_rate_init=3e-3,
                max_iter=60 if quick else 200,
                random_state=0,
            ),
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        perm = feature_importance(
            model().fit(X_train, y_train),
            X_test,
            y_test,
            n_repeats=19 if quick else 99,
            random_state=0,
        )
        shap_res = feature_importance(
            model(),
            X,
            y,
            method="shap",
            n_refits=2 if quick else 5,
            n_background=50,
            max_samples=100,
            random_state=0,
        )
    lines = [
        "| feature | permutation: MSE increase [95% CI] | p | "
        "mean abs SHAP [95% CI] | p (probes) |",
        "|---|---|---|---|---|",
    ]
    for j in np.argsort(-perm.importances)[:5]:
        lines.append(
            f"| {names[j]} | {perm.importances[j]:.0f} "
            f"[{perm.ci_low[j]:.0f}, {perm.ci_high[j]:.0f}] | {perm.pvalues[j]:.3f} | "
            f"{shap_res.importances[j]:.1f} [{shap_res.ci_low[j]:.1f}, "
            f"{shap_res.ci_high[j]:.1f}] | {shap_res.pvalues[j]:.3f} |"
        )
    return "\n".join(lines)


def format_table(rows):
    """Render result rows as a Markdown table."""
    lines = [
        "| dataset | model | score (mean +- std) | fit s |",
        "|---|---|---|---|",
    ]
    for r in rows:
        mark = " *" if r["ours"] else ""
        lines.append(
            f"| {r['dataset']} | {r['model']}{mark} | {r['metric']} "
            f"{r['mean']:.3f} +- {r['std']:.3f} | {r['fit_s']:.2f} |"
        )
    return "\n".join(lines)


def _plot_curves(curves, path):
    """Learning curves, one panel per kind of loss (they are not comparable).

    ``curves`` maps (dataset, label) to (kind, training curve, validation
    curve or None); kind is "cross-entropy", "squared error (standardized
    target)" or "negative ELBO (VAE)".
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = sorted({kind for kind, _, _ in curves.values()})
    fig, axes = plt.subplots(
        1, max(1, len(kinds)), figsize=(5.5 * max(1, len(kinds)), 4.5), squeeze=False
    )
    for ax, kind in zip(axes[0], kinds, strict=False):
        for (name, label), (k, curve, valid) in curves.items():
            if k != kind:
                continue
            epochs = np.arange(1, len(curve) + 1)
            (line,) = ax.plot(epochs, curve, label=f"{name}: {label}")
            if valid is not None:
                ax.plot(epochs[: len(valid)], valid, "--", color=line.get_color())
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"training {kind} (first CV fold)")
        positive = all(min(curve) > 0 for k, curve, _ in curves.values() if k == kind)
        # a critic's loss (minus the W_1 estimate) can be negative
        ax.set_yscale("log" if positive else "symlog")
        ax.set_title(kind)
        ax.legend(fontsize=6)
    fig.suptitle(
        "sklearn_mathdl tour: training loss per epoch (dashed: validation score, "
        "where early stopping holds data out)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    """Command-line entry point: ``python -m sklearn_mathdl tour``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m sklearn_mathdl")
    sub = parser.add_subparsers(dest="command", required=True)
    tour = sub.add_parser("tour", help="cross-validate every estimator on bundled data")
    tour.add_argument("--quick", action="store_true", help="3 folds, fewer epochs")
    tour.add_argument("--output", default="tour_output", help="folder for results")
    tour.add_argument("--device", default="cpu", help="cpu, cuda, mps or auto")
    tour.add_argument(
        "--restart",
        action="store_true",
        help="ignore the rows saved by an earlier, interrupted run",
    )
    tour.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="folds fitted at once (default: one per CPU core on the CPU)",
    )
    tour.add_argument(
        "--datasets",
        nargs="*",
        choices=sorted(DATASETS),
        help="subset of the bundled datasets",
    )
    args = parser.parse_args(argv)

    from sklearn_mathdl.utils import check_device

    check_device(args.device)
    start = time.perf_counter()
    _, table = run_tour(
        quick=args.quick,
        output=args.output,
        device=args.device,
        datasets=args.datasets,
        resume=not args.restart,
        n_jobs=args.jobs,
    )
    print()
    print(table)
    print(f"\n* = sklearn_mathdl estimator. Total {time.perf_counter() - start:.0f} s.")
    print(
        f"Wrote {Path(args.output) / 'results.md'} and "
        f"{Path(args.output) / 'learning_curves.png'}"
    )
    return 0
