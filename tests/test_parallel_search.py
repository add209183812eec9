"""Searches over our estimators on loky processes and on a Dask cluster."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import MLPClassifier
from sklearn_mathdl.distributed import pin_dask_workers_to_gpus


@pytest.fixture(scope="module")
def data():
    X, y = load_breast_cancer(return_X_y=True)
    return X[:300], y[:300]


def _model(**kw):
    return make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0, **kw),
    )


def _fit_and_count_threads(X, y):
    """Runs inside a worker: fit, and report torch's intra-op thread count."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _model().fit(X, y)
    return torch.get_num_threads()


@pytest.fixture
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_loky_cross_val_equals_sequential_and_caps_threads(data, quiet):
    X, y = data
    seq = cross_val_score(_model(), X, y, cv=3, n_jobs=1)
    par = cross_val_score(_model(), X, y, cv=3, n_jobs=2)
    np.testing.assert_array_equal(seq, par)
    # loky gives each of the n_jobs workers cpu_count // n_jobs threads, and
    # torch reads that cap when the worker imports it: no oversubscription
    threads = joblib.Parallel(n_jobs=2)(
        joblib.delayed(_fit_and_count_threads)(X, y) for _ in range(2)
    )
    assert max(threads) <= max(1, joblib.cpu_count() // 2)


def test_loky_grid_search_with_memmapped_data(data, quiet):
    """Large inputs reach loky workers as read-only memmaps; results agree."""
    X, y = data
    X = np.tile(X, (4, 1))  # 300 KB: force joblib's memmapping with max_nbytes
    y = np.tile(y, 4)
    grid = {"mlpclassifier__alpha": [1e-4, 1e-1]}
    seq = GridSearchCV(_model(), grid, cv=2, n_jobs=1).fit(X, y)
    with joblib.parallel_config(backend="loky", max_nbytes="1K"):
        par = GridSearchCV(_model(), grid, cv=2, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(
        seq.cv_results_["mean_test_score"], par.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(
        seq.best_estimator_.predict_proba(X), par.best_estimator_.predict_proba(X)
    )


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_dask_grid_search_equals_sequential(data, dask_client, quiet):
    X, y = data
    grid = {"mlpclassifier__hidden_layer_sizes": [(4,), (8,)]}
    seq = GridSearchCV(_model(), grid, cv=3).fit(X, y)
    with joblib.parallel_config(backend="dask"):
        par = GridSearchCV(_model(), grid, cv=3, n_jobs=-1).fit(X, y)
    np.testing.assert_array_equal(
        seq.cv_results_["mean_test_score"], par.cv_results_["mean_test_score"]
    )
    assert par.best_params_ == seq.best_params_
    # each worker process runs torch on its own thread budget
    threads = dask_client.run(torch.get_num_threads)
    assert len(threads) == 2 and max(threads.values()) == 1


def test_pin_dask_workers_without_gpus_keeps_cpu(dask_client):
    if torch.cuda.is_available():
        pytest.skip("this machine has GPUs")
    devices = pin_dask_workers_to_gpus(dask_client)
    assert len(devices) == 2 and set(devices.values()) == {"cpu"}


class _FakeClient:
    """Stands in for dask.distributed.Client.run on a multi-GPU host."""

    def __init__(self, workers):
        self.workers = workers
        self.pinned = {}

    def run(self, fn, *args, workers=None):
        targets = workers or self.workers
        out = {}
        for w in targets:
            if args:  # the pinning call
                self.pinned[w] = args
                out[w] = f"cuda:{args[0] % args[1]}"
            else:  # the device count
                out[w] = 0 if w.startswith("tcp://cpu") else 2
        return out


def test_pin_dask_workers_round_robin_per_host():
    client = _FakeClient(
        [
            "tcp://10.0.0.1:4001",
            "tcp://10.0.0.1:4000",
            "tcp://10.0.0.1:4002",
            "tcp://10.0.0.2:4000",
            "tcp://cpuhost:4000",
        ]
    )
    devices = pin_dask_workers_to_gpus(client)
    assert devices == {
        "tcp://10.0.0.1:4000": "cuda:0",
        "tcp://10.0.0.1:4001": "cuda:1",
        "tcp://10.0.0.1:4002": "cuda:0",
        "tcp://10.0.0.2:4000": "cuda:0",
        "tcp://cpuhost:4000": "cpu",
    }


@pytest.mark.cuda
def test_pin_dask_workers_on_real_gpus(dask_client):
    devices = pin_dask_workers_to_gpus(dask_client)
    current = dask_client.run(lambda: torch.cuda.current_device())
    for address, device in devices.items():
        assert device == f"cuda:{current[address]}"
