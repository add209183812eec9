"""Data-parallel and asynchronous training, and workers pinned to GPUs.

:func:`data_parallel` makes every torch estimator of the package train
synchronously data-parallel inside the block (book, section 23.2): launch the
script with ``torchrun`` or ``mpirun``, wrap ``fit`` in the block, and each
process trains on its share of every mini-batch while the gradients are
averaged, by :class:`torch.nn.parallel.DistributedDataParallel` (DDP, backends
"gloo" and "nccl") or by MPI's ``Allreduce`` through mpi4py (backend "mpi",
sections 23.5-23.7). :func:`asynchronous` trains instead by asynchronous SGD
on one machine (section 23.3): worker processes update weights held in shared
memory without waiting for each other (Hogwild). :func:`pin_dask_workers_to_gpus`
spreads the workers of a Dask cluster over the GPUs of their machines for
hyper-parameter searches.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import os
import socket
from dataclasses import dataclass

import torch
import torch.distributed as dist

__all__ = [
    "asynchronous",
    "data_parallel",
    "get_rank",
    "get_world_size",
    "is_main_process",
    "pin_dask_workers_to_gpus",
]


class _TorchCollectives:
    """The collectives the engine needs, over torch.distributed's group."""

    def broadcast_object(self, value):
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def allreduce_mean(self, tensor):
        tensor = tensor.clone()
        dist.all_reduce(tensor)
        return tensor / dist.get_world_size()


class _MPICollectives:
    """The same collectives over MPI (mpi4py), and the gradient average that
    DDP does for torch.distributed: one ``Allreduce`` of all gradients,
    flattened into one buffer per dtype, after each backward pass."""

    def __init__(self, comm):
        self.comm = comm
        self.size = comm.Get_size()

    def broadcast_object(self, value):
        return self.comm.bcast(value, root=0)

    def _allreduce_(self, tensor):
        """Sum ``tensor`` over the processes, in place."""
        from mpi4py import MPI

        host = tensor.detach().cpu().contiguous()
        buf = host.numpy()
        self.comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
        if host.data_ptr() != tensor.data_ptr():
            tensor.copy_(host)

    def allreduce_mean(self, tensor):
        tensor = tensor.detach().clone()
        self._allreduce_(tensor)
        return tensor / self.size

    def broadcast_module(self, module):
        """Rank 0's parameters and buffers on every process (DDP does this
        when it wraps a module)."""
        with torch.no_grad():
            for t in [*module.parameters(), *module.buffers()]:
                host = t.detach().cpu().contiguous()
                self.comm.Bcast(host.numpy(), root=0)
                t.copy_(host)

    def average_gradients(self, params):
        """Replace every gradient by its mean over the processes."""
        grads = [p.grad for p in params if p.grad is not None]
        by_dtype = {}
        for g in grads:
            by_dtype.setdefault(g.dtype, []).append(g)
        for group in by_dtype.values():
            flat = torch.cat([g.reshape(-1) for g in group])
            self._allreduce_(flat)
            flat /= self.size
            offset = 0
            for g in group:
                n = g.numel()
                g.copy_(flat[offset : offset + n].view_as(g))
                offset += n


@dataclass(frozen=True)
class _Context:
    rank: int
    world_size: int
    local_rank: int
    backend: str
    collectives: object = None

    def broadcast_object(self, value):
        """Rank 0's ``value`` on every process."""
        return self.collectives.broadcast_object(value)

    def allreduce_mean(self, tensor):
        """The mean of ``tensor`` over the processes (a new tensor)."""
        return self.collectives.allreduce_mean(tensor)


_ACTIVE = []  # stack of _Context; the engine reads the top

# environment variables by which MPI launchers announce a process's rank and
# the number of processes: MPICH/Intel MPI (PMI), Open MPI, and Slurm's srun
_MPI_RANK_VARS = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK")
_MPI_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE")


def _active():
    """The data-parallel context of the current block, or None."""
    return _ACTIVE[-1] if _ACTIVE else None


