"""The shared torch training engine behind every sklearn_mathdl estimator."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import functools
import inspect
import math
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import torch
from scipy.sparse import issparse
from scipy.special import expit, log_expit, log_softmax, softmax, xlogy
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._available_if import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_y,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from sklearn_mathdl import _batched
from sklearn_mathdl import distributed as _distributed
from sklearn_mathdl._engine import (
    _CHANCE_GUARD_FRACTION,
    _CHANCE_MARGIN,
    NewtonOptimizer,
    _batch_bounds,
    _block_rows,
    _EagerAdagrad,
    _EagerAdam,
    _EagerAdamax,
    _EagerAdamW,
    _EagerLBFGS,
    _EagerRMSprop,
    _EagerSGD,
    _IndexSplit,
    _LazyDataset,
    _LRSchedule,
    _Monitor,
    _NonFiniteLossError,
    _refresh_batch_norm,
    _SkorchNet,
    _SparseDataset,
    _TensorBatchIterator,
    _TensorDataset,
    _warm_up_optimizer,
)
from sklearn_mathdl._modules._mlp import (
    input_major,
    sparse_batches,
    sparse_from_scipy,
    sparse_pays,
)
from sklearn_mathdl._penalty import auto_alpha
from sklearn_mathdl.utils import check_device
from sklearn_mathdl.utils._compat import (
    Interval,
    Options,
    StrOptions,
    _check_sample_weight,
    _fit_context,
)
from sklearn_mathdl.utils._doc_link import _DocLinkMixin
from sklearn_mathdl.utils._seeding import draw_seed, torch_seed
from sklearn_mathdl.utils._validation import (
    class_sample_weight,
    labels_from_scores,
    standardizing_scale,
)

# torch's optimizers, without the import of torch._dynamo that their first
# call costs in eager mode (``_engine._eager``)
_OPTIMIZERS = {
    "sgd": _EagerSGD,
    "adam": _EagerAdam,
    "adamw": _EagerAdamW,
    "adamax": _EagerAdamax,
    "rmsprop": _EagerRMSprop,
    "adagrad": _EagerAdagrad,
    "lbfgs": _EagerLBFGS,
    "newton": NewtonOptimizer,
}
# optimizers that take one full-batch step per epoch (no partial_fit, no
# learning rate schedule)
_FULL_BATCH = ("lbfgs", "newton")
# optimizer="auto" (the MLPs' default) trains full-batch L-BFGS on at most
# this many rows, Adam on more. Below it a full batch is cheap and L-BFGS
# reaches the minimum of the penalized loss in a few hundred iterations (the
# small-data advice of scikit-learn's MLP); above it minibatch steps reach the
# same loss in fewer passes over the data (Bottou and Bousquet 2008).
_LBFGS_AUTO_MAX_ROWS = 20_000
# Where the first layer does not multiply sparse batches (Newton's method, the
# families that densify), a full batch of sparse X only up to this size
_LBFGS_SPARSE_DENSE_BYTES = 256 * 2**20
# L-BFGS memory (pairs of curvature vectors), as scipy's default m=10
_LBFGS_HISTORY = 10
# max_iter="auto" under L-BFGS: iterations (one an epoch). The plateau rule
# ends the MLPs' fits on the development suite after 50-150.
_LBFGS_AUTO_ITERATIONS = 500

# Rows per forward pass at inference: large enough that per-call overhead
# vanishes, small enough that activations of wide nets stay in cache/memory.
_INFERENCE_CHUNK = 8192
_VALID_CHUNK = 8192
# Sparse X whose dense copy is at most this large is made dense once before
# training where sparse batches do not pay (``_densify_once``).
_DENSIFY_ONCE_BYTES = 64 * 2**20
# Sparse X is densified (where the module does not take sparse batches) in
# blocks of at most this many bytes.
_SPARSE_BLOCK_BYTES = 32 * 2**20
# Memmaps at least this large are streamed by fit rather than loaded.
_STREAM_MEMMAP_BYTES = 256 * 2**20
# max_iter="auto": at least this many epochs (scikit-learn's MLP default) and
# at least this many optimizer steps. Counting epochs alone gives a 50-row
# data set a few hundred steps and a 50,000-row one a hundred thousand.
_AUTO_MIN_EPOCHS = 200
_AUTO_MIN_STEPS = 2000
# n_iter_no_change="auto": 10 epochs, and at least as many optimizer steps as
# it takes a family's auto batch size to see _AUTO_PATIENCE_ROWS rows (30
# steps of the MLPs' 200 rows; 188 of the 32-row batches of the sequence
# families, whose epoch losses are the noisier for their smaller batches).
# A full-batch epoch is one deterministic gradient step, with no sampling
# noise to wait out: _AUTO_PATIENCE_STEPS steps.
_AUTO_PATIENCE_EPOCHS = 10
# early_stopping="auto" (the transformers' default) holds out a validation
# split from this many training rows on: a tenth of them (validation_fraction)
# is then at least 200 rows, whose accuracy has a standard error of at most
# 0.035, enough to rank epochs. Below it the split costs a small data set
# the rows it learns from (digits, 1,437 training rows a fold: 0.972 without
# the split, 0.963 with it); any threshold from 1,500 to 5,000 rows gave the
# same choices on the development suite.
_AUTO_EARLY_STOPPING_ROWS = 2000
_AUTO_PATIENCE_ROWS = 6000
_AUTO_PATIENCE_STEPS = 30


def _is_lazy(X):
    """True for arrays that slice lazily: numpy memmaps, h5py/zarr datasets,
    dask arrays. Fit streams their rows batch by batch instead of loading
    them; inference reads them block by block."""
    if isinstance(X, np.memmap):
        # small memmaps (e.g. joblib's, shipping data to loky workers) load
        # faster than they stream; both paths train the same model
        return X.nbytes >= _STREAM_MEMMAP_BYTES
    if isinstance(X, (np.ndarray, list, tuple, torch.Tensor)) or issparse(X):
        return False
    if hasattr(X, "columns") or hasattr(X, "iloc"):  # dataframes
        return False
    shape = getattr(X, "shape", None)
    return (
        isinstance(shape, tuple)
        and len(shape) >= 2
        and hasattr(X, "dtype")
        and hasattr(X, "__getitem__")
    )


# Training steps with less work than this (parameters x batch rows x positions
# per sample) run on one intra-op thread (see _fit_threads).
_SMALL_STEP_WORK = 2e7


@contextlib.contextmanager
def _intra_op_threads(n):
    """Run a block with ``n`` torch intra-op threads (None: unchanged)."""
    if n is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


# Plain arrays larger than this are validated block by block at inference.
_STREAM_PREDICT_BYTES = 32 * 2**20


class _RowBlocks:
    """A large in-memory array that inference reads, checks and casts in blocks.

    Looks like a lazily sliced array to ``_is_lazy``, so ``_forward`` takes its
    block-by-block path.
    """

    def __init__(self, X):
        self.X = X
        self.shape = X.shape
        self.dtype = X.dtype

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        return self.X[index]


def _sparse_block_rows(X, limit):
    """Rows of sparse ``X`` per dense float32 block of ``_SPARSE_BLOCK_BYTES``
    (at most ``limit``)."""
    return max(1, min(limit, _SPARSE_BLOCK_BYTES // (4 * max(1, X.shape[1]))))


def _epochs_for(min_epochs, min_steps, n_train, batch_size):
    """At least ``min_epochs`` epochs and at least ``min_steps`` optimizer steps."""
    steps_per_epoch = len(_batch_bounds(max(n_train, 1), batch_size))
    return max(min_epochs, math.ceil(min_steps / steps_per_epoch))


def _check_float32_range(X):
    """Refuse values that the float32 cast turned into infinity.

    scikit-learn checks finiteness before casting, so float64 input beyond
    float32's range (|x| > 3.4e38) would reach the network as inf and come
    back as inf or NaN predictions.
    """
    if np.isinf(X.data if issparse(X) else X).any():
        raise ValueError(
            "Input X contains values too large for float32 (|x| > "
            f"{np.finfo(np.float32).max:.3g}), the precision the network computes "
            "in; rescale the input (e.g. StandardScaler)."
        )


def _stochastic_optimizer(estimator):
    """``partial_fit`` exists unless the optimizer takes full-batch steps
    ("lbfgs", as in scikit-learn, or "newton")."""
    if estimator.optimizer in _FULL_BATCH:
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. "
            f"{estimator.optimizer} is not stochastic."
        )
    return True


def _check_optimizer_kwargs(name, kwargs, device, param, value):
    """Warm up an optimizer ``name`` with ``kwargs`` (see _warm_up_optimizer); a
    ValueError that names the parameter ``param`` (set to ``value``) when torch
    refuses them."""
    cls = _OPTIMIZERS[name]
    try:
        _warm_up_optimizer(cls, kwargs, device)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(
            f"{param}={value!r} is not accepted by torch.optim.{cls.__name__} "
            f"(optimizer={name!r}): {exc}"
        ) from None


def _kernel_kwargs(name, device, user):
    """``fused=True`` (else ``foreach=True``) for a first-order optimizer
    ``name``, unless ``user`` (its optimizer params) chooses: one fused or
    multi-tensor kernel per update instead of one per parameter. torch picks
    the per-parameter loop for CPU tensors by default, a third of a small
    MLP's step time."""
    if "foreach" in user or "fused" in user:
        return {}
    fused_ok = "fused" in inspect.signature(_OPTIMIZERS[name]).parameters
    if fused_ok and device.type in ("cpu", "cuda"):
        return {"fused": True}
    return {"foreach": True}


