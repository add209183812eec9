"""torch's optimizers without torch._dynamo's eager-mode guards
(``sklearn_mathdl._engine._eager``): the same updates, and a process's first
fit no longer imports torch._dynamo and SymPy (1.4 s)."""

import pickle
import subprocess
import sys
import textwrap

import pytest
import torch

from sklearn_mathdl._base import _OPTIMIZERS

KINDS = ["sgd", "adam", "adamw", "adamax", "rmsprop", "adagrad", "lbfgs"]


def _steps(cls, kwargs, n=5):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)
    )
    X, y = torch.randn(32, 4), torch.randn(32, 1)
    opt = cls(model.parameters(), **kwargs)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X), y)
        loss.backward()
        return loss

    for _ in range(n):
        opt.step(closure)
    return [p.detach().clone() for p in model.parameters()], opt


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_updates_as_torch(kind):
    eager = _OPTIMIZERS[kind]
    torch_cls = eager.__mro__[1]
    assert torch_cls.__module__.startswith("torch.optim") and issubclass(
        eager, torch_cls
    )
    kwargs = {"lr": 0.05}
    if kind == "sgd":
        kwargs.update(momentum=0.9, nesterov=True, weight_decay=1e-3)
    a, opt_a = _steps(eager, kwargs)
    b, _ = _steps(torch_cls, kwargs)
    for pa, pb in zip(a, b, strict=True):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)
    # state_dict / load_state_dict round trip (pickled, as a fitted estimator)
    state = pickle.loads(pickle.dumps(opt_a.state_dict()))
    _, opt_c = _steps(eager, kwargs, n=0)
    opt_c.load_state_dict(state)
    assert opt_c.state_dict()["param_groups"] == opt_a.state_dict()["param_groups"]
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(opt_a, protocol)).__class__ is eager
    assert eager.__name__ == torch_cls.__name__  # messages name torch's class


def test_steps_run_without_gradient_tracking():
    # torch's step runs under no_grad (``differentiable=False``); so does ours
    # (with gradients on, its in-place update of a leaf would raise)
    p = torch.nn.Parameter(torch.ones(3))
    opt = _OPTIMIZERS["sgd"]([p], lr=0.1)
    p.grad = torch.ones(3)
    with torch.enable_grad():
        opt.step()
    assert p.grad_fn is None
    torch.testing.assert_close(p.detach(), torch.full((3,), 0.9))


def test_first_fit_imports_neither_dynamo_nor_sympy():
    script = textwrap.dedent(
        """
        import sys, warnings
        import numpy as np
        from sklearn_mathdl import CNNClassifier, MLPClassifier, MLPRegressor
        warnings.simplefilter("ignore")
        X = np.random.RandomState(0).normal(size=(60, 4))
        y = (X[:, 0] > 0).astype(int)
        MLPClassifier(random_state=0).fit(X, y)
        MLPRegressor(random_state=0).fit(X, X[:, 0])
        CNNClassifier(max_iter=2, random_state=0).fit(X, y)
        print(sorted(m for m in ("torch._dynamo", "sympy") if m in sys.modules))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
