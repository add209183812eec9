"""
=================================================================
Time-series classification: GunPoint with a CNN and a transformer
=================================================================

UCR's GunPoint (shipped inside aeon's wheel): 150 timepoints of a hand's
x-coordinate while an actor draws a gun or only points, 50 training and 150
test series. The inputs are 3-D arrays ``(n_series, n_channels,
n_timepoints)``, as in aeon and sktime. We z-normalize each series (the UCR
convention), fit a fully convolutional network
(:class:`~sklearn_mathdl.CNNClassifier`: convolutions, batch norm, global
average pooling) and a :class:`~sklearn_mathdl.TransformerEncoderClassifier`
over the timepoints, and compare with the 1-nearest-neighbour baseline on the
Euclidean distance. Published test accuracies: 1-NN Euclidean 0.913, 1-NN DTW
0.907, FCN 1.000. ``benchmarks/bench_sequence.py`` also runs an RNN and a
longer transformer schedule.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
import matplotlib.pyplot as plt
import numpy as np
from aeon.datasets import load_classification
from sklearn.neighbors import KNeighborsClassifier

from sklearn_mathdl import CNNClassifier, TransformerEncoderClassifier

X_train, y_train = load_classification("GunPoint", split="train")
X_test, y_test = load_classification("GunPoint", split="test")


def znorm(X):
    return (X - X.mean(axis=-1, keepdims=True)) / X.std(axis=-1, keepdims=True)


X_train, X_test = znorm(X_train), znorm(X_test)
print("train", X_train.shape, "test", X_test.shape)

# %%
# The CNN is configured as the FCN of the literature (wider blocks, batches of
# 16, its whole 300-epoch budget: ``n_iter_no_change`` = ``max_iter``); the
# transformer keeps its defaults (patches of 3 timepoints, the mean of the
# tokens, a 3e-4 step), which is what a new user gets.
models = {
    "1-NN (Euclidean)": KNeighborsClassifier(n_neighbors=1),
    "CNNClassifier": CNNClassifier(
        n_filters=(64, 128, 64),
        batch_size=16,
        max_iter=300,
        n_iter_no_change=300,
        random_state=0,
    ),
    "TransformerEncoderClassifier": TransformerEncoderClassifier(random_state=0),
}
scores = {}
for name, model in models.items():
    # the 1-NN baseline takes flat rows; our estimators take the 3-D array
    X_fit = X_train[:, 0] if name.startswith("1-NN") else X_train
    X_eval = X_test[:, 0] if name.startswith("1-NN") else X_test
    scores[name] = model.fit(X_fit, y_train).score(X_eval, y_test)
    print(f"{name:30s} test accuracy {scores[name]:.3f}")

# %%
# Two training series of each class, and the CNN's training curve.
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3))
for label, color in zip(np.unique(y_train), ["C0", "C1"], strict=True):
    for series in X_train[y_train == label][:2, 0]:
        ax0.plot(series, color=color, alpha=0.8)
    ax0.plot([], color=color, label=f"class {label}")
ax0.set_xlabel("time")
ax0.legend()
ax0.set_title("GunPoint (z-normalized)")
ax1.plot(models["CNNClassifier"].loss_curve_, label="CNN")
ax1.plot(models["TransformerEncoderClassifier"].loss_curve_, label="transformer")
ax1.set_yscale("log")
ax1.set_xlabel("epoch")
ax1.set_ylabel("training loss")
ax1.legend()
fig.tight_layout()
plt.show()
