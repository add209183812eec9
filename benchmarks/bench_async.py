"""Synchronous vs asynchronous training, parallel efficiency and its model.

The book's chapter 23: synchronous data-parallel SGD (section 23.2, here
:func:`~sklearn_mathdl.distributed.data_parallel` with the "mpi" backend under
``mpirun``, and with gloo under ``torchrun``), asynchronous SGD (section 23.3,
:func:`~sklearn_mathdl.distributed.asynchronous`, Hogwild workers), parallel
efficiency (section 23.4) and MPI point-to-point timing (sections 23.5-23.7).

What it measures, each process or worker with one torch thread:

- **Time to a fixed training loss.** An MLPRegressor ((256, 256), Adam,
  learning rate 1e-3, global batch 256) on make_friedman1 (16,384 x 20,
  target standardized), trained 20 epochs by one process, by 2 synchronous
  processes (MPI and gloo) and by 1 and 2 asynchronous workers. The target
  is the training loss one process reaches after 10 epochs; a run's time to
  it is its wall time (process start-up excluded: timed inside the script)
  times the fraction of its epochs needed to reach it (epochs take equal
  time).
- **Strong scaling** (the same data and global batch for K = 1, 2):
  ``E = T_1 / (K T_K)`` with T the time to the target loss.
- **Weak scaling** (K times the rows, the per-process batch fixed at 256, so
  the same number of steps each of the same size per process): ``E = T_1 /
  T_K`` for 20 epochs.
- **Point-to-point**: an MPI ping-pong between 2 processes (``Send``/``Recv``
  of 8 B .. 8 MB), fitted by ``t(m) = alpha + m / beta`` (latency, bandwidth).
- **The model** (section 23.4): one process's step costs ``T_1 = T_serial +
  T_par``, measured at the batch and at half of it (``T_par`` halves with the
  batch, ``T_serial``, the framework's per-step overhead, does not: Amdahl's
  law). A synchronous step with K processes costs ``T_serial + T_par / K +
  T_comm(K)`` (strong scaling) or ``T_1 + T_comm(K)`` (weak), with ``T_comm(K)
  = 2 (K - 1) (alpha + M / (K beta))`` a ring all-reduce of the M bytes of
  gradients (Patarasuk and Yuan 2009). So ``E_strong(K) = T_1 / (K (T_serial +
  T_par / K + T_comm(K)))`` and ``E_weak(K) = T_1 / (T_1 + T_comm(K))``, drawn
  for K up to 64 with the measured points into
  ``docs/user_guide/images/async_efficiency.png`` (the distributed guide shows
  it); the numbers go to ``benchmarks/results_async_cpu.md``.

Needs the ``mpi`` extra (mpi4py, mpich) for the MPI rows::

    python benchmarks/bench_async.py            # about 4 minutes on 2 cores
    python benchmarks/bench_async.py --repeats 3
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results_async_cpu.md"
FIGURE = ROOT / "docs" / "user_guide" / "images" / "async_efficiency.png"

TRAIN = textwrap.dedent(
    """
    import json, sys, time, warnings
    import numpy as np, torch
    torch.set_num_threads(1)
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)
    warnings.simplefilter("ignore")
    from sklearn.datasets import make_friedman1
    from sklearn_mathdl import MLPRegressor
    from sklearn_mathdl.distributed import (
        asynchronous, data_parallel, get_world_size, is_main_process)
    mode, k, rows, batch, epochs, out, opt = sys.argv[1:8]
    k, rows, batch, epochs = int(k), int(rows), int(batch), int(epochs)
    X, y = make_friedman1(rows, n_features=20, noise=0.5, random_state=0)
    X = X.astype(np.float32)
    y = (y - y.mean()) / y.std()
    reg = MLPRegressor(
        hidden_layer_sizes=(256, 256), optimizer=opt, momentum=0.0,
        learning_rate_init=0.05 if opt == "sgd" else 1e-3, alpha=1e-4,
        batch_size=batch, max_iter=epochs, n_iter_no_change=np.inf,
        random_state=0)
    if mode == "async":
        context = asynchronous(k, threads_per_worker=1)
    elif mode == "sync_mpi":
        context = data_parallel(backend="mpi")
    else:
        context = data_parallel()
    with context as world:
        t0 = time.perf_counter()
        reg.fit(X, y)
        wall = time.perf_counter() - t0
    if is_main_process():
        n_params = sum(p.numel() for p in reg.module_.parameters())
        stale = getattr(reg, "staleness_", None)
        json.dump(dict(
            wall=wall, loss=list(reg.loss_curve_), world=world,
            steps=len(reg.loss_curve_) * int(np.ceil(rows / batch)),
            n_params=int(n_params),
            staleness=None if stale is None else float(stale.mean()),
        ), open(out, "w"))
    """
)

PINGPONG = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    sizes = [8 * 4**i for i in range(11)]  # 8 B .. 8 MiB
    out = []
    for m in sizes:
        buf = np.zeros(m, dtype=np.uint8)
        reps = max(10, min(1000, int(2e8 / (m + 1e4))))
        comm.Barrier()
        t0 = time.perf_counter()
        for _ in range(reps):
            if rank == 0:
                comm.Send(buf, dest=1); comm.Recv(buf, source=1)
            else:
                comm.Recv(buf, source=0); comm.Send(buf, dest=0)
        one_way = (time.perf_counter() - t0) / reps / 2
        out.append((m, one_way))
    if rank == 0:
        json.dump(out, open(sys.argv[1], "w"))
    """
)


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    return env


