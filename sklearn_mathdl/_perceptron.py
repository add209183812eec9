"""The perceptron and the kernel perceptron (the book's chapter 4)."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_mathdl.kernels import KERNEL_PARAMS, KERNELS, pairwise_kernel
from sklearn_mathdl.utils._compat import Interval, StrOptions, _fit_context
from sklearn_mathdl.utils._doc_link import _DocLinkMixin
from sklearn_mathdl.utils._validation import labels_from_scores

# the Gram matrix of a fit is n x n float64: refuse sizes whose matrix
# would not fit comfortably in memory
_MAX_GRAM_ROWS = 10_000
# rows of X per kernel block at prediction
_PREDICT_BLOCK = 2048


def _perceptron_epochs(scores_of, n_classes, y, order_for, max_iter, on_mistake):
    """Run perceptron epochs; returns (mistakes per epoch, converged).

    ``scores_of(i)`` gives the class scores of training row i under the
    current weights, ``on_mistake(i, true, predicted)`` updates them.
    """
    mistakes = []
    for epoch in range(max_iter):
        count = 0
        for i in order_for(epoch):
            scores = scores_of(i)
            if n_classes == 2:
                predicted = int(scores[1] > scores[0])
            else:
                predicted = int(np.argmax(scores))
            if predicted != y[i] or (n_classes == 2 and scores[1] == scores[0]):
                on_mistake(i, y[i], predicted)
                count += 1
        mistakes.append(count)
        if count == 0:
            return mistakes, True
    return mistakes, False


class _PerceptronMixin(_DocLinkMixin, ClassifierMixin):
    def _validate_targets(self, y):
        """(classes, encoded y); sets nothing, so a refused y leaves a fitted
        model as it was."""
        check_classification_targets(y)
        classes, y_enc = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got "
                f"1 class ({classes[0]!r})."
            )
        return classes, y_enc

    def _set_training_record(self, classes, mistakes, converged):
        self.classes_ = classes
        self.mistakes_ = mistakes
        self.converged_ = converged
        self.n_iter_ = len(mistakes)
        self._warn_if_not_converged(converged)

    def _order_for(self, n):
        rng = check_random_state(self.random_state)
        if not self.shuffle:
            return lambda epoch: range(n)
        return lambda epoch: rng.permutation(n)

    def _warn_if_not_converged(self, converged):
        if not converged:
            import warnings

            warnings.warn(
                f"{type(self).__name__}: max_iter={self.max_iter} epochs reached "
                f"with {self.mistakes_[-1]} mistakes in the last one: the "
                "training data may not be separable (in the kernel's feature "
                "space).",
                ConvergenceWarning,
                stacklevel=3,
            )

    def predict(self, X):
        """Class labels: the class of the largest score.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        scores = self.decision_function(X)  # checks that the model is fitted
        return labels_from_scores(self.classes_, scores)

    def _scores_to_decision(self, scores):
        # binary: one score, positive for classes_[1] (scikit-learn's convention)
        return scores[:, 1] - scores[:, 0] if len(self.classes_) == 2 else scores


