"""
=======================================================
Data-parallel training with torchrun (DDP, 2 processes)
=======================================================

Launch with ``torchrun`` (not run when the gallery is built)::

    torchrun --standalone --nproc_per_node=2 \\
        examples/distributed/train_data_parallel.py --out results/

Each process loads the same data and fits the same estimator inside
:func:`~sklearn_mathdl.distributed.data_parallel`. Every mini-batch of
``batch_size`` rows is split between the processes, DistributedDataParallel
averages their gradients, and all processes take the same optimizer steps
as one process would with the whole batch. Rank 0 then holds an ordinary
fitted estimator: it scores it, pickles it and writes the loss curve; the
other ranks write nothing. Without ``torchrun`` the script trains in one
process, so it also runs as ``python train_data_parallel.py``.

With MPI instead of torchrun (``pip install 'sklearn_mathdl[mpi]'``), either
as the launcher only (the processes then talk through torch's gloo) or for the
communication too (``--backend mpi``: gradients averaged by MPI's Allreduce)::

    mpirun -n 2 python examples/distributed/train_data_parallel.py --out results/
    mpirun -n 2 python examples/distributed/train_data_parallel.py --backend mpi

On several machines, run on each (``--node_rank`` 0 .. M-1)::

    torchrun --nnodes=M --nproc_per_node=GPUS_PER_MACHINE --node_rank=i \\
        --rdzv_backend=c10d --rdzv_endpoint=HOST0:29400 \\
        train_data_parallel.py --device cuda --out results/
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
from pathlib import Path

import joblib
import torch
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import MLPRegressor
from sklearn_mathdl.distributed import data_parallel, is_main_process


def make_model(args):
    return make_pipeline(
        StandardScaler(),
        MLPRegressor(
            hidden_layer_sizes=(64, 64),
            optimizer="adam",  # mini-batch steps, split over the processes
            batch_size=args.batch_size,
            max_iter=args.epochs,
            learning_rate_init=1e-3,
            device=args.device,
            random_state=0,
        ),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[1])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch threads/process")
    parser.add_argument(
        "--backend", default=None, help="gloo, nccl or mpi (default: gloo/nccl)"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    X, y = load_diabetes(return_X_y=True)  # every process loads the same data
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = make_model(args)
    with data_parallel(backend=args.backend) as world_size:
        model.fit(X_train, y_train)

    if is_main_process():  # rank 0 reports and writes; the others do nothing
        reg = model[-1]
        r2 = model.score(X_test, y_test)
        print(f"processes: {world_size}  epochs: {reg.n_iter_}  test R2: {r2:.3f}")
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            joblib.dump(model, args.out / "model.joblib")
            result = {"world_size": world_size, "r2": r2, "loss_curve": reg.loss_curve_}
            (args.out / "result.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
