"""Convolutional, recurrent and transformer-encoder networks.

Inputs are (N, C, T) sequences or (N, C, H, W) images. Variable-length
sequences arrive padded with NaN at the end (the estimators pad lists of
arrays that way); each module turns the padding into a mask and zeros.
The transformer also takes (N, d) tabular rows, one token per feature.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
from torch import nn


def _split_padding(x):
    """(zero-filled x, mask of valid timepoints (N, T) or None)."""
    if x.dim() != 3:
        return x, None
    nan = torch.isnan(x)
    if not nan.any():
        return x, None
    return torch.where(nan, torch.zeros_like(x), x), ~nan.any(dim=1)


def _patches(x, mask, k):
    """Group ``k`` consecutive timepoints into one step of ``C * k`` values.

    (N, C, T) becomes (N, C * k, ceil(T / k)), the tail zero-padded; the mask
    marks a patch valid when any of its timepoints is. With ``k = 1`` nothing
    changes. Long series become short sequences of patches (as in PatchTST,
    Nie et al. 2023): fewer recurrent steps to backpropagate through, fewer
    tokens for attention.
    """
    if k == 1:
        return x, mask
    n, c, t = x.shape
    steps = -(-t // k)
    if steps * k != t:
        x = nn.functional.pad(x, (0, steps * k - t))
        if mask is not None:
            mask = nn.functional.pad(mask, (0, steps * k - t), value=False)
    x = x.reshape(n, c, steps, k).permute(0, 1, 3, 2).reshape(n, c * k, steps)
    if mask is not None:
        mask = mask.reshape(n, steps, k).any(dim=2)
    return x, mask


class _ConvBlock(nn.Module):
    def __init__(self, conv, c_in, c_out, k, *, batch_norm, residual):
        super().__init__()
        self.conv = conv(c_in, c_out, k, padding="same")
        bn = nn.BatchNorm1d if conv is nn.Conv1d else nn.BatchNorm2d
        self.norm = bn(c_out) if batch_norm else nn.Identity()
        self.act = nn.ReLU()
        self.skip = None
        if residual:
            self.skip = nn.Identity() if c_in == c_out else conv(c_in, c_out, 1)

    def forward(self, x, mask=None):
        out = self.norm(self.conv(x))
        if self.skip is not None:
            out = out + self.skip(x)
        out = self.act(out)
        if mask is not None:  # keep the padding at zero for the next block
            out = out * mask[:, None, :]
        return out


class _CNNModule(nn.Module):
    """FCN / ResNet-style network: conv blocks, global average pooling, linear.

    ``pool_size[i] > 1`` max-pools the output of block i by that factor
    (along every spatial axis; ``ceil_mode``, so no timepoint is dropped)
    before block i + 1: the later blocks see a coarser, longer stretch of the
    input for a fraction of the arithmetic.
    """

    def __init__(
        self,
        n_dims,
        in_channels,
        n_outputs,
        *,
        n_filters,
        kernel_size,
        batch_norm,
        residual,
        dropout,
        pool_size=None,
    ):
        super().__init__()
        conv = nn.Conv1d if n_dims == 1 else nn.Conv2d
        self.pool_size = tuple(pool_size or (1,) * (len(n_filters) - 1))
        if len(self.pool_size) != len(n_filters) - 1:
            raise ValueError(
                f"pool_size needs {len(n_filters) - 1} factors (one between each "
                f"two blocks), got {self.pool_size}."
            )
        widths = [in_channels, *n_filters]
        self.blocks = nn.ModuleList(
            _ConvBlock(
                conv,
                widths[i],
                widths[i + 1],
                kernel_size[i],
                batch_norm=batch_norm,
                residual=residual,
            )
            for i in range(len(n_filters))
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(widths[-1], n_outputs)

    def forward(self, x):
        x, mask = _split_padding(x)
        for i, block in enumerate(self.blocks):
            x = block(x, mask)
            if i < len(self.pool_size) and self.pool_size[i] > 1:
                k = self.pool_size[i]
                pool = (
                    nn.functional.max_pool1d
                    if x.dim() == 3
                    else nn.functional.max_pool2d
                )
                x = pool(x, k, ceil_mode=True)
                if mask is not None:  # a window is valid if any timepoint is
                    mask = nn.functional.max_pool1d(
                        mask[:, None].float(), k, ceil_mode=True
                    )[:, 0].bool()
        if mask is None:
            pooled = x.flatten(2).mean(dim=2)
        else:
            pooled = x.sum(dim=2) / mask.sum(dim=1, keepdim=True).clamp(min=1)
        return self.head(self.dropout(pooled))


class _RNNModule(nn.Module):
    """Sequence-to-one recurrent network: the last hidden state, then linear.

    ``pooling="max"`` (or ``"mean"``) reads the elementwise maximum (mean) of
    the last layer's outputs over the valid time steps instead of the last
    hidden state: every step's output reaches the head directly, as global
    pooling does in a CNN.

    ``cell="jordan"`` feeds the previous output back instead of the hidden
    state (Jordan 1986): h_t = tanh(W x_t + U y_{t-1} + b), y_t = head(h_t),
    the prediction y_T. ``bptt_steps=k`` truncates backpropagation through
    time to the last k steps: the steps before are run without a graph and
    their final state enters as a constant (Williams and Peng 1990), so memory
    no longer grows with the sequence length.
    """

    _CELLS = {"rnn": nn.RNN, "elman": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}

    def __init__(
        self,
        in_channels,
        n_outputs,
        *,
        cell,
        hidden_size,
        num_layers,
        bidirectional,
        dropout,
        patch_size=1,
        bptt_steps=None,
        pooling="last",
    ):
        super().__init__()
        self.patch_size = int(patch_size)
        self.cell = cell
        self.bptt_steps = None if bptt_steps is None else int(bptt_steps)
        if pooling != "last" and (cell == "jordan" or self.bptt_steps is not None):
            raise ValueError(
                f"pooling={pooling!r} reads the outputs of every step; "
                "cell='jordan' predicts its last output and bptt_steps runs the "
                "early steps without a graph. Use pooling='last' with them."
            )
        self.pooling = pooling
        n_in = in_channels * self.patch_size
        if cell == "jordan":
            if num_layers != 1 or bidirectional:
                raise ValueError(
                    "cell='jordan' feeds the output back into one recurrent layer: "
                    f"it needs num_layers=1 and bidirectional=False, got "
                    f"num_layers={num_layers}, bidirectional={bidirectional}."
                )
            self.input_map = nn.Linear(n_in, hidden_size)
            self.context = nn.Linear(n_outputs, hidden_size, bias=False)
        else:
            if bidirectional and self.bptt_steps is not None:
                raise ValueError(
                    "bptt_steps truncates the past of a forward recurrence; a "
                    "bidirectional network also reads each sequence from its end. "
                    "Use bidirectional=False or bptt_steps=None."
                )
            self.rnn = self._CELLS[cell](
                n_in,
                hidden_size,
                num_layers=num_layers,
                batch_first=True,
                bidirectional=bidirectional,
                dropout=dropout if num_layers > 1 else 0.0,
            )
        self.n_dirs = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.n_dirs * hidden_size, n_outputs)

    def forward(self, x):
        x, mask = _split_padding(x)
        x, mask = _patches(x, mask, self.patch_size)
        seq = x.transpose(1, 2)  # (N, T, C)
        # the first `start` steps run without a graph (truncated BPTT)
        start = max(0, seq.shape[1] - (self.bptt_steps or seq.shape[1]))
        if self.cell == "jordan":
            return self._jordan(seq, mask, start)
        if self.pooling != "last":
            return self.head(self.dropout(self._pooled(seq, mask)))
        if start == 0:
            return self.head(self.dropout(self._last_state(self._full(seq, mask))))
        with torch.no_grad():
            state = self._stepwise(seq[:, :start], _cut(mask, 0, start), None)
        state = self._stepwise(seq[:, start:], _cut(mask, start, None), state)
        return self.head(self.dropout(self._last_state(state)))

    def _full(self, seq, mask):
        """Final state of the whole sequence (padding packed away)."""
        if mask is not None:
            lengths = mask.sum(dim=1).clamp(min=1).cpu()
            seq = nn.utils.rnn.pack_padded_sequence(
                seq, lengths, batch_first=True, enforce_sorted=False
            )
        return self.rnn(seq)[1]

    def _pooled(self, seq, mask):
        """Max or mean of the last layer's outputs over the valid steps."""
        if mask is None:
            out = self.rnn(seq)[0]
            return out.amax(dim=1) if self.pooling == "max" else out.mean(dim=1)
        lengths = mask.sum(dim=1).clamp(min=1)
        packed = nn.utils.rnn.pack_padded_sequence(
            seq, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out = nn.utils.rnn.pad_packed_sequence(
            self.rnn(packed)[0], batch_first=True, total_length=seq.shape[1]
        )[0]
        valid = (
            torch.arange(seq.shape[1], device=seq.device)[None, :] < lengths[:, None]
        )[:, :, None]
        if self.pooling == "max":
            return out.masked_fill(~valid, -math.inf).amax(dim=1)
        return out.sum(dim=1) / lengths[:, None].to(out.dtype)

    def _stepwise(self, seq, mask, state):
        """Final state after ``seq``, from ``state``; padded steps keep the state."""
        if mask is None:
            return self.rnn(seq, state)[1]
        for t in range(seq.shape[1]):
            new = self.rnn(seq[:, t : t + 1], state)[1]
            if state is None:
                state = _map_state(new, torch.zeros_like)
            state = _where_state(mask[:, t].view(1, -1, 1), new, state)
        return state

    def _last_state(self, h):
        if isinstance(h, tuple):  # LSTM: (h_n, c_n)
            h = h[0]
        return torch.cat(list(h[-self.n_dirs :]), dim=1)  # last layer, all dirs

    def _jordan(self, seq, mask, start):
        y = seq.new_zeros(seq.shape[0], self.head.out_features)
        for t in range(seq.shape[1]):
            with torch.set_grad_enabled(torch.is_grad_enabled() and t >= start):
                h = torch.tanh(self.input_map(seq[:, t]) + self.context(y))
                new = self.head(self.dropout(h))
            y = new if mask is None else torch.where(mask[:, t : t + 1], new, y)
        return y


def _cut(mask, a, b):
    return None if mask is None else mask[:, a:b]


def _map_state(state, fn):
    """Apply ``fn`` to a hidden state or to each part of an LSTM's (h, c)."""
    return tuple(fn(s) for s in state) if isinstance(state, tuple) else fn(state)


def _where_state(keep, new, old):
    if isinstance(new, tuple):
        return tuple(torch.where(keep, n, o) for n, o in zip(new, old, strict=True))
    return torch.where(keep, new, old)


def _sinusoidal(n_positions, d_model, device, dtype):
    pos = torch.arange(n_positions, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(
        torch.arange(0, d_model, 2, device=device, dtype=torch.float32)
        * (-math.log(10000.0) / d_model)
    )
    pe = torch.zeros(n_positions, d_model, device=device)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)[:, : d_model // 2]
    return pe.to(dtype)


class _TransformerModule(nn.Module):
    """Transformer encoder over timepoints (sequences) or features (tabular).

    Tabular rows (N, d) go through a feature tokenizer, ``x_j * W_j + b_j``
    per feature (FT-Transformer, Gorishniy et al. 2021); sequences (N, C, T)
    through a linear map of the channels plus sinusoidal positions.
    """

    def __init__(
        self,
        tabular,
        n_inputs,
        n_outputs,
        *,
        d_model,
        n_heads,
        n_layers,
        dim_feedforward,
        dropout,
        pooling,
        patch_size=1,
    ):
        super().__init__()
        self.tabular = tabular
        self.patch_size = int(patch_size)
        self.pooling = pooling
        if tabular:
            # FT-Transformer's tokenizer initialization: U(-1/sqrt(d), 1/sqrt(d))
            # for the weights and the per-feature biases
            bound = 1.0 / math.sqrt(d_model)
            self.token_weight = nn.Parameter(
                torch.empty(n_inputs, d_model).uniform_(-bound, bound)
            )
            self.token_bias = nn.Parameter(
                torch.empty(n_inputs, d_model).uniform_(-bound, bound)
            )
        else:
            self.embed = nn.Linear(n_inputs * self.patch_size, d_model)
        self.cls = nn.Parameter(torch.randn(1, 1, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(
            d_model,
            n_heads,
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(
            layer, n_layers, enable_nested_tensor=False
        )
        # the FT-Transformer's prediction head: LayerNorm, ReLU, linear
        self.norm = nn.LayerNorm(d_model)
        self.act = nn.ReLU()
        self.head = nn.Linear(d_model, n_outputs)

    def forward(self, x):
        if self.tabular:
            tokens = x[:, :, None] * self.token_weight + self.token_bias
            mask = None
        else:
            x, mask = _split_padding(x)
            x, mask = _patches(x, mask, self.patch_size)
            tokens = self.embed(x.transpose(1, 2))
            tokens = tokens + _sinusoidal(
                tokens.shape[1], tokens.shape[2], tokens.device, tokens.dtype
            )
        n = tokens.shape[0]
        tokens = torch.cat([self.cls.expand(n, -1, -1), tokens], dim=1)
        pad = None
        if mask is not None:
            valid = torch.cat([mask.new_ones(n, 1), mask], dim=1)
            pad = ~valid
        h = self.encoder(tokens, src_key_padding_mask=pad)
        if self.pooling == "cls":
            pooled = h[:, 0]
        elif mask is None:
            pooled = h[:, 1:].mean(dim=1)
        else:
            pooled = (h[:, 1:] * mask[:, :, None]).sum(1) / mask.sum(
                1, keepdim=True
            ).clamp(min=1)
        return self.head(self.act(self.norm(pooled)))
