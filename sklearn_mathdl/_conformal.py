"""Split-conformal prediction intervals for any regressor."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.model_selection import train_test_split
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_mathdl.utils._compat import HasMethods, Interval, _fit_context
from sklearn_mathdl.utils._doc_link import _DocLinkMixin


def _conformal_quantile(scores, alpha):
    """The ceil((n + 1)(1 - alpha))-th smallest score (inf if beyond n)."""
    n = len(scores)
    k = math.ceil((n + 1) * (1 - alpha))
    if k > n:
        return np.inf
    return np.partition(scores, k - 1)[k - 1]


class ConformalRegressor(
    _DocLinkMixin, MetaEstimatorMixin, RegressorMixin, BaseEstimator
):
    """Prediction intervals with guaranteed coverage, around any regressor.

    Split conformal prediction: ``fit`` holds out ``calibration_fraction`` of the
    rows, fits a clone of ``estimator`` on the rest, and stores the absolute
    residuals on the held-out rows. For exchangeable data, the interval
    ``prediction +- q`` with q the ceil((n_cal + 1)(1 - alpha))-th smallest
    residual contains a new target with probability at least ``1 - alpha``,
    whatever the model and the noise (marginal coverage; below
    ``1 - alpha + 1 / (n_cal + 1)`` as well).

    Read more in the :ref:`User Guide <uncertainty>`.

    Parameters
    ----------
    estimator : object
        A regressor with ``fit`` and ``predict`` (ours or any scikit-learn one,
        a Pipeline included). It is cloned.

    alpha : float, default=0.1
        Miscoverage level: intervals aim at ``1 - alpha`` coverage. Can be
        changed at prediction time.

    calibration_fraction : float, default=0.25
        Fraction of the training rows held out for calibration.

    random_state : int, RandomState instance or None, default=None
        Seeds the split into fitting and calibration rows.

    Attributes
    ----------
    estimator_ : object
        The regressor fitted on the non-calibration rows.

    calibration_scores_ : ndarray of shape (n_calibration,)
        Absolute residuals on the calibration rows.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    See Also
    --------
    MLPRegressor : ``predict(X, return_std=True)`` gives MC-dropout spread.

    References
    ----------
    .. [1] J. Lei, M. G'Sell, A. Rinaldo, R. J. Tibshirani and L. Wasserman,
       "Distribution-free predictive inference for regression", JASA 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn_mathdl import ConformalRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(400, 3)
    >>> y = X[:, 0] + rng.randn(400)
    >>> cp = ConformalRegressor(Ridge(), alpha=0.1, random_state=0).fit(X, y)
    >>> cp.predict_interval(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, estimator, *, alpha=0.1, calibration_fraction=0.25, random_state=None
    ):
        self.estimator = estimator
        self.alpha = alpha
        self.calibration_fraction = calibration_fraction
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the regressor and calibrate the intervals.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (DataFrames are passed through unchanged).

        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        Xv, yv = validate_data(self, X, y, y_numeric=True)
        # DataFrames go to the regressor as they are (column names intact)
        X = X if hasattr(X, "iloc") else Xv
        if yv.ndim != 1:
            raise ValueError(
                "ConformalRegressor supports a single target; got y with shape "
                f"{yv.shape}."
            )
        n = yv.shape[0]
        if n < 2:
            raise ValueError(
                f"ConformalRegressor needs at least 2 samples to hold some out for "
                f"calibration; got n_samples = {n} (1 sample)."
            )
        idx_fit, idx_cal = train_test_split(
            np.arange(n),
            test_size=self.calibration_fraction,
            random_state=self.random_state,
        )
        self.estimator_ = clone(self.estimator).fit(
            _safe_indexing(X, idx_fit), yv[idx_fit]
        )
        pred = np.asarray(self.estimator_.predict(_safe_indexing(X, idx_cal)))
        self.calibration_scores_ = np.abs(yv[idx_cal] - pred.reshape(-1))
        return self

    def predict(self, X):
        """Point predictions of the fitted regressor.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predictions.
        """
        check_is_fitted(self)
        Xv = validate_data(self, X, reset=False)
        X = X if hasattr(X, "iloc") else Xv
        return np.asarray(self.estimator_.predict(X)).reshape(-1)

    def predict_interval(self, X, alpha=None):
        """Prediction intervals with coverage at least ``1 - alpha``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        alpha : float, default=None
            Miscoverage level; ``None`` uses the estimator's ``alpha``.

        Returns
        -------
        intervals : ndarray of shape (n_samples, 2)
            Lower and upper bounds (infinite when there are too few
            calibration rows for the requested level).
        """
        alpha = self.alpha if alpha is None else float(alpha)
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha}.")
        pred = self.predict(X)
        q = _conformal_quantile(self.calibration_scores_, alpha)
        return np.column_stack([pred - q, pred + q])
