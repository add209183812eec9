"""Elman and Jordan networks and truncated backpropagation through time (ch. 13)."""

import copy

import numpy as np
import pytest
import torch

from sklearn_mathdl import RNNClassifier, RNNRegressor
from sklearn_mathdl._modules._sequence import _RNNModule

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _module(cell, bptt_steps=None, **kw):
    torch.manual_seed(0)
    params = {"hidden_size": 5, "num_layers": 1, "bidirectional": False}
    params.update(kw)
    return _RNNModule(2, 1, cell=cell, dropout=0.0, bptt_steps=bptt_steps, **params)


def _finite_difference_check(module, X, n_coords=12, eps=1e-6):
    module = module.double()
    loss = module(X).pow(2).sum()
    grads = torch.autograd.grad(loss, list(module.parameters()))
    rng = np.random.default_rng(0)
    for p, g in zip(module.parameters(), grads, strict=True):
        flat, gflat = p.data.view(-1), g.view(-1)
        for i in rng.choice(
            flat.numel(), size=min(n_coords, flat.numel()), replace=False
        ):
            old = flat[i].item()
            with torch.no_grad():
                flat[i] = old + eps
                up = module(X).pow(2).sum().item()
                flat[i] = old - eps
                down = module(X).pow(2).sum().item()
                flat[i] = old
            assert gflat[i].item() == pytest.approx(
                (up - down) / (2 * eps), rel=1e-6, abs=1e-9
            )


@pytest.mark.parametrize("cell", ["elman", "jordan"])
def test_full_bptt_gradient_equals_finite_differences(cell):
    X = torch.randn(4, 2, 9, dtype=torch.float64)
    _finite_difference_check(_module(cell), X)


def _elman_step_terms(module, X):
    """dL/dU split by time step: U enters step t through its own zero offset Z_t."""
    W, U = module.rnn.weight_ih_l0, module.rnn.weight_hh_l0
    b = module.rnn.bias_ih_l0 + module.rnn.bias_hh_l0
    seq = X.transpose(1, 2)
    offsets = [torch.zeros_like(U, requires_grad=True) for _ in range(seq.shape[1])]
    h = seq.new_zeros(seq.shape[0], U.shape[0])
    for t, Z in enumerate(offsets):
        h = torch.tanh(seq[:, t] @ W.T + h @ (U + Z).T + b)
    loss = module.head(h).pow(2).sum()
    return [g.detach() for g in torch.autograd.grad(loss, offsets)]


def test_truncation_drops_the_older_terms_of_the_bptt_sum():
    T, k = 12, 4
    X = torch.randn(3, 2, T, dtype=torch.float64)
    full = _module("elman").double()
    terms = _elman_step_terms(full, X)
    grad = {}
    for steps in (None, k):
        m = copy.deepcopy(full)
        m.bptt_steps = steps
        m(X).pow(2).sum().backward()
        grad[steps] = m.rnn.weight_hh_l0.grad
    # full BPTT is the sum over every step; truncation keeps the last k terms
    np.testing.assert_allclose(grad[None], sum(terms), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad[k], sum(terms[T - k :]), rtol=1e-10, atol=1e-12)
    assert not torch.allclose(grad[k], grad[None])
    # inputs older than k steps get no gradient at all
    Xg = X.clone().requires_grad_()
    m = copy.deepcopy(full)
    m.bptt_steps = k
    m(Xg).sum().backward()
    assert float(Xg.grad[:, :, : T - k].abs().max()) == 0.0
    assert float(Xg.grad[:, :, T - k :].abs().max()) > 0.0


@pytest.mark.parametrize("cell", ["lstm", "gru", "elman", "jordan"])
def test_truncation_leaves_the_forward_pass_unchanged(cell):
    # variable-length rows (NaN padding) exercise the step-by-step masked path
    X = torch.randn(5, 2, 10)
    X[1, :, 7:] = float("nan")
    X[3, :, 4:] = float("nan")
    full = _module(cell, num_layers=1 if cell == "jordan" else 2)
    cut = copy.deepcopy(full)
    cut.bptt_steps = 3
    with torch.no_grad():
        np.testing.assert_allclose(cut(X), full(X), rtol=1e-5, atol=1e-6)


def test_elman_is_torchs_rnn_and_jordan_learns():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 1, 12)
    y = (X[:, 0, -3:].sum(axis=1) > 0).astype(int)
    a = RNNClassifier("elman", hidden_size=8, max_iter=5, random_state=0).fit(X, y)
    b = RNNClassifier("rnn", hidden_size=8, max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    # the sign of the last three values: the fed-back output is enough memory
    # (measured 0.85, an Elman net 0.75, an LSTM 0.86; chance 0.5; full
    # batches of 200 rows, as measured, keep the test short)
    clf = RNNClassifier("jordan", hidden_size=16, batch_size=200, random_state=0)
    assert clf.fit(X[:200], y[:200]).score(X[200:], y[200:]) >= 0.8
    reg = RNNRegressor(
        "lstm", bptt_steps=4, hidden_size=16, batch_size=200, random_state=0
    )
    # truncation to 4 steps still sees the last 3 values
    reg.fit(X[:200], X[:200, 0, -3:].sum(axis=1))
    assert reg.score(X[200:], X[200:, 0, -3:].sum(axis=1)) > 0.8


def test_refused_combinations_say_why():
    X = np.random.RandomState(0).randn(20, 1, 6)
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=r"cell='jordan'.*num_layers=1"):
        RNNClassifier("jordan", num_layers=2, max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="bidirectional"):
        RNNClassifier("gru", bidirectional=True, bptt_steps=2, max_iter=1).fit(X, y)


# ------------------------------------------------------ pooling over time
@pytest.mark.parametrize("pooling", ["max", "mean"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_pooled_outputs_equal_each_sequence_pooled_alone(pooling, bidirectional):
    # the padded, packed batch against every sequence run alone through the
    # same recurrence and pooled over its own steps
    m = _module("gru", pooling=pooling, bidirectional=bidirectional).double().eval()
    rng = np.random.RandomState(0)
    lengths = [9, 4, 7]
    X = torch.full((3, 2, 9), float("nan"), dtype=torch.float64)
    for i, n in enumerate(lengths):
        X[i, :, :n] = torch.from_numpy(rng.randn(2, n))
    with torch.no_grad():
        batch = m(X)
        for i, n in enumerate(lengths):
            out = m.rnn(X[i : i + 1, :, :n].transpose(1, 2))[0][0]  # (n, dirs * H)
            pooled = out.max(dim=0).values if pooling == "max" else out.mean(dim=0)
            torch.testing.assert_close(batch[i], m.head(pooled))


@pytest.mark.filterwarnings("ignore:.*learnt nothing:UserWarning")
def test_auto_pooling_is_max_unless_the_last_step_is_needed():
    X = np.random.RandomState(0).randn(20, 1, 12)
    y = np.arange(20) % 2
    kw = dict(hidden_size=4, max_iter=1, random_state=0)
    assert RNNClassifier(**kw).fit(X, y).module_.pooling == "max"
    assert RNNClassifier(pooling="last", **kw).fit(X, y).module_.pooling == "last"
    for extra in ({"cell": "jordan"}, {"bptt_steps": 3}):
        assert RNNRegressor(**extra, **kw).fit(X, y).module_.pooling == "last"
        with pytest.raises(ValueError, match="pooling='max'"):
            RNNRegressor(pooling="max", **extra, **kw).fit(X, y)
