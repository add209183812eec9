"""The hand-written backward pass of plain MLPs and the lean fused-Adam step.

Both replace generic machinery (autograd, ``torch.optim.Adam.step``) on the
hot path of small fits, so both are checked against that machinery: the
gradients and losses against autograd and the engine's ``get_loss`` in
float64, whole fits against fits with the fast path off, Adam's update
against torch's own ``step()`` to the last bit.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import types

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import MLPClassifier, MLPRegressor, _analytic
from sklearn_mathdl._engine import _fused_adam_step, _SkorchNet
from sklearn_mathdl._modules._mlp import _MLPModule

CRITERIA = {
    "binary": torch.nn.BCEWithLogitsLoss(reduction="none"),
    "multilabel": torch.nn.BCEWithLogitsLoss(reduction="none"),
    "multiclass": torch.nn.CrossEntropyLoss(reduction="none"),
    "regression": torch.nn.MSELoss(reduction="none"),
    "multioutput": torch.nn.MSELoss(reduction="none"),
}
OUTPUTS = {
    "binary": 1,
    "multilabel": 3,
    "multiclass": 4,
    "regression": 1,
    "multioutput": 2,
}


def _target(task, n, gen):
    k = OUTPUTS[task]
    if task == "multiclass":
        return torch.randint(0, k, (n,), generator=gen)
    if task in ("binary", "multilabel"):
        return (torch.rand(n, k, generator=gen, dtype=torch.float64) > 0.5).double()
    return torch.randn(n, k, generator=gen, dtype=torch.float64)


def _engine_loss(criterion, z, target):
    """The engine's own ``get_loss`` (it reads only these two attributes)."""
    net = types.SimpleNamespace(criterion_=criterion, _reduce_per_sample=None)
    return _SkorchNet.get_loss(net, z, target)


@pytest.mark.parametrize("task", sorted(CRITERIA))
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("hidden", [(), (7,), (6, 5)])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradients_and_loss_equal_autograd(task, activation, hidden, weighted):
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    module = _MLPModule(5, OUTPUTS[task], hidden, activation=activation).double()
    criterion = CRITERIA[task]
    plan = _analytic.plan_for(module, criterion)
    assert plan is not None
    X = torch.randn(23, 5, generator=gen, dtype=torch.float64)
    y = _target(task, 23, gen)
    w = torch.rand(23, generator=gen, dtype=torch.float64) * 3 if weighted else None

    expected_loss = _engine_loss(criterion, module(X), (y, w))
    expected_loss.backward()
    expected_loss = expected_loss.detach()
    expected = [p.grad.clone() for p in module.parameters()]
    module.zero_grad(set_to_none=True)

    loss, z = _analytic.analytic_gradients(plan, X, (y, w))
    np.testing.assert_allclose(float(loss), expected_loss.item(), rtol=1e-12)
    np.testing.assert_allclose(z.numpy(), module(X).detach().numpy(), rtol=1e-12)
    for p, g in zip(module.parameters(), expected, strict=True):
        np.testing.assert_allclose(p.grad.numpy(), g.numpy(), rtol=1e-9, atol=1e-14)


