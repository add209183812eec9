"""``alpha="auto"`` of MLPRegressor: the GCV penalty of the initial readout."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge

from sklearn_mathdl import MLPRegressor, _penalty
from sklearn_mathdl._engine import _TensorDataset
from sklearn_mathdl._penalty import _feature_rows, _feature_sums, gcv_ridge_penalty


def _brute_force_gcv(X, y, lam):
    """GCV of scikit-learn's Ridge at ``lam``, the hat matrix built explicitly."""
    n = len(y)
    pred = Ridge(alpha=lam).fit(X, y).predict(X)
    Xc = X - X.mean(0)
    hat = Xc @ np.linalg.solve(Xc.T @ Xc + lam * np.eye(X.shape[1]), Xc.T)
    dof = np.trace(hat) + 1.0  # the intercept
    rss = ((y - pred) ** 2).sum()
    return rss / n / (1.0 - dof / n) ** 2


class _Readout(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.layers = torch.nn.Sequential(torch.nn.Linear(d, 1))

    def forward(self, X):
        return self.layers(X)


def _sums_of(X, y, w=None):
    """Row sums of a linear model's features (an identity 'hidden part')."""
    module = _Readout(X.shape[1])  # the readout alone: its features are X
    ds = _TensorDataset(
        torch.as_tensor(X, dtype=torch.float32),
        torch.as_tensor(y, dtype=torch.float32),
        None if w is None else torch.as_tensor(w, dtype=torch.float32),
    )
    return module, ds


def test_gcv_penalty_matches_a_brute_force_ridge_computation():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6))
    y = X @ rng.normal(size=6) + 2.0 * rng.normal(size=80)
    module, ds = _sums_of(X, y)
    sums = _feature_sums(module, ds, torch.arange(80))
    grid = np.logspace(-3, 3, 25)
    mean_eig = np.trace(np.cov(X.T, bias=True) * 80) / 6
    lam, value = gcv_ridge_penalty(sums, grid=grid, gamma=1.0)
    # the same curve from scikit-learn's Ridge and an explicit hat matrix
    X64 = X.astype(np.float32).astype(np.float64)
    y64 = y.astype(np.float32).astype(np.float64)
    curve = [_brute_force_gcv(X64, y64, g * mean_eig) for g in grid]
    assert lam == pytest.approx(grid[int(np.argmin(curve))] * mean_eig, rel=1e-6)
    assert value == pytest.approx(min(curve), rel=1e-6)


def test_fewer_rows_than_features_solve_the_n_by_n_eigenproblem():
    # 15 rows, 40 features: the rows' 15 x 15 inner products give the same
    # penalty and criterion as the 40 x 40 Gram matrix and the brute force
    rng = np.random.default_rng(4)
    X = rng.normal(size=(15, 40))
    y = X[:, :3] @ rng.normal(size=3) + 0.5 * rng.normal(size=15)
    module, ds = _sums_of(X, y)
    rows = torch.arange(15)
    grid = np.logspace(-3, 3, 25)
    lam_rows, value_rows = gcv_ridge_penalty(
        _feature_rows(module, ds, rows), grid=grid, gamma=1.0
    )
    lam_sums, value_sums = gcv_ridge_penalty(
        _feature_sums(module, ds, rows), grid=grid, gamma=1.0
    )
    assert lam_rows == pytest.approx(lam_sums, rel=1e-8)
    assert value_rows == pytest.approx(value_sums, rel=1e-6)
    X64 = X.astype(np.float32).astype(np.float64)
    y64 = y.astype(np.float32).astype(np.float64)
    mean_eig = np.trace(np.cov(X64.T, bias=True) * 15) / 40
    curve = [_brute_force_gcv(X64, y64, g * mean_eig) for g in grid]
    assert lam_rows == pytest.approx(grid[int(np.argmin(curve))] * mean_eig, rel=1e-6)
    assert value_rows == pytest.approx(min(curve), rel=1e-6)
    # with weights (and an intercept) the two paths agree as well
    w = rng.uniform(0.5, 2.0, 15)
    module, ds = _sums_of(X, y, w)
    a = gcv_ridge_penalty(_feature_rows(module, ds, rows))
    b = gcv_ridge_penalty(_feature_sums(module, ds, rows))
    np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.filterwarnings("ignore:.*learnt nothing")  # one epoch
def test_a_wide_layer_on_few_rows_never_decomposes_its_gram_matrix(monkeypatch):
    # the auto penalty of a 512-wide layer on 20 rows: every eigenproblem is
    # at most 20 x 20, and alpha_ is the one of the 515 x 515 Gram matrix
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20, 3))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=20)
    sizes = []
    eigh = np.linalg.eigh

    def recording_eigh(a, *args, **kwargs):
        sizes.append(a.shape[0])
        return eigh(a, *args, **kwargs)

    monkeypatch.setattr(_penalty.np.linalg, "eigh", recording_eigh)
    reg = MLPRegressor(hidden_layer_sizes=(512,), max_iter=1, random_state=0)
    reg.fit(X, y)
    assert sizes and max(sizes) <= 20
    sizes.clear()
    monkeypatch.setattr(_penalty, "_rows_are_fewer", lambda *args: False)
    primal = MLPRegressor(hidden_layer_sizes=(512,), max_iter=1, random_state=0)
    primal.fit(X, y)
    assert max(sizes) == 515
    assert reg.alpha_ == pytest.approx(primal.alpha_, rel=1e-6)


