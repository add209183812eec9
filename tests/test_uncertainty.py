"""Predictive uncertainty: split-conformal intervals and MC dropout."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import (
    ConformalRegressor,
    KernelRidge,
    MLPRegressor,
    NeuralODERegressor,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _heteroscedastic(n, rng):
    X = rng.uniform(-3, 3, size=(n, 2))
    noise = 0.1 + 0.5 * np.abs(X[:, 0])  # spread grows with |x0|
    return X, np.sin(X[:, 0]) + 0.5 * X[:, 1] + noise * rng.randn(n)


def test_split_conformal_coverage_over_seeds():
    coverages = []
    for seed in range(20):
        rng = np.random.RandomState(seed)
        X, y = _heteroscedastic(1000, rng)
        X_test, y_test = _heteroscedastic(2000, rng)
        cp = ConformalRegressor(
            KernelRidge(alpha=1.0, kernel="rbf", gamma=0.5),
            alpha=0.1,
            random_state=seed,
        ).fit(X, y)
        lo, hi = cp.predict_interval(X_test).T
        coverages.append(np.mean((y_test >= lo) & (y_test <= hi)))
    coverages = np.array(coverages)
    assert 0.88 <= coverages.mean() <= 0.92
    assert coverages.min() > 0.84 and coverages.max() < 0.96


def test_interval_levels_and_small_calibration_sets():
    rng = np.random.RandomState(0)
    X, y = _heteroscedastic(400, rng)
    cp = ConformalRegressor(KernelRidge(alpha=1.0, kernel="rbf"), random_state=0)
    cp.fit(X, y)
    wide = np.diff(cp.predict_interval(X[:5], alpha=0.05), axis=1)
    narrow = np.diff(cp.predict_interval(X[:5], alpha=0.5), axis=1)
    assert np.all(wide > narrow)
    np.testing.assert_allclose(cp.predict_interval(X[:5]).mean(1), cp.predict(X[:5]))
    tiny = ConformalRegressor(
        KernelRidge(), calibration_fraction=0.1, random_state=0
    ).fit(X[:20], y[:20])
    assert np.all(np.isinf(tiny.predict_interval(X[:2], alpha=0.01)))  # 2 cal rows
    with pytest.raises(ValueError, match="alpha"):
        cp.predict_interval(X[:2], alpha=1.5)


def test_conformal_wraps_a_pipeline_with_dataframes():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(1)
    X, y = _heteroscedastic(300, rng)
    df = pd.DataFrame(X, columns=["a", "b"])
    pipe = make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(16,), max_iter=30, random_state=0),
    )
    cp = ConformalRegressor(pipe, random_state=0).fit(df, y)
    assert list(cp.feature_names_in_) == ["a", "b"]
    assert list(cp.estimator_[0].feature_names_in_) == ["a", "b"]
    assert cp.predict_interval(df.iloc[:4]).shape == (4, 2)


def test_mc_dropout_std():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(300, 1)).astype(np.float32)
    y = np.sin(3 * X[:, 0])
    reg = MLPRegressor(
        hidden_layer_sizes=(64, 64),
        dropout=0.2,
        max_iter=100,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    grid = np.linspace(-3, 3, 61)[:, None]
    torch.manual_seed(7)
    expected = torch.rand(2)
    torch.manual_seed(7)
    mean, std = reg.predict(grid, return_std=True, n_mc_samples=50)
    np.testing.assert_array_equal(torch.rand(2), expected)  # global RNG untouched
    assert mean.shape == std.shape == (61,)
    assert np.all(std > 0)
    again = reg.predict(grid, return_std=True, n_mc_samples=50)
    np.testing.assert_array_equal(again[1], std)  # reproducible
    inside, outside = np.abs(grid[:, 0]) <= 1, np.abs(grid[:, 0]) >= 2
    assert std[outside].mean() > std[inside].mean()  # unsure away from the data
    np.testing.assert_allclose(mean[inside], reg.predict(grid[inside]), atol=0.15)
    assert not reg.module_.training
    with pytest.raises(ValueError, match="needs dropout > 0"):
        MLPRegressor(max_iter=2).fit(X, y).predict(X, return_std=True)


def test_neural_ode_refuses_dropout():
    X = np.random.RandomState(0).randn(20, 2)
    with pytest.raises(ValueError, match="does not support dropout"):
        NeuralODERegressor(dropout=0.1, max_iter=1).fit(X, X[:, 0])


def test_deep_ensembles():
    from sklearn.datasets import load_iris

    from sklearn_mathdl import (
        DeepEnsembleClassifier,
        DeepEnsembleRegressor,
        MLPClassifier,
    )

    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(200, 1))
    y = np.sin(3 * X[:, 0])
    ens = DeepEnsembleRegressor(
        MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=60),
        n_estimators=4,
        random_state=0,
    ).fit(X, y)
    seeds = {m.random_state for m in ens.estimators_}
    assert len(seeds) == 4  # members differ only by seed
    members = np.stack([m.predict(X) for m in ens.estimators_])
    mean, std = ens.predict(X, return_std=True)
    np.testing.assert_allclose(mean, members.mean(0))
    np.testing.assert_allclose(std, members.std(0, ddof=1))
    grid = np.linspace(-3, 3, 61)[:, None]
    _, gstd = ens.predict(grid, return_std=True)
    assert gstd[np.abs(grid[:, 0]) >= 2].mean() > gstd[np.abs(grid[:, 0]) <= 1].mean()
    Xi, yi = load_iris(return_X_y=True)
    clf = DeepEnsembleClassifier(
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, learning_rate_init=0.02),
        n_estimators=3,
        random_state=0,
    ).fit(Xi, yi)
    proba = clf.predict_proba(Xi)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_allclose(
        proba, np.mean([m.predict_proba(Xi) for m in clf.estimators_], axis=0)
    )
    assert clf.score(Xi, yi) > 0.85
    with pytest.raises(ValueError, match="random_state"):
        DeepEnsembleRegressor(_NoSeed()).fit(X, y)


class _NoSeed:
    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.zeros(len(X))


@pytest.mark.parametrize(
    "member, target",
    [
        ("classifier", "multiclass"),
        ("classifier", "binary"),
        ("regressor", "two outputs"),
    ],
)
def test_deep_ensemble_members_train_stacked_as_their_separate_fits(member, target):
    # members of our MLPs trained by Adam/SGD train as one stacked model, each
    # with its own seed (initial weights, shuffling); each equals the
    # separate fit of its seed
    from sklearn.base import clone

    from sklearn_mathdl import (
        DeepEnsembleClassifier,
        DeepEnsembleRegressor,
        MLPClassifier,
        _batched,
    )

    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    y = {
        "multiclass": (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5),
        "binary": (X[:, 1] + X[:, 2] > 0).astype(int),
        "two outputs": np.c_[np.sin(X[:, 0]), X[:, 1] * X[:, 2]],
    }[target]
    w = rng.uniform(0.5, 2.0, len(X))
    common = dict(hidden_layer_sizes=(16,), max_iter=25, batch_size=32)
    if member == "classifier":
        ens = DeepEnsembleClassifier(MLPClassifier(**common), n_estimators=3)
    else:
        ens = DeepEnsembleRegressor(
            MLPRegressor(optimizer="adam", alpha=1e-3, **common), n_estimators=3
        )
    ens.set_params(random_state=0)
    calls = []
    train = _batched.train_batched

    def spy(estimator, plan, n_outputs, request, *args):
        calls.append(len(request.candidates))
        return train(estimator, plan, n_outputs, request, *args)

    _batched.train_batched = spy
    try:
        ens.fit(X, y, sample_weight=w)
    finally:
        _batched.train_batched = train
    assert calls == [3]  # one stacked fit of the three members
    seeds = [m.random_state for m in ens.estimators_]
    assert len(set(seeds)) == 3
    for m in ens.estimators_:
        alone = clone(ens.estimator).set_params(random_state=m.random_state)
        alone.fit(X, y, sample_weight=w)
        np.testing.assert_allclose(m.loss_curve_, alone.loss_curve_, rtol=1e-4)
        out = "predict_proba" if member == "classifier" else "predict"
        np.testing.assert_allclose(
            getattr(m, out)(X), getattr(alone, out)(X), rtol=1e-4, atol=1e-5
        )
    # different seeds: different members
    assert not np.allclose(
        ens.estimators_[0].loss_curve_, ens.estimators_[1].loss_curve_
    )


def test_deep_ensemble_falls_back_to_separate_fits():
    # L-BFGS members (the regressor's default on small data) are not stacked;
    # the ensemble is the same either way
    from sklearn_mathdl import DeepEnsembleRegressor, _batched

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] - X[:, 1]
    assert _batched.why_not_batched(MLPRegressor(), [{"random_state": 1}], 60)
    ens = DeepEnsembleRegressor(
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=20),
        n_estimators=2,
        random_state=0,
    ).fit(X, y)
    for m in ens.estimators_:
        alone = MLPRegressor(
            hidden_layer_sizes=(8,), max_iter=20, random_state=m.random_state
        )
        np.testing.assert_allclose(m.predict(X), alone.fit(X, y).predict(X))


def test_stacked_ensemble_with_dropout_is_reproducible():
    # the stacked members' dropout masks are seeded from the members' seeds,
    # not from the (unseeded) template estimator
    from sklearn_mathdl import DeepEnsembleClassifier, MLPClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] > 0).astype(int)
    ens = DeepEnsembleClassifier(
        MLPClassifier(hidden_layer_sizes=(8,), dropout=0.3, max_iter=15),
        n_estimators=3,
        random_state=0,
    )
    first = ens.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, clone_fit(ens, X, y).predict_proba(X))


def clone_fit(est, X, y):
    from sklearn.base import clone

    return clone(est).fit(X, y)
