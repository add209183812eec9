"""``alpha="auto"``: the L2 penalty chosen from the data before training.

At its initialization a network is a random-features model: its readout (the
last linear layer) is a linear model on the features ``h(x)`` computed by the
hidden layers with their initial weights. For a linear model the ridge
penalty can be chosen without any training, by generalized cross-validation
(GCV; Golub, Heath and Wahba 1979, a rotation-invariant form of leave-one-out
with a closed form in the eigenvalues of the Gram matrix). :func:`auto_alpha`
chooses it twice, for the random features ``h(x)`` alone and for ``h(x)``
joined by the inputs ``x`` (what trained hidden layers can pass on linearly:
a target linear in 100 inputs is poorly fitted by 50 random ReLU features,
and GCV on those alone calls it noise), keeps the smaller of the two
penalties (the trained network can use either representation), and converts
it into the network's ``alpha``: with the loss ``mean squared error + 0.5 *
alpha * ||W||^2 / batch_weight`` the readout's ridge problem is
``||y - H w||^2 + (alpha * n / (2 * batch_rows)) ||w||^2`` (weights of mean
1), so ``alpha = 2 * lambda * batch_rows / n``, times the mean sample weight
(the batch's weight is about that many times its rows). The same penalty
then applies to every weight matrix during training.

The choice adapts to the data where a fixed ``alpha`` does not: on a
noiseless curve GCV picks a vanishing penalty, on a noisy small set
(diabetes) a strong one, and on large sets the ``1 / n`` keeps it small.

Only sums over rows are kept (the Gram matrix of the features and their
products with the target, in float64), accumulated over row blocks, so
memory does not grow with the number of rows. With fewer rows than features
the rows themselves are kept instead (no more memory than that Gram matrix)
and GCV reads the eigenvalues of the smaller, ``n x n`` matrix of their inner
products: the same nonzero spectrum, for ``O(n^2 p + n^3)`` operations instead
of ``O(p^3)`` (a 4,096-wide layer on 12 rows took 19 s before the first epoch).
Data-parallel processes take rank 0's choice (they hold the same data; rank
0's initial weights are the ones every process trains).
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import torch

# Candidate ridge penalties, relative to the mean eigenvalue of the centred
# feature Gram matrix (so they follow the scale of the features): 12
# decades, four points per decade.
_RELATIVE_GRID = np.logspace(-8, 4, 49)
# Weight of the degrees of freedom in GCV's denominator, ``(1 - gamma df /
# n)^2``. Plain GCV (1.0) is known to undersmooth now and then on small
# samples; 1.4 is the correction of Kim and Gu (2004), also mgcv's advice. On
# 60 points of pure noise in one dimension, plain GCV chose alpha 0.004 and
# the network fitted the noise (prediction std 0.58 of the noise's 1.0);
# with 1.4 the fit is constant, and diabetes, randhie and noiseless curves
# score as before.
_GCV_GAMMA = 1.4
# Rows of features computed at once.
_BLOCK_ROWS = 4096
# Inputs join the readout features up to this many columns.
_MAX_INPUT_FEATURES = 2048


def readout_of(module):
    """The last linear layer of a family's module (the MLP's ``layers[-1]``,
    the sequence models' ``head``, the neural ODE's ``readout``), or None."""
    layers = getattr(module, "layers", None)
    if layers is not None:
        return layers[-1]
    for name in ("head", "readout"):
        layer = getattr(module, name, None)
        if isinstance(layer, torch.nn.Module) and hasattr(layer, "in_features"):
            return layer
    return None


def _hidden_width(module):
    """Width of the readout's input (the last hidden layer)."""
    return readout_of(module).in_features


def _mean_weight(dataset, rows):
    """Mean sample weight of the rows ``rows`` (1 without weights)."""
    return 1.0 if dataset.w is None else float(dataset.w[rows].double().mean())


def _readout_inputs(module, readout, xin):
    """What the readout receives on ``xin`` (a forward pre-hook catches it)."""
    caught = []
    handle = readout.register_forward_pre_hook(lambda m, args: caught.append(args[0]))
    try:
        module(xin)
    finally:
        handle.remove()
    return caught[-1]


