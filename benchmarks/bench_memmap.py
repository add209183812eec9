"""Fit an MLP on a memmap larger than the memory it may use; compare with RAM.

Run ``python benchmarks/bench_memmap.py`` (``--gib`` sets the file size,
``--budget-mib`` the memory limit, ``--quick`` a small run).

A float32 file of ``--gib`` GiB (64 features) is written to a temporary
directory. Each measurement runs in a fresh subprocess:

- ``memmap``: ``MLPRegressor.fit(np.memmap(...), y)`` under
  ``RLIMIT_DATA = --budget-mib`` (the kernel refuses private allocations
  beyond it; the file's pages live in the page cache, not in that budget);
- ``in RAM, same budget``: ``np.fromfile`` of the same file under the same
  limit, which must fail with MemoryError;
- ``in RAM``: the file loaded with ``np.fromfile`` and fitted with no limit
  (the baseline).

Throughput is training rows per second over the fit (validation pass
included for the memmap); medians of ``--repeats`` alternating runs.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

N_FEATURES = 64

CHILD = r"""
import json, resource, sys, time, warnings
import numpy as np
mode, path, n, budget, epochs, threads = sys.argv[1:7]
n, budget, epochs, threads = int(n), int(budget), int(epochs), int(threads)
import torch
torch.set_num_threads(threads)
from sklearn_mathdl import MLPRegressor
warnings.simplefilter("ignore")
if budget:
    resource.setrlimit(resource.RLIMIT_DATA, (budget, budget))
shape = (n, N_FEATURES)
try:
    if mode == "memmap":
        X = np.memmap(path, dtype=np.float32, mode="r", shape=shape)
    else:
        X = np.fromfile(path, dtype=np.float32).reshape(shape)
except MemoryError:
    print(json.dumps({"error": "MemoryError"}))
    sys.exit(0)
y = np.asarray(X[:, 0]) * 2.0 - np.asarray(X[:, 1])
reg = MLPRegressor(hidden_layer_sizes=(64, 64), batch_size=4096, max_iter=epochs,
                   learning_rate_init=1e-3, random_state=0)
start = time.perf_counter()
reg.fit(X, y)
seconds = time.perf_counter() - start
r2 = reg.score(X[:100000], y[:100000])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rows_per_s": n * epochs / seconds,
                  "r2": r2, "max_rss_mib": peak}))
""".replace("N_FEATURES", str(N_FEATURES))


def run(mode, path, n, budget, epochs, threads):
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            mode,
            path,
            str(n),
            str(budget),
            str(epochs),
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=3.0)
    parser.add_argument("--budget-mib", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.gib, args.budget_mib, args.epochs, args.repeats = 1.0, 768, 1, 1
    n = int(args.gib * 2**30) // (4 * N_FEATURES)
    budget = args.budget_mib * 2**20
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "X.f32")
        rng = np.random.default_rng(0)
        with open(path, "wb") as f:
            for start in range(0, n, 2**20):
                rows = min(2**20, n - start)
                rng.standard_normal((rows, N_FEATURES), dtype=np.float32).tofile(f)
        size = os.path.getsize(path) / 2**30
        print(
            f"file {size:.2f} GiB ({n} x {N_FEATURES} float32), memory budget "
            f"{args.budget_mib} MiB, {args.epochs} epoch(s), "
            f"{args.threads} torch threads"
        )
        refused = run("ram", path, n, budget, args.epochs, args.threads)
        print(f"in RAM under the same budget: {refused.get('error', refused)}")
        stream, ram = [], []
        for rep in range(args.repeats):
            order = ["memmap", "ram"] if rep % 2 == 0 else ["ram", "memmap"]
            for mode in order:
                res = run(
                    mode,
                    path,
                    n,
                    budget if mode == "memmap" else 0,
                    args.epochs,
                    args.threads,
                )
                if "error" in res:
                    raise SystemExit(f"{mode} run failed: {res['error']}")
                (stream if mode == "memmap" else ram).append(res)
                print(
                    f"  {mode:6s} {res['rows_per_s']:12.0f} rows/s  "
                    f"R2 {res['r2']:.3f}  max RSS {res['max_rss_mib']:.0f} MiB",
                    flush=True,
                )
        s = statistics.median(r["rows_per_s"] for r in stream)
        r = statistics.median(r["rows_per_s"] for r in ram)
        print("| data | memmap rows/s | in-RAM rows/s | memmap / RAM |")
        print("|---|---|---|---|")
        print(
            f"| {size:.2f} GiB, budget {args.budget_mib} MiB | {s:.0f} | {r:.0f} "
            f"| {s / r:.2f} |"
        )


if __name__ == "__main__":
    main()
