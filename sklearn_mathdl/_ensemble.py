"""Deep ensembles: the same network trained from several random seeds."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from scipy.sparse import issparse
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_mathdl import _batched
from sklearn_mathdl.utils._compat import HasMethods, Interval, _fit_context
from sklearn_mathdl.utils._doc_link import _DocLinkMixin
from sklearn_mathdl.utils._seeding import draw_seed


class _BaseDeepEnsemble(_DocLinkMixin, MetaEstimatorMixin, BaseEstimator):
    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator, *, n_estimators=5, random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.random_state = random_state

    def _as_passed(self, X, Xv):
        # DataFrames go to the members as they are (column names intact)
        return X if hasattr(X, "iloc") else Xv

    def _fit_members(self, X, y, sample_weight):
        if "random_state" not in self.estimator.get_params():
            raise ValueError(
                f"{type(self).__name__} varies the members' random_state; "
                f"{type(self.estimator).__name__} has no such parameter."
            )
        rng = np.random.RandomState(draw_seed(self.random_state))
        seeds = [int(rng.randint(2**31 - 1)) for _ in range(self.n_estimators)]
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        fitted = self._fit_stacked(X, y, kwargs, seeds)
        self.estimators_ = [
            est
            if est is not None
            else clone(self.estimator).set_params(random_state=seed).fit(X, y, **kwargs)
            for est, seed in zip(fitted, seeds, strict=True)
        ]
        return self

    def _fit_stacked(self, X, y, kwargs, seeds):
        """The members trained together as one stacked model, where the
        batched search's trainer takes them (our MLPs trained by Adam or SGD:
        see ``_batched.why_not_batched``); each equals its separate fit up to
        float32 rounding (without dropout). [None] * n otherwise, and None for
        a member whose stacked fit failed (it is then fitted on its own, and
        raises as such a fit would)."""
        overrides = [{"random_state": seed} for seed in seeds]
        n = len(seeds)
        if n < 2 or issparse(X):
            return [None] * n
        if _batched.why_not_batched(self.estimator, overrides, n_samples=len(X)):
            return [None] * n
        member = clone(self.estimator)
        with _batched.batch_request(member, overrides) as request:
            member.fit(X, y, **kwargs)
        return request.fitted or [None] * n

    def _check_X(self, X):
        check_is_fitted(self)
        return self._as_passed(X, validate_data(self, X, reset=False))


class DeepEnsembleRegressor(RegressorMixin, _BaseDeepEnsemble):
    """Deep ensemble regressor: members differ only in their random seed.

    Each of ``n_estimators`` clones of ``estimator`` gets its own
    ``random_state`` (initialization, shuffling, dropout) and is fitted on all
    the data; predictions are averaged, and their spread across members
    estimates model uncertainty (Lakshminarayanan, Pritzel and Blundell 2017).

    Read more in the :ref:`User Guide <uncertainty>`.

    Parameters
    ----------
    estimator : object
        A regressor with a ``random_state`` parameter (any of ours, or e.g. a
        scikit-learn MLPRegressor). It is cloned.

    n_estimators : int, default=5
        Number of members.

    random_state : int, RandomState instance or None, default=None
        Seeds the members' seeds.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    See Also
    --------
    DeepEnsembleClassifier : The classification version.
    ConformalRegressor : Intervals with guaranteed coverage.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl import DeepEnsembleRegressor, MLPRegressor
    >>> X = np.linspace(-1, 1, 60).reshape(-1, 1)
    >>> ens = DeepEnsembleRegressor(MLPRegressor(hidden_layer_sizes=(16,),
    ...                                          max_iter=20), n_estimators=3,
    ...                             random_state=0).fit(X, X.ravel() ** 2)
    >>> mean, std = ens.predict(X[:2], return_std=True)
    >>> mean.shape, std.shape
    ((2,), (2,))
    """

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit every member on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every member's ``fit``.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        Xv, y = validate_data(self, X, y, y_numeric=True, multi_output=True)
        return self._fit_members(self._as_passed(X, Xv), y, sample_weight)

    def predict(self, X, return_std=False):
        """Mean prediction of the members, optionally with their spread.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        return_std : bool, default=False
            Also return the standard deviation across members.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Mean prediction.

        y_std : ndarray of the same shape as y
            Standard deviation across members (0 for a single member); only
            with ``return_std=True``.
        """
        X = self._check_X(X)
        preds = np.stack(
            [np.asarray(m.predict(X), dtype=np.float64) for m in self.estimators_]
        )
        mean = preds.mean(axis=0)
        if not return_std:
            return mean
        ddof = 1 if len(preds) > 1 else 0
        return mean, preds.std(axis=0, ddof=ddof)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class DeepEnsembleClassifier(ClassifierMixin, _BaseDeepEnsemble):
    """Deep ensemble classifier: averaged probabilities of seed-varied members.

    Each of ``n_estimators`` clones of ``estimator`` gets its own
    ``random_state`` and is fitted on all the data; ``predict_proba`` averages
    the members' probabilities, which are typically better calibrated than any
    single member's (Lakshminarayanan, Pritzel and Blundell 2017).

    Read more in the :ref:`User Guide <uncertainty>`.

    Parameters
    ----------
    estimator : object
        A classifier with ``predict_proba`` and a ``random_state`` parameter.
        It is cloned.

    n_estimators : int, default=5
        Number of members.

    random_state : int, RandomState instance or None, default=None
        Seeds the members' seeds.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members.

    classes_ : ndarray of shape (n_classes,)
        Class labels.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    See Also
    --------
    DeepEnsembleRegressor : The regression version.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_mathdl import DeepEnsembleClassifier, MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> ens = DeepEnsembleClassifier(MLPClassifier(hidden_layer_sizes=(8,),
    ...                                            max_iter=20), n_estimators=3,
    ...                              random_state=0).fit(X, y)
    >>> ens.predict_proba(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints: dict = {
        **_BaseDeepEnsemble._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict_proba"])],
    }

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit every member on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Class labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every member's ``fit``.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        Xv, y = validate_data(self, X, y)
        self._fit_members(self._as_passed(X, Xv), y, sample_weight)
        self.classes_ = self.estimators_[0].classes_
        return self

    def predict_proba(self, X):
        """Average of the members' class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Averaged probabilities, columns in the order of ``classes_``.
        """
        X = self._check_X(X)
        return np.mean([m.predict_proba(X) for m in self.estimators_], axis=0)

    def predict(self, X):
        """Class with the largest averaged probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        proba = self.predict_proba(X)  # raises NotFittedError before fit
        return self.classes_[np.argmax(proba, axis=1)]
