"""Batched GridSearchCV/RandomizedSearchCV: same results as separate fits."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn import model_selection as skms
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import CNNClassifier, MLPClassifier, MLPRegressor, _batched
from sklearn_mathdl.model_selection import GridSearchCV, RandomizedSearchCV


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.RandomState(0)
    rows = rng.choice(len(X), 240, replace=False)
    return StandardScaler().fit_transform(X[rows]), y[rows]


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X[:200]), y[:200]


def _batched_fit(est, X, y, candidates):
    rep = clone(est)
    with _batched.batch_request(rep, candidates) as request:
        rep.fit(X, y)
    return request.fitted


@pytest.mark.parametrize(
    "est, candidates",
    [
        (
            MLPClassifier(hidden_layer_sizes=(16,), max_iter=60, random_state=0),
            [
                {"alpha": a, "learning_rate_init": lr}
                for a in (1e-4, 1.0, 10.0)
                for lr in (1e-3, 1e-2)
            ],
        ),
        (
            MLPClassifier(
                hidden_layer_sizes=(12, 8),
                optimizer="sgd",
                learning_rate="invscaling",
                max_iter=40,
                random_state=1,
            ),
            [
                {"momentum": 0.0, "learning_rate_init": 0.1, "l1_alpha": 0.01},
                {"momentum": 0.9, "learning_rate_init": 0.05, "max_iter": 25},
                {"momentum": 0.5, "learning_rate_init": 0.1, "tol": 1e-2},
            ],
        ),
        (
            # seeds: own initial weights and shuffled batches (batches of 64
            # rows: several an epoch), mixed with another batched parameter
            MLPClassifier(hidden_layer_sizes=(16,), max_iter=30, batch_size=64),
            [
                {"random_state": 0, "alpha": 1.0},
                {"random_state": 1, "alpha": 1.0},
                {"random_state": 2, "alpha": 1e-3},
            ],
        ),
        (
            # schedules of their own (the default "plateau" among them) and
            # the default alpha="auto" next to a fixed one, 3 batches an epoch
            MLPClassifier(hidden_layer_sizes=(16,), batch_size=160, random_state=0),
            [
                {"learning_rate": "plateau", "learning_rate_init": 1e-2},
                {"learning_rate": "constant", "alpha": 1.0},
                {"learning_rate": "invscaling", "power_t": 0.25},
                {"learning_rate": "adaptive", "alpha": 1e-3, "max_iter": 40},
            ],
        ),
    ],
)
def test_batched_candidates_equal_separate_fits(cancer, est, candidates):
    X, y = cancer
    fitted = _batched_fit(est, X, y, candidates)
    for params, batched in zip(candidates, fitted, strict=True):
        alone = clone(est).set_params(**params).fit(X, y)
        assert batched.n_iter_ == alone.n_iter_
        np.testing.assert_allclose(batched.loss_curve_, alone.loss_curve_, rtol=1e-4)
        np.testing.assert_allclose(
            batched.predict_proba(X), alone.predict_proba(X), rtol=1e-4, atol=1e-6
        )


def test_batched_regressor_with_cosine_schedule_equals_separate_fits(diabetes):
    X, y = diabetes
    est = MLPRegressor(
        hidden_layer_sizes=(20,),
        optimizer="adam",  # the batched trainer's (L-BFGS fits one at a time)
        learning_rate="cosine",
        max_iter=50,
        random_state=0,
    )
    candidates = [{"alpha": a, "learning_rate_init": 3e-3} for a in (1e-3, 1.0, 30.0)]
    for params, batched in zip(
        candidates, _batched_fit(est, X, y, candidates), strict=True
    ):
        alone = clone(est).set_params(**params).fit(X, y)
        assert batched.n_iter_ == alone.n_iter_
        np.testing.assert_allclose(batched.predict(X), alone.predict(X), rtol=1e-4)
        # the fitted copy is a complete estimator: it can continue training
        batched.partial_fit(X, y)
        assert batched.n_iter_ == alone.n_iter_ + 1


def test_stopped_candidate_stops_changing(cancer):
    """A candidate stopping early ends with the epochs of its own separate fit."""
    X, y = cancer
    est = MLPClassifier(hidden_layer_sizes=(16,), max_iter=80, random_state=0)
    candidates = [{"learning_rate_init": 0.05}, {"learning_rate_init": 1e-4}]
    quick, slow = _batched_fit(est, X, y, candidates)
    assert quick.n_iter_ < slow.n_iter_ == 80
    alone = clone(est).set_params(**candidates[0]).fit(X, y)
    np.testing.assert_allclose(
        quick.predict_proba(X), alone.predict_proba(X), rtol=1e-4
    )


def test_dropout_candidates_score_alike_over_seeds(cancer):
    """With dropout the masks differ from a separate fit's: the scores agree on
    average over seeds."""
    X, y = cancer
    batched, alone = [], []
    for seed in range(4):
        est = MLPClassifier(
            hidden_layer_sizes=(32,), dropout=0.3, max_iter=40, random_state=seed
        )
        b = _batched_fit(est, X, y, [{"dropout": 0.3}, {"dropout": 0.0}])[0]
        batched.append(b.score(X, y))
        alone.append(clone(est).fit(X, y).score(X, y))
    assert abs(np.mean(batched) - np.mean(alone)) < 0.02


def test_grid_search_matches_scikit_learn_loop(cancer):
    X, y = cancer
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=40, random_state=0),
    )
    grid = {
        "mlpclassifier__alpha": [1e-3, 1.0],
        "mlpclassifier__learning_rate_init": [1e-3, 1e-2],
    }
    kw = dict(cv=3, scoring=["accuracy", "neg_log_loss"], refit="neg_log_loss")
    ours = GridSearchCV(pipe, grid, return_train_score=True, **kw).fit(X, y)
    ref = skms.GridSearchCV(pipe, grid, return_train_score=True, **kw).fit(X, y)
    assert ours.batched_groups_ == [
        {"params": {}, "n_candidates": 4, "batched": True, "reason": None}
    ]
    for key in ("mean_test_accuracy", "mean_test_neg_log_loss", "mean_train_accuracy"):
        np.testing.assert_allclose(
            ours.cv_results_[key], ref.cv_results_[key], rtol=1e-4
        )
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        ours.predict_proba(X), ref.predict_proba(X), rtol=1e-5, atol=1e-7
    )
    assert ours.multimetric_ and ours.refit == "neg_log_loss"


def test_groups_batch_separately_and_unbatchable_ones_fall_back(diabetes, capsys):
    X, y = diabetes
    est = MLPRegressor(optimizer="adam", max_iter=20, random_state=0)
    grid = {"hidden_layer_sizes": [(8,), (16,)], "alpha": [0.1, 1.0]}
    search = GridSearchCV(est, grid, cv=2, refit=False, verbose=1).fit(X, y)
    assert [g["batched"] for g in search.batched_groups_] == [True, True]
    assert "batched, 2 fits of 2 candidates" in capsys.readouterr().out
    assert not hasattr(search, "best_estimator_")
    # batch_norm cannot batch: scikit-learn's loop runs it, with the same results
    bn = GridSearchCV(est.set_params(batch_norm=True), {"alpha": [0.1, 1.0]}, cv=2).fit(
        X, y
    )
    assert bn.batched_groups_[0]["batched"] is False
    assert "batch_norm" in bn.batched_groups_[0]["reason"]
    ref = skms.GridSearchCV(est, {"alpha": [0.1, 1.0]}, cv=2).fit(X, y)
    np.testing.assert_allclose(
        bn.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"]
    )


def test_not_ours_and_other_families_run_scikit_learns_loop():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=3).fit(X, y)
    assert search.batched_groups_[0]["batched"] is False
    ref = skms.GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=3).fit(X, y)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"]
    )
    rng = np.random.RandomState(0)
    Xs = rng.randn(24, 16)
    ys = (Xs[:, :8].sum(1) > 0).astype(int)
    cnn = CNNClassifier(n_filters=(4,), max_iter=3, random_state=0)
    search = GridSearchCV(cnn, {"alpha": [0.0, 1.0]}, cv=2).fit(Xs, ys)
    assert "MLPs only" in search.batched_groups_[0]["reason"]


def test_error_score_and_failed_candidates(diabetes):
    """A diverging candidate fails as it would alone: error_score, with a warning."""
    X, y = diabetes
    est = MLPRegressor(
        hidden_layer_sizes=(8,), optimizer="adam", max_iter=5, random_state=0
    )
    grid = {"learning_rate_init": [1e-3, 1e12]}
    with pytest.warns(FitFailedWarning, match="2 fits failed"):
        search = GridSearchCV(est, grid, cv=2, error_score=-99.0).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores[0]) and scores[1] == -99.0
    assert search.batched_groups_[0]["batched"] is True
    with pytest.raises(ValueError, match="diverged"):
        GridSearchCV(est, grid, cv=2, error_score="raise").fit(X, y)


def test_randomized_search_draws_once_with_random_state_none(diabetes):
    X, y = diabetes
    est = MLPRegressor(
        hidden_layer_sizes=(8,), optimizer="adam", max_iter=10, random_state=0
    )
    search = RandomizedSearchCV(
        est, {"alpha": loguniform(1e-3, 10)}, n_iter=3, cv=2, random_state=None
    ).fit(X, y)
    assert search.batched_groups_[0]["batched"] is True
    assert len(search.cv_results_["params"]) == 3
    alphas = [p["alpha"] for p in search.cv_results_["params"]]
    for alpha, score in zip(alphas, search.cv_results_["mean_test_score"], strict=True):
        ref = skms.cross_val_score(clone(est).set_params(alpha=alpha), X, y, cv=2)
        assert score == pytest.approx(ref.mean(), rel=1e-4)


def test_n_jobs_and_fit_params(diabetes):
    X, y = diabetes
    est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    grid = {"alpha": [0.1, 1.0]}
    two = GridSearchCV(est, grid, cv=2, n_jobs=2).fit(X, y)
    one = GridSearchCV(est, grid, cv=2).fit(X, y)
    np.testing.assert_allclose(
        two.cv_results_["mean_test_score"], one.cv_results_["mean_test_score"]
    )
    w = np.ones(len(y))
    weighted = GridSearchCV(est, grid, cv=2).fit(X, y, sample_weight=w)
    assert "fit parameters" in weighted.batched_groups_[0]["reason"]
    np.testing.assert_allclose(
        weighted.cv_results_["mean_test_score"],
        one.cv_results_["mean_test_score"],
        rtol=1e-5,
    )


def test_one_convergence_warning_per_search():
    # issue "README and docs" item 6: not one ConvergenceWarning per fit
    import warnings

    from sklearn.datasets import load_diabetes
    from sklearn.exceptions import ConvergenceWarning

    from sklearn_mathdl import MLPRegressor
    from sklearn_mathdl.model_selection import GridSearchCV

    X, y = load_diabetes(return_X_y=True)
    X = X[:120]
    y = y[:120]
    search = GridSearchCV(
        MLPRegressor(
            hidden_layer_sizes=(8,),
            max_iter=3,
            tol=0.0,
            n_iter_no_change=2,
            random_state=0,
        ),
        {"alpha": [0.1, 1.0]},
        cv=3,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    converge = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(converge) == 1
    # 2 candidates x 3 folds + the refit
    assert str(converge[0].message).startswith("7 of the search's fits")
    assert "max_iter=3" in str(converge[0].message)