def _save_training_state(net):
    """What a continued fit changes: weights, optimizer (its kind, the object and
    its state), history, callbacks."""
    import copy

    return {
        "module": copy.deepcopy(net.module_.state_dict()),
        "optimizer_kind": net._optimizer_kind,
        "optimizer_obj": net.optimizer_,
        "optimizer_attrs": {
            k: v
            for k, v in vars(net).items()
            if k.startswith("optimizer__") or k in ("optimizer", "lr")
        },
        "optimizers": [copy.deepcopy(o.state_dict()) for o in net.optimizers()],
        "history": len(net.history),
        "callbacks": [(cb, dict(vars(cb))) for _, cb in net.callbacks_],
    }


def _replace_optimizer_attrs(net, attrs):
    """Set the net's optimizer settings to ``attrs`` (``optimizer``, ``lr``,
    ``optimizer__*``), dropping every ``optimizer__*`` keyword not in them."""
    for key in [k for k in vars(net) if k.startswith("optimizer__")]:
        delattr(net, key)
    vars(net).update(attrs)


def _restore_training_state(net, saved):
    net.module_.load_state_dict(saved["module"])
    # a continued fit may have switched optimizers (partial_fit after L-BFGS)
    _replace_optimizer_attrs(net, saved["optimizer_attrs"])
    net.optimizer_ = saved["optimizer_obj"]
    net._optimizer_kind = saved["optimizer_kind"]
    for optimizer, state in zip(net.optimizers(), saved["optimizers"], strict=True):
        optimizer.load_state_dict(state)
    del net.history[saved["history"] :]
    for cb, attrs in saved["callbacks"]:
        vars(cb).clear()
        vars(cb).update(attrs)
    net.module_.eval()


def _data_parallel_setup(context, device, seed, batch_size):
    """Device, shared seed and checks for a fit inside ``data_parallel()``."""
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", context.local_rank)
    if context.backend == "nccl" and device.type != "cuda":
        raise ValueError(
            "data_parallel() with the 'nccl' backend trains on GPUs: set "
            "device='cuda', or use backend='gloo' for CPU training."
        )
    if batch_size < context.world_size:
        raise ValueError(
            f"batch_size={batch_size} is smaller than the {context.world_size} "
            "data-parallel processes: each process needs at least one row of "
            "every batch."
        )
    # every process must shuffle alike: rank 0's seed wins (random_state=None
    # draws a different one on each process)
    return device, int(context.broadcast_object(int(seed)))


@dataclass
class _FitPlan:
    """What one fit call does, decided before any training (``_plan_fit``)."""

    incremental: bool
    continuing: bool
    context: object
    asynchronous: object
    dataset: object
    train_split: object
    use_validation: bool
    batch_size: int
    # training rows (the early-stopping split's validation rows excluded)
    n_train: int
    chance_loss: object
    max_epochs: int
    patience: int
    epochs: int
    call_seed: int
    rank_seed: int
    optimizer: str = "adam"
    # epochs in the net's history before this call (a warm start continues
    # the history; its divergence check looks at this call's epochs only)
    history_start: int = 0


