"""Perceptron and KernelPerceptron (chapter 4)."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_circles
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron as SkPerceptron

from sklearn_mathdl import KernelPerceptron, Perceptron


def _separable(n=200, d=5, margin=0.2, seed=0):
    """Rows in the unit ball at distance >= margin from the plane w* . x = 0."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=d)
    w /= np.linalg.norm(w)
    X = []
    while len(X) < n:
        x = rng.uniform(-1, 1, size=d)
        if np.linalg.norm(x) <= 1 and abs(x @ w) >= margin:
            X.append(x)
    X = np.array(X)
    return X, (X @ w > 0).astype(int), margin


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_novikoff_mistake_bound_and_agreement_with_scikit_learn(seed):
    X, y, margin = _separable(seed=seed)
    clf = Perceptron(fit_intercept=False, random_state=seed).fit(X, y)
    assert clf.converged_ and clf.score(X, y) == 1.0
    # Novikoff: at most (R / gamma)^2 mistakes in all, R = 1 here
    assert sum(clf.mistakes_) <= (1.0 / margin) ** 2
    sk = SkPerceptron(fit_intercept=False, tol=None, random_state=seed).fit(X, y)
    assert sk.score(X, y) == 1.0  # both separate the data


def test_binary_weights_are_the_classic_update():
    # w = sum over mistakes of y_i x_i (y in {-1, +1}): replay the mistakes
    X, y, _ = _separable(n=60, d=3, seed=3)
    clf = Perceptron(fit_intercept=False, shuffle=False).fit(X, y)
    w = np.zeros(3)
    for _ in range(clf.n_iter_):
        for x, label in zip(X, y, strict=True):
            s = 1 if label == 1 else -1
            if s * (w @ x) <= 0:
                w += s * x
    np.testing.assert_allclose(clf.coef_[0], 2 * w)  # ours steps both classes
    np.testing.assert_array_equal(clf.predict(X), (X @ w > 0).astype(int))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_linear_kernel_perceptron_is_the_primal_perceptron(n_classes):
    # the dual form with k(x, x') = x . x' (+ 1 for the intercept) makes the
    # same mistakes in the same epochs as the primal one
    X, y = load_iris(return_X_y=True)
    if n_classes == 2:
        X, y = X[y < 2], y[y < 2]
    kw = dict(max_iter=30, random_state=0)
    with pytest.warns(ConvergenceWarning) if n_classes == 3 else _nothing():
        primal = Perceptron(**kw).fit(X, y)
    with pytest.warns(ConvergenceWarning) if n_classes == 3 else _nothing():
        dual = KernelPerceptron(kernel="linear", **kw).fit(X, y)
    assert primal.mistakes_ == dual.mistakes_
    np.testing.assert_array_equal(primal.predict(X), dual.predict(X))
    np.testing.assert_allclose(
        primal.decision_function(X), dual.decision_function(X), rtol=1e-9, atol=1e-9
    )


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_kernel_perceptron_separates_circles_and_linear_cannot():
    X, y = make_circles(300, factor=0.4, noise=0.05, random_state=0)
    clf = KernelPerceptron(kernel="rbf", gamma=2.0, random_state=0).fit(X, y)
    assert clf.converged_ and clf.score(X, y) == 1.0
    assert 0 < len(clf.support_) < len(X)
    X_test, y_test = make_circles(300, factor=0.4, noise=0.05, random_state=1)
    assert clf.score(X_test, y_test) > 0.95
    with pytest.warns(ConvergenceWarning, match="separable"):
        KernelPerceptron(kernel="linear", max_iter=5).fit(X, y)


def test_errors():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="1 class"):
        Perceptron().fit(X, np.zeros(4))
    with pytest.raises(ValueError, match="Gram"):
        KernelPerceptron().fit(np.zeros((10_001, 1)), np.arange(10_001) % 2)


@pytest.mark.parametrize("cls", [Perceptron, KernelPerceptron])
def test_refused_refit_leaves_the_fitted_model_as_it_was(cls):
    X, y, _ = _separable(n=60, d=3, seed=4)
    clf = cls(random_state=0).fit(X, y)
    before = (clf.classes_.copy(), clf.decision_function(X))
    with pytest.raises(ValueError, match="1 class"):
        clf.fit(X, np.full(len(X), 7))
    np.testing.assert_array_equal(clf.classes_, before[0])
    np.testing.assert_array_equal(clf.decision_function(X), before[1])
