"""feature_importance: exact permutation p-values, intervals, any estimator."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import load_iris, make_friedman1
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import MLPClassifier, MLPRegressor
from sklearn_mathdl.inspection import feature_importance, plot_feature_importance

matplotlib.use("Agg")
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_friedman1_significance_over_seeds():
    """5 informative features significant; noise at about the nominal rate."""
    informative, noise = [], []
    for seed in range(4):
        X, y = make_friedman1(1500, n_features=30, noise=1.0, random_state=seed)
        model = make_pipeline(
            StandardScaler(),
            MLPRegressor(
                hidden_layer_sizes=(64,),
                max_iter=100,
                alpha=1e-2,
                early_stopping=True,
                random_state=seed,
            ),
        ).fit(X[:1000], y[:1000])
        res = feature_importance(
            model, X[1000:], y[1000:], n_repeats=99, n_bootstrap=200, random_state=seed
        )
        significant = res.pvalues < 0.05
        informative.append(significant[:5].sum())
        noise.append(significant[5:].sum())
        assert np.all(res.ci_low[:5] > 0)
    assert informative == [5, 5, 5, 5]
    assert np.mean(noise) <= 2


def test_pvalues_are_uniform_for_an_unrelated_target():
    """Under the null (y independent of X) the test rejects at about its level."""
    rng = np.random.RandomState(0)
    X = rng.randn(600, 40)
    y = rng.randn(600)
    model = LinearRegression().fit(X[:300], y[:300])
    res = feature_importance(
        model, X[300:], y[300:], n_repeats=49, n_bootstrap=100, random_state=0
    )
    assert np.mean(res.pvalues < 0.1) <= 0.2
    assert 0.3 < np.mean(res.pvalues) < 0.7


def test_classifier_dataframe_and_exact_resolution():
    pd = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    for model in (
        LogisticRegression(max_iter=1000),
        MLPClassifier(
            hidden_layer_sizes=(16,),
            learning_rate_init=0.02,
            max_iter=60,
            random_state=0,
        ),
    ):
        model.fit(X, y)
        res = feature_importance(
            model, X, y, n_repeats=19, n_bootstrap=100, random_state=0
        )
        assert list(res.feature_names) == list(X.columns)
        assert res.per_sample.shape == (150, 4)
        assert res.pvalues.min() >= 1 / 20  # resolution 1 / (n_repeats + 1)
        assert np.all(res.ci_low <= res.importances)
        assert np.all(res.importances <= res.ci_high)
        assert res.importances[2:].max() > res.importances[:2].min()  # petals
    ax = plot_feature_importance(res)
    assert len(ax.patches) == 4
    # whiskers (precision of the estimate) and fill (a test against no
    # importance) answer different questions; the axis says which is which
    assert "whiskers: bootstrap CI" in ax.get_xlabel()
    assert "filled: p < 0.05" in ax.get_xlabel()
    assert isinstance(X, pd.DataFrame)


def test_bad_arguments():
    X = np.random.RandomState(0).randn(20, 2)
    model = LinearRegression().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="method"):
        feature_importance(model, X, X[:, 0], method="lime")
    with pytest.raises(ValueError, match="y is required"):
        feature_importance(model, X)
    with pytest.raises(ValueError, match="y is required"):
        feature_importance(model, X, method="shap", n_refits=2)
    with pytest.raises(ValueError, match="n_refits"):
        feature_importance(model, X, X[:, 0], n_refits=-1)
    with pytest.raises(ValueError, match="background"):
        feature_importance(model, X, method="shap", background=np.ones((5, 3)))
    with pytest.raises(ValueError, match="background"):
        feature_importance(model, X, method="shap", background="median")
    with pytest.raises(ValueError, match="NaN"):
        feature_importance(model, np.where(X > 1, np.nan, X), method="shap")
    with pytest.raises(ValueError, match="rows"):
        feature_importance(model, X, X[:5, 0])
    with pytest.raises(ValueError, match="confidence_level"):
        feature_importance(model, X, X[:, 0], confidence_level=1.5)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        feature_importance(LinearRegression(), X, X[:, 0])
