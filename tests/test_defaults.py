"""The default training budget, the stopping rule and input normalization."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import (
    CNNClassifier,
    MLPClassifier,
    MLPRegressor,
    RNNClassifier,
    TransformerEncoderClassifier,
    _datasets,
)
from sklearn_mathdl._engine import _CHANCE_MARGIN, _Monitor


@pytest.mark.parametrize(
    "n_train, batch, expected",
    [
        (50, 50, 2000),  # one step an epoch: the step floor decides
        (455, 200, 667),  # 3 steps an epoch
        (100_000, 200, 200),  # large data: scikit-learn's 200 epochs
    ],
)
def test_auto_max_iter_is_a_step_budget(n_train, batch, expected):
    assert MLPClassifier()._resolved_max_iter(n_train, batch) == expected
    assert MLPClassifier(max_iter=7)._resolved_max_iter(n_train, batch) == 7


@pytest.mark.parametrize(
    "n_train, batch, expected", [(50, 50, 30), (50, 20, 10), (20_000, 200, 10)]
)
def test_auto_patience_is_at_least_30_steps(n_train, batch, expected):
    assert MLPClassifier()._resolved_patience(n_train, batch) == expected
    assert MLPClassifier(n_iter_no_change=3)._resolved_patience(n_train, batch) == 3


def test_auto_budget_runs_past_200_epochs_on_tiny_data():
    # 40 rows are one batch: 200 epochs would be 200 Adam steps
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3).astype(np.float32)
    y = (X[:, 0] + 0.5 * rng.randn(40) > 0).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(4,), tol=0.0, random_state=0)
    with pytest.warns(Warning, match="2000 epochs"):
        clf.fit(X, y)
    assert clf.n_iter_ == 2000


@pytest.mark.parametrize(
    "params, n_rows, expected",
    [
        ({}, 150, 1.0),  # one batch an epoch: the previous default
        ({}, 800, 0.5),  # sqrt(200 / 800)
        ({"early_stopping": True, "validation_fraction": 0.2}, 1000, 0.5),
        ({"optimizer": "lbfgs"}, 800, 1.0),  # full batch
        ({"alpha": 0.3}, 800, 0.3),  # a number is used as given
    ],
)
def test_classifier_auto_alpha_is_sqrt_of_batch_over_rows(params, n_rows, expected):
    X, y = make_blobs(n_rows, n_features=4, centers=3, cluster_std=3.0, random_state=0)
    clf = MLPClassifier((8,), max_iter=3, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.alpha_ == pytest.approx(expected, rel=1e-12)


def test_classifier_auto_alpha_trains_as_that_fixed_alpha():
    # the penalty in use is the one reported: the same fit as alpha=alpha_
    X, y = make_blobs(600, n_features=5, centers=2, cluster_std=4.0, random_state=1)
    auto = MLPClassifier((8,), max_iter=15, random_state=0)
    with pytest.warns(ConvergenceWarning):
        auto.fit(X, y)
    assert auto.alpha_ == pytest.approx(np.sqrt(200 / 600))
    fixed = MLPClassifier((8,), max_iter=15, alpha=auto.alpha_, random_state=0)
    with pytest.warns(ConvergenceWarning):
        fixed.fit(X, y)
    np.testing.assert_allclose(auto.loss_curve_, fixed.loss_curve_, rtol=1e-6)
    # and it is a real penalty: a weaker one reaches a lower training loss
    weak = MLPClassifier((8,), max_iter=15, alpha=1e-4, random_state=0)
    with pytest.warns(ConvergenceWarning):
        weak.fit(X, y)
    assert weak.loss_curve_[-1] < auto.loss_curve_[-1]


def test_default_classifier_schedule_is_plateau_and_steps_shrink():
    # the default step is divided by 5 at plateaus of the training loss
    X, y = make_blobs(300, n_features=4, centers=3, cluster_std=6.0, random_state=0)
    clf = MLPClassifier((16,), random_state=0).fit(X, y)
    assert clf.learning_rate == "plateau"
    schedule = dict(clf._net.callbacks)["schedule"]
    assert schedule.kind == "plateau"
    assert schedule.lr_ < clf.learning_rate_init / 5 + 1e-12


def test_chance_loss_is_the_constant_predictions_loss():
    y = np.array([0, 0, 0, 1, 2, 2])
    w = np.array([1.0, 2.0, 1.0, 1.0, 1.0, 3.0])
    clf = MLPClassifier()
    clf._target_kind, clf.classes_ = "multiclass", np.arange(3)
    prior = np.bincount(y, weights=w) / w.sum()
    expected = log_loss(y, np.tile(prior, (len(y), 1)), sample_weight=w)
    assert clf._chance_loss(y, w) == pytest.approx(expected, rel=1e-12)
    clf._target_kind = "binary"
    yb = np.array([0, 1, 1, 1], dtype=np.float32)[:, None]
    expected = log_loss(yb[:, 0], np.full(4, 0.75))
    assert clf._chance_loss(yb, np.ones(4)) == pytest.approx(expected, rel=1e-6)
    reg = MLPRegressor()
    yr = np.array([[1.0], [2.0], [4.0]])
    assert reg._chance_loss(yr, np.ones(3)) == pytest.approx(np.var(yr))


def _run_monitor(
    losses,
    chance_loss,
    separated_fraction=None,
    patience=3,
    guard_epochs=None,
    penalties=None,
):
    net = SimpleNamespace(history=[], module_=torch.nn.Linear(1, 1))
    monitor = _Monitor(
        chance_guard_epochs=guard_epochs,
        score_fn=None,
        tol=1e-4,
        n_iter_no_change=patience,
        early_stopping=False,
        verbose=0,
        chance_loss=chance_loss,
        separated_fraction=separated_fraction,
    )
    for epoch, loss in enumerate(losses, 1):
        penalty = 0.0 if penalties is None else penalties[epoch - 1]
        net.history.append({"train_loss": loss + penalty, "train_data_loss": loss})
        try:
            monitor.on_epoch_end(net)
        except KeyboardInterrupt:
            return epoch
    return None


def test_plateau_at_chance_level_does_not_stop():
    chance = np.log(2)
    flat = [chance] * 20
    # without the guard a flat loss stops after `patience` epochs
    assert _run_monitor(flat, chance_loss=None) == 4
    assert _run_monitor(flat, chance_loss=chance) is None
    # just inside the margin still counts as chance, just outside does not
    near = [chance * (1 - 0.9 * _CHANCE_MARGIN)] * 20
    assert _run_monitor(near, chance_loss=chance) is None
    learnt = [chance * (1 - 1.1 * _CHANCE_MARGIN)] * 20
    assert _run_monitor(learnt, chance_loss=chance) == 4


def test_chance_guard_expires():
    chance = np.log(2)
    flat = [chance] * 40
    # the guard holds for guard_epochs epochs; then the plateau (already
    # counted) stops the fit at once
    assert _run_monitor(flat, chance_loss=chance, guard_epochs=15) == 15
    assert _run_monitor(flat, chance_loss=chance, guard_epochs=2) == 4
    # a loss that leaves chance before the guard expires is not affected
    late = [chance] * 10 + [0.3 - 0.01 * i for i in range(20)] + [0.1] * 10
    assert _run_monitor(late, chance, guard_epochs=12, patience=3) == 34
    assert _run_monitor(late, chance, guard_epochs=None, patience=3) == 34


def test_no_guard_when_a_constant_fits_the_data():
    # one weighted class: the constant's loss is ~0, any plateau is final
    assert _run_monitor([0.7, 0.01] + [0.005] * 10, chance_loss=1e-11) == 6


def test_default_fit_on_noise_labels_ends_after_the_guard():
    # a target the features do not predict (scikit-learn's check_fit_idempotent
    # data): the fit ends at its plateau after a quarter of the budget instead
    # of running out of epochs
    rng = np.random.RandomState(0)
    X, y = rng.normal(loc=100, size=(80, 2)), rng.randint(0, 2, 80)
    clf = MLPClassifier(random_state=0).fit(X, y)
    budget = clf._resolved_max_iter(80, 80, "adam")
    assert budget // 4 <= clf.n_iter_ < budget // 2


def test_one_weighted_class_ends_before_the_budget():
    rng = np.random.RandomState(0)
    X, y = rng.uniform(size=(10, 10)), np.arange(10) % 2
    clf = RNNClassifier(random_state=0).fit(X, y, sample_weight=y.astype(float))
    assert clf.n_iter_ < clf._resolved_max_iter(10, 10, "adam") // 4
    assert (clf.predict(rng.uniform(size=(10, 10))) == 1).all()


def test_separated_training_data_stop_a_classifier():
    chance = np.log(2)
    losses = [0.5, 0.1, 0.02, 0.005, 0.004, 0.003]
    assert _run_monitor(losses, chance, separated_fraction=0.01, patience=50) == 4
    assert _run_monitor(losses, chance, separated_fraction=None, patience=50) is None


def test_separation_does_not_stop_a_fit_its_penalty_still_shapes():
    chance = np.log(2)
    losses = [0.5, 0.1, 0.02, 0.005, 0.004, 0.003]
    # a penalty above 1% of the chance loss: the penalized loss has a minimum
    # with finite weights that further epochs approach
    strong = [0.05] * len(losses)
    assert _run_monitor(losses, chance, 0.01, patience=50, penalties=strong) is None
    # a weak one delays the stop until the loss with it is below 1%
    weak = [0.002] * len(losses)
    assert _run_monitor(losses, chance, 0.01, patience=50, penalties=weak) == 5


def test_wide_network_trains_past_separation_to_its_penalized_minimum():
    # on digits a (256, 256) network separates its training rows within a few
    # epochs; with alpha="auto" (0.39 here) the fit goes on to the plateau of
    # the penalized loss, as the L2 penalty keeps changing the weights (stopped
    # at separation it ran 6 epochs and scored 0.964)
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    clf = MLPClassifier(hidden_layer_sizes=(256, 256), random_state=0).fit(Xtr, ytr)
    assert clf.n_iter_ > 20
    assert clf.score(Xte, yte) >= 0.975


def test_default_classifier_stops_once_data_are_separated():
    X, y = make_blobs(200, centers=[[-4, 0], [4, 0]], random_state=0)
    # tol=0: only the separation rule can end this fit before max_iter
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        alpha=0.0,
        tol=0.0,
        learning_rate_init=0.05,
        random_state=0,
    )
    clf.fit(X.astype(np.float32), y)
    assert clf.score(X, y) == 1.0
    assert clf.best_loss_ < 0.01 * np.log(2)
    assert clf.n_iter_ < clf._resolved_max_iter(200, 200)


# ------------------------------------------------------------ normalization
def _series(n=60, seed=0):
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 1, 24)
    y = rng.randint(0, 2, n)
    freq = np.where(y == 1, 3.0, 1.0)[:, None]
    X = np.sin(2 * np.pi * freq * t) + 0.1 * rng.randn(n, 24)
    X2 = np.stack([X, 0.5 * X + rng.randn(n, 24) * 0.1], axis=1)  # 2 channels
    return X2.astype(np.float32), y


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: CNNClassifier(n_filters=(4,), max_iter=3, **kw),
        lambda **kw: RNNClassifier(hidden_size=4, max_iter=3, **kw),
        lambda **kw: TransformerEncoderClassifier(
            d_model=8, n_heads=2, n_layers=1, max_iter=3, **kw
        ),
    ],
)
def test_channel_normalization_makes_fits_invariant_to_channel_scale(make):
    X, y = _series()
    scale = np.array([100.0, 0.01], dtype=np.float32)[None, :, None]
    shift = np.array([-50.0, 3.0], dtype=np.float32)[None, :, None]
    a = make(random_state=0).fit(X, y)
    b = make(random_state=0).fit(X * scale + shift, y)
    np.testing.assert_allclose(
        a.predict_proba(X), b.predict_proba(X * scale + shift), atol=2e-3
    )
    np.testing.assert_allclose(
        a._channel_mean[:, 0], X.mean(axis=(0, 2)), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(a._channel_scale[:, 0], X.std(axis=(0, 2)), rtol=1e-4)


def test_series_normalization_is_per_series_z_score():
    X, y = _series()
    clf = CNNClassifier(n_filters=(4,), max_iter=1, normalize="series").fit(X, y)
    Z = clf._prepare_X(X)
    np.testing.assert_allclose(Z.mean(axis=2), 0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=2), 1, atol=1e-4)
    # every series scaled by its own factor gives the same input
    factors = np.linspace(0.5, 5, len(X)).astype(np.float32)[:, None, None]
    np.testing.assert_allclose(clf._prepare_X(X * factors), Z, atol=1e-4)
    assert CNNClassifier(normalize=None, n_filters=(4,), max_iter=1).fit(X, y)


def test_channel_normalization_ignores_padding_of_unequal_lengths():
    X, y = _series(40)
    ragged = [x[:, : 12 + i % 12] for i, x in enumerate(X)]
    clf = RNNClassifier(hidden_size=4, max_iter=2, random_state=0).fit(ragged, y)
    assert np.isfinite(clf._channel_mean).all()
    assert np.isfinite(clf.predict_proba(ragged)).all()


@pytest.mark.slow
def test_default_rnn_and_transformer_on_gunpoint_beat_chance():
    ds = _datasets.load("GunPoint")
    for est in (
        RNNClassifier(random_state=0),
        TransformerEncoderClassifier(random_state=0),
    ):
        est.fit(ds.X, ds.y)
        assert est.score(ds.X_test, ds.y_test) > 0.85


# ------------------------------------------------------------ patches
def test_patches_group_consecutive_timepoints():
    from sklearn_mathdl._modules._sequence import _patches

    x = torch.arange(2 * 3 * 7, dtype=torch.float32).reshape(2, 3, 7)
    mask = torch.ones(2, 7, dtype=torch.bool)
    mask[1, 5:] = False
    out, m = _patches(x, mask, 3)
    assert out.shape == (2, 9, 3)  # 3 channels x 3 timepoints, ceil(7 / 3) steps
    # step 1 holds timepoints 3, 4, 5 of each channel, channel-major
    expected = torch.stack([x[0, c, 3:6] for c in range(3)]).reshape(-1)
    torch.testing.assert_close(out[0, :, 1], expected)
    # the tail is zero-padded; a patch is valid if any timepoint is
    torch.testing.assert_close(out[0, 2::3, 2], torch.zeros(3))
    assert m[0].tolist() == [True, True, True]
    assert m[1].tolist() == [True, True, False]
    same, same_mask = _patches(x, mask, 1)
    assert same is x and same_mask is mask


@pytest.mark.parametrize("Est", [RNNClassifier, TransformerEncoderClassifier])
def test_auto_patch_size_caps_the_steps(Est):
    X, y = _series(30)
    long = np.repeat(X, 12, axis=2)  # 288 timepoints
    kw = {"hidden_size": 4} if Est is RNNClassifier else {"d_model": 8, "n_heads": 2}
    est = Est(max_iter=2, random_state=0, **kw).fit(long, y)
    assert est._resolved_patch_size(est._module_input_shape) == 5  # ceil(288/64)
    assert est.module_.patch_size == 5
    assert Est(patch_size=1, max_iter=1, **kw).fit(long, y).module_.patch_size == 1
    short = Est(max_iter=1, **kw).fit(X, y)  # 24 timepoints: one per step
    assert short.module_.patch_size == 1
    ragged = [x[:, : 200 + i] for i, x in enumerate(long)]
    assert np.isfinite(Est(max_iter=1, **kw).fit(ragged, y).predict_proba(ragged)).all()


# ------------------------------------------------------------ the suite
@pytest.mark.parametrize("name", _datasets.ALL)
def test_development_suite_loads_from_installed_packages(name):
    ds = _datasets.load(name)
    n = len(ds.X)
    assert n == len(ds.y) >= 50
    assert ds.task in ("classification", "regression")
    if ds.X_test is not None:
        assert len(ds.X_test) == len(ds.y_test)
    if ds.kind == "tabular":
        assert np.isfinite(ds.X).all()
    if ds.task == "classification":
        assert len(np.unique(ds.y)) >= 2


def test_unknown_data_set_names_the_choices():
    with pytest.raises(ValueError, match="GunPoint"):
        _datasets.load("nope")


@pytest.mark.parametrize(
    "cls, n_train, batch, expected",
    [
        (MLPClassifier, 455, 200, 10),  # 30 steps of 200 rows
        (CNNClassifier, 100, 32, 47),  # ACSF1: 188 steps of 32 rows, 4 an epoch
        (CNNClassifier, 50, 32, 94),
        (CNNClassifier, 30, 30, 30),  # one full batch: no sampling noise, 30 steps
        (TransformerEncoderClassifier, 20_000, 32, 10),
        (MLPClassifier, 455, 32, 10),  # the MLPs count 30 steps whatever the batch
    ],
)
def test_auto_patience_counts_6000_rows_of_auto_batches(cls, n_train, batch, expected):
    assert cls()._resolved_patience(n_train, batch) == expected


# ------------------------------------------------- early_stopping="auto"
def _tokens(n, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4).astype(np.float32)
    return X, (X[:, 0] + 0.5 * rng.randn(n) > 0).astype(int)


_TINY = dict(d_model=8, n_heads=2, n_layers=1, dim_feedforward=16, max_iter=2)


@pytest.mark.parametrize("n, split", [(1999, False), (2000, True)])
def test_auto_early_stopping_holds_out_a_split_from_2000_rows(n, split):
    """The transformers' default trains exactly as the explicit choice it
    resolves to: no split below 2,000 rows, a validation split from there."""
    X, y = _tokens(n)
    auto = TransformerEncoderClassifier(random_state=0, **_TINY).fit(X, y)
    same = TransformerEncoderClassifier(
        early_stopping=split, random_state=0, **_TINY
    ).fit(X, y)
    assert (auto.validation_scores_ is not None) is split
    assert (auto.best_loss_ is None) is split
    np.testing.assert_array_equal(auto.predict_proba(X), same.predict_proba(X))
    assert auto.loss_curve_ == same.loss_curve_


def test_auto_early_stopping_never_refuses_what_true_refuses():
    """partial_fit has no split, and a class too rare to stratify trains on
    every row: "auto" was not asked for a split; True still refuses both."""
    X, y = _tokens(2000)
    y[0] = 2  # one row of a third class: no stratified split
    clf = TransformerEncoderClassifier(random_state=0, **_TINY).fit(X, y)
    assert clf.validation_scores_ is None
    with pytest.raises(ValueError, match="cannot hold out"):
        TransformerEncoderClassifier(early_stopping=True, **_TINY).fit(X, y)
    part = TransformerEncoderClassifier(random_state=0, **_TINY)
    part.partial_fit(X, y, classes=np.unique(y))
    assert part.n_iter_ == 1
    with pytest.raises(ValueError, match="partial_fit does not support"):
        TransformerEncoderClassifier(early_stopping=True, **_TINY).partial_fit(
            X, y, classes=np.unique(y)
        )