def run_training(mode, k, rows, batch, epochs, tmp, opt):
    """One training run in fresh processes; its JSON record."""
    script = Path(tmp) / "train.py"
    script.write_text(TRAIN)
    out = Path(tmp) / f"{mode}_{k}_{rows}.json"
    args = [script, mode, k, rows, batch, epochs, out, opt]
    args = [str(a) for a in args]
    if mode == "sync_mpi" and k > 1:
        cmd = ["mpiexec", "-n", str(k), sys.executable, *args]
    elif mode == "sync_gloo" and k > 1:
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc_per_node={k}",
            *args,
        ]
    else:
        cmd = [sys.executable, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-2000:] + proc.stderr[-2000:])
    return json.loads(out.read_text())


def pingpong(tmp):
    script = Path(tmp) / "pingpong.py"
    script.write_text(PINGPONG)
    out = Path(tmp) / "pingpong.json"
    cmd = ["mpiexec", "-n", "2", sys.executable, str(script), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env())
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(out.read_text())


def fit_latency_bandwidth(points):
    """Least squares ``t = alpha + m / beta`` over the ping-pong times."""
    import numpy as np

    m = np.array([p[0] for p in points], dtype=float)
    t = np.array([p[1] for p in points], dtype=float)
    A = np.stack([np.ones_like(m), m], 1)
    # relative errors: weight each size by 1 / t
    coef, *_ = np.linalg.lstsq(A / t[:, None], np.ones_like(t), rcond=None)
    alpha, inv_beta = coef
    return float(max(alpha, 0.0)), float(1.0 / max(inv_beta, 1e-30))


def allreduce_time(k, n_bytes, alpha, beta):
    """Ring all-reduce of ``n_bytes`` over ``k`` processes."""
    if k <= 1:
        return 0.0
    return 2.0 * (k - 1) * (alpha + n_bytes / (k * beta))