def _feature_blocks(module, dataset, rows, block_rows=_BLOCK_ROWS):
    """The readout features, targets and weights, ``(h, y, w)`` per block of
    rows (float64 tensors).

    The features are the readout's inputs at the module's current weights,
    times its weight scale (the NTK and mean-field layers), joined by the
    flattened model input unless the readout sees the input itself (no
    hidden layer) or it has more than ``_MAX_INPUT_FEATURES`` columns. The
    weights are scaled to mean 1 over ``rows`` (ones without weights), so
    that their total is the row count.
    """
    readout = readout_of(module)
    scale = float(getattr(readout, "weight_scale", 1.0))
    n_readout = sum(p.numel() for p in readout.parameters())
    hidden = sum(p.numel() for p in module.parameters()) > n_readout
    w_mean = _mean_weight(dataset, rows)
    was_training = module.training
    module.eval()
    try:
        for start in range(0, len(rows), block_rows):
            idx = rows[start : start + block_rows]
            with torch.no_grad():  # not held across the yield
                xin = dataset.batch(idx)  # every engine dataset has it
                h = _readout_inputs(module, readout, xin).reshape(len(idx), -1)
                h = h.to(torch.float64) * scale
                n_inputs = int(np.prod(xin.shape[1:]))
                if hidden and n_inputs <= _MAX_INPUT_FEATURES:
                    if xin.layout is not torch.strided:  # a sparse batch
                        xin = xin.to_dense()
                    flat = xin.reshape(len(idx), -1)
                    h = torch.cat([h, flat.to(torch.float64)], 1)
                y = dataset.y[idx].to(torch.float64).reshape(len(idx), -1)
                w = (
                    torch.ones(len(idx), dtype=torch.float64, device=h.device)
                    if dataset.w is None
                    else dataset.w[idx].to(torch.float64) / w_mean
                )
            yield h, y, w
    finally:
        module.train(was_training)


def _feature_sums(module, dataset, rows, block_rows=_BLOCK_ROWS):
    """Weighted sums of the readout features and targets (float64 tensors),
    accumulated over blocks of rows (:func:`_feature_blocks`).

    Returns ``(sw, sh, sy, G, Hy, yy)``: the weight total, the sums of ``w h``
    and ``w y``, the Gram matrix ``sum w h h^T``, ``sum w h y^T`` and
    ``sum w y^2`` (per output).
    """
    totals = None
    for h, y, w in _feature_blocks(module, dataset, rows, block_rows):
        hw = h * w[:, None]
        part = (
            w.sum(),
            hw.sum(0),
            (y * w[:, None]).sum(0),
            hw.T @ h,
            hw.T @ y,
            (w[:, None] * y * y).sum(0),
        )
        totals = (
            part
            if totals is None
            else tuple(a + b for a, b in zip(totals, part, strict=True))
        )
    return totals


def _feature_rows(module, dataset, rows, block_rows=_BLOCK_ROWS):
    """The features, targets and weights of all ``rows`` at once:
    ``(h, y, w)`` (:func:`_feature_blocks`), for fewer rows than features."""
    blocks = list(_feature_blocks(module, dataset, rows, block_rows))
    return tuple(torch.cat(parts) for parts in zip(*blocks, strict=True))


def _rows_are_fewer(n_rows, width):
    """Whether GCV reads the rows themselves (:func:`_spectrum_of_rows`)."""
    return n_rows < width


def _feature_width(module, dataset, rows):
    """Number of readout features (the columns of :func:`_feature_blocks`)."""
    return _feature_rows(module, dataset, rows[:1])[0].shape[1]


def _broadcast_from_rank0(value, device):
    """Rank 0's ``value`` on every data-parallel process."""
    from sklearn_mathdl import distributed

    return float(distributed._active().broadcast_object(float(value)))


def _select(sums, cols):
    """The sums (or rows) restricted to the feature columns ``cols``."""
    if len(sums) == 3:
        h, y, w = sums
        return h[:, cols], y, w
    sw, sh, sy, G, Hy, yy = sums
    return sw, sh[cols], sy, G[cols][:, cols], Hy[cols], yy


