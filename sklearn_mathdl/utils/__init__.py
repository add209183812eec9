"""Public utilities: device resolution and estimator discovery."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import torch

_DEVICE_TYPES = ("cpu", "cuda", "mps")


def check_device(device):
    """Resolve a ``device`` parameter into an available :class:`torch.device`.

    Parameters
    ----------
    device : {"cpu", "cuda", "mps", "auto"}, str or torch.device
        The requested device. ``"auto"`` picks CUDA, then MPS, then the CPU.
        Strings with an index such as ``"cuda:1"`` are accepted.

    Returns
    -------
    device : torch.device
        The resolved device.

    Raises
    ------
    ValueError
        If the device is unknown or not available on this machine.

    Examples
    --------
    >>> from sklearn_mathdl.utils import check_device
    >>> check_device("cpu")
    device(type='cpu')
    """
    if isinstance(device, str) and device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if isinstance(device, torch.device):
        dev = device
    elif isinstance(device, str):
        try:
            dev = torch.device(device)
        except RuntimeError:
            dev = None
        if dev is None or dev.type not in _DEVICE_TYPES:
            raise ValueError(
                f"Unknown device {device!r}: expected 'cpu', 'cuda', 'cuda:N', "
                "'mps', 'auto' or a torch.device."
            )
    else:
        raise ValueError(
            f"device must be a string or a torch.device, got {type(device).__name__}."
        )
    if dev.type not in _DEVICE_TYPES:
        raise ValueError(f"Unsupported device type {dev.type!r}; use cpu, cuda or mps.")
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on this "
                "machine (torch.cuda.is_available() is False). Use device='cpu' or "
                "device='auto'."
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but only "
                f"{torch.cuda.device_count()} CUDA device(s) are visible."
            )
    if dev.type == "mps" and not _mps_available():
        raise ValueError(
            f"device={device!r} was requested but MPS is not available on this machine."
        )
    return dev


def _mps_available():
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


__all__ = ["check_device"]
