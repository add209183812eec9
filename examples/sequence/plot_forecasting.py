"""
====================================================
Forecasting yearly sunspots with a recurrent network
====================================================

The yearly sunspot numbers 1700-2008 shipped with statsmodels. Each sample is
the last 20 years; the target is the next year. We train on the years up to
1958 and forecast the following 50 years one step ahead, comparing an
:class:`~sklearn_mathdl.RNNRegressor` (GRU) with two baselines: the naive
forecast (next year = this year) and a linear autoregression on the same
window (ridge regression). :func:`~sklearn_mathdl.timeseries.make_windows`
builds the windows without leaking the future.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
import matplotlib.pyplot as plt
import statsmodels.api as sm
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error

from sklearn_mathdl import RNNRegressor
from sklearn_mathdl.timeseries import make_windows

data = sm.datasets.sunspots.load_pandas().data
years = data["YEAR"].to_numpy().astype(int)
series = data["SUNACTIVITY"].to_numpy()
window = 20
X, y = make_windows(series, window=window)
target_years = years[window:]
train = target_years <= 1958
scale = series[: window + train.sum()].std()  # training statistics only

# %%
# Fit on the past, forecast the last 50 years one step ahead.
rnn = RNNRegressor(
    cell="gru",
    hidden_size=32,
    learning_rate_init=3e-3,
    batch_size=32,
    max_iter=80,
    random_state=0,
)
rnn.fit(X[train] / scale, y[train])
forecasts = {
    "naive (last value)": X[~train, -1],
    "linear AR(20)": RidgeCV().fit(X[train], y[train]).predict(X[~train]),
    "GRU": rnn.predict(X[~train] / scale),
}
for name, pred in forecasts.items():
    print(f"{name:20s} MAE {mean_absolute_error(y[~train], pred):.1f}")

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(target_years[~train], y[~train], "k", lw=2, label="observed")
for name, pred in forecasts.items():
    ax.plot(target_years[~train], pred, label=name)
ax.set_xlabel("year")
ax.set_ylabel("sunspot number")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