def epochs_to(loss_curve, target):
    for i, value in enumerate(loss_curve):
        if value <= target:
            return i + 1
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=16384)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--optimizer",
        default="sgd",
        choices=["sgd", "adam"],
        help="sgd: plain SGD, learning rate 0.05 (no momentum); adam: 1e-3",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-figure", action="store_true")
    args = parser.parse_args(argv)

    rows, batch, epochs = args.rows, args.batch, args.epochs
    strong = [
        ("sync_mpi", 1),
        ("sync_mpi", 2),
        ("sync_gloo", 2),
        ("async", 1),
        ("async", 2),
    ]
    records = {key: [] for key in strong}
    weak = {("sync_mpi", 2): [], ("async", 2): []}
    half = []  # one process, half the rows and half the batch: the same steps
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):  # alternate the configurations
            for mode, k in strong:
                records[(mode, k)].append(
                    run_training(mode, k, rows, batch, epochs, tmp, args.optimizer)
                )
                print(mode, k, f"{records[(mode, k)][-1]['wall']:.2f} s", flush=True)
            for mode, k in weak:
                # K times the rows; sync: K times the global batch (the same
                # per-process batch); async: each worker takes its batches
                b = batch * k if mode.startswith("sync") else batch
                weak[(mode, k)].append(
                    run_training(mode, k, rows * k, b, epochs, tmp, args.optimizer)
                )
                print(
                    "weak", mode, k, f"{weak[(mode, k)][-1]['wall']:.2f} s", flush=True
                )
            half.append(
                run_training(
                    "sync_mpi", 1, rows // 2, batch // 2, epochs, tmp, args.optimizer
                )
            )
            print("half batch", f"{half[-1]['wall']:.2f} s", flush=True)
        points = pingpong(tmp)
    alpha, beta = fit_latency_bandwidth(points)

    def median(key, source=records, field="wall"):
        return statistics.median(r[field] for r in source[key])

    one = records[("sync_mpi", 1)][0]
    # (1 % above: K synchronous processes reach the same losses up to float32
    # summation order, which can move the epoch a flat curve crosses it)
    target = one["loss"][epochs // 2 - 1] * (1 + 1e-2)
    rows_out = []
    t_reach = {}
    for key in strong:
        runs = records[key]
        reach = [epochs_to(r["loss"], target) for r in runs]
        times = [
            r["wall"] * e / len(r["loss"])
            for r, e in zip(runs, reach, strict=True)
            if e is not None
        ]
        t_reach[key] = statistics.median(times) if times else None
        stale = runs[0]["staleness"]
        rows_out.append(
            (
                key,
                median(key),
                reach[0],
                t_reach[key],
                runs[0]["loss"][-1],
                stale,
            )
        )
    t1 = t_reach[("sync_mpi", 1)]
    t1_async = t_reach[("async", 1)]
    steps_1 = one["steps"]
    # one process's step, t(B) = serial + parallel part; at half the batch
    # t(B / 2) = serial + parallel / 2 (Amdahl): what K processes cannot split
    t_step = median(("sync_mpi", 1)) / steps_1
    t_half = statistics.median(r["wall"] for r in half) / half[0]["steps"]
    t_par = max(2.0 * (t_step - t_half), 0.0)
    t_serial = t_step - t_par
    n_bytes = 4 * one["n_params"]

    def e_strong(k):
        comm = allreduce_time(k, n_bytes, alpha, beta)
        return t_step / (k * (t_serial + t_par / k + comm))

    def e_weak(k):
        return t_step / (t_step + allreduce_time(k, n_bytes, alpha, beta))

    opt_text = (
        "plain SGD (learning rate 0.05, no momentum)"
        if args.optimizer == "sgd"
        else "Adam (learning rate 1e-3)"
    )
    lines = [
        f"# bench_async.py on the 2-core CPU machine ({datetime.date.today()})",
        "",
        f"Command: `python benchmarks/bench_async.py --repeats {args.repeats} "
        f"--optimizer {args.optimizer}` (Python {platform.python_version()}; one "
        "torch thread per process or worker; medians over the repeats).",
        "",
        f"MLPRegressor (256, 256), {opt_text}, make_friedman1 {rows} x 20, global "
        f"batch {batch}, {epochs} epochs. Target loss: one process's training loss "
        f"after {epochs // 2} epochs plus 1 %, {target:.4f}.",
        "",
        f"| training | K | wall s ({epochs} epochs) | epochs to target "
        "| time to target s | final loss | mean staleness |",
        "|---|---|---|---|---|---|---|",
    ]
    names = {
        "sync_mpi": "synchronous, MPI Allreduce (mpirun)",
        "sync_gloo": "synchronous, DDP over gloo (torchrun)",
        "async": "asynchronous (Hogwild workers)",
    }
    for (mode, k), wall, reach, t, final, stale in rows_out:
        lines.append(
            f"| {names[mode]} | {k} | {wall:.2f} | {reach or 'not reached'} | "
            f"{'-' if t is None else f'{t:.2f}'} | {final:.4f} | "
            f"{'-' if stale is None else f'{stale:.2f}'} |"
        )

    def ratio(t_one, t_k, k):
        return None if t_one is None or t_k is None else t_one / (k * t_k)

    e_strong_sync = ratio(t1, t_reach[("sync_mpi", 2)], 2)
    e_strong_async = ratio(t1_async, t_reach[("async", 2)], 2)
    e_weak_sync = median(("sync_mpi", 1)) / median(("sync_mpi", 2), weak)
    e_weak_async = median(("async", 1)) / median(("async", 2), weak)
    model_strong_2, model_weak_2 = e_strong(2), e_weak(2)
    lines += [
        "",
        "Parallel efficiency at K = 2 (measured; the model's value in brackets):",
        "",
        "| scaling | synchronous (MPI) | asynchronous |",
        "|---|---|---|",
        f"| strong, E = T_1 / (2 T_2), T = time to target | "
        f"{_fmt(e_strong_sync)} [{model_strong_2:.3f}] | {_fmt(e_strong_async)} |",
        f"| weak, E = T_1 / T_2, {epochs} epochs of K x {rows} rows | "
        f"{e_weak_sync:.3f} [{model_weak_2:.3f}] | {e_weak_async:.3f} |",
        "",
        f"MPI ping-pong between 2 processes of this machine (one way): latency "
        f"alpha = {alpha * 1e6:.2f} us, bandwidth beta = {beta / 1e9:.2f} GB/s "
        f"(fit of t = alpha + m / beta over 8 B .. 8 MiB). One step of one process: "
        f"T_step = {t_step * 1e3:.2f} ms at batch {batch}, {t_half * 1e3:.2f} ms at "
        f"batch {batch // 2}, so T_par = {t_par * 1e3:.2f} ms splits over the "
        f"processes and T_serial = {t_serial * 1e3:.2f} ms does not (framework "
        f"overhead per step). Gradients M = {n_bytes / 1e3:.0f} kB, so "
        f"a ring all-reduce over 2 processes takes "
        f"{allreduce_time(2, n_bytes, alpha, beta) * 1e6:.0f} us by the model.",
        "",
        "| message | one-way time |",
        "|---|---|",
        *[f"| {m} B | {t * 1e6:.2f} us |" for m, t in points],
        "",
        "Model for K up to 64 (same machine's alpha and beta):",
        "",
        "| K | E strong | E weak |",
        "|---|---|---|",
    ]
    ks = [1, 2, 4, 8, 16, 32, 64]
    for k in ks:
        lines.append(f"| {k} | {e_strong(k):.3f} | {e_weak(k):.3f} |")
    args.output.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if not args.no_figure:
        draw(
            alpha,
            beta,
            (t_serial, t_par),
            n_bytes,
            {
                "sync strong": e_strong_sync,
                "sync weak": e_weak_sync,
                "async strong": e_strong_async,
                "async weak": e_weak_async,
            },
        )
    return 0


def _fmt(value):
    return "not reached" if value is None else f"{value:.3f}"


def draw(alpha, beta, step, n_bytes, measured):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    ks = np.arange(1, 65)
    comm = np.array([allreduce_time(k, n_bytes, alpha, beta) for k in ks])
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    t_serial, t_par = step
    t1 = t_serial + t_par
    ax.plot(
        ks, t1 / (ks * (t_serial + t_par / ks + comm)), label="model, strong scaling"
    )
    ax.plot(ks, t1 / (t1 + comm), label="model, weak scaling")
    marks = {
        "sync strong": "o",
        "sync weak": "s",
        "async strong": "^",
        "async weak": "v",
    }
    for name, value in measured.items():
        if value is not None:
            ax.plot([2], [value], marks[name], label=f"measured, {name} (K = 2)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("processes K")
    ax.set_ylabel("parallel efficiency E")
    ax.set_ylim(0, 1.15)
    ax.set_title("Synchronous data-parallel SGD: measured and modelled efficiency")
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURE, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
