"""Engine pieces: device resolution, batching iterator, discovery."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from unittest import mock

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_mathdl import MLPClassifier
from sklearn_mathdl._engine import _batch_bounds, _TensorBatchIterator, _TensorDataset
from sklearn_mathdl.utils import check_device
from sklearn_mathdl.utils.discovery import all_estimators


def test_check_device():
    assert check_device("cpu") == torch.device("cpu")
    assert check_device(torch.device("cpu")) == torch.device("cpu")
    with mock.patch("torch.cuda.is_available", return_value=False):
        assert check_device("auto").type in ("cpu", "mps")
        with pytest.raises(ValueError, match="CUDA is not available"):
            check_device("cuda:0")
    with pytest.raises(ValueError, match="Unknown device"):
        check_device("gpu")
    with pytest.raises(ValueError, match=r"string or a torch\.device"):
        check_device(3)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(n=st.integers(1, 5000), bs=st.integers(1, 600))
def test_batch_bounds_cover_rows_without_singletons(n, bs):
    bounds = _batch_bounds(n, bs)
    covered = [i for a, b in bounds for i in range(a, b)]
    assert covered == list(range(n))
    assert all(b - a <= bs + 1 for a, b in bounds)
    if n > 1 and bs > 1:  # batch_size=1 is pure SGD: single rows by request
        assert all(b - a >= 2 for a, b in bounds)


def test_iterator_shuffles_reproducibly_and_covers_all_rows():
    X = torch.arange(23, dtype=torch.float32)[:, None]
    ds = _TensorDataset(X, torch.arange(23), torch.ones(23))
    it = _TensorBatchIterator(
        ds, 5, shuffle=True, generator=torch.Generator().manual_seed(0)
    )
    epoch1 = torch.cat([xb[:, 0] for xb, _ in it])
    epoch2 = torch.cat([xb[:, 0] for xb, _ in it])
    assert sorted(epoch1.tolist()) == list(range(23))
    assert not torch.equal(epoch1, epoch2)  # new permutation each epoch
    for xb, (yb, _wb) in it:
        assert torch.equal(xb[:, 0].long(), yb)
    it2 = _TensorBatchIterator(
        ds, 5, shuffle=True, generator=torch.Generator().manual_seed(0)
    )
    assert torch.equal(torch.cat([xb[:, 0] for xb, _ in it2]), epoch1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_full_batch_fit_does_not_depend_on_shuffle(iris):
    # an epoch of one batch is the same gradient in any row order: the rows
    # are not permuted, so shuffle=True and shuffle=False fit the same model
    X, y = iris
    fits = [
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, shuffle=s, random_state=0)
        .fit(X, y)
        .loss_curve_
        for s in (True, False)
    ]
    assert fits[0] == fits[1]


def test_training_mode_is_restored_after_predict_between_warm_fits(iris):
    # predict puts the module in eval mode; the next fit's epochs train it in
    # training mode again (dropout active), submodules included
    X, y = iris
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), dropout=0.5, max_iter=3, warm_start=True
    )
    clf.fit(X, y).predict(X)
    assert not clf.module_.training
    modes = []
    hook = clf.module_.register_forward_pre_hook(
        lambda m, args: modes.append(all(s.training for s in m.modules()))
    )
    clf.fit(X, y)
    hook.remove()
    assert modes and all(modes)


def test_all_estimators_filters():
    names = dict(all_estimators())
    assert names["MLPClassifier"] is MLPClassifier
    assert [n for n, _ in all_estimators("regressor")] == [
        "CNNRegressor",
        "ConformalRegressor",
        "DeepEnsembleRegressor",
        "KernelRidge",
        "KernelRidgeCV",
        "MLPRegressor",
        "NeuralODERegressor",
        "NeuralSDERegressor",
        "RNNRegressor",
        "TransformerEncoderRegressor",
    ]
    assert [n for n, _ in all_estimators("transformer")] == ["VariationalAutoencoder"]
    assert "MLPRegressor" not in dict(all_estimators("classifier"))
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators("nonsense")


@pytest.mark.parametrize("weight", [7, 9.5], ids=["rows", "weight-sum"])
def test_penalty_gradients_equal_the_penalty_in_the_loss(weight):
    """L1/L2 enter as gradient terms: same gradient and reported loss as
    ``data + 0.5 * alpha * ||W||^2 / B + l1 * ||W||_1 / B`` through
    autograd, biases unpenalized; B = the batch's rows (an int), or its sum of
    sample weights (a 0-d tensor on the device: no host sync)."""
    import torch

    from sklearn_mathdl import MLPRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(30, 4).astype(np.float32)
    y = rng.randn(30).astype(np.float32)
    est = MLPRegressor(
        hidden_layer_sizes=(5,), alpha=0.3, l1_alpha=0.2, max_iter=2, random_state=0
    ).fit(X, y)
    net, module = est._net, est.module_
    module.train()
    xb = torch.from_numpy(X[:7])
    yb = torch.from_numpy(y[:7, None])
    params = list(module.parameters())

    net.optimizer_.zero_grad()
    loss = net.get_loss(module(xb), (yb, None), training=True)
    loss.backward()
    B = weight if isinstance(weight, int) else torch.tensor(weight)
    reported = net._add_penalties(loss, B)
    ours = [p.grad.clone() for p in params]

    net.optimizer_.zero_grad()
    weights = [p for p in params if p.ndim >= 2]
    data = torch.nn.functional.mse_loss(module(xb), yb)
    ref = (
        data
        + 0.5 * 0.3 * sum((w * w).sum() for w in weights) / weight
        + 0.2 * sum(w.abs().sum() for w in weights) / weight
    )
    ref.backward()
    for g, p in zip(ours, params, strict=True):
        torch.testing.assert_close(g, p.grad, rtol=1e-5, atol=1e-7)
    assert float(reported) == pytest.approx(float(ref), rel=1e-6)


def test_import_is_lazy():
    """``import sklearn_mathdl`` loads neither torch nor scikit-learn; the first
    use of an estimator does."""
    import subprocess
    import sys

    code = (
        "import sys, sklearn_mathdl\n"
        "assert 'torch' not in sys.modules and 'sklearn' not in sys.modules\n"
        "from sklearn_mathdl import MLPClassifier, kernels\n"
        "assert 'torch' in sys.modules and callable(kernels.rbf_kernel)\n"
        "assert 'KernelRidgeCV' in dir(sklearn_mathdl)\n"
        "try:\n"
        "    sklearn_mathdl.NoSuchEstimator\n"
        "except AttributeError:\n"
        "    print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_small_models_train_on_one_thread_and_restore_the_setting(monkeypatch):
    """A small step runs on one intra-op thread (more only add overhead); the
    caller's thread count is restored after the fit, and large steps keep it."""
    import numpy as np
    import torch

    import sklearn_mathdl._base as base

    seen = []
    real = base._BaseTorchEstimator._train_net

    def spy(self, *args, **kwargs):
        seen.append(torch.get_num_threads())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(base._BaseTorchEstimator, "_train_net", spy)
    X = np.random.RandomState(0).randn(64, 5)
    y = (X[:, 0] > 0).astype(int)
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=2).fit(X, y)
        assert seen[-1] == 1 and torch.get_num_threads() == 2
        monkeypatch.setattr(base, "_SMALL_STEP_WORK", 0)
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=2).fit(X, y)
        assert seen[-1] == 2
    finally:
        torch.set_num_threads(previous)


def test_torch_sgd_momentum_is_the_heavy_ball_iteration():
    # x_{t+1} = x_t - lr g_t + mu (x_t - x_{t-1}) on f(x) = x' A x / 2, the
    # identity the engine docs state (constant step)
    import numpy as np
    import torch

    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    lr, mu = 0.1, 0.8
    x = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr, momentum=mu)
    At = torch.tensor(A)
    prev = cur = np.array([1.0, -2.0])
    for _ in range(50):
        opt.zero_grad()
        (0.5 * x @ At @ x).backward()
        opt.step()
        prev, cur = cur, cur - lr * (A @ cur) + mu * (cur - prev)
        np.testing.assert_allclose(x.detach().numpy(), cur, rtol=1e-12, atol=1e-14)


def test_adamax_is_available_and_learns():
    from sklearn.datasets import load_iris

    from sklearn_mathdl import MLPClassifier

    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier(
        optimizer="adamax", learning_rate_init=0.01, max_iter=200, random_state=0
    ).fit(X, y)
    assert type(clf._net.optimizer_).__name__ == "Adamax"
    assert clf.score(X, y) > 0.95
