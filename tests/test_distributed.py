"""Data-parallel training: 2 processes (torchrun, or mpirun with torch's gloo or
with MPI's own collectives) take the steps of one process."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
import torch.distributed as dist
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import CNNClassifier, MLPClassifier, MLPRegressor
from sklearn_mathdl.distributed import (
    data_parallel,
    get_rank,
    get_world_size,
    is_main_process,
)

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "distributed" / "train_data_parallel.py"


def _torchrun(script, *args, nproc=2, timeout=240):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={nproc}",
        str(script),
        *map(str, args),
    ]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _have_mpi():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return shutil.which("mpiexec") is not None


def _mpirun(script, *args, nproc=2, timeout=240):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    cmd = ["mpiexec", "-n", str(nproc), sys.executable, str(script), *map(str, args)]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


# the MPI launcher and library come with the tests extra (mpi4py, mpich)
needs_mpi = pytest.mark.skipif(
    not _have_mpi(), reason="needs mpi4py and mpiexec: pip install '.[mpi]'"
)

LAUNCHERS = [
    pytest.param("torchrun", None, id="torchrun-gloo"),
    pytest.param("mpirun", None, id="mpirun-gloo", marks=needs_mpi),
    pytest.param("mpirun", "mpi", id="mpirun-mpi", marks=needs_mpi),
]


def _launch(launcher, script, *args):
    run = _torchrun if launcher == "torchrun" else _mpirun
    return run(script, *args)


@pytest.mark.parametrize("launcher, backend", LAUNCHERS)
def test_torchrun_example_equals_single_process(tmp_path, launcher, backend):
    """The gallery's script: 2 processes take the steps of one, launched by
    torchrun or by mpirun, communicating through gloo or through MPI."""
    extra = () if backend is None else ("--backend", backend)
    _launch(launcher, EXAMPLE, "--out", tmp_path / "ddp", "--epochs", 8, *extra)
    # rank 0 wrote its two files; rank 1 wrote nothing
    assert sorted(p.name for p in (tmp_path / "ddp").iterdir()) == [
        "model.joblib",
        "result.json",
    ]
    ddp = json.loads((tmp_path / "ddp" / "result.json").read_text())
    assert ddp["world_size"] == 2

    single = subprocess.run(
        [sys.executable, str(EXAMPLE), "--out", tmp_path / "one", "--epochs", "8"],
        capture_output=True,
        text=True,
        timeout=240,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    assert single.returncode == 0, single.stderr[-3000:]
    one = json.loads((tmp_path / "one" / "result.json").read_text())
    assert one["world_size"] == 1
    np.testing.assert_allclose(ddp["loss_curve"], one["loss_curve"], rtol=1e-5)
    assert ddp["r2"] == pytest.approx(one["r2"], abs=1e-5)

    # the model rank 0 saved is an ordinary estimator
    model = joblib.load(tmp_path / "ddp" / "model.joblib")
    X, _ = load_diabetes(return_X_y=True)
    reference = joblib.load(tmp_path / "one" / "model.joblib")
    np.testing.assert_allclose(
        model.predict(X), reference.predict(X), rtol=1e-4, atol=1e-3
    )
    assert getattr(model[-1]._net, "_ddp", None) is None


WORKER = """
import json, os, sys, warnings
import numpy as np, torch
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from sklearn_mathdl import CNNClassifier, MLPClassifier
from sklearn_mathdl.distributed import data_parallel, get_rank, is_main_process

torch.set_num_threads(1)
backend = None if sys.argv[2] == "default" else sys.argv[2]
warnings.simplefilter("ignore")
X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X).astype(np.float32)
w = np.linspace(0.5, 2.0, len(y))
out = {}
with data_parallel(backend=backend):
    clf = MLPClassifier(
        hidden_layer_sizes=(16,), alpha=1e-2, batch_size=50, max_iter=6,
        early_stopping=True, validation_fraction=0.2, n_iter_no_change=100,
        random_state=3,
    ).fit(X, y, sample_weight=w)
    out["mlp"] = [clf.loss_curve_, clf.validation_scores_,
                  clf.predict_proba(X)[:, 1].tolist()]
    cnn = CNNClassifier(
        n_filters=(8, 8), input_shape=(1, 30), batch_size=64, max_iter=5,
        learning_rate_init=1e-2, random_state=0,
    ).fit(X, y)
    out["cnn"] = [cnn.loss_curve_, cnn.predict_proba(X)[:, 1].tolist()]
    # random_state=None: rank 0's seed is broadcast, so the ranks agree
    free = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2).fit(X, y)
    out["free"] = free.predict_proba(X)[:, 1].tolist()
if is_main_process():
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
with open(sys.argv[1] + "." + str(get_rank()), "w") as f:
    json.dump(out["free"], f)
