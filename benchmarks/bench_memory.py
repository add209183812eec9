"""Predict memory: peak RSS growth during predict on N x 20 rows, per family.

Each case fits a small model on 2,000 rows, allocates the N x 20 float64 (or
``--dtype float32``) input, then predicts in a fresh process; the growth is
the peak RSS during predict (sampled every 5 ms by a thread) minus the RSS
just before it (input allocated),
so it counts only what predict itself allocates: the output (N floats per
output) and any temporaries. Target (issue "Reliability"): < 300 MB at
N = 10 M for every estimator, and growth independent of N beyond the output.

    python benchmarks/bench_memory.py --rows 10000000
    python benchmarks/bench_memory.py --rows 1000000 4000000   # growth vs N
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import subprocess
import sys
import textwrap

CASES = {
    "MLPRegressor": "MLPRegressor(hidden_layer_sizes=(64,), max_iter=5)",
    "MLPClassifier": "MLPClassifier(hidden_layer_sizes=(64,), max_iter=5)",
    "CNNClassifier": "CNNClassifier(n_filters=(8,), max_iter=2)",
    "RNNRegressor": "RNNRegressor(hidden_size=8, max_iter=2)",
    "TransformerEncoderClassifier": (
        "TransformerEncoderClassifier(d_model=8, n_heads=2, n_layers=1, "
        "dim_feedforward=16, max_iter=2)"
    ),
    "NeuralODERegressor": "NeuralODERegressor(max_iter=2)",
    "VariationalAutoencoder.transform": (
        "VariationalAutoencoder(n_components=2, max_iter=2)"
    ),
    "KernelRidge exact": "KernelRidge(kernel='rbf', solver='exact')",
    "KernelRidge nystrom": "KernelRidge(kernel='rbf', solver='nystrom', n_centers=500)",
    "KernelRidge falkon": "KernelRidge(kernel='rbf', solver='falkon', n_centers=500)",
    "KernelRidgeClassifier": "KernelRidgeClassifier(kernel='rbf')",
    "KernelRidgeCV": "KernelRidgeCV(gamma=[0.05, 0.1])",
}

RUNNER = textwrap.dedent(
    """
    import json, time, warnings
    import numpy as np
    import psutil
    import torch
    torch.set_num_threads(2)
    warnings.simplefilter("ignore")
    from sklearn_mathdl import *  # noqa
    rng = np.random.RandomState(0)
    Xf = rng.randn(2000, 20)
    yf = Xf[:, 0] + np.sin(Xf[:, 1])
    est = {make}
    if "Classifier" in type(est).__name__:
        yf = (yf > 0).astype(int)
    est.fit(Xf) if type(est).__name__ == "VariationalAutoencoder" else est.fit(Xf, yf)
    X = np.empty(({rows}, 20), dtype={dtype!r})
    for s in range(0, len(X), 1_000_000):
        X[s : s + 1_000_000] = rng.randn(min(1_000_000, len(X) - s), 20)
    method = est.transform if hasattr(est, "transform") else est.predict
    import threading
    proc = psutil.Process()
    before = proc.memory_info().rss
    peak = [before]
    done = threading.Event()
    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            done.wait(0.005)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    t0 = time.perf_counter()
    out = method(X)
    wall = time.perf_counter() - t0
    done.set()
    watcher.join()
    growth = max(peak[0], proc.memory_info().rss) - before
    print(json.dumps(dict(wall=wall, growth_mb=growth / 2**20,
                          output_mb=out.nbytes / 2**20)))
    """
)


def run(name, rows, dtype):
    code = RUNNER.format(make=CASES[name], rows=rows, dtype=dtype)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"signal {-out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000_000])
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--cases", nargs="*", default=list(CASES))
    args = parser.parse_args(argv)
    print(f"input dtype {args.dtype}, 2 torch threads; growth = peak RSS during")
    print("predict minus RSS before it (input already allocated)\n")
    print("| estimator | rows | predict s | RSS growth MB | output MB |")
    print("|---|---|---|---|---|")
    for name in args.cases:
        for rows in args.rows:
            r = run(name, rows, args.dtype)
            if "error" in r:
                print(f"| {name} | {rows:,} | error: {r['error']} | | |", flush=True)
                continue
            print(
                f"| {name} | {rows:,} | {r['wall']:.1f} | {r['growth_mb']:.0f} | "
                f"{r['output_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