def test_unsupported_networks_and_losses_fall_back_to_autograd(monkeypatch):
    bce = CRITERIA["binary"]
    assert _analytic.plan_for(_MLPModule(3, 1, (4,)), bce) is not None
    others = [
        _MLPModule(3, 1, (4,), dropout=0.2),
        _MLPModule(3, 1, (4,), batch_norm=True),
        _MLPModule(3, 1, (4,), activation="gelu"),
        _MLPModule(3, 1, (4,), scaling="ntk"),
        torch.nn.Sequential(torch.nn.Linear(3, 1)),
    ]
    for module in others:
        assert _analytic.plan_for(module, bce) is None
    hooked = _MLPModule(3, 1, (4,))
    hooked.layers[0].register_forward_hook(lambda *args: None)
    assert _analytic.plan_for(hooked, bce) is None
    patched = _MLPModule(3, 1, (4,))
    patched.forward = lambda X: patched.layers(X) * 2  # another network
    assert _analytic.plan_for(patched, bce) is None
    monkeypatch.setattr(torch.nn.Tanh, "forward", lambda self, x: torch.sin(x))
    assert _analytic.plan_for(_MLPModule(3, 1, (4,), activation="tanh"), bce) is None
    monkeypatch.undo()
    assert (
        _analytic.plan_for(_MLPModule(3, 1, (4,), activation="tanh"), bce) is not None
    )
    frozen = _MLPModule(3, 1, (4,))
    frozen.layers[0].weight.requires_grad_(False)
    assert _analytic.plan_for(frozen, bce) is None
    module = _MLPModule(3, 1, (4,))
    assert _analytic.plan_for(module, torch.nn.BCEWithLogitsLoss()) is None  # mean
    weighted = torch.nn.BCEWithLogitsLoss(reduction="none", pos_weight=torch.ones(1))
    assert _analytic.plan_for(module, weighted) is None
    smooth = torch.nn.CrossEntropyLoss(reduction="none", label_smoothing=0.1)
    assert _analytic.plan_for(module, smooth) is None
    assert _analytic.plan_for(module, torch.nn.L1Loss(reduction="none")) is None
    # a target of another form than the loss expects: nothing is changed
    plan = _analytic.plan_for(module, bce)
    X = torch.randn(4, 3)
    assert (
        _analytic.analytic_gradients(plan, X, (torch.zeros(4, dtype=torch.long), None))
        is None
    )
    assert all(p.grad is None for p in module.parameters())


def _fit_both_ways(make, X, y, monkeypatch, **fit):
    fast = make().fit(X, y, **fit)
    with monkeypatch.context() as m:
        m.setattr(_analytic, "ENABLED", False)
        slow = make().fit(X, y, **fit)
    return fast, slow


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "lbfgs"])
def test_classifier_fits_equal_autograd_fits(optimizer, monkeypatch):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X[:300])
    y = y[:300]
    w = np.random.RandomState(0).uniform(0.5, 2.0, len(y))

    def make():
        return MLPClassifier(optimizer=optimizer, max_iter=30, random_state=0)

    fast, slow = _fit_both_ways(make, X, y, monkeypatch, sample_weight=w)
    assert fast.n_iter_ == slow.n_iter_
    # float32 rounding differs (another order of the same sums); L-BFGS's line
    # search carries it further than a fixed step does
    rtol = 1e-3 if optimizer == "lbfgs" else 1e-5
    np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(
        fast.predict_proba(X), slow.predict_proba(X), rtol=100 * rtol, atol=1e-6
    )


def test_multiclass_and_regressor_fits_equal_autograd_fits(iris, monkeypatch):
    X, y = iris
    fast, slow = _fit_both_ways(
        lambda: MLPClassifier(
            hidden_layer_sizes=(20, 10), activation="tanh", max_iter=40, random_state=0
        ),
        X,
        y,
        monkeypatch,
    )
    np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(fast.predict_proba(X), slow.predict_proba(X), atol=1e-5)

    Xd, yd = load_diabetes(return_X_y=True)
    Y = np.column_stack([yd, np.log(yd)])
    for target in (yd, Y):
        fast, slow = _fit_both_ways(
            lambda: MLPRegressor(
                optimizer="adam", alpha=1e-3, max_iter=40, random_state=0
            ),
            Xd,
            target,
            monkeypatch,
        )
        np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_, rtol=1e-5)
        np.testing.assert_allclose(fast.predict(Xd), slow.predict(Xd), rtol=1e-4)


def test_a_forward_hook_on_the_fitted_module_is_honoured(binary_data):
    """A hook added between fits (warm start) makes the engine use autograd,
    which calls the module (and so the hook) on every batch."""
    X, y = binary_data
    clf = MLPClassifier(max_iter=3, warm_start=True, random_state=0).fit(X, y)
    calls = []
    clf.module_.register_forward_hook(lambda *args: calls.append(1))
    clf.fit(X, y)
    assert len(calls) >= 3  # at least one batch an epoch


def _two_groups(kind, **kw):
    torch.manual_seed(0)
    a, b = torch.nn.Linear(4, 3), torch.nn.Linear(3, 1)
    opt = kind(
        [{"params": a.parameters()}, {"params": b.parameters(), "lr": 3e-3}],
        lr=1e-3,
        fused=True,
        **kw,
    )
    return [*a.parameters(), *b.parameters()], opt


