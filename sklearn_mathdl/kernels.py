"""Kernel functions on NumPy arrays or torch tensors, on CPU or GPU, in any float."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
import torch

__all__ = [
    "KERNELS",
    "arccos_kernel",
    "cosine_kernel",
    "empirical_ntk",
    "laplacian_kernel",
    "linear_kernel",
    "matern_kernel",
    "nngp_kernel",
    "ntk_kernel",
    "pairwise_kernel",
    "polynomial_kernel",
    "rbf_kernel",
    "sigmoid_kernel",
]


# ---------------------------------------------------------------- plumbing
def _as_tensors(X, Y):
    """Return (X, Y, to_numpy) with X, Y torch tensors of a common float dtype."""
    is_numpy = not isinstance(X, torch.Tensor)
    if is_numpy:
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        X = torch.from_numpy(np.ascontiguousarray(X))
    if Y is None:
        Y = X
    elif not isinstance(Y, torch.Tensor):
        Y = np.asarray(Y)
        if Y.dtype not in (np.float32, np.float64):
            Y = Y.astype(np.float64)
        Y = torch.from_numpy(np.ascontiguousarray(Y)).to(X.device)
    if not X.is_floating_point():
        X = X.double()
    if Y.dtype != X.dtype:
        dtype = torch.promote_types(X.dtype, Y.dtype)
        X, Y = X.to(dtype), Y.to(dtype)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(
            "X and Y must be 2-D with the same number of columns; got shapes "
            f"{tuple(X.shape)} and {tuple(Y.shape)}."
        )
    for name, A in (("X", X), ("Y", Y)):
        if not bool(torch.isfinite(A).all()):
            raise ValueError(f"{name} contains NaN or infinity.")
    return X, Y, is_numpy


def _check_positive(value, name):
    if value is not None and not float(value) > 0:
        raise ValueError(f"{name} must be positive (or None); got {value!r}.")


def _out(K, is_numpy):
    return K.cpu().numpy() if is_numpy else K


def _gamma(gamma, X):
    return 1.0 / X.shape[1] if gamma is None else float(gamma)


def _sq_dists(X, Y):
    """Squared Euclidean distances, clamped at 0 (cancellation can go negative)."""
    # in place on the one (n_X, n_Y) buffer: kernel blocks are the memory peak
    D = X @ Y.T
    D.mul_(-2.0).add_((X * X).sum(dim=1)[:, None]).add_((Y * Y).sum(dim=1)[None, :])
    return D.clamp_(min=0.0)


# ------------------------------------------------------------ torch cores
def _linear(X, Y):
    return X @ Y.T


def _unit_rows(X):
    """Rows scaled to unit Euclidean norm (zero rows stay zero)."""
    norms = torch.linalg.vector_norm(X, dim=1, keepdim=True)
    return X / torch.where(norms > 0, norms, torch.ones_like(norms))


def _cosine(X, Y):
    return _unit_rows(X) @ _unit_rows(Y).T


def _polynomial(X, Y, degree=3, gamma=None, coef0=1.0):
    K = X @ Y.T
    return K.mul_(_gamma(gamma, X)).add_(coef0).pow_(degree)


def _sigmoid(X, Y, gamma=None, coef0=1.0):
    K = X @ Y.T
    return K.mul_(_gamma(gamma, X)).add_(coef0).tanh_()


def _rbf(X, Y, gamma=None):
    return _sq_dists(X, Y).mul_(-_gamma(gamma, X)).exp_()


def _laplacian(X, Y, gamma=None):
    return torch.cdist(X, Y, p=1).mul_(-_gamma(gamma, X)).exp_()


def _matern(X, Y, length_scale=1.0, nu=1.5):
    r = _sq_dists(X, Y).sqrt_().div_(float(length_scale))
    if nu == 0.5:
        return r.neg_().exp_()
    if nu == 1.5:
        r.mul_(math.sqrt(3.0))
        return (1.0 + r) * torch.exp(-r)
    if nu == 2.5:
        r.mul_(math.sqrt(5.0))
        return (1.0 + r + r * r / 3.0) * torch.exp(-r)
    raise ValueError(f"matern kernel supports nu in {{0.5, 1.5, 2.5}}, got {nu!r}.")


def _arccos(X, Y, order=1):
    nx = X.norm(dim=1)[:, None]
    ny = Y.norm(dim=1)[None, :]
    norms = nx * ny
    cos = (X @ Y.T) / torch.where(norms > 0, norms, torch.ones_like(norms))
    # rounding can push |cos| just past 1 near the diagonal: arccos would be NaN
    theta = torch.arccos(cos.clamp_(-1.0, 1.0))
    if order == 0:
        return 1.0 - theta / math.pi
    if order == 1:
        J = torch.sin(theta) + (math.pi - theta) * torch.cos(theta)
        return norms * J / math.pi
    raise ValueError(f"arccos kernel supports order 0 or 1, got {order!r}.")


def _dual_expectations(S12, S11, S22, activation):
    """E[phi(u) phi(v)] and E[phi'(u) phi'(v)], (u, v) ~ N(0, [[S11, S12], [S12, S22]]).

    ReLU: the arc-cosine formulas (Cho and Saul 2009); erf: Williams (1997).
    """
    if activation == "relu":
        norms = torch.sqrt(S11 * S22)
        cos = S12 / torch.where(norms > 0, norms, torch.ones_like(norms))
        # rounding near the diagonal can push |cos| past 1: arccos would be NaN
        theta = torch.arccos(cos.clamp(-1.0, 1.0))
        phi = norms * (torch.sin(theta) + (math.pi - theta) * torch.cos(theta))
        return phi / (2 * math.pi), (math.pi - theta) / (2 * math.pi)
    if activation == "erf":
        P = (1 + 2 * S11) * (1 + 2 * S22)
        arg = (2 * S12 / torch.sqrt(P)).clamp(-1.0, 1.0)
        phi = (2 / math.pi) * torch.arcsin(arg)
        dphi = (4 / math.pi) / torch.sqrt((P - 4 * S12 * S12).clamp_min(1e-30))
        return phi, dphi
    raise ValueError(f"activation must be 'relu' or 'erf', got {activation!r}.")


def _infinite_width(
    X, Y, depth, activation, sigma_w, sigma_b, diagonal=False, parameterization="ntk"
):
    """(NNGP, NTK) of a fully-connected net with ``depth`` hidden layers.

    With ``diagonal=True`` (Y must be X) only k(x_i, x_i) is computed, as
    vectors, by the same recursion.

    NTK parameterization (as google/neural-tangents): layer l computes
    z = sigma_w / sqrt(fan_in) W x + sigma_b b with W, b ~ N(0, 1), the last
    layer is linear. K^1 = sigma_w^2 x.y / d + sigma_b^2, Theta^1 = K^1, then
    per layer K^l = sigma_w^2 E[phi phi] + sigma_b^2 and
    Theta^l = K^l + sigma_w^2 E[phi' phi'] Theta^(l-1), expectations under
    N(0, K^(l-1)); the result is (K^(depth+1), Theta^(depth+1)).

    ``parameterization="standard"`` (z = W x + b, W ~ N(0, sigma_w^2 / fan_in),
    b ~ N(0, sigma_b^2)): the same K^l, but a layer's own parameters contribute
    sum_j h_j(x) h_j(y) + 1 (its inputs' inner product and its biases) where
    the NTK parameterization has K^l. For the first layer that is x.y + 1, for
    a layer after a hidden layer of width N it is N E[phi phi] + 1. The NTK is
    returned as the pair (A, B) of Theta = N A + B for hidden widths N, in place
    of Theta.
    """
    if int(depth) != depth or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, got {depth!r}.")
    standard = parameterization == "standard"
    d = X.shape[1]
    sw2, sb2 = float(sigma_w) ** 2, float(sigma_b) ** 2
    kx = sw2 * (X * X).sum(1) / d + sb2
    ky = sw2 * (Y * Y).sum(1) / d + sb2
    dot = (X * X).sum(1) if diagonal else X @ Y.T
    K = sw2 * dot / d + sb2
    if standard:  # Theta = N A + B
        A, B = torch.zeros_like(K), dot + 1.0
    else:
        T = K.clone()
    for _ in range(int(depth)):
        if diagonal:
            S11, S22 = kx, ky
        else:
            S11, S22 = kx[:, None].expand_as(K), ky[None, :].expand_as(K)
        e_phi, e_dphi = _dual_expectations(K, S11, S22, activation)
        dx, _ = _dual_expectations(kx, kx, kx, activation)
        dy, _ = _dual_expectations(ky, ky, ky, activation)
        K = sw2 * e_phi + sb2
        if standard:
            A = e_phi + sw2 * e_dphi * A
            B = 1.0 + sw2 * e_dphi * B
        else:
            T = K + sw2 * e_dphi * T
        kx, ky = sw2 * dx + sb2, sw2 * dy + sb2
    return K, ((A, B) if standard else T)


def _check_parameterization(parameterization, width):
    if parameterization not in ("ntk", "standard"):
        raise ValueError(
            f"parameterization must be 'ntk' or 'standard', got {parameterization!r}."
        )
    if width is not None and (
        isinstance(width, bool) or int(width) != width or width < 1
    ):
        raise ValueError(f"width must be a positive integer or None, got {width!r}.")


def _nngp(
    X, Y, depth=1, activation="relu", sigma_w=1.0, sigma_b=0.0, parameterization="ntk"
):
    # the function at initialization has the same law in both parameterizations
    _check_parameterization(parameterization, None)
    return _infinite_width(X, Y, depth, activation, sigma_w, sigma_b)[0]


def _standard_ntk(A, B, width, depth):
    """Theta = width A + B, or the limit of Theta / width (``width=None``);
    without hidden layers Theta = B has no width."""
    if int(depth) == 0:
        return B
    return A if width is None else float(width) * A + B


def _ntk(
    X,
    Y,
    depth=1,
    activation="relu",
    sigma_w=1.0,
    sigma_b=0.0,
    parameterization="ntk",
    width=None,
):
    _check_parameterization(parameterization, width)
    T = _infinite_width(
        X, Y, depth, activation, sigma_w, sigma_b, parameterization=parameterization
    )[1]
    if parameterization == "standard":
        return _standard_ntk(*T, width, depth)
    return T


KERNELS = {
    "linear": _linear,
    "cosine": _cosine,
    "poly": _polynomial,
    "polynomial": _polynomial,
    "rbf": _rbf,
    "laplacian": _laplacian,
    "sigmoid": _sigmoid,
    "matern": _matern,
    "arccos": _arccos,
    "nngp": _nngp,
    "ntk": _ntk,
}
"""Names accepted by :func:`pairwise_kernel` and by ``KernelRidge(kernel=...)``."""

# Parameters each kernel takes from KernelRidge's gamma/degree/coef0.
KERNEL_PARAMS = {
    "linear": (),
    "cosine": (),
    "poly": ("gamma", "degree", "coef0"),
    "polynomial": ("gamma", "degree", "coef0"),
    "rbf": ("gamma",),
    "laplacian": ("gamma",),
    "sigmoid": ("gamma", "coef0"),
    "matern": (),
    "arccos": (),
    "nngp": (),
    "ntk": (),
}


# ------------------------------------------------------------ public API
def linear_kernel(X, Y=None):
    """Linear kernel ``k(x, y) = <x, y>``.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input. NumPy in gives NumPy out; a tensor gives a tensor on its
        device.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix, in the floating dtype of the inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import linear_kernel
    >>> linear_kernel(np.eye(2))
    array([[1., 0.],
           [0., 1.]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    return _out(_linear(X, Y), is_numpy)


def cosine_kernel(X, Y=None):
    """Cosine kernel ``k(x, y) = <x, y> / (||x|| ||y||)`` (zero rows give 0).

    The linear kernel of the rows scaled to unit length, as scikit-learn's
    ``cosine_similarity`` (and ``KernelRidge(kernel="cosine")``).

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input. NumPy in gives NumPy out; a tensor gives a tensor on its
        device.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix, in the floating dtype of the inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import cosine_kernel
    >>> cosine_kernel(np.array([[1.0, 0.0], [3.0, 4.0]]))
    array([[1. , 0.6],
           [0.6, 1. ]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    return _out(_cosine(X, Y), is_numpy)


def polynomial_kernel(X, Y=None, degree=3, gamma=None, coef0=1.0):
    """Polynomial kernel ``k(x, y) = (gamma <x, y> + coef0) ** degree``.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    degree : float, default=3
        Degree of the polynomial.

    gamma : float, default=None
        Scale of the inner product; ``None`` means ``1 / n_features``.

    coef0 : float, default=1.0
        Constant term.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import polynomial_kernel
    >>> polynomial_kernel(np.array([[1.0, 1.0]]), degree=2, gamma=1.0)
    array([[9.]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    return _out(_polynomial(X, Y, degree, gamma, coef0), is_numpy)


def sigmoid_kernel(X, Y=None, gamma=None, coef0=1.0):
    """Sigmoid kernel ``k(x, y) = tanh(gamma <x, y> + coef0)``.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    gamma : float, default=None
        Scale of the inner product; ``None`` means ``1 / n_features``.

    coef0 : float, default=1.0
        Offset inside the tanh.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix (not positive definite in general).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import sigmoid_kernel
    >>> sigmoid_kernel(np.zeros((1, 2)), coef0=0.0)
    array([[0.]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    return _out(_sigmoid(X, Y, gamma, coef0), is_numpy)


def rbf_kernel(X, Y=None, gamma=None):
    """Gaussian (RBF) kernel ``k(x, y) = exp(-gamma ||x - y||^2)``.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    gamma : float, default=None
        Inverse squared length scale; ``None`` means ``1 / n_features``.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import rbf_kernel
    >>> rbf_kernel(np.array([[0.0], [1.0]]), gamma=1.0).round(4)
    array([[1.    , 0.3679],
           [0.3679, 1.    ]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    _check_positive(gamma, "gamma")
    return _out(_rbf(X, Y, gamma), is_numpy)


def laplacian_kernel(X, Y=None, gamma=None):
    """Laplacian kernel ``k(x, y) = exp(-gamma ||x - y||_1)``.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    gamma : float, default=None
        Inverse length scale; ``None`` means ``1 / n_features``.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import laplacian_kernel
    >>> laplacian_kernel(np.array([[0.0, 0.0]]), np.array([[1.0, 1.0]]), gamma=1.0)
    array([[0.13533528]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    _check_positive(gamma, "gamma")
    return _out(_laplacian(X, Y, gamma), is_numpy)


def matern_kernel(X, Y=None, length_scale=1.0, nu=1.5):
    """Matern kernel with smoothness ``nu`` in {0.5, 1.5, 2.5}.

    With ``r = ||x - y|| / length_scale``: ``exp(-r)`` for nu=0.5,
    ``(1 + sqrt(3) r) exp(-sqrt(3) r)`` for nu=1.5 and
    ``(1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)`` for nu=2.5, the same as
    :class:`sklearn.gaussian_process.kernels.Matern`.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    length_scale : float, default=1.0
        Length scale.

    nu : {0.5, 1.5, 2.5}, default=1.5
        Smoothness: the RKHS is a Sobolev space of order ``nu + d/2``.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import matern_kernel
    >>> matern_kernel(np.array([[0.0], [1.0]]), nu=0.5).round(4)
    array([[1.    , 0.3679],
           [0.3679, 1.    ]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    _check_positive(length_scale, "length_scale")
    return _out(_matern(X, Y, length_scale, nu), is_numpy)


def arccos_kernel(X, Y=None, order=1):
    """Arc-cosine kernel of Cho and Saul (2009), of order 0 or 1.

    With ``theta`` the angle between x and y:
    ``k_0(x, y) = 1 - theta / pi`` and
    ``k_1(x, y) = ||x|| ||y|| (sin(theta) + (pi - theta) cos(theta)) / pi``.
    They equal ``2 E[H(w.x) H(w.y) (w.x)^n (w.y)^n]`` for ``w ~ N(0, I)``, the
    kernel of an infinitely wide one-hidden-layer network with step (n=0) or
    ReLU (n=1) units.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    order : {0, 1}, default=1
        Order n of the kernel.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix.

    References
    ----------
    .. [1] Y. Cho and L. K. Saul, "Kernel methods for deep learning", NeurIPS
       2009.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import arccos_kernel
    >>> arccos_kernel(np.array([[1.0, 0.0], [0.0, 1.0]]), order=0)
    array([[1. , 0.5],
           [0.5, 1. ]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    return _out(_arccos(X, Y, order), is_numpy)


def nngp_kernel(
    X,
    Y=None,
    depth=1,
    activation="relu",
    sigma_w=1.0,
    sigma_b=0.0,
    parameterization="ntk",
):
    """NNGP kernel: the output covariance of an infinitely wide random network.

    For a fully-connected network with ``depth`` hidden layers in NTK
    parameterization (layer l: ``sigma_w / sqrt(fan_in) W x + sigma_b b``,
    W, b ~ N(0, 1)), the outputs at initialization converge, as the widths grow,
    to a Gaussian process with this covariance. Kernel ridge regression with it
    is the posterior mean of Bayesian inference in the infinitely wide network.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    depth : int, default=1
        Number of hidden layers.

    activation : {"relu", "erf"}, default="relu"
        Activation, with closed-form Gaussian expectations (arc-cosine kernels
        for ReLU, Williams 1997 for erf).

    sigma_w : float, default=1.0
        Weight scale.

    sigma_b : float, default=0.0
        Bias scale.

    parameterization : {"ntk", "standard"}, default="ntk"
        "standard": layers ``W x + b`` with W ~ N(0, sigma_w^2 / fan_in),
        b ~ N(0, sigma_b^2). The network's function at initialization has the
        same law in both parameterizations, so the kernel is the same; the
        parameter is here for symmetry with :func:`ntk_kernel`, where they
        differ.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix.

    See Also
    --------
    ntk_kernel : The neural tangent kernel of the same network.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import nngp_kernel
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> nngp_kernel(X, depth=1, sigma_w=np.sqrt(2)).round(4)
    array([[1.    , 0.3183],
           [0.3183, 1.    ]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    K = _nngp(X, Y, depth, activation, sigma_w, sigma_b, parameterization)
    return _out(K, is_numpy)


def ntk_kernel(
    X,
    Y=None,
    depth=1,
    activation="relu",
    sigma_w=1.0,
    sigma_b=0.0,
    parameterization="ntk",
    width=None,
):
    """Neural tangent kernel of an infinitely wide fully-connected network.

    ``Theta(x, y) = sum_p df(x)/dp df(y)/dp`` at initialization, in the limit of
    infinite width (Jacot, Gabriel and Hongler 2018), for ``depth`` hidden
    layers in NTK parameterization. Gradient descent on the squared loss with a
    small step trains such a network like kernel regression with this kernel
    (the lazy or linear regime).

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    depth : int, default=1
        Number of hidden layers.

    activation : {"relu", "erf"}, default="relu"
        Activation.

    sigma_w : float, default=1.0
        Weight scale.

    sigma_b : float, default=0.0
        Bias scale.

    parameterization : {"ntk", "standard"}, default="ntk"
        "ntk": layers ``sigma_w / sqrt(fan_in) W x + sigma_b b`` with W, b ~
        N(0, 1), whose NTK has a finite limit. "standard": layers ``W x + b``
        with W ~ N(0, sigma_w^2 / fan_in) and b ~ N(0, sigma_b^2), as PyTorch
        layers initialized that way (``init="ntk"`` of the MLPs is sigma_w =
        sigma_b = 1, ``init="he"`` is sigma_w = sqrt(2), sigma_b = 0). The
        network computes the same function, but the gradient with respect to a
        weight of a layer after a hidden layer of width N lacks the factor
        1/sqrt(N), so that layer's contribution is N E[phi phi] + 1 (its
        inputs' inner product plus its biases) instead of
        sigma_w^2 E[phi phi] + sigma_b^2: the NTK grows linearly with the
        width, Theta = N A + B (Sohl-Dickstein et al. 2020). Gradient descent
        with a fixed step then leaves the lazy regime as N grows; the stable
        step of the standard parameterization scales like 1/N.

    width : int, default=None
        With ``parameterization="standard"``: the width N of every hidden
        layer, and the result is N A + B, which the empirical NTK of such a
        network approaches with relative error about N^(-1/2)
        (:func:`empirical_ntk`); None gives the limit A = lim Theta / N. With
        ``depth=0`` (no hidden layer) the kernel is x.y + 1 for any width. Not
        used by the NTK parameterization.

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix.

    See Also
    --------
    nngp_kernel : The output covariance of the same network at initialization.

    References
    ----------
    .. [1] A. Jacot, F. Gabriel and C. Hongler, "Neural tangent kernel:
       convergence and generalization in neural networks", NeurIPS 2018.
    .. [2] J. Sohl-Dickstein, R. Novak, S. S. Schoenholz and J. Lee, "On the
       infinite width limit of neural networks with a standard
       parameterization", arXiv:2001.07301, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import ntk_kernel
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> ntk_kernel(X, depth=1, sigma_w=np.sqrt(2)).round(4)
    array([[2.    , 0.3183],
           [0.3183, 2.    ]])
    >>> ntk_kernel(X, depth=0, parameterization="standard")  # x.y + 1
    array([[2., 1.],
           [1., 2.]])
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    T = _ntk(X, Y, depth, activation, sigma_w, sigma_b, parameterization, width)
    return _out(T, is_numpy)


def _model_inputs(model, X):
    """(module, float32 tensor input, device) for an estimator or a module."""
    if isinstance(model, torch.nn.Module):
        module = model
        param = next(module.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        if not isinstance(X, torch.Tensor):
            X = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
        return module, X.to(device=device, dtype=torch.float32), device
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    if not hasattr(model, "module_") or not hasattr(model, "_check_inference_input"):
        raise TypeError(
            "empirical_ntk needs a fitted sklearn_mathdl torch estimator or a "
            f"torch.nn.Module; got {type(model).__name__}."
        )
    Xv = model._prepare_X(model._check_inference_input(X))
    return (
        model.module_,
        torch.from_numpy(np.ascontiguousarray(Xv)).to(model._device),
        model._device,
    )


def empirical_ntk(model, X, Y=None, *, block_size="auto"):
    """Finite-width neural tangent kernel of a network at its current weights.

    ``Theta(x, y) = (1/K) sum_a sum_p df_a(x)/dp df_a(y)/dp``, the inner product
    of the parameter Jacobians (averaged over the K outputs), computed with
    :mod:`torch.func` (``vmap`` of ``jacrev``) on blocks of rows so memory
    stays bounded. For a network in NTK parameterization it converges to
    :func:`ntk_kernel` as the width grows, at rate about width^(-1/2).

    Parameters
    ----------
    model : fitted sklearn_mathdl estimator or torch.nn.Module
        A torch estimator (its ``module_`` is used, in evaluation mode, after the
        estimator's own input validation) or a module whose ``forward`` maps a
        2-D float32 batch to one tensor.

    X : array-like or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : array-like or torch.Tensor of shape (n_samples_Y, n_features), \
            default=None
        Second input; ``None`` means ``X``.

    block_size : int or "auto", default="auto"
        Rows per Jacobian block; "auto" keeps a block's Jacobian near 256 MB.

    Returns
    -------
    K : ndarray of shape (n_samples_X, n_samples_Y)
        The empirical NTK (float64).

    Examples
    --------
    >>> import torch
    >>> from sklearn_mathdl.kernels import empirical_ntk
    >>> net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(),
    ...                           torch.nn.Linear(16, 1))
    >>> empirical_ntk(net, torch.randn(5, 3)).shape
    (5, 5)
    """
    from torch.func import functional_call, jacrev, vmap

    module, Xt, _ = _model_inputs(model, X)
    Yt = Xt if Y is None else _model_inputs(model, Y)[1]
    was_training = module.training
    module.eval()
    params = {k: v.detach() for k, v in module.named_parameters()}
    buffers = {k: v.detach() for k, v in module.named_buffers()}
    n_params = sum(p.numel() for p in params.values())

    def f(p, x):
        out = functional_call(module, (p, buffers), (x[None],))
        if not isinstance(out, torch.Tensor):
            raise TypeError(
                "empirical_ntk needs a module whose forward returns one tensor."
            )
        return out.reshape(-1)

    jac_fn = vmap(jacrev(f), in_dims=(None, 0))
    with torch.no_grad():
        n_out = f(params, Xt[0]).numel()
    rows = block_size
    if rows == "auto":
        rows = max(1, (256 * 2**20) // (4 * n_out * max(n_params, 1)))

    def jacobian(block):
        jac = jac_fn(params, block)
        return torch.cat(
            [j.reshape(len(block), n_out, -1) for j in jac.values()], dim=2
        )

    try:
        K = torch.empty((len(Xt), len(Yt)), dtype=torch.float64)
        y_blocks = None
        if Y is None or len(Yt) * n_out * n_params * 4 <= 1024 * 2**20:
            y_blocks = [jacobian(Yt[j : j + rows]) for j in range(0, len(Yt), rows)]
        for i in range(0, len(Xt), rows):
            Jx = jacobian(Xt[i : i + rows])
            for jb, j in enumerate(range(0, len(Yt), rows)):
                Jy = (
                    y_blocks[jb] if y_blocks is not None else jacobian(Yt[j : j + rows])
                )
                block = torch.einsum("iap,jap->ij", Jx.double(), Jy.double())
                K[i : i + rows, j : j + rows] = (block / n_out).cpu()
    finally:
        module.train(was_training)
    return K.numpy()


def pairwise_kernel(X, Y=None, kernel="rbf", **params):
    """Kernel matrix between the rows of X and Y for a kernel named in KERNELS.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n_samples_X, n_features)
        First input.

    Y : ndarray or torch.Tensor of shape (n_samples_Y, n_features), default=None
        Second input; ``None`` means ``X``.

    kernel : str or callable, default="rbf"
        A key of ``KERNELS`` or a callable ``kernel(X_block, Y_block, **params)``
        that returns the kernel matrix of two 2-D blocks (as tensors when given
        tensors).

    **params : dict
        Parameters of the kernel (``gamma``, ``degree``, ``coef0``,
        ``length_scale``, ``nu``, ``order``).

    Returns
    -------
    K : ndarray or torch.Tensor of shape (n_samples_X, n_samples_Y)
        The kernel matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.kernels import pairwise_kernel
    >>> pairwise_kernel(np.zeros((2, 3)), kernel="rbf").shape
    (2, 2)
    """
    X, Y, is_numpy = _as_tensors(X, Y)
    return _out(_kernel_block(kernel, X, Y, params), is_numpy)


def _kernel_block(kernel, X, Y, params):
    """Kernel block on tensors (the estimators' internal entry point)."""
    if callable(kernel):
        K = kernel(X, Y, **params)
        K = torch.as_tensor(K, dtype=X.dtype, device=X.device)
        if K.shape != (X.shape[0], Y.shape[0]):
            raise ValueError(
                f"The kernel callable returned shape {tuple(K.shape)}; expected "
                f"{(X.shape[0], Y.shape[0])}."
            )
        return K
    try:
        fn = KERNELS[kernel]
    except KeyError:
        raise ValueError(
            f"Unknown kernel {kernel!r}; expected one of {sorted(KERNELS)} or a "
            "callable."
        ) from None
    return fn(X, Y, **params)


def _kernel_diag(kernel, X, params):
    """k(x, x) for every row of X, without forming a kernel matrix."""
    sq = (X * X).sum(dim=1)
    if callable(kernel):
        return torch.stack(
            [_kernel_block(kernel, x[None], x[None], params)[0, 0] for x in X]
        )
    if kernel in ("rbf", "laplacian", "matern"):
        return torch.ones_like(sq)
    if kernel == "linear":
        return sq
    if kernel == "cosine":
        return (sq > 0).to(sq.dtype)
    gamma = _gamma(params.get("gamma"), X)
    coef0 = params.get("coef0", 1.0)
    if kernel in ("poly", "polynomial"):
        return (gamma * sq + coef0) ** params.get("degree", 3)
    if kernel == "sigmoid":
        return torch.tanh(gamma * sq + coef0)
    if kernel == "arccos":
        return torch.ones_like(sq) if params.get("order", 1) == 0 else sq
    if kernel in ("ntk", "nngp"):
        defaults = {
            "depth": 1,
            "activation": "relu",
            "sigma_w": 1.0,
            "sigma_b": 0.0,
            "parameterization": "ntk",
            "width": None,
        }
        p = {**defaults, **params}
        _check_parameterization(p["parameterization"], p["width"])
        K, T = _infinite_width(
            X,
            X,
            p["depth"],
            p["activation"],
            p["sigma_w"],
            p["sigma_b"],
            diagonal=True,
            parameterization=p["parameterization"],
        )
        if kernel == "nngp":
            return K
        if isinstance(T, tuple):
            return _standard_ntk(*T, p["width"], p["depth"])
        return T
    raise ValueError(f"Unknown kernel {kernel!r}.")
