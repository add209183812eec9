"""Backpropagation by hand for plain multilayer perceptrons.

On small data a training step of a default MLP (30 -> 100 -> 1 on 200 rows)
is a few dozen small tensor operations, and autograd's bookkeeping (building
the graph, running its engine, accumulating into ``.grad``) costs more than
their arithmetic: measured on one core, 600 Adam steps on breast_cancer take
0.32-0.37 s through autograd and 0.14-0.19 s with the gradients below, the
same numbers to the last bit (``tests/test_analytic.py``). scikit-learn's NumPy
MLP takes about 0.32 s for the same steps.

:func:`analytic_gradients` covers the networks and losses it can write out
exactly (``nn.Linear`` layers with ReLU, tanh, logistic or identity
activations between them; binary/multilabel log-loss, multiclass
cross-entropy, squared error; with or without sample weights). For anything
else (dropout, batch norm, other layers or losses, hooks on the module) it
returns None and the engine backpropagates through autograd as before.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
from torch import nn
from torch.nn import functional as F

from sklearn_mathdl._modules._mlp import _MLPModule, sparse_linear

# Set to False to train every network through autograd (tests compare both).
ENABLED = True

_ACTIVATIONS = (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Identity)

# The forward passes written out here, as imported; a replaced one (patched
# on the class or set on an instance) defines another network.
_FORWARDS = {
    kind: kind.forward for kind in (_MLPModule, nn.Sequential, nn.Linear, *_ACTIVATIONS)
}


class _Plan:
    """The layers of a plain MLP: (linear, activation type after it or None)."""

    def __init__(self, layers, loss):
        self.layers = layers
        self.loss = loss  # "logistic", "softmax" or "squared"


def _loss_kind(criterion):
    """Which loss ``criterion`` computes per element, or None if not one of ours."""
    kind = type(criterion)
    if getattr(criterion, "reduction", None) != "none":
        return None
    if kind is nn.BCEWithLogitsLoss:
        if criterion.weight is None and criterion.pos_weight is None:
            return "logistic"
    elif kind is nn.CrossEntropyLoss:
        if criterion.weight is None and criterion.label_smoothing == 0:
            return "softmax"
    elif kind is nn.MSELoss:
        return "squared"
    return None


def _replaced_or_hooked(module):
    """True if any submodule has hooks or a forward other than its class's own."""
    return any(
        m._forward_hooks
        or m._forward_pre_hooks
        or m._backward_hooks
        or getattr(m, "_backward_pre_hooks", None)
        or "forward" in m.__dict__
        or type(m).forward is not _FORWARDS.get(type(m))
        for m in module.modules()
    )


def plan_for(module, criterion):
    """A :class:`_Plan` for ``module`` under ``criterion``, or None.

    Only ``_MLPModule`` instances whose layers are exactly ``nn.Linear`` and
    ReLU, tanh, logistic or identity activations qualify, with every
    parameter trainable, no hooks (a hook would expect the module to run) and
    every forward pass torch's or ours as imported.
    """
    if type(module) is not _MLPModule or _replaced_or_hooked(module):
        return None
    loss = _loss_kind(criterion)
    if loss is None:
        return None
    layers = []
    for layer in module.layers:
        kind = type(layer)
        if kind is nn.Linear and layer.bias is not None:
            if layers and layers[-1][1] is None:
                return None  # two linear layers in a row: not our layout
            layers.append((layer, None))
        elif kind in _ACTIVATIONS and layers and layers[-1][1] is None:
            layers[-1] = (layers[-1][0], kind)
        else:
            return None  # dropout, batch norm, another activation or order
    if not layers or layers[-1][1] is not None:
        return None  # the network ends in its linear readout
    if not all(p.requires_grad for p in module.parameters()):
        return None
    return _Plan(layers, loss)


def activate(kind, h):
    """The activation ``kind`` (a module type) applied in place to ``h``."""
    if kind is nn.ReLU:
        return h.relu_()
    if kind is nn.Tanh:
        return h.tanh_()
    if kind is nn.Sigmoid:
        return h.sigmoid_()
    return h  # identity (or no activation: the readout)


