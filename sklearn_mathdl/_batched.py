"""Candidates of one architecture trained together as one stacked model.

A batched search (:mod:`sklearn_mathdl.model_selection`) asks an estimator to
train several candidates at once: ``fit`` runs under :func:`batch_request`,
and ``_fit_engine`` hands the work to :func:`train_batched`. Each candidate
gets the net a separate fit would build (same seed, so the same initial
weights, the same batches, the same stopping rule instance); only the weights
are stacked along a leading candidate axis while training, so that a step
costs one batched matmul per layer instead of one small one per candidate.
The per-candidate hyper-parameters (``alpha``, ``learning_rate_init``, ...)
are tensors over that axis, and a candidate whose stopping rule fires gets a
zero learning rate from then on: it stops changing while the others go on.

The fitted candidates are registered (:func:`registered`) under a key of their
parameters and training data; when scikit-learn's search loop later fits the
same candidate on the same data, ``_fit_engine`` adopts the registered result
(:func:`lookup`) instead of training again.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import contextvars
import dataclasses
import hashlib
import math
import threading

import numpy as np
import torch
from sklearn.base import clone
from torch import nn

from sklearn_mathdl import _analytic
from sklearn_mathdl._engine import (
    _batch_weight,
    _StopTraining,
    _TensorBatchIterator,
)
from sklearn_mathdl.utils._seeding import draw_seed, torch_seed

# Parameters that may differ between the candidates of one batched fit.
BATCHABLE = (
    "alpha",
    "l1_alpha",
    "learning_rate_init",
    # each candidate drives its own schedule callback
    "learning_rate",
    "power_t",
    "momentum",
    "dropout",
    "tol",
    "n_iter_no_change",
    "max_iter",
    # each candidate then has its own initial weights and shuffling (a deep
    # ensemble's members)
    "random_state",
)

_REQUEST = contextvars.ContextVar("sklearn_mathdl_batch_request", default=None)
_REGISTRY = {}
_LOCK = threading.Lock()


# ----------------------------------------------------------- bookkeeping
def params_key(estimator):
    """The estimator's own parameters, as a hashable key."""
    return repr(sorted(estimator.get_params(deep=False).items()))


