"""Infinite-width kernels (NNGP, NTK) and the empirical NTK of finite networks."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools
import math

import numpy as np
import pytest
import torch
from scipy.special import erf
from torch import nn

from sklearn_mathdl import KernelRidge, MLPRegressor, VariationalAutoencoder
from sklearn_mathdl._modules._mlp import _MLPModule
from sklearn_mathdl.kernels import (
    _dual_expectations,
    arccos_kernel,
    empirical_ntk,
    nngp_kernel,
    ntk_kernel,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class _NTKNet(nn.Module):
    """Fully-connected net in NTK parameterization: z = sw/sqrt(fan_in) W x + sb b."""

    def __init__(self, d, width, depth, activation, sigma_w, sigma_b):
        super().__init__()
        dims = [d] + [width] * depth + [1]
        self.W = nn.ParameterList(
            nn.Parameter(torch.randn(o, i)) for i, o in itertools.pairwise(dims)
        )
        self.b = nn.ParameterList(nn.Parameter(torch.randn(o)) for o in dims[1:])
        self.act = torch.relu if activation == "relu" else torch.erf
        self.sw, self.sb = sigma_w, sigma_b

    def forward(self, x):
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            x = self.sw / math.sqrt(W.shape[1]) * x @ W.T + self.sb * b
            if layer < len(self.W) - 1:
                x = self.act(x)
        return x


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_dual_expectations_match_monte_carlo(activation):
    rng = np.random.RandomState(0)
    S11, S22, S12 = 1.3, 0.7, 0.5
    L = np.linalg.cholesky([[S11, S12], [S12, S22]])
    u, v = L @ rng.randn(2, 2_000_000)
    if activation == "relu":
        phi, dphi = np.maximum(u, 0) * np.maximum(v, 0), (u > 0) * (v > 0) * 1.0
    else:
        phi = erf(u) * erf(v)
        dphi = (4 / np.pi) * np.exp(-(u**2) - v**2)
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    e_phi, e_dphi = _dual_expectations(t(S12), t(S11), t(S22), activation)
    se = lambda a: a.std() / np.sqrt(a.size)  # noqa: E731
    assert abs(float(e_phi) - phi.mean()) < 4 * se(phi)
    assert abs(float(e_dphi) - dphi.mean()) < 4 * se(dphi)


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_empirical_ntk_converges_to_analytic(activation):
    """Relative Frobenius error falls like width^(-1/2) (3 seeds averaged)."""
    X = np.random.RandomState(0).randn(15, 4)
    kw = dict(depth=2, activation=activation, sigma_w=math.sqrt(2), sigma_b=0.1)
    analytic = ntk_kernel(X, **kw)
    errors = {}
    for width in (64, 1024):
        errs = []
        for seed in range(3):
            torch.manual_seed(seed)
            net = _NTKNet(4, width, 2, activation, math.sqrt(2), 0.1)
            emp = empirical_ntk(net, X)
            errs.append(np.linalg.norm(emp - analytic) / np.linalg.norm(analytic))
        errors[width] = np.mean(errs)
    # width x16 should cut the error by ~4; allow noise
    assert errors[1024] < errors[64] / 2
    assert errors[1024] < 0.15


def test_nngp_is_output_covariance_of_random_wide_networks():
    """Monte Carlo over random networks: Cov(f(x), f(y)) at initialization."""
    X = np.random.RandomState(1).randn(3, 4)
    kw = dict(depth=1, sigma_w=math.sqrt(2), sigma_b=0.3)
    torch.manual_seed(0)
    n_nets, width = 4000, 512
    Xt = torch.tensor(X, dtype=torch.float32)
    W1 = torch.randn(n_nets, width, 4)
    b1 = torch.randn(n_nets, width, 1)
    h = torch.relu(math.sqrt(2) / 2 * (W1 @ Xt.T) + 0.3 * b1)  # (nets, width, 3)
    v = torch.randn(n_nets, 1, width)
    f = math.sqrt(2) / math.sqrt(width) * (v @ h) + 0.3 * torch.randn(n_nets, 1, 1)
    f = f[:, 0, :].double().numpy()
    mc = f.T @ f / n_nets
    np.testing.assert_allclose(mc, nngp_kernel(X, **kw), rtol=0.1, atol=0.05)


def test_diagonal_is_safe_and_psd():
    X = np.random.RandomState(2).randn(40, 3) * 100
    X[1] = X[0]
    for fn in (ntk_kernel, nngp_kernel):
        for act in ("relu", "erf"):
            K = fn(X, depth=3, activation=act, sigma_b=0.1)
            assert np.isfinite(K).all()
            assert np.linalg.eigvalsh(K).min() > -1e-8 * np.abs(K).max()
            np.testing.assert_allclose(K[0], K[1])


def test_kernel_ridge_with_ntk_and_nngp():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    for kernel in ("ntk", "nngp"):
        params = {"depth": 2, "sigma_w": math.sqrt(2), "sigma_b": 0.1}
        exact = KernelRidge(alpha=1e-3, kernel=kernel, kernel_params=params).fit(X, y)
        assert exact.score(X, y) > 0.95
        ny = KernelRidge(
            alpha=1e-3,
            kernel=kernel,
            kernel_params=params,
            solver="nystrom",
            n_centers=200,
            random_state=0,
        ).fit(X, y)
        np.testing.assert_allclose(
            ny.predict(X), exact.predict(X), rtol=1e-4, atol=1e-4
        )
        lev = KernelRidge(
            alpha=1e-3,
            kernel=kernel,
            kernel_params=params,
            solver="nystrom",
            n_centers=50,
            center_selection="leverage",
            random_state=0,
        ).fit(X, y)
        assert lev.score(X, y) > 0.8


def test_empirical_ntk_of_fitted_estimators():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3).astype(np.float32)
    reg = MLPRegressor(hidden_layer_sizes=(16,), max_iter=5, random_state=0).fit(
        X, X[:, 0]
    )
    K = empirical_ntk(reg, X[:10])
    assert K.shape == (10, 10)
    np.testing.assert_allclose(K, K.T, rtol=1e-5, atol=1e-6)
    assert np.linalg.eigvalsh(K).min() > -1e-4 * np.abs(K).max()
    assert empirical_ntk(reg, X[:10], X[:4]).shape == (10, 4)
    np.testing.assert_allclose(empirical_ntk(reg, X[:10], block_size=3), K, rtol=1e-6)
    with pytest.raises(ValueError, match="features"):
        empirical_ntk(reg, X[:, :2])
    vae = VariationalAutoencoder(max_iter=1, random_state=0).fit(X)
    with pytest.raises(TypeError, match="one tensor"):
        empirical_ntk(vae, X[:3])


# ------------------------------------------------ standard parameterization
def test_standard_ntk_without_hidden_layers_is_exact():
    # z = W x + b: df/dW = x, df/db = 1, whatever the initialization
    X = np.random.RandomState(0).randn(6, 4)
    lin = nn.Linear(4, 1)
    expected = X @ X.T + 1.0
    np.testing.assert_allclose(
        ntk_kernel(X, depth=0, parameterization="standard"), expected, rtol=1e-12
    )
    np.testing.assert_allclose(
        empirical_ntk(lin, X.astype(np.float32)), expected, rtol=1e-5
    )


def test_standard_ntk_limit_is_the_arc_cosine_kernel():
    # one ReLU layer, no biases: lim Theta / N = E[relu(u) relu(v)] for
    # (u, v) with covariance sigma_w^2 x.y / d, i.e. sigma_w^2 / (2 d) times
    # Cho and Saul's arc-cosine kernel of order 1
    X = np.random.RandomState(1).randn(7, 3)
    A = ntk_kernel(X, depth=1, sigma_w=1.7, parameterization="standard")
    np.testing.assert_allclose(A, 1.7**2 / (2 * 3) * arccos_kernel(X), rtol=1e-10)
    # the NNGP is the same in both parameterizations
    np.testing.assert_allclose(
        nngp_kernel(X, depth=2, parameterization="standard"), nngp_kernel(X, depth=2)
    )


@pytest.mark.parametrize("depth", [1, 2])
def test_empirical_ntk_of_standard_networks_converges(depth):
    # init="ntk": W ~ N(0, 1 / fan_in), b ~ N(0, 1), the standard
    # parameterization with sigma_w = sigma_b = 1
    X = np.random.RandomState(0).randn(8, 5)
    errors = {}
    for width in (64, 2048):
        analytic = ntk_kernel(
            X,
            depth=depth,
            sigma_w=1.0,
            sigma_b=1.0,
            parameterization="standard",
            width=width,
        )
        runs = []
        for seed in range(3):
            torch.manual_seed(seed)
            net = _MLPModule(5, 1, (width,) * depth, "relu", init="ntk")
            E = empirical_ntk(net, X.astype(np.float32))
            runs.append(np.linalg.norm(E - analytic) / np.linalg.norm(analytic))
        errors[width] = np.median(runs)
    # relative error ~ width^(-1/2): 32x the width, about 1/5.7 the error
    assert errors[2048] < 0.12
    assert errors[2048] < errors[64] / 2.5
    # the kernel grows with the width: Theta / N tends to the limit
    limit = ntk_kernel(
        X, depth=depth, sigma_w=1.0, sigma_b=1.0, parameterization="standard"
    )
    assert np.linalg.norm(analytic / 2048 - limit) / np.linalg.norm(limit) < 0.05


def test_parameterization_errors():
    X = np.eye(3)
    with pytest.raises(ValueError, match="parameterization must be"):
        ntk_kernel(X, parameterization="mean_field")
    with pytest.raises(ValueError, match="width must be a positive integer"):
        ntk_kernel(X, parameterization="standard", width=0)
