"""Two-sample metrics for generative models: the maximum mean discrepancy.

The kernel sums are taken over row blocks, so the statistic itself never holds
the full m x n kernel matrix; the permutation test does (the pooled kernel of
up to ``_MAX_PERMUTATION_ROWS`` rows, float32).
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import dataclass
from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_array, check_random_state

from sklearn_mathdl.kernels import _sq_dists as _torch_sq_dists
from sklearn_mathdl.kernels import rbf_kernel

__all__ = ["MMDResult", "maximum_mean_discrepancy", "mode_coverage"]

_BLOCK_ROWS = 1024
_MEDIAN_ROWS = 1000
_MAX_PERMUTATION_ROWS = 12_000


@dataclass(frozen=True)
class MMDResult:
    """Result of :func:`maximum_mean_discrepancy`.

    Attributes
    ----------
    statistic : float
        The unbiased estimate of MMD^2 (it can be slightly negative when the
        two distributions are equal).
    pvalue : float or None
        Permutation-test p-value of "X and Y have the same distribution"
        (None when ``n_permutations=0``).
    gamma : float
        The RBF kernel's ``gamma`` used, ``k(x, y) = exp(-gamma ||x - y||^2)``.
    """

    statistic: float
    pvalue: float | None
    gamma: float


def _sq_dists(A, B):
    """Squared Euclidean distances of NumPy rows (the kernels' computation)."""
    return _torch_sq_dists(torch.from_numpy(A), torch.from_numpy(B)).numpy()


def _kernel_sum(A, B, gamma):
    """sum_ij exp(-gamma ||a_i - b_j||^2), over row blocks of A."""
    total = 0.0
    for start in range(0, len(A), _BLOCK_ROWS):
        total += rbf_kernel(A[start : start + _BLOCK_ROWS], B, gamma=gamma).sum()
    return total


def _median_gamma(X, Y, rng):
    """gamma = 1 / (2 median^2): the median heuristic (Gretton et al. 2012),
    the median of the pooled pairwise distances (over at most 1,000 rows)."""
    Z = np.concatenate([X, Y])
    if len(Z) > _MEDIAN_ROWS:
        Z = Z[rng.choice(len(Z), _MEDIAN_ROWS, replace=False)]
    d = _sq_dists(Z, Z)[np.triu_indices(len(Z), k=1)]
    med = np.median(d[d > 0]) if np.any(d > 0) else 1.0
    return 1.0 / (2.0 * med)


def maximum_mean_discrepancy(X, Y, *, gamma=None, n_permutations=0, random_state=None):
    """Unbiased MMD^2 between two samples, with an RBF kernel, and its permutation test.

    With ``k(x, y) = exp(-gamma ||x - y||^2)``, m rows x_i of X and n rows y_j
    of Y, the unbiased estimator of Gretton et al. (2012) is

    ``MMD^2_u = sum_{i != i'} k(x_i, x_i') / (m (m-1))
    + sum_{j != j'} k(y_j, y_j') / (n (n-1)) - 2 sum_{i,j} k(x_i, y_j) / (m n)``,

    an unbiased estimate of ``||mu_P - mu_Q||^2`` in the kernel's feature space,
    which is 0 if and only if P = Q for this characteristic kernel. The
    permutation test pools the rows, relabels them at random
    ``n_permutations`` times, and reports ``(1 + #{MMD^2_perm >= MMD^2_u}) /
    (1 + n_permutations)``.

    Parameters
    ----------
    X : array-like of shape (m, n_features)
        First sample (for example, generated data), m >= 2.
    Y : array-like of shape (n, n_features)
        Second sample (for example, held-out data), n >= 2.
    gamma : float, default=None
        RBF kernel parameter; None takes the median heuristic
        ``1 / (2 median^2)`` of the pooled pairwise distances.
    n_permutations : int, default=0
        Number of permutations of the test (0: no test, ``pvalue`` is None).
        The test needs m + n <= 12,000 (it holds the pooled kernel matrix).
    random_state : int, RandomState instance or None, default=None
        Seeds the permutations and the rows the median heuristic reads.

    Returns
    -------
    result : MMDResult
        ``statistic``, ``pvalue`` and ``gamma``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.metrics import maximum_mean_discrepancy
    >>> rng = np.random.default_rng(0)
    >>> same = maximum_mean_discrepancy(
    ...     rng.normal(size=(300, 2)), rng.normal(size=(300, 2)),
    ...     n_permutations=200, random_state=0)
    >>> bool(same.pvalue > 0.05)
    True
    >>> shifted = maximum_mean_discrepancy(
    ...     rng.normal(size=(300, 2)), rng.normal(0.5, 1, size=(300, 2)),
    ...     n_permutations=200, random_state=0)
    >>> bool(shifted.pvalue < 0.01)
    True
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    Y = check_array(Y, dtype=np.float64, input_name="Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of features; got {X.shape[1]} "
            f"and {Y.shape[1]}."
        )
    m, n = len(X), len(Y)
    if m < 2 or n < 2:
        raise ValueError(
            f"The unbiased MMD needs at least 2 rows in each sample; got {m} and {n}."
        )
    if not isinstance(n_permutations, Integral) or n_permutations < 0:
        raise ValueError(
            f"n_permutations must be a non-negative integer, got {n_permutations!r}."
        )
    if n_permutations and m + n > _MAX_PERMUTATION_ROWS:
        raise ValueError(
            f"The permutation test holds the pooled {m + n} x {m + n} kernel "
            f"matrix; it takes at most {_MAX_PERMUTATION_ROWS} rows in all. "
            "Subsample X and Y, or use n_permutations=0."
        )
    rng = check_random_state(random_state)
    if gamma is None:
        gamma = _median_gamma(X, Y, rng)
    elif not gamma > 0:
        raise ValueError(f"gamma must be positive, got {gamma!r}.")
    gamma = float(gamma)
    # the RBF kernel is 1 on the diagonal: the unbiased sums drop m and n ones
    k_xx = (_kernel_sum(X, X, gamma) - m) / (m * (m - 1))
    k_yy = (_kernel_sum(Y, Y, gamma) - n) / (n * (n - 1))
    k_xy = _kernel_sum(X, Y, gamma) / (m * n)
    statistic = float(k_xx + k_yy - 2.0 * k_xy)
    pvalue = None
    if n_permutations:
        Z = np.concatenate([X, Y])
        K = rbf_kernel(Z, gamma=gamma).astype(np.float32)
        np.fill_diagonal(K, 0.0)
        # each column: a random relabelling of the pooled rows (1: "X")
        labels = np.zeros((m + n, n_permutations), dtype=np.float32)
        for j in range(n_permutations):
            labels[rng.permutation(m + n)[:m], j] = 1.0
        KS = (K @ labels).astype(np.float64)
        row_sums = K.sum(1, dtype=np.float64)
        s = labels.astype(np.float64)
        s_xx = (s * KS).sum(0)
        s_xy = ((1.0 - s) * KS).sum(0)
        s_yy = row_sums.sum() - 2.0 * s_xy - s_xx
        perm = s_xx / (m * (m - 1)) + s_yy / (n * (n - 1)) - 2.0 * s_xy / (m * n)
        pvalue = float((1 + np.sum(perm >= statistic)) / (1 + n_permutations))
    return MMDResult(statistic=statistic, pvalue=pvalue, gamma=gamma)


def mode_coverage(X, centers, radius, *, min_fraction=0.01):
    """Modes covered and the fraction of high-quality samples of a generator.

    The metric of Metz et al. (2017) and Srivastava et al. (2017) for mixtures
    of well-separated modes (the ring of 8 Gaussians): a sample is of high
    quality when it lies within ``radius`` (usually 3 standard deviations) of
    its nearest center, and a mode is covered when at least ``min_fraction``
    of all samples are high-quality samples nearest to it. A collapsed
    generator covers few modes, a blurry one has few high-quality samples.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Generated samples.
    centers : array-like of shape (n_modes, n_features)
        The modes.
    radius : float
        Distance within which a sample counts for its nearest mode.
    min_fraction : float, default=0.01
        Share of the samples a mode needs to count as covered.

    Returns
    -------
    n_covered : int
        Number of covered modes.
    high_quality : float
        Fraction of the samples within ``radius`` of a mode.
    counts : ndarray of shape (n_modes,)
        High-quality samples per mode.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.metrics import mode_coverage
    >>> centers = np.array([[0.0, 0.0], [5.0, 0.0]])
    >>> X = np.array([[0.1, 0.0], [0.0, -0.1], [2.5, 0.0], [5.0, 0.05]])
    >>> n_covered, high_quality, counts = mode_coverage(X, centers, radius=0.3)
    >>> int(n_covered), float(high_quality), counts.tolist()
    (2, 0.75, [2, 1])
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    centers = check_array(centers, dtype=np.float64, input_name="centers")
    if X.shape[1] != centers.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} features but the centers have {centers.shape[1]}."
        )
    nearest = np.empty(len(X), dtype=np.intp)
    dist = np.empty(len(X))
    for start in range(0, len(X), _BLOCK_ROWS):
        d = _sq_dists(X[start : start + _BLOCK_ROWS], centers)
        nearest[start : start + _BLOCK_ROWS] = d.argmin(1)
        dist[start : start + _BLOCK_ROWS] = np.sqrt(d.min(1))
    good = dist <= radius
    counts = np.bincount(nearest[good], minlength=len(centers))
    n_covered = int(np.sum(counts >= min_fraction * len(X)))
    return n_covered, float(good.mean()), counts