def _mpi_env(names, default):
    """The first of the MPI launcher's variables ``names`` that is set."""
    for name in names:
        if name in os.environ:
            return os.environ[name]
    return default


def _mpi_world():
    """mpi4py's COMM_WORLD (mpi4py initializes MPI at import)."""
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise ImportError(
            "MPI training needs mpi4py and an MPI library: pip install "
            "'sklearn_mathdl[mpi]' (mpi4py and the mpich wheel)."
        ) from exc
    return MPI.COMM_WORLD


def _free_port():
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _torch_env_from_mpi():
    """Under ``mpirun`` (no ``torchrun`` variables): the rank, size and a
    rendezvous address for torch.distributed, agreed over MPI (rank 0 picks a
    free port and broadcasts its host and port)."""
    comm = _mpi_world()
    rank, size = comm.Get_rank(), comm.Get_size()
    address = None
    if rank == 0:
        address = (os.environ.get("MASTER_ADDR", socket.gethostname()), _free_port())
    host, port = comm.bcast(address, root=0)
    local = _mpi_env(("MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK"), 0)
    values = {
        "RANK": str(rank),
        "WORLD_SIZE": str(size),
        "LOCAL_RANK": str(local),
        "MASTER_ADDR": str(host),
        "MASTER_PORT": str(port),
    }
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield size
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


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
    if "RANK" in os.environ:
        return int(os.environ["RANK"])
    return int(_mpi_env(_MPI_RANK_VARS, 0))


def get_world_size():
    """Number of processes in the default process group (1 without one).

    Returns
    -------
    world_size : int
        ``torch.distributed.get_world_size()`` when a process group is
        initialized, else the ``WORLD_SIZE`` environment variable (``torchrun``),
        else the size an MPI launcher announces, else 1.

    Examples
    --------
    >>> from sklearn_mathdl.distributed import get_world_size
    >>> get_world_size()
    1
    """
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    if "WORLD_SIZE" in os.environ:
        return int(os.environ["WORLD_SIZE"])
    return int(_mpi_env(_MPI_SIZE_VARS, 1))


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
    """Train every estimator fitted inside the block data-parallel.

    Launch the script with ``torchrun --nproc_per_node=K script.py`` (one
    machine), ``torchrun --nnodes=M --node_rank=i --rdzv_endpoint=HOST:PORT
    ...`` on each of M machines, or ``mpirun -n K python script.py``. Every
    process runs the same script on the same data. Inside the block, ``fit``
    and ``partial_fit`` of any torch estimator of this package:

    - broadcast rank 0's seed and initial weights, so all processes start
      equal and shuffle identically;
    - split every mini-batch of ``batch_size`` rows (the *global* batch) into
      K nearly equal shards, one per process;
    - weight each shard's loss by its share of the batch, so that the
      average of the K gradients (an all-reduce) is exactly the gradient of
      the global batch: synchronous data-parallel SGD then takes the same
      steps as one process with ``batch_size`` rows, up to floating-point
      summation order;
    - record the all-reduced batch loss, so the loss curve, early stopping
      and the non-finite-loss check agree on every process.

    After the block every process holds an ordinary fitted estimator (the
    same weights on each) that pickles and predicts like any other; write
    files from rank 0 only (:func:`is_main_process`). Without a launcher (no
    ``WORLD_SIZE`` or MPI size in the environment, or a size of 1) the block
    does nothing, so the same script runs on a laptop.

    Parameters
    ----------
    backend : {"gloo", "nccl", "mpi"} or None, default=None
        How the processes communicate. ``"gloo"`` and ``"nccl"`` are
        torch.distributed's (DDP averages the gradients); None means
        ``"nccl"`` when CUDA is available, else ``"gloo"``. An already
        initialized group is used as it is (and left open). Under
        ``mpirun`` these backends still work: the processes agree on a
        rendezvous address over MPI, then talk through torch.distributed.
        ``"mpi"`` communicates through MPI itself (mpi4py, the extra
        ``mpi``): rank 0's weights reach the others by ``Bcast`` and the
        gradients are averaged by one ``Allreduce`` per backward pass, the
        scheme of the book's section 23.5 (it needs ``mpirun``; torch's CPU
        builds have no MPI backend of their own).

    Yields
    ------
    world_size : int
        The number of processes training together (1 without a launcher).

    Notes
    -----
    With ``device="cuda"`` each process trains on ``cuda:LOCAL_RANK``. Batch
    normalization normalizes each shard by its own statistics during
    training (DDP's default), so with batch norm the equivalence with the
    global batch is approximate; the running statistics kept for inference
    are recomputed over the whole training set at the end of ``fit`` and
    are the same on every process. Dropout masks differ between processes.
    The "mpi" backend moves gradients through host memory (MPI buffers are
    NumPy arrays), so on GPUs "nccl" is the faster choice.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn_mathdl import MLPRegressor
    >>> from sklearn_mathdl.distributed import data_parallel, is_main_process
    >>> X, y = load_diabetes(return_X_y=True)
    >>> with data_parallel() as world_size:  # 1 here; K under torchrun/mpirun
    ...     reg = MLPRegressor(max_iter=5, random_state=0).fit(X, y)
    >>> is_main_process()
    True
    """
    if _active_async() is not None:
        raise ValueError(
            "data_parallel() cannot be nested in asynchronous(): choose "
            "synchronous data-parallel or asynchronous training."
        )
    if backend not in (None, "gloo", "nccl", "mpi"):
        raise ValueError(
            f"backend={backend!r}; expected 'gloo', 'nccl', 'mpi' or None."
        )
    if backend == "mpi":
        with _mpi_context() as world_size:
            yield world_size
        return
    if (
        not (dist.is_available() and dist.is_initialized())
        and "WORLD_SIZE" not in os.environ
        and int(_mpi_env(_MPI_SIZE_VARS, 1)) > 1
    ):
        with _torch_env_from_mpi():  # mpirun as the launcher
            with _torch_context(backend) as world_size:
                yield world_size
        return
    with _torch_context(backend) as world_size:
        yield world_size


