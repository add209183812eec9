"""Neural ODE estimators: accuracy, adjoint gradients, solver statistics, errors."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
from unittest import mock

import numpy as np
import pytest
import torch
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from torchdiffeq._impl.odeint import SOLVERS

from sklearn_mathdl import NeuralODEClassifier, NeuralODERegressor
from sklearn_mathdl._modules import ODESolverError, _NeuralODEModule
from sklearn_mathdl._modules._ode import ADAPTIVE_SOLVERS, _solve_rowwise

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(1000, noise=0.1, random_state=0)
    return train_test_split(X.astype(np.float32), y, random_state=0)


def test_make_moons_accuracy(moons):
    X_train, X_test, y_train, y_test = moons
    clf = NeuralODEClassifier(
        augment_dim=14, learning_rate_init=0.01, max_iter=50, random_state=0
    ).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.95
    assert clf.nfe_forward_ > 0 and clf.nfe_backward_ == 0
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(1), 1.0)


def test_adjoint_gradient_equals_backprop():
    torch.manual_seed(0)
    X = torch.randn(16, 3)
    grads = {}
    for adjoint in (False, True):
        torch.manual_seed(1)
        m = _NeuralODEModule(
            3, 2, (16,), "tanh", augment_dim=2, rtol=1e-8, atol=1e-9, adjoint=adjoint
        )
        loss = m(X).pow(2).sum()
        loss.backward()
        grads[adjoint] = torch.cat([p.grad.flatten() for p in m.parameters()])
    rel = (grads[True] - grads[False]).norm() / grads[False].norm()
    assert rel < 1e-5


def test_adjoint_estimator_counts_backward_evaluations(moons):
    X_train, _, y_train, _ = moons
    clf = NeuralODEClassifier(
        augment_dim=2, adjoint=True, max_iter=2, random_state=0
    ).fit(X_train[:200], y_train[:200])
    assert clf.nfe_backward_ > 0


def test_fixed_step_solver_evaluation_count():
    X = np.random.RandomState(0).randn(50, 2)
    reg = NeuralODERegressor(
        solver="rk4", step_size=0.25, max_iter=2, random_state=0
    ).fit(X, X[:, 0])
    assert reg.nfe_forward_ == 16  # 4 steps x 4 stages


@pytest.mark.parametrize("solver", ["rk4", "midpoint", "euler"])
def test_default_step_costs_16_evaluations(solver):
    X = np.random.RandomState(0).randn(50, 2)
    reg = NeuralODERegressor(solver=solver, integration_time=2.0, max_iter=2)
    reg.fit(X, X[:, 0])
    assert reg.nfe_forward_ == 16
    assert NeuralODERegressor().solver == "rk4"


def test_regressor_learns_and_pickles():
    X = np.linspace(-2, 2, 200).reshape(-1, 1)
    y = np.sin(2 * X).ravel()
    reg = NeuralODERegressor(
        hidden_layer_sizes=(32,),
        augment_dim=2,
        learning_rate_init=0.01,
        max_iter=150,
        random_state=0,
    ).fit(X, y)
    assert reg.score(X, y) > 0.95
    loaded = pickle.loads(pickle.dumps(reg))
    np.testing.assert_allclose(loaded.predict(X), reg.predict(X))


def test_solver_failure_is_a_clear_error():
    X = np.random.RandomState(0).randn(20, 2)
    with mock.patch(
        "torchdiffeq.odeint", side_effect=AssertionError("underflow in dt nan")
    ):
        with pytest.raises(ODESolverError, match=r"underflow in dt.*Try a smaller"):
            NeuralODEClassifier(max_iter=1).fit(X, X[:, 0] > 0)
    # genuinely stiff dynamics: huge vector-field weights and few allowed steps
    m = _NeuralODEModule(2, 1, (8,), "tanh", solver="dopri5", max_num_steps=5)
    with torch.no_grad():
        for p in m.vector_field.parameters():
            p.mul_(1e3)
    with pytest.raises(ODESolverError, match="solver 'dopri5' failed"):
        m(torch.randn(4, 2))
    m.eval()  # inference runs the row-wise solver: the same clear error
    with pytest.raises(ODESolverError, match="max_num_steps exceeded"):
        m(torch.randn(4, 2))


def _decay(t, y):
    """State [lam, x]: lam is constant, dx/dt = -lam x."""
    return torch.cat([torch.zeros_like(y[:, :1]), -y[:, :1] * y[:, 1:]], dim=1)


@pytest.mark.parametrize("solver", ADAPTIVE_SOLVERS)
def test_rowwise_solver_is_accurate_and_independent_of_the_batch(solver):
    # a slow row beside a fast one: torchdiffeq's shared steps would make the
    # slow row's result depend on the fast one; here each row has its own
    lam = torch.tensor([[0.1], [3.0], [15.0]], dtype=torch.float64)
    y0 = torch.cat([lam, torch.ones_like(lam)], dim=1)
    order = SOLVERS[solver].order
    tol = 1e-7 if order > 2 else 1e-5  # second-order pairs need many steps
    kw = {"solver": solver, "rtol": tol, "atol": tol / 100, "max_num_steps": 20000}
    batch = _solve_rowwise(_decay, y0, 1.0, **kw)
    exact = torch.exp(-lam).ravel()
    # the global error: a multiple of the local tolerance that grows with the
    # number of steps (thousands for the second-order pairs)
    grows = 100 if order > 2 else 1000
    np.testing.assert_allclose(batch[:, 1], exact, rtol=grows * tol, atol=10 * tol)
    for i in range(3):
        alone = _solve_rowwise(_decay, y0[i : i + 1], 1.0, **kw)
        np.testing.assert_allclose(alone[0], batch[i], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("solver, atol", [("rk4", 1e-6), ("dopri5", 1e-4)])
def test_predictions_do_not_depend_on_the_other_rows(moons, solver, atol):
    X_train, X_test, y_train, _ = moons
    clf = NeuralODEClassifier(solver=solver, max_iter=20, random_state=0)
    clf.fit(X_train, y_train)
    full = clf.predict_proba(X_test)
    rng = np.random.default_rng(0)
    for size in (1, 2, 7, 60):
        idx = rng.choice(len(X_test), size=size, replace=False)
        # float32: rounding of the batched matmuls (for dopri5 passed through
        # the step control, still far below the solver's own error, rtol=1e-3)
        np.testing.assert_allclose(clf.predict_proba(X_test[idx]), full[idx], atol=atol)
    order = rng.permutation(len(X_test))
    np.testing.assert_allclose(clf.predict_proba(X_test[order]), full[order], atol=atol)
    # in float64 the rows are independent to rounding
    module = clf.module_.double()
    Xt = torch.as_tensor(X_test[:40], dtype=torch.float64)
    with torch.no_grad():
        together = module(Xt)
        alone = torch.cat([module(Xt[i : i + 1]) for i in range(40)])
    np.testing.assert_allclose(alone.numpy(), together.numpy(), rtol=1e-10, atol=1e-12)
