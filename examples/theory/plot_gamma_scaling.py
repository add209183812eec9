"""
===========================================================
Between the NTK and mean field: test accuracy against gamma
===========================================================

A one-hidden-layer network of width N with readout ``a.h / N^gamma`` interpolates
between the NTK (lazy) scaling, gamma = 1/2, and the mean-field one, gamma = 1
(the book's section 20.6). With plain SGD and the step ``eta * N^(2 gamma - 1)``
that keeps the output's change per step O(1) at every width,
``MLPClassifier(scaling=gamma, optimizer="sgd")`` reproduces the finding of Yu and
Spiliopoulos ("Normalization effects on shallow neural networks"): after the
same number of epochs at the same eta, test accuracy rises as gamma goes from
1/2 to 1, at both widths. The hidden weights move like N^(gamma - 1): hardly at
all in the lazy regime, O(1) in mean field, where the network learns features.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, random_state=0, stratify=y
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

gammas = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
accuracy = {}
for width in (512, 2048):
    for gamma in gammas:
        scores = [
            MLPClassifier(
                hidden_layer_sizes=(width,),
                scaling=gamma,
                optimizer="sgd",
                momentum=0.0,
                learning_rate_init=0.1,
                batch_size=64,
                max_iter=20,
                n_iter_no_change=np.inf,
                alpha=0.0,
                random_state=seed,
            )
            .fit(X_train, y_train)
            .score(X_test, y_test)
            for seed in range(3)
        ]
        accuracy[width, gamma] = (np.mean(scores), np.std(scores))
        print(f"N={width:5d} gamma={gamma:.1f}: test accuracy {np.mean(scores):.3f}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for width in (512, 2048):
    mean = [accuracy[width, g][0] for g in gammas]
    std = [accuracy[width, g][1] for g in gammas]
    ax.errorbar(gammas, mean, yerr=std, marker="o", capsize=3, label=f"N = {width}")
ax.set(
    xlabel="gamma (1/2: NTK scaling, 1: mean field)",
    ylabel="test accuracy (digits, 20 SGD epochs)",
    title="Readout a.h / N^gamma, step eta N^(2 gamma - 1)",
)
ax.legend()
fig.tight_layout()
plt.show()