@contextlib.contextmanager
def _pushed(context):
    _ACTIVE.append(context)
    try:
        yield context.world_size
    finally:
        _ACTIVE.pop()


@contextlib.contextmanager
def _mpi_context():
    comm = _mpi_world()
    if comm.Get_size() <= 1:
        yield 1
        return
    context = _Context(
        rank=comm.Get_rank(),
        world_size=comm.Get_size(),
        local_rank=int(_mpi_env(("MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK"), 0)),
        backend="mpi",
        collectives=_MPICollectives(comm),
    )
    with _pushed(context) as world_size:
        yield world_size


@contextlib.contextmanager
def _torch_context(backend):
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
        collectives=_TorchCollectives(),
    )
    try:
        with _pushed(context) as size:
            yield size
    finally:
        if created:
            dist.destroy_process_group()


@dataclass(frozen=True)
class _AsyncContext:
    n_workers: int
    threads_per_worker: int


_ASYNC = []  # stack of _AsyncContext; the engine reads the top


def _active_async():
    """The asynchronous-training context of the current block, or None."""
    return _ASYNC[-1] if _ASYNC else None


@contextlib.contextmanager
def asynchronous(n_workers=2, *, threads_per_worker=None):
    """Train every estimator fitted inside the block by asynchronous SGD.

    Asynchronous gradient descent (book, section 23.3) on one machine, the
    lock-free shared-memory scheme of Hogwild (Niu, Recht, Re and Wright
    2011): the module's weights move to shared memory, ``n_workers`` worker
    processes (forked with :mod:`torch.multiprocessing`'s start method
    "fork") each take their own share of every epoch's mini-batches, compute
    a gradient at the weights as they read them and apply their optimizer's
    update in place, without waiting for the others and without locks. A
    worker's gradient is therefore *stale*: the weights it was computed at
    may have been changed by the other workers' updates before its own
    update lands. The staleness of every update is measured (a shared
    counter of updates, read when the worker reads the weights and when its
    update is applied) and left on the estimator as ``staleness_``.

    Synchronous data-parallel training (:func:`data_parallel`) waits at
    every step for the slowest process and all-reduces the gradients; here
    nobody waits, so a worker slowed by a busy core costs nothing but
    staleness. Shared memory was chosen over a torch.distributed RPC
    parameter server because on one machine the workers can read and write
    the weights directly: a parameter server would copy the whole gradient
    and the whole weight vector through sockets at every step, which for
    the small networks this package trains costs more than the step itself.

    Inside the block, ``fit`` (and ``partial_fit``) of the torch estimators
    with one optimizer trains this way. Each epoch still visits every
    mini-batch once: the epoch's shuffled batches are dealt round-robin to
    the workers (batch ``j`` to worker ``j mod n_workers``). Between epochs
    the workers wait, so the loss curve, early stopping, the learning-rate
    schedules and the stopping rule work as in a one-process fit. Each
    worker keeps its own optimizer state (Adam's moments, momentum) and
    draws its own dropout masks.

    Parameters
    ----------
    n_workers : int, default=2
        Worker processes updating the shared weights.
    threads_per_worker : int or None, default=None
        Torch threads of each worker; None divides the CPU cores among
        the workers (at least 1 each).

    Yields
    ------
    n_workers : int

    Notes
    -----
    Asynchronous updates make a fit depend on how the operating system
    schedules the workers: ``random_state`` fixes the initial weights, the
    shuffling and the dropout masks, not the order in which updates
    interleave, so two fits agree only approximately. With one worker the
    fit takes the steps of a one-process fit (staleness 0). Full-batch
    optimizers (L-BFGS, Newton) have no mini-batches to share out:
    ``optimizer="auto"`` picks Adam in the block, and an explicit
    ``optimizer="lbfgs"`` is refused, as are the two-player GANs. The
    optimizer state the workers built stays with them: a warm-started fit
    after the block restarts from the state before it. Needs the "fork"
    start method (Linux; on macOS and Windows the block raises).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn_mathdl import MLPRegressor
    >>> from sklearn_mathdl.distributed import asynchronous
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = (X - X.mean(0)) / X.std(0)
    >>> with asynchronous(n_workers=2, threads_per_worker=1):
    ...     reg = MLPRegressor(max_iter=20, random_state=0).fit(X, y)
    >>> reg.staleness_.shape == (reg.n_iter_ * 3,)  # 3 batches an epoch
    True
    >>> bool(reg.staleness_.max() <= 10)
    True
    """
    import multiprocessing
    import numbers

    if (
        not isinstance(n_workers, numbers.Integral)
        or isinstance(n_workers, bool)
        or n_workers < 1
    ):
        raise ValueError(f"n_workers must be an integer >= 1; got {n_workers!r}.")
    if threads_per_worker is None:
        threads_per_worker = max(1, (os.cpu_count() or 1) // int(n_workers))
    elif (
        not isinstance(threads_per_worker, numbers.Integral)
        or isinstance(threads_per_worker, bool)
        or threads_per_worker < 1
    ):
        raise ValueError(
            f"threads_per_worker must be an integer >= 1 or None; got "
            f"{threads_per_worker!r}."
        )
    if "fork" not in multiprocessing.get_all_start_methods():
        raise RuntimeError(
            "asynchronous() needs the 'fork' start method of multiprocessing, "
            "which this platform does not have."
        )
    if _active() is not None:
        raise ValueError(
            "asynchronous() cannot be nested in data_parallel(): choose "
            "synchronous data-parallel or asynchronous training."
        )
    _ASYNC.append(_AsyncContext(int(n_workers), int(threads_per_worker)))
    try:
        yield int(n_workers)
    finally:
        _ASYNC.pop()


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
