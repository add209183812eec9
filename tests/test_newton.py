"""optimizer="newton": Newton's method on the convex problems of chapter 17."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_mathdl import CNNClassifier, MLPClassifier, MLPRegressor


def _scaled(load):
    X, y = load(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _reference(X, y, C, sample_weight=None):
    # scikit-learn's own Newton solver, converged far below float32
    return LogisticRegression(C=C, solver="newton-cholesky", tol=1e-14).fit(
        X, y, sample_weight=sample_weight
    )


@pytest.mark.parametrize("load", [load_breast_cancer, load_iris])
@pytest.mark.parametrize("C", [1.0, 0.1])
def test_matches_scikit_learns_logistic_regression(load, C):
    X, y = _scaled(load)
    ours = MLPClassifier((), optimizer="newton", alpha=1 / C, random_state=0)
    ours.fit(X, y)
    ref = _reference(X, y, C)
    W, b = ours.coefs_[0].T, ours.intercepts_[0]
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(W, ref.coef_, atol=1e-6 * scale)
    if len(b) > 1:  # softmax intercepts are defined up to a common shift
        b, ref_b = b - b.mean(), ref.intercept_ - ref.intercept_.mean()
    else:
        ref_b = ref.intercept_
    np.testing.assert_allclose(b, ref_b, atol=1e-6 * max(1.0, np.abs(ref_b).max()))
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_sample_weights_match_scikit_learn():
    X, y = _scaled(load_breast_cancer)
    w = np.random.RandomState(0).uniform(0.2, 3.0, len(y))
    ours = MLPClassifier((), optimizer="newton", alpha=1.0, random_state=0)
    ours.fit(X, y, sample_weight=w)
    ref = _reference(X, y, 1.0, sample_weight=w)
    np.testing.assert_allclose(
        ours.coefs_[0].T, ref.coef_, atol=1e-6 * np.abs(ref.coef_).max()
    )


def test_convergence_is_quadratic():
    X, y = _scaled(load_breast_cancer)
    ours = MLPClassifier((), optimizer="newton", alpha=1.0, random_state=0).fit(X, y)
    assert ours.n_iter_ <= 12  # sklearn's lbfgs needs dozens of iterations
    gaps = np.array(ours.loss_curve_[:-1]) - ours.loss_curve_[-1]
    gaps = gaps[gaps > 5e-8]  # above float32's resolution of the loss (~0.07)
    # quadratic phase: each gap is at most a constant times the previous squared
    ratios = gaps[1:] / gaps[:-1] ** 2
    assert len(gaps) >= 3 and np.all(ratios[-2:] < 100.0)
    assert gaps[-1] / gaps[-2] < 0.1  # superlinear: the ratio of gaps collapses


def test_ridge_regression_in_one_step():
    X, y = _scaled(load_diabetes)
    # the regressor's loss is the mean squared error of the standardized
    # target plus alpha ||W||^2 / (2 n): Ridge(alpha / 2) on the same data
    ours = MLPRegressor((), optimizer="newton", alpha=2.0, random_state=0).fit(X, y)
    ref = Ridge(alpha=1.0).fit(X, y)
    assert ours.n_iter_ <= 3  # a quadratic: exact after one step
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6)


def test_refusals_say_why():
    X, y = _scaled(load_iris)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes=\(10,\).*not convex"):
        MLPClassifier((10,), optimizer="newton").fit(X, y)
    with pytest.raises(ValueError, match="L1 penalty"):
        MLPClassifier((), optimizer="newton", l1_alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match="Hessian of 6009 parameters"):
        MLPClassifier((), optimizer="newton").fit(np.tile(X, (1, 1502)), y % 2)
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'"):
        MLPClassifier((), optimizer="newton").partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(InvalidParameterError):
        CNNClassifier(optimizer="newton").fit(X.reshape(150, 1, 4), y)


def test_pickles_and_continues():
    import pickle

    X, y = _scaled(load_iris)
    clf = MLPClassifier((), optimizer="newton", random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # a warm start continues from the converged float64 iterate: at most a
    # couple of steps, and the same model
    before = clf.coefs_[0].copy()
    n_before = clf.n_iter_
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.n_iter_ - n_before <= 2
    np.testing.assert_allclose(clf.coefs_[0], before, atol=1e-6)
