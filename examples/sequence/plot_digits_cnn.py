"""
===========================================
A convolutional network on 8x8 digit images
===========================================

sklearn's handwritten digits are 8x8 grey images stored as 64 flat columns.
:class:`~sklearn_mathdl.CNNClassifier` takes them flat behind a
``StandardScaler`` in a ``Pipeline``: ``input_shape=(1, 8, 8)`` tells it how to
fold each row back into a one-channel image, so the convolutions see the
pixel grid and not a bag of features. We compare it with sklearn's SVC and
MLP on one held-out split, then show the filters of the first layer and the
digits it gets wrong. (The 5-fold accuracies are in
``benchmarks/bench_sequence.py``: CNN 0.989, SVC 0.981.)
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_mathdl import CNNClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

models = {
    "CNNClassifier": make_pipeline(
        StandardScaler(),
        CNNClassifier(
            n_filters=(16, 32, 32),
            input_shape=(1, 8, 8),
            batch_size=32,
            max_iter=15,
            random_state=0,
        ),
    ),
    "SVC (rbf)": make_pipeline(StandardScaler(), SVC()),
    "MLPClassifier (sklearn)": make_pipeline(
        StandardScaler(), MLPClassifier(max_iter=500, random_state=0)
    ),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    print(f"{name:24s} test accuracy {model.score(X_test, y_test):.3f}")

# %%
# The first convolution's 3x3 filters: edge and stroke detectors learned
# from 1,347 images.
cnn = models["CNNClassifier"][-1]
first_conv = next(m for m in cnn.module_.modules() if m.__class__.__name__ == "Conv2d")
filters = first_conv.weight.detach().cpu().numpy()[:, 0]
fig, axes = plt.subplots(2, 8, figsize=(8, 2.2))
for ax, f in zip(axes.ravel(), filters, strict=False):
    ax.imshow(f, cmap="RdBu_r", vmin=-np.abs(f).max(), vmax=np.abs(f).max())
    ax.set_axis_off()
fig.suptitle("first-layer filters")

# %%
# The test digits the CNN misclassifies, with its prediction.
pred = models["CNNClassifier"].predict(X_test)
wrong = np.flatnonzero(pred != y_test)[:8]
fig, axes = plt.subplots(1, max(len(wrong), 1), figsize=(8, 1.6), squeeze=False)
for ax, i in zip(axes[0], wrong, strict=False):
    ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{y_test[i]} -> {pred[i]}", fontsize=9)
for ax in axes[0]:
    ax.set_axis_off()
plt.show()
