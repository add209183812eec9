"""Shapley values, gradients and noise-probe p-values of feature_importance."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools
import math

import matplotlib
import numpy as np
import pytest
import shap
from sklearn.datasets import load_iris, make_friedman1
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_mathdl import KernelRidge, MLPClassifier, MLPRegressor
from sklearn_mathdl.inspection import feature_importance, to_shap_explanation
from sklearn_mathdl.inspection._shapley import select_background, shapley_values

matplotlib.use("Agg")
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _exact_interventional_shapley(f, x, background, weights):
    """Brute force over all coalitions: sum_S |S|!(d-|S|-1)!/d! [v(S+j) - v(S)]."""
    d = len(x)
    value = {}
    for r in range(d + 1):
        for S in itertools.combinations(range(d), r):
            Z = background.copy()
            Z[:, list(S)] = x[list(S)]
            value[S] = weights @ f(Z)
    phi = np.zeros(d)
    for j in range(d):
        others = [k for k in range(d) if k != j]
        for r in range(d):
            w = math.factorial(r) * math.factorial(d - r - 1) / math.factorial(d)
            for S in itertools.combinations(others, r):
                phi[j] += w * (value[tuple(sorted((*S, j)))] - value[S])
    return phi


@pytest.fixture(scope="module")
def friedman_mlp():
    X, y = make_friedman1(600, n_features=5, noise=0.5, random_state=0)
    model = make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(32, 32), max_iter=60, random_state=0),
    ).fit(X, y)
    return model, X


def test_sampler_matches_brute_force_and_shap_exact(friedman_mlp):
    model, X = friedman_mlp
    rng = np.random.RandomState(0)
    bg = X[rng.choice(len(X), 20, replace=False)]
    w = np.full(20, 1 / 20)
    Xe = X[:8]
    f = lambda A: model.predict(A)  # noqa: E731
    ref = np.array([_exact_interventional_shapley(f, x, bg, w) for x in Xe])
    phi, expected = shapley_values(f, Xe, bg, w, n_permutations=30, rng=rng)
    err = np.abs(phi[:, :, 0] - ref).mean() / np.abs(ref).mean()
    assert err < 0.02
    # efficiency holds exactly for every sample path
    assert np.allclose(phi[:, :, 0].sum(1), model.predict(Xe) - expected[0])
    # shap computes the same estimand
    shap_ref = shap.explainers.ExactExplainer(f, bg)(Xe).values
    assert np.allclose(shap_ref, ref, atol=1e-6)


def test_two_features_and_linear_models_are_exact():
    rng = np.random.RandomState(1)
    bg = rng.randn(7, 2)
    w = rng.dirichlet(np.ones(7))
    X = rng.randn(5, 2)
    f = lambda A: np.sin(A[:, 0] * A[:, 1]) + A[:, 0] ** 2  # noqa: E731
    phi, _ = shapley_values(f, X, bg, w, n_permutations=1, rng=rng)
    ref = np.array([_exact_interventional_shapley(f, x, bg, w) for x in X])
    assert np.allclose(phi[:, :, 0], ref)  # both orders are one antithetic pair
    coef = np.array([1.5, -2.0, 0.0, 0.5])
    Xl = rng.randn(30, 4)
    model = LinearRegression().fit(Xl, Xl @ coef)
    res = feature_importance(model, Xl, method="shap", background=Xl[:10])
    expected = model.coef_ * (Xl - Xl[:10].mean(0))
    assert np.allclose(res.per_sample, expected, atol=1e-10)
    assert np.allclose(res.importances, np.abs(expected).mean(0))
    assert np.isnan(res.pvalues).all()  # no null without refits


def test_kmeans_background_weights_and_snapping():
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.randn(500), rng.randint(0, 2, 500), 1000 * rng.rand(500)])
    bg, w = select_background(X, "kmeans", 20, rng)
    assert bg.shape == (20, 3) and np.isclose(w.sum(), 1.0) and (w > 0).all()
    assert set(np.unique(bg[:, 1])) <= {0.0, 1.0}  # binary column stays binary
    for j in range(3):
        assert np.isin(bg[:, j], X[:, j]).all()
    bg, w = select_background(X, "random", 50, rng)
    assert bg.shape == (50, 3) and np.allclose(w, 1 / 50)
    bg, w = select_background(X[:10], "kmeans", 100, rng)
    assert bg.shape == (10, 3)


def test_classifiers_binary_and_multiclass():
    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=40, random_state=0)
    clf.fit(X, y)
    res = feature_importance(clf, X, method="shap", n_background=20, random_state=0)
    assert res.per_sample.shape == (150, 4, 3)
    # efficiency per class: attributions add up to p(x) - E p(background)
    gap = clf.predict_proba(X) - res.base_values
    assert np.allclose(res.per_sample.sum(axis=1), gap, atol=1e-6)
    assert res.importances[2:].max() > res.importances[:2].min()
    binary = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    binary.fit(X, y == 2)
    res = feature_importance(binary, X, method="shap", n_background=20, random_state=0)
    assert res.per_sample.shape == (150, 4)  # probability of classes_[1]
    assert np.allclose(
        res.per_sample.sum(1), binary.predict_proba(X)[:, 1] - res.base_values
    )
    grads = feature_importance(binary, X, method="gradient")
    assert grads.per_sample.shape == (150, 4)


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler((-1, 2))])
def test_gradient_matches_finite_differences_through_scaler(friedman_mlp, scaler):
    _, X = friedman_mlp
    X = X * [1, 10, 100, 0.1, 1] + 3  # features on different scales
    y = make_friedman1(600, n_features=5, noise=0.5, random_state=0)[1]
    model = make_pipeline(
        scaler,
        # tanh: finite differences need a model without ReLU kinks near X
        MLPRegressor(
            hidden_layer_sizes=(16,), activation="tanh", max_iter=30, random_state=0
        ),
    ).fit(X, y)
    res = feature_importance(model, X[:20], method="gradient")
    step = 1e-3 * X.std(0)
    fd = np.column_stack(
        [
            (model.predict(X[:20] + step * e) - model.predict(X[:20] - step * e))
            / (2 * step[j])
            for j, e in enumerate(np.eye(5))
        ]
    )
    assert np.allclose(res.per_sample, fd, rtol=2e-2, atol=1e-3 * np.abs(fd).max())
    assert np.allclose(res.importances, np.abs(res.per_sample).mean(0))


def test_integrated_gradients_completeness_and_linear_case(friedman_mlp):
    model, X = friedman_mlp
    res = feature_importance(
        model,
        X[:30],
        method="integrated_gradients",
        background="random",
        n_background=50,
        random_state=0,
    )
    gap = model.predict(X[:30]) - res.base_values
    assert np.allclose(res.per_sample.sum(1), gap, atol=2e-2 * np.abs(gap).max())
    linear = MLPRegressor(hidden_layer_sizes=(), max_iter=50, random_state=0)
    linear.fit(X, X @ [1.0, -1.0, 2.0, 0.0, 0.5])
    res = feature_importance(
        linear, X[:10], method="integrated_gradients", background=X[:40]
    )
    coef = linear.predict(np.eye(5)) - linear.predict(np.zeros((1, 5)))
    assert np.allclose(res.per_sample, coef * (X[:10] - X[:40].mean(0)), atol=1e-4)


def test_gradient_refuses_what_it_cannot_differentiate(friedman_mlp):
    model, X = friedman_mlp
    y = model.predict(X)
    with pytest.raises(TypeError, match="PCA"):
        feature_importance(
            make_pipeline(PCA(3), MLPRegressor(max_iter=5)).fit(X, y),
            X,
            method="gradient",
        )
    with pytest.raises(TypeError, match="KernelRidge"):
        feature_importance(KernelRidge().fit(X, y), X, method="integrated_gradients")
    with pytest.raises(TypeError, match="clip"):
        feature_importance(
            make_pipeline(MinMaxScaler(clip=True), MLPRegressor(max_iter=5)).fit(X, y),
            X,
            method="gradient",
        )


def test_shap_probe_pvalues_on_friedman1_over_seeds():
    """5 informative features significant, noise at the nominal rate."""
    informative, noise = [], []
    for seed in range(3):
        X, y = make_friedman1(1500, n_features=30, noise=1.0, random_state=seed)
        model = make_pipeline(
            StandardScaler(),
            MLPRegressor(
                hidden_layer_sizes=(64,),
                alpha=3.0,
                learning_rate_init=3e-3,
                max_iter=200,
            ),
        )
        res = feature_importance(
            model,
            X,
            y,
            method="shap",
            n_refits=2,
            n_background=30,
            max_samples=100,
            n_bootstrap=200,
            random_state=seed,
        )
        significant = res.pvalues < 0.05
        informative.append(significant[:5].sum())
        noise.append(significant[5:].sum())
        assert res.importances_per_refit.shape == (2, 30)
        assert res.per_sample.shape == (200, 30)
        assert np.all(res.ci_low <= res.importances)
        assert np.all(res.importances <= res.ci_high)
        assert res.pvalues.min() == pytest.approx(1 / 40)
    assert informative == [5, 5, 5]
    assert np.mean(noise) <= 2


def test_permutation_refits_pool_an_exact_test():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 4)
    y = X[:, 0] + 0.5 * rng.randn(300)
    res = feature_importance(
        LinearRegression(),
        X,
        y,
        n_refits=3,
        n_repeats=39,
        n_bootstrap=200,
        random_state=0,
    )
    assert res.importances_per_refit.shape == (3, 4)
    assert res.pvalues[0] == pytest.approx(1 / 40)
    assert (res.pvalues[1:] > 0.05).all()
    assert len(res.sample_index) == res.per_sample.shape[0] == 3 * 100


def test_dataframe_pipeline_and_beeswarm_bridge():
    pd = pytest.importorskip("pandas")
    import matplotlib.pyplot as plt

    X, y = make_friedman1(300, n_features=6, random_state=0)
    X = pd.DataFrame(X, columns=[f"f{j}" for j in range(6)])
    model = make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(16,), max_iter=30, random_state=0),
    ).fit(X, y)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no feature-name warnings
        res = feature_importance(
            model, X, method="shap", n_background=20, max_samples=50, random_state=0
        )
    assert list(res.feature_names) == list(X.columns)
    assert res.data.shape == (50, 6)
    assert np.allclose(res.data, X.to_numpy()[res.sample_index])
    expl = to_shap_explanation(res)
    assert expl.values.shape == (50, 6)
    shap.plots.beeswarm(expl, show=False)
    assert len(plt.gcf().axes) >= 1
    plt.close("all")
    perm = feature_importance(model, X, y, n_repeats=5, n_bootstrap=20, random_state=0)
    with pytest.raises(ValueError, match="attributions"):
        to_shap_explanation(perm)


def test_random_state_reproducible(friedman_mlp):
    model, X = friedman_mlp
    a = feature_importance(
        model, X[:20], method="shap", n_background=10, random_state=3
    )
    b = feature_importance(
        model, X[:20], method="shap", n_background=10, random_state=3
    )
    assert np.array_equal(a.per_sample, b.per_sample)
    assert np.array_equal(a.ci_low, b.ci_low)
