"""Data-parallel fit time: K processes under torchrun vs one process.

Run ``python benchmarks/bench_data_parallel.py`` (``--nproc``, ``--rows``,
``--epochs``, ``--repeats``). One process with K torch threads is the baseline;
torchrun runs K processes with 1 thread each on the same global batch, so
both take the same optimizer steps (the script checks that the final losses
agree). Prints the medians and the ratio (baseline time / data-parallel time).
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

WORKER = r"""
import json, os, sys, time, warnings
import numpy as np, torch
from sklearn_mathdl import MLPRegressor
from sklearn_mathdl.distributed import data_parallel, is_main_process
rows, epochs, threads = (int(a) for a in sys.argv[1:4])
out = sys.argv[4]
torch.set_num_threads(threads)
warnings.simplefilter("ignore")
rng = np.random.default_rng(0)
X = rng.standard_normal((rows, 64), dtype=np.float32)
y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
reg = MLPRegressor(hidden_layer_sizes=(512, 512), batch_size=1024,
                   max_iter=epochs, random_state=0)
with data_parallel() as world_size:
    start = time.perf_counter()
    reg.fit(X, y)
    seconds = time.perf_counter() - start
if is_main_process():
    with open(out, "w") as f:
        json.dump({"seconds": seconds, "loss": reg.loss_, "k": world_size}, f)
"""


def run(nproc, rows, epochs, script, out):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    if nproc == 1:  # the baseline gets all the cores as threads
        cmd = [sys.executable, script]
        threads = str(ARGS.nproc)
    else:
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc_per_node={nproc}",
            script,
        ]
        threads = "1"
    subprocess.run(
        [*cmd, str(rows), str(epochs), threads, out],
        check=True,
        env=env,
        capture_output=True,
    )
    with open(out) as f:
        return json.load(f)


def main(argv=None):
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nproc", type=int, default=2)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    ARGS = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "worker.py")
        with open(script, "w") as f:
            f.write(WORKER)
        one, many = [], []
        for rep in range(ARGS.repeats):
            order = [1, ARGS.nproc] if rep % 2 == 0 else [ARGS.nproc, 1]
            for k in order:
                res = run(
                    k, ARGS.rows, ARGS.epochs, script, os.path.join(tmp, "r.json")
                )
                (one if k == 1 else many).append(res)
                print(
                    f"  {k} process(es): {res['seconds']:.2f} s, "
                    f"loss {res['loss']:.5f}",
                    flush=True,
                )
        t1 = statistics.median(r["seconds"] for r in one)
        tk = statistics.median(r["seconds"] for r in many)
        print(
            f"| MLP 64-512-512-1, {ARGS.rows} rows, batch 1024, {ARGS.epochs} epochs "
            f"| 1 process x {ARGS.nproc} threads {t1:.2f} s "
            f"| {ARGS.nproc} processes x 1 thread {tk:.2f} s "
            f"| speed-up {t1 / tk:.2f} |"
        )
        print(
            f"final loss, 1 process {one[0]['loss']:.6f}, "
            f"{ARGS.nproc} processes {many[0]['loss']:.6f}"
        )


if __name__ == "__main__":
    main()
