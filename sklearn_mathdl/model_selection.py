"""Hyper-parameter searches that train the candidates of a fold together.

:class:`GridSearchCV` and :class:`RandomizedSearchCV` are scikit-learn's
(same constructor, attributes and ``cv_results_``; they subclass it). When the
estimator is one of ours, or a :class:`~sklearn.pipeline.Pipeline` that ends
in one, the candidates that share an architecture and differ only in
regularization, step size, dropout or stopping parameters train as one
stacked model per fold, and the pipeline's earlier steps fit once per fold
for them. Everything else runs through scikit-learn's loop unchanged.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import warnings

from joblib import parallel_config
from scipy.sparse import issparse
from sklearn import model_selection as _sk
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import ParameterGrid, ParameterSampler, check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import _safe_split

from sklearn_mathdl import _batched
from sklearn_mathdl._base import _BaseTorchEstimator
from sklearn_mathdl.utils._doc_link import _DocLinkMixin

__all__ = ["GridSearchCV", "RandomizedSearchCV"]


def _final_step(estimator):
    """(final estimator, parameter prefix) of an estimator or a Pipeline."""
    if isinstance(estimator, Pipeline):
        name, final = estimator.steps[-1]
        return final, f"{name}__"
    return estimator, ""


def _summarize_warnings(caught):
    """Re-issue the warnings of a search's fits, ConvergenceWarnings as one.

    A default search fits tens of models; one line per fit that reached
    ``max_iter`` buries every other message. Other warnings are re-issued as
    they were (the caller's filters apply to them again). Fits run in other
    processes (``n_jobs`` with a process backend) warn there, not here.
    """
    converge = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(
                w.message, w.category, w.filename, w.lineno, source=w.source
            )
    if not converge:
        return
    if len(converge) == 1:
        w = converge[0]
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return
    warnings.warn(
        f"{len(converge)} of the search's fits stopped before converging; the "
        f"first said: {converge[0].message} Raise max_iter (or loosen tol) if "
        "the scores of those candidates matter.",
        ConvergenceWarning,
        stacklevel=3,
    )


class _BatchedSearchMixin(_DocLinkMixin):
    """Train batchable candidate groups first, then run scikit-learn's loop.

    scikit-learn's loop fits every (candidate, fold) as usual; a candidate
    already trained in a batch is adopted by its estimator's fit (the same
    parameters on the same data give the same model) instead of trained again.
    """

    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters.

        The candidates of each fold that can train together do so first (see
        ``batched_groups_``); then every candidate is scored, and the best is
        refit, exactly as in scikit-learn.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
                default=None
            Target.

        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the CV
            splitter (``groups``), as in scikit-learn. With fit parameters other
            than ``groups`` nothing is batched.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._validate_params()
        # one ConvergenceWarning for the search, not one per (candidate, fold)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                self._fit_searches(X, y, params)
        finally:  # outside the recording context: to the caller's filters
            _summarize_warnings(caught)
        return self

    def _fit_searches(self, X, y, params):
        candidates = self._candidate_list()
        entries, report = self._train_batched(X, y, candidates, params)
        self.batched_groups_ = report
        self._replay = candidates
        threads = bool(entries) and self.n_jobs not in (None, 1)
        try:
            with (
                _batched.registered(entries),
                parallel_config(backend="threading")
                if threads
                else contextlib.nullcontext(),
            ):
                super().fit(X, y, **params)
        finally:
            del self._replay

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # scikit-learn's searches keep only some of the estimator's tags
        inner = self.estimator.__sklearn_tags__()
        tags.target_tags.multi_output = inner.target_tags.multi_output
        return tags

    def _run_search(self, evaluate_candidates):
        # the candidate list drawn once in fit (RandomizedSearchCV with
        # random_state=None would otherwise draw a second, different one)
        replay = getattr(self, "_replay", None)
        if replay is None:
            return super()._run_search(evaluate_candidates)
        evaluate_candidates(replay)

    def _groups(self, candidates, prefix):
        """Candidates grouped by everything but the final step's batchable params."""
        groups = {}
        for cand in candidates:
            batchable, rest = {}, {}
            for key, value in cand.items():
                name = key[len(prefix) :] if key.startswith(prefix) else None
                if name in _batched.BATCHABLE:
                    batchable[name] = value
                else:
                    rest[key] = value
            group = groups.setdefault(repr(sorted(rest.items())), (rest, []))
            group[1].append(batchable)
        return list(groups.values())

    def _train_batched(self, X, y, candidates, params):
        """Train each batchable group on each fold; returns (registry, report)."""
        final, prefix = _final_step(self.estimator)
        if not isinstance(final, _BaseTorchEstimator):
            return {}, [
                {
                    "params": {},
                    "n_candidates": len(candidates),
                    "batched": False,
                    "reason": f"{type(final).__name__} is not a sklearn_mathdl "
                    "estimator",
                }
            ]
        fit_params = sorted(set(params) - {"groups"})
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, params.get("groups")))
        entries, report = {}, []
        for rest, overrides in self._groups(candidates, prefix):
            base = clone(self.estimator).set_params(**rest)
            reason = None
            if fit_params:
                reason = f"fit parameters {fit_params} are not batched"
            elif issparse(X):
                reason = "sparse X is not batched"
            elif len(overrides) < 2:
                reason = "a single candidate"
            else:
                reason = _batched.why_not_batched(
                    _final_step(base)[0],
                    overrides,
                    n_samples=max(len(train) for train, _ in splits),
                )
            if reason is None:
                try:
                    for train, _ in splits:
                        entries.update(self._fit_group(base, X, y, train, overrides))
                except Exception as exc:  # the loop below reports it per candidate
                    reason = f"the batched fit failed ({type(exc).__name__}: {exc})"
            row = {
                "params": rest,
                "n_candidates": len(overrides),
                "batched": reason is None,
                "reason": reason,
            }
            report.append(row)
            if self.verbose > 0:
                how = (
                    f"batched, {len(splits)} fits of {len(overrides)} candidates"
                    if reason is None
                    else f"not batched: {reason}"
                )
                print(f"[batched search] {len(overrides)} candidate(s) {rest}: {how}")
        return entries, report

    @staticmethod
    def _fit_group(base, X, y, train, overrides):
        """One fold: earlier pipeline steps once, then the candidates together."""
        X_train, y_train = _safe_split(base, X, y, train)
        model = clone(base)
        final, _ = _final_step(model)
        if isinstance(model, Pipeline):
            X_train = Pipeline(model.steps[:-1]).fit_transform(X_train, y_train)
        with _batched.batch_request(final, overrides) as request:
            final.fit(X_train, y_train)
        return {
            (_batched.params_key(est), request.data_key): est
            for est in request.fitted
            if est is not None
        }


