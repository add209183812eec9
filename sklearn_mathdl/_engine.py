"""Private training machinery composed around skorch: data, iterator, net, callbacks."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import importlib
import math
import signal
import threading
from dataclasses import dataclass

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from torch.optim import optimizer as _torch_optimizer

from sklearn_mathdl import _analytic
from sklearn_mathdl._modules._mlp import sparse_from_scipy


@contextlib.contextmanager
def _sigint_deferred():
    """Hold a Ctrl-C (SIGINT) until the block ends, then deliver it.

    Only the main thread receives signals; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    try:
        previous = signal.signal(
            signal.SIGINT, lambda signum, frame: received.append(1)
        )
    except ValueError:  # not the main interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            if callable(previous) and previous is not signal.default_int_handler:
                previous(signal.SIGINT, None)
            else:
                raise KeyboardInterrupt(
                    "Interrupted before training started; nothing was changed."
                )


_WARM_OPTIMIZERS = set()


def _warm_up_optimizer(cls, kwargs, device):
    """Take one step of a throw-away optimizer of this kind, once per process.

    Whatever a kind imports at its first step is imported here, with Ctrl-C
    held until it has finished: a Ctrl-C in the middle of torch's import of
    torch._dynamo and sympy (about 800 modules) leaves sympy half-imported and
    every later fit in the process failing. Our optimizers (``_eager``) no
    longer import it; a kind whose steps import more than its throw-away step
    reaches names those modules in ``_first_step_imports``.
    """
    kwargs = {k: v for k, v in kwargs.items() if k != "param_groups"}
    key = (cls, repr(sorted(kwargs.items())), device.type)
    if key in _WARM_OPTIMIZERS:
        return
    with _sigint_deferred():
        param = torch.nn.Parameter(torch.zeros(2, device=device))
        optimizer = cls([param], **{"lr": 1e-3, **kwargs})

        def closure():  # L-BFGS evaluates the loss itself
            param.grad = torch.ones_like(param)
            return param.detach().sum()

        optimizer.step(closure)
        for module in getattr(cls, "_first_step_imports", ()):
            importlib.import_module(module)
    _WARM_OPTIMIZERS.add(key)


# torch.optim guards four Optimizer methods with ``torch._disable_dynamo`` and
# the optimizers' ``step`` with ``_use_grad_for_differentiable``; both import
# torch._dynamo, and with it sympy (about 800 modules, 1.4 s), at their first
# call, in eager mode too: a process's first fit took 1.5 s where the next takes
# 0.05 s (a default MLPClassifier on 100 x 4 rows). Our optimizers are built and
# stepped by the engine and never compiled, so ``_eager`` subclasses them with
# those methods as written: the same arithmetic, no import. Found by the
# wrappers' code objects, so that a torch whose wrappers differ keeps its own
# methods (and their import).
_DYNAMO_GUARD_CODE = torch._disable_dynamo(lambda: None).__code__
_USE_GRAD_CODE = _torch_optimizer._use_grad_for_differentiable(
    lambda self: None
).__code__


def _unwrapped(method, code):
    """The function that ``method``'s wrapper with ``code`` wraps, or None."""
    while method is not None and getattr(method, "__code__", None) is not code:
        method = getattr(method, "__wrapped__", None)
    return None if method is None else method.__wrapped__


def _eager(cls):
    """``cls``, a torch optimizer, without torch._dynamo's eager-mode guards."""
    name = f"_Eager{cls.__name__}"
    namespace = {
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"``{cls.__module__}.{cls.__qualname__}`` run eagerly "
        "(see ``_eager``).",
    }
    for method in ("add_param_group", "zero_grad", "state_dict", "load_state_dict"):
        raw = _unwrapped(getattr(cls, method), _DYNAMO_GUARD_CODE)
        if raw is not None:
            namespace[method] = raw
    raw_step = _unwrapped(getattr(cls, "step", None), _USE_GRAD_CODE)
    if raw_step is not None:

        def step(self, *args, **kwargs):
            # what _use_grad_for_differentiable does, but its graph breaks
            with torch.set_grad_enabled(self.defaults["differentiable"]):
                return raw_step(self, *args, **kwargs)

        step.__doc__ = raw_step.__doc__
        namespace["step"] = step
    eager = type(name, (cls,), namespace)
    eager.__name__ = cls.__name__  # in messages and reprs: torch's name
    return eager


_EagerSGD = _eager(torch.optim.SGD)
_EagerAdam = _eager(torch.optim.Adam)
_EagerAdamW = _eager(torch.optim.AdamW)
_EagerAdamax = _eager(torch.optim.Adamax)
_EagerRMSprop = _eager(torch.optim.RMSprop)
_EagerAdagrad = _eager(torch.optim.Adagrad)
_EagerLBFGS = _eager(torch.optim.LBFGS)
_EagerOptimizer = _eager(torch.optim.Optimizer)


class _StopTraining(KeyboardInterrupt):
    """Raised by our callbacks to end training; skorch stops on KeyboardInterrupt."""


class _NonFiniteLossError(ValueError):
    """A training loss became NaN or infinite."""


def _take(data, index):
    """Index a tensor, or every tensor of a tuple/dict, along the first axis."""
    if isinstance(data, torch.Tensor):
        return data[index]
    if isinstance(data, dict):
        return {k: _take(v, index) for k, v in data.items()}
    if isinstance(data, (tuple, list)):
        return type(data)(_take(v, index) for v in data)
    raise TypeError(f"Cannot index data of type {type(data).__name__}.")


def _first_len(data):
    if isinstance(data, dict):
        data = next(iter(data.values()))
    elif isinstance(data, (tuple, list)):
        data = data[0]
    return len(data)


class _TensorDataset(torch.utils.data.Dataset):
    """Whole in-memory tensors (already on the training device).

    ``X`` is a tensor (or a tuple/dict of tensors); ``y`` is a tensor; ``w`` is
    a tensor of sample weights, or None when all weights are equal (the loss is
    then a plain mean, which saves three tensor ops per batch).
    """

    def __init__(self, X, y, w):
        self.X = X
        self.y = y
        self.w = w

    def __len__(self):
        return _first_len(self.X)

    def __getitem__(self, i):
        return _take(self.X, i), (self.y[i], None if self.w is None else self.w[i])

    def subset(self, index):
        w = None if self.w is None else self.w[index]
        return _TensorDataset(_take(self.X, index), self.y[index], w)

    def batch(self, index):
        """Model input of the rows ``index`` (a tensor or a slice)."""
        return _take(self.X, index)


# Rows per read when a lazily sliced array is checked in a streaming pass.
_STREAM_BLOCK_BYTES = 64 * 2**20