def data_key(*arrays):
    """A digest of the training arrays (shape, dtype and bytes)."""
    digest = hashlib.blake2b(digest_size=16)
    for a in arrays:
        a = np.ascontiguousarray(a)
        digest.update(f"{a.shape}{a.dtype}".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def lookup(estimator, X, y, sample_weight):
    """The registered fit of this estimator on this data, or None."""
    if not _REGISTRY or not isinstance(X, np.ndarray):
        return None
    key = (params_key(estimator), data_key(X, y, sample_weight))
    with _LOCK:
        return _REGISTRY.get(key)


@contextlib.contextmanager
def registered(entries):
    """Make ``{(params_key, data_key): fitted estimator}`` visible to lookup."""
    with _LOCK:
        _REGISTRY.update(entries)
    try:
        yield
    finally:
        with _LOCK:
            for key in entries:
                _REGISTRY.pop(key, None)


@dataclasses.dataclass
class BatchRequest:
    """Candidates (parameter overrides) that ``estimator.fit`` trains at once."""

    estimator: object
    candidates: list
    fitted: list = None  # one fitted estimator (None: it failed) per candidate
    data_key: str = None


@contextlib.contextmanager
def batch_request(estimator, candidates):
    request = BatchRequest(estimator, list(candidates))
    token = _REQUEST.set(request)
    try:
        yield request
    finally:
        _REQUEST.reset(token)


def active_request(estimator):
    """The batch request addressed to this estimator object, if any."""
    request = _REQUEST.get()
    return request if request is not None and request.estimator is estimator else None


def _optimizer_of(estimator, n_samples):
    """The optimizer a fit of ``estimator`` on ``n_samples`` rows trains with."""
    if estimator.optimizer != "auto":
        return estimator.optimizer
    if n_samples is None:
        return "lbfgs"  # unknown size: assume the full-batch choice
    return estimator._auto_optimizer(n_samples, False, False, None)


def why_not_batched(estimator, candidates, n_samples=None):
    """None if these candidates of ``estimator`` can train together, else why not.

    ``n_samples`` (rows of a training fold) resolves ``optimizer="auto"``.
    """
    from sklearn_mathdl._mlp import _MLPMixin

    if not isinstance(estimator, _MLPMixin):
        return f"{type(estimator).__name__} has no batched trainer (MLPs only)"
    for params in candidates:
        other = sorted(set(params) - set(BATCHABLE))
        if other:
            return f"candidates differ in {other}, which changes the architecture"
    settings = [clone(estimator).set_params(**p) for p in candidates]
    checks = {
        "batch_norm=True": lambda e: e.batch_norm,
        f"scaling={estimator.scaling!r}": lambda e: e.scaling != "standard",
        f"optimizer={estimator.optimizer!r}"
        + (
            f" (L-BFGS on {n_samples} rows)" if estimator.optimizer == "auto" else ""
        ): lambda e: _optimizer_of(e, n_samples) not in ("adam", "sgd"),
        "optimizer_params": lambda e: bool(e.optimizer_params),
        "early_stopping=True": lambda e: e.early_stopping,
    }
    for what, fails in checks.items():
        if any(fails(e) for e in settings):
            return f"{what} is not batched"
    return None


# --------------------------------------------------------------- training
class _StackedMLP:
    """The Linear layers of C MLPs stacked: weights (C, out, in), biases (C, out)."""

    def __init__(self, modules, dropout, device):
        per_module = [
            [m for m in mod.layers if isinstance(m, nn.Linear)] for mod in modules
        ]
        self.linears = per_module
        self.weights = [
            torch.stack([lin[k].weight.detach() for lin in per_module]).clone()
            for k in range(len(per_module[0]))
        ]
        self.biases = [
            torch.stack([lin[k].bias.detach() for lin in per_module]).clone()
            for k in range(len(per_module[0]))
        ]
        for p in self.params:
            p.requires_grad_(True)
        acts = [
            m for m in modules[0].layers if not isinstance(m, (nn.Linear, nn.Dropout))
        ]
        self.activation = acts[0] if acts else None
        self.kind = type(self.activation) if acts else nn.Identity
        self.dropout = torch.as_tensor(dropout, dtype=torch.float32, device=device)
        self.any_dropout = bool((self.dropout > 0).any())

    @property
    def params(self):
        return [*self.weights, *self.biases]

    def keep(self, rows):
        """Drop the stopped candidates: keep stack positions ``rows``."""
        self.linears = [self.linears[r] for r in rows.tolist()]
        self.weights = [W.detach()[rows].clone().requires_grad_() for W in self.weights]
        self.biases = [b.detach()[rows].clone().requires_grad_() for b in self.biases]
        self.dropout = self.dropout[rows]
        self.any_dropout = bool((self.dropout > 0).any())

    def forward(self, X, training):
        """``X``: one batch (rows, features) for every candidate, or one per
        candidate (C, rows, features)."""
        C = self.weights[0].shape[0]
        h = X if X.ndim == 3 else X.expand(C, *X.shape)
        last = len(self.weights) - 1
        for k, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b[:, None, :], h, W.mT)
            if k < last:
                h = self.activation(h)
                if training and self.any_dropout:
                    p = self.dropout[:, None, None]
                    keep = torch.rand_like(h) >= p
                    h = h * keep / (1.0 - p)
        return h

    @torch.no_grad()
    def analytic_gradients(self, X, y, w, loss, per_candidate):
        """Each candidate's data loss (C,), with every stacked parameter's
        ``.grad`` set to its own loss's gradient, as ``data.sum().backward()``
        through :meth:`forward` and :func:`_candidate_losses` gives (the
        derivation of :mod:`sklearn_mathdl._analytic`, per candidate); None
        for targets of another form than ``loss`` expects."""
        C = self.weights[0].shape[0]
        inputs = []
        h = X if X.ndim == 3 else X.expand(C, *X.shape)
        last = len(self.weights) - 1
        for k, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            inputs.append(h)
            h = torch.baddbmm(b[:, None, :], h, W.mT)
            if k < last:
                h = _analytic.activate(self.kind, h)
        done = _stacked_loss_and_gradient(loss, h, y, w, per_candidate)
        if done is None:
            return None
        data, dz = done
        for k in range(last, -1, -1):
            W, a = self.weights[k], inputs[k]
            W.grad = torch.bmm(dz.mT, a)
            self.biases[k].grad = dz.sum(dim=1)
            if k == 0:
                break
            # a rank-one product (one output) is cheaper as a broadcast
            dz = dz * W if W.shape[1] == 1 else torch.bmm(dz, W)
            dz = _analytic.activation_backward(self.kind, dz, a)
        return data

    def write_back(self, pos):
        """Copy the trained weights at stack position ``pos`` into its module."""
        with torch.no_grad():
            for k, lin in enumerate(self.linears[pos]):
                lin.weight.copy_(self.weights[k][pos])
                lin.bias.copy_(self.biases[k][pos])