@pytest.mark.parametrize(
    "kind, kw",
    [
        (torch.optim.Adam, {}),
        (torch.optim.Adam, {"weight_decay": 0.1, "betas": (0.8, 0.99)}),
        (torch.optim.AdamW, {"weight_decay": 0.05, "eps": 1e-6}),
    ],
)
def test_lean_fused_adam_step_equals_torch_step(kind, kw):
    ours, opt_ours = _two_groups(kind, **kw)
    ref, opt_ref = _two_groups(kind, **kw)
    gen = torch.Generator().manual_seed(1)
    for step in range(25):
        grads = [torch.randn(p.shape, generator=gen) for p in ours]
        for p, q, g in zip(ours, ref, grads, strict=True):
            p.grad, q.grad = g.clone(), g.clone()
        if step == 10:  # a schedule changes the step size
            for opt in (opt_ours, opt_ref):
                opt.param_groups[0]["lr"] = 5e-4
        took = _fused_adam_step(opt_ours)
        assert took == (step > 0)  # the first step creates the state
        if not took:
            opt_ours.step()
        opt_ref.step()
    for p, q in zip(ours, ref, strict=True):
        assert torch.equal(p, q)
    for p, q in zip(ours, ref, strict=True):
        for key in ("exp_avg", "exp_avg_sq", "step"):
            assert torch.equal(opt_ours.state[p][key], opt_ref.state[q][key])


def test_lean_fused_adam_step_declines_what_it_does_not_mirror():
    params, opt = _two_groups(torch.optim.Adam, amsgrad=True)
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()
    assert not _fused_adam_step(opt)
    params, opt = _two_groups(torch.optim.Adam)
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()
    assert _fused_adam_step(opt)
    handle = opt.register_step_post_hook(lambda *args: None)
    assert not _fused_adam_step(opt)
    handle.remove()
    opt.grad_scale = torch.ones(())  # gradient scaling set after the plan
    assert not _fused_adam_step(opt)
    del opt.grad_scale
    assert _fused_adam_step(opt)
    params[0].grad = None
    assert not _fused_adam_step(opt)
    # a loaded state is new state: the plan is rebuilt from it
    params[0].grad = torch.ones_like(params[0])
    opt.load_state_dict(opt.state_dict())
    assert _fused_adam_step(opt)
    assert not _fused_adam_step(torch.optim.SGD(params, lr=0.1))


@pytest.mark.parametrize("task", sorted(CRITERIA))
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("per_candidate", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_stacked_gradients_equal_autograd(task, activation, per_candidate, weighted):
    """A batched search's stack of C candidates: the written-out losses and
    gradients equal autograd through the stack's forward pass and
    ``_candidate_losses`` (float64)."""
    from sklearn_mathdl._batched import _candidate_losses, _StackedMLP

    C, B = 3, 17
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    modules = [
        _MLPModule(5, OUTPUTS[task], (6, 4), activation=activation).double()
        for _ in range(C)
    ]

    def stack():  # a fresh stack of the same initial weights
        return _StackedMLP(modules, [0.0] * C, "cpu")

    shape = (C, B) if per_candidate else (B,)
    X = torch.randn(*shape, 5, generator=gen, dtype=torch.float64)
    if per_candidate:
        y = torch.stack([_target(task, B, gen) for _ in range(C)])
    else:
        y = _target(task, B, gen)
    w = (
        torch.rand(*shape, generator=gen, dtype=torch.float64) + 0.5
        if weighted
        else None
    )
    criterion = CRITERIA[task]

    reference = stack()
    expected = _candidate_losses(
        reference.forward(X, True), y, w, criterion, C, per_candidate
    )
    expected.sum().backward()
    ours = stack()
    data = ours.analytic_gradients(
        X, y, w, _analytic._loss_kind(criterion), per_candidate
    )
    np.testing.assert_allclose(data.numpy(), expected.detach().numpy(), rtol=1e-12)
    for p, q in zip(ours.params, reference.params, strict=True):
        np.testing.assert_allclose(
            p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-14
        )
