"""Fitting on arrays that slice lazily (memmaps and the like) without loading them."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_mathdl import CNNClassifier, MLPClassifier, MLPRegressor, _base, _engine


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    # stream every memmap, however small (the default streams >= 256 MiB)
    monkeypatch.setattr(_base, "_STREAM_MEMMAP_BYTES", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


class RowReader:
    """A lazily sliced array that records every read and cannot be loaded whole."""

    def __init__(self, data):
        self._data = data
        self.shape = data.shape
        self.dtype = data.dtype
        self.reads = []

    def __getitem__(self, index):
        out = self._data[index]
        self.reads.append(len(out))
        return out

    def __array__(self, *args, **kwargs):
        raise AssertionError("the whole array was loaded")

    def __len__(self):
        return self.shape[0]


def _memmap(tmp_path, X, shape=None):
    path = tmp_path / "X.dat"
    mm = np.memmap(path, dtype=X.dtype, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    return np.memmap(path, dtype=X.dtype, mode="r", shape=shape or X.shape)


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(600, 12).astype(np.float32)
    y = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + 0.1 * rng.randn(600)
    return X, y


@pytest.mark.parametrize(
    "params", [{}, {"early_stopping": True}, {"batch_norm": True, "dropout": 0.1}]
)
def test_memmap_fit_equals_in_memory_fit(tmp_path, data, params):
    X, y = data
    mm = _memmap(tmp_path, X)
    # Adam: optimizer="auto" would pick L-BFGS in memory, Adam on a memmap
    kw = dict(
        hidden_layer_sizes=(16,),
        optimizer="adam",
        max_iter=4,
        batch_size=64,
        random_state=0,
    )
    a = MLPRegressor(**kw, **params).fit(X, y)
    b = MLPRegressor(**kw, **params).fit(mm, y)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.predict(X), b.predict(mm))
    assert b.n_features_in_ == 12


def test_weighted_classifier_and_3d_sequences_stream(tmp_path, data):
    X, y = data
    labels = np.where(y > 0, "up", "down")
    w = np.linspace(0.5, 2, len(y))
    mm = _memmap(tmp_path, X)
    kw = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=1)
    a = MLPClassifier(**kw).fit(X, labels, sample_weight=w)
    b = MLPClassifier(**kw).fit(mm, labels, sample_weight=w)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(mm))

    seq = _memmap(tmp_path, X, shape=(600, 1, 12))  # 3-D: 1 channel, 12 steps
    kw = dict(n_filters=(4, 4), max_iter=2, random_state=0)
    a = CNNClassifier(**kw).fit(X[:, None, :], labels)
    b = CNNClassifier(**kw).fit(seq, labels)
    np.testing.assert_array_equal(a.predict(X[:, None, :]), b.predict(seq))


def test_never_loads_more_than_a_block(monkeypatch, data):
    X, y = data
    monkeypatch.setattr(_engine, "_STREAM_BLOCK_BYTES", 100 * 12 * 4)  # 100 rows
    reader = RowReader(X)
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=2, batch_size=50)
    reg.fit(reader, y, sample_weight=np.ones(len(y)))
    assert max(reader.reads) <= 100 and sum(reader.reads) >= 3 * len(X)
    reader.reads.clear()
    monkeypatch.setattr(_base, "_INFERENCE_CHUNK", 128)
    pred = reg.predict(reader)
    assert pred.shape == (600,) and max(reader.reads) == 128
    np.testing.assert_allclose(pred, reg.predict(X), rtol=1e-6)


def test_small_memmaps_load_and_large_ones_stream(monkeypatch, tmp_path, data):
    X, _ = data
    mm = _memmap(tmp_path, X)
    assert _base._is_lazy(mm) and _base._is_lazy(RowReader(X))
    assert not _base._is_lazy(X) and not _base._is_lazy(X.tolist())
    monkeypatch.setattr(_base, "_STREAM_MEMMAP_BYTES", X.nbytes + 1)
    assert not _base._is_lazy(mm)


def test_bad_lazy_input_fails_loudly(tmp_path, data, monkeypatch):
    X, y = data
    X = X.copy()
    X[450, 3] = np.nan
    monkeypatch.setattr(_engine, "_STREAM_BLOCK_BYTES", 100 * 12 * 4)
    with pytest.raises(ValueError, match="NaN"):
        MLPRegressor(max_iter=1).fit(_memmap(tmp_path, X), y)
    with pytest.raises(ValueError, match="600 samples but y has 599"):
        MLPRegressor(max_iter=1).fit(RowReader(X), y[:-1])
    reg = MLPRegressor(max_iter=1).fit(np.nan_to_num(X), y)
    with pytest.raises(ValueError, match="12 features"):
        reg.predict(RowReader(np.zeros((5, 3), np.float32)))
    with pytest.raises(ValueError, match="NaN"):
        reg.predict(RowReader(X))