class GridSearchCV(_BatchedSearchMixin, _sk.GridSearchCV):
    """Exhaustive search over a parameter grid, candidates trained together.

    scikit-learn's :class:`~sklearn.model_selection.GridSearchCV` (same
    parameters, attributes, ``cv_results_``, refit, multi-metric scoring),
    with one difference in how the work is done: when ``estimator`` is one of
    our MLPs, or a Pipeline ending in one, the candidates of a fold that
    differ only in ``alpha``, ``l1_alpha``, ``learning_rate_init``,
    ``momentum``, ``dropout``, ``tol``, ``n_iter_no_change``, ``max_iter`` or
    ``random_state``
    train as one stacked model (the pipeline's earlier steps fit once per
    fold for them). Each candidate keeps its own stopping rule; without
    dropout its model equals a separate fit up to float32 rounding. Other
    candidates, and other estimators, run through scikit-learn's loop.

    Read more in the :ref:`User Guide <searching>`.

    Parameters
    ----------
    estimator : estimator object
        As in scikit-learn.

    param_grid : dict or list of dictionaries
        As in scikit-learn.

    scoring : str, callable, list, tuple or dict, default=None
        As in scikit-learn.

    n_jobs : int, default=None
        As in scikit-learn. The batched groups train in this process; the
        scoring loop then runs in threads.

    refit : bool, str, or callable, default=True
        As in scikit-learn: ``best_estimator_`` is a separate fit on all data.

    cv : int, cross-validation generator or an iterable, default=None
        As in scikit-learn. A splitter must give the same folds on each call
        (``shuffle=True`` needs a fixed ``random_state``) for the batched
        models to be used.

    verbose : int, default=0
        As in scikit-learn; with ``verbose > 0`` it also prints which groups
        of candidates trained batched.

    pre_dispatch : int or str, default="2*n_jobs"
        As in scikit-learn.

    error_score : "raise" or numeric, default=np.nan
        As in scikit-learn.

    return_train_score : bool, default=False
        As in scikit-learn.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in scikit-learn.

    best_estimator_ : estimator
        As in scikit-learn.

    best_score_ : float
        As in scikit-learn.

    best_params_ : dict
        As in scikit-learn.

    best_index_ : int
        As in scikit-learn.

    scorer_ : function or a dict
        As in scikit-learn.

    n_splits_ : int
        As in scikit-learn.

    refit_time_ : float
        As in scikit-learn.

    multimetric_ : bool
        As in scikit-learn.

    batched_groups_ : list of dict
        One entry per group of candidates that share everything but the
        batchable parameters: ``params`` (what they share), ``n_candidates``,
        ``batched`` and, when not batched, ``reason``.

    n_features_in_ : int
        As in scikit-learn.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        As in scikit-learn.

    See Also
    --------
    RandomizedSearchCV : The same over sampled candidates.
    sklearn.model_selection.GridSearchCV : The search this class extends.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mathdl import MLPClassifier
    >>> from sklearn_mathdl.model_selection import GridSearchCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> pipe = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
    >>> grid = {
    ...     "mlpclassifier__alpha": [0.1, 1.0],
    ...     "mlpclassifier__learning_rate_init": [1e-3, 1e-2],
    ... }
    >>> search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    >>> group = search.batched_groups_[0]
    >>> group["batched"], group["n_candidates"]
    (True, 4)
    >>> sorted(search.best_params_)
    ['mlpclassifier__alpha', 'mlpclassifier__learning_rate_init']
    """

    def _candidate_list(self):
        return list(ParameterGrid(self.param_grid))