def _per_candidate(values, like):
    """A (C, 1, ..., 1) view of ``values`` that broadcasts against ``like``."""
    return values.view(-1, *([1] * (like.ndim - 1)))


class _StackedOptimizer:
    """Adam or SGD (with momentum/Nesterov) with a learning rate per candidate.

    The arithmetic is torch's (fused Adam's order of operations; SGD's
    momentum buffer starting at the first gradient), applied to all
    candidates at once.
    """

    def __init__(self, kind, params, momentum, nesterov):
        self.kind = kind
        self.params = params
        self.t = 0
        self.momentum = momentum
        self.nesterov = nesterov
        self.state = [None] * len(params)

    def keep(self, rows, params):
        """Follow ``_StackedMLP.keep``: the kept candidates' state, new tensors."""
        self.params = params
        self.momentum = self.momentum[rows]
        self.state = [
            None
            if st is None
            else tuple(t[rows] for t in st)
            if isinstance(st, tuple)
            else st[rows]
            for st in self.state
        ]

    @torch.no_grad()
    def step(self, lr):
        self.t += 1
        if self.kind == "adam":
            beta1, beta2, eps = 0.9, 0.999, 1e-8
            bc1 = 1.0 - beta1**self.t
            bc2_sqrt = math.sqrt(1.0 - beta2**self.t)
            # multi-tensor calls, each the per-tensor operation of the
            # single-tensor form (m.lerp_, v.mul_.addcmul_, sqrt / bc2 + eps,
            # p -= (lr / bc1) m / denom) in the same order
            params = self.params
            grads = [p.grad for p in params]
            for i, p in enumerate(params):
                if self.state[i] is None:
                    self.state[i] = (torch.zeros_like(p), torch.zeros_like(p))
            ms = [st[0] for st in self.state]
            vs = [st[1] for st in self.state]
            torch._foreach_lerp_(ms, grads, 1.0 - beta1)
            torch._foreach_mul_(vs, beta2)
            torch._foreach_addcmul_(vs, grads, grads, value=1.0 - beta2)
            denom = torch._foreach_sqrt(vs)
            torch._foreach_div_(denom, bc2_sqrt)
            torch._foreach_add_(denom, eps)
            rate = lr / bc1
            update = torch._foreach_mul(ms, [_per_candidate(rate, p) for p in params])
            torch._foreach_div_(update, denom)
            torch._foreach_sub_(params, update)
            return
        for i, p in enumerate(self.params):
            g = p.grad
            mom = _per_candidate(self.momentum, p)
            if self.state[i] is None:
                self.state[i] = g.clone()
            else:
                self.state[i].mul_(mom).add_(g)
            buf = self.state[i]
            update = g + mom * buf if self.nesterov else buf
            p.sub_(_per_candidate(lr, p) * update)


def _candidate_nets(estimator, plan, n_outputs, candidates):
    """One (estimator, net, monitor, plan) per candidate, as a separate fit has."""
    params = estimator.get_params(deep=False)
    state = {k: v for k, v in vars(estimator).items() if k not in params}
    n_train = plan.n_train
    members = []
    for overrides in candidates:
        est = clone(estimator).set_params(**overrides)
        vars(est).update(state)
        epochs = est._resolved_max_iter(n_train, plan.batch_size)
        seeds = {}
        if "random_state" in overrides:  # as a separate (fresh) fit seeds itself
            est._seed = draw_seed(est.random_state)
            seeds = dict(
                call_seed=est._seed,
                rank_seed=est._seed + (plan.rank_seed - plan.call_seed),
            )
        plan_c = dataclasses.replace(
            plan,
            max_epochs=epochs,
            epochs=epochs,
            patience=est._resolved_patience(n_train, plan.batch_size),
            **seeds,
        )
        with torch_seed(plan_c.rank_seed, est._device):
            net = est._build_net(plan_c, n_outputs)
        monitor = dict(net.callbacks)["monitor"]
        monitor.keep_best_state = False
        members.append((est, net, monitor, plan_c))
    return members


