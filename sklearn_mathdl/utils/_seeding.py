"""Seeding helpers that never touch the global numpy, python or torch seeds."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import threading

import torch
from sklearn.utils import check_random_state

_MAX_SEED = 2**31 - 1

# torch has one global generator per device and no per-thread one: weight
# initialization, dropout masks and reparameterization noise draw from it. A
# seeded block holds this lock, so that fits in concurrent threads (joblib's
# threading backend, Dask threads, a web server's workers) cannot interleave
# their draws: the same random_state gives the same model in any thread. Such
# blocks run one at a time; processes (joblib's default) run in parallel.
_GLOBAL_RNG_LOCK = threading.RLock()


def draw_seed(random_state):
    """Draw one integer seed from a ``random_state`` (None, int or RandomState)."""
    return int(check_random_state(random_state).randint(_MAX_SEED))


@contextlib.contextmanager
def torch_seed(seed, device):
    """Run a block under ``torch.manual_seed(seed)`` and restore the RNG after.

    The global torch generator (CPU, and the CUDA generator of ``device`` when it
    is a GPU) is forked, so code outside the block sees no change; the block
    holds a process-wide lock, so no other thread draws from it meanwhile.
    """
    devices = []
    device_type = None
    if device.type != "cpu":
        device_type = device.type
        if device.type == "cuda":
            devices = [device.index if device.index is not None else 0]
    with (
        _GLOBAL_RNG_LOCK,
        torch.random.fork_rng(devices=devices, device_type=device_type),
    ):
        torch.manual_seed(int(seed) % (2**63 - 1))
        yield
