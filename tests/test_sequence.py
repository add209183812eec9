"""CNN, RNN and transformer estimators: input forms, learning, errors."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import (
    CNNClassifier,
    CNNRegressor,
    RNNClassifier,
    RNNRegressor,
    TransformerEncoderClassifier,
    TransformerEncoderRegressor,
)
from sklearn_mathdl.timeseries import make_windows

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = {
    CNNClassifier: {"n_filters": (8, 8)},
    RNNClassifier: {"hidden_size": 16},
    TransformerEncoderClassifier: {"d_model": 16, "n_layers": 1, "dim_feedforward": 32},
}


def _shape_task(n=240, seed=0, lengths=None):
    """Two channels; class 0 hides a bump, class 1 a wave, anywhere in time."""
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, n)
    X = []
    for i in range(n):
        length = 24 if lengths is None else lengths[i]
        x = 0.3 * rng.randn(2, length)
        start = rng.randint(0, length - 4)
        x[0, start : start + 4] += [2.0, 2.0, 2.0, 2.0] if y[i] == 0 else [2, 2, -2, -2]
        X.append(x.astype(np.float32))
    return (np.stack(X) if lengths is None else X), y


@pytest.mark.parametrize("cls", list(SMALL))
def test_sequence_classifiers_learn_position(cls):
    X, y = _shape_task()
    clf = cls(
        max_iter=40,
        learning_rate_init=5e-3,
        batch_size=32,
        random_state=0,
        **SMALL[cls],
    )
    clf.fit(X[:160], y[:160])
    assert clf.n_features_in_ == 2  # channels
    assert clf.score(X[160:], y[160:]) > 0.9
    proba = clf.predict_proba(X[160:])
    assert proba.shape == (80, 2) and np.allclose(proba.sum(1), 1)
    # pickling keeps predictions
    again = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(again.predict(X[160:]), clf.predict(X[160:]))


@pytest.mark.parametrize(
    "cls", [RNNClassifier, TransformerEncoderClassifier, CNNClassifier]
)
def test_variable_length_lists_are_padded_and_masked(cls):
    rng = np.random.RandomState(0)
    X, y = _shape_task(200, lengths=rng.randint(8, 24, size=200))
    clf = cls(
        max_iter=40,
        learning_rate_init=5e-3,
        batch_size=32,
        random_state=0,
        **SMALL[cls],
    )
    clf.fit(X[:150], y[:150])
    assert clf.score(X[150:], y[150:]) > 0.85
    # padding is masked: a sequence alone and inside a padded batch agree
    alone = clf.predict_proba([X[0]])
    in_batch = clf.predict_proba([X[0], rng.randn(2, 40)])[:1]
    assert np.allclose(alone, in_batch, atol=1e-5)
    # 1-D items are one-channel sequences
    one = cls(max_iter=2, random_state=0, **SMALL[cls]).fit([x[0] for x in X], y)
    assert one.n_features_in_ == 1


def test_nan_other_than_padding_is_rejected():
    X, y = _shape_task(60)
    clf = RNNClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    bad = X.copy()
    bad[0, 0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(bad)
    with pytest.raises(ValueError, match="NaN"):
        clf.predict([X[0], np.array([[1.0, np.nan, 2.0], [0.0, 0.0, 0.0]])])
    padded = X.copy()
    padded[0, :, 20:] = np.nan  # trailing all-NaN steps: aeon's unequal length
    assert np.allclose(
        clf.predict_proba(padded[:1]), clf.predict_proba([X[0, :, :20]]), atol=1e-6
    )
    with pytest.raises(ValueError, match="channels"):
        clf.predict([np.ones((1, 5)), np.ones((2, 6))])
    with pytest.raises(ValueError, match=r"features|dimensions"):
        clf.predict(X[:, 0, :])


def test_cnn_images_in_every_form_and_pipeline():
    X, y = load_digits(return_X_y=True)
    X, y = X[:600] / 16.0, y[:600]
    params = dict(
        n_filters=(16, 32, 32),
        max_iter=20,
        batch_size=32,
        learning_rate_init=5e-3,
        random_state=0,
    )
    flat = CNNClassifier(input_shape=(1, 8, 8), **params).fit(X[:400], y[:400])
    assert flat.score(X[400:], y[400:]) > 0.85
    four_d = CNNClassifier(**params).fit(X[:400].reshape(-1, 1, 8, 8), y[:400])
    assert np.allclose(
        four_d.predict_proba(X[400:].reshape(-1, 1, 8, 8)),
        flat.predict_proba(X[400:]),
        atol=1e-5,
    )  # same seed, same network, same data: same model
    three_d = CNNClassifier(input_shape=(1, 8, 8), **params).fit(
        X[:400].reshape(-1, 8, 8), y[:400]
    )
    assert np.allclose(
        three_d.predict_proba(X[400:].reshape(-1, 8, 8)),
        flat.predict_proba(X[400:]),
        atol=1e-5,
    )
    pipe = make_pipeline(StandardScaler(), clone(flat))
    assert cross_val_score(pipe, X, y, cv=2).mean() > 0.8
    with pytest.raises(ValueError, match="input_shape"):
        CNNClassifier(input_shape=(1, 7, 7), max_iter=1).fit(X, y)


def test_regressors_and_forecasting_windows():
    series = np.sin(np.arange(400) / 6.0) + 0.05 * np.random.RandomState(0).randn(400)
    X, y = make_windows(series, window=24)
    assert X.shape == (376, 24) and np.array_equal(X[1, :-1], X[0, 1:])
    assert y[0] == series[24]
    for cls, kw in [
        (RNNRegressor, {"cell": "gru", "hidden_size": 16}),
        (CNNRegressor, {"n_filters": (16, 16)}),
        (
            TransformerEncoderRegressor,
            {"d_model": 16, "n_layers": 1, "input_shape": (1, 24)},
        ),
    ]:
        reg = cls(max_iter=60, learning_rate_init=5e-3, random_state=0, **kw)
        reg.fit(X[:300], y[:300])
        assert reg.score(X[300:], y[300:]) > 0.8, cls.__name__
    X2, y2 = make_windows(np.column_stack([series, -series]), window=10, horizon=3)
    assert X2.shape == (388, 2, 10) and y2.shape == (388, 2)
    assert y2[0, 0] == series[12]
    with pytest.raises(ValueError, match="too short"):
        make_windows(series[:5], window=10)


def test_transformer_tabular_tokens_and_mask_pooling():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 6)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # an interaction of two features
    clf = TransformerEncoderClassifier(
        d_model=16,
        n_layers=2,
        dim_feedforward=32,
        max_iter=80,
        learning_rate_init=5e-3,
        random_state=0,
    ).fit(X[:200], y[:200])
    assert clf.module_.tabular
    assert clf.score(X[200:], y[200:]) > 0.8
    with pytest.raises(ValueError, match="divisible"):
        TransformerEncoderClassifier(d_model=10, n_heads=4, max_iter=1).fit(X, y)


@pytest.mark.parametrize("sequence", [True, False])
def test_transformer_auto_pooling_is_mean_for_sequences_cls_for_tables(sequence):
    """pooling="auto" trains exactly the network of its resolved value: the
    mean of the patch tokens for sequences, the CLS token for tabular rows."""
    X, y = _shape_task(60)
    if not sequence:
        X = X.reshape(len(X), -1)[:, :8]
    common = dict(d_model=8, n_layers=1, dim_feedforward=16, max_iter=3, random_state=0)
    auto = TransformerEncoderClassifier(**common).fit(X, y)
    expected = "mean" if sequence else "cls"
    assert auto.module_.pooling == expected
    assert auto.module_.tabular is not sequence
    explicit = TransformerEncoderClassifier(pooling=expected, **common).fit(X, y)
    np.testing.assert_array_equal(auto.predict_proba(X), explicit.predict_proba(X))
    other = "cls" if sequence else "mean"
    fitted = TransformerEncoderClassifier(pooling=other, **common).fit(X, y)
    assert fitted.module_.pooling == other


def test_rnn_cells_and_gradient_clipping_is_applied(monkeypatch):
    import torch

    X, y = _shape_task(80)
    calls = []
    real = torch.nn.utils.clip_grad_norm_
    monkeypatch.setattr(
        torch.nn.utils, "clip_grad_norm_", lambda p, m: calls.append(m) or real(p, m)
    )
    for cell in ("rnn", "lstm", "gru"):
        clf = RNNClassifier(
            cell=cell,
            hidden_size=4,
            num_layers=2,
            bidirectional=True,
            dropout=0.1,
            max_iter=2,
            max_grad_norm=0.5,
            random_state=0,
        ).fit(X, y)
        assert (
            type(clf.module_.rnn).__name__
            == {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[cell]
        )
    assert calls and set(calls) == {0.5}
    calls.clear()
    RNNClassifier(hidden_size=4, max_iter=1, max_grad_norm=None).fit(X, y)
    assert not calls


def test_random_state_reproducible_and_shapes_of_regressor_outputs():
    X, y = _shape_task(80)
    Y = np.column_stack([y, -y]).astype(float)
    a = CNNRegressor(n_filters=(4,), max_iter=3, random_state=1).fit(X, Y)
    b = CNNRegressor(n_filters=(4,), max_iter=3, random_state=1).fit(X, Y)
    assert np.array_equal(a.predict(X), b.predict(X))
    assert a.predict(X).shape == (80, 2)


# ------------------------------------------------------------ CNN pooling
def _spike_pairs(n=200, length=300, seed=0):
    """Two unit spikes 20 (class 0) or 30 (class 1) timepoints apart."""
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, n)
    X = 0.05 * rng.randn(n, 1, length)
    for i in range(n):
        gap = 20 if y[i] == 0 else 30
        start = rng.randint(0, length - gap)
        X[i, 0, [start, start + gap]] += 3.0
    return X.astype(np.float32), y


@pytest.mark.parametrize(
    "sides, expected",
    [
        ((1460,), (4, 4)),  # ACSF1: 365 and 92 timepoints after the pools
        ((427,), (4, 1)),  # 107 after the first; a second would leave 27
        ((150,), (4, 1)),
        ((29,), (1, 1)),  # short series are not pooled
        ((8, 8), (1, 1)),  # nor small images
        ((28, 28), (1, 1)),
        ((256, 130), (4, 1)),  # images: the shorter side decides
    ],
)
def test_auto_pooling_keeps_at_least_32_per_side(sides, expected):
    assert CNNClassifier()._resolved_pools(sides, 3) == expected
    assert CNNClassifier(pool_size=2)._resolved_pools(sides, 3) == (2, 2)
    assert CNNClassifier(pool_size=(1, 3))._resolved_pools(sides, 3) == (1, 3)
    with pytest.raises(ValueError, match="pool_size"):
        CNNClassifier(pool_size=(2, 2, 2))._resolved_pools(sides, 3)


def test_pooling_widens_what_the_cnn_sees():
    # spikes 20 vs 30 apart: the unpooled (7, 5, 3) stack sees 13 timepoints
    # at a time, so both classes look alike to it; pooled by 4 after the
    # first block it sees 34
    X, y = _spike_pairs()
    kw = dict(n_filters=(8, 16, 16), max_iter=60, random_state=0)
    pooled = CNNClassifier(**kw).fit(X[:150], y[:150])
    assert pooled.module_.pool_size == (4, 1)
    assert pooled.score(X[150:], y[150:]) > 0.9
    flat = CNNClassifier(pool_size=1, **kw).fit(X[:150], y[:150])
    assert flat.score(X[150:], y[150:]) < 0.75


def test_pooled_cnn_masks_padding():
    rng = np.random.RandomState(0)
    X, y = _spike_pairs(60, length=620)
    ragged = [x[:, : 200 + 7 * i] for i, x in enumerate(X)]
    clf = CNNClassifier(n_filters=(4, 8, 8), max_iter=3, random_state=0)
    clf.fit(ragged, y)
    assert clf.module_.pool_size == (4, 4)  # padded to 613 timepoints
    # a series alone and inside a padded batch give the same prediction
    alone = clf.predict_proba([ragged[0]])
    in_batch = clf.predict_proba([ragged[0], rng.randn(1, 613)])[:1]
    np.testing.assert_allclose(alone, in_batch, atol=1e-5)
