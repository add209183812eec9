"""Kernel ridge regression and classification: exact, Nystrom and FALKON solvers."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.linalg
import torch
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_mathdl.kernels import KERNEL_PARAMS, KERNELS, _kernel_block, _kernel_diag
from sklearn_mathdl.utils import check_device
from sklearn_mathdl.utils._compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
)
from sklearn_mathdl.utils._doc_link import _DocLinkMixin
from sklearn_mathdl.utils._seeding import draw_seed
from sklearn_mathdl.utils._validation import (
    class_sample_weight,
    labels_from_scores,
    standardizing_scale,
)

# Largest n the "auto" solver factors exactly (an n x n float64 matrix: 3.2 GB).
_EXACT_MAX_N = 20_000
# Above this many centres "auto" prefers FALKON's CG to the direct Nystrom solve.
_NYSTROM_MAX_CENTERS = 2_000
# Plain arrays larger than this are checked block by block at prediction.
_CHECK_BLOCK_BYTES = 32 * 2**20
# Bytes of one kernel block when block_size="auto".
_BLOCK_BYTES = 16 * 2**20


def _auto_centers(n):
    return int(min(n, max(1000, 2 * math.isqrt(n))))


# From this size on, a CPU float64 eigendecomposition goes through SciPy's
# divide-and-conquer driver (LAPACK syevd, in place): at n = 5,000 on 2 cores it
# took 14.3 s against torch.linalg.eigh's 23.9 s (and 16.5 s for SciPy's MRRR
# driver "evr").
_SCIPY_EIGH_MIN_N = 512


def _eigh(K):
    """Eigenvalues and eigenvectors of the symmetric ``K`` (overwritten)."""
    if (
        K.device.type == "cpu"
        and K.dtype == torch.float64
        and K.shape[0] >= _SCIPY_EIGH_MIN_N
    ):
        lam, U = scipy.linalg.eigh(
            K.numpy(), driver="evd", overwrite_a=True, check_finite=False
        )
        return torch.from_numpy(lam), torch.from_numpy(U)
    return torch.linalg.eigh(K)


def _cholesky_lower_inplace(A, block=1024):
    """Blocked right-looking Cholesky, in place in the lower triangle of A.

    Returns 0 on success, else a positive index where A is not positive
    definite. Memory beyond A is one (n x block) panel. LAPACK's own in-place
    potrf (scipy's bundled OpenBLAS) segfaulted from n ~ 16,000 on our
    machines, and torch.linalg.cholesky needs a second n x n buffer; this uses
    torch's (MKL/cuBLAS) triangular solves and GEMMs on views instead.
    """
    n = A.shape[0]
    for k in range(0, n, block):
        e = min(k + block, n)
        L, info = torch.linalg.cholesky_ex(A[k:e, k:e])
        if int(info) != 0:
            return k + int(info)
        A[k:e, k:e] = L
        if e == n:
            break
        panel = torch.linalg.solve_triangular(L, A[e:, k:e].mT, upper=False).mT
        A[e:, k:e] = panel
        # update only the lower part of the trailing matrix, a block row at a time
        for i in range(e, n, block):
            j = min(i + block, n)
            A[i:j, e:j].addmm_(panel[i - e : j - e], panel[: j - e].mT, alpha=-1.0)
    return 0


def _chol_upper(M, what):
    """Upper Cholesky factor of a symmetric PSD float64 tensor, with jitter."""
    scale = float(M.diagonal().abs().mean()) or 1.0
    eye = torch.eye(M.shape[0], dtype=M.dtype, device=M.device)
    for jitter in (0.0, 1e-12, 1e-10, 1e-8, 1e-6):
        L, info = torch.linalg.cholesky_ex(M + (jitter * scale) * eye)
        if int(info) == 0:
            return L.mT
    raise ValueError(
        f"The {what} is not positive definite even with jitter; the kernel may "
        "not be positive definite (e.g. 'sigmoid'), or alpha may be too small."
    )


def _from_numpy(a, device):
    """A tensor of ``a`` on ``device``; read-only arrays (joblib memmaps, views of
    frozen data) are copied, since torch cannot wrap them safely."""
    if not a.flags.writeable:
        a = a.copy()
    return torch.from_numpy(a).to(device)


class _BaseKernelRidge(_DocLinkMixin, BaseEstimator):
    """Shared fitting and prediction of the kernel ridge estimators."""

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "kernel": [StrOptions(set(KERNELS) | {"precomputed"}), callable],
        "gamma": [Interval(Real, 0, None, closed="left"), None],
        "degree": [Interval(Real, 0, None, closed="left")],
        "coef0": [Interval(Real, None, None, closed="neither")],
        "kernel_params": [dict, None],
        "solver": [StrOptions({"auto", "exact", "nystrom", "falkon"})],
        "n_centers": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "center_selection": [StrOptions({"uniform", "leverage"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "block_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "precision": [StrOptions({"auto", "float32", "float64"})],
        "device": [str, torch.device],
        "random_state": ["random_state"],
    }

    # ------------------------------------------------------------- helpers
    def _kparams(self):
        params = {}
        if not callable(self.kernel):
            names = KERNEL_PARAMS.get(self.kernel, ())
            params = {k: getattr(self, k) for k in names}
        params.update(self.kernel_params or {})
        return params

    def _kernel(self, A, B):
        return _kernel_block(self.kernel, A, B, self._kparams())

    def _block_rows(self, n_cols):
        if self.block_size != "auto":
            return int(self.block_size)
        return int(max(256, _BLOCK_BYTES // (8 * max(n_cols, 1))))

    def _choose_solver(self, n):
        m = _auto_centers(n) if self.n_centers == "auto" else int(self.n_centers)
        m = min(m, n)
        if self.kernel == "precomputed":
            if self.solver not in ("auto", "exact"):
                raise ValueError(
                    f"kernel='precomputed' takes the Gram matrix as X and is "
                    f"solved exactly; solver={self.solver!r} is not available."
                )
            return "exact", m
        if self.solver != "auto":
            return self.solver, m
        if n <= _EXACT_MAX_N:
            return "exact", m
        return ("nystrom" if m <= _NYSTROM_MAX_CENTERS else "falkon"), m

    # ------------------------------------------------------------ fitting
    def _fit_core(self, X, Y, sample_weight):
        """Solve for the dual coefficients; ``Y`` is 2-D float64."""
        n, n_targets = Y.shape
        alpha = np.atleast_1d(np.asarray(self.alpha, dtype=np.float64))
        if alpha.ndim != 1 or alpha.size not in (1, n_targets):
            raise ValueError(
                f"alpha must be a scalar or have one value per target "
                f"({n_targets}); got shape {np.shape(self.alpha)}."
            )
        if np.any(alpha < 0):
            raise ValueError("alpha must be non-negative.")
        self._device = check_device(self.device)
        solver, m = self._choose_solver(n)
        Xt = _from_numpy(X, self._device)
        Yt = _from_numpy(Y, self._device)
        sw = None
        if sample_weight is not None:
            sw = _from_numpy(sample_weight, self._device)
        self.n_iter_ = 1  # a direct solve; "falkon" overwrites with CG steps
        if hasattr(self, "center_indices_"):
            del self.center_indices_
        if solver == "exact":
            dual = self._solve_exact(Xt, Yt, sw, alpha)
            self.X_fit_ = X
        else:
            rng = np.random.RandomState(draw_seed(self.random_state))
            idx = self._select_centers(Xt, n, m, alpha, rng)
            C = Xt[torch.from_numpy(idx).to(self._device)]
            if solver == "nystrom":
                dual = self._solve_nystrom(Xt, Yt, sw, C, alpha)
            else:
                dual = self._solve_falkon(Xt, Yt, sw, C, alpha)
            self.X_fit_ = X[idx]
            self.center_indices_ = idx
        if not torch.isfinite(dual).all():
            raise ValueError(
                "Kernel ridge produced non-finite coefficients; increase alpha or "
                "check the kernel parameters."
            )
        self.solver_ = solver
        self.n_centers_ = self.X_fit_.shape[0]
        return dual.cpu().numpy()

    def _fill_kernel(self, Xt):
        if self.kernel == "precomputed":  # X is the Gram matrix: solved in place
            return Xt.clone()
        n = Xt.shape[0]
        K = torch.empty((n, n), dtype=torch.float64, device=Xt.device)
        step = self._block_rows(n)
        for start in range(0, n, step):
            K[start : start + step] = self._kernel(Xt[start : start + step], Xt)
        return K

    def _weighted_kernel(self, Xt, sw):
        """W^1/2 K W^1/2 in one n x n buffer (K alone without weights)."""
        K = self._fill_kernel(Xt)
        if sw is not None:
            s = sw.sqrt()
            K.mul_(s[:, None]).mul_(s[None, :])
        return K

    def _solve_exact(self, Xt, Yt, sw, alpha):
        K = self._weighted_kernel(Xt, sw)
        Y = Yt if sw is None else Yt * sw.sqrt()[:, None]
        if alpha.size == 1:
            K.diagonal().add_(float(alpha[0]))
            dual = self._cholesky_solve_inplace(K, Y, Xt, sw, alpha)
        else:
            # one factorization per alpha would cost n^3 each: diagonalize once
            w, V = _eigh(K)
            del K
            proj = V.mT @ Y
            a = torch.from_numpy(alpha).to(w)
            dual = V @ (proj / (w[:, None] + a[None, :]))
        if sw is not None:
            dual = dual * sw.sqrt()[:, None]
        return dual

    def _cholesky_solve_inplace(self, K, Y, Xt, sw, alpha):
        if _cholesky_lower_inplace(K) == 0:
            z = torch.linalg.solve_triangular(K, Y, upper=False)
            return torch.linalg.solve_triangular(K.mT, z, upper=True)
        warnings.warn(
            "Singular matrix in solving the dual problem; using the least-squares "
            "solution instead.",
            scipy.linalg.LinAlgWarning,
            stacklevel=4,
        )
        K = self._weighted_kernel(Xt, sw)
        K.diagonal().add_(float(alpha[0]))
        return torch.linalg.lstsq(K.cpu(), Y.cpu()).solution.to(K.device)

    def _select_centers(self, Xt, n, m, alpha, rng):
        if self.center_selection == "uniform" or m >= n:
            return np.sort(rng.choice(n, size=m, replace=False))
        # Approximate ridge leverage scores from a uniform dictionary D:
        # l(x) ~ (k(x,x) - k_xD (K_DD + lam I)^-1 k_Dx) / lam, lam = alpha / n.
        d = min(n, 2 * m)
        D = Xt[torch.from_numpy(rng.choice(n, size=d, replace=False)).to(Xt.device)]
        lam = max(float(alpha.mean()), 1e-12)
        K_DD = self._kernel(D, D).double()
        R = _chol_upper(
            K_DD + lam * torch.eye(d, dtype=K_DD.dtype, device=K_DD.device),
            "leverage-score dictionary",
        )
        scores = torch.empty(n, dtype=torch.float64, device=Xt.device)
        step = self._block_rows(d)
        for start in range(0, n, step):
            Xb = Xt[start : start + step]
            KbD = self._kernel(Xb, D).double()
            Z = torch.linalg.solve_triangular(R.mT, KbD.mT, upper=False)
            kxx = _kernel_diag(self.kernel, Xb, self._kparams()).double()
            scores[start : start + step] = (kxx - (Z * Z).sum(0)).clamp_min(0) / lam
        p = scores.cpu().numpy() + 1e-12
        return np.sort(rng.choice(n, size=m, replace=False, p=p / p.sum()))

    def _normal_blocks(self, Xt, Yt, sw, C, dtype):
        """Yield (Kb, Yb, wb) row blocks of the n x m kernel in ``dtype``."""
        step = self._block_rows(C.shape[0])
        Cd = C.to(dtype)
        for start in range(0, Xt.shape[0], step):
            Kb = self._kernel(Xt[start : start + step].to(dtype), Cd)
            wb = None if sw is None else sw[start : start + step]
            yield Kb, Yt[start : start + step], wb

    def _solve_nystrom(self, Xt, Yt, sw, C, alpha):
        m = C.shape[0]
        G = torch.zeros((m, m), dtype=torch.float64, device=Xt.device)
        r = torch.zeros((m, Yt.shape[1]), dtype=torch.float64, device=Xt.device)
        # float64 sums: in float32, Knm^T Knm over 10^6 rows loses definiteness
        for Kb, Yb, wb in self._normal_blocks(Xt, Yt, sw, C, torch.float64):
            Kw = Kb if wb is None else Kb * wb[:, None]
            G.addmm_(Kw.mT, Kb)
            r.addmm_(Kw.mT, Yb)
        Kmm = self._kernel(C, C).double()
        sols = []
        for j in range(Yt.shape[1]):
            a = float(alpha[0] if alpha.size == 1 else alpha[j])
            H = G + a * Kmm
            U = _chol_upper(H, "Nystrom normal-equation matrix")
            rhs = r if alpha.size == 1 else r[:, j : j + 1]
            sols.append(torch.cholesky_solve(rhs, U, upper=True))
            if alpha.size == 1:
                break
        return torch.cat(sols, dim=1)

    def _solve_falkon(self, Xt, Yt, sw, C, alpha):
        """FALKON (Rudi et al. 2017; Meanti et al. 2020): preconditioned CG.

        Solves (Knm^T W Knm + alpha Kmm) a = Knm^T W y, i.e. with lam = alpha/n
        (1/n Knm^T W Knm + lam Kmm) a = 1/n Knm^T W y, through the
        preconditioner B = T^-1 A^-1, T = chol(Kmm), A = chol(T T^T / m + lam I).
        Kernel blocks are float64 unless precision="float32"; sums and the
        small m x m algebra are always float64.
        """
        n, m = Xt.shape[0], C.shape[0]
        dev = Xt.device
        Kmm = self._kernel(C, C).double()
        T = _chol_upper(Kmm, "centre kernel matrix Kmm")
        eye = torch.eye(m, dtype=torch.float64, device=dev)
        Xf = Xt.float()
        Yd = Yt.double()
        blocks_dtype = self._falkon_dtype()

        def knm_t_w_knm(z):
            out = torch.zeros((m, z.shape[1]), dtype=torch.float64, device=dev)
            zf = z.to(blocks_dtype)
            for Kb, _, wb in self._normal_blocks(Xf, Yd, sw, C, blocks_dtype):
                v = Kb @ zf
                if wb is not None:
                    v = v * wb[:, None].to(blocks_dtype)
                out += (Kb.mT @ v).double()
            return out

        rhs_full = torch.zeros((m, Yd.shape[1]), dtype=torch.float64, device=dev)
        for Kb, Yb, wb in self._normal_blocks(Xf, Yd, sw, C, blocks_dtype):
            Yw = Yb if wb is None else Yb * wb[:, None]
            rhs_full += (Kb.mT @ Yw.to(blocks_dtype)).double()

        def tri(M, B, upper, left_transpose=False):
            if left_transpose:
                return torch.linalg.solve_triangular(M.mT, B, upper=not upper)
            return torch.linalg.solve_triangular(M, B, upper=upper)

        sols, iters = [], []
        targets = range(Yd.shape[1]) if alpha.size > 1 else [None]
        for j in targets:
            a = float(alpha[0] if j is None else alpha[j])
            lam = a / n
            A = _chol_upper(T @ T.mT / m + lam * eye, "FALKON preconditioner")
            b = rhs_full if j is None else rhs_full[:, j : j + 1]
            R = tri(A, tri(T, b / n, True, True), True, True)

            def linop(u, A=A, lam=lam):
                v = tri(A, u, True)
                w = knm_t_w_knm(tri(T, v, True))
                c = tri(T, w / n, True, True)
                return tri(A, c + lam * v, True, True)

            beta, k = _conjugate_gradient(linop, R, self.max_iter, self.tol)
            sols.append(tri(T, tri(A, beta, True), True))
            iters.append(k)
        self.n_iter_ = max(iters)
        return torch.cat(sols, dim=1)

    def _falkon_dtype(self):
        return torch.float32 if self.precision == "float32" else torch.float64

    # ---------------------------------------------------------- predicting
    def _decision(self, X):
        """Kernel expansion at X, one row block at a time.

        Each block is cast to float64 and moved to the device on its own, and
        the result is written into one preallocated array: memory beyond X and
        the output is one block of kernel values, whatever n.
        """
        device = self._device
        C = _from_numpy(self.X_fit_, device)
        dual = _from_numpy(self._dual_2d, device)
        step = self._block_rows(C.shape[0])
        n = X.shape[0]
        out = np.empty((n, dual.shape[1]), dtype=np.float64)
        for s in range(0, n, step):
            block = np.ascontiguousarray(X[s : s + step], dtype=np.float64)
            Xb = _from_numpy(block, device)
            if self.kernel == "precomputed":  # rows of K(X_test, X_train)
                out[s : s + step] = (Xb @ dual).cpu().numpy()
            else:
                out[s : s + step] = (self._kernel(Xb, C) @ dual).cpu().numpy()
        return out

    def __call__(self, X):
        """Model function for callable-based tools such as SHAP.

        ``predict`` for :class:`KernelRidge`, ``decision_function`` for
        :class:`KernelRidgeClassifier` (which has no probabilities).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        out : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions or class scores.
        """
        if isinstance(self, ClassifierMixin):
            return self.decision_function(X)
        return self.predict(X)

    def _validate_fit(self, X, y, multi_output=True):
        X, y = self._validate_fit_data(X, y, multi_output)
        if self.kernel == "precomputed" and X.shape[0] != X.shape[1]:
            raise ValueError(
                "kernel='precomputed' takes the n x n Gram matrix of the training "
                f"samples as X; got shape {X.shape}."
            )
        return X, y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.kernel == "precomputed"
        tags.input_tags.sparse = True
        return tags

    def _validate_fit_data(self, X, y, multi_output):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=np.float64,
            order="C",
            multi_output=multi_output,
            y_numeric=not isinstance(self, ClassifierMixin),
        )
        return _densified(X), y

    def _check_predict(self, X):
        check_is_fitted(self)
        if (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in (np.float32, np.float64)
            and not hasattr(self, "feature_names_in_")
            and X.nbytes > _CHECK_BLOCK_BYTES
        ):
            # large plain arrays: the same checks, one block at a time (no
            # whole-input float64 copy, no n x d finiteness mask)
            validate_data(self, X[:1], reset=False, dtype=np.float64)
            step = max(1, _CHECK_BLOCK_BYTES // (8 * X.shape[1]))
            for s in range(0, X.shape[0], step):
                if not np.isfinite(X[s : s + step]).all():
                    raise ValueError("Input X contains NaN or infinity.")
            return X
        X = validate_data(
            self, X, reset=False, accept_sparse="csr", dtype=np.float64, order="C"
        )
        return _densified(X)


# Sparse X is densified whole (kernels are computed on dense rows) up to this
# size; the exact solver's n x n kernel is the larger object whenever d <= n.
_SPARSE_DENSE_LIMIT_BYTES = 2**30


def _densified(X):
    """A dense copy of sparse ``X``, refused past ``_SPARSE_DENSE_LIMIT_BYTES``."""
    if not issparse(X):
        return X
    dense_bytes = 8 * X.shape[0] * X.shape[1]
    if dense_bytes > _SPARSE_DENSE_LIMIT_BYTES:
        raise ValueError(
            f"Kernel ridge computes its kernels on dense rows: this sparse X "
            f"({X.shape[0]} x {X.shape[1]}) would take {dense_bytes / 2**30:.1f} "
            "GiB dense, over the 1 GiB limit. Reduce the features first (for "
            "example TruncatedSVD), or use MLPRegressor/MLPClassifier, which "
            "densify one batch at a time."
        )
    return np.ascontiguousarray(X.toarray())


def _conjugate_gradient(linop, B, max_iter, tol):
    """CG on every column of B at once (columns are independent systems)."""
    X = torch.zeros_like(B)
    R = B.clone()
    P = R.clone()
    rs = (R * R).sum(0)
    b_norm = torch.sqrt((B * B).sum(0)).clamp_min(1e-300)
    k = 0
    for k in range(1, max_iter + 1):  # noqa: B007 (k is returned)
        AP = linop(P)
        step = rs / (P * AP).sum(0).clamp_min(1e-300)
        X += step * P
        R -= step * AP
        rs_new = (R * R).sum(0)
        if torch.all(torch.sqrt(rs_new) <= tol * b_norm):
            break
        P = R + (rs_new / rs.clamp_min(1e-300)) * P
        rs = rs_new
    return X, k


class KernelRidge(RegressorMixin, _BaseKernelRidge):
    """Kernel ridge regression with exact, Nystrom and FALKON solvers.

    A drop-in for :class:`sklearn.kernel_ridge.KernelRidge` (same parameters,
    same predictions with ``solver="exact"``) that also scales to millions of
    rows: the Nystrom solvers never build an n x n or n x m matrix, and kernel
    blocks are streamed over rows.

    Read more in the :ref:`User Guide <kernel_ridge>`.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Regularization strength: the solution minimises
        ``sum_i w_i (y_i - f(x_i))^2 + alpha ||f||_H^2``. One value per target is
        allowed.

    kernel : str or callable, default="linear"
        One of "linear", "cosine", "poly"/"polynomial", "rbf", "laplacian", "sigmoid",
        "matern", "arccos", "ntk", "nngp", "precomputed" (X is the Gram matrix
        at fit, the test-by-train kernel at predict; exact solver), or a callable
        ``kernel(A, B, **kernel_params)`` returning the kernel matrix of two
        2-D torch tensors (blocks of rows).
        Unlike scikit-learn, which calls a callable once per pair of rows, it is
        called on blocks.

    gamma : float, default=None
        Parameter of the rbf, laplacian, polynomial and sigmoid kernels;
        ``None`` means ``1 / n_features``.

    degree : float, default=3
        Degree of the polynomial kernel.

    coef0 : float, default=1
        Constant term of the polynomial and sigmoid kernels.

    kernel_params : dict, default=None
        Further kernel parameters: ``nu`` and ``length_scale`` for "matern",
        ``order`` for "arccos", ``depth``, ``activation``, ``sigma_w`` and
        ``sigma_b`` for "ntk" and "nngp", anything a callable takes.

    solver : {"auto", "exact", "nystrom", "falkon"}, default="auto"
        "exact" factors the n x n kernel matrix (Cholesky, in place, float64).
        "nystrom" restricts the solution to ``n_centers`` centres and solves the
        normal equations, accumulated in float64 over row blocks. "falkon"
        solves the same problem by preconditioned conjugate gradient, with
        float32 kernel blocks. "auto" picks "exact" up to 20,000 rows, then
        "nystrom" up to 2,000 centres, else "falkon"; ``solver_`` records it.

    n_centers : int or "auto", default="auto"
        Number of Nystrom centres m. "auto" means
        ``min(n, max(1000, 2 sqrt(n)))``. Larger m is more accurate and costs
        ``O(n m^2)`` ("nystrom") or ``O(n m)`` per iteration ("falkon").

    center_selection : {"uniform", "leverage"}, default="uniform"
        How centres are drawn: uniformly without replacement, or proportionally
        to approximate ridge leverage scores (better for uneven data, costs one
        extra pass).

    max_iter : int, default=100
        Maximum conjugate-gradient iterations of "falkon".

    tol : float, default=1e-6
        Relative residual at which "falkon" stops.

    block_size : int or "auto", default="auto"
        Rows per kernel block; "auto" keeps a block near 16 MB (cache-sized
        blocks measured 2.5x faster than 64 MB ones).

    precision : {"auto", "float32", "float64"}, default="auto"
        Floating type of FALKON's kernel blocks (its sums and small solves are
        always float64); "auto" means float64. float32 is 2 to 5 times faster
        but only safe when ``alpha / n_samples`` is not tiny: with
        ``alpha / n = 1e-7`` it converged to a visibly worse solution (test
        R^2 0.927 instead of 0.953 on friedman1, n=100,000, m=2,000).

    normalize_y : bool, default=True
        Standardize the target (its weighted mean and standard deviation)
        before the fit and undo it at prediction, as the torch regressors do.
        Kernel ridge has no intercept, so without this a target whose mean is
        far from 0 is shrunk towards 0: scikit-learn's KernelRidge scores R^2
        -3.5 on diabetes with its defaults (this class: 0.48). False gives
        scikit-learn's predictions exactly.

    device : {"cpu", "cuda", "mps", "auto"} or torch.device, default="cpu"
        Where kernels and solves run. Results are always NumPy arrays.

    random_state : int, RandomState instance or None, default=None
        Seeds the choice of Nystrom centres.

    Attributes
    ----------
    dual_coef_ : ndarray of shape (`n_centers_`,) or (`n_centers_`, n_targets)
        Coefficients of the kernel expansion ``f(x) = sum_j k(x, c_j) a_j``.

    X_fit_ : ndarray of shape (`n_centers_`, n_features)
        The expansion points c_j: the training data for "exact", the centres
        otherwise.

    solver_ : str
        The solver used.

    n_centers_ : int
        Number of expansion points.

    center_indices_ : ndarray of shape (`n_centers_`,)
        Rows of the training data used as centres (Nystrom solvers only).

    n_iter_ : int
        Conjugate-gradient iterations of "falkon"; 1 for the direct solvers.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    See Also
    --------
    KernelRidgeClassifier : One-vs-all kernel ridge classification.
    sklearn.kernel_ridge.KernelRidge : Scikit-learn's exact kernel ridge.

    Notes
    -----
    Exact: ``(K + alpha I) a = y`` with ``K`` computed block by block into one
    float64 buffer and factored in place by a blocked Cholesky, about
    ``8 n^2`` bytes in all (scikit-learn needs about three such buffers). Nystrom:
    ``(Knm^T Knm + alpha Kmm) a = Knm^T y`` in ``O(n m^2 + m^3)`` time and
    ``O(m^2 + block m)`` memory; with m = n it equals the exact solution.

    References
    ----------
    .. [1] A. Rudi, L. Carratino, L. Rosasco, "FALKON: An optimal large scale
       kernel method", NeurIPS 2017.
    .. [2] G. Meanti, L. Carratino, L. Rosasco, A. Rudi, "Kernel methods
       through the roof: handling billions of points efficiently", NeurIPS
       2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl import KernelRidge
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-3, 3, size=(200, 1))
    >>> y = np.sin(X).ravel()
    >>> krr = KernelRidge(alpha=1e-3, kernel="rbf", gamma=0.5).fit(X, y)
    >>> krr.solver_
    'exact'
    >>> round(krr.score(X, y), 3)
    1.0
    >>> big = KernelRidge(alpha=1e-3, kernel="rbf", gamma=0.5, solver="falkon",
    ...                   n_centers=50, random_state=0).fit(X, y)
    >>> big.dual_coef_.shape
    (50,)
    """

    _parameter_constraints: dict = {
        **_BaseKernelRidge._parameter_constraints,
        "normalize_y": ["boolean"],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        kernel="linear",
        gamma=None,
        degree=3,
        coef0=1,
        kernel_params=None,
        solver="auto",
        n_centers="auto",
        center_selection="uniform",
        max_iter=100,
        tol=1e-6,
        block_size="auto",
        precision="auto",
        normalize_y=True,
        device="cpu",
        random_state=None,
    ):
        self.alpha = alpha
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.kernel_params = kernel_params
        self.solver = solver
        self.n_centers = n_centers
        self.center_selection = center_selection
        self.max_iter = max_iter
        self.tol = tol
        self.block_size = block_size
        self.precision = precision
        self.normalize_y = normalize_y
        self.device = device
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the kernel ridge model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the squared errors.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = self._validate_fit(X, y)
        sw = None
        if sample_weight is not None:
            sw = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        Y = y.reshape(len(y), -1).astype(np.float64)
        if self.normalize_y:
            self._y_mean, self._y_std = standardizing_scale(Y, sw)
        else:
            self._y_mean, self._y_std = np.zeros(Y.shape[1]), np.ones(Y.shape[1])
        dual = self._fit_core(X, (Y - self._y_mean) / self._y_std, sw)
        self._dual_2d = dual
        self.dual_coef_ = dual[:, 0] if y.ndim == 1 else dual
        return self

    def predict(self, X):
        """Predict with the kernel expansion.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        """
        X = self._check_predict(X)
        out = self._decision(X) * self._y_std + self._y_mean
        return out[:, 0] if self.dual_coef_.ndim == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class KernelRidgeClassifier(ClassifierMixin, _BaseKernelRidge):
    """Kernel ridge classification: one-vs-all regression on +-1 targets.

    As :class:`sklearn.linear_model.RidgeClassifier`, but in a reproducing
    kernel Hilbert space: each class gets a kernel ridge regression on targets
    +1 (the class) and -1 (the rest); the predicted class has the largest
    score. All solvers of :class:`KernelRidge` are available.

    Read more in the :ref:`User Guide <kernel_ridge>`.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Regularization strength: the solution minimises
        ``sum_i w_i (y_i - f(x_i))^2 + alpha ||f||_H^2``. One value per target is
        allowed.

    kernel : str or callable, default="rbf"
        One of "linear", "cosine", "poly"/"polynomial", "rbf", "laplacian", "sigmoid",
        "matern", "arccos", "ntk", "nngp", "precomputed" (X is the Gram matrix
        at fit, the test-by-train kernel at predict; exact solver), or a callable
        ``kernel(A, B, **kernel_params)`` returning the kernel matrix of two
        2-D torch tensors (blocks of rows).
        Unlike scikit-learn, which calls a callable once per pair of rows, it is
        called on blocks. The default is "rbf" (with ``gamma=1/n_features``),
        as for scikit-learn's SVC: on the development suite it beat "linear" on
        every classification set (iris 0.95 vs 0.83, digits 0.98 vs 0.93).
        :class:`KernelRidge` keeps scikit-learn's "linear" default.

    gamma : float, default=None
        Parameter of the rbf, laplacian, polynomial and sigmoid kernels;
        ``None`` means ``1 / n_features``.

    degree : float, default=3
        Degree of the polynomial kernel.

    coef0 : float, default=1
        Constant term of the polynomial and sigmoid kernels.

    kernel_params : dict, default=None
        Further kernel parameters: ``nu`` and ``length_scale`` for "matern",
        ``order`` for "arccos", ``depth``, ``activation``, ``sigma_w`` and
        ``sigma_b`` for "ntk" and "nngp", anything a callable takes.

    solver : {"auto", "exact", "nystrom", "falkon"}, default="auto"
        "exact" factors the n x n kernel matrix (Cholesky, in place, float64).
        "nystrom" restricts the solution to ``n_centers`` centres and solves the
        normal equations, accumulated in float64 over row blocks. "falkon"
        solves the same problem by preconditioned conjugate gradient, with
        float32 kernel blocks. "auto" picks "exact" up to 20,000 rows, then
        "nystrom" up to 2,000 centres, else "falkon"; ``solver_`` records it.

    n_centers : int or "auto", default="auto"
        Number of Nystrom centres m. "auto" means
        ``min(n, max(1000, 2 sqrt(n)))``. Larger m is more accurate and costs
        ``O(n m^2)`` ("nystrom") or ``O(n m)`` per iteration ("falkon").

    center_selection : {"uniform", "leverage"}, default="uniform"
        How centres are drawn: uniformly without replacement, or proportionally
        to approximate ridge leverage scores (better for uneven data, costs one
        extra pass).

    max_iter : int, default=100
        Maximum conjugate-gradient iterations of "falkon".

    tol : float, default=1e-6
        Relative residual at which "falkon" stops.

    block_size : int or "auto", default="auto"
        Rows per kernel block; "auto" keeps a block near 16 MB (cache-sized
        blocks measured 2.5x faster than 64 MB ones).

    precision : {"auto", "float32", "float64"}, default="auto"
        Floating type of FALKON's kernel blocks (its sums and small solves are
        always float64); "auto" means float64. float32 is 2 to 5 times faster
        but only safe when ``alpha / n_samples`` is not tiny: with
        ``alpha / n = 1e-7`` it converged to a visibly worse solution (test
        R^2 0.927 instead of 0.953 on friedman1, n=100,000, m=2,000).

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.

    device : {"cpu", "cuda", "mps", "auto"} or torch.device, default="cpu"
        Where kernels and solves run. Results are always NumPy arrays.

    random_state : int, RandomState instance or None, default=None
        Seeds the choice of Nystrom centres.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    dual_coef_ : ndarray of shape (`n_centers_`,) or (`n_centers_`, n_classes)
        Coefficients of the kernel expansion (one column per class, a single
        column for binary problems).

    X_fit_ : ndarray of shape (`n_centers_`, n_features)
        The expansion points.

    solver_ : str
        The solver used.

    n_centers_ : int
        Number of expansion points.

    center_indices_ : ndarray of shape (`n_centers_`,)
        Rows of the training data used as centres (Nystrom solvers only).

    n_iter_ : int
        Conjugate-gradient iterations of "falkon"; 1 for the direct solvers.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    See Also
    --------
    KernelRidge : Kernel ridge regression.
    sklearn.linear_model.RidgeClassifier : The linear version.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_mathdl import KernelRidgeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = KernelRidgeClassifier(alpha=0.1, kernel="rbf").fit(X, y)
    >>> clf.classes_
    array([0, 1, 2])
    >>> clf.decision_function(X[:2]).shape
    (2, 3)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_BaseKernelRidge._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        kernel="rbf",
        gamma=None,
        degree=3,
        coef0=1,
        kernel_params=None,
        solver="auto",
        n_centers="auto",
        center_selection="uniform",
        max_iter=100,
        tol=1e-6,
        block_size="auto",
        precision="auto",
        class_weight=None,
        device="cpu",
        random_state=None,
    ):
        self.alpha = alpha
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.kernel_params = kernel_params
        self.solver = solver
        self.n_centers = n_centers
        self.center_selection = center_selection
        self.max_iter = max_iter
        self.tol = tol
        self.block_size = block_size
        self.precision = precision
        self.class_weight = class_weight
        self.device = device
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit one kernel ridge regression per class on +-1 targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Class labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = self._validate_fit(X, y, multi_output=False)
        check_classification_targets(y)
        binarizer = LabelBinarizer(pos_label=1, neg_label=-1)
        Y = binarizer.fit_transform(y).astype(np.float64)
        self.classes_ = binarizer.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                "KernelRidgeClassifier needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {self.classes_[0]!r}."
            )
        sw = None
        if sample_weight is not None or self.class_weight is not None:
            sw = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            sw = class_sample_weight(self.class_weight, y, sw)
        dual = self._fit_core(X, Y, sw)
        self._dual_2d = dual
        self.dual_coef_ = dual[:, 0] if dual.shape[1] == 1 else dual
        return self

    def decision_function(self, X):
        """Compute the class scores (the one-vs-all regressions' outputs).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            One score per sample for binary problems (positive means
            ``classes_[1]``), else one per class.
        """
        X = self._check_predict(X)
        scores = self._decision(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        scores = self.decision_function(X)  # checks that the model is fitted
        return labels_from_scores(self.classes_, scores)