def _nonzero_spectrum(M):
    """Eigenvalues above ``1e-12`` of the largest, and their eigenvectors, of
    the symmetric part of ``M`` (a Gram matrix: the rest is rounding)."""
    eig, vecs = np.linalg.eigh(0.5 * (M + M.T))
    keep = eig > eig.max(initial=0.0) * 1e-12
    return eig[keep], vecs[:, keep]


def _spectrum_of_sums(sums, intercept):
    """GCV's ingredients from the row sums: the eigendecomposition of the
    (centred) ``p x p`` Gram matrix. Returns ``(n, p, eig, proj, yy)``: the
    weight total, the number of feature columns, the nonzero eigenvalues
    ``s_j^2``, the squared projections ``(u_j^T y)^2`` of the (centred,
    weighted) target on the left singular vectors (per output) and the
    target's sum of squares."""
    sw, sh, sy, G, Hy, yy = (np.asarray(s.cpu(), dtype=np.float64) for s in sums)
    n = float(sw)
    if intercept:
        G = G - np.outer(sh, sh) / n
        Hy = Hy - np.outer(sh, sy) / n
        yy = yy - sy * sy / n
    eig, V = _nonzero_spectrum(G)
    proj = (V.T @ Hy) ** 2 / eig[:, None]
    return n, G.shape[0], eig, proj, yy


def _spectrum_of_rows(h, y, w, intercept):
    """The same as :func:`_spectrum_of_sums` from the rows themselves, by the
    ``n x n`` matrix ``A A^T`` of ``A = sqrt(w) h`` (centred), whose nonzero
    eigenvalues are the Gram matrix's ``A^T A``: with fewer rows than features
    that is the smaller eigenproblem (a 4,096-wide layer on 12 rows: 12 x 12
    instead of 4,096 x 4,096). With ``A^T A = V S^2 V^T`` and ``A A^T = U S^2
    U^T``, ``(v_j^T A^T b)^2 / s_j^2 = (u_j^T b)^2``."""
    h, y, w = (np.asarray(t.cpu(), dtype=np.float64) for t in (h, y, w))
    n = float(w.sum())
    if intercept:
        h = h - (w @ h) / n
        y = y - (w @ y) / n
    root = np.sqrt(w)[:, None]
    A, b = h * root, y * root
    eig, U = _nonzero_spectrum(A @ A.T)
    return n, h.shape[1], eig, (U.T @ b) ** 2, (b * b).sum(0)


def _gcv_of_spectrum(spectrum, intercept, grid, gamma):
    """The GCV-optimal penalty and its criterion (see :func:`gcv_ridge_penalty`)."""
    n, n_cols, eig, proj, yy = spectrum
    if eig.size == 0:  # constant features: nothing to fit
        return np.inf, 1.0
    lams = grid * eig.sum() / n_cols
    f = eig[None, :] / (eig[None, :] + lams[:, None])  # shrinkage per lambda
    rss = yy.sum() - ((2.0 * f - f * f) @ proj.sum(1))
    dof = f.sum(1) + (1.0 if intercept else 0.0)  # the intercept is one more
    gamma = _GCV_GAMMA if gamma is None else gamma
    # with gamma > 1 the corrected criterion is defined while gamma df < n:
    # past that (an interpolating fit of more features than rows) it is
    # infinite, not the 0 / 0 of a vanishing residual over a vanishing
    # denominator, which rounding would decide
    slack = 1.0 - gamma * dof / n
    gcv = np.full(len(lams), np.inf)
    ok = slack > 1e-12
    gcv[ok] = np.maximum(rss[ok], 0.0) / n / slack[ok] ** 2
    best = int(np.argmin(gcv))
    return float(lams[best]), float(gcv[best])


def gcv_ridge_penalty(sums, intercept=True, grid=_RELATIVE_GRID, gamma=None):
    """The GCV-optimal ridge penalty ``lambda`` for features with these sums.

    Minimizes ``RSS(lambda) / n / (1 - gamma df(lambda) / n)^2`` over ``grid``
    times the mean eigenvalue of the (centred) Gram matrix, where
    ``df = sum s_j^2 / (s_j^2 + lambda)`` (plus 1 for the intercept) is the
    trace of the hat matrix and ``s_j^2`` the Gram matrix's eigenvalues;
    targets with several columns share one penalty (their residual sums
    add). ``gamma`` (default ``_GCV_GAMMA``, 1.4) is 1 for plain GCV.
    ``sums`` are :func:`_feature_sums`, or the rows ``(h, y, w)`` of
    :func:`_feature_rows` (the smaller eigenproblem with fewer rows than
    features; the same result). Returns ``(lambda, gcv)``.
    """
    if len(sums) == 3:
        spectrum = _spectrum_of_rows(*sums, intercept)
    else:
        spectrum = _spectrum_of_sums(sums, intercept)
    return _gcv_of_spectrum(spectrum, intercept, grid, gamma)


