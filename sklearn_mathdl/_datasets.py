"""The development suite: loaders of the data sets defaults are tuned on."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

# One place for the data of ``benchmarks/bench_defaults.py``, the tour and the
# tests. Every loader reads data shipped inside an installed package (no
# download). Optional packages (palmerpenguins, statsmodels, aeon) are imported
# when their data set is asked for, with an error that names the package.

from dataclasses import dataclass

import numpy as np


@dataclass
class Dataset:
    """One data set of the suite.

    ``X_test``/``y_test`` are set for data with a published train/test split
    (the aeon series); the tabular sets are cross-validated.
    """

    name: str
    task: str  # "classification" or "regression"
    kind: str  # "tabular", "series" or "synthetic"
    X: object
    y: np.ndarray
    X_test: object = None
    y_test: np.ndarray = None


def _need(module, package):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - the tests extra installs them
        raise ImportError(
            f"This data set ships with the {package!r} package: pip install "
            f"{package} (or the project's 'tests' extra)."
        ) from exc


def _sklearn(loader, task):
    def load():
        import sklearn.datasets as skd

        X, y = getattr(skd, loader)(return_X_y=True)
        return task, np.asarray(X, dtype=np.float64), y

    return load


def _penguins():
    palmerpenguins = _need("palmerpenguins", "palmerpenguins")
    df = palmerpenguins.load_penguins().dropna()
    y = df["species"].to_numpy()
    X = df.drop(columns=["species", "year"], errors="ignore")
    import pandas as pd

    X = pd.get_dummies(X, columns=["island", "sex"], dtype=float)
    return "classification", X.to_numpy(dtype=np.float64), y


def _fair():
    sm = _need("statsmodels.api", "statsmodels")
    df = sm.datasets.fair.load_pandas().data
    y = (df["affairs"] > 0).astype(int).to_numpy()
    X = df.drop(columns=["affairs"]).to_numpy(dtype=np.float64)
    return "classification", X, y


def _randhie():
    sm = _need("statsmodels.api", "statsmodels")
    df = sm.datasets.randhie.load_pandas().data
    y = df["mdvis"].to_numpy(dtype=np.float64)
    X = df.drop(columns=["mdvis"]).to_numpy(dtype=np.float64)
    return "regression", X, y


TABULAR = {
    "breast_cancer": _sklearn("load_breast_cancer", "classification"),
    "wine": _sklearn("load_wine", "classification"),
    "iris": _sklearn("load_iris", "classification"),
    "digits": _sklearn("load_digits", "classification"),
    "diabetes": _sklearn("load_diabetes", "regression"),
    "penguins": _penguins,
    "fair": _fair,
    "randhie": _randhie,
}

SERIES = ("GunPoint", "JapaneseVowels", "OSULeaf", "ACSF1")

SYNTHETIC = ("moons", "circles")

ALL = (*TABULAR, *SERIES, *SYNTHETIC)


def _series(name):
    datasets = _need("aeon.datasets", "aeon")
    X, y = datasets.load_classification(name, split="train")
    X_test, y_test = datasets.load_classification(name, split="test")

    def as_array(X):
        if isinstance(X, np.ndarray):
            return X.astype(np.float32)
        # unequal lengths (JapaneseVowels): a list of (channels, time) arrays
        return [np.asarray(x, dtype=np.float32) for x in X]

    return Dataset(
        name,
        "classification",
        "series",
        as_array(X),
        np.asarray(y),
        as_array(X_test),
        np.asarray(y_test),
    )


def _synthetic(name):
    from sklearn.datasets import make_circles, make_moons
    from sklearn.model_selection import train_test_split

    if name == "moons":
        X, y = make_moons(1000, noise=0.2, random_state=0)
    else:
        X, y = make_circles(1000, noise=0.1, factor=0.5, random_state=0)
    X, X_test, y, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    return Dataset(name, "classification", "synthetic", X, y, X_test, y_test)


def load(name):
    """Load one data set of the development suite by name (see ``ALL``)."""
    if name in TABULAR:
        task, X, y = TABULAR[name]()
        return Dataset(name, task, "tabular", X, y)
    if name in SERIES:
        return _series(name)
    if name in SYNTHETIC:
        return _synthetic(name)
    raise ValueError(f"Unknown data set {name!r}; choose from {list(ALL)}.")


def cv_splitter(task, n_splits=5, random_state=0):
    """The suite's cross-validation: shuffled (stratified) K folds."""
    from sklearn.model_selection import KFold, StratifiedKFold

    if task == "classification":
        return StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    return KFold(n_splits, shuffle=True, random_state=random_state)


# ------------------------------------------------------ generative suite
# (benchmarks/bench_generative.py, the GAN gallery and tests): training and
# held-out draws of the same law, in the data's own units.
RING_RADIUS, RING_STD, RING_MODES = 2.0, 0.02, 8


def ring_centers(n_modes=RING_MODES, radius=RING_RADIUS):
    """The modes of the ring: ``n_modes`` points evenly spaced on a circle."""
    angle = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def ring_of_gaussians(n, *, std=RING_STD, random_state=None):
    """``n`` draws of the mixture of 8 Gaussians (std 0.02) on a circle of
    radius 2, each mode with probability 1/8 (Metz et al. 2017's ring)."""
    rng = np.random.default_rng(random_state)
    centers = ring_centers()
    k = rng.integers(0, len(centers), n)
    return centers[k] + std * rng.standard_normal((n, 2))


def swiss_roll_2d(n, *, noise=0.25, random_state=None):
    """scikit-learn's swiss roll seen from above: its (x, z) coordinates."""
    from sklearn.datasets import make_swiss_roll

    X, _ = make_swiss_roll(n, noise=noise, random_state=random_state)
    return X[:, [0, 2]]


def digits_split(random_state=0):
    """The digits' stratified 70/30 split: X, X_test, y, y_test (the
    generative suite's digits; its labels train the benchmark's classifier)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, random_state=random_state, stratify=y)


def generative(name, n=2000, random_state=0):
    """(training rows, held-out rows) of a generative data set: "ring", "moons"
    (noise 0.05), "swiss_roll" (2-D) or "digits" (8 x 8 images, flat)."""
    if name == "digits":
        X, X_test, _, _ = digits_split(random_state)
        return X, X_test
    if name == "ring":
        draw = ring_of_gaussians
    elif name == "moons":
        from sklearn.datasets import make_moons

        def draw(n, random_state):
            return make_moons(n, noise=0.05, random_state=random_state)[0]
    elif name == "swiss_roll":
        draw = swiss_roll_2d
    else:
        raise ValueError(
            f"Unknown generative data set {name!r}; choose from ring, moons, "
            "swiss_roll, digits."
        )
    return draw(n, random_state=random_state), draw(n, random_state=random_state + 1)
