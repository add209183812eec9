"""Data-parallel training over several processes, and workers pinned to GPUs.

:func:`data_parallel` makes every torch estimator of the package train with
:class:`torch.nn.parallel.DistributedDataParallel` (DDP) inside the block:
launch the script with ``torchrun``, wrap ``fit`` in the block, and each process
trains on its share of every mini-batch while DDP averages the gradients.
:func:`pin_dask_workers_to_gpus` spreads the workers of a Dask cluster over
the GPUs of their machines for hyper-parameter searches.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

__all__ = [
    "data_parallel",
    "get_rank",
    "get_world_size",
    "is_main_process",
    "pin_dask_workers_to_gpus",
]


@dataclass(frozen=True)
class _Context:
    rank: int
    world_size: int
    local_rank: int
    backend: str


_ACTIVE = []  # stack of _Context; the engine reads the top


def _active():
    """The data-parallel context of the current block, or None."""
    return _ACTIVE[-1] if _ACTIVE else None


def get_rank():
    """Rank of this process in the default process group (0 without one).

    Returns
    -------
    rank : int
        ``torch.distributed.get_rank()`` when a process group is initialized,
        else the ``RANK`` environment variable set by ``torchrun``, else 0.

    Examples
    --------
    >>> from sklearn_mathdl.distributed import get_rank
    >>> get_rank()
    0
    """
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return int(os.environ.get("RANK", 0))


def get_world_size():
    """Number of processes in the default process group (1 without one).

    Returns
    -------
    world_size : int
        ``torch.distributed.get_world_size()`` when a process group is
        initialized, else the ``WORLD_SIZE`` environment variable, else 1.

    Examples
    --------
    >>> from sklearn_mathdl.distributed import get_world_size
    >>> get_world_size()
    1
    """
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return int(os.environ.get("WORLD_SIZE", 1))


def is_main_process():
    """True on rank 0, the process that should write files and print results.

    Returns
    -------
    main : bool
        Whether :func:`get_rank` is 0.

    Examples
    --------
    >>> from sklearn_mathdl.distributed import is_main_process
    >>> is_main_process()
    True
    """
    return get_rank() == 0


@contextlib.contextmanager
def data_parallel(backend=None):
    """Train every estimator fitted inside the block data-parallel (DDP).

    Launch the script with ``torchrun --nproc_per_node=K script.py`` (one
    machine) or ``torchrun --nnodes=M --node_rank=i --rdzv_endpoint=HOST:PORT
    ...`` on each of M machines. Every process runs the same script on the same
    data. Inside the block, ``fit`` and ``partial_fit`` of any torch estimator
    of this package:

    - broadcast rank 0's seed and initial weights, so all processes start
      equal and shuffle identically;
    - split every mini-batch of ``batch_size`` rows (the *global* batch) into
      K nearly equal shards, one per process;
    - weight each shard's loss by its share of the batch, so that the
      gradients DDP averages with an all-reduce are exactly the gradients of
      the global batch: synchronous data-parallel SGD then takes the same
      steps as one process with ``batch_size`` rows, up to floating-point
      summation order;
    - record the all-reduced batch loss, so the loss curve, early stopping
      and the non-finite-loss check agree on every process.

    After the block every process holds an ordinary fitted estimator (the
    same weights on each) that pickles and predicts like any other; write
    files from rank 0 only (:func:`is_main_process`). Without ``torchrun``
    (no ``WORLD_SIZE`` in the environment, or ``WORLD_SIZE=1``) the block
    does nothing, so the same script runs on a laptop.

    Parameters
    ----------
    backend : {"gloo", "nccl"} or None, default=None
        Process-group backend when the block creates the group: ``"nccl"``
        when CUDA is available, else ``"gloo"``. An already initialized
        group is used as it is (and left open).

    Yields
    ------
    world_size : int
        The number of processes training together (1 without ``torchrun``).

    Notes
    -----
    With ``device="cuda"`` each process trains on ``cuda:LOCAL_RANK``. Batch
    normalization normalizes each shard by its own statistics during
    training (DDP's default), so with batch norm the equivalence with the
    global batch is approximate; the running statistics kept for inference
    are recomputed over the whole training set at the end of ``fit`` and
    are the same on every process. Dropout masks differ between processes.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn_mathdl import MLPRegressor
    >>> from sklearn_mathdl.distributed import data_parallel, is_main_process
    >>> X, y = load_diabetes(return_X_y=True)
    >>> with data_parallel() as world_size:  # 1 here; K under torchrun
    ...     reg = MLPRegressor(max_iter=5, random_state=0).fit(X, y)
    >>> is_main_process()
    True
    """
    world_size = get_world_size()
    created = False
    if not (dist.is_available() and dist.is_initialized()):
        if world_size <= 1:
            yield 1
            return
        if not dist.is_available():  # pragma: no cover - builds without it
            raise RuntimeError("This torch build has no torch.distributed.")
        if backend is None:
            backend = "nccl" if torch.cuda.is_available() else "gloo"
        if backend == "nccl" and torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
        dist.init_process_group(backend=backend, init_method="env://")
        created = True
    if backend is not None and created is False and dist.get_backend() != backend:
        raise ValueError(
            f"backend={backend!r} but the process group already uses "
            f"{dist.get_backend()!r}."
        )
    context = _Context(
        rank=dist.get_rank(),
        world_size=dist.get_world_size(),
        local_rank=int(os.environ.get("LOCAL_RANK", 0)),
        backend=dist.get_backend(),
    )
    _ACTIVE.append(context)
    try:
        yield context.world_size
    finally:
        _ACTIVE.pop()
        if created:
            dist.destroy_process_group()


def _pin_this_worker(index, n_gpus):
    import torch as _torch

    device = index % n_gpus
    _torch.cuda.set_device(device)
    return f"cuda:{device}"


def pin_dask_workers_to_gpus(client):
    """Give each Dask worker its own GPU, round robin, for searches on GPUs.

    Run once after connecting; then ``device="cuda"`` in the estimators of a
    ``GridSearchCV`` run under ``joblib.parallel_config(backend="dask")``
    means each worker's own GPU. Workers on the same host are numbered in
    the order of their addresses; worker i of a host with G GPUs gets GPU
    ``i mod G``. (``dask_cuda.LocalCUDACluster`` does the same pinning
    through ``CUDA_VISIBLE_DEVICES`` when it starts its workers.)

    Parameters
    ----------
    client : dask.distributed.Client
        A connected client.

    Returns
    -------
    devices : dict
        Worker address -> the device it now uses, e.g. ``"cuda:1"``; workers
        on hosts without a GPU are left as they are and map to ``"cpu"``.
    """
    gpus = client.run(lambda: torch.cuda.device_count())
    by_host = {}
    for address in sorted(gpus):
        host = address.rsplit(":", 1)[0]
        by_host.setdefault(host, []).append(address)
    devices = {}
    for addresses in by_host.values():
        for i, address in enumerate(addresses):
            if gpus[address] == 0:
                devices[address] = "cpu"
                continue
            devices[address] = client.run(
                _pin_this_worker, i, gpus[address], workers=[address]
            )[address]
    return devices