def _block_rows(X):
    """Rows per block so that one block of X holds about 64 MiB."""
    row_bytes = max(1, int(np.prod(X.shape[1:])) * np.dtype(X.dtype).itemsize)
    return max(1, _STREAM_BLOCK_BYTES // row_bytes)


class _LazyDataset(torch.utils.data.Dataset):
    """Rows of an array that slices lazily (a memmap, h5py, zarr, dask array).

    Only ``y`` and the weights live on the device; each batch's rows are read
    from ``X`` when the iterator asks for them (``fetch``), converted to
    float32, passed through ``prepare`` (the estimator's ``_prepare_X``) and
    moved to the device. Reads gather rows in increasing order (what h5py
    needs, and the order a disk likes) and restore the batch's order after,
    so a batch holds exactly the rows it would hold in memory: training on a
    memmap gives the same model as training on the loaded array.
    """

    def __init__(self, X, y, w, *, prepare, device, rows=None):
        self.X = X
        self.y = y
        self.w = w
        self.prepare = prepare
        self.device = device
        self.rows = rows  # positions in X (np.ndarray), or None for all

    def __len__(self):
        return len(self.y)

    def subset(self, index):
        index = index.cpu().numpy() if isinstance(index, torch.Tensor) else index
        rows = index if self.rows is None else self.rows[index]
        w = None if self.w is None else self.w[torch.as_tensor(index)]
        return type(self)(
            self.X,
            self.y[torch.as_tensor(index, device=self.y.device)],
            w,
            prepare=self.prepare,
            device=self.device,
            rows=np.asarray(rows),
        )

    def _positions(self, index):
        """Positions in X of the rows ``index`` (a slice, tensor or array)."""
        if isinstance(index, slice):
            index = np.arange(index.start, index.stop)
        elif isinstance(index, torch.Tensor):
            index = index.cpu().numpy()
        return index if self.rows is None else self.rows[index]

    def fetch(self, index):
        """The model input of rows ``index`` (positions in this dataset)."""
        if isinstance(index, slice) and self.rows is None:
            block = self.X[index]
        else:
            rows = self._positions(index)
            order = np.argsort(rows, kind="stable")
            sorted_rows = rows[order]
            lo, hi = int(sorted_rows[0]), int(sorted_rows[-1]) + 1
            if hi - lo == len(rows):  # contiguous: one slice
                block = np.asarray(self.X[lo:hi])
            else:
                block = np.asarray(self.X[sorted_rows])
            inverse = np.empty_like(order)
            inverse[order] = np.arange(len(order))
            block = block[inverse]
        block = np.ascontiguousarray(block, dtype=np.float32)
        return torch.from_numpy(self.prepare(block)).to(self.device)

    batch = fetch


class _SparseDataset(_LazyDataset):
    """Rows of a scipy CSR matrix, one batch at a time.

    The matrix stays sparse in memory; each batch's rows are gathered (CSR row
    indexing, in any order). With ``sparse_batches`` (set by the estimator for
    a module whose first layer multiplies sparse input, the MLPs') a batch is
    a torch sparse COO tensor and the first layer's product costs what its
    non-zeros do; otherwise it is made dense float32, passed through
    ``prepare`` and moved to the device. Either way a 100,000 x 50,000 TF-IDF
    matrix whose dense form is 20 GB trains in the memory of its non-zeros
    plus one batch.
    """

    sparse_batches = False

    def subset(self, index):
        out = super().subset(index)
        out.sparse_batches = self.sparse_batches
        return out

    def fetch(self, index):
        block = self.X[self._positions(index)]
        if self.sparse_batches:
            return sparse_from_scipy(block, self.device)
        block = block.toarray().astype(np.float32, copy=False)
        return torch.from_numpy(self.prepare(block)).to(self.device)

    batch = fetch


def _prefetched(fetch, items):
    """Yield ``fetch(item)`` for each item, reading the next one in a thread.

    Reading a batch from disk overlaps with the forward/backward pass of the
    previous one.
    """
    from concurrent.futures import ThreadPoolExecutor

    items = list(items)
    if not items:
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(fetch, items[0][0])
        for i, (_, rest) in enumerate(items):
            X = future.result()
            if i + 1 < len(items):
                future = pool.submit(fetch, items[i + 1][0])
            yield X, rest


def _batch_bounds(n, batch_size):
    """Start/stop pairs covering ``range(n)``; never a last batch of one row.

    A batch of a single row breaks batch normalization in training mode, so a
    trailing single row is merged into the previous batch.
    """
    starts = list(range(0, n, batch_size))
    stops = [min(s + batch_size, n) for s in starts]
    if len(starts) > 1 and stops[-1] - starts[-1] == 1:
        starts.pop()
        stops.pop()
        stops[-1] = n
    return list(zip(starts, stops, strict=False))


class _TensorBatchIterator:
    """Yield mini-batches by slicing whole tensors, not row by row.

    skorch's default DataLoader calls ``Dataset.__getitem__`` and
    ``default_collate`` once per row, which is most of its training overhead on
    in-memory data. Slicing (or gathering by a permutation) costs one indexing
    call per batch. ``generator`` drives the shuffling so that it is seeded
    independently of the global torch RNG and continues across epochs.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None, shard=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.shard = shard
        # (k, K): only every K-th batch from the k-th (an asynchronous worker)
        self.select = None

    def __len__(self):
        return len(_batch_bounds(len(self.dataset), self.batch_size))

    def __iter__(self):
        ds = self.dataset
        X, y, w = ds.X, ds.y, ds.w
        take = (lambda a, i: a[i]) if isinstance(X, torch.Tensor) else _take
        bounds = _batch_bounds(len(ds), self.batch_size)
        if self.shuffle and len(bounds) > 1:
            perm = torch.randperm(len(ds), generator=self.generator).to(y.device)
            index = [perm[start:stop] for start, stop in bounds]
        else:
            index = [slice(start, stop) for start, stop in bounds]
        if self.select is not None:
            k, n_workers = self.select
            index = index[k::n_workers]
        if isinstance(ds, _LazyDataset):
            # batches read from the lazy array, one read ahead
            items = (
                _sharded(None, y, w, index, *self.shard, lambda _, i: i)
                if (self.shard is not None)
                else ((i, (y[i], None if w is None else w[i])) for i in index)
            )
            yield from _prefetched(ds.fetch, items)
            return
        if self.shard is not None:
            yield from _sharded(X, y, w, index, *self.shard, take)
            return
        for idx in index:
            yield take(X, idx), (y[idx], None if w is None else w[idx])


def _sharded(X, y, w, index, rank, world_size, take):
    """This process's shard of every global batch, for data-parallel training.

    The target tuple carries ``(y, w, n_global, w_global)``, the weights
    scaled to ``K w_i / sum of the global batch's weights`` for K processes:
    each process's loss is K times its share of the global batch's weighted
    mean, and DDP's average of the K gradients is the global batch's gradient.
    Penalties (divided by the global batch's weight, ``w_global``) are added
    once per process and survive the average unchanged.
    """
    for idx in index:
        if isinstance(idx, slice):
            idx = torch.arange(idx.start, idx.stop, device=y.device)
        n_global = len(idx)
        local = torch.tensor_split(idx, world_size)[rank]
        if w is None:
            w_local = torch.full((len(local),), world_size / n_global, device=y.device)
            w_global = n_global
        else:
            w_global = w[idx].sum()
            w_local = w[local] * (world_size / w_global)
        yield take(X, local), (y[local], w_local, n_global, w_global)


class _IndexSplit:
    """skorch ``train_split`` returning fixed train/validation index sets."""

    def __init__(self, train_index, valid_index):
        self.train_index = train_index
        self.valid_index = valid_index

    def __call__(self, dataset, y=None, **fit_params):
        return dataset.subset(self.train_index), dataset.subset(self.valid_index)


def _batch_rows(target):
    """Rows of a batch: of its (y, w), or the global ones of a DDP shard's
    (y, w, global rows, global weight)."""
    return target[2] if len(target) == 4 else len(target[0])


def _batch_weight(target):
    """What the penalties of a batch divide by, as scikit-learn's MLP: the
    sum of its sample weights (its rows without weights), the global batch's
    for a DDP shard. Weighted rows then act as repeated rows."""
    if len(target) == 4:
        return target[3]
    w = target[1]
    return len(target[0]) if w is None else w.sum()


def _add_scaled(total, value, coef, weight):
    """``total + coef * value / weight`` in one call when ``weight`` is a
    number (a tensor weight, the batch's sample weights, stays on the device)."""
    if isinstance(weight, torch.Tensor):
        return total + value * coef / weight
    return torch.add(total, value, alpha=coef / weight)


def _fused_adam_step(optimizer):
    """``optimizer.step()`` for torch's fused Adam/AdamW, without its wrapper.

    torch's ``step()`` spends about 80 us a call on a small network in Python
    (profiling and hook wrappers, the walk that builds its state lists) around
    a fused kernel of about 15 us. This calls the same kernel on the same
    state, so the update is identical to the last bit (``tests/test_analytic.py``);
    it declines (returns False, and ``step()`` runs) for the first step, which
    creates the state, and for anything it does not mirror: hooks, AMSGrad,
    maximize, capturable or differentiable groups, a tensor learning rate,
    gradient scaling, a parameter without a gradient.
    """
    if type(optimizer) not in (
        _EagerAdam,
        _EagerAdamW,
        torch.optim.Adam,
        torch.optim.AdamW,
    ):
        return False
    if (
        optimizer._optimizer_step_pre_hooks
        or optimizer._optimizer_step_post_hooks
        or _torch_optimizer._global_optimizer_pre_hooks
        or _torch_optimizer._global_optimizer_post_hooks
        or getattr(optimizer, "grad_scale", None) is not None
        or getattr(optimizer, "found_inf", None) is not None
    ):
        return False
    plan = optimizer.__dict__.get("_fused_plan")
    if plan is None or plan[0] is not optimizer.state:
        plan = _fused_adam_plan(optimizer)
        if plan is None:
            return False
        optimizer.__dict__["_fused_plan"] = plan  # not in the optimizer's state
    groups = plan[1]
    grads = []
    for group, params, *_ in groups:
        if torch.is_tensor(group["lr"]):
            return False
        g = [p.grad for p in params]
        if any(x is None for x in g):
            return False
        for i, (p, x) in enumerate(zip(params, g, strict=True)):
            if x.stride() != p.stride():  # the kernel assumes one layout
                _analytic.set_grad(p, x)
                g[i] = p.grad
        grads.append([_kernel_view(x) for x in g])
    with torch.no_grad():
        for (group, _, views, avgs, squares, steps, kernel), g in zip(
            groups, grads, strict=True
        ):
            torch._foreach_add_(steps, 1)
            beta1, beta2 = group["betas"]
            kernel(
                views,
                g,
                avgs,
                squares,
                [],
                steps,
                amsgrad=False,
                lr=group["lr"],
                beta1=beta1,
                beta2=beta2,
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                maximize=False,
                grad_scale=None,
                found_inf=None,
            )
    return True


def _kernel_view(t):
    """``t``, or for an input-major matrix (its transpose contiguous) that
    transpose: the fused kernel's element-wise update takes a contiguous
    tensor about three times faster (50,000 x 100: 16 -> 5 ms)."""
    if t.dim() == 2 and not t.is_contiguous() and t.T.is_contiguous():
        return t.T
    return t


def _fused_adam_plan(optimizer):
    """(state, [(group, params, their kernel views, exp_avgs, exp_avg_sqs,
    steps, kernel)]) for :func:`_fused_adam_step`, or None where it must
    decline (the state tensors as kernel views: :func:`_kernel_view`)."""
    groups = []
    for group in optimizer.param_groups:
        if (
            not group.get("fused")
            or group["amsgrad"]
            or group["maximize"]
            or group["capturable"]
            or group["differentiable"]
        ):
            return None
        params = list(group["params"])
        states = [optimizer.state.get(p) for p in params]
        if not params or not all(states):
            return None  # the first step creates the state
        if any(p.grad is None or p.grad.is_sparse for p in params):
            return None
        kernel = (
            torch._fused_adamw_
            if group.get("decoupled_weight_decay", False)
            else torch._fused_adam_
        )
        groups.append(
            (
                group,
                params,
                [_kernel_view(p) for p in params],
                [_kernel_view(st["exp_avg"]) for st in states],
                [_kernel_view(st["exp_avg_sq"]) for st in states],
                [st["step"] for st in states],
                kernel,
            )
        )
    return optimizer.state, groups


class NewtonOptimizer(_EagerOptimizer):
    """Holder of Newton's method's state (``optimizer="newton"``).

    A Newton step needs the Hessian of the loss as a function of the
    parameters, which torch's closure protocol does not give; the net takes
    the steps itself (``_SkorchNet._newton_step``) and keeps the float64
    iterate here. ``step`` only evaluates the closure.
    """

    # the Hessian (torch.func) imports torch._dynamo at its first call, which
    # the throw-away step of ``_warm_up_optimizer`` does not reach
    _first_step_imports = ("torch._dynamo",)

    def __init__(self, params, lr=1.0):
        super().__init__(params, {"lr": lr})

    def step(self, closure=None):
        return None if closure is None else closure()


def _as_float64(target):
    """The target tuple with its floating tensors in float64."""
    return tuple(
        t.double() if isinstance(t, torch.Tensor) and t.is_floating_point() else t
        for t in target
    )


# Newton: Armijo's sufficient-decrease constant and the most step halvings
_ARMIJO, _MAX_HALVINGS = 1e-4, 40


@dataclass
class _SecondPlayer:
    """The other player of a two-player family (a GAN's discriminator): the
    submodule of the net's module that it owns, and its optimizer's class,
    keyword arguments and first learning rate. Its parameters are left out of
    the net's ``optimizer_`` and trained by ``second_optimizer_``."""

    attr: str
    optimizer: type
    kwargs: dict
    lr: float


class _SkorchNet(NeuralNet):
    """skorch net with a sample-weighted loss, L1/L2 penalties and clean stopping.

    Private: estimators compose it; users never see it. The penalties follow
    scikit-learn's MLP convention, ``0.5 * alpha * ||W||^2 / batch_weight`` (and
    ``l1_alpha * ||W||_1 / batch_weight``; ``batch_weight`` is the batch's sum of
    sample weights, its rows without them), applied to weight matrices and kernels
    only, never to biases or normalization parameters.
    """

    # Set by the estimator before ``initialize()``: a second player with its
    # own optimizer (None: one player), and a family's own training step, a
    # picklable callable ``step(net, X, target) -> {"loss", "data_loss",
    # "y_pred"}`` (None: the one-player step of ``train_step``).
    _second_player = None
    _step = None

    def _second_params(self):
        return list(getattr(self.module_, self._second_player.attr).parameters())

    def get_all_learnable_params(self):
        """The first player's parameters (all of them with one player)."""
        if self._second_player is None:
            yield from super().get_all_learnable_params()
            return
        skip = {id(p) for p in self._second_params()}
        for name, p in super().get_all_learnable_params():
            if id(p) not in skip:
                yield name, p

    def initialize_optimizer(self, triggered_directly=None):
        super().initialize_optimizer()
        second = self._second_player
        if second is not None:
            self.second_optimizer_ = second.optimizer(
                self._second_params(), lr=second.lr, **second.kwargs
            )
            # the schedule scales every group's step by its factor: the second
            # player's follows the schedule from its own first step
            for group in self.second_optimizer_.param_groups:
                group["lr_factor"] = second.lr / self.lr
        return self

    def optimizers(self):
        """The optimizers of the players, the first player's first."""
        if self._second_player is None:
            return [self.optimizer_]
        return [self.optimizer_, self.second_optimizer_]

    def configure(self, *, l2=0.0, l1=0.0, reduce_per_sample=None, max_grad_norm=None):
        self._max_grad_norm = max_grad_norm
        self._l2 = float(l2)
        self._l1 = float(l1)
        self._reduce_per_sample = reduce_per_sample
        self._interrupted = False
        self._penalized = [p for p in self.module_.parameters() if p.ndim >= 2]
        self._ddp = None
        self._dp = None
        self._async = None
        self.configure_lbfgs(None)
        return self

    def configure_lbfgs(self, max_fun):
        """Budget of loss evaluations for L-BFGS (None: another optimizer)."""
        self._max_fun = max_fun
        self._lbfgs_exhausted = False
        self._fun_base = self._lbfgs_evals() if max_fun is not None else 0

    def _lbfgs_state(self):
        """torch's L-BFGS keeps its whole state under the first parameter."""
        optimizer = self.optimizer_
        return optimizer.state[optimizer._params[0]]

    def _lbfgs_evals(self):
        """Loss evaluations of the L-BFGS optimizer so far (torch counts them)."""
        return self._lbfgs_state().get("func_evals", 0)

    def data_parallel(self, context, device):
        """Set up one data-parallel fit (None: back to one process).

        torch.distributed's backends wrap the module in DDP, which
        broadcasts rank 0's weights and averages the gradients during the
        backward pass; the "mpi" backend broadcasts the weights here and
        averages the gradients after each backward pass
        (``_MPICollectives.average_gradients``).
        """
        self._dp = context
        if context is None:
            self._ddp = None
            self.iterator_train__shard = None
            return
        self.iterator_train__shard = (context.rank, context.world_size)
        if context.backend == "mpi":
            context.collectives.broadcast_module(self.module_)
            return
        from torch.nn.parallel import DistributedDataParallel

        device_ids = [device.index] if device.type == "cuda" else None
        ddp = DistributedDataParallel(self.module_, device_ids=device_ids)
        # skorch refuses modules set outside initialize(); this one is
        # transient (dropped after the fit) and shares module_'s parameters
        object.__setattr__(self, "_ddp", ddp)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The data term of the loss (the penalties enter in ``train_step``)."""
        y, w = y_true[0], y_true[1]
        per_sample = self.criterion_(y_pred, y)
        if self._reduce_per_sample is not None:
            per_sample = self._reduce_per_sample(per_sample)
        if len(y_true) == 4:
            # a data-parallel shard: weights already divide by the global sum
            if per_sample.ndim > 1:
                per_sample = per_sample.reshape(per_sample.shape[0], -1).mean(dim=1)
            loss = (per_sample * w).sum()
        elif w is None:
            # every row has the same number of terms: one mean over all
            loss = per_sample.mean()
        else:
            if per_sample.ndim > 1:
                per_sample = per_sample.reshape(per_sample.shape[0], -1).mean(dim=1)
            loss = (per_sample * w).sum() / w.sum()
        return loss

    def _add_penalties(self, loss, weight, params=None):
        """Add the L1/L2 penalties' gradients to the weights' gradients.

        The gradient of ``0.5 * l2 * ||W||^2 / weight + l1 * ||W||_1 / weight``
        (``weight``: the batch's rows, or its sum of sample weights as a
        tensor, read without a host sync) is added by multi-tensor calls
        instead of building the penalty in the autograd graph; the returned
        (reported) loss includes its value, computed without gradients.
        ``params`` restricts the penalties to those parameters (one player's).
        """
        if params is not None:
            keep = {id(p) for p in params}
            params = [p for p in self._penalized if id(p) in keep]
        else:
            params = self._penalized
        params = [p for p in params if p.grad is not None]
        if not params:
            return loss
        grads = [p.grad for p in params]
        on_device = isinstance(weight, torch.Tensor)

        def add(terms, coef):
            if on_device:  # a 0-d tensor factor: no host sync
                torch._foreach_add_(grads, torch._foreach_mul(terms, coef / weight))
            else:
                torch._foreach_add_(grads, terms, alpha=coef / weight)

        total = loss.detach()
        with torch.no_grad():
            if self._l2 > 0:
                add(params, self._l2)
                norms = torch.stack(torch._foreach_norm(params))
                total = _add_scaled(
                    total, torch.dot(norms, norms), 0.5 * self._l2, weight
                )
            if self._l1 > 0:
                add(torch._foreach_sign(params), self._l1)
                norms = torch.stack(torch._foreach_norm(params, 1)).sum()
                total = _add_scaled(total, norms, self._l1, weight)
        return total

    # skorch's per-batch path sets train/eval mode on every module, notifies
    # every callback, records two history entries and reads the loss back to
    # the host at each step, and steps the optimizer through a closure: about
    # 2x a hand-written loop on small nets. These overrides keep its callbacks
    # (epoch hooks, and batch hooks where a callback has one) and its epoch
    # history, and do the rest once per epoch.
    def _batch_hooks(self, name):
        """Bound ``name`` hooks of the callbacks that define one."""
        base = getattr(Callback, name)
        return [
            getattr(cb, name)
            for _, cb in self.callbacks_
            if getattr(type(cb), name) is not base
        ]

    def asynchronous(self, context, seed=0):
        """Train the next fit's epochs by asynchronous workers (``context``
        from :func:`~sklearn_mathdl.distributed.asynchronous`; None: in this
        process). Returns the staleness of the finished fit's updates (None
        when it was not asynchronous)."""
        pool = getattr(self, "_async_pool", None)
        stale = None
        if pool is not None:
            stale = pool.close()
        object.__setattr__(self, "_async_pool", None)
        self._async = context
        self._async_seed = seed
        return stale

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """One pass over ``iterator``: the per-batch work, then the epoch record.

        Only the callbacks that define a batch hook are called per batch; the
        batch losses stay on the device until the epoch ends (one transfer an
        epoch, no host sync per step); the epoch's loss is the mean of the
        batch losses weighted by batch rows, as skorch's ``PassthroughScoring``
        records it. Inside ``asynchronous()`` the training batches are the
        workers' (``_async_batches``).
        """
        if iterator is None:
            return
        if training and getattr(self, "_async", None) is not None:
            losses, data_losses, rows = self._async_batches(iterator)
        else:
            losses, data_losses, rows = self._batches(iterator, training, step_fn)
        self._record_epoch(prefix, training, losses, data_losses, rows)

    def _set_training(self, training=True):
        """skorch's ``_set_training``, skipping the ``train()`` walk over the
        submodules when every one of them is in the asked mode already (each
        epoch asks for the mode of the one before it)."""
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and any(
                m.training != training for m in self._submodules(module)
            ):
                module.train(training)

    def _submodules(self, module):
        """``module.modules()`` as a list, listed once per fit call (and
        again for any other module object)."""
        cache = getattr(self, "_submodule_cache", None) or []
        for owner, listed in cache:
            if owner is module:
                return listed
        listed = list(module.modules())
        object.__setattr__(self, "_submodule_cache", [*cache, (module, listed)])
        return listed

    def _batches(self, iterator, training, step_fn):
        """Run the steps of one epoch here: (losses, data losses, rows)."""
        self._set_training(training)
        begin = self._batch_hooks("on_batch_begin")
        end = self._batch_hooks("on_batch_end")
        losses, data_losses, rows = [], [], []
        for batch in iterator:
            for hook in begin:
                hook(self, batch=batch, training=training)
            step = step_fn(batch)
            losses.append(step["loss"].detach())
            if training:
                data_losses.append(step["data_loss"])
            rows.append(_batch_rows(batch[1]))
            for hook in end:
                hook(self, batch=batch, training=training, **step)
        return losses, data_losses, rows

    def _async_batches(self, iterator):
        """One epoch by the asynchronous workers, forked at the first one."""
        from sklearn_mathdl._async import HogwildPool

        pool = getattr(self, "_async_pool", None)
        if pool is None:
            pool = HogwildPool(self, iterator, self._async, self._async_seed)
            object.__setattr__(self, "_async_pool", pool)
        losses, data_losses, rows = pool.run_epoch(self)
        as_tensors = [torch.tensor(v, dtype=torch.float64) for v in losses]
        data = [torch.tensor(v, dtype=torch.float64) for v in data_losses]
        return as_tensors, data, rows

    def _record_epoch(self, prefix, training, losses, data_losses, rows):
        """The epoch's batch count and row-weighted mean losses in history."""
        history = self.history
        history.record(prefix + "_batch_count", len(losses))
        if not losses:
            return
        if len(losses) == 1 and not (training and len(data_losses) != 1):
            self._record_one_batch(prefix, training, losses[0], data_losses)
            return
        values = torch.stack(losses).to("cpu", torch.float64)
        weights = torch.tensor(rows, dtype=torch.float64)
        epoch_loss = float((values * weights).sum() / weights.sum())
        if training and not math.isfinite(epoch_loss):
            raise self._diverged(values[~torch.isfinite(values)][0].item())
        history.record(prefix + "_loss", epoch_loss)
        if training:
            data = torch.stack(data_losses).to("cpu", torch.float64)
            history.record(
                "train_data_loss", float((data * weights).sum() / weights.sum())
            )

    def _record_one_batch(self, prefix, training, loss, data_losses):
        """``_record_epoch`` for an epoch of one batch (a full-batch fit):
        the loss (and data loss) in one transfer to the host."""
        if training:
            loss, data_loss = torch.stack([loss.detach(), data_losses[0]]).tolist()
        else:
            loss = float(loss)
        if training and not math.isfinite(loss):
            raise self._diverged(loss)
        self.history.record(prefix + "_loss", loss)
        if training:
            self.history.record("train_data_loss", data_loss)

    def _diverged(self, loss):
        return _NonFiniteLossError(
            f"The training loss became {loss} at epoch {len(self.history)}. Training "
            "diverged: try a smaller learning_rate_init, scaling the inputs "
            "(e.g. StandardScaler), or a stronger alpha."
        )

    def _gradients(self, X, y, forward):
        """Zero the gradients, then backpropagate the data loss of a batch and
        add the penalties' gradients (and clip): (loss with penalties, data
        loss, predictions)."""
        plan = self._analytic_plan(forward, y)
        if plan is not None:
            # sets every parameter's gradient: no zero_grad needed
            done = _analytic.analytic_gradients(plan, X, y)
            if done is not None:
                data_loss, y_pred = done
                total = self._after_backward(data_loss, _batch_weight(y))
                return total, data_loss, y_pred
        self.optimizer_.zero_grad(set_to_none=True)
        y_pred = forward(X)
        loss = self.get_loss(y_pred, y, X=X, training=True)
        data_loss = loss.detach()
        return self._backward(loss, _batch_weight(y)), data_loss, y_pred

    def _analytic_plan(self, forward, target):
        """The hand-written backward pass of a plain MLP (:mod:`._analytic`),
        or None: autograd. Planned at the first step of each fit call (so a
        hook added between fits is seen); never with a data-parallel wrapper,
        a per-sample reduction, a shard's target, or a replaced ``get_loss``."""
        if (
            not _analytic.ENABLED
            or forward is not self.module_
            or len(target) != 2
            or self._reduce_per_sample is not None
            or getattr(self, "_dp", None) is not None
            # a replaced get_loss defines another loss than the one planned
            or type(self).get_loss is not _GET_LOSS
        ):
            return None
        cached = getattr(self, "_analytic_cache", None)
        if cached is None or cached[0] is not self.module_:
            cached = (self.module_, _analytic.plan_for(self.module_, self.criterion_))
            object.__setattr__(self, "_analytic_cache", cached)
        return cached[1]

    def _backward(self, loss, weight, params=None):
        """Backpropagate ``loss``, add the penalties' gradients and clip, on
        ``params`` (one player's) or all of the module's; returns the loss
        with the penalties' value (detached)."""
        loss.backward()
        return self._after_backward(loss.detach(), weight, params)

    def _after_backward(self, total, weight, params=None):
        """Average the gradients over MPI, add the penalties' gradients and
        clip; returns the loss ``total`` with the penalties' value."""
        dp = getattr(self, "_dp", None)
        if dp is not None and dp.backend == "mpi":
            # DDP averages during backward; over MPI, before the penalties
            # (the same on every process) and clipping, as DDP's order
            dp.collectives.average_gradients(
                list(self.module_.parameters() if params is None else params)
            )
        if self._l2 > 0 or self._l1 > 0:
            total = self._add_penalties(total, weight, params)
        if self._max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(
                self.module_.parameters() if params is None else params,
                self._max_grad_norm,
            )
        return total

    def _lbfgs_step(self, X, y):
        """One L-BFGS iteration on the full batch: the line search evaluates
        the penalized loss (and its gradient) as often as it needs."""
        optimizer = self.optimizer_
        first = {}

        def closure():
            loss, data_loss, y_pred = self._gradients(X, y, self.module_)
            if not first:  # the step reports the loss before its update
                first.update(loss=loss.detach(), data_loss=data_loss, y_pred=y_pred)
            return loss.detach()

        optimizer.step(closure)
        state = self._lbfgs_state()
        if state.get("t", 1.0) == 0 or not math.isfinite(float(first["loss"])):
            # the line search found no decrease along the quasi-Newton
            # direction (float32 round-off near a kink of ReLU, a stale
            # curvature memory): restart from steepest descent, as L-BFGS
            # implementations do, instead of repeating the same direction
            evals = state.get("func_evals", 0)
            state.clear()
            state.update(func_evals=evals, n_iter=0)
        if self._lbfgs_evals() - self._fun_base >= self._max_fun:
            self._lbfgs_exhausted = True
        return first

    def _newton_objective(self, X, y):
        """The penalized full-batch loss as a function of the flat float64
        parameters: the data term of ``get_loss`` plus ``0.5 * l2 * ||W||^2``
        over the batch weight, exactly the objective the other optimizers
        minimize (their L2 enters through the gradients instead)."""
        module = self.module_
        named = list(module.named_parameters())
        names = [n for n, _ in named]
        shapes = [p.shape for _, p in named]
        # the parameters the L2 penalty covers: the other optimizers' set
        penalized_ids = {id(p) for p in self._penalized}
        penalized = [id(p) in penalized_ids for _, p in named]
        sizes = [int(np.prod(shape)) for shape in shapes]
        X64, y64 = X.double(), _as_float64(y)
        weight = _batch_weight(y64)

        def objective(flat):
            parts = [
                t.reshape(shape)
                for t, shape in zip(torch.split(flat, sizes), shapes, strict=True)
            ]
            y_pred = torch.func.functional_call(
                module, dict(zip(names, parts, strict=True)), (X64,)
            )
            data = self.get_loss(y_pred, y64, X=X64, training=True)
            if self._l2 > 0:
                squares = sum(
                    p.pow(2).sum()
                    for p, pen in zip(parts, penalized, strict=True)
                    if pen
                )
                return data + 0.5 * self._l2 * squares / weight, data
            return data, data

        return objective

    def _newton_step(self, X, y):
        """One damped Newton iteration on the full batch, in float64.

        d solves H d = -g for the gradient g and Hessian H of the penalized
        loss; the step t d halves t from 1 until Armijo's sufficient decrease
        holds. Near the minimum t = 1 is accepted and the convergence is
        quadratic (the book's chapter 17)."""
        objective = self._newton_objective(X, y)
        state = self.optimizer_.state.setdefault("newton", {})
        params = list(self.module_.parameters())
        theta = state.get("theta")
        current = torch.cat([p.detach().double().flatten() for p in params])
        if (
            theta is None
            or theta.shape != current.shape
            or not torch.equal(theta.float(), current.float())
        ):
            theta = current  # a new fit, or weights changed from outside
        with torch.no_grad():
            y_pred = self.module_(X)
        theta = theta.detach().requires_grad_(True)
        loss, data = objective(theta)
        (g,) = torch.autograd.grad(loss, theta)
        # reverse over reverse (forward mode would register torch's jvp
        # decompositions, which warns on first use)
        H = torch.func.jacrev(torch.func.jacrev(lambda t: objective(t)[0]))(
            theta.detach()
        )
        g = g.detach()
        with torch.no_grad():
            # H is only semidefinite where the loss is flat along a direction
            # (the common shift of a softmax's unpenalized intercepts, a
            # constant feature): the pseudo-inverse leaves such directions
            # alone
            eigvals, eigvecs = torch.linalg.eigh(H)
            floor = 1e-12 * float(eigvals.abs().max().clamp_min(1e-300))
            inverse = torch.where(
                eigvals > floor,
                1.0 / eigvals.clamp_min(floor),
                torch.zeros_like(eigvals),
            )
            direction = -(eigvecs @ (inverse * (eigvecs.T @ g)))
            slope = float(g @ direction)
            if not slope < 0:  # not a descent direction: steepest descent
                direction, slope = -g, -float(g @ g)
            # the Newton decrement -g.d / 2 predicts the remaining decrease:
            # at float64 round-off the iterate is the minimum (one more step
            # of quadratic convergence would not change it)
            self._newton_converged = -slope / 2 <= 1e-15 * max(1.0, abs(float(loss)))
            t, f0 = 1.0, float(loss)
            for _ in range(_MAX_HALVINGS):
                if (
                    float(objective(theta + t * direction)[0])
                    <= f0 + _ARMIJO * t * slope
                ):
                    break
                t *= 0.5
            else:
                t = 0.0  # no decrease along the direction: at the minimum
            theta = (theta + t * direction).detach()
            state["theta"] = theta
            offset = 0
            for p in params:
                n = p.numel()
                p.copy_(theta[offset : offset + n].view_as(p))
                offset += n
        return {
            "loss": loss.detach().float(),
            "data_loss": data.detach().float(),
            "y_pred": y_pred,
        }

    def train_step(self, batch, **fit_params):
        X, y = batch
        if self._step is not None:
            return self._step(self, X, y)
        if getattr(self, "_optimizer_kind", None) == "newton":
            return self._newton_step(X, y)
        if getattr(self, "_max_fun", None) is not None:
            return self._lbfgs_step(X, y)
        ddp = self._ddp
        # on a data-parallel shard the loss is K times the shard's share of
        # the global batch loss (see _sharded): DDP's gradient average over
        # the K processes is then the global batch's gradient
        loss, data_loss, y_pred = self._gradients(
            X, y, self.module_ if ddp is None else ddp
        )
        if not _fused_adam_step(self.optimizer_):
            self.optimizer_.step()
        if getattr(self, "_dp", None) is not None:
            # the global batch losses, identical on every process
            both = torch.stack([loss.detach(), data_loss])
            loss, data_loss = self._dp.allreduce_mean(both)
        return {"loss": loss, "data_loss": data_loss, "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        X, y = batch
        with torch.no_grad():
            y_pred = self.module_(X)
            loss = self.get_loss(y_pred, y, X=X, training=False)
        return {"loss": loss, "y_pred": y_pred}

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        # skorch swallows every KeyboardInterrupt (its own early stopping uses
        # one). We tell our stopping signal apart from a user's Ctrl-C.
        if not self.initialized_:
            self.initialize()
        self._interrupted = False
        # planned again at the first step: hooks may have come since last fit
        object.__setattr__(self, "_analytic_cache", None)
        object.__setattr__(self, "_submodule_cache", None)
        self.notify("on_train_begin", X=X, y=y)
        try:
            self.fit_loop(X, y, **fit_params)
        except _StopTraining:
            pass
        except KeyboardInterrupt:
            self._interrupted = True
        finally:
            object.__setattr__(self, "_analytic_cache", None)  # not pickled
            object.__setattr__(self, "_submodule_cache", None)
            self.notify("on_train_end", X=X, y=y)
        return self


# the loss the hand-written backward pass computes (see _analytic_plan)
_GET_LOSS = _SkorchNet.get_loss


class _LRSchedule(Callback):
    """Learning-rate schedules set directly on the optimizer's parameter groups.

    - ``constant``: eta_0.
    - ``invscaling``: Robbins-Monro steps eta_t = eta_0 / (1 + t)^power_t, with t
      the number of optimizer steps taken so far (persists over warm starts).
    - ``cosine``: eta_0 (1 + cos(pi e / E)) / 2 over the E = max_iter epochs.
    - ``plateau``: divide by 5 when the monitored loss has not improved by tol
      for n_iter_no_change epochs.
    """

    def __init__(
        self,
        kind,
        lr0,
        *,
        power_t=0.5,
        n_epochs=1,
        tol=1e-4,
        patience=10,
        monitor="train_loss",
    ):
        self.kind = kind
        self.lr0 = lr0
        self.power_t = power_t
        self.n_epochs = n_epochs
        self.tol = tol
        self.patience = patience
        self.monitor = monitor
        self.step_ = 0
        self.epoch_ = 0
        self.lr_ = lr0
        self.best_ = math.inf
        self.bad_epochs_ = 0

    def _set(self, net, lr):
        self.lr_ = lr
        for optimizer in net.optimizers():
            for group in optimizer.param_groups:
                group["lr"] = lr * group.get("lr_factor", 1.0)

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training and self.kind == "invscaling":
            self._set(net, self.lr0 / (1.0 + self.step_) ** self.power_t)
            self.step_ += 1

    def on_epoch_begin(self, net, **kwargs):
        if self.kind == "cosine":
            frac = min(self.epoch_ / max(self.n_epochs, 1), 1.0)
            self._set(net, 0.5 * self.lr0 * (1.0 + math.cos(math.pi * frac)))

    def on_epoch_end(self, net, **kwargs):
        self.epoch_ += 1
        if self.kind == "plateau":
            value = net.history[-1].get(self.monitor, math.inf)
            if value < self.best_ - self.tol:
                self.best_ = value
                self.bad_epochs_ = 0
            else:
                self.bad_epochs_ += 1
                if self.bad_epochs_ >= self.patience:
                    self._set(net, self.lr_ / 5.0)
                    self.bad_epochs_ = 0


# The plateau rule cannot end a fit whose best training loss is still above
# (1 - _CHANCE_MARGIN) times the loss of the best constant prediction: such a
# model has learnt (almost) nothing, and a slow start, not convergence, is the
# usual cause (a transformer or RNN on 50 series sits at chance for hundreds of
# steps before its loss falls). The guard holds through the first
# _CHANCE_GUARD_FRACTION of a fit's epoch budget: a model still at chance after
# that is taken to have nothing to learn (pure-noise labels, a target the
# features do not predict), and its plateau ends the fit instead of the budget.
# On the development suite every default fit leaves chance level within 4 % of
# its budget (at most 40 epochs: RNNClassifier on GunPoint).
_CHANCE_MARGIN = 0.05
_CHANCE_GUARD_FRACTION = 0.25


class _Monitor(Callback):
    """Stopping rule, best weights and the progress bar.

    Stopping follows scikit-learn's MLP: with ``early_stopping`` the validation
    score must improve by ``tol`` within ``n_iter_no_change`` epochs; without it
    the training loss must decrease by ``tol``. Two additions: no plateau
    counts while the best training loss is within ``_CHANCE_MARGIN`` of
    ``chance_loss``, the loss of the best constant prediction (None: no such
    guard), during the first ``chance_guard_epochs`` epochs (None: all; the
    guard is also off when a constant predicts the data almost exactly, one
    weighted class say); and a fit stops once the training loss is below
    ``separated_fraction`` of ``chance_loss`` (classifiers: the training data
    are separated). The best weights (by validation score, else by training loss) are
    kept so that early stopping and Ctrl-C can restore them (``keep="last"``:
    the last epoch's weights, for families whose loss does not rank epochs,
    such as a two-player game).
    """

    def __init__(
        self,
        *,
        score_fn,
        tol,
        n_iter_no_change,
        early_stopping,
        verbose,
        stop_on_plateau=True,
        total_epochs=None,
        chance_loss=None,
        chance_guard_epochs=None,
        separated_fraction=None,
        label=None,
        keep="best",
    ):
        self.label = label
        self.chance_guard_epochs = chance_guard_epochs
        self.keep = keep
        self.score_fn = score_fn
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.verbose = verbose
        self.stop_on_plateau = stop_on_plateau
        self.total_epochs = total_epochs
        self.chance_loss = chance_loss
        self.separated_fraction = separated_fraction
        self.validation_scores_ = []
        self.best_validation_score_ = -math.inf
        self.best_loss_ = math.inf
        self.best_data_loss_ = math.inf
        self.first_data_loss_ = None
        self.epochs_seen_ = 0
        self.best_epoch_ = None
        self.best_state_ = None
        self.no_improvement_ = 0
        self.converged_ = False
        self._valid_out = []
        self._bar = None

    def on_train_begin(self, net, **kwargs):
        self.converged_ = False
        self.epochs_seen_ = 0  # the guard counts the epochs of this call
        if self.verbose:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=self.total_epochs, desc=self.label, unit="epoch", leave=True
            )

    def on_train_end(self, net, **kwargs):
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        # non-finite training losses are caught by _SkorchNet.run_single_epoch
        if not training and self.early_stopping:
            y, w = batch[1]
            if w is None:
                w = torch.ones(len(y), device=y.device)
            if getattr(self.score_fn, "batchwise", False):
                # the score is a weighted mean of per-batch sums (e.g. an ELBO)
                self._valid_out.append(self.score_fn(y_pred, y, w))
            else:
                self._valid_out.append((y_pred.detach(), y, w))

    # False when the weights live elsewhere during training (a batched search
    # stacks the candidates' weights): only the best epoch is recorded
    keep_best_state = True

    def _snapshot(self, net):
        if self.keep_best_state:
            self.best_state_ = {
                k: v.detach().clone() for k, v in net.module_.state_dict().items()
            }
        self.best_epoch_ = len(net.history)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        loss = row["train_loss"]
        improved = False
        if self.early_stopping:
            if getattr(self.score_fn, "batchwise", False):
                total = sum(float(o[0]) for o in self._valid_out)
                score = total / sum(float(o[1]) for o in self._valid_out)
            else:
                y_pred = torch.cat([o[0] for o in self._valid_out])
                y = torch.cat([o[1] for o in self._valid_out])
                w = torch.cat([o[2] for o in self._valid_out])
                score = float(self.score_fn(y_pred, y, w))
            self._valid_out = []
            net.history.record("valid_score", score)
            self.validation_scores_.append(score)
            if score > self.best_validation_score_:
                self._snapshot(net)
            if score > self.best_validation_score_ + self.tol:
                improved = True
            self.best_validation_score_ = max(self.best_validation_score_, score)
        else:
            if loss < self.best_loss_ or self.keep == "last":
                self._snapshot(net)
            if loss < self.best_loss_ - self.tol:
                improved = True
        self.best_loss_ = min(self.best_loss_, loss)
        # the data term alone (no penalty) says whether the model has learnt
        data_loss = row.get("train_data_loss", loss)
        self.best_data_loss_ = min(self.best_data_loss_, data_loss)
        if self.first_data_loss_ is None:
            self.first_data_loss_ = data_loss
        self.epochs_seen_ += 1
        self.no_improvement_ = 0 if improved else self.no_improvement_ + 1
        if self._bar is not None:
            post = {"loss": f"{loss:.4g}"}
            if self.early_stopping:
                post["val_score"] = f"{self.validation_scores_[-1]:.4g}"
            self._bar.set_postfix(post, refresh=False)
            self._bar.update(1)
        if self.stop_on_plateau and (
            (self.no_improvement_ >= self.n_iter_no_change and not self.at_chance())
            or self.separated()
        ):
            self.converged_ = True
            raise _StopTraining()
        if getattr(net, "_lbfgs_exhausted", False):
            raise _StopTraining()  # max_fun loss evaluations: not converged
        if getattr(net, "_newton_converged", False):
            net._newton_converged = False
            self.converged_ = True
            raise _StopTraining()

    def separated(self):
        """True once the training loss, penalty included, is a tiny fraction
        of the chance loss: the data are separated and the penalty is too weak
        to hold the weights, which further epochs would only grow. A stronger
        penalty keeps the loss above that fraction: its minimum has finite
        weights, which further epochs approach (on digits a (256, 256) network
        stopped once its data loss alone was that small ran 4-6 epochs and
        scored 0.964; trained on to its penalized minimum, 0.981)."""
        if self.separated_fraction is None or not (self.chance_loss or 0) > 0:
            return False
        return self.best_loss_ < self.separated_fraction * self.chance_loss

    def at_chance(self):
        """True while the best training loss is about a constant prediction's
        (and the guard of the class docstring holds)."""
        if self.chance_loss is None or not self.chance_loss > 0:
            return False
        if (
            self.chance_guard_epochs is not None
            and self.epochs_seen_ >= self.chance_guard_epochs
        ):
            return False
        first = self.first_data_loss_
        if first is not None and self.chance_loss <= 1e-6 * first:
            return False  # a constant fits the data: nothing to wait for
        return self.best_data_loss_ > (1.0 - _CHANCE_MARGIN) * self.chance_loss


# PreciseBN (Wu and Johnson 2021, "Rethinking 'Batch' in BatchNorm") uses
# ~200 batches; past that the estimate of the population statistics no longer
# improves.
_BN_REFRESH_BATCHES = 200


def _refresh_batch_norm(module, dataset, batch_size, generator):
    """Recompute batch-norm running statistics with the final weights.

    During training the running mean and variance are exponential averages
    (momentum 0.1) over the last ~10 batches, taken while the weights were
    still moving, and the tail batch of each epoch can be tiny. On small data
    this makes inference-mode outputs disagree with the training-mode ones (on
    GunPoint a CNN with training loss 0.03 scored 0.48 in eval mode, 0.98 after
    this refresh). Here the statistics become the plain average over up to 200
    full training batches, computed in training mode with gradients off.
    Returns True when the module has batch norm.
    """
    norms = [
        m
        for m in module.modules()
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
        and m.track_running_stats
    ]
    if not norms:
        return False
    n = len(dataset)
    full = n // batch_size
    if full == 0:
        return False  # fewer rows than one batch: keep the running averages
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    was_training = module.training
    module.train()
    try:
        perm = torch.randperm(n, generator=generator).to(dataset.y.device)
        with torch.no_grad():
            for b in range(min(full, _BN_REFRESH_BATCHES)):
                idx = perm[b * batch_size : (b + 1) * batch_size]
                module(dataset.batch(idx))
    finally:
        for m, momentum in zip(norms, momenta, strict=True):
            m.momentum = momentum
        module.train(was_training)
    return True
