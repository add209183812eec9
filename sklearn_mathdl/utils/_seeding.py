"""Seeding helpers that never touch the global numpy, python or torch seeds."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib

import torch
from sklearn.utils import check_random_state

_MAX_SEED = 2**31 - 1


def draw_seed(random_state):
    """Draw one integer seed from a ``random_state`` (None, int or RandomState)."""
    return int(check_random_state(random_state).randint(_MAX_SEED))


@contextlib.contextmanager
def torch_seed(seed, device):
    """Run a block under ``torch.manual_seed(seed)`` and restore the RNG after.

    The global torch generator (CPU, and the CUDA generator of ``device`` when it
    is a GPU) is forked, so code outside the block sees no change.
    """
    devices = []
    device_type = None
    if device.type != "cpu":
        device_type = device.type
        if device.type == "cuda":
            devices = [device.index if device.index is not None else 0]
    with torch.random.fork_rng(devices=devices, device_type=device_type):
        torch.manual_seed(int(seed) % (2**63 - 1))
        yield