def train_batched(estimator, plan, n_outputs, request, X, y, sample_weight):
    """Train ``request.candidates`` of ``estimator`` together (see module doc)."""
    members = _candidate_nets(estimator, plan, n_outputs, request.candidates)
    ests = [m[0] for m in members]
    device = estimator._device
    C = len(members)

    def tensor(values):
        return torch.tensor(values, dtype=torch.float32, device=device)

    alpha = tensor([e._alpha_used for e in ests])
    l1 = tensor([e.l1_alpha for e in ests])
    momentum = tensor([e.momentum for e in ests])
    # each candidate's own schedule callback, driven as its separate fit would
    # drive it, gives its step size
    schedules = [dict(m[1].callbacks)["schedule"] for m in members]
    use_l2, use_l1 = bool((alpha > 0).any()), bool((l1 > 0).any())
    criterion = estimator._criterion()
    # the written-out gradients of sklearn_mathdl._analytic, where they apply
    written = (
        _analytic.plan_for(members[0][1].module_, criterion)
        if _analytic.ENABLED
        else None
    )
    batches = _Batches(plan.dataset, plan.batch_size, estimator.shuffle, ests)
    # the stack's dropout masks: seeded by the first candidate's plan (the
    # request's own when the candidates share its seed; with their own seeds,
    # the request's estimator may carry random_state=None)
    with torch_seed(members[0][3].rank_seed, device):
        stack = _StackedMLP(
            [m[1].module_ for m in members], [e.dropout for e in ests], device
        )
        optimizer = _StackedOptimizer(
            plan.optimizer,
            stack.params,
            momentum,
            bool(estimator.nesterovs_momentum),
        )
        ids = list(range(C))  # the candidate at each stack position
        failed = [False] * C
        for _ in range(max(m[3].max_epochs for m in members)):
            for c in ids:
                schedules[c].on_epoch_begin(members[c][1])
            losses, data_losses, rows = [], [], []
            for Xb, yb, wb, batch_weight in batches.epoch(ids):
                for c in ids:
                    schedules[c].on_batch_begin(members[c][1], training=True)
                lr = tensor([schedules[c].lr_ for c in ids])
                data = None
                if written is not None and not stack.any_dropout:
                    data = stack.analytic_gradients(
                        Xb, yb, wb, written.loss, batches.per_candidate
                    )
                if data is None:
                    data = _candidate_losses(
                        stack.forward(Xb, True),
                        yb,
                        wb,
                        criterion,
                        len(ids),
                        batches.per_candidate,
                    )
                    for p in stack.params:
                        p.grad = None
                    data.sum().backward()
                penalty = _add_penalties(stack, alpha, l1, batch_weight, use_l2, use_l1)
                optimizer.step(lr)
                losses.append((data + penalty).detach())
                data_losses.append(data.detach())
                rows.append(yb.shape[1] if batches.per_candidate else len(yb))
            weights = torch.tensor(rows, dtype=torch.float64)[:, None]
            total = weights.sum()
            epoch_loss = (torch.stack(losses).cpu().double() * weights).sum(0) / total
            epoch_data = (torch.stack(data_losses).cpu().double() * weights).sum(0)
            epoch_data = epoch_data / total
            done = []
            for pos, c in enumerate(ids):
                est, net, monitor, plan_c = members[c]
                if not math.isfinite(float(epoch_loss[pos])):
                    failed[c] = True  # a separate fit raises; the search refits it
                    done.append(pos)
                    continue
                history = net.history
                history.new_epoch()
                history.record("epoch", len(history))
                history.record("train_batch_count", len(rows))
                history.record("train_loss", float(epoch_loss[pos]))
                history.record("train_data_loss", float(epoch_data[pos]))
                try:
                    monitor.on_epoch_end(net)
                except _StopTraining:
                    done.append(pos)
                    continue
                schedules[c].on_epoch_end(net)
                if len(history) >= plan_c.max_epochs:
                    done.append(pos)
            if done:
                for pos in done:
                    if not failed[ids[pos]]:
                        stack.write_back(pos)
                kept = [pos for pos in range(len(ids)) if pos not in done]
                if not kept:
                    break
                rows_t = torch.tensor(kept, device=device)
                stack.keep(rows_t)
                optimizer.keep(rows_t, stack.params)
                ids = [ids[pos] for pos in kept]
                alpha, l1 = alpha[rows_t], l1[rows_t]
    fitted = []
    for c, (est, net, monitor, plan_c) in enumerate(members):
        if failed[c]:
            fitted.append(None)
            continue
        est._finish_fit(net, monitor, plan_c)
        fitted.append(est)
    request.fitted = fitted
    request.data_key = data_key(X, y, sample_weight)