def test_row_blocks_and_weight_scale_do_not_change_the_sums():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(50, 3)), rng.normal(size=50)
    w = rng.uniform(0.5, 2.0, 50)
    module, ds = _sums_of(X, y, w)
    one = _feature_sums(module, ds, torch.arange(50))
    blocks = _feature_sums(module, ds, torch.arange(50), block_rows=7)
    for a, b in zip(one, blocks, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)
    module, ds10 = _sums_of(X, y, 10 * w)  # weights rescaled to mean 1
    ten = _feature_sums(module, ds10, torch.arange(50))
    for a, b in zip(one, ten, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-9)


def test_auto_alpha_is_small_on_noiseless_data_and_large_on_noise():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60, 1))
    smooth = MLPRegressor(random_state=0).fit(X, X.ravel() ** 2)
    assert smooth.alpha_ < 1e-2
    assert smooth.score(X, X.ravel() ** 2) > 0.99
    noise = rng.normal(size=60)
    pure = MLPRegressor(random_state=0).fit(X, noise)
    assert pure.alpha_ > 100 * smooth.alpha_
    # pure noise gets a (nearly) constant fit, not an interpolation of it
    assert np.std(pure.predict(X)) < 0.5 * np.std(noise)


def test_auto_alpha_sees_a_linear_target_the_random_features_miss():
    # 100 inputs, 50 hidden units: GCV on the random features alone calls
    # this noiseless linear target noise (alpha about 60, training R^2 0.69;
    # scikit-learn's test_multioutput_regression asks for more than 0.9)
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=200, n_targets=5, random_state=11)
    reg = MLPRegressor(hidden_layer_sizes=50, random_state=1).fit(X, y)
    assert reg.alpha_ < 20
    assert reg.score(X, y) > 0.95


def test_auto_alpha_equals_a_fit_with_that_alpha_and_is_scale_free():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 4))
    y = np.sin(X[:, 0]) + 0.3 * rng.normal(size=120)
    auto = MLPRegressor(hidden_layer_sizes=(16,), random_state=0).fit(X, y)
    fixed = MLPRegressor(
        hidden_layer_sizes=(16,), alpha=auto.alpha_, random_state=0
    ).fit(X, y)
    np.testing.assert_allclose(auto.predict(X), fixed.predict(X), rtol=1e-5)
    scaled = MLPRegressor(hidden_layer_sizes=(16,), random_state=0).fit(X, 1e3 * y)
    assert scaled.alpha_ == pytest.approx(auto.alpha_, rel=1e-6)
    # the penalty is per batch row: Adam's mini-batches get a smaller alpha
    adam = MLPRegressor(
        hidden_layer_sizes=(16,), optimizer="adam", batch_size=40, random_state=0
    ).fit(X, y)
    assert adam.alpha_ == pytest.approx(auto.alpha_ * 40 / 120, rel=1e-6)


def test_warm_start_keeps_alpha_and_a_fixed_alpha_is_reported():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(60, 3)), rng.normal(size=60)
    reg = MLPRegressor(hidden_layer_sizes=(8,), warm_start=True, random_state=0)
    first = reg.fit(X, y).alpha_
    assert reg.fit(X, 5 * X[:, 0]).alpha_ == first
    assert MLPRegressor(alpha=0.3, max_iter=5).fit(X, y).alpha_ == 0.3
    with pytest.raises(ValueError, match="alpha"):
        MLPRegressor(alpha="best").fit(X, y)


@pytest.mark.parametrize(
    "make",
    [
        lambda: __import__("sklearn_mathdl").NeuralODERegressor(max_iter=2),
        lambda: __import__("sklearn_mathdl").TransformerEncoderRegressor(max_iter=2),
        lambda: __import__("sklearn_mathdl").CNNRegressor(alpha="auto", max_iter=2),
        lambda: __import__("sklearn_mathdl").RNNRegressor(alpha="auto", max_iter=2),
    ],
    ids=["ode", "transformer", "cnn", "rnn"],
)
def test_every_regressor_family_reads_its_readout(make):
    """The readout's inputs are caught by a hook, whatever the architecture."""
    from sklearn.base import clone

    rng = np.random.default_rng(4)
    X = rng.normal(size=(64, 6)).astype(np.float32)
    y = X[:, 0] - X[:, 1] ** 2 + 0.1 * rng.normal(size=64)
    est = make().set_params(random_state=0)
    auto = clone(est).fit(X, y)
    assert np.isfinite(auto.alpha_) and auto.alpha_ > 0
    fixed = clone(est).set_params(alpha=auto.alpha_).fit(X, y)
    np.testing.assert_allclose(auto.predict(X), fixed.predict(X), rtol=1e-5)


def test_weights_scale_alpha_so_the_objective_is_unchanged():
    # the penalty divides by the batch's weight sum (scikit-learn's MLP), so
    # weights times 10 need alpha times 10 for the same model: "auto" does it
    rng = np.random.default_rng(5)
    X = rng.normal(size=(90, 3))
    y = np.tanh(X[:, 0]) + 0.2 * rng.normal(size=90)
    w = rng.uniform(0.5, 2.0, 90)
    kw = dict(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    one = MLPRegressor(**kw).fit(X, y, sample_weight=w)
    ten = MLPRegressor(**kw).fit(X, y, sample_weight=10 * w)
    assert ten.alpha_ == pytest.approx(10 * one.alpha_, rel=1e-6)
    # the same objective; 30 L-BFGS iterations in float32 carry the rounding
    # of the scaled weights into the predictions (up to 2e-4 relative,
    # depending on the CPU's kernels)
    np.testing.assert_allclose(ten.predict(X), one.predict(X), rtol=1e-3, atol=2e-4)
