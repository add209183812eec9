"""Asynchronous (Hogwild) training: workers updating shared weights."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import multiprocessing
import pickle
import time
import warnings
from unittest import mock

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import (
    CNNClassifier,
    GenerativeAdversarialNetwork,
    MLPClassifier,
    MLPRegressor,
)
from sklearn_mathdl._modules._mlp import _MLPModule
from sklearn_mathdl.distributed import asynchronous, data_parallel


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(np.float32), y


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


KW = dict(hidden_layer_sizes=(16,), batch_size=32, max_iter=12, random_state=0)


def test_one_worker_takes_the_steps_of_one_process(cancer):
    """K = 1: the worker runs every batch in order, so the fit is the plain
    fit, and no update is ever stale."""
    X, y = cancer
    plain = _fit(MLPClassifier(**KW), X, y)
    with asynchronous(1, threads_per_worker=1) as k:
        one = _fit(MLPClassifier(**KW), X, y)
    assert k == 1
    np.testing.assert_allclose(one.loss_curve_, plain.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(
        one.predict_proba(X), plain.predict_proba(X), rtol=1e-5, atol=1e-6
    )
    n_batches = int(np.ceil(len(X) / 32))
    assert one.staleness_.shape == (one.n_iter_ * n_batches,)
    assert np.all(one.staleness_ == 0)
    assert not hasattr(plain, "staleness_")


def test_two_workers_share_the_weights_and_measure_staleness(cancer):
    """K = 2: every batch of every epoch is used once (one staleness entry per
    update), the shared weights learn as well as one process, and some
    updates land on weights the other worker has moved (staleness >= 1)."""
    X, y = cancer
    kw = dict(KW, max_iter=40)
    plain = _fit(MLPClassifier(**kw), X, y)
    # A step of this net takes about 0.2 ms: on a loaded machine one forked
    # worker can finish its share of an epoch inside one scheduler time slice,
    # before the other runs, and no update is then stale. Each training batch
    # here waits 1 ms (releasing the CPU), so the workers interleave.
    forward = _MLPModule.forward

    def slow_forward(self, X):
        if self.training:
            time.sleep(1e-3)
        return forward(self, X)

    with mock.patch.object(_MLPModule, "forward", slow_forward):
        with asynchronous(2, threads_per_worker=1):
            two = _fit(MLPClassifier(**kw), X, y)
    n_batches = int(np.ceil(len(X) / 32))
    assert two.staleness_.shape == (two.n_iter_ * n_batches,)
    assert two.staleness_.min() >= 0
    # an update is stale by at most what the other worker did in the
    # meantime: never more than one epoch's batches
    assert two.staleness_.max() <= n_batches
    assert two.staleness_.sum() > 0
    assert two.loss_curve_[-1] < 0.5 * two.loss_curve_[0]
    assert two.score(X, y) >= plain.score(X, y) - 0.02
    # the workers are gone after the fit
    assert multiprocessing.active_children() == []


def test_async_model_is_an_ordinary_estimator(cancer):
    X, y = cancer
    with asynchronous(2, threads_per_worker=1):
        reg = _fit(MLPRegressor(**KW), X, X[:, :3].sum(1))
        clf = _fit(
            CNNClassifier(
                n_filters=(4,), input_shape=(1, 30), max_iter=15, random_state=0
            ),
            X,
            y,
        )
    back = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(back.predict(X), reg.predict(X))
    assert np.mean(clf.predict(X) == y) > 0.7  # one process: 0.83
    assert clone(reg).get_params() == reg.get_params()
    # a later fit outside the block trains in this process, without staleness_
    reg.set_params(max_iter=2)
    _fit(reg, X, X[:, :3].sum(1))
    assert not hasattr(reg, "staleness_")


def test_early_stopping_and_schedules_run_in_the_parent(cancer):
    X, y = cancer
    with asynchronous(2, threads_per_worker=1):
        clf = _fit(
            MLPClassifier(
                **dict(KW, max_iter=30),
                early_stopping=True,
                learning_rate="invscaling",
                learning_rate_init=0.05,
                optimizer="sgd",
            ),
            X,
            y,
        )
    assert len(clf.validation_scores_) == clf.n_iter_
    assert max(clf.validation_scores_) > 0.9


def test_a_diverging_async_fit_keeps_the_previous_model(cancer):
    X, y = cancer
    reg = _fit(MLPRegressor(**dict(KW, optimizer="sgd"), warm_start=True), X, y * 1.0)
    before = reg.predict(X)
    reg.set_params(learning_rate_init=1e30, max_iter=3)
    with asynchronous(2, threads_per_worker=1):
        with pytest.raises(ValueError, match="model is unchanged"):
            _fit(reg, X, y * 1e20)
    np.testing.assert_array_equal(reg.predict(X), before)
    assert multiprocessing.active_children() == []


def test_what_cannot_train_asynchronously_is_refused(cancer):
    X, y = cancer
    with asynchronous(2):
        with pytest.raises(ValueError, match="asynchronous"):
            MLPClassifier(optimizer="lbfgs").fit(X, y)
        with pytest.raises(ValueError, match="asynchronous"):
            GenerativeAdversarialNetwork(max_iter=2).fit(X[:, :3])
        with pytest.raises(ValueError, match="nested"):
            with data_parallel():
                pass
        # optimizer="auto" picks mini-batch Adam inside the block
        auto = _fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=2), X, y)
        assert auto._optimizer == "adam"
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="n_workers"):
            with asynchronous(bad):
                pass
    with pytest.raises(ValueError, match="threads_per_worker"):
        with asynchronous(2, threads_per_worker=0):
            pass
