"""GenerativeAdversarialNetwork and WassersteinGAN: the two-player engine, the
players' optima against closed forms, the sampling contract, bad input."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import pickle

import numpy as np
import pytest
import torch
from scipy.stats import norm
from sklearn.base import clone
from sklearn.datasets import load_digits, make_moons

from sklearn_mathdl import GenerativeAdversarialNetwork, WassersteinGAN


def _gauss(n, mean, std, seed):
    return np.random.default_rng(seed).normal(mean, std, size=(n, 1))


def _frozen_linear_generator(cls, **kw):
    """A linear generator G(z) = w z + b that does not move (lr 1e-12): p_G is
    N(b, w^2), so the second player's optimum has a closed form."""
    return cls(
        generator_hidden_layer_sizes=(),
        learning_rate_init=1e-12,
        random_state=0,
        **kw,
    )


def _linear_law(est):
    """G(z) = w.z + b with z ~ N(0, I): N(b, ||w||^2)."""
    layer = est.generator_.layers[0]
    return float(layer.bias.detach()), float(layer.weight.detach().norm())


# ------------------------------------------------------------- the engine
@pytest.mark.parametrize("cls", [GenerativeAdversarialNetwork, WassersteinGAN])
def test_each_player_has_its_own_optimizer(cls):
    X, _ = make_moons(100, noise=0.05, random_state=0)
    est = cls(max_iter=2, random_state=0).fit(X)
    net = est._net
    gen = {id(p) for g in net.optimizer_.param_groups for p in g["params"]}
    crit = {id(p) for g in net.second_optimizer_.param_groups for p in g["params"]}
    assert gen == {id(p) for p in est.generator_.parameters()}
    assert crit == {id(p) for p in est.module_.critic.parameters()}
    assert not gen & crit


def test_players_step_sizes_and_schedule_are_their_own():
    X, _ = make_moons(100, noise=0.05, random_state=0)
    est = GenerativeAdversarialNetwork(
        learning_rate_init=1e-3,
        discriminator_learning_rate_init=4e-3,
        discriminator_optimizer="sgd",
        learning_rate="cosine",
        max_iter=4,
        random_state=0,
    ).fit(X)
    net = est._net
    assert isinstance(net.optimizer_, torch.optim.Adam)
    assert isinstance(net.second_optimizer_, torch.optim.SGD)
    # the last of 4 cosine epochs runs at (1 + cos(3 pi / 4)) / 2 of each lr0
    factor = 0.5 * (1 + math.cos(math.pi * 3 / 4))
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-3 * factor)
    assert net.second_optimizer_.param_groups[0]["lr"] == pytest.approx(4e-3 * factor)
    # Adam's GAN betas unless optimizer_params sets them
    assert net.optimizer_.param_groups[0]["betas"] == (0.5, 0.999)


def test_n_critic_critic_steps_per_generator_step():
    X = _gauss(100, 0.0, 1.0, 0)  # 100 rows, batch_size 10: 10 batches an epoch
    est = WassersteinGAN(n_critic=5, batch_size=10, max_iter=3, random_state=0)
    est.fit(X)
    assert est._net._game_steps == 30
    steps = [
        s["step"]
        for s in est._net.optimizer_.state.values()  # Adam counts its steps
    ]
    assert {float(s) for s in steps} == {6.0}
    crit = [float(s["step"]) for s in est._net.second_optimizer_.state.values()]
    assert set(crit) == {30.0}


# ------------------------------------------------ optima against closed forms
def test_discriminator_learns_the_density_ratio():
    """For a fixed generator the optimal discriminator is
    D*(x) = p_data / (p_data + p_G) (the book's section 15.3), so its logit is
    log p_data(x) - log p_G(x)."""
    X = _gauss(4000, 1.0, 1.0, 0)
    est = _frozen_linear_generator(
        GenerativeAdversarialNetwork,
        discriminator_learning_rate_init=3e-3,
        max_iter=60,
    ).fit(X)
    b, s = _linear_law(est)
    grid = np.linspace(-0.5, 1.5, 21)[:, None].astype(np.float32)
    with torch.no_grad():
        logit = est.discriminator_(torch.from_numpy(grid)).numpy().ravel()
    expected = norm.logpdf(grid.ravel(), 1.0, 1.0) - norm.logpdf(grid.ravel(), b, s)
    assert np.max(np.abs(logit - expected)) < 0.25, (b, s)


