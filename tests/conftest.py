"""Shared fixtures: small bundled data, capped threads, the cuda marker."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_iris, make_regression
from sklearn.preprocessing import StandardScaler

# pytest-xdist runs one worker per core (pyproject's addopts); more torch threads
# than cores makes small torch ops much slower, so each worker uses one.
torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA (torch.cuda.is_available() is False)")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(np.float32), y


@pytest.fixture(scope="session")
def binary_data():
    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.RandomState(0)
    idx = rng.choice(len(X), 200, replace=False)
    X = StandardScaler().fit_transform(X[idx]).astype(np.float32)
    return X, y[idx]


@pytest.fixture(scope="session")
def regression_data():
    X, y = make_regression(
        n_samples=200, n_features=5, n_informative=5, noise=1.0, random_state=0
    )
    return X.astype(np.float32), y