"""


@pytest.mark.parametrize("launcher, backend", LAUNCHERS)
def test_weighted_penalized_early_stopping_and_batch_norm_match(
    tmp_path, launcher, backend
):
    """Sample weights, L2, a validation split, batch norm: 2 ranks = 1 process.

    The MLP (no batch norm) matches one process with the global batch; the CNN
    normalizes each shard by its own statistics during training (DDP's
    default), so it only has to learn and agree across ranks.
    """
    script = tmp_path / "worker.py"
    script.write_text(textwrap.dedent(WORKER))
    out = tmp_path / "out.json"
    _launch(launcher, script, out, backend or "default")
    got = json.loads(out.read_text())

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    w = np.linspace(0.5, 2.0, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            hidden_layer_sizes=(16,),
            alpha=1e-2,
            batch_size=50,
            max_iter=6,
            early_stopping=True,
            validation_fraction=0.2,
            n_iter_no_change=100,
            random_state=3,
        ).fit(X, y, sample_weight=w)
    loss, valid, proba = got["mlp"]
    np.testing.assert_allclose(loss, clf.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(valid, clf.validation_scores_, atol=1e-6)
    np.testing.assert_allclose(proba, clf.predict_proba(X)[:, 1], atol=1e-5)

    cnn_loss, cnn_proba = got["cnn"]
    assert cnn_loss[-1] < cnn_loss[0]
    assert np.mean((np.array(cnn_proba) > 0.5) == y) > 0.85
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cnn = CNNClassifier(
            n_filters=(8, 8),
            input_shape=(1, 30),
            batch_size=64,
            max_iter=5,
            learning_rate_init=1e-2,
            random_state=0,
        ).fit(X, y)
    # shard statistics differ from the global batch's: close, not equal
    np.testing.assert_allclose(cnn_loss, cnn.loss_curve_, rtol=0.1)

    ranks = [json.loads((tmp_path / f"out.json.{r}").read_text()) for r in "01"]
    np.testing.assert_allclose(ranks[0], ranks[1], atol=1e-6)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def one_process_group():
    """A real gloo process group of size 1 in this process."""
    dist.init_process_group(
        "gloo", init_method=f"tcp://127.0.0.1:{_free_port()}", rank=0, world_size=1
    )
    try:
        yield
    finally:
        dist.destroy_process_group()


def test_ddp_path_in_one_process_equals_plain_fit(one_process_group, iris):
    X, y = iris
    kw = dict(hidden_layer_sizes=(8,), max_iter=3, batch_size=32, random_state=0)
    plain = MLPClassifier(**kw).fit(X, y)
    with data_parallel(backend="gloo") as world_size:
        assert world_size == 1
        par = MLPClassifier(**kw).fit(X, y)
        assert par._net._ddp is None  # dropped after the fit
    np.testing.assert_allclose(par.loss_curve_, plain.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(par.predict_proba(X), plain.predict_proba(X), atol=1e-6)
    pickle.loads(pickle.dumps(par)).predict(X)  # pickles like any other
    with pytest.raises(ValueError, match="already uses 'gloo'"):
        with data_parallel(backend="nccl"):
            pass


def test_ddp_path_streams_a_memmap(one_process_group, iris, tmp_path, monkeypatch):
    from sklearn_mathdl import _base

    monkeypatch.setattr(_base, "_STREAM_MEMMAP_BYTES", 0)
    X, y = iris
    mm = np.memmap(tmp_path / "X.dat", dtype=np.float32, mode="w+", shape=X.shape)
    mm[:] = X
    kw = dict(hidden_layer_sizes=(8,), max_iter=3, batch_size=32, random_state=0)
    plain = MLPClassifier(**kw).fit(X, y)
    with data_parallel():
        par = MLPClassifier(**kw).fit(mm, y)
    np.testing.assert_allclose(par.predict_proba(X), plain.predict_proba(X), atol=1e-6)


def test_without_torchrun_data_parallel_is_a_no_op(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.delenv("RANK", raising=False)
    X, y = load_diabetes(return_X_y=True)
    kw = dict(hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with data_parallel() as world_size:
            inside = MLPRegressor(**kw).fit(X, y)
        outside = MLPRegressor(**kw).fit(X, y)
    assert world_size == 1 and not dist.is_initialized()
    np.testing.assert_array_equal(inside.predict(X), outside.predict(X))
    assert (get_rank(), get_world_size(), is_main_process()) == (0, 1, True)
    monkeypatch.setenv("RANK", "1")
    assert not is_main_process()


def test_batch_smaller_than_world_is_refused(monkeypatch, iris):
    from sklearn_mathdl import _base, distributed

    context = distributed._Context(rank=0, world_size=4, local_rank=0, backend="gloo")
    monkeypatch.setattr(distributed, "_ACTIVE", [context])
    X, y = iris
    with pytest.raises(ValueError, match="smaller than the 4 data-parallel"):
        MLPClassifier(batch_size=2, max_iter=1).fit(X, y)
    nccl = distributed._Context(rank=0, world_size=2, local_rank=0, backend="nccl")
    with pytest.raises(ValueError, match="nccl"):
        _base._data_parallel_setup(nccl, torch.device("cpu"), 0, 32)


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="backend='tcp'"):
        with data_parallel(backend="tcp"):
            pass


@needs_mpi
def test_mpi_backend_without_mpirun_is_a_no_op(tmp_path):
    """backend="mpi" in a plain `python script.py`: one process, an ordinary fit."""
    script = tmp_path / "alone.py"
    script.write_text(
        textwrap.dedent(
            """
            import numpy as np
            from sklearn_mathdl import MLPRegressor
            from sklearn_mathdl.distributed import data_parallel
            X = np.random.default_rng(0).normal(size=(40, 3)); y = X.sum(1)
            kw = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
            with data_parallel(backend="mpi") as k:
                a = MLPRegressor(**kw).fit(X, y).predict(X)
            b = MLPRegressor(**kw).fit(X, y).predict(X)
            assert k == 1 and np.array_equal(a, b), (k, a[:3], b[:3])
            print("ok")
            """
        )
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr[-2000:]
