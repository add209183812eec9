"""Kernel ridge regression with leave-one-out selection of alpha and gamma."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import RegressorMixin

from sklearn_mathdl._kernel_ridge import (
    _EXACT_MAX_N,
    _auto_centers,
    _BaseKernelRidge,
    _eigh,
    _from_numpy,
)
from sklearn_mathdl.kernels import KERNEL_PARAMS, KERNELS
from sklearn_mathdl.utils import check_device
from sklearn_mathdl.utils._compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
)
from sklearn_mathdl.utils._seeding import draw_seed

# solver="auto" diagonalizes the full kernel matrix up to this many rows (an
# n x n eigendecomposition: about 1 s at n = 1,500 and 21-30 s at n = 5,000 on
# two cores), and uses Nystrom features beyond. On friedman1 (d=20, n=5,000)
# the Nystrom model with the default m=1,000 scored test R^2 0.887 against the
# exact model's 0.932 (bench_kernel.py cv5k): exactness is worth the time here.
_AUTO_EXACT_MAX_N = 5_000


class KernelRidgeCV(RegressorMixin, _BaseKernelRidge):
    """Kernel ridge regression with efficient leave-one-out choice of alpha and gamma.

    For each value of the kernel parameter ``gamma``, one eigendecomposition
    gives the exact leave-one-out (LOO) error of every ``alpha`` at
    ``O(n^2)`` each, as :class:`sklearn.linear_model.RidgeCV` does for linear
    models; the pair with the smallest LOO mean squared error is kept and its
    model is the fitted one (no refit). scikit-learn has no such class: there,
    ``GridSearchCV(KernelRidge(), cv=5)`` refits every candidate on every fold.

    Read more in the :ref:`User Guide <kernel_ridge_cv>`.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(1e-3, 1e-2, 1e-1, 1, 10)
        Positive regularization strengths to try; the objective is
        ``sum_i w_i (y_i - b - f(x_i))^2 + alpha ||f||_H^2``.

    kernel : str or callable, default="rbf"
        As in :class:`KernelRidge`, "precomputed" included (X is then the Gram
        matrix; the exact solver).

    gamma : float, array-like of floats or None, default=None
        Kernel parameter of the rbf, laplacian, polynomial and sigmoid kernels
        (None: ``1 / n_features``). An array-like is a grid searched together
        with ``alphas``: one eigendecomposition per value.

    degree : float, default=3
        Degree of the polynomial kernel.

    coef0 : float, default=1
        Constant term of the polynomial and sigmoid kernels.

    kernel_params : dict, default=None
        Further kernel parameters: ``nu`` and ``length_scale`` for "matern",
        ``order`` for "arccos", ``depth``, ``activation``, ``sigma_w`` and
        ``sigma_b`` for "ntk" and "nngp", anything a callable takes.

    fit_intercept : bool, default=True
        Fit an unpenalized intercept ``b`` (kernel ridge has none: a target far
        from 0 would be shrunk towards 0). The leave-one-out errors are exact
        for the model with the intercept: it is re-estimated without each left
        out row.

    solver : {"auto", "exact", "nystrom"}, default="auto"
        "exact" diagonalizes the n x n (weighted) kernel matrix; the model is
        exact kernel ridge. "nystrom" restricts the model to the span of
        ``n_centers`` centres (the Nystrom model of :class:`KernelRidge`) and
        diagonalizes an m x m matrix; its LOO errors are exact for that model
        with the centres held fixed. "auto" uses "exact" up to 5,000 rows.

    n_centers : int or "auto", default="auto"
        Nystrom centres m; "auto" means ``min(n, max(1000, 2 sqrt(n)))``.

    block_size : int or "auto", default="auto"
        Rows per kernel block; "auto" keeps a block near 16 MB (cache-sized
        blocks measured 2.5x faster than 64 MB ones).

    device : {"cpu", "cuda", "mps", "auto"} or torch.device, default="cpu"
        Where kernels and solves run. Results are always NumPy arrays.

    random_state : int, RandomState instance or None, default=None
        Seeds the choice of Nystrom centres.

    Attributes
    ----------
    alpha_ : float
        The selected regularization strength.

    gamma_ : float or None
        The selected kernel parameter (None when ``gamma`` was None).

    best_score_ : float
        Leave-one-out score of the selected pair: minus the (weighted) mean
        squared error, averaged over targets.

    cv_results_ : dict of ndarrays
        One entry per (gamma, alpha) pair, as
        :class:`~sklearn.model_selection.GridSearchCV` reports it: ``params``,
        ``param_alpha``, ``param_gamma``, ``mean_test_score`` (minus the LOO
        mean squared error) and ``rank_test_score``.

    dual_coef_ : ndarray of shape (`n_centers_`,) or (`n_centers_`, n_targets)
        Coefficients of ``f(x) = b + sum_j k(x, c_j) a_j``.

    intercept_ : float or ndarray of shape (n_targets,)
        The intercept ``b`` (0 with ``fit_intercept=False``).

    X_fit_ : ndarray of shape (`n_centers_`, n_features)
        The expansion points: the training data ("exact") or the centres.

    solver_ : str
        The solver used.

    n_centers_ : int
        Number of expansion points.

    center_indices_ : ndarray of shape (`n_centers_`,)
        Rows of the training data used as centres ("nystrom" only).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    See Also
    --------
    KernelRidge : Kernel ridge with fixed parameters, and its large-n solvers.
    sklearn.linear_model.RidgeCV : The same leave-one-out shortcut for linear ridge.

    Notes
    -----
    With weights ``w``, ``u = sqrt(w)``, the weighted kernel matrix
    ``K~ = diag(u) K diag(u) = U diag(lam) U^T`` and ``G = (K~ + alpha I)^-1``,
    the intercept is ``b = g^T y~ / u^T g`` (``g = G u``, ``y~ = u y``) and the
    residual is ``alpha M y~`` with ``M = G - g g^T / u^T g``. The hat matrix is
    ``I - alpha M``, so the leave-one-out residual of row i is
    ``(M y~)_i / (M_ii u_i)``. ``G = I / alpha + U diag(1/(lam + alpha) - 1/alpha) U^T``
    costs ``O(n r)`` per alpha for a rank-r factor U (r = n for "exact",
    r <= m for "nystrom"). Memory: the n x n kernel and its eigenvectors
    ("exact", about ``16 n^2`` bytes), or an n x m feature matrix ("nystrom").

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl import KernelRidgeCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-3, 3, size=(200, 1))
    >>> y = np.sin(X).ravel() + 0.1 * rng.randn(200)
    >>> krr = KernelRidgeCV(alphas=[1e-3, 1e-1, 10], gamma=[0.1, 1.0]).fit(X, y)
    >>> krr.alpha_ in (1e-3, 1e-1, 10), krr.gamma_ in (0.1, 1.0)
    (True, True)
    >>> len(krr.cv_results_["params"])
    6
    >>> bool(krr.score(X, y) > 0.95)
    True
    """

    _parameter_constraints: dict = {
        "alphas": ["array-like"],
        "kernel": [StrOptions(set(KERNELS) | {"precomputed"}), callable],
        "gamma": [Interval(Real, 0, None, closed="neither"), "array-like", None],
        "degree": [Interval(Real, 0, None, closed="left")],
        "coef0": [Interval(Real, None, None, closed="neither")],
        "kernel_params": [dict, None],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"auto", "exact", "nystrom"})],
        "n_centers": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "block_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "device": [str, torch.device],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        alphas=(1e-3, 1e-2, 1e-1, 1.0, 10.0),
        *,
        kernel="rbf",
        gamma=None,
        degree=3,
        coef0=1,
        kernel_params=None,
        fit_intercept=True,
        solver="auto",
        n_centers="auto",
        block_size="auto",
        device="cpu",
        random_state=None,
    ):
        self.alphas = alphas
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.kernel_params = kernel_params
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.n_centers = n_centers
        self.block_size = block_size
        self.device = device
        self.random_state = random_state

    # ------------------------------------------------------------- checks
    def _grids(self):
        alphas = np.asarray(self.alphas, dtype=np.float64).ravel()
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas <= 0):
            raise ValueError(
                f"alphas must be a non-empty list of positive finite numbers; got "
                f"{self.alphas!r}."
            )
        if self.gamma is None or np.ndim(self.gamma) == 0:
            gammas = [self.gamma]
        else:
            grid = np.asarray(self.gamma, dtype=np.float64).ravel()
            gammas = [float(g) for g in grid]
            if not gammas or not all(np.isfinite(g) and g > 0 for g in gammas):
                raise ValueError(
                    f"gamma must be positive (a number or a list of numbers); got "
                    f"{self.gamma!r}."
                )
            uses_gamma = callable(self.kernel) or "gamma" in KERNEL_PARAMS.get(
                self.kernel, ()
            )
            if len(gammas) > 1 and not uses_gamma:
                raise ValueError(
                    f"kernel={self.kernel!r} has no gamma parameter; a grid of "
                    f"{len(gammas)} gamma values would repeat the same fit."
                )
        return alphas, gammas

    def _kparams(self):
        params = super()._kparams()
        if "gamma" in params or (callable(self.kernel) and self._gamma is not None):
            params["gamma"] = self._gamma
        return params

    # ------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose alpha and gamma by leave-one-out error and fit that model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the squared errors; the LOO error is
            weighted alike.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = self._validate_fit(X, y)
        alphas, gammas = self._grids()
        n = X.shape[0]
        if n < 2 + self.fit_intercept:
            raise ValueError(
                f"Leave-one-out needs at least {2 + self.fit_intercept} samples; "
                f"got n_samples={n}."
            )
        w = np.ones(n)
        if sample_weight is not None:
            w = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        solver = self.solver
        if self.kernel == "precomputed":
            if solver == "nystrom":
                raise ValueError(
                    "kernel='precomputed' takes the Gram matrix as X and is solved "
                    "exactly; solver='nystrom' is not available."
                )
            solver = "exact"
        if solver == "auto":
            solver = "exact" if n <= _AUTO_EXACT_MAX_N else "nystrom"
        if solver == "exact" and n > _EXACT_MAX_N:
            raise ValueError(
                f"solver='exact' diagonalizes an n x n matrix; n_samples={n} is "
                f"above {_EXACT_MAX_N:,}. Use solver='nystrom' (or 'auto')."
            )
        self._device = dev = check_device(self.device)
        Y = y.reshape(n, -1).astype(np.float64)
        Xt = _from_numpy(X, dev)
        u = torch.from_numpy(np.sqrt(w)).to(dev)
        Yt = torch.from_numpy(Y).to(dev) * u[:, None]
        centers = None
        if solver == "nystrom":
            m = _auto_centers(n) if self.n_centers == "auto" else int(self.n_centers)
            rng = np.random.RandomState(draw_seed(self.random_state))
            centers = np.sort(rng.choice(n, size=min(m, n), replace=False))

        scores = np.empty((len(gammas), len(alphas)))
        best = None
        for gi, gamma in enumerate(gammas):
            self._gamma = gamma
            factor = self._factor(Xt, u, centers)
            scores[gi], solution = self._loo(factor, u, Yt, alphas, w.sum())
            ai = int(np.argmax(scores[gi]))
            if best is None or scores[gi, ai] > best[0]:
                # the coefficients only of a new best: the factor goes with gamma
                best = (scores[gi, ai], gi, ai, *solution(ai))
        _, gi, ai, dual, intercept = best
        self._gamma = gammas[gi]
        self.alpha_ = float(alphas[ai])
        self.gamma_ = gammas[gi]
        self.best_score_ = float(scores[gi, ai])
        self.cv_results_ = _cv_results(alphas, gammas, scores)
        self.solver_ = solver
        if centers is None:
            self.X_fit_ = X
            if hasattr(self, "center_indices_"):  # from an earlier fit
                del self.center_indices_
        else:
            self.X_fit_ = X[centers]
            self.center_indices_ = centers
        self.n_centers_ = self.X_fit_.shape[0]
        self._dual_2d = dual
        self._intercept_2d = intercept
        self.dual_coef_ = dual[:, 0] if y.ndim == 1 else dual
        self.intercept_ = float(intercept[0]) if y.ndim == 1 else intercept
        return self

    def _factor(self, Xt, u, centers):
        """(U, lam, to_dual) with diag(u) K diag(u) = U diag(lam) U^T.

        ``to_dual`` maps the coefficients ``a~`` of the weighted problem to the
        dual coefficients on ``X_fit_``.
        """
        if centers is None:
            K = self._fill_kernel(Xt)
            K.mul_(u[:, None]).mul_(u[None, :])
            lam, U = _eigh(K)
            del K
            lam = lam.clamp_min(0)
            return U, lam, lambda a: a * u[:, None]
        C = Xt[torch.from_numpy(centers).to(Xt.device)]
        Kmm = self._kernel(C, C).double()
        s, Q = torch.linalg.eigh(Kmm)
        keep = s > s.max() * Kmm.shape[0] * torch.finfo(torch.float64).eps
        R = Q[:, keep] / s[keep].sqrt()  # Kmm^(-1/2) on its range
        step = self._block_rows(C.shape[0])
        Phi = torch.cat(
            [
                self._kernel(Xt[i : i + step], C).double() @ R
                for i in range(0, Xt.shape[0], step)
            ]
        )
        Phi.mul_(u[:, None])
        sig2, P = torch.linalg.eigh(Phi.mT @ Phi)
        keep = sig2 > sig2.max() * Phi.shape[1] * torch.finfo(torch.float64).eps
        P, sig2 = P[:, keep], sig2[keep]
        U = Phi @ (P / sig2.sqrt())
        return U, sig2, lambda a: R @ (Phi.mT @ a)

    def _loo(self, factor, u, Yt, alphas, w_sum):
        """LOO scores of every alpha, and ``solution(j)``: the dual
        coefficients and intercept of alpha number j."""
        U, lam, to_dual = factor
        UtY = U.mT @ Yt
        Utu = U.mT @ u
        a = torch.from_numpy(alphas).to(U)
        d = 1.0 / (lam[:, None] + a[None, :]) - 1.0 / a[None, :]  # (r, n_alphas)
        # diag(G) for all alphas, in row blocks of U
        step = max(1, (2**24) // max(U.shape[1], 1))
        diag = (
            torch.cat([(U[i : i + step] ** 2) @ d for i in range(0, U.shape[0], step)])
            + (1.0 / a)[None, :]
        )

        def residual(j):
            """(M y~, diag M, intercept) of alpha number j."""
            alpha = alphas[j]
            GY = Yt / alpha + U @ (d[:, j : j + 1] * UtY)
            if not self.fit_intercept:
                b = torch.zeros(Yt.shape[1], dtype=Yt.dtype, device=Yt.device)
                return GY, diag[:, j], b
            g = u / alpha + U @ (d[:, j] * Utu)
            ug = u @ g
            b = (g @ Yt) / ug
            return GY - g[:, None] * b[None, :], diag[:, j] - g * g / ug, b

        def solution(j):
            MY, _, b = residual(j)
            return to_dual(MY).cpu().numpy(), b.cpu().numpy()

        scores = []
        for j in range(len(alphas)):
            MY, Mdiag, _ = residual(j)
            E = MY / Mdiag[:, None]  # sqrt(w_i) times the LOO residual of row i
            scores.append(-float((E * E).sum()) / (w_sum * Yt.shape[1]))
        return np.array(scores), solution

    # ---------------------------------------------------------- predicting
    def predict(self, X):
        """Predict with the selected model.

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
        out = self._decision(X) + self._intercept_2d
        return out[:, 0] if self.dual_coef_.ndim == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _cv_results(alphas, gammas, scores):
    """GridSearchCV-style results, one row per (gamma, alpha)."""
    flat = scores.ravel()
    params = [{"alpha": float(a), "gamma": g} for g in gammas for a in alphas]
    order = np.argsort(-flat, kind="stable")
    rank = np.empty(len(flat), dtype=np.int32)
    rank[order] = np.arange(1, len(flat) + 1)
    # ties share the best rank, as in scikit-learn
    for k in range(1, len(flat)):
        if flat[order[k]] == flat[order[k - 1]]:
            rank[order[k]] = rank[order[k - 1]]
    return {
        "params": params,
        "param_alpha": np.ma.MaskedArray([p["alpha"] for p in params], dtype=object),
        "param_gamma": np.ma.MaskedArray([p["gamma"] for p in params], dtype=object),
        "mean_test_score": flat.copy(),
        "rank_test_score": rank,
    }