class _BaseTorchEstimator(_DocLinkMixin, BaseEstimator):
    """Base class of the torch estimators. Not public: never instantiate it.

    A family implements ``_build_module(n_features_in, n_outputs)`` and the
    target hooks ``_criterion()`` and ``_validation_score(y_pred, y, w)``; the
    base class validates input, seeds, composes a private skorch net, trains,
    and runs batched inference.
    """

    _parameter_constraints: dict = {
        # L-BFGS (full batch) and "auto" are the MLPs' (see _mlp.py)
        "optimizer": [StrOptions(set(_OPTIMIZERS) - set(_FULL_BATCH))],
        "optimizer_params": [dict, None],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [
            StrOptions({"constant", "invscaling", "cosine", "plateau", "adaptive"})
        ],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_iter": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),  # never stop on a plateau
        ],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_alpha": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "verbose": ["verbose"],
    }

    _is_classifier_engine = False

    # ------------------------------------------------------------------ hooks
    def _build_module(self, n_features_in, n_outputs):  # pragma: no cover
        raise NotImplementedError

    def _criterion(self):  # pragma: no cover
        raise NotImplementedError

    def _validation_score(self, y_pred, y, w):  # pragma: no cover
        raise NotImplementedError

    def _prepare_X(self, X):
        """Turn validated float32 input into what the module takes."""
        return X

    def _lr_scale(self):
        """Factor applied to learning_rate_init (e.g. a width rule)."""
        return 1.0

    def _extra_callbacks(self):
        """Family-specific skorch callbacks, as (name, callback) pairs."""
        return []

    def _after_fit(self, net):
        """Read family-specific fitted attributes off the trained net."""

    def _second_player(self, plan):
        """A second player with its own optimizer (``_SecondPlayer``), or None."""
        return None

    def _training_step(self):
        """A family's own training step (see ``_SkorchNet._step``), or None."""
        return None

    # ------------------------------------------------------------ validation
    def _validate_X(self, X, *, reset):
        X = self._coerce_input(X, reset=reset)
        with np.errstate(over="ignore"):  # overflow is reported just below
            X = validate_data(
                self,
                X,
                reset=reset,
                dtype=np.float32,
                order="C",
                **self._input_kwargs(),
            )
        _check_float32_range(X)
        self._check_sample_shape(X, reset=reset)
        return X

    def _validate_Xy(self, X, y, *, reset, **kwargs):
        if _is_lazy(X):
            return self._validate_lazy_Xy(X, y, reset=reset, **kwargs)
        X = self._coerce_input(X, reset=reset)
        with np.errstate(over="ignore"):  # overflow is reported just below
            X, y = validate_data(
                self,
                X,
                y,
                reset=reset,
                dtype=np.float32,
                order="C",
                multi_output=True,
                **kwargs,
                **self._input_kwargs(),
            )
        _check_float32_range(X)
        self._check_sample_shape(X, reset=reset)
        return X, y

    def _validate_lazy_Xy(self, X, y, *, reset, **kwargs):
        """Check a lazily sliced X block by block, without loading it.

        One streaming pass validates every block as an in-memory X would be
        (dtype, NaN/inf, shape); ``y`` is validated whole. Returns X itself.
        """
        if len(X.shape) < 2:
            raise ValueError(
                f"Expected a 2-D (or N-d) array that slices lazily, got shape "
                f"{tuple(X.shape)}."
            )
        n = X.shape[0]
        y = _check_y(y, multi_output=True, y_numeric=kwargs.get("y_numeric", False))
        if len(y) != n:
            raise ValueError(
                f"X has {n} samples but y has {len(y)}: they must have the same "
                "number of samples."
            )
        step = _block_rows(X)
        for start in range(0, n, step):
            block = np.asarray(X[start : start + step])
            self._validate_X(block, reset=reset and start == 0)
        if n == 0:
            self._validate_X(np.asarray(X[:0]), reset=reset)
        return X, y

    # Families with N-d or variable-length input override these three.
    def _coerce_input(self, X, *, reset):
        """Turn the accepted input forms into one array-like (e.g. pad lists)."""
        return X

    def _input_kwargs(self):
        """Extra keyword arguments of validate_data (e.g. allow_nd)."""
        return {}

    def _check_sample_shape(self, X, *, reset):
        """Check (or record, when reset) the per-sample shape beyond axis 1."""

    def _chance_loss(self, y, sample_weight):
        """Training loss of the best constant prediction, or None if unknown.

        The stopping rule never declares convergence while the training loss
        is still within ``_CHANCE_MARGIN`` of it (see ``_Monitor``).
        """
        return None

    def _resolved_early_stopping(self, n_samples):
        """Whether a fit holds out a validation split (``early_stopping``;
        "auto": on ``_AUTO_EARLY_STOPPING_ROWS`` rows or more)."""
        if self.early_stopping == "auto":
            return n_samples >= _AUTO_EARLY_STOPPING_ROWS
        return bool(self.early_stopping)

    def _resolved_max_iter(self, n_train, batch_size, optimizer=None):
        """Epochs of a fit: ``max_iter``, or the "auto" budget (for L-BFGS,
        ``_LBFGS_AUTO_ITERATIONS`` iterations)."""
        if self.max_iter != "auto":
            return int(self.max_iter)
        if optimizer in _FULL_BATCH:
            return _LBFGS_AUTO_ITERATIONS
        return _epochs_for(_AUTO_MIN_EPOCHS, _AUTO_MIN_STEPS, n_train, batch_size)

    def _resolved_patience(self, n_train, batch_size):
        """Epochs without improvement that end a fit (``n_iter_no_change``)."""
        if self.n_iter_no_change != "auto":
            if math.isinf(self.n_iter_no_change):  # as scikit-learn: no plateau stop
                return 2**62
            return int(self.n_iter_no_change)
        steps = _AUTO_PATIENCE_STEPS
        if len(_batch_bounds(max(n_train, 1), batch_size)) > 1:
            steps = max(steps, math.ceil(_AUTO_PATIENCE_ROWS / self._auto_batch_rows))
        return _epochs_for(_AUTO_PATIENCE_EPOCHS, steps, n_train, batch_size)

    # A classifier whose training loss is below this fraction of the chance
    # loss separates its training data: further epochs only grow the weights.
    _separated_fraction = None

    # which weights the monitor keeps without early stopping: those of the
    # lowest training loss ("best"), or the last epoch's ("last")
    _monitor_keep = "best"

    # rows of a batch_size="auto" batch: scikit-learn's 200 suits small MLPs,
    # whose steps cost per-call overhead; families whose steps cost FLOPs
    # (convolutions, attention over timepoints) take smaller batches, which
    # give more steps for the same compute on small data
    _auto_batch_rows = 200

    def _resolved_batch_size(self, n_samples):
        if self.batch_size == "auto":
            return max(1, min(self._auto_batch_rows, n_samples))
        return max(1, min(int(self.batch_size), n_samples))

    def _auto_optimizer(self, n_samples, incremental, lazy, context):
        """What ``optimizer="auto"`` trains with (families other than the MLPs:
        Adam)."""
        return "adam"

    def _resolve_optimizer(
        self, X, incremental, continuing, context, asynchronous=None
    ):
        """The optimizer of this call: ``optimizer``, with "auto" resolved.

        A warm-started fit keeps the optimizer (and its state) that "auto" chose
        before; ``partial_fit`` trains with Adam after an L-BFGS fit, since
        L-BFGS needs the whole data set at each step.
        """
        lazy = _is_lazy(X)
        # a sparse X is densified batch by batch (but where the first layer
        # multiplies it as such: the MLPs, under L-BFGS too); a full batch of
        # it only when that is small
        dense_bytes = 4 * X.shape[0] * int(np.prod(X.shape[1:]))
        big_sparse = issparse(X) and dense_bytes > _LBFGS_SPARSE_DENSE_BYTES
        name = self.optimizer
        if name == "auto":
            if continuing:
                name = self._optimizer
                if incremental and name in _FULL_BATCH:
                    name = "adam"
            else:
                name = self._auto_optimizer(
                    X.shape[0],
                    incremental,
                    lazy or big_sparse,
                    context if asynchronous is None else asynchronous,
                )
        if name not in _FULL_BATCH:
            return name
        why = None
        if incremental:
            why = "partial_fit (full-batch steps need the whole data set)"
        elif lazy:
            why = (
                "lazily read input (memmap, h5py, zarr, dask): its full-batch "
                "steps need the whole data set in memory"
            )
        elif big_sparse and not (
            name == "lbfgs" and self._first_layer_width(1) is not None
        ):  # the MLPs' first layer multiplies a sparse full batch
            why = (
                f"sparse input whose dense full batch would take "
                f"{dense_bytes / 2**30:.1f} GiB"
            )
        elif context is not None:
            why = "data_parallel() (full-batch steps are not sharded)"
        elif asynchronous is not None:
            why = "asynchronous() (its workers share out mini-batches)"
        elif getattr(self, "dropout", 0) > 0:
            why = (
                f"dropout={self.dropout}: its line search compares losses of the "
                "same batch, which dropout makes random"
            )
        if why is not None:
            raise ValueError(
                f"optimizer={name!r} cannot be used with {why}. Use a stochastic "
                "optimizer such as optimizer='adam'."
            )
        if name == "newton":
            self._check_newton()
        return name

    def _check_newton(self):
        """Newton's method is for the small convex problems of the book's
        chapter 17; families that allow it override this."""
        raise ValueError(
            f"optimizer='newton' is not available for {type(self).__name__}."
        )

    def _make_optimizer_kwargs(self, optimizer=None, user=None):
        """Keyword arguments of the torch optimizer (skorch adds its prefix);
        ``user``: the player's own ``optimizer_params`` (default: this
        estimator's)."""
        optimizer = self.optimizer if optimizer is None else optimizer
        kwargs = {}
        if optimizer == "sgd":
            kwargs["momentum"] = self.momentum
            kwargs["nesterov"] = bool(self.nesterovs_momentum and self.momentum > 0)
        user = dict((self.optimizer_params if user is None else user) or {})
        if optimizer == "lbfgs":
            # one L-BFGS iteration per epoch (n_iter_ counts iterations, as
            # scikit-learn's); torch keeps the curvature pairs between calls,
            # so the iterations are those of one long run. At a gradient
            # below tol a step no longer moves, and the plateau rule (with a
            # zero loss tolerance, see _build_net) ends the fit.
            kwargs.update(
                max_iter=1,
                # torch's default max_iter * 5 // 4 = 1 evaluation would cut
                # the line search short (it stalls at t=0 within a few dozen
                # iterations); with room for its 25 trials, one-iteration calls
                # reproduce a single long run exactly
                max_eval=26,
                history_size=_LBFGS_HISTORY,
                line_search_fn="strong_wolfe",
                tolerance_grad=float(self.tol),  # scikit-learn's gtol=tol
                tolerance_change=0.0,
            )
        elif optimizer == "newton":
            pass  # no settings: the step is exact, the line search Armijo's
        else:
            device = getattr(self, "_device", torch.device("cpu"))
            kwargs.update(_kernel_kwargs(optimizer, device, user))
        kwargs.update(user)
        return kwargs

    # ---------------------------------------------------------------- engine
    def _to_tensor(self, a, dtype=None):
        a = np.ascontiguousarray(a)
        if not a.flags.writeable:
            a = a.copy()
        t = torch.from_numpy(a)
        if dtype is not None:
            t = t.to(dtype)
        return t.to(self._device)

    def _fit_engine(self, X, y, sample_weight, *, n_outputs, incremental=False):
        """Train the module on validated ``X`` (float32) and encoded ``y``.

        ``incremental`` is True for ``partial_fit``: one epoch, no validation
        split, continuing from the current state when there is one. The steps:
        plan the fit (budget, split, seeds), build the net or continue the
        fitted one, train it, and read the fitted attributes off it.
        """
        fresh = not incremental and not (self.warm_start and hasattr(self, "_net"))
        if fresh:
            done = _batched.lookup(self, X, y, sample_weight)
            if done is not None:  # trained already, with other candidates
                return self._adopt_fit(done)
        plan = self._plan_fit(X, y, sample_weight, n_outputs, incremental)
        request = _batched.active_request(self) if fresh else None
        if request is not None:
            with torch_seed(plan.rank_seed, self._device):
                _batched.train_batched(
                    self, plan, n_outputs, request, X, y, sample_weight
                )
            return self
        with torch_seed(plan.rank_seed, self._device):
            if plan.continuing:
                net, monitor, saved = self._continue_net(plan)
            else:
                net, monitor, saved = self._build_net(plan, n_outputs), None, None
                monitor = dict(net.callbacks)["monitor"]
            if plan.continuing:  # a new net decided in _build_net
                self._sparse_batches(plan, net.module_)
            plan.history_start = len(net.history)
            with _intra_op_threads(self._fit_threads(net.module_, plan)):
                self._train_net(net, monitor, saved, plan)
        if net._interrupted:
            self._recover_from_interrupt(net, monitor, saved)
        return self._finish_fit(net, monitor, plan)

    def _first_layer_width(self, n_outputs):
        """Units of the first layer where ``_build_module`` gives a module
        whose first layer multiplies sparse batches (the MLPs': then L-BFGS
        takes a sparse full batch too), else None."""
        return None

    def _densify_once(self, X, n_outputs, optimizer):
        """Whether sparse ``X`` is made dense once, before training: where
        its dense copy is small (``_DENSIFY_ONCE_BYTES``) and sparse batches
        would not pay (``sparse_pays``) or not be taken: no CSR gathers per
        batch (a 2,000 x 1,000 one-hot code, 72 epochs on one core: 0.94 s,
        0.98 s densified batch by batch, 1.30 s in sparse batches; the same
        rows given dense 0.85 s)."""
        if 4 * X.shape[0] * X.shape[1] > _DENSIFY_ONCE_BYTES:
            return False
        width = self._first_layer_width(n_outputs)
        if width is None:
            return True
        full = optimizer in _FULL_BATCH
        rows = X.shape[0] if full else self._resolved_batch_size(X.shape[0])
        return not self._sparse_pays(X, width, optimizer, rows)

    @staticmethod
    def _sparse_pays(X, width, optimizer, rows):
        """Whether training on sparse ``X`` takes sparse batches of ``rows``
        rows into a first layer of ``width`` units (``sparse_pays``); never
        under Newton's method, whose Hessian differentiates twice, which
        torch's sparse products do not support."""
        return optimizer != "newton" and sparse_pays(X, width, rows)

    def _takes_sparse(self, module):
        """Whether ``module`` is fed scipy sparse input as torch sparse
        batches (its first layer multiplies them: the MLPs) rather than dense
        ones; never where the family prepares its input (``_prepare_X``)."""
        return type(self)._prepare_X is _BaseTorchEstimator._prepare_X and (
            sparse_batches(module)
        )

    def _sparse_batches(self, plan, module, fresh=False):
        """Sparse training batches for a module that takes them; a ``fresh``
        module (no optimizer yet) trained by Adam then stores its first
        weight input-major (torch's L-BFGS flattens gradients with ``view``,
        which needs the row-major layout)."""
        dataset = plan.dataset
        if isinstance(dataset, _SparseDataset):
            dataset.sparse_batches = self._takes_sparse(module) and self._sparse_pays(
                dataset.X,
                module.layers[0].out_features,
                plan.optimizer,
                plan.batch_size,
            )
            adam = plan.optimizer in ("adam", "adamw")
            if dataset.sparse_batches and fresh and adam:
                input_major(module.layers[0])

    def _fit_threads(self, module, plan):
        """Intra-op threads for training: 1 for small steps on the CPU, else None.

        A step whose work (parameters x batch rows x positions per sample, about
        the multiply-adds of one batch) is below ``_SMALL_STEP_WORK`` is
        dominated by per-operation overhead, which more threads only add to:
        with 2 threads a default MLP on breast_cancer used 3.5x the CPU time
        of 1 thread for the same wall time (issue "README and docs").
        """
        if self._device.type != "cpu" or torch.get_num_threads() == 1:
            return None
        X = plan.dataset.X
        if not isinstance(X, torch.Tensor):
            return None  # lazily read data: reading, not compute, bounds a step
        positions = int(np.prod(X.shape[2:])) if X.ndim > 2 else 1
        n_params = sum(p.numel() for p in module.parameters())
        work = n_params * plan.batch_size * positions
        return 1 if work < _SMALL_STEP_WORK else None

    def _adopt_fit(self, fitted):
        """Take the fitted state of an equal estimator trained on the same data."""
        params = self.get_params(deep=False)
        for key, value in vars(fitted).items():
            if key not in params:
                setattr(self, key, value)
        return self

    def _plan_fit(self, X, y, sample_weight, n_outputs, incremental):
        """Device, seeds, dataset, validation split and epoch budget of a fit."""
        n_samples = X.shape[0]
        if incremental and self.early_stopping != "auto" and self.early_stopping:
            # as scikit-learn's MLP: one epoch on a batch has no validation
            raise ValueError(
                "partial_fit does not support early_stopping=True: each call is "
                "one epoch on the data it is given. Set early_stopping=False, or "
                "hold out validation data yourself."
            )
        continuing = hasattr(self, "_net") and (incremental or self.warm_start)
        if continuing and self._net_n_outputs != n_outputs:
            raise ValueError(
                f"warm_start/partial_fit cannot change the number of outputs "
                f"(fitted with {self._net_n_outputs}, got {n_outputs})."
            )
        context = _distributed._active()
        asynchronous = _distributed._active_async()
        optimizer = self._resolve_optimizer(
            X, incremental, continuing, context, asynchronous
        )
        if not continuing:
            self._device = check_device(self.device)
            self._seed = draw_seed(self.random_state)
        if context is not None:
            self._device, self._seed = _data_parallel_setup(
                context, self._device, self._seed, self._resolved_batch_size(n_samples)
            )

        y_t = self._to_tensor(y)
        # unit weights take the plain-mean path; any others (equal ones too:
        # the penalties divide by the weight sum) the weighted one
        unit = bool(np.all(sample_weight == 1.0))
        w_t = None if unit else self._to_tensor(sample_weight, torch.float32)
        if _is_lazy(X):
            dataset = _LazyDataset(
                X, y_t, w_t, prepare=self._prepare_X, device=self._device
            )
        elif issparse(X) and self._densify_once(X, n_outputs, optimizer):
            dense = X.toarray().astype(np.float32, copy=False)
            dataset = _TensorDataset(self._to_tensor(self._prepare_X(dense)), y_t, w_t)
        elif issparse(X):  # sparse or densified batches (_sparse_batches)
            dataset = _SparseDataset(
                X, y_t, w_t, prepare=self._prepare_X, device=self._device
            )
        else:
            dataset = _TensorDataset(self._to_tensor(self._prepare_X(X)), y_t, w_t)

        use_validation = not incremental and self._resolved_early_stopping(n_samples)
        train_split = None
        if use_validation:
            try:
                train_split = self._validation_split(y, n_samples)
            except ValueError:
                if self.early_stopping != "auto":
                    raise
                # "auto" was not asked for a split: a class too rare to
                # stratify trains on every row instead
                use_validation = False

        if optimizer in _FULL_BATCH:  # full batch, as scikit-learn's lbfgs
            batch_size = max(
                1, n_samples if train_split is None else len(train_split.train_index)
            )
        else:
            batch_size = self._resolved_batch_size(n_samples)
        if train_split is None:
            n_train = n_samples
            chance_loss = self._chance_loss(y, sample_weight)
        else:
            rows = train_split.train_index.cpu().numpy()
            n_train = len(rows)
            chance_loss = self._chance_loss(y[rows], sample_weight[rows])
        max_epochs = self._resolved_max_iter(n_train, batch_size, optimizer)
        if getattr(self, "batch_norm", False) and (batch_size < 2 or n_samples < 2):
            raise ValueError(
                "batch_norm=True needs batches of at least 2 rows (batch "
                f"statistics); got batch_size={self.batch_size} and "
                f"n_samples={n_samples}."
            )
        # Each call draws fresh dropout masks and shuffles, reproducibly.
        n_done = len(self._net.history) if continuing else 0
        call_seed = self._seed + 7919 * n_done
        return _FitPlan(
            incremental=incremental,
            continuing=continuing,
            context=context,
            asynchronous=asynchronous,
            dataset=dataset,
            train_split=train_split,
            use_validation=use_validation,
            batch_size=batch_size,
            n_train=n_train,
            chance_loss=chance_loss,
            max_epochs=max_epochs,
            patience=self._resolved_patience(n_train, batch_size),
            epochs=1 if incremental else max_epochs,
            call_seed=call_seed,
            # data-parallel processes share the shuffling (seeded by
            # call_seed) but draw their own dropout masks
            rank_seed=call_seed + (0 if context is None else 104729 * context.rank),
            optimizer=optimizer,
        )

    @staticmethod
    def _valid_rows(plan):
        """Rows per validation batch (fewer for sparse X where densified)."""
        if isinstance(plan.dataset, _SparseDataset):
            return _sparse_block_rows(plan.dataset.X, _VALID_CHUNK)
        return _VALID_CHUNK

    @property
    def _optimizer(self):
        """The kind of optimizer the fitted net trains with ("adam", "lbfgs", ...)."""
        return self._net._optimizer_kind

    def _resolve_alpha(self, plan, module):
        """The L2 penalty of a new net (families with ``alpha="auto"`` override)."""
        return float(self.alpha)

    def _continue_net(self, plan):
        """The fitted net, set up for another call; and its saved state."""
        net = self._net
        # a failed or interrupted call must leave the model as it was
        saved = _save_training_state(net)
        net.iterator_valid__batch_size = self._valid_rows(plan)
        net.max_epochs = plan.epochs
        net.train_split = plan.train_split
        net.batch_size = plan.batch_size
        monitor = dict(net.callbacks)["monitor"]
        monitor.early_stopping = plan.use_validation
        monitor.stop_on_plateau = not plan.incremental
        monitor.total_epochs = plan.epochs
        monitor.no_improvement_ = 0
        monitor.validation_scores_ = []
        monitor.best_validation_score_ = -np.inf
        monitor.chance_loss = plan.chance_loss
        monitor.n_iter_no_change = plan.patience
        monitor.tol = self._monitor_tol(plan)
        if plan.optimizer != self._optimizer:
            self._switch_optimizer(net, plan)
        schedule = dict(net.callbacks)["schedule"]
        if not plan.incremental and schedule.kind == "cosine":
            # each fit call anneals over its own max_iter epochs (a warm
            # restart; it restarted at a step of 0 before); partial_fit calls
            # continue one schedule
            schedule.epoch_ = 0
            schedule.n_epochs = plan.max_epochs
        net.configure_lbfgs(self._max_fun(plan))
        net._step = self._training_step()
        return net, monitor, saved

    def _lr_factors(self, module):
        """Per-parameter step factors ``{name: factor}`` (None: one step size)."""
        return None

    def _optimizer_setup(self, plan, module):
        """Class, keyword arguments and first learning rate of the optimizer."""
        name = plan.optimizer
        optimizer_kwargs = self._make_optimizer_kwargs(name)
        cls = _OPTIMIZERS[name]
        _check_optimizer_kwargs(
            name,
            optimizer_kwargs,
            self._device,
            "optimizer_params",
            self.optimizer_params,
        )
        # L-BFGS: learning_rate_init and the schedule do not apply (as in
        # scikit-learn); its strong-Wolfe line search starts from a unit step
        lr0 = 1.0 if name in _FULL_BATCH else self.learning_rate_init * self._lr_scale()
        factors = None if name in _FULL_BATCH else self._lr_factors(module)
        if factors:
            # one parameter group per parameter, its step lr0 * factor; the
            # schedule scales each group's step by its factor (lr_factor)
            optimizer_kwargs["param_groups"] = [
                (pname, {"lr": lr0 * f, "lr_factor": f}) for pname, f in factors.items()
            ]
        return cls, optimizer_kwargs, lr0

    def _switch_optimizer(self, net, plan):
        """Give a fitted net a fresh optimizer of another kind (its weights stay)."""
        cls, kwargs, lr0 = self._optimizer_setup(plan, net.module_)
        _replace_optimizer_attrs(
            net,
            {
                "optimizer": cls,
                "lr": lr0,
                **{f"optimizer__{k}": v for k, v in kwargs.items()},
            },
        )
        net.initialize_optimizer()
        schedule = dict(net.callbacks)["schedule"]
        schedule.kind = self._schedule_kind(plan)
        schedule.lr0 = schedule.lr_ = lr0
        schedule.step_ = schedule.epoch_ = 0
        net._optimizer_kind = plan.optimizer

    def _monitor_tol(self, plan):
        """Loss improvement the plateau rule counts: ``tol``; under L-BFGS
        ``tol`` times the loss of the best constant prediction (relative to the
        loss scale: full-batch steps decrease the loss a little at every
        iteration long after the model has stopped changing; ``tol`` is also
        the gradient tolerance, as scikit-learn's gtol)."""
        if plan.optimizer in _FULL_BATCH and not plan.use_validation:
            return self.tol * (plan.chance_loss or 1.0)
        return self.tol

    def _schedule_kind(self, plan):
        if plan.optimizer in _FULL_BATCH:
            return "constant"
        # "adaptive" is scikit-learn's name for the plateau rule
        return "plateau" if self.learning_rate == "adaptive" else self.learning_rate

    def _max_fun(self, plan):
        """L-BFGS's budget of loss evaluations (None: another optimizer)."""
        if plan.optimizer != "lbfgs":
            return None
        return int(getattr(self, "max_fun", 15000))

    def _build_net(self, plan, n_outputs):
        """A new module, optimizer, stopping rule and schedule in a skorch net."""
        module = self._build_module(self.n_features_in_, n_outputs)
        self._sparse_batches(plan, module, fresh=True)  # before any read
        cls, optimizer_kwargs, lr0 = self._optimizer_setup(plan, module)
        if plan.optimizer == "newton":
            # a convex problem: start at 0, as scikit-learn's solvers do (from
            # random logits a nearly separable problem takes dozens of damped
            # steps before the quadratic phase)
            with torch.no_grad():
                for p in module.parameters():
                    p.zero_()
        monitor = _Monitor(
            score_fn=self._validation_score,
            tol=self._monitor_tol(plan),
            n_iter_no_change=plan.patience,
            early_stopping=plan.use_validation,
            verbose=self.verbose,
            stop_on_plateau=not plan.incremental,
            total_epochs=plan.epochs,
            chance_loss=plan.chance_loss,
            chance_guard_epochs=max(
                plan.patience, math.ceil(_CHANCE_GUARD_FRACTION * plan.max_epochs)
            ),
            separated_fraction=self._separated_fraction,
            label=type(self).__name__,
            keep=self._monitor_keep,
        )
        schedule = _LRSchedule(
            self._schedule_kind(plan),
            lr0,
            power_t=self.power_t,
            n_epochs=plan.max_epochs,
            tol=self.tol,
            patience=2,
            monitor="valid_loss" if plan.use_validation else "train_loss",
        )
        generator = torch.Generator().manual_seed(self._seed)
        net = _SkorchNet(
            module=module,
            criterion=self._criterion(),
            optimizer=cls,
            lr=lr0,
            max_epochs=plan.epochs,
            batch_size=plan.batch_size,
            iterator_train=_TensorBatchIterator,
            iterator_valid=_TensorBatchIterator,
            iterator_train__shuffle=self.shuffle,
            iterator_train__generator=generator,
            iterator_valid__batch_size=self._valid_rows(plan),
            train_split=plan.train_split,
            # family callbacks first: they see each epoch before the
            # monitor may stop training at its end
            callbacks=[
                *self._extra_callbacks(),
                ("monitor", monitor),
                ("schedule", schedule),
            ],
            # history keeps the epoch losses, which _SkorchNet records
            # itself; skorch's timing, printing and per-batch loss
            # scoring are unused
            callbacks__epoch_timer=None,
            callbacks__print_log=None,
            callbacks__train_loss=None,
            callbacks__valid_loss=None,
            predict_nonlinearity=None,
            device=str(self._device),
            verbose=0,
            **{f"optimizer__{k}": v for k, v in optimizer_kwargs.items()},
        )
        net._second_player = self._second_player(plan)
        net._step = self._training_step()
        net.initialize()
        # the penalty in use: ``alpha``, or chosen from the data for "auto"
        self._alpha_used = self._resolve_alpha(plan, net.module_)
        net.configure(
            l2=self._alpha_used,
            l1=self.l1_alpha,
            reduce_per_sample=getattr(self, "_reduce_per_sample", None),
            max_grad_norm=getattr(self, "max_grad_norm", None),
        )
        net.configure_lbfgs(self._max_fun(plan))
        net._optimizer_kind = plan.optimizer  # saved and restored with the net
        self._net_n_outputs = n_outputs
        return net

    def _train_net(self, net, monitor, saved, plan):
        """Run the epochs; on failure leave the model as it was before the call."""
        net.data_parallel(plan.context, self._device)
        net.asynchronous(plan.asynchronous, plan.rank_seed)
        stale = None
        try:
            net.partial_fit(plan.dataset, None)
        except BaseException as exc:
            monitor.best_state_ = None
            diverged = isinstance(exc, _NonFiniteLossError)
            if saved is not None:
                # a NaN loss, an ODE solver failing on diverged weights...
                _restore_training_state(net, saved)
                if isinstance(exc, ValueError) and exc.args:
                    exc.args = (
                        f"{exc.args[0]} The model is unchanged: it predicts "
                        "as before this call.",
                        *exc.args[1:],
                    )
            elif diverged:
                self._reset_fitted_state()
            if diverged:
                raise ValueError(*exc.args) from None
            raise
        finally:
            net.data_parallel(None, self._device)
            stale = net.asynchronous(None)
        if stale is not None:
            self.staleness_ = stale
        elif hasattr(self, "staleness_"):
            del self.staleness_  # a fit outside asynchronous()

        if net._interrupted:
            return
        if plan.use_validation and monitor.best_state_ is not None:
            net.module_.load_state_dict(monitor.best_state_)
        if not plan.incremental:
            train_ds = plan.dataset
            if plan.use_validation:
                train_ds = train_ds.subset(plan.train_split.train_index)
            _refresh_batch_norm(
                net.module_,
                train_ds,
                plan.batch_size,
                torch.Generator().manual_seed(plan.call_seed + 1),
            )

    def _recover_from_interrupt(self, net, monitor, saved):
        """After Ctrl-C: keep the best weights so far, or undo the call."""
        # drop the row of the epoch that the interrupt cut short
        while len(net.history) and "train_loss" not in net.history[-1]:
            net.history.pop()
        if monitor.best_state_ is None:
            if saved is not None:
                _restore_training_state(net, saved)
                raise KeyboardInterrupt(
                    "Training was interrupted before the first epoch ended; "
                    "the model is as it was before this call."
                )
            self._reset_fitted_state()
            raise KeyboardInterrupt(
                "Training was interrupted before the first epoch ended; "
                "the estimator is not fitted."
            )
        net.module_.load_state_dict(monitor.best_state_)
        warnings.warn(
            f"Training interrupted (KeyboardInterrupt) after "
            f"{len(net.history)} epoch(s); keeping the best weights so far "
            f"(epoch {monitor.best_epoch_}).",
            UserWarning,
            stacklevel=4,
        )

    def _finish_fit(self, net, monitor, plan):
        """Fitted attributes, and the divergence and convergence warnings."""
        monitor.best_state_ = None
        net.module_.eval()
        self._net = net
        self.module_ = net.module_
        self._after_fit(net)
        history = net.history
        self.loss_curve_ = [float(row["train_loss"]) for row in history]
        self.loss_ = self.loss_curve_[-1]
        self.n_iter_ = len(history)
        # as scikit-learn: with early stopping the validation score decides
        self.best_loss_ = None if plan.use_validation else float(monitor.best_loss_)
        if plan.use_validation:
            self.validation_scores_ = list(monitor.validation_scores_)
            self.best_validation_score_ = float(monitor.best_validation_score_)
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        finished = not plan.incremental and not net._interrupted
        this_call = history[plan.history_start :]
        if finished and plan.chance_loss is not None and len(this_call):
            self._warn_if_diverged(this_call, plan.chance_loss, monitor.converged_)
        if finished and getattr(net, "_lbfgs_exhausted", False):
            warnings.warn(
                f"{type(self).__name__}: lbfgs failed to converge: max_fun="
                f"{self._max_fun(plan)} loss evaluations reached after "
                f"{self.n_iter_} iterations (tol={self.tol}, "
                f"n_iter_no_change={plan.patience}).",
                ConvergenceWarning,
                stacklevel=4,
            )
        elif finished and not monitor.converged_ and plan.patience <= plan.epochs:
            warnings.warn(
                f"{type(self).__name__}: max_iter={self.max_iter} ({plan.epochs} "
                "epochs) reached "
                "and the optimization hasn't converged yet (tol="
                f"{self.tol}, n_iter_no_change={plan.patience}).",
                ConvergenceWarning,
                stacklevel=4,
            )
        return self

    def _warn_if_diverged(self, history, chance_loss, converged=True):
        """Warn when a fit hands back a model worse than where it started.

        A finite loss can still have diverged (a huge learning rate makes the
        loss bounce at 1e16 without overflowing); the model returned is then
        worse than a constant prediction, and nothing else would say so. A
        fit that ran out of epochs while its loss was still falling from a
        random start is not that (its ConvergenceWarning says so).
        """
        final = float(history[-1].get("train_data_loss", history[-1]["train_loss"]))
        first = float(history[0].get("train_data_loss", history[0]["train_loss"]))
        # (plus a sliver of the first epoch's loss: when a constant predicts
        # the training data all but exactly, one label say, a loss of 1e-6 is
        # no failure)
        worse_than_constant = (
            final > (1.0 + _CHANCE_MARGIN) * chance_loss + 1e-3 * first
            # a constant fits the data (one label, a constant target): a loss
            # that fell from the first epoch's is no failure
            and not (chance_loss <= 1e-6 * first and final < first)
        )
        # (near the constant's loss: a diverged loss may also dip below its
        # first epoch's)
        still_falling = not converged and final < min(first, 2.0 * chance_loss)
        blew_up = final > 10.0 * first
        if (worse_than_constant and not still_falling) or blew_up:
            warnings.warn(
                f"{type(self).__name__}: training diverged or learnt nothing: the "
                f"final training loss {final:.4g} is above the {chance_loss:.4g} "
                f"of a constant prediction or far above the first epoch's "
                f"{first:.4g}. Try a smaller learning_rate_init, scaling the "
                "inputs (e.g. StandardScaler), or a stronger alpha.",
                UserWarning,
                stacklevel=5,
            )

    def _validation_split(self, y, n_samples):
        n_valid = int(np.ceil(self.validation_fraction * n_samples))
        if n_valid < 2 or n_samples - n_valid < 1:
            # one validation row has no score to stop on (R^2 needs two)
            raise ValueError(
                f"The validation set is too small: early_stopping=True holds out "
                f"validation_fraction={self.validation_fraction} of "
                f"n_samples={n_samples}, {n_valid} row(s), and needs at least 2 "
                "validation rows and 1 training row. Use more data, a larger "
                "validation_fraction, or early_stopping=False."
            )
        index = np.arange(n_samples)
        stratify = None
        if self._is_classifier_engine and y.ndim == 1:
            stratify = y
        elif self._is_classifier_engine and y.ndim == 2 and y.shape[1] == 1:
            stratify = y[:, 0]  # binary targets are stored as one 0/1 column
        try:
            train_idx, valid_idx = train_test_split(
                index,
                test_size=self.validation_fraction,
                random_state=self._seed % (2**32 - 1),
                stratify=stratify,
            )
        except ValueError as exc:  # its message names test_size, not ours
            raise ValueError(
                f"early_stopping=True cannot hold out validation_fraction="
                f"{self.validation_fraction} of {n_samples} samples: {exc} "
                "(test_size is validation_fraction here). Use more data, a "
                "larger validation_fraction, or early_stopping=False."
            ) from None
        device = self._device
        return _IndexSplit(
            torch.as_tensor(np.sort(train_idx), device=device),
            torch.as_tensor(np.sort(valid_idx), device=device),
        )

    def _reset_fitted_state(self):
        for key in list(vars(self)):
            if (key.endswith("_") and not key.startswith("__")) or key in (
                "_net",
                "_net_n_outputs",
            ):
                delattr(self, key)

    # ------------------------------------------------------------- inference
    def _forward(self, X, fn=None, prepare=True):
        """Module outputs for validated float32 ``X``, as float32 numpy.

        ``fn(module, batch)`` replaces the forward pass (e.g. an encoder only);
        it must return one tensor.
        """
        module = self.module_
        if module.training:
            module.eval()
        lazy, sparse = _is_lazy(X), issparse(X)
        if prepare and not lazy and not sparse:  # else prepared block by block
            X = self._prepare_X(X)
        n = X.shape[0]
        device = self._device
        outs = []
        result = None  # preallocated once the first block's width is known
        # sparse X: sparse blocks where the module takes them, else dense ones
        keep_sparse = (
            sparse
            and fn is None
            and self._takes_sparse(module)
            and sparse_pays(X, module.layers[0].out_features, _INFERENCE_CHUNK)
        )
        rows = (
            _sparse_block_rows(X, _INFERENCE_CHUNK)
            if sparse and not keep_sparse
            else _INFERENCE_CHUNK
        )
        with torch.inference_mode():
            for start in range(0, n, rows):
                chunk = X[start : start + rows]
                if keep_sparse:  # no gradient: CSR, as scipy holds it
                    xb = sparse_from_scipy(chunk, device, torch.sparse_csr)
                else:
                    xb = self._dense_block(chunk, lazy, sparse, prepare, device)
                out = module(xb) if fn is None else fn(module, xb)
                out = out.float().cpu().numpy()
                if n <= rows:
                    outs.append(out)
                    continue
                if result is None:
                    result = np.empty((n, *out.shape[1:]), dtype=np.float32)
                result[start : start + len(out)] = out
        return outs[0] if result is None else result

    def _dense_block(self, chunk, lazy, sparse, prepare, device):
        """One block of inference input as a dense tensor on ``device``."""
        if lazy:  # read and check one block at a time
            chunk = self._validate_X(np.asarray(chunk), reset=False)
        elif sparse:  # one dense block at a time
            chunk = chunk.toarray()
        if (lazy or sparse) and prepare:
            chunk = self._prepare_X(chunk)
        if not (chunk.flags.writeable and chunk.flags.c_contiguous):
            chunk = np.array(chunk, order="C", copy=True)
        return torch.from_numpy(chunk).to(device)

    def _differentiable_output(self, X):
        """What ``predict`` (regressors) or ``predict_proba`` returns, as a
        differentiable float32 tensor of shape (n_samples, n_outputs), for a
        float32 tensor ``X`` on the model's device (used by gradient feature
        importance)."""
        raise NotImplementedError  # pragma: no cover

    def _check_inference_input(self, X, *, stream=False):
        # Large plain arrays, when the caller only feeds _forward (stream=True):
        # checked and cast to float32 block by block there, so that predict's
        # memory does not grow with the number of rows (a whole-input float32
        # copy of 10 M x 20 float64 rows is 800 MB, its finiteness mask 200 MB).
        if (
            stream
            and type(X) is np.ndarray
            and X.ndim == 2
            and X.nbytes > _STREAM_PREDICT_BYTES
            and hasattr(self, "_net")
            and not hasattr(self, "feature_names_in_")
        ):
            # every block goes through the family's own _validate_X
            X = _RowBlocks(X)
        # Fast path for the common call (SHAP and permutation importance make
        # thousands): a fitted model and a plain 2-D float ndarray without
        # feature names. sklearn's validate_data spends ~60 us per call probing
        # for dataframes; anything unusual still goes through it, so error
        # messages stay sklearn's.
        if (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in (np.float32, np.float64)
            and hasattr(self, "_net")
            and X.shape[0] > 0
            and X.shape[1] == getattr(self, "n_features_in_", -1)
            and not hasattr(self, "feature_names_in_")
            and self._fast_inference_ok
            and np.isfinite(X).all()
        ):
            with np.errstate(over="ignore"):
                X = np.ascontiguousarray(X, dtype=np.float32)
            _check_float32_range(X)
            return X
        check_is_fitted(self)
        if _is_lazy(X):
            # streamed by _forward, which checks each block
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is "
                    f"expecting {self.n_features_in_} features as input."
                )
            return X
        return self._validate_X(X, reset=False)

    # Families whose _validate_X does more than sklearn's 2-D checks set False.
    _fast_inference_ok = True

    # ------------------------------------------------------------- pickling
    def __getstate__(self):
        # object.__getstate__ returns the live __dict__: copy before editing.
        state = dict(super().__getstate__())
        # module_ is the net's module; skorch pickles it device-independently
        # and we re-link it on load, so a GPU model unpickles on a CPU machine.
        if "_net" in state:
            state.pop("module_", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_net" in state:
            self.module_ = self._net.module_
            net_device = torch.device(self._net.device)
            if net_device.type != self._device.type:
                self._device = net_device

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


# ---------------------------------------------------------------------------
# Target handling shared by every family
# ---------------------------------------------------------------------------
def _classification_accuracy(y_pred, y, w, *, kind):
    if kind == "binary":
        correct = (y_pred[:, 0] > 0).to(y.dtype) == y[:, 0]
    elif kind == "multiclass":
        correct = y_pred.argmax(dim=1) == y
    else:
        correct = ((y_pred > 0).to(y.dtype) == y).all(dim=1)
    return (correct.float() * w).sum() / w.sum()


def _regression_r2(y_pred, y, w):
    w = w[:, None]
    total = w.sum()
    mean = (w * y).sum(dim=0) / total
    ss_res = (w * (y - y_pred) ** 2).sum(dim=0)
    ss_tot = (w * (y - mean) ** 2).sum(dim=0)
    r2 = torch.where(
        ss_tot > 0, 1 - ss_res / ss_tot.clamp_min(1e-30), (ss_res == 0).float()
    )
    return r2.mean()


def _latent_draws(n_samples, n_components, random_state):
    """``n_samples`` draws of N(0, I_n_components) (float32), for ``sample``."""
    if not isinstance(n_samples, Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    Z = check_random_state(random_state).standard_normal((n_samples, n_components))
    return np.ascontiguousarray(Z, dtype=np.float32)


def _checked_sample_weight(sample_weight, X):
    sw = _check_sample_weight(
        sample_weight, X, dtype=np.float32, ensure_non_negative=True
    )
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if sw.sum() <= 0:
        raise ValueError("sample_weight must have a positive sum.")
    return sw


class _BaseTorchClassifier(_BaseTorchEstimator):
    """Label encoding, losses and probability outputs for torch classifiers.

    Binary targets use one logit and the logistic loss, multiclass targets one
    logit per class and the softmax cross-entropy, multilabel indicator targets
    one logit per label and a logistic loss per label.
    """

    _parameter_constraints: dict = {
        **_BaseTorchEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _is_classifier_engine = True
    _separated_fraction = 0.01

    def _criterion(self):
        if self._target_kind == "multiclass":
            return torch.nn.CrossEntropyLoss(reduction="none")
        return torch.nn.BCEWithLogitsLoss(reduction="none")

    @property
    def _validation_score(self):
        return functools.partial(_classification_accuracy, kind=self._target_kind)

    def _chance_loss(self, y, sample_weight):
        # cross-entropy of predicting the (weighted) class frequencies
        w = np.asarray(sample_weight, dtype=np.float64)
        if self._target_kind == "multiclass":
            freq = np.bincount(y, weights=w, minlength=len(self.classes_)) / w.sum()
            freq = freq[freq > 0]
            return float(-(freq * np.log(freq)).sum())
        p = np.average(np.asarray(y, dtype=np.float64), axis=0, weights=w)
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return float(np.mean(-(p * np.log(p) + (1 - p) * np.log1p(-p))))

    def _encode_targets(self, y, classes, *, first_call):
        """Validate ``y`` and return (encoded y, n_outputs)."""
        check_classification_targets(y)
        kind = type_of_target(y)
        if kind == "multilabel-indicator":
            y = np.asarray(y)
            if first_call:
                self.classes_ = np.arange(y.shape[1])
                self._target_kind = "multilabel"
            elif self._target_kind != "multilabel" or y.shape[1] != len(self.classes_):
                raise ValueError(
                    "y has a different label structure from the one the "
                    "estimator was fitted with."
                )
            return y.astype(np.float32), y.shape[1]
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"{type(self).__name__} supports binary, multiclass and "
                f"multilabel-indicator targets; got {kind!r} targets."
            )
        y = column_or_1d(y, warn=True)
        if first_call:
            labels = np.unique(y) if classes is None else np.unique(classes)
            if len(labels) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes "
                    f"in the data, but the data contains only one class: "
                    f"{labels[0]!r}."
                )
            self.classes_ = labels
            self._target_kind = "binary" if len(labels) == 2 else "multiclass"
        elif self._target_kind == "multilabel":
            raise ValueError(
                "The estimator was fitted on multilabel targets; got 1-D y."
            )
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if len(unseen):
            raise ValueError(
                f"y contains labels {unseen.tolist()} that are not in classes_ "
                f"{self.classes_.tolist()}."
            )
        codes = np.searchsorted(self.classes_, y)
        if self._target_kind == "binary":
            return codes.astype(np.float32)[:, None], 1
        return codes.astype(np.int64), len(self.classes_)

    def _sample_weight(self, sample_weight, X, y):
        sw = _checked_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            sw = class_sample_weight(self.class_weight, y, sw)
        return sw

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target labels, or a binary indicator matrix for multilabel
            classification.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss. ``None`` gives every
            sample weight 1.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "_net")
        X, y = self._validate_Xy(X, y, reset=not continuing, **self._validate_kwargs())
        old = getattr(self, "classes_", None) if continuing else None
        y_enc, n_outputs = self._encode_targets(y, None, first_call=True)
        if old is not None and not np.array_equal(old, self.classes_):
            self.classes_ = old
            # scikit-learn's MLP message, which its tests and users match
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as "
                f"in the previous call to fit. Previously got {old}, `y` has "
                f"{np.unique(y)}"
            )
        sw = self._sample_weight(sample_weight, X, y)
        return self._fit_engine(X, y_enc, sw, n_outputs=n_outputs)

    @available_if(_stochastic_optimizer)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target labels.

        classes : array-like of shape (n_classes,), default=None
            All the classes that can appear in ``y``. Required on the first call
            for binary and multiclass targets, ignored afterwards.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The updated estimator.
        """
        first_call = not hasattr(self, "_net")
        X, y = self._validate_Xy(X, y, reset=first_call, **self._validate_kwargs())
        if (
            first_call
            and classes is None
            and type_of_target(y) != ("multilabel-indicator")
        ):
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if not first_call and classes is not None:
            # as scikit-learn's MLP: the classes are fixed by the first call
            given = np.unique(np.asarray(classes))
            if not np.array_equal(given, np.asarray(self.classes_)):
                raise ValueError(
                    f"`classes={list(given)}` is not the same as on the first call "
                    f"to partial_fit ({list(self.classes_)}): the classes cannot "
                    "change once the model is fitted."
                )
        y_enc, n_outputs = self._encode_targets(y, classes, first_call=first_call)
        sw = self._sample_weight(sample_weight, X, y)
        return self._fit_engine(X, y_enc, sw, n_outputs=n_outputs, incremental=True)

    def decision_function(self, X):
        """Compute the logits (the network output before softmax or sigmoid).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            One logit per sample for binary problems (positive means
            ``classes_[1]``), otherwise one per class or label.
        """
        X = self._check_inference_input(X, stream=True)
        out = self._forward(X)
        if self._target_kind == "binary":
            return out[:, 0]
        return out

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Predicted labels, or a binary indicator matrix for multilabel
            targets.
        """
        scores = self.decision_function(X)
        if self._target_kind == "multilabel":
            return (scores > 0).astype(np.int64)
        return labels_from_scores(self.classes_, scores)

    def predict_proba(self, X):
        """Predict class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in float64, columns in the order of ``classes_``. Rows
            sum to 1 except for multilabel targets, where each column is the
            probability of its label.
        """
        scores = self.decision_function(X).astype(np.float64)
        if self._target_kind == "binary":
            p = expit(scores)
            return np.column_stack([1.0 - p, p])
        if self._target_kind == "multiclass":
            return softmax(scores, axis=1)
        return expit(scores)

    def predict_log_proba(self, X):
        """Predict the logarithm of class probabilities, computed stably.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        scores = self.decision_function(X).astype(np.float64)
        if self._target_kind == "binary":
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        if self._target_kind == "multiclass":
            return log_softmax(scores, axis=1)
        return log_expit(scores)

    def _validate_kwargs(self):
        return {}

    def _differentiable_output(self, X):
        scores = self.module_(self._prepare_X(X))
        if self._target_kind == "multiclass":
            return torch.softmax(scores, dim=1)
        # binary: probability of classes_[1]; multilabel: one per label
        return torch.sigmoid(scores)

    def __call__(self, X):
        """Class probabilities, so that the estimator itself is a model function.

        ``shap.Explainer(clf, X_background)`` and other tools that take a
        callable work unchanged; equivalent to ``predict_proba(X)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities.
        """
        return self.predict_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class _OutputScale(torch.nn.Module):
    """A regressor's network followed by the target's de-standardization (and
    the inverse link ``exp`` under the Poisson loss)."""

    def __init__(self, module, std, mean, exp=False):
        super().__init__()
        self.module = module
        self.exp = bool(exp)
        ref = next(module.parameters())
        self.register_buffer("std", torch.as_tensor(std, dtype=ref.dtype))
        self.register_buffer("mean", torch.as_tensor(mean, dtype=ref.dtype))
        self.to(ref.device)

    def forward(self, X):
        out = self.module(X) * self.std + self.mean
        return torch.exp(out) if self.exp else out


class _HalfPoissonDeviance(torch.nn.Module):
    """Per-element half Poisson deviance of the log-mean ``eta``:
    exp(eta) - y eta - y + y log y, zero at a perfect fit (scikit-learn's
    ``loss="poisson"``, up to the constant it drops)."""

    def forward(self, eta, y):
        return torch.exp(eta) - y * eta - y + torch.special.xlogy(y, y)


# alpha="auto" under the Poisson loss: the GCV of a squared-error readout does
# not apply to the deviance; scikit-learn's MLP default
_POISSON_AUTO_ALPHA = 1e-4


class _BaseTorchRegressor(_BaseTorchEstimator):
    """Targets, loss (mean squared error) and outputs for torch regressors."""

    _parameter_constraints: dict = {
        **_BaseTorchEstimator._parameter_constraints,
        "normalize_y": ["boolean"],
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    }

    # families with a ``loss`` parameter set this for loss="poisson"
    @property
    def _log_link(self):
        return getattr(self, "loss", "squared_error") == "poisson"

    def _criterion(self):
        if self._log_link:
            return _HalfPoissonDeviance()
        return torch.nn.MSELoss(reduction="none")

    def _resolve_alpha(self, plan, module):
        """``alpha``, or for "auto" the GCV penalty of the initial readout
        (:mod:`sklearn_mathdl._penalty`)."""
        if not (isinstance(self.alpha, str) and self.alpha == "auto"):
            return float(self.alpha)
        if self._log_link:
            return _POISSON_AUTO_ALPHA
        dataset = plan.dataset
        if plan.train_split is not None:
            rows = plan.train_split.train_index
        else:
            rows = torch.arange(len(dataset), device=dataset.y.device)
        block = self._valid_rows(plan)  # sparse X: dense blocks of <= 32 MiB
        if isinstance(dataset, _LazyDataset):  # read as the training reads it
            block = min(block, _block_rows(dataset.X))
        return auto_alpha(
            module,
            dataset,
            rows,
            plan.batch_size,
            block_rows=block,
            data_parallel=plan.context is not None,
        )

    def _finish_fit(self, net, monitor, plan):
        super()._finish_fit(net, monitor, plan)
        self.alpha_ = self._alpha_used
        return self

    @property
    def _validation_score(self):
        if self._log_link:
            return lambda eta, y, w: _regression_r2(torch.exp(eta), y, w)
        return _regression_r2

    def _chance_loss(self, y, sample_weight):
        # the loss of predicting the (weighted) mean of each output
        y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        w = np.asarray(sample_weight, dtype=np.float64)
        mean = np.average(y, axis=0, weights=w)
        if self._log_link:
            deviance = mean - y * np.log(mean) - y + xlogy(y, y)
            return float(np.mean(np.average(deviance, axis=0, weights=w)))
        return float(np.mean(np.average((y - mean) ** 2, axis=0, weights=w)))

    def _encode_y(self, y, sample_weight, *, first_call):
        y = np.asarray(y, dtype=np.float64)
        if first_call:
            self._y_1d = y.ndim == 1
        y2 = y.reshape(len(y), -1)
        if self._log_link:
            # the log link needs the counts themselves: no standardization
            means = np.average(y2, axis=0, weights=sample_weight)
            if (y2 < 0).any() or not (means > 0).all():
                raise ValueError(
                    "loss='poisson' needs non-negative targets with a positive "
                    f"(weighted) mean; got min(y)={y2.min():.4g}, mean(y)="
                    f"{means.min():.4g}."
                )
        if first_call:
            if self._log_link:
                mean, std = np.zeros(y2.shape[1]), np.ones(y2.shape[1])
            elif self.normalize_y:
                mean, std = standardizing_scale(y2, sample_weight)
            else:
                mean = np.zeros(y2.shape[1])
                std = np.ones(y2.shape[1])
            self._y_mean, self._y_std = mean, std
        elif y2.shape[1] != len(self._y_mean):
            raise ValueError(
                f"y has {y2.shape[1]} outputs but the estimator was fitted with "
                f"{len(self._y_mean)}."
            )
        return ((y2 - self._y_mean) / self._y_std).astype(np.float32)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss. ``None`` gives every
            sample weight 1.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "_net")
        X, y = self._validate_Xy(X, y, reset=not continuing, y_numeric=True)
        sw = _checked_sample_weight(sample_weight, X)
        y_enc = self._encode_y(y, sw, first_call=not continuing)
        self.n_outputs_ = y_enc.shape[1]
        return self._fit_engine(X, y_enc, sw, n_outputs=y_enc.shape[1])

    @available_if(_stochastic_optimizer)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The updated estimator.
        """
        first_call = not hasattr(self, "_net")
        X, y = self._validate_Xy(X, y, reset=first_call, y_numeric=True)
        sw = _checked_sample_weight(sample_weight, X)
        y_enc = self._encode_y(y, sw, first_call=first_call)
        self.n_outputs_ = y_enc.shape[1]
        return self._fit_engine(
            X, y_enc, sw, n_outputs=y_enc.shape[1], incremental=True
        )

    def predict(self, X, return_std=False, n_mc_samples=100):
        """Predict using the trained network, optionally with MC-dropout spread.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        return_std : bool, default=False
            Also return a predictive standard deviation by Monte Carlo dropout
            (Gal and Ghahramani 2016): ``n_mc_samples`` forward passes with
            dropout active; the prediction is then their mean. Needs
            ``dropout > 0``. The spread reflects model uncertainty only; for
            intervals with guaranteed coverage use
            :class:`~sklearn_mathdl.ConformalRegressor`.

        n_mc_samples : int, default=100
            Number of stochastic forward passes when ``return_std=True``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values (float64), 1-D when the model was fitted on 1-D y.

        y_std : ndarray of the same shape as y
            Standard deviation over the dropout passes; only with
            ``return_std=True``.
        """
        X = self._check_inference_input(X, stream=True)
        if not return_std:
            out = self._forward(X).astype(np.float64)
            out *= self._y_std
            out += self._y_mean
            if self._log_link:
                np.exp(out, out=out)
            return out[:, 0] if self._y_1d else out
        mean, std = self._mc_dropout(X, int(n_mc_samples))
        if self._y_1d:
            return mean[:, 0], std[:, 0]
        return mean, std

    def predict_module(self):
        """The trained network with its output in ``predict``'s units.

        ``module_`` outputs the standardized target when ``normalize_y=True``
        (its values are ``(y - mean) / std``): a tool handed ``module_``, such
        as SHAP's ``DeepExplainer``, reports attributions off by the target's
        scale. This module is ``module_`` (the same parameters, not a copy)
        followed by ``* std + mean``, so its output equals ``predict`` (as
        columns ``(n_samples, n_outputs)``). It takes what ``module_`` takes: a
        float32 tensor of the input rows on ``device`` (for the sequence
        models, the series after ``normalize``).

        Returns
        -------
        module : torch.nn.Module
            In evaluation mode.

        Examples
        --------
        >>> import numpy as np, torch
        >>> from sklearn_mathdl import MLPRegressor
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3)).astype(np.float32)
        >>> y = 100 * X[:, 0] + 5
        >>> reg = MLPRegressor(hidden_layer_sizes=(8,), random_state=0).fit(X, y)
        >>> out = reg.predict_module()(torch.from_numpy(X)).detach().numpy()
        >>> bool(np.allclose(out[:, 0], reg.predict(X), rtol=1e-4, atol=1e-3))
        True
        """
        check_is_fitted(self, "module_")
        return _OutputScale(
            self.module_, self._y_std, self._y_mean, exp=self._log_link
        ).eval()

    def _differentiable_output(self, X):
        out = self.module_(self._prepare_X(X))
        std = torch.as_tensor(self._y_std, dtype=out.dtype, device=out.device)
        mean = torch.as_tensor(self._y_mean, dtype=out.dtype, device=out.device)
        return out * std + mean

    def _mc_dropout(self, X, n_samples):
        if getattr(self, "dropout", 0) <= 0:
            raise ValueError(
                "return_std=True uses Monte Carlo dropout and needs dropout > 0; "
                "refit with dropout (e.g. 0.1), or use ConformalRegressor for "
                "prediction intervals."
            )
        if n_samples < 2:
            raise ValueError(f"n_mc_samples must be at least 2, got {n_samples}.")
        module = self.module_
        drops = [
            m
            for m in module.modules()
            if isinstance(m, torch.nn.modules.dropout._DropoutNd)
        ]
        draws = []
        try:
            for m in drops:
                m.train()
            # reproducible: seeded from random_state, global RNG untouched
            with torch_seed(self._seed + 1, self._device):
                for _ in range(n_samples):
                    draws.append(self._forward(X).astype(np.float64))
        finally:
            module.eval()
        draws = np.stack(draws) * self._y_std + self._y_mean
        if self._log_link:
            draws = np.exp(draws)
        return draws.mean(axis=0), draws.std(axis=0, ddof=1)

    def __call__(self, X):
        """Predictions, so that the estimator itself is a model function.

        ``shap.Explainer(reg, X_background)`` and other tools that take a
        callable work unchanged; equivalent to ``predict(X)`` (1-D for a single
        target).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values.
        """
        return self.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
