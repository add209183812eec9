"""Fully-connected feed-forward network module."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import warnings

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "logistic": nn.Sigmoid,  # scikit-learn's name
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


#: Initializations of the ``init`` parameter (the book's section 19.2).
INITS = ("glorot", "he", "lecun", "ntk", "torch")


def _fans(weight):
    """(fan_in, fan_out) of a linear or convolution weight, as torch counts them."""
    return nn.init._calculate_fan_in_and_fan_out(weight)


@torch.no_grad()
def initialize(module, init, activation="relu"):
    """Draw the weights and biases of every linear and convolution layer.

    With fan_in and fan_out the inputs and outputs of a unit (times the kernel
    size for a convolution):

    - "glorot" (Glorot and Bengio 2010, scikit-learn's MLP): weights and biases
      U(-b, b), b = sqrt(6 / (fan_in + fan_out)) (sqrt(2 / ...) for the
      sigmoid), so Var(w) = 2 / (fan_in + fan_out) keeps forward and backward
      variances alike for tanh-like units;
    - "he" (He et al. 2015): w ~ N(0, 2 / fan_in), b = 0: for ReLU units, whose
      output keeps half the second moment, E[z^2] is the same in every layer;
    - "lecun" (LeCun et al. 1998): w ~ N(0, 1 / fan_in), b = 0: Var(z) = E[x^2]
      for linear and tanh units near 0;
    - "ntk": w ~ N(0, 1 / fan_in), b ~ N(0, 1): the function at initialization
      of the NTK parameterization with sigma_w = sigma_b = 1 (Jacot et al. 2018),
      trained in the standard one (``scaling="ntk"`` also changes the training
      dynamics);
    - "torch": each layer's own ``reset_parameters`` (PyTorch's default,
      U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases).
    """
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}.")
    for layer in module.modules():
        if not isinstance(layer, nn.Linear | nn.Conv1d | nn.Conv2d):
            continue
        if init == "torch":
            layer.reset_parameters()
            continue
        fan_in, fan_out = _fans(layer.weight)
        if init == "glorot":
            factor = 2.0 if activation in ("sigmoid", "logistic") else 6.0
            bound = math.sqrt(factor / (fan_in + fan_out))
            layer.weight.uniform_(-bound, bound)
            if layer.bias is not None:
                layer.bias.uniform_(-bound, bound)
            continue
        gain = 2.0 if init == "he" else 1.0
        layer.weight.normal_(0.0, math.sqrt(gain / fan_in))
        if layer.bias is not None:
            if init == "ntk":
                layer.bias.normal_(0.0, 1.0)
            else:
                layer.bias.zero_()


def _named_scaling(scaling):
    """A float gamma at an end of [1/2, 1] is the named scaling there: 1/2 is
    "ntk" (readout a.h / sqrt(N) + b), 1 is "mean_field" (a.h / N)."""
    if isinstance(scaling, str):
        return scaling
    if float(scaling) == 0.5:
        return "ntk"
    if float(scaling) == 1.0:
        return "mean_field"
    return float(scaling)


def scaling_lr_factor(scaling, width):
    """The SGD step's width factor of a one-hidden-layer scaling: N^(2 gamma - 1).

    With readout a.h / N^gamma, one step of size eta moves the output by about
    eta N^(1 - 2 gamma): the factor keeps that O(1) at every width (1 for the
    NTK's gamma = 1/2, N for mean field). Yu and Spiliopoulos write the same
    dynamics as steps eta / N^(2 - 2 gamma) with time rescaled by N.
    """
    scaling = _named_scaling(scaling)
    if scaling == "mean_field":
        return float(width)
    if isinstance(scaling, str):
        return 1.0
    return float(width) ** (2.0 * scaling - 1.0)


def mean_field_lr_factors(module, gamma=1.0):
    """SGD step factors of the deep scalings, one per linear layer.

    With ``h_1 = phi(W_1 x / sqrt(d) + b_1)``, ``h_l = phi(W_l h_(l-1) /
    N_(l-1)^gamma)`` and ``f = a.h_L / N_L^gamma``, the squared gradient of f
    summed over the entries of a layer is O(prod N^(1 - 2 gamma)) over the
    hidden widths the layer touches (W_1: N_1; W_l: N_(l-1) and N_l; a: N_L).
    These factors, ``prod N^(2 gamma - 1)`` over the same widths, make every
    layer move the output by O(eta) per step, whatever the widths. gamma = 1
    (deep mean field): N_1; N_(l-1) N_l; N_L. gamma = 1/2: all 1 (the NTK).
    One hidden layer: N^(2 gamma - 1) for both layers, the single multiplier of
    ``scaling_lr_factor``. Returns ``{parameter name: factor}``.
    """
    linears = [
        (name, m) for name, m in module.named_modules() if isinstance(m, _ScaledLinear)
    ]
    factors = {}
    last = len(linears) - 1
    for k, (name, m) in enumerate(linears):
        widths = (m.in_features if k > 0 else 1) * (m.out_features if k < last else 1)
        factor = float(widths) ** (2.0 * float(gamma) - 1.0)
        for pname, _ in m.named_parameters():
            factors[f"{name}.{pname}"] = factor
    return factors


def _times_weight_t(X, weight):
    """``X W^T``, by a sparse-dense product for a torch sparse ``X`` (its
    cost follows the non-zeros: a dense batch of a 50,000-column TF-IDF matrix
    is 99.9 % zeros)."""
    if X.layout is torch.strided:
        return nn.functional.linear(X, weight)
    return torch.sparse.mm(X, weight.t())


class _ScaledLinear(nn.Module):
    """Affine map with N(0, 1) parameters and explicit scales.

    ``forward(x) = weight_scale * x @ W.T + bias_scale * b``: the
    parameterizations of the NTK and mean-field analyses, where the width
    enters through the scales, not the initialization.
    """

    def __init__(self, n_in, n_out, weight_scale, bias_scale=None):
        super().__init__()
        self.in_features, self.out_features = n_in, n_out
        self.weight = nn.Parameter(torch.randn(n_out, n_in))
        self.bias = nn.Parameter(torch.randn(n_out)) if bias_scale else None
        self.weight_scale = float(weight_scale)
        self.bias_scale = float(bias_scale or 0.0)

    def forward(self, X):
        out = _times_weight_t(X, self.weight) * self.weight_scale
        if self.bias is not None:
            out = out + self.bias_scale * self.bias
        return out


class _MLPModule(nn.Module):
    """Linear -> [BatchNorm] -> activation -> [Dropout] blocks, then a linear head.

    With ``hidden_layer_sizes=()`` this is a single affine map: linear
    regression, or logistic regression under a sigmoid/softmax loss.
    Each activation is its own module instance (no reuse), which keeps the
    network friendly to hook-based tools such as SHAP's DeepExplainer.

    Weights and biases start from Glorot's uniform law by default, as in
    scikit-learn's MLP: U(-b, b) with b = sqrt(6 / (fan_in + fan_out))
    (sqrt(2 / ...) for the sigmoid). On small tabular sets this beat PyTorch's
    default init (U(+-1/sqrt(fan_in))) in 5-fold CV averaged over seeds.
    ``init`` picks another law (:func:`initialize`); the "ntk" and "mean_field"
    scalings fix their own N(0, 1) parameters.
    """

    def __init__(
        self,
        n_features_in,
        n_outputs,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        scaling="standard",
        init="glorot",
    ):
        super().__init__()
        scaling = _named_scaling(scaling)
        if scaling != "standard" and init != "glorot":
            raise ValueError(
                f"init={init!r} applies to scaling='standard'; scaling={scaling!r} "
                "draws its parameters from N(0, 1) and scales them in the forward "
                "pass. Leave init at its default or use scaling='standard'."
            )
        if scaling != "standard" and scaling != "ntk" and not hidden_layer_sizes:
            raise ValueError(
                f"scaling={scaling!r} needs at least one hidden layer; got "
                "hidden_layer_sizes=()."
            )
        layers = []
        width = n_features_in

        def linear(n_in, n_out, readout=False, first=False):
            if scaling == "standard":
                return nn.Linear(n_in, n_out)
            if scaling == "mean_field" and not first and not readout:
                # deep mean field (Sirignano and Spiliopoulos 2022): a hidden
                # layer averages the previous one, W h / N_prev, no bias
                return _ScaledLinear(n_in, n_out, 1.0 / n_in)
            if not isinstance(scaling, str) and not first and not readout:
                # between the regimes (Yu and Spiliopoulos, deep networks):
                # W h / N_prev^gamma, no bias
                return _ScaledLinear(n_in, n_out, float(n_in) ** -float(scaling))
            if not readout:  # w.x / sqrt(fan_in) + b, w, b ~ N(0, 1)
                return _ScaledLinear(n_in, n_out, 1.0 / math.sqrt(n_in), 1.0)
            if scaling == "mean_field":  # a.h / N, no bias
                return _ScaledLinear(n_in, n_out, 1.0 / n_in)
            if not isinstance(scaling, str):  # a.h / N^gamma, no bias
                return _ScaledLinear(n_in, n_out, float(n_in) ** -float(scaling))
            # a.h / sqrt(N) + b, as google/neural-tangents' NTK parameterization
            return _ScaledLinear(n_in, n_out, 1.0 / math.sqrt(n_in), 1.0)

        for k, size in enumerate(hidden_layer_sizes):
            layers.append(linear(width, size, first=k == 0))
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(linear(width, n_outputs, readout=True))
        self.layers = nn.Sequential(*layers)
        initialize(self, init, activation)

    def forward(self, X):
        if X.layout is torch.strided:
            return self.layers(X)
        # a sparse batch (scipy sparse input, see ``sparse_batches``): the
        # first layer multiplies it as such, the rest sees dense activations
        h = sparse_linear(self.layers[0], X)
        for layer in self.layers[1:]:
            h = layer(h)
        return h


def sparse_batches(module):
    """Whether ``module`` takes torch sparse COO batches: an MLP module whose
    first layer is linear (``nn.Linear`` or a scaled one)."""
    return type(module) is _MLPModule and type(module.layers[0]) in (
        nn.Linear,
        _ScaledLinear,
    )


# Per-batch cost model of the first layer on sparse input (one CPU core, torch
# 2.13; a fit's steps timed over widths 300-20,000, densities 0.3-10 % and 32
# or 100 units): the sparse product costs about 0.1 us per non-zero plus 2 ns
# per non-zero and unit, and 0.5 ms a batch more in fixed overhead; the dense
# one about 1 ns per entry (making the batch dense) plus 0.075 ns per entry
# and unit (its forward and backward products at about 40 GFLOP/s). Sparse
# batches then win below about 2-3 % density, 1.3-2.5x at 0.3 %, and lose
# 2-4x at 10 % (a 1,000-column one-hot code with 20 non-zeros a row, batches of
# 200, 32 units: 1.8 against 1.0 ms a step).
_SPARSE_PER_NONZERO = 1e-7
_SPARSE_PER_NONZERO_UNIT = 2e-9
_SPARSE_PER_BATCH = 5e-4
_DENSE_PER_ENTRY = 1e-9
_DENSE_PER_ENTRY_UNIT = 7.5e-11


def sparse_pays(X, width, rows):
    """Whether batches of ``rows`` rows of the scipy sparse ``X`` are cheaper
    multiplied as sparse than made dense, for a first layer of ``width`` units
    (the cost model above)."""
    n_rows, n_columns = X.shape
    nonzeros = rows * X.nnz / max(n_rows, 1)
    sparse = (
        nonzeros * (_SPARSE_PER_NONZERO + _SPARSE_PER_NONZERO_UNIT * width)
        + _SPARSE_PER_BATCH
    )
    dense = rows * n_columns * (_DENSE_PER_ENTRY + _DENSE_PER_ENTRY_UNIT * width)
    return sparse < dense


def sparse_linear(layer, X):
    """``layer(X)`` for a torch sparse COO matrix ``X`` (rows, features): an
    ``nn.Linear`` (whose own forward takes dense input only) by
    :func:`_times_weight_t` and its bias; a scaled layer takes it itself.
    Differentiable in the layer's parameters."""
    if isinstance(layer, _ScaledLinear):
        return layer(X)
    out = _times_weight_t(X, layer.weight)
    return out + layer.bias if layer.bias is not None else out


@torch.no_grad()
def input_major(layer):
    """Store ``layer.weight`` (out, in) input-major: its transpose contiguous.

    For a layer fed sparse batches. The product ``X W^T`` then reads one
    contiguous row of ``W^T`` per non-zero of ``X`` and the gradient
    ``(X^T dz)^T`` comes out in the weight's own layout, where the row-major
    weight costs a transposed copy of the whole (in, out) matrix both ways
    each step (11 ms for 50,000 x 100 on one core: most of a step on a
    TF-IDF batch). The values, shape and ``coefs_`` are unchanged; a dense
    input multiplies it as fast. Call before the optimizer is built.
    """
    weight = layer.weight
    if weight.dim() != 2 or weight.T.is_contiguous():
        return
    layer.weight = nn.Parameter(
        weight.detach().T.contiguous().T, requires_grad=weight.requires_grad
    )


def sparse_from_scipy(block, device, layout=torch.sparse_coo):
    """A scipy sparse matrix as a float32 torch sparse tensor on ``device``.

    ``layout=torch.sparse_coo`` (training batches: a coalesced COO tensor,
    whose transpose the first weight's gradient multiplies) or
    ``torch.sparse_csr`` (inference: scipy's CSR arrays as they are; 2,000 x
    26,364 TF-IDF rows, unsorted as TfidfVectorizer leaves them, times a
    100-unit layer, one core: 2.2 ms against 13.9 ms for the coalesced COO
    tensor and its product). On the CPU torch's CSR product sums every stored
    entry, in any order and repeated ones included, as scipy reads them
    (``tests/test_sparse.py`` checks it); elsewhere (cuSPARSE) the columns are
    sorted and summed first.
    """
    if layout is torch.sparse_csr:
        csr = block.tocsr()
        if torch.device(device).type != "cpu" and not csr.has_canonical_format:
            csr = csr.copy()
            csr.sum_duplicates()
        with warnings.catch_warnings():  # "CSR support is in beta state"
            warnings.simplefilter("ignore", UserWarning)
            out = torch.sparse_csr_tensor(
                torch.from_numpy(csr.indptr),
                torch.from_numpy(csr.indices.astype(csr.indptr.dtype, copy=False)),
                torch.from_numpy(np.asarray(csr.data, dtype=np.float32)),
                csr.shape,
                check_invariants=False,
            )
        return out.to(device)
    coo = block.tocoo()
    index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    values = torch.from_numpy(np.asarray(coo.data, dtype=np.float32))
    out = torch.sparse_coo_tensor(index, values, coo.shape, check_invariants=False)
    return out.coalesce().to(device)
