"""The kernel functions against scikit-learn and against Monte Carlo."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
import torch
from sklearn.gaussian_process.kernels import Matern
from sklearn.metrics import pairwise

from sklearn_mathdl import kernels


@pytest.fixture(scope="module")
def XY():
    rng = np.random.RandomState(0)
    return rng.randn(30, 4), rng.randn(20, 4)


@pytest.mark.parametrize(
    "ours, ref, params",
    [
        (kernels.linear_kernel, pairwise.linear_kernel, {}),
        (kernels.cosine_kernel, pairwise.cosine_similarity, {}),
        (kernels.rbf_kernel, pairwise.rbf_kernel, {"gamma": 0.3}),
        (kernels.rbf_kernel, pairwise.rbf_kernel, {}),
        (kernels.laplacian_kernel, pairwise.laplacian_kernel, {"gamma": 0.2}),
        (
            kernels.polynomial_kernel,
            pairwise.polynomial_kernel,
            {"degree": 3, "gamma": 0.5, "coef0": 2.0},
        ),
        (kernels.sigmoid_kernel, pairwise.sigmoid_kernel, {"gamma": 0.1, "coef0": 0.5}),
    ],
)
def test_matches_sklearn(ours, ref, params, XY):
    X, Y = XY
    np.testing.assert_allclose(
        ours(X, Y, **params), ref(X, Y, **params), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        ours(X, **params), ref(X, **params), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5])
def test_matern_matches_sklearn_gp_kernel(nu, XY):
    X, Y = XY
    ref = Matern(length_scale=1.7, nu=nu)(X, Y)
    np.testing.assert_allclose(
        kernels.matern_kernel(X, Y, length_scale=1.7, nu=nu),
        ref,
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize("order", [0, 1])
def test_arccos_equals_monte_carlo(order):
    """k_n(x, y) = 2 E[H(w.x) H(w.y) (w.x)^n (w.y)^n], w ~ N(0, I)."""
    rng = np.random.RandomState(0)
    X = rng.randn(5, 3)
    W = rng.randn(400_000, 3)
    P = X @ W.T  # (5, n_w)
    act = (P > 0) * (P**order if order else 1.0)
    samples = 2 * act[:, None, :] * act[None, :, :]
    mc = samples.mean(-1)
    se = samples.std(-1) / np.sqrt(W.shape[0])
    exact = kernels.arccos_kernel(X, order=order)
    assert np.all(np.abs(exact - mc) <= 4 * se + 1e-12)


def test_arccos_diagonal_is_finite_and_exact():
    X = np.random.RandomState(1).randn(50, 6) * 1e3
    K = kernels.arccos_kernel(X, order=1)
    assert np.isfinite(K).all()
    np.testing.assert_allclose(np.diag(K), (X**2).sum(1), rtol=1e-10)
    np.testing.assert_allclose(np.diag(kernels.arccos_kernel(X, order=0)), 1.0)


@pytest.mark.parametrize("name", ["rbf", "laplacian", "matern", "arccos", "linear"])
def test_positive_semidefinite(name, XY):
    X, _ = XY
    K = kernels.pairwise_kernel(X, kernel=name)
    np.testing.assert_allclose(K, K.T, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() > -1e-9 * np.abs(K).max()


def test_types_and_devices_preserved(XY):
    X, Y = XY
    K32 = kernels.rbf_kernel(X.astype(np.float32), Y.astype(np.float32))
    assert isinstance(K32, np.ndarray) and K32.dtype == np.float32
    Kt = kernels.rbf_kernel(torch.from_numpy(X), torch.from_numpy(Y))
    assert isinstance(Kt, torch.Tensor) and Kt.dtype == torch.float64
    np.testing.assert_allclose(K32, Kt.numpy(), rtol=1e-5, atol=1e-6)
    assert kernels.linear_kernel([[1, 2]], [[3, 4]])[0, 0] == 11.0


@pytest.mark.cuda
def test_cuda_matches_cpu(XY):
    X, Y = XY
    for name in ["rbf", "laplacian", "matern", "arccos"]:
        gpu = kernels.pairwise_kernel(
            torch.from_numpy(X).cuda(), torch.from_numpy(Y).cuda(), kernel=name
        )
        assert gpu.is_cuda
        np.testing.assert_allclose(
            gpu.cpu().numpy(),
            kernels.pairwise_kernel(X, Y, kernel=name),
            rtol=1e-10,
            atol=1e-12,
        )


def test_errors(XY):
    X, Y = XY
    with pytest.raises(ValueError, match="Unknown kernel"):
        kernels.pairwise_kernel(X, kernel="nope")
    with pytest.raises(ValueError, match="same number of columns"):
        kernels.rbf_kernel(X, Y[:, :2])
    with pytest.raises(ValueError, match="nu in"):
        kernels.matern_kernel(X, nu=3.0)
    with pytest.raises(ValueError, match="returned shape"):
        kernels.pairwise_kernel(X, Y, kernel=lambda A, B: A @ A.T)


def test_cosine_kernel_zero_rows_and_diagonal():
    X = np.array([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(
        kernels.cosine_kernel(X), pairwise.cosine_similarity(X), atol=1e-15
    )
    diag = kernels._kernel_diag("cosine", torch.from_numpy(X), {})
    np.testing.assert_allclose(diag.numpy(), [0.0, 1.0])
