"""Held-out log-likelihood of the VAE vs PCA and FactorAnalysis on digits.

sklearn's digits, standardized inside each fold (StandardScaler fitted on the
training folds), 5-fold CV. For each latent dimension k in {2, 5, 10}: the mean
held-out log-likelihood per sample of PCA(n_components=k).score,
FactorAnalysis(n_components=k).score and VariationalAutoencoder(n_components=k)
scored by the IWAE bound with 100 importance samples (a lower bound on its
log-likelihood, so the comparison is conservative for the VAE).

Run ``python benchmarks/bench_vae.py`` (``--quick``: 2 folds, fewer epochs).
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time
import warnings

import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA, FactorAnalysis
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mathdl import VariationalAutoencoder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    X = load_digits().data
    cv = KFold(2 if args.quick else 5, shuffle=True, random_state=0)
    max_iter = 30 if args.quick else 300
    print("| k | PCA | FactorAnalysis | VAE (IWAE, 100 samples) | VAE fit s |")
    print("|---|---|---|---|---|")
    for k in (2, 5, 10):
        res = {}
        for name, model in [
            ("PCA", PCA(n_components=k)),
            ("FA", FactorAnalysis(n_components=k, random_state=0)),
            (
                "VAE",
                VariationalAutoencoder(
                    n_components=k,
                    n_importance_samples=100,
                    max_iter=max_iter,
                    early_stopping=True,
                    validation_fraction=0.1,
                    n_iter_no_change=20,
                    random_state=0,
                ),
            ),
        ]:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                scores = cross_val_score(
                    make_pipeline(StandardScaler(), model), X, cv=cv
                )
            res[name] = (scores.mean(), scores.std(), time.perf_counter() - start)
        print(
            f"| {k} | {res['PCA'][0]:.2f} +- {res['PCA'][1]:.2f} | "
            f"{res['FA'][0]:.2f} +- {res['FA'][1]:.2f} | "
            f"{res['VAE'][0]:.2f} +- {res['VAE'][1]:.2f} | {res['VAE'][2]:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
