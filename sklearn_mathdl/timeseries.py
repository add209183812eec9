"""Time-series helpers: supervised windows for forecasting."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

__all__ = ["make_windows"]


def make_windows(series, window, *, horizon=1, step=1):
    """Turn a series into (past window, future value) pairs for forecasting.

    Row i of ``X`` holds ``series[t - window : t]`` and ``y[i]`` is
    ``series[t + horizon - 1]``, for ``t = window, window + step, ...``, so a
    model fitted on ``(X, y)`` forecasts ``horizon`` steps ahead from the last
    ``window`` observations. Nothing from the future leaks into ``X``.

    Parameters
    ----------
    series : array-like of shape (n_timepoints,) or (n_timepoints, n_channels)
        The observations in time order; several channels are predicted jointly
        (``y`` then has one column per channel).

    window : int
        Number of past observations per sample.

    horizon : int, default=1
        How many steps ahead the target lies.

    step : int, default=1
        Stride between consecutive windows.

    Returns
    -------
    X : ndarray of shape (n_windows, window) or (n_windows, n_channels, window)
        2-D for a one-channel series (works with every estimator), else
        channels first, as the sequence estimators take it.

    y : ndarray of shape (n_windows,) or (n_windows, n_channels)
        The targets.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.timeseries import make_windows
    >>> X, y = make_windows(np.arange(6.0), window=3)
    >>> X
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    >>> y
    array([3., 4., 5.])
    """
    values = np.asarray(series, dtype=np.float64)
    if values.ndim not in (1, 2):
        raise ValueError(f"series must be 1-D or 2-D, got {values.ndim}-D.")
    for name, v in (("window", window), ("horizon", horizon), ("step", step)):
        if int(v) != v or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}.")
    if not np.isfinite(values).all():
        raise ValueError("series contains NaN or infinity.")
    one_channel = values.ndim == 1
    values = values.reshape(len(values), -1)
    ends = np.arange(window, len(values) - horizon + 1, step)
    if len(ends) == 0:
        raise ValueError(
            f"series of length {len(values)} is too short for window={window} and "
            f"horizon={horizon}."
        )
    idx = ends[:, None] - window + np.arange(window)[None, :]
    X = values[idx].transpose(0, 2, 1)  # (n, channels, window)
    y = values[ends + horizon - 1]
    if one_channel:
        return X[:, 0, :], y[:, 0]
    return X, y