def rate_alpha(n_rows, batch_rows):
    """``alpha="auto"`` of the MLP classifier: ``sqrt(batch_rows / n_rows)``.

    Under scikit-learn's convention the penalty ``alpha / 2 * ||W||^2`` is
    divided by a batch's weight, so over an epoch the objective is the mean
    loss plus ``alpha / (2 * batch_rows) * ||W||^2``: a fixed ``alpha`` gives
    the penalty the same weight against the mean loss on any amount of
    data. This choice makes that weight shrink as ``1 / sqrt(n_rows)``, the
    rate of the mean loss's sampling noise (and the rate of the penalties of
    high-dimensional estimation theory, for example Bickel, Ritov and
    Tsybakov 2009), and equals 1 for a full-batch fit.

    GCV of the readout (:func:`auto_alpha`, the regressors' choice) does not
    carry over to the cross-entropy: on the development suite, with one-hot
    targets, it chose 3.4 on digits (0.967 accuracy, against 0.977 at this
    rule's 0.37), and four times it (for the cross-entropy's smaller
    curvature) 8-17 on breast_cancer (0.960-0.974, against 0.979 at 0.66).

    Examples
    --------
    >>> from sklearn_mathdl._penalty import rate_alpha
    >>> rate_alpha(100, 200), round(rate_alpha(1437, 200), 3)
    (1.0, 0.373)
    """
    batch_rows = min(int(batch_rows), int(n_rows))
    return float(np.sqrt(batch_rows / max(int(n_rows), 1)))


def auto_alpha(
    module, dataset, rows, batch_rows, *, block_rows=_BLOCK_ROWS, data_parallel=False
):
    """``alpha`` of a regressor from GCV on its readout at initialization.

    Parameters
    ----------
    module : torch.nn.Module
        The network with its initial weights, ending in a linear readout
        (:func:`readout_of`).
    dataset : training dataset of the engine (``X`` input, ``y``, ``w``).
    rows : torch.Tensor or np.ndarray of int
        The training rows (the validation rows of early stopping excluded).
    batch_rows : int
        Rows per optimizer step (the penalty is per batch row).
    block_rows : int
        Rows read and transformed at once.
    data_parallel : bool
        Inside ``data_parallel()``: every process holds the same data but
        its own initial weights until rank 0's are broadcast, so rank 0's
        choice is broadcast too.

    Returns
    -------
    alpha : float
        ``2 * lambda * batch_rows / n``, with ``n`` the number of rows.
    """
    width = _feature_width(module, dataset, rows)
    if _rows_are_fewer(len(rows), width):  # the n x n eigenproblem is smaller
        sums = _feature_rows(module, dataset, rows, block_rows=block_rows)
    else:  # sums over row blocks: memory does not grow with the rows
        sums = _feature_sums(module, dataset, rows, block_rows=block_rows)
    intercept = readout_of(module).bias is not None
    lam, _ = gcv_ridge_penalty(sums, intercept=intercept)
    n_hidden = _hidden_width(module)
    if width > n_hidden:  # the inputs joined: try without them too
        lam_h, _ = gcv_ridge_penalty(
            _select(sums, slice(0, n_hidden)), intercept=intercept
        )
        lam = min(lam, lam_h)
    n = float(len(rows))
    if not np.isfinite(lam):
        lam = 1e6 * n
    # the penalty divides by the batch's weight (about batch_rows times the
    # mean weight), the GCV penalty was found for weights of mean 1
    alpha = 2.0 * lam * min(batch_rows, len(rows)) / n * _mean_weight(dataset, rows)
    if data_parallel:
        alpha = _broadcast_from_rank0(alpha, next(module.parameters()).device)
    return alpha
