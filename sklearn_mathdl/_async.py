"""Asynchronous (Hogwild) epochs for the engine: worker processes that update
weights held in shared memory (see :func:`sklearn_mathdl.distributed.asynchronous`).

The parent process keeps the skorch net and its callbacks; for every
training epoch it hands each worker the learning rates of the moment and
waits for the batch losses. Workers are forked once per fit, when the first
epoch starts, so they inherit the net, its dataset and its batch iterator
without pickling; the weights (and buffers) were moved to shared memory
just before, so every worker's in-place optimizer step is seen by all.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import multiprocessing
import signal
import traceback

import numpy as np
import torch

# seconds a worker gets to exit after being told to stop, before it is killed
_JOIN_TIMEOUT = 10.0


def _worker_main(net, iterator, index, n_workers, conn, counter, threads, seed):
    """A worker's loop: one epoch of its share of the batches per message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    torch.set_num_threads(threads)
    torch.manual_seed(seed)  # its own dropout masks
    iterator.select = (index, n_workers)
    lock = counter.get_lock()
    stale = []

    def counted_step(batch):
        read = counter.value  # the weights the gradient will see
        step = net.train_step(batch)
        with lock:  # this update lands: count it
            written = counter.value
            counter.value = written + 1
        stale.append(written - read)
        return step

    while True:
        message = conn.recv()
        if message is None:
            return
        try:
            for optimizer, lrs in zip(net.optimizers(), message, strict=True):
                for group, lr in zip(optimizer.param_groups, lrs, strict=True):
                    group["lr"] = lr
            stale.clear()
            # the engine's own batch loop, with each step counted
            losses, data_losses, rows = net._batches(iterator, True, counted_step)
            conn.send(
                (
                    "ok",
                    [float(v) for v in losses],
                    [float(v) for v in data_losses],
                    rows,
                    list(stale),
                )
            )
        except BaseException as exc:  # reported to the parent, which raises
            conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
            return


class HogwildPool:
    """``n_workers`` forked processes training one net's shared weights."""

    def __init__(self, net, iterator, context, seed):
        self.n_workers = context.n_workers
        net.module_.share_memory()
        mp = multiprocessing.get_context("fork")
        self.counter = mp.Value("q", 0)
        self.staleness = []
        self._conns, self._procs = [], []
        for k in range(self.n_workers):
            ours, theirs = mp.Pipe()
            proc = mp.Process(
                target=_worker_main,
                args=(
                    net,
                    iterator,
                    k,
                    self.n_workers,
                    theirs,
                    self.counter,
                    context.threads_per_worker,
                    (int(seed) + 1_000_003 * (k + 1)) % 2**63,
                ),
                daemon=True,
            )
            proc.start()
            theirs.close()
            self._conns.append(ours)
            self._procs.append(proc)

    def run_epoch(self, net):
        """One epoch over all the workers: the batch losses, data losses and
        rows, in the order of the epoch's batches."""
        lrs = [[g["lr"] for g in opt.param_groups] for opt in net.optimizers()]
        for conn in self._conns:
            conn.send(lrs)
        parts = []
        for k, conn in enumerate(self._conns):
            try:
                reply = conn.recv()
            except EOFError:
                code = self._procs[k].exitcode
                raise RuntimeError(
                    f"Asynchronous worker {k} died (exit code {code})."
                ) from None
            if reply[0] == "error":
                raise RuntimeError(
                    f"Asynchronous worker {k} failed: {reply[1]}\n{reply[2]}"
                )
            parts.append(reply[1:])
        # batch j went to worker j mod K: interleave back into epoch order
        out = [[], [], []]
        n_max = max(len(p[0]) for p in parts)
        for j in range(n_max):
            for part in parts:
                if j < len(part[0]):
                    for field in range(3):
                        out[field].append(part[field][j])
        for part in parts:
            self.staleness.extend(part[3])
        return out

    def close(self):
        """Stop the workers (told to, then killed if they hang)."""
        for conn in self._conns:
            try:
                conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for proc in self._procs:
            proc.join(_JOIN_TIMEOUT)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for conn in self._conns:
            conn.close()
        self._conns, self._procs = [], []
        return np.asarray(self.staleness, dtype=np.int64)