def test_critic_estimates_the_wasserstein_distance():
    """Data N(b + d, w^2) against a fixed generator N(b, w^2): W_1 = d, and the
    optimal potential is linear, f(x) = s x. Under the gradient penalty the
    critic maximizes s d - lambda (s - 1)^2, so s = 1 + d / (2 lambda) and its
    estimate of W_1 is d (1 + d / (2 lambda)), a derived closed form."""
    probe = _frozen_linear_generator(WassersteinGAN, n_components=1, max_iter=1)
    b, w = _linear_law(probe.fit(_gauss(100, 0.0, 1.0, 0)))
    d, lam = 1.0, 10.0
    X = _gauss(4000, b + d, w, 1)
    est = _frozen_linear_generator(
        WassersteinGAN,
        n_components=1,
        critic_learning_rate_init=3e-3,
        gp_weight=lam,
        max_iter=40,
    ).fit(X)
    assert _linear_law(est) == pytest.approx((b, w), abs=1e-6)  # G stayed put
    estimate = np.mean(est.wasserstein_curve_[-5:])
    assert estimate == pytest.approx(d * (1 + d / (2 * lam)), rel=0.03)


def test_weight_clipping_bounds_the_critic():
    X, _ = make_moons(200, noise=0.05, random_state=0)
    est = WassersteinGAN(lipschitz="clip", clip_value=0.02, max_iter=3, random_state=0)
    est.fit(X)
    params = torch.cat([p.detach().ravel() for p in est.critic_.parameters()])
    assert params.abs().max() <= 0.02 + 1e-7
    assert params.abs().max() > 0.019  # the bound binds
    assert isinstance(est._net.optimizer_, torch.optim.RMSprop)  # "auto"


def test_gan_learns_a_gaussian():
    X = _gauss(2000, 3.0, 0.5, 0)
    mean, std = X.mean(), X.std()
    X = (X - mean) / std
    est = GenerativeAdversarialNetwork(max_iter=100, random_state=0).fit(X)
    S = est.sample(4000, random_state=0) * std + mean
    assert S.mean() == pytest.approx(3.0, abs=0.1)
    assert S.std() == pytest.approx(0.5, rel=0.2)


# ------------------------------------------------------ sampling contract
@pytest.mark.parametrize("cls", [GenerativeAdversarialNetwork, WassersteinGAN])
def test_sample_contract_and_reproducibility(cls):
    X, _ = make_moons(200, noise=0.05, random_state=0)
    a = cls(max_iter=3, random_state=0).fit(X)
    b = cls(max_iter=3, random_state=0).fit(X)
    np.testing.assert_array_equal(
        a.sample(5, random_state=1), b.sample(5, random_state=1)
    )
    s = a.sample(5, random_state=1)
    assert s.shape == (5, 2) and s.dtype == np.float64
    assert not np.allclose(s, a.sample(5, random_state=2))
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="n_samples must be a positive integer"):
            a.sample(bad)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.sample(5, random_state=1), s)
    assert clone(a).get_params() == a.get_params()


@pytest.mark.parametrize("cls", [GenerativeAdversarialNetwork, WassersteinGAN])
def test_partial_fit_and_warm_start_continue(cls):
    X, _ = make_moons(200, noise=0.05, random_state=0)
    est = cls(random_state=0)
    est.partial_fit(X).partial_fit(X)
    assert est.n_iter_ == 2 and len(est.generator_loss_curve_) == 2
    # 6 epochs of one batch: a generator step even at n_critic=5
    warm = cls(max_iter=6, warm_start=True, random_state=0).fit(X)
    before = warm.sample(3, random_state=0)
    warm.fit(X)
    assert warm.n_iter_ == 12
    assert not np.allclose(before, warm.sample(3, random_state=0))


def test_curves_of_both_players():
    X, _ = make_moons(200, noise=0.05, random_state=0)
    gan = GenerativeAdversarialNetwork(max_iter=5, random_state=0).fit(X)
    assert len(gan.discriminator_loss_curve_) == len(gan.generator_loss_curve_) == 5
    assert gan.loss_curve_ == pytest.approx(gan.discriminator_loss_curve_)
    # the discriminator's loss is a sum of two binary cross-entropies
    assert all(0 < v < 10 for v in gan.discriminator_loss_curve_)
    wgan = WassersteinGAN(max_iter=5, random_state=0).fit(X)
    assert len(wgan.wasserstein_curve_) == len(wgan.critic_loss_curve_) == 5


def test_training_improves_the_score_on_held_out_data():
    X, _ = make_moons(1000, noise=0.05, random_state=0)
    X_test, _ = make_moons(500, noise=0.05, random_state=1)
    short = GenerativeAdversarialNetwork(max_iter=1, random_state=0).fit(X)
    long = GenerativeAdversarialNetwork(max_iter=60, random_state=0).fit(X)
    assert long.score(X_test) > short.score(X_test)
    assert long.score(X_test) > -0.05


