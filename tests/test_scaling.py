"""Scaling regimes of one-hidden-layer networks: NTK (lazy) vs mean field."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
import torch

from sklearn_mathdl import MLPRegressor
from sklearn_mathdl.kernels import empirical_ntk, ntk_kernel
from sklearn_mathdl.utils._seeding import torch_seed

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 10).astype(np.float32)
    return X, np.tanh(X[:, 0] + X[:, 1] * X[:, 2])


def _gd(scaling, width, steps=200, lr=0.5, seed=0):
    """Full-batch gradient descent, as in the scaling analyses."""
    return MLPRegressor(
        hidden_layer_sizes=(width,),
        scaling=scaling,
        optimizer="sgd",
        momentum=0.0,
        learning_rate_init=lr,
        batch_size=10**6,
        max_iter=steps,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=10**6,
        shuffle=False,
        normalize_y=False,
        random_state=seed,
    )


def _init_module(est):
    """The module as it was initialized (same seed, same construction)."""
    with torch_seed(est._seed, torch.device("cpu")):
        return est._build_module(est.n_features_in_, 1)


def _feature_change(est):
    W0 = _init_module(est).layers[0].weight.detach()
    return float((est.module_.layers[0].weight.detach() - W0).norm() / W0.norm())


def test_ntk_features_move_like_inverse_sqrt_width(data):
    X, y = data
    change = {N: _feature_change(_gd("ntk", N).fit(X, y)) for N in (64, 1024)}
    # x16 width -> about /4 feature change (measured 0.154 -> 0.032)
    assert change[1024] < change[64] / 2.5
    assert change[1024] < 0.06


def test_mean_field_features_move_order_one_at_every_width(data):
    X, y = data
    fits = {N: _gd("mean_field", N).fit(X, y) for N in (64, 1024)}
    change = {N: _feature_change(est) for N, est in fits.items()}
    mse = {N: float(np.mean((est.predict(X) - y) ** 2)) for N, est in fits.items()}
    assert all(0.5 < c < 1.5 for c in change.values())
    assert abs(change[64] - change[1024]) < 0.25 * change[1024]
    assert all(m < 0.05 for m in mse.values())
    assert abs(mse[64] - mse[1024]) < 0.3 * mse[1024]  # width-independent curve


def test_mean_field_output_at_init_shrinks_like_inverse_sqrt_width(data):
    X, _ = data
    Xt = torch.from_numpy(X)
    stds = {}
    for N in (64, 4096):
        est = _gd("mean_field", N, steps=1).fit(X, X[:, 0])
        outs = []
        for seed in range(5):
            with torch_seed(seed, torch.device("cpu")), torch.no_grad():
                outs.append(est._build_module(10, 1)(Xt).std().item())
        stds[N] = np.mean(outs)
    assert 4 < stds[64] / stds[4096] < 16  # sqrt(64) = 8


def test_learning_rate_rule():
    X = np.random.RandomState(0).randn(30, 3)
    est = _gd("mean_field", 100, steps=1).fit(X, X[:, 0])
    assert est._net.optimizer_.param_groups[0]["lr"] == pytest.approx(0.5 * 100)
    adam = MLPRegressor(
        hidden_layer_sizes=(100,),
        optimizer="adam",
        scaling="mean_field",
        max_iter=1,
        learning_rate_init=0.01,
    ).fit(X, X[:, 0])
    assert adam._net.optimizer_.param_groups[0]["lr"] == pytest.approx(0.01)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        MLPRegressor(hidden_layer_sizes=(), scaling="mean_field").fit(X, X[:, 0])


def test_ntk_scaled_estimator_has_the_analytic_ntk():
    X = np.random.RandomState(1).randn(12, 3).astype(np.float32)
    est = MLPRegressor(
        hidden_layer_sizes=(4096,),
        scaling="ntk",
        max_iter=1,
        learning_rate_init=1e-9,
        random_state=0,
    ).fit(X, X[:, 0])
    emp = empirical_ntk(_init_module(est), X)
    analytic = ntk_kernel(X, depth=1, sigma_w=1.0, sigma_b=1.0)
    assert np.linalg.norm(emp - analytic) / np.linalg.norm(analytic) < 0.05


def test_wide_network_trained_by_gd_matches_ntk_regression():
    """Lazy training: f_T(x) ~ f_0(x) + Theta(x, X) Theta(X, X)^-1 (y - f_0(X))."""
    rng = np.random.RandomState(0)
    X = rng.randn(20, 3).astype(np.float32)
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    X_test = rng.randn(50, 3).astype(np.float32)
    K = ntk_kernel(X, depth=1, sigma_w=1, sigma_b=1)
    K_test = ntk_kernel(X_test, X, depth=1, sigma_w=1, sigma_b=1)
    gaps = {}
    for N in (256, 4096):
        est = _gd("ntk", N, steps=3000).fit(X, y)
        with torch.no_grad():
            m0 = _init_module(est)
            f0 = m0(torch.from_numpy(X)).numpy()[:, 0]
            f0_test = m0(torch.from_numpy(X_test)).numpy()[:, 0]
        kernel_pred = f0_test + K_test @ np.linalg.solve(K, y - f0)
        gaps[N] = np.linalg.norm(est.predict(X_test) - kernel_pred) / np.linalg.norm(
            kernel_pred
        )
    assert gaps[4096] < gaps[256]
    assert gaps[4096] < 0.05


# ---------------------------------------------------- between the regimes
@pytest.mark.parametrize("gamma, name", [(0.5, "ntk"), (1.0, "mean_field")])
def test_gamma_at_the_ends_is_the_named_scaling(data, gamma, name):
    X, y = data
    a = _gd(gamma, 64, steps=20).fit(X, y)
    b = _gd(name, 64, steps=20).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a._net.optimizer_.param_groups[0]["lr"] == pytest.approx(
        b._net.optimizer_.param_groups[0]["lr"]
    )


def test_gamma_output_at_init_scales_like_width_to_half_minus_gamma(data):
    """f = N^-gamma sum_i a_i h_i with independent N(0, 1) a_i: Var f = N^(1 - 2
    gamma) E h^2, so the std ratio of widths 64 and 4096 is 64^(gamma - 1/2)."""
    X, _ = data
    Xt = torch.from_numpy(X)
    gamma = 0.75
    stds = {}
    for N in (64, 4096):
        est = _gd(gamma, N, steps=1).fit(X, X[:, 0])
        outs = []
        for seed in range(8):
            with torch_seed(seed, torch.device("cpu")), torch.no_grad():
                outs.append(est._build_module(10, 1)(Xt).std().item())
        stds[N] = np.mean(outs)
    assert stds[64] / stds[4096] == pytest.approx(64**0.25, rel=0.3)


def test_gamma_features_move_like_width_to_gamma_minus_one(data):
    """One step moves a hidden weight by eta N^(2 gamma - 1) N^-gamma = eta
    N^(gamma - 1) (times O(1) factors): x16 width is x16^(gamma - 1)."""
    X, y = data
    gamma = 0.75
    change = {
        N: _feature_change(_gd(gamma, N, steps=100).fit(X, y)) for N in (64, 1024)
    }
    assert change[1024] / change[64] == pytest.approx(16 ** (gamma - 1), rel=0.3)
    lr = _gd(gamma, 100, steps=1).fit(X, y)._net.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(0.5 * 100 ** (2 * gamma - 1))


def test_gamma_is_validated(data):
    X, y = data
    with pytest.raises(ValueError, match="scaling"):
        MLPRegressor(scaling=0.3).fit(X, y)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        MLPRegressor(hidden_layer_sizes=(), scaling=0.75).fit(X, y)


# ------------------------------------------- deep networks between the regimes
def _deep_gd(scaling, widths, steps=1, lr=0.5):
    est = _gd(scaling, 1, steps=steps, lr=lr)
    return est.set_params(hidden_layer_sizes=widths)


def test_deep_gamma_layers_and_step_factors():
    """gamma = 3/4 on (30, 20): W_2 h_1 / 30^gamma without bias, a.h_2 / 20^gamma;
    SGD factors prod N^(2 gamma - 1) over the widths a layer touches: 30^(1/2),
    (30 x 20)^(1/2), 20^(1/2) (gamma = 1 gives mean field's 30, 600, 20)."""
    X = np.random.RandomState(0).randn(40, 3)
    est = _deep_gd(0.75, (30, 20)).fit(X, X[:, 0])
    W2, readout = est.module_.layers[2], est.module_.layers[4]
    assert W2.bias is None and W2.weight_scale == pytest.approx(30**-0.75)
    assert readout.bias is None and readout.weight_scale == pytest.approx(20**-0.75)
    factors = sorted({g["lr_factor"] for g in est._net.optimizer_.param_groups})
    np.testing.assert_allclose(factors, np.sqrt([20.0, 30.0, 600.0]))


@pytest.mark.parametrize("gamma, name", [(0.5, "ntk"), (1.0, "mean_field")])
def test_deep_gamma_at_the_ends_is_the_named_scaling(data, gamma, name):
    X, y = data
    a = _deep_gd(gamma, (16, 16), steps=20).fit(X, y)
    b = _deep_gd(name, (16, 16), steps=20).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_deep_gamma_output_at_init_scales_like_width_to_one_minus_two_gamma(data):
    """Two ReLU layers of width N: the second layer's pre-activation has Var =
    N^(1 - 2 gamma) E h_1^2, so E h_2^2 = N^(1 - 2 gamma) E h_1^2 / 2, and Var f =
    N^(1 - 2 gamma) E h_2^2: the output's spread shrinks like N^(1 - 2 gamma),
    twice the exponent of one layer (64^(2 gamma - 1) from N = 64 to 4096)."""
    X, _ = data
    Xt = torch.from_numpy(X)
    gamma = 0.75
    stds = {}
    for N in (64, 4096):
        est = _deep_gd(gamma, (N, N)).fit(X, X[:, 0])
        outs = []
        for seed in range(8):
            with torch_seed(seed, torch.device("cpu")), torch.no_grad():
                outs.append(est._build_module(10, 1)(Xt).std().item())
        stds[N] = np.mean(outs)
    assert stds[64] / stds[4096] == pytest.approx(64 ** (2 * gamma - 1), rel=0.3)


def test_deep_gamma_trains(data):
    X, y = data
    est = _deep_gd(0.75, (64, 64), steps=200).fit(X, y)
    assert np.mean((est.predict(X) - y) ** 2) < 0.5 * np.var(y)


# ------------------------------------------------------- deep mean field
def test_deep_mean_field_step_factors():
    """W_1: N_1; W_2: N_1 N_2 (its entries' gradients are O(1 / (N_1 N_2)));
    readout: N_2; each group keeps its factor under a schedule."""
    X = np.random.RandomState(0).randn(40, 3)
    est = MLPRegressor(
        hidden_layer_sizes=(30, 20),
        scaling="mean_field",
        optimizer="sgd",
        momentum=0.0,
        learning_rate_init=0.5,
        learning_rate="invscaling",
        power_t=0.0,  # a constant step, set through the schedule each batch
        max_iter=2,
        random_state=0,
    ).fit(X, X[:, 0])
    groups = est._net.optimizer_.param_groups
    factors = sorted({g["lr_factor"] for g in groups})
    assert factors == [20.0, 30.0, 600.0]
    assert all(g["lr"] == pytest.approx(0.5 * g["lr_factor"]) for g in groups)
    W2 = est.module_.layers[2]
    assert W2.bias is None and W2.weight_scale == pytest.approx(1 / 30)


def test_deep_mean_field_trains_alike_at_every_width(data):
    """Every layer's weights move O(1) and the training curve does not depend
    on the widths (the deterministic limit of Sirignano and Spiliopoulos)."""
    X, y = data
    fits = {}
    for N in (32, 256):
        fits[N] = MLPRegressor(
            hidden_layer_sizes=(N, N),
            scaling="mean_field",
            optimizer="sgd",
            momentum=0.0,
            learning_rate_init=0.5,
            batch_size=10**6,
            max_iter=200,
            alpha=0.0,
            tol=0.0,
            n_iter_no_change=10**6,
            shuffle=False,
            normalize_y=False,
            random_state=0,
        ).fit(X, y)
    mse = {N: float(np.mean((e.predict(X) - y) ** 2)) for N, e in fits.items()}
    change = {}
    for N, est in fits.items():
        m0 = _init_module(est)
        change[N] = [
            float((a.weight - b.weight).norm() / b.weight.norm())
            for a, b in zip(
                [m for m in est.module_.layers if hasattr(m, "weight")],
                [m for m in m0.layers if hasattr(m, "weight")],
                strict=True,
            )
        ]
    assert abs(mse[32] - mse[256]) < 0.3 * mse[256], mse
    for c32, c256 in zip(change[32], change[256], strict=True):
        assert 0.5 < c256 / c32 < 2.0, change


@pytest.mark.parametrize("scaling", ["ntk", "mean_field", 0.75])
def test_classifier_default_penalty_under_scaled_parameterizations(
    binary_data, scaling
):
    # alpha="auto" is scikit-learn's 1e-4 under the N(0, 1) parameterizations:
    # the rate rule's penalty (1.0 at full batch), made for Glorot-sized
    # weights, pulled them to a constant prediction under mean_field
    from sklearn.model_selection import cross_val_score

    from sklearn_mathdl import MLPClassifier

    X, y = binary_data
    clf = MLPClassifier(scaling=scaling, random_state=0)
    assert cross_val_score(clf, X, y, cv=3).mean() >= 0.9
    assert clf.fit(X, y).alpha_ == 1e-4
    assert MLPClassifier(random_state=0, max_iter=2).fit(X, y).alpha_ == 1.0