class _Batches:
    """The mini-batches of every candidate, epoch by epoch.

    Candidates that share their seed share one shuffled order, and a batch is
    one (rows, ...) block for all of them; with their own seeds (a deep
    ensemble) each candidate draws the permutation its separate fit would,
    and a batch stacks their blocks: X (C, rows, ...), y and w (C, rows, ...).
    The iterators of stopped candidates still draw their epoch's permutation,
    so that every other stream stays as in a separate fit.
    """

    def __init__(self, dataset, batch_size, shuffle, estimators):
        seeds = [e._seed for e in estimators]
        self.per_candidate = bool(shuffle) and len(set(seeds)) > 1
        self.weighted = dataset.w is not None
        self.iterators = [
            _TensorBatchIterator(
                dataset,
                batch_size,
                shuffle=shuffle,
                generator=torch.Generator().manual_seed(seed),
            )
            for seed in (seeds if self.per_candidate else seeds[:1])
        ]

    def epoch(self, ids):
        """Yield (X, y, w, batch weight) for the candidates ``ids``."""
        if not self.per_candidate:
            for Xb, (yb, wb) in self.iterators[0]:
                yield Xb, yb, wb, _batch_weight((yb, wb))
            return
        for blocks in zip(*self.iterators, strict=True):
            blocks = [blocks[c] for c in ids]
            Xb = torch.stack([b[0] for b in blocks])
            yb = torch.stack([b[1][0] for b in blocks])
            wb = torch.stack([b[1][1] for b in blocks]) if self.weighted else None
            weight = wb.sum(dim=1) if self.weighted else yb.shape[1]
            yield Xb, yb, wb, weight


def _flattened(out, y, C, per_candidate):
    """The C stacked outputs (C, rows, ...) as one batch, and its targets:
    the candidates' own, or the shared batch's repeated C times."""
    flat = out.reshape(C * out.shape[1], *out.shape[2:])
    if per_candidate:
        return flat, y.reshape(flat.shape[0], *y.shape[2:])
    if y.ndim == 1:
        return flat, y.repeat(C)
    return flat, y.repeat(C, *([1] * (y.ndim - 1)))


def _candidate_losses(out, y, w, criterion, C, per_candidate=False):
    """Each candidate's mean (or weighted mean) data loss: shape (C,).

    ``y`` and ``w`` hold one batch for all candidates, or with
    ``per_candidate`` one each (a leading axis of length C)."""
    B = out.shape[1]
    per = criterion(*_flattened(out, y, C, per_candidate)).reshape(C, B, -1)
    if w is None:
        return per.reshape(C, -1).mean(dim=1)
    return (per.mean(dim=2) * w).sum(dim=1) / w.sum(dim=-1)


def _stacked_loss_and_gradient(loss, z, y, w, per_candidate):
    """(each candidate's data loss (C,), d(sum of them)/dz) for the logits
    ``z`` (C, rows, outputs), with :func:`_candidate_losses`'s reduction, or
    None for targets of another form than ``loss`` expects. The per-element
    terms are :func:`sklearn_mathdl._analytic.per_element_loss_and_gradient`'s
    on the C stacked batches as one (:func:`_flattened`)."""
    C, B = z.shape[:2]
    terms = _analytic.per_element_loss_and_gradient(
        loss, *_flattened(z, y, C, per_candidate)
    )
    if terms is None:
        return None
    per = terms[0].reshape(C, B, -1)
    grad = terms[1].reshape(z.shape)
    elements = 1 if loss == "softmax" else z.shape[2]  # losses per row
    if w is None:
        return per.reshape(C, -1).mean(dim=1), grad.div_(B * elements)
    total = w.sum(dim=-1)
    data = (per.mean(dim=2) * w).sum(dim=1) / total
    scale = w / (total[..., None] * elements)  # (rows,) or (C, rows)
    return data, grad.mul_(scale[..., None])


@torch.no_grad()
def _add_penalties(stack, alpha, l1, n_rows, use_l2, use_l1):
    """The L2/L1 gradients on the weight matrices; returns each candidate's penalty."""
    penalty = torch.zeros_like(alpha)
    for W in stack.weights:
        if use_l2:
            W.grad.add_(_per_candidate(alpha / n_rows, W) * W)
            penalty += 0.5 * alpha * (W * W).sum(dim=(1, 2)) / n_rows
        if use_l1:
            W.grad.add_(_per_candidate(l1 / n_rows, W) * torch.sign(W))
            penalty += l1 * W.abs().sum(dim=(1, 2)) / n_rows
    return penalty