def activation_backward(kind, dz, a):
    """The gradient ``dz`` at an activation's output ``a`` taken back to its
    input, by the derivative written in terms of ``a``: ReLU's ``a > 0``
    (torch's own ``threshold_backward``), tanh's ``1 - a^2``, the logistic's
    ``a (1 - a)``; ``dz`` may be overwritten."""
    if kind is nn.ReLU:
        return torch.ops.aten.threshold_backward(dz, a, 0)
    if kind is nn.Tanh:
        return dz.mul_(1.0 - a * a)
    if kind is nn.Sigmoid:
        return dz.mul_(a * (1.0 - a))
    return dz


def _forward(plan, X):
    """The logits and the input of every linear layer (``X`` dense, or torch
    sparse COO for the first layer: :func:`sparse_linear`)."""
    inputs = []
    h = X
    for linear, kind in plan.layers:
        inputs.append(h)
        if h.layout is torch.strided:
            h = torch.addmm(linear.bias, h, linear.weight.T)
        else:
            h = sparse_linear(linear, h)
        h = activate(kind, h)
    return h, inputs


def per_element_loss_and_gradient(loss, z, y):
    """The criterion's per-element values for logits ``z`` (rows, outputs) and
    their gradients with respect to ``z``, computed by the torch functions the
    criterion calls; None for targets of another form than ``loss`` expects
    (class indices for "softmax", a float array of z's shape otherwise)."""
    if loss == "softmax":
        if y.dtype not in (torch.int64, torch.int32) or y.ndim != 1:
            return None
        grad = torch.softmax(z, dim=1)
        grad[torch.arange(len(y), device=z.device), y] -= 1.0
        return F.cross_entropy(z, y, reduction="none"), grad
    if y.shape != z.shape or not y.dtype.is_floating_point:
        return None
    if loss == "logistic":
        per = F.binary_cross_entropy_with_logits(z, y, reduction="none")
        return per, torch.sigmoid(z).sub_(y)
    grad = z - y
    per = grad * grad  # mse_loss's (z - y)^2, the same rounding
    return per, grad.mul_(2.0)


def _loss_and_gradient(plan, z, y, w):
    """The batch's data loss and its gradient with respect to the logits.

    The loss is the engine's (``_SkorchNet.get_loss``): the criterion's
    per-element values, their mean without sample weights, the weighted mean
    of the row means with them. Returns None for targets of another form than
    the loss expects.
    """
    terms = per_element_loss_and_gradient(plan.loss, z, y)
    if terms is None:
        return None
    per, grad = terms
    elements = 1 if plan.loss == "softmax" else z.shape[1]  # losses per row
    if w is None:
        return per.mean(), grad.div_(grad.shape[0] * elements)
    if per.ndim > 1:
        per = per.reshape(per.shape[0], -1).mean(dim=1)
    total = w.sum()
    loss = (per * w).sum() / total
    return loss, grad.mul_((w / (total * elements))[:, None])


def set_grad(param, grad):
    """``param.grad = grad``, in the parameter's memory layout.

    A weight trained on sparse input is stored input-major (see
    :func:`~sklearn_mathdl._modules._mlp.input_major`), and torch's fused CPU
    Adam reads a parameter and its gradient as if they shared one layout:
    with different strides it updates the wrong entries (measured, torch
    2.13). Autograd keeps to the parameter's layout; so does this.
    """
    if grad.stride() != param.stride():
        grad = torch.empty_like(param).copy_(grad)
    param.grad = grad


def _backward(plan, dz, inputs):
    """Set each linear layer's gradients, from the last layer down."""
    layers = plan.layers
    for k in range(len(layers) - 1, -1, -1):
        linear = layers[k][0]
        a = inputs[k]
        if a.layout is torch.strided:
            set_grad(linear.weight, dz.T @ a)
        else:  # a sparse first-layer input: (a^T dz)^T, a sparse-dense product
            set_grad(linear.weight, torch.sparse.mm(a.t(), dz).T)
        linear.bias.grad = dz.sum(dim=0)
        if k == 0:
            return
        dz = activation_backward(layers[k - 1][1], dz @ linear.weight, a)


@torch.no_grad()
def analytic_gradients(plan, X, target):
    """Set ``.grad`` of every parameter of the planned MLP for one batch.

    ``target`` is the batch's ``(y, w)``. Returns (data loss, logits), or None
    when this batch needs autograd (targets of another form than the loss
    expects); nothing is changed then.
    """
    z, inputs = _forward(plan, X)
    done = _loss_and_gradient(plan, z, target[0], target[1])
    if done is None:
        return None
    _backward(plan, done[1], inputs)
    return done[0], z