class RandomizedSearchCV(_BatchedSearchMixin, _sk.RandomizedSearchCV):
    """Randomized search over parameter distributions, candidates trained together.

    scikit-learn's :class:`~sklearn.model_selection.RandomizedSearchCV` with
    the batched training of :class:`GridSearchCV`: sampled candidates that
    share an architecture train as one stacked model per fold.

    Read more in the :ref:`User Guide <searching>`.

    Parameters
    ----------
    estimator : estimator object
        As in scikit-learn.

    param_distributions : dict or list of dicts
        As in scikit-learn.

    n_iter : int, default=10
        As in scikit-learn.

    scoring : str, callable, list, tuple or dict, default=None
        As in scikit-learn.

    n_jobs : int, default=None
        As in scikit-learn. The batched groups train in this process; the
        scoring loop then runs in threads.

    refit : bool, str, or callable, default=True
        As in scikit-learn.

    cv : int, cross-validation generator or an iterable, default=None
        As in scikit-learn; see :class:`GridSearchCV`.

    verbose : int, default=0
        As in scikit-learn; with ``verbose > 0`` it also prints which groups
        of candidates trained batched.

    pre_dispatch : int or str, default="2*n_jobs"
        As in scikit-learn.

    random_state : int, RandomState instance or None, default=None
        As in scikit-learn: seeds the sampling of candidates (drawn once per
        fit).

    error_score : "raise" or numeric, default=np.nan
        As in scikit-learn.

    return_train_score : bool, default=False
        As in scikit-learn.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in scikit-learn.

    best_estimator_ : estimator
        As in scikit-learn.

    best_score_ : float
        As in scikit-learn.

    best_params_ : dict
        As in scikit-learn.

    best_index_ : int
        As in scikit-learn.

    scorer_ : function or a dict
        As in scikit-learn.

    n_splits_ : int
        As in scikit-learn.

    refit_time_ : float
        As in scikit-learn.

    multimetric_ : bool
        As in scikit-learn.

    batched_groups_ : list of dict
        As in :class:`GridSearchCV`.

    n_features_in_ : int
        As in scikit-learn.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        As in scikit-learn.

    See Also
    --------
    GridSearchCV : The same over a grid.
    sklearn.model_selection.RandomizedSearchCV : The search this class extends.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn_mathdl import MLPRegressor
    >>> from sklearn_mathdl.model_selection import RandomizedSearchCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     MLPRegressor(optimizer="adam", max_iter=30, random_state=0),
    ...     {"alpha": loguniform(1e-3, 10), "learning_rate_init": [1e-3, 1e-2]},
    ...     n_iter=4,
    ...     cv=3,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> search.batched_groups_[0]["batched"]
    True
    >>> len(search.cv_results_["params"])
    4
    """

    def _candidate_list(self):
        return list(
            ParameterSampler(
                self.param_distributions, self.n_iter, random_state=self.random_state
            )
        )