def test_images_through_input_shape():
    X = load_digits().data[:200] / 16.0
    est = WassersteinGAN(input_shape=(1, 8, 8), max_iter=2, random_state=0).fit(X)
    assert est.sample(4, random_state=0).shape == (4, 64)
    assert any(isinstance(m, torch.nn.Conv2d) for m in est.critic_.modules())
    gan = GenerativeAdversarialNetwork(input_shape=(1, 8, 8), max_iter=1)
    assert gan.fit(X).sample(2).shape == (2, 64)


# ------------------------------------------------------------- bad input
def test_input_shape_must_match_the_features():
    X = load_digits().data[:50]
    with pytest.raises(ValueError, match=r"input_shape=\(1, 4, 4\) has 16 values"):
        WassersteinGAN(input_shape=(1, 4, 4), max_iter=1).fit(X)


def test_bad_second_optimizer_params_are_named():
    X, _ = make_moons(50, random_state=0)
    with pytest.raises(ValueError, match="discriminator_optimizer_params"):
        GenerativeAdversarialNetwork(
            discriminator_optimizer_params={"nonsense": 1}, max_iter=1
        ).fit(X)


def test_non_finite_input_is_refused():
    X, _ = make_moons(50, random_state=0)
    X[3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GenerativeAdversarialNetwork(max_iter=1).fit(X)


def test_failed_continuation_keeps_the_fitted_model():
    X, _ = make_moons(100, noise=0.05, random_state=0)
    est = GenerativeAdversarialNetwork(max_iter=2, warm_start=True, random_state=0)
    est.fit(X)
    before = est.sample(3, random_state=0)
    with pytest.raises(ValueError, match="features"):
        est.fit(np.hstack([X, X]))
    np.testing.assert_array_equal(est.sample(3, random_state=0), before)


@pytest.mark.parametrize("cls", [GenerativeAdversarialNetwork, WassersteinGAN])
def test_failed_partial_fit_keeps_the_model(cls, monkeypatch):
    """A NaN in the second batch of a call: the first batch has moved the
    weights already; the call fails with a clear error and undoes itself."""
    from sklearn_mathdl._modules._gan import _AdversarialStep

    X, _ = make_moons(60, noise=0.05, random_state=0)
    est = (
        cls(batch_size=20, n_critic=1, random_state=0)
        if cls is WassersteinGAN
        else (cls(batch_size=20, random_state=0))
    )
    est.partial_fit(X)
    before = est.sample(5, random_state=0)
    original = _AdversarialStep._critic_loss
    calls = []

    def diverging(self, *args):
        loss, data = original(self, *args)
        calls.append(1)
        return (loss * float("nan"), data) if len(calls) == 2 else (loss, data)

    monkeypatch.setattr(_AdversarialStep, "_critic_loss", diverging)
    with pytest.raises(ValueError, match="unchanged"):
        est.partial_fit(X)
    monkeypatch.setattr(_AdversarialStep, "_critic_loss", original)
    np.testing.assert_array_equal(est.sample(5, random_state=0), before)
    assert est.n_iter_ == 1
    est.partial_fit(X)
    assert est.n_iter_ == 2


@pytest.mark.cuda
@pytest.mark.parametrize("cls", [GenerativeAdversarialNetwork, WassersteinGAN])
def test_fit_and_sample_on_cuda(cls):
    X, _ = make_moons(300, noise=0.05, random_state=0)
    est = cls(max_iter=10, device="cuda", random_state=0).fit(X)
    assert next(est.generator_.parameters()).is_cuda
    S = est.sample(7, random_state=0)
    assert isinstance(S, np.ndarray) and S.shape == (7, 2)
    assert np.isfinite(est.score(X))


def test_sample_weight_removes_rows_from_the_game():
    """Rows of weight 0 are not data: with the right blob weighted out, the
    generator's samples come from the left one."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(-2, 0.3, (300, 1)), rng.normal(2, 0.3, (300, 1))])
    w = np.r_[np.ones(300), np.zeros(300)]
    est = GenerativeAdversarialNetwork(max_iter=100, random_state=0)
    S = est.fit(X, sample_weight=w).sample(2000, random_state=0)
    assert np.mean(S < 0) > 0.95
    assert abs(np.median(S) + 2) < 0.3


def test_verbose_shows_a_progress_bar(capsys):
    X, _ = make_moons(100, random_state=0)
    WassersteinGAN(max_iter=3, verbose=1, random_state=0).fit(X)
    assert "epoch" in capsys.readouterr().err
