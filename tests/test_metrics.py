"""maximum_mean_discrepancy against a direct double sum, and its permutation test."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools

import numpy as np
import pytest

from sklearn_mathdl.metrics import maximum_mean_discrepancy


def _direct_mmd2(X, Y, gamma):
    """Gretton et al.'s unbiased estimator written as its double sums."""

    def k(a, b):
        return np.exp(-gamma * np.sum((a - b) ** 2))

    m, n = len(X), len(Y)
    xx = sum(k(X[i], X[j]) for i, j in itertools.permutations(range(m), 2))
    yy = sum(k(Y[i], Y[j]) for i, j in itertools.permutations(range(n), 2))
    xy = sum(k(x, y) for x in X for y in Y)
    return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n)


def test_statistic_equals_the_double_sum():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(17, 3)), rng.normal(0.3, 1.2, size=(11, 3))
    got = maximum_mean_discrepancy(X, Y, gamma=0.4)
    assert got.statistic == pytest.approx(_direct_mmd2(X, Y, 0.4), rel=1e-10)
    assert got.pvalue is None and got.gamma == 0.4


def test_blocks_do_not_change_the_statistic(monkeypatch):
    from sklearn_mathdl import metrics

    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(300, 2)), rng.normal(size=(200, 2))
    whole = maximum_mean_discrepancy(X, Y, gamma=1.0).statistic
    monkeypatch.setattr(metrics, "_BLOCK_ROWS", 7)
    assert maximum_mean_discrepancy(X, Y, gamma=1.0).statistic == pytest.approx(
        whole, rel=1e-10
    )


def test_median_heuristic():
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(40, 2)), rng.normal(size=(30, 2))
    Z = np.concatenate([X, Y])
    d = ((Z[:, None] - Z[None]) ** 2).sum(-1)[np.triu_indices(70, 1)]
    got = maximum_mean_discrepancy(X, Y)
    assert got.gamma == pytest.approx(1 / (2 * np.median(d)))


def test_permutation_test_size_and_power():
    rng = np.random.default_rng(3)
    # under the null the p-value is (about) uniform: few rejections at 5 %
    pvalues = [
        maximum_mean_discrepancy(
            rng.normal(size=(60, 2)),
            rng.normal(size=(60, 2)),
            n_permutations=199,
            random_state=i,
        ).pvalue
        for i in range(40)
    ]
    assert np.mean(np.array(pvalues) < 0.05) <= 0.15
    assert 0.3 < np.mean(pvalues) < 0.7
    # a shift of half a standard deviation is found
    shifted = maximum_mean_discrepancy(
        rng.normal(size=(200, 2)),
        rng.normal(0.5, 1.0, size=(200, 2)),
        n_permutations=199,
        random_state=0,
    )
    assert shifted.pvalue == pytest.approx(1 / 200)


def test_permuted_statistics_match_a_direct_relabelling():
    """The vectorized permutation statistics equal the estimator recomputed on
    each relabelled split (same seed, same permutations)."""
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(12, 2)), rng.normal(0.2, 1, size=(9, 2))
    got = maximum_mean_discrepancy(X, Y, gamma=0.7, n_permutations=30, random_state=5)
    Z = np.concatenate([X, Y])
    perm_rng = np.random.RandomState(5)
    count = 0
    for _ in range(30):
        idx = perm_rng.permutation(21)
        mask = np.zeros(21, bool)
        mask[idx[:12]] = True
        count += _direct_mmd2(Z[mask], Z[~mask], 0.7) >= got.statistic - 1e-6
    assert got.pvalue == pytest.approx((1 + count) / 31)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"Y": np.zeros((5, 3))}, "same number of features"),
        ({"Y": np.zeros((1, 2))}, "at least 2 rows"),
        ({"gamma": -1.0}, "gamma must be positive"),
        ({"n_permutations": -3}, "non-negative integer"),
    ],
)
def test_bad_input_is_named(kwargs, match):
    args = {"X": np.zeros((5, 2)), "Y": np.ones((5, 2)), **kwargs}
    with pytest.raises(ValueError, match=match):
        maximum_mean_discrepancy(args.pop("X"), args.pop("Y"), **args)


def test_permutation_test_refuses_a_huge_pooled_kernel():
    X = np.zeros((7000, 1))
    with pytest.raises(ValueError, match="at most 12000 rows"):
        maximum_mean_discrepancy(X, X + 1, n_permutations=10)
