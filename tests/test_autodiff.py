"""sklearn_mathdl.autodiff against torch.autograd (float64), and its costs."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_mathdl import autodiff as ad

# ----------------------------------------------------------- random MLPs


def _mlp_loss(lib, act):
    """The mean squared error of a 2-hidden-layer MLP, in numpy-like ``lib``."""

    def loss(W1, b1, W2, b2, w3, X, y):
        h = act(X @ W1 + b1)
        h = act(h @ W2 + b2)
        r = h @ w3 - y
        return lib["mean"](r * r) + 0.1 * lib["sum"](W1 * W1)

    return loss


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_gradients_equal_torch_autograd(activation, seed):
    rng = np.random.default_rng(seed)
    n, d, h1, h2 = 17, 5, 7, 4
    arrays = [
        rng.normal(size=(d, h1)),
        rng.normal(size=h1),
        rng.normal(size=(h1, h2)),
        rng.normal(size=h2),
        rng.normal(size=h2),
    ]
    X, y = rng.normal(size=(n, d)), rng.normal(size=n)

    params = [ad.Variable(a) for a in arrays]
    ours = _mlp_loss({"mean": ad.mean, "sum": ad.sum}, getattr(ad, activation))
    out = ours(*params, X, y)
    out.backward()

    tparams = [torch.tensor(a, requires_grad=True) for a in arrays]
    ref = _mlp_loss({"mean": torch.mean, "sum": torch.sum}, getattr(torch, activation))(
        *tparams, torch.tensor(X), torch.tensor(y)
    )
    ref.backward()

    assert float(out.value) == pytest.approx(ref.item(), rel=1e-12)
    for p, t in zip(params, tparams, strict=True):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)


# -------------------------------------------- hypothesis-generated expressions
UNARY = ["exp", "log", "tanh", "relu", "square", "neg", "sum0", "index"]
BINARY = ["add", "sub", "mul", "div", "matmul"]


def _build(ops, x, c, lib):
    """Apply a generated sequence of operations to x (shape (3, 3)), with c a
    constant (3, 3) array; every intermediate keeps shape (3, 3) or (3,)."""
    v = x
    for op in ops:
        if op == "exp":
            v = lib["exp"](v * 0.3)
        elif op == "log":
            v = lib["log"](v * v + 1.0)
        elif op == "tanh":
            v = lib["tanh"](v)
        elif op == "relu":
            v = lib["relu"](v + 0.1)
        elif op == "square":
            v = v**2
        elif op == "neg":
            v = -v
        elif op == "sum0":
            v = lib["sum"](v, 0) + v  # broadcasting back to (3, 3)
        elif op == "index":
            v = v[[0, 2, 2]] * 0.5 + v  # repeated rows accumulate
        elif op == "add":
            v = v + c
        elif op == "sub":
            v = c - v
        elif op == "mul":
            v = v * x
        elif op == "div":
            v = v / (c * c + 1.0)
        elif op == "matmul":
            v = v @ c * 0.5
    return lib["sum"](v * x)


_NP = {"exp": ad.exp, "log": ad.log, "tanh": ad.tanh, "relu": ad.relu, "sum": ad.sum}
_NP_VALUES = {
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "relu": lambda v: np.maximum(v, 0.0),
    "sum": lambda v, axis=None: v.sum() if axis is None else v.sum(axis),
}
_TORCH = {
    "exp": torch.exp,
    "log": torch.log,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sum": lambda v, axis=None: v.sum() if axis is None else v.sum(axis),
}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    ops=st.lists(st.sampled_from(UNARY + BINARY), min_size=1, max_size=8),
    seed=st.integers(0, 2**16),
)
def test_generated_expressions_equal_torch(ops, seed):
    rng = np.random.default_rng(seed)
    x0, c = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))

    g_rev = ad.grad(lambda x: _build(ops, x, c, _NP), x0)
    g_fwd = ad.grad(lambda x: _build(ops, x, c, _NP), x0, mode="forward")

    xt = torch.tensor(x0, requires_grad=True)
    _build(ops, xt, torch.tensor(c), _TORCH).backward()
    ref = xt.grad.numpy()
    scale = max(1.0, np.abs(ref).max())
    np.testing.assert_allclose(g_rev, ref, rtol=1e-10, atol=1e-10 * scale)
    if np.isfinite(float(_build(ops, x0, c, _NP_VALUES))):
        # where an intermediate overflowed, a forward tangent is 0 * inf = NaN
        # (IEEE) for the directions it does not depend on; reverse mode (and
        # torch) never multiply through that branch
        np.testing.assert_allclose(g_fwd, ref, rtol=1e-10, atol=1e-10 * scale)


# ------------------------------------------------------------ forward mode
def test_jvp_equals_the_reverse_gradient_along_a_direction():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(6, 4))

    def f(x):
        return ad.sum(ad.tanh(x @ W) ** 2)

    x, v = rng.normal(size=6), rng.normal(size=6)
    value, tangent = ad.jvp(f, x, v)
    assert value == pytest.approx(np.sum(np.tanh(x @ W) ** 2))
    assert tangent == pytest.approx(ad.grad(f, x) @ v, rel=1e-12)
    # and a finite difference, independent of both modes
    eps = 1e-6
    fd = (f(x + eps * v) - f(x - eps * v)) / (2 * eps)
    assert tangent == pytest.approx(fd, rel=1e-7)


def test_vector_valued_jvp_is_the_jacobian_times_v():
    A = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])

    def f(x):
        return ad.exp(A @ x)

    x, v = np.array([0.1, -0.2]), np.array([1.0, 0.5])
    value, tangent = ad.jvp(f, x, v)
    jacobian = np.exp(A @ x)[:, None] * A
    np.testing.assert_allclose(value, np.exp(A @ x))
    np.testing.assert_allclose(tangent, jacobian @ v, rtol=1e-12)


# ------------------------------------------------------------ the costs
@pytest.mark.parametrize("d", [1, 10, 100])
def test_reverse_mode_is_one_pass_forward_mode_is_d(d):
    # the cost argument of section 24.2, counted: a gradient of R^d -> R is one
    # evaluation of f in reverse mode and d evaluations in forward mode
    calls = {"n": 0}

    def f(x):
        calls["n"] += 1
        return ad.sum(ad.tanh(x) * x)

    x = np.linspace(-1, 1, d)
    g = ad.grad(f, x)
    assert calls["n"] == 1
    calls["n"] = 0
    g_fwd = ad.grad(f, x, mode="forward")
    assert calls["n"] == d
    np.testing.assert_allclose(g, g_fwd, rtol=1e-12)
    np.testing.assert_allclose(g, np.tanh(x) + x * (1 - np.tanh(x) ** 2))


def test_backward_visits_a_shared_node_once_and_accumulates():
    x = ad.Variable(np.array(2.0))
    y = x * x  # used three times below
    z = y + y * y + ad.exp(y) * 0.0
    z.backward()
    # dz/dx = (1 + 2y) * 2x at y = 4
    assert float(x.grad) == pytest.approx((1 + 2 * 4.0) * 4.0)


def test_deep_graphs_do_not_hit_the_recursion_limit():
    x = ad.Variable(np.array(1.0))
    v = x
    for _ in range(5000):
        v = v * 1.0001
    v.backward()
    assert float(x.grad) == pytest.approx(1.0001**5000)


def test_errors_name_the_problem():
    v = ad.Variable(np.ones(3))
    with pytest.raises(ValueError, match="non-scalar"):
        (v * 2).backward()
    with pytest.raises(ValueError, match="scalar function"):
        ad.grad(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match="mode"):
        ad.grad(lambda x: ad.sum(x), np.ones(3), mode="sideways")
    with pytest.raises(ValueError, match="shape"):
        ad.jvp(lambda x: x, np.ones(3), np.ones(2))
