"""Batched hyper-parameter search against scikit-learn's loop, side by side.

Cases (``--cases`` picks a subset):

- ``mlp``: breast_cancer, a StandardScaler pipeline, 5 folds x 12 candidates
  (alpha in {1e-4, 1e-2, 1, 10} x learning_rate_init in {1e-3, 3e-3, 1e-2}),
  default MLPClassifier otherwise. Timed: our ``GridSearchCV`` (batched),
  scikit-learn's ``GridSearchCV`` over our MLPClassifier with n_jobs=1, and
  scikit-learn's ``GridSearchCV`` over scikit-learn's MLPClassifier with
  n_jobs=2. Targets: >= 8x the first, faster than the second.
- ``cnn``: GunPoint, 3 folds x 4 candidates (alpha x learning_rate_init) of
  the default CNNClassifier: ours against scikit-learn's loop (the CNN has no
  batched trainer yet, so this row measures the fallback's overhead).

Runs alternate between the searches and repeat (``--repeats``, median
reported); torch and BLAS use ``--threads`` threads in every process. Each run
is a fresh process that first fits a throw-away MLP of ours, so that a
process's one-time costs (before the engine's eager optimizers, torch's import
of ``torch._dynamo``, about 2 s) are charged to no search.

    python benchmarks/bench_search.py --threads 1
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import os
import subprocess
import sys
import textwrap

RUNNER = textwrap.dedent(
    """
    import json, time, warnings
    import numpy as np
    import torch
    torch.set_num_threads({threads})
    from threadpoolctl import threadpool_limits
    threadpool_limits({threads})
    warnings.simplefilter("ignore")
    from sklearn import model_selection as skms
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn_mathdl import model_selection as ours
    case, which = {case!r}, {which!r}
    if case == "mlp":
        from sklearn.datasets import load_breast_cancer
        X, y = load_breast_cancer(return_X_y=True)
        grid = {{"mlpclassifier__alpha": [1e-4, 1e-2, 1.0, 10.0],
                 "mlpclassifier__learning_rate_init": [1e-3, 3e-3, 1e-2]}}
        if which == "sklearn_mlp_2jobs":
            from sklearn.neural_network import MLPClassifier
        else:
            from sklearn_mathdl import MLPClassifier
        est = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
        cv = 5
    else:
        from sklearn_mathdl import CNNClassifier
        from sklearn_mathdl._datasets import load
        data = load("GunPoint")
        X, y = data.X, data.y
        grid = {{"alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 3e-3]}}
        est = CNNClassifier(random_state=0)
        cv = 3
    if which == "ours":
        search = ours.GridSearchCV(est, grid, cv=cv)
    else:
        n_jobs = 2 if which == "sklearn_mlp_2jobs" else 1
        search = skms.GridSearchCV(est, grid, cv=cv, n_jobs=n_jobs)
    # a process's one-time costs: a throw-away fit of ours first, in every
    # run, so that no search is charged for them
    from sklearn_mathdl import MLPClassifier as _Warm
    _Warm(hidden_layer_sizes=(2,), max_iter=2).fit(X[:20], y[:20])
    t0 = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - t0
    batched = [g["batched"] for g in getattr(search, "batched_groups_", [])]
    print(json.dumps(dict(wall=wall, best=float(search.best_score_),
                          best_params=str(search.best_params_), batched=batched)))
    """
)

CASES = {
    "mlp": ["ours", "sklearn_loop_ours", "sklearn_mlp_2jobs"],
    "cnn": ["ours", "sklearn_loop_ours"],
}


def run(case, which, threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    code = RUNNER.format(case=case, which=which, threads=threads)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=list(CASES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"threads per process: {args.threads}; median of {args.repeats} runs\n")
    print("| case | search | wall s (median) | runs | best CV score | batched |")
    print("|---|---|---|---|---|---|")
    for case in args.cases:
        walls = {w: [] for w in CASES[case]}
        last = {}
        for _ in range(args.repeats):
            for which in CASES[case]:  # alternate the searches
                r = run(case, which, args.threads)
                walls[which].append(r["wall"])
                last[which] = r
        med = {w: sorted(v)[len(v) // 2] for w, v in walls.items()}
        for which in CASES[case]:
            runs = ", ".join(f"{t:.1f}" for t in walls[which])
            print(
                f"| {case} | {which} | {med[which]:.1f} | {runs} | "
                f"{last[which]['best']:.4f} | {last[which]['batched'] or '-'} |",
                flush=True,
            )
        print(
            f"\n{case}: sklearn loop over ours / ours = "
            f"{med['sklearn_loop_ours'] / med['ours']:.2f}x (target >= 8)"
        )
        if "sklearn_mlp_2jobs" in med:
            print(
                f"{case}: sklearn MLP, n_jobs=2 / ours = "
                f"{med['sklearn_mlp_2jobs'] / med['ours']:.2f}x (target > 1)\n"
            )


if __name__ == "__main__":
    main()