class Perceptron(_PerceptronMixin, BaseEstimator):
    """Rosenblatt's perceptron: a linear classifier trained on its mistakes.

    Each epoch visits the training rows once; on a misclassified row
    :math:`(x_i, y_i)` the weights of the true class move towards it and those
    of the predicted class away, :math:`w_{y_i} \\leftarrow w_{y_i} + \\eta x_i`,
    :math:`w_{\\hat y} \\leftarrow w_{\\hat y} - \\eta x_i` (for two classes: the
    classic update :math:`w \\leftarrow w + \\eta y_i x_i` with
    :math:`y_i = \\pm 1`). This is stochastic gradient descent on the
    perceptron loss :math:`\\max(0, -y_i w^\\top x_i)`. Training stops after
    the first epoch without a mistake. On data separable with margin
    :math:`\\gamma` inside a ball of radius :math:`R`, Novikoff's theorem
    bounds the total number of mistakes by :math:`(R / \\gamma)^2`, whatever
    the order of the rows.

    Read more in the :ref:`User Guide <perceptron>`.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to learn an intercept (as a weight on a constant feature 1).

    eta0 : float, default=1.0
        Step size of the updates. Without an intercept the predictions do not
        depend on it (the weights are a sum of updated rows).

    max_iter : int, default=1000
        Maximum number of epochs.

    shuffle : bool, default=True
        Whether to visit the rows in a new random order every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights (one row for two classes, as scikit-learn's linear models).

    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts.

    mistakes_ : list of int
        Mistakes made in each epoch.

    n_iter_ : int
        Epochs run.

    converged_ : bool
        Whether an epoch ended without a mistake.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, for dataframe input.

    See Also
    --------
    KernelPerceptron : The same algorithm in a kernel's feature space.
    sklearn.linear_model.Perceptron : The scikit-learn version (SGD with the
        perceptron loss, one-vs-rest for several classes).

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn_mathdl import Perceptron
    >>> X, y = make_blobs(60, centers=2, random_state=0, cluster_std=0.5)
    >>> clf = Perceptron(random_state=0).fit(X, y)
    >>> clf.converged_, clf.score(X, y)
    (True, 1.0)
    """

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        fit_intercept=True,
        eta0=1.0,
        max_iter=1000,
        shuffle=True,
        random_state=None,
    ):
        self.fit_intercept = fit_intercept
        self.eta0 = eta0
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Run perceptron epochs until one has no mistake (or ``max_iter``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        classes, y = self._validate_targets(y)
        n, d = X.shape
        k = len(classes)
        Xa = np.hstack([X, np.ones((n, 1))]) if self.fit_intercept else X
        W = np.zeros((k, Xa.shape[1]))
        eta = float(self.eta0)

        def on_mistake(i, true, predicted):
            if true == predicted:  # a binary tie at zero: push the truth up
                predicted = 1 - true
            W[true] += eta * Xa[i]
            W[predicted] -= eta * Xa[i]

        mistakes, converged = _perceptron_epochs(
            lambda i: W @ Xa[i], k, y, self._order_for(n), self.max_iter, on_mistake
        )
        if k == 2:
            W = W[1:] - W[:1]
        self.coef_ = W[:, :d]
        self.intercept_ = W[:, d] if self.fit_intercept else np.zeros(len(W))
        self._set_training_record(classes, mistakes, converged)
        return self

    def decision_function(self, X):
        """Class scores ``X @ coef_.T + intercept_`` (one column for 2 classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Scores.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores


class KernelPerceptron(_PerceptronMixin, BaseEstimator):
    """The perceptron in a kernel's feature space (dual form).

    The weights of the perceptron are sums of training rows, so its scores
    are sums of inner products, which a kernel :math:`k` replaces: the score
    of class c at x is :math:`\\sum_i a_{ic}\\, (k(x_i, x) + 1)` (the + 1 is
    the intercept). On a mistake on row i (true class y, predicted
    :math:`\\hat y`), :math:`a_{iy} \\mathrel{+}= 1` and
    :math:`a_{i\\hat y} \\mathrel{-}= 1`. Training keeps the n x n Gram
    matrix and stops after the first epoch without a mistake; the rows with a
    non-zero coefficient are the support vectors.

    Read more in the :ref:`User Guide <perceptron>`.

    Parameters
    ----------
    kernel : str or callable, default="rbf"
        A kernel of :mod:`sklearn_mathdl.kernels` (a key of ``KERNELS``) or a
        callable ``kernel(A, B, **kernel_params)`` returning the kernel matrix
        of two 2-D blocks.

    gamma : float, default=None
        Parameter of the rbf, laplacian, polynomial and sigmoid kernels;
        ``None`` means ``1 / n_features``.

    degree : float, default=3
        Degree of the polynomial kernel.

    coef0 : float, default=1
        Constant of the polynomial and sigmoid kernels.

    kernel_params : dict, default=None
        Further parameters of the kernel.

    max_iter : int, default=100
        Maximum number of epochs.

    shuffle : bool, default=True
        Whether to visit the rows in a new random order every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    support_ : ndarray of shape (n_support,)
        Indices of the training rows with a non-zero coefficient.

    support_vectors_ : ndarray of shape (n_support, n_features)
        Those rows.

    dual_coef_ : ndarray of shape (n_support, n_classes)
        Their mistake counts per class (+ for the true class, - for the
        predicted one).

    mistakes_ : list of int
        Mistakes made in each epoch.

    n_iter_ : int
        Epochs run.

    converged_ : bool
        Whether an epoch ended without a mistake.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, for dataframe input.

    See Also
    --------
    Perceptron : The primal (linear) perceptron.
    KernelRidgeClassifier : Kernel ridge regression on class indicators.

    Examples
    --------
    >>> from sklearn.datasets import make_circles
    >>> from sklearn_mathdl import KernelPerceptron
    >>> X, y = make_circles(200, factor=0.3, noise=0.05, random_state=0)
    >>> clf = KernelPerceptron(gamma=2.0, random_state=0).fit(X, y)
    >>> clf.converged_, clf.score(X, y)
    (True, 1.0)
    """

    _parameter_constraints: dict = {
        "kernel": [StrOptions(set(KERNELS)), callable],
        "gamma": [Interval(Real, 0, None, closed="neither"), None],
        "degree": [Interval(Real, 0, None, closed="left")],
        "coef0": [Interval(Real, None, None, closed="neither")],
        "kernel_params": [dict, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        kernel="rbf",
        *,
        gamma=None,
        degree=3,
        coef0=1,
        kernel_params=None,
        max_iter=100,
        shuffle=True,
        random_state=None,
    ):
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.kernel_params = kernel_params
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state

    def _kernel(self, A, B):
        params = {}
        if not callable(self.kernel):
            params = {
                name: getattr(self, name) for name in KERNEL_PARAMS.get(self.kernel, ())
            }
        params.update(self.kernel_params or {})
        return np.asarray(pairwise_kernel(A, B, kernel=self.kernel, **params))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Run kernel-perceptron epochs until one has no mistake (or ``max_iter``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (at most 10,000 rows: the fit keeps the n x n Gram
            matrix).

        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        n = X.shape[0]
        if n > _MAX_GRAM_ROWS:
            raise ValueError(
                f"KernelPerceptron keeps the n x n Gram matrix: n_samples={n} is "
                f"above {_MAX_GRAM_ROWS} ({8 * n * n / 2**30:.1f} GiB). Use a "
                "Nystroem feature map with Perceptron instead."
            )
        classes, y = self._validate_targets(y)
        k = len(classes)
        G = self._kernel(X, X) + 1.0  # + 1: the intercept's constant feature
        A = np.zeros((n, k))
        # running scores of every training row: S = G @ A, updated per mistake
        S = np.zeros((n, k))

        def on_mistake(i, true, predicted):
            if true == predicted:  # a binary tie at zero: push the truth up
                predicted = 1 - true
            A[i, true] += 1.0
            A[i, predicted] -= 1.0
            S[:, true] += G[:, i]
            S[:, predicted] -= G[:, i]

        mistakes, converged = _perceptron_epochs(
            lambda i: S[i], k, y, self._order_for(n), self.max_iter, on_mistake
        )
        support = np.flatnonzero(np.any(A != 0, axis=1))
        self.support_ = support
        self.support_vectors_ = X[support]
        self.dual_coef_ = A[support]
        self._set_training_record(classes, mistakes, converged)
        return self

    def decision_function(self, X):
        """Class scores ``(k(X, support_vectors_) + 1) @ dual_coef_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples (kernel blocks of 2,048 rows at a time).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Scores; for two classes one column, positive for ``classes_[1]``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = np.empty((X.shape[0], len(self.classes_)))
        for start in range(0, X.shape[0], _PREDICT_BLOCK):
            block = X[start : start + _PREDICT_BLOCK]
            if len(self.support_) == 0:
                scores[start : start + len(block)] = 0.0
                continue
            K = self._kernel(block, self.support_vectors_) + 1.0
            scores[start : start + len(block)] = K @ self.dual_coef_
        return self._scores_to_decision(scores)
