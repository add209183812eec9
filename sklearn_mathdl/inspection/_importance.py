"""Feature importance with confidence intervals and p-values."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.validation import check_is_fitted

from sklearn_mathdl.inspection._gradient import (
    input_gradients,
    integrated_gradients,
)
from sklearn_mathdl.inspection._shapley import select_background, shapley_values

_METHODS = ("permutation", "shap", "gradient", "integrated_gradients")


def _per_sample_loss(estimator, X, y):
    """Loss of each row: squared error; log-loss (or 0-1 loss) for classifiers."""
    if is_classifier(estimator):
        if hasattr(estimator, "predict_proba"):
            proba = np.asarray(estimator.predict_proba(X))
            idx = np.searchsorted(estimator.classes_, y)
            return -np.log(np.clip(proba[np.arange(len(y)), idx], 1e-15, 1.0))
        return (np.asarray(estimator.predict(X)) != y).astype(float)
    pred = np.asarray(estimator.predict(X), dtype=float).reshape(len(y), -1)
    return ((np.asarray(y, dtype=float).reshape(len(y), -1) - pred) ** 2).mean(1)


def _permute_column(X, j, perm):
    if hasattr(X, "iloc"):
        Xp = X.copy()
        Xp.iloc[:, j] = X.iloc[perm, j].to_numpy()
        return Xp
    Xp = np.array(X, copy=True)
    Xp[:, j] = Xp[perm, j]
    return Xp


def _model_function(estimator, like):
    """The function whose output is explained, taking float64 rows.

    Regressors: ``predict`` as (n, n_outputs). Classifiers: ``predict_proba``;
    for two classes only the probability of ``classes_[1]``.
    """
    columns = getattr(like, "columns", None)

    def wrap(A):
        if columns is None:
            return A
        import pandas as pd

        return pd.DataFrame(A, columns=columns)

    if is_classifier(estimator) and hasattr(estimator, "predict_proba"):

        def f(A):
            p = np.asarray(estimator.predict_proba(wrap(A)), dtype=np.float64)
            return (
                p[:, 1:] if p.ndim == 2 and p.shape[1] == 2 else p.reshape(len(A), -1)
            )

        return f
    return lambda A: np.asarray(estimator.predict(wrap(A)), dtype=np.float64).reshape(
        len(A), -1
    )


def _permutation_once(estimator, X, y, n_repeats, rng):
    n, n_features = X.shape
    base = _per_sample_loss(estimator, X, y)
    per_sample = np.zeros((n, n_features))
    permuted_means = np.empty((n_repeats, n_features))
    for j in range(n_features):
        for r in range(n_repeats):
            loss = _per_sample_loss(
                estimator, _permute_column(X, j, rng.permutation(n)), y
            )
            per_sample[:, j] += loss - base
            permuted_means[r, j] = loss.mean()
    per_sample /= n_repeats
    return Bunch(
        contrib=per_sample,
        per_sample=per_sample,
        base_mean=base.mean(),
        permuted_means=permuted_means,
        base_values=None,
    )


def _attribution_once(estimator, X, method, opts, rng):
    """Per-sample attributions (n, d, n_outputs) for shap and gradient methods."""
    Xf = np.asarray(X, dtype=np.float64)
    if not np.isfinite(Xf).all():
        raise ValueError("X contains NaN or infinity.")
    if method == "gradient":
        values = input_gradients(estimator, Xf)
        base_values = None
    else:
        bg, weights = select_background(
            opts["background_source"], opts["background"], opts["n_background"], rng
        )
        if method == "shap":
            values, base_values = shapley_values(
                _model_function(estimator, X),
                Xf,
                bg,
                weights,
                n_permutations=opts["n_permutations"],
                rng=rng,
            )
        else:
            baseline = weights @ bg
            values = integrated_gradients(estimator, Xf, baseline)
            base_values = _model_function(estimator, X)(baseline[None, :])[0]
    contrib = np.abs(values).sum(axis=2)
    if values.shape[2] == 1:
        values = values[:, :, 0]
        if base_values is not None:
            base_values = base_values[0]
    return Bunch(contrib=contrib, per_sample=values, base_values=base_values)


def _take_rows(X, idx):
    return X.iloc[idx] if hasattr(X, "iloc") else X[idx]


def _with_probes(X, n_probes, rng):
    """X with ``n_probes`` shadow columns: permuted copies of its columns."""
    Xa = np.asarray(X, dtype=np.float64)
    n, d = Xa.shape
    probes = np.column_stack([Xa[rng.permutation(n), k % d] for k in range(n_probes)])
    if hasattr(X, "columns"):
        import pandas as pd

        names = [f"probe_{k}" for k in range(n_probes)]
        return pd.concat(
            [X.reset_index(drop=True), pd.DataFrame(probes, columns=names)], axis=1
        )
    return np.hstack([Xa, probes])


def _reseeded_clone(estimator, seed):
    model = clone(estimator)
    keys = [
        k
        for k in model.get_params(deep=True)
        if k == "random_state" or k.endswith("__random_state")
    ]
    return model.set_params(**{k: seed for k in keys})


def feature_importance(
    estimator,
    X,
    y=None,
    *,
    method="permutation",
    n_repeats=99,
    n_refits=0,
    n_probes="auto",
    background="kmeans",
    n_background=100,
    n_permutations=1,
    max_samples=None,
    confidence_level=0.95,
    n_bootstrap=1000,
    random_state=None,
):
    """Feature importance with a confidence interval and a p-value.

    Four measures, for one fitted model or over refits:

    - ``"permutation"``: the increase of the mean loss on held-out data when a
      column is permuted (squared error; log-loss for classifiers with
      ``predict_proba``), averaged over ``n_repeats`` permutations. Needs ``y``.
      Any estimator.
    - ``"shap"``: mean absolute interventional Shapley value, the estimand of
      shap's explainers with a background sample, estimated by our batched
      antithetic permutation sampler (see the user guide); any estimator.
      The explained output is ``predict`` for regressors and ``predict_proba``
      for classifiers (the probability of ``classes_[1]`` for two classes).
    - ``"gradient"``: mean absolute input gradient ``|df/dx_j|`` in the units
      of X, by autograd through a sklearn_mathdl classifier or regressor and
      the chain rule through StandardScaler, MinMaxScaler, MaxAbsScaler or
      RobustScaler steps in front of it; anything else raises a TypeError.
      The gradient is per unit of ``x_j``: multiply by a feature's spread to
      compare features on different scales.
    - ``"integrated_gradients"``: mean absolute integrated gradient
      (Sundararajan et al. 2017) from the background mean, same models as
      ``"gradient"``. Per row, the attributions add up to
      ``f(x) - f(baseline)``.

    Significance. A confidence interval says how precisely the importance of
    *this* model (or, with refits, of this training procedure) is estimated;
    it is not a test of relevance: the mean ``|SHAP|`` or ``|gradient|`` of
    a pure-noise feature is positive. p-values therefore come from a null:

    - ``"permutation"``: an exact randomization test. If feature j is
      independent of the target and the other features, the observed column
      is exchangeable with its permutations, so
      ``p = (1 + #{permuted loss <= observed loss}) / (n_repeats + 1)`` is a
      valid p-value (never below ``1 / (n_repeats + 1)``).
    - the other methods, with ``n_refits >= 1``: noise probes. Each refit
      appends ``n_probes`` shadow columns (permuted copies of the features,
      which carry no information about y) and refits a clone of the
      estimator; ``p_j = (1 + #{probes at least as important as j}) /
      (n_probes + 1)``, importances averaged over refits. This is the Boruta
      idea; it is exact when feature j and the probes are exchangeable (a
      noise feature with the same marginal distribution) and approximate
      otherwise. Without refits these methods return NaN p-values.

    With ``n_refits >= 1`` (needs ``y``), each refit fits
    ``clone(estimator)`` with a new ``random_state`` on a random two thirds
    of the rows and measures importance on the other third, so intervals
    include training randomness: they come from a two-stage bootstrap over
    refits and over rows.

    Parameters
    ----------
    estimator : estimator or Pipeline
        A fitted scikit-learn regressor or classifier when ``n_refits=0``;
        with refits it is cloned and fitted, so it may be unfitted.

    X : array-like of shape (n_samples, n_features)
        Numeric data. Permutation importance needs held-out rows (on training
        rows an overfitted model makes noise look important); the other
        methods describe the model wherever it is evaluated.

    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Targets of ``X``; needed for ``"permutation"`` and for refits.

    method : {"permutation", "shap", "gradient", "integrated_gradients"}, \
            default="permutation"
        The importance measure.

    n_repeats : int, default=99
        Permutations per feature for ``"permutation"`` (the p-value's
        resolution is ``1 / (n_repeats + 1)``).

    n_refits : int, default=0
        Number of refits over random states (0: use ``estimator`` as fitted).

    n_probes : int or "auto", default="auto"
        Shadow features per refit for the p-values of ``"shap"``,
        ``"gradient"`` and ``"integrated_gradients"``; "auto" uses
        ``max(n_features, 39)`` so that the smallest p-value is 0.025.

    background : {"kmeans", "random"} or array-like, default="kmeans"
        Background rows for ``"shap"`` (the distribution that "absent"
        features are drawn from) and the baseline of
        ``"integrated_gradients"`` (their weighted mean): ``n_background``
        weighted k-means centres of ``X`` computed in standardized units, with
        each coordinate snapped to an observed value (as ``shap.kmeans``
        does), ``n_background`` random rows of ``X``, or the given rows.

    n_background : int, default=100
        Size of the "kmeans" or "random" background.

    n_permutations : int, default=1
        Antithetic permutation pairs per (explained row, background row) pair
        for ``"shap"``. Each pair costs ``2 (n_features - 1)`` model rows per
        background row; more pairs, less Monte Carlo error (about
        ``1 / sqrt(n_permutations)``).

    max_samples : int, default=None
        Explain at most this many rows (drawn at random) for ``"shap"`` and
        the gradient methods; all rows when None.

    confidence_level : float, default=0.95
        Level of the confidence intervals.

    n_bootstrap : int, default=1000
        Bootstrap resamples for the intervals.

    random_state : int, RandomState instance or None, default=None
        Seeds permutations, background, probes, refit splits, refit seeds
        and the bootstrap.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``importances`` (n_features,): mean loss increase (permutation) or
        mean absolute attribution, summed over outputs;
        ``ci_low``, ``ci_high`` (n_features,): confidence interval;
        ``pvalues`` (n_features,): one-sided p-values (NaN where there is no
        null, see above);
        ``per_sample`` (n_rows, n_features) or (n_rows, n_features,
        n_outputs): per-row loss increases or signed attributions (rows of
        every refit, stacked);
        ``sample_index`` (n_rows,): the row of ``X`` each one belongs to;
        ``data`` (n_rows, n_features): those rows of X as float64 (None for
        permutation);
        ``base_values``: expected model output over the background (shap),
        the output at the baseline (integrated gradients), else None;
        ``importances_per_refit`` (max(n_refits, 1), n_features);
        ``feature_names`` (n_features,); ``method``.

    See Also
    --------
    plot_feature_importance : Bars with confidence-interval whiskers.
    to_shap_explanation : Per-sample values as a ``shap.Explanation``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_mathdl.inspection import feature_importance
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(400, 3)
    >>> y = 2 * X[:, 0] + rng.randn(400)
    >>> model = LinearRegression().fit(X[:200], y[:200])
    >>> res = feature_importance(model, X[200:], y[200:], random_state=0)
    >>> float(res.pvalues[0]), res.importances.shape
    (0.01, (3,))
    >>> res = feature_importance(model, X[200:], method="shap", random_state=0)
    >>> int(np.argmax(res.importances)), res.per_sample.shape
    (0, (200, 3))
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be in (0, 1), got {confidence_level}.")
    for name, value, low in (
        ("n_repeats", n_repeats, 1),
        ("n_refits", n_refits, 0),
        ("n_permutations", n_permutations, 1),
        ("n_bootstrap", n_bootstrap, 1),
    ):
        if not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    if not hasattr(X, "shape") or len(X.shape) != 2:
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features), got {X.ndim}-D.")
    n, n_features = X.shape
    if y is not None:
        y = np.asarray(y)
        if len(y) != n:
            raise ValueError(f"X has {n} rows but y has {len(y)}.")
    elif method == "permutation" or n_refits:
        raise ValueError(
            "y is required for method='permutation' and for refits "
            f"(method={method!r}, n_refits={n_refits})."
        )
    if n < 3:
        raise ValueError(f"feature_importance needs at least 3 rows, got {n}.")
    if n_refits == 0:
        check_is_fitted(estimator)
    if n_probes == "auto":
        n_probes = max(n_features, 39)
    elif not isinstance(n_probes, numbers.Integral) or n_probes < 1:
        raise ValueError(
            f"n_probes must be a positive integer or 'auto', got {n_probes!r}."
        )
    if hasattr(X, "columns"):
        names = np.asarray([str(c) for c in X.columns], dtype=object)
    else:
        names = np.asarray([f"x{j}" for j in range(n_features)], dtype=object)
    rng = check_random_state(random_state)
    opts = dict(
        background=background, n_background=n_background, n_permutations=n_permutations
    )

    def explained_rows(n_rows):
        if max_samples is None or method == "permutation" or max_samples >= n_rows:
            return np.arange(n_rows)
        return np.sort(rng.choice(n_rows, int(max_samples), replace=False))

    def run(model, X_eval, y_eval, source):
        if method == "permutation":
            return _permutation_once(model, X_eval, y_eval, n_repeats, rng)
        opts["background_source"] = np.asarray(source, dtype=np.float64)
        return _attribution_once(model, X_eval, method, opts, rng)

    if n_refits == 0:
        rows = explained_rows(n)
        one = run(estimator, _take_rows(X, rows), None if y is None else y[rows], X)
        refits = [(one, rows)]
        probe_means = None
    else:
        refits, probe_means = [], []
        stratify = y if is_classifier(estimator) else None
        for _ in range(n_refits):
            seed = int(rng.randint(2**31 - 1))
            try:
                fit_idx, eval_idx = train_test_split(
                    np.arange(n), test_size=1 / 3, random_state=seed, stratify=stratify
                )
            except ValueError:  # a class too small to stratify
                fit_idx, eval_idx = train_test_split(
                    np.arange(n), test_size=1 / 3, random_state=seed
                )
            eval_idx = eval_idx[explained_rows(len(eval_idx))]
            X_fit, X_eval = _take_rows(X, fit_idx), _take_rows(X, eval_idx)
            if method != "permutation":
                X_fit = _with_probes(X_fit, n_probes, rng)
                X_eval = _with_probes(X_eval, n_probes, rng)
            model = _reseeded_clone(estimator, seed).fit(X_fit, y[fit_idx])
            one = run(model, X_eval, y[eval_idx], X_fit)
            if method != "permutation":
                probe_means.append(one.contrib[:, n_features:].mean(axis=0))
                one.contrib = one.contrib[:, :n_features]
                one.per_sample = one.per_sample[:, :n_features]
            refits.append((one, eval_idx))

    per_refit = np.stack([one.contrib.mean(axis=0) for one, _ in refits])
    importances = per_refit.mean(axis=0)
    if method == "permutation":
        # pooled exact test: averaging over refits keeps exchangeability
        observed = np.mean([one.base_mean for one, _ in refits])
        permuted = np.mean([one.permuted_means for one, _ in refits], axis=0)
        pvalues = (1 + (permuted <= observed).sum(axis=0)) / (n_repeats + 1)
    elif probe_means:
        probes = np.mean(probe_means, axis=0)
        pvalues = (1 + (probes[None, :] >= importances[:, None]).sum(axis=1)) / (
            len(probes) + 1
        )
    else:
        pvalues = np.full(n_features, np.nan)
    boot = np.empty((n_bootstrap, n_features))
    for b in range(n_bootstrap):
        picks = rng.randint(0, len(refits), len(refits))
        boot[b] = np.mean(
            [
                refits[r][0]
                .contrib[rng.randint(0, len(refits[r][1]), len(refits[r][1]))]
                .mean(axis=0)
                for r in picks
            ],
            axis=0,
        )
    tail = (1 - confidence_level) / 2
    base_values = [one.base_values for one, _ in refits]
    return Bunch(
        importances=importances,
        ci_low=np.quantile(boot, tail, axis=0),
        ci_high=np.quantile(boot, 1 - tail, axis=0),
        pvalues=pvalues,
        per_sample=np.concatenate([one.per_sample for one, _ in refits]),
        sample_index=np.concatenate([rows for _, rows in refits]),
        data=None
        if method == "permutation"
        else np.asarray(X, dtype=np.float64)[
            np.concatenate([rows for _, rows in refits])
        ],
        base_values=None if base_values[0] is None else np.mean(base_values, axis=0),
        importances_per_refit=per_refit,
        feature_names=names,
        method=method,
    )


def to_shap_explanation(result):
    """Per-sample attributions of :func:`feature_importance` as a shap Explanation.

    For ``shap.plots.beeswarm``, ``shap.plots.scatter`` and the other plots
    of the shap package. Needs a result of ``method="shap"``, ``"gradient"``
    or ``"integrated_gradients"`` with a single output.

    Parameters
    ----------
    result : Bunch
        The output of :func:`feature_importance`.

    Returns
    -------
    explanation : shap.Explanation
        ``values`` the per-sample attributions, ``data`` the explained rows,
        ``base_values`` the expected output (shap) or the baseline output.

    Examples
    --------
    >>> import numpy as np
    >>> import shap
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_mathdl.inspection import feature_importance, to_shap_explanation
    >>> X = np.random.RandomState(0).randn(100, 3)
    >>> model = LinearRegression().fit(X, X @ [1.0, 2.0, 0.0])
    >>> res = feature_importance(model, X, method="shap", random_state=0)
    >>> expl = to_shap_explanation(res)
    >>> expl.values.shape
    (100, 3)
    """
    import shap

    if result.method == "permutation":
        raise ValueError(
            "Permutation importance has per-row loss increases, not attributions; "
            "use method='shap', 'gradient' or 'integrated_gradients'."
        )
    if result.per_sample.ndim != 2:
        raise ValueError(
            "The result has several outputs; select one first, e.g. "
            "result.per_sample[:, :, k]."
        )
    base = 0.0 if result.base_values is None else float(result.base_values)
    return shap.Explanation(
        values=result.per_sample,
        base_values=np.full(len(result.per_sample), base),
        data=result.data,
        feature_names=list(result.feature_names),
    )


def plot_feature_importance(result, *, ax=None, alpha=0.05):
    """Horizontal bars of importances with confidence-interval whiskers.

    Features significant at ``alpha`` are filled, the others hollow.

    Parameters
    ----------
    result : Bunch
        The output of :func:`feature_importance`.

    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    alpha : float, default=0.05
        Significance level that decides the bar style.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.3 * len(result.importances) + 1.2))
    order = np.argsort(result.importances)
    pos = np.arange(len(order))
    imp = result.importances[order]
    err = np.vstack([imp - result.ci_low[order], result.ci_high[order] - imp])
    filled = result.pvalues[order] < alpha
    ax.barh(
        pos,
        imp,
        xerr=np.clip(err, 0, None),
        capsize=2,
        edgecolor="C0",
        color=["C0" if f else "white" for f in filled],
    )
    ax.set_yticks(pos)
    ax.set_yticklabels(result.feature_names[order])
    ax.axvline(0, color="k", lw=0.8)
    measure = {
        "permutation": "loss increase when permuted",
        "shap": "mean |SHAP value|",
        "gradient": "mean |gradient|",
        "integrated_gradients": "mean |integrated gradient|",
    }[result.get("method", "permutation")]
    # whiskers and fill answer different questions (how precise the estimate
    # is; whether the feature matters at all): say so on the axis
    ax.set_xlabel(
        f"{measure}\nwhiskers: bootstrap CI of the estimate; "
        f"filled: p < {alpha} against no importance"
    )
    return ax
