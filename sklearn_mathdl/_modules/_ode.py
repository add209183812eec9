"""Neural ODE module: h(0) = [x, 0], dh/dt = f(t, h), output = readout(h(T))."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
from torch import nn

from sklearn_mathdl._modules._mlp import _MLPModule

FIXED_STEP_SOLVERS = ("euler", "midpoint", "rk4", "explicit_adams", "implicit_adams")
# step_size=None: the step that costs this many vector-field evaluations per
# solve, whatever the method (rk4: 4 steps of 4 stages; midpoint: 8 of 2;
# euler and the Adams methods, one new evaluation a step: 16)
AUTO_EVALUATIONS = 16
_STAGES = {
    "euler": 1,
    "midpoint": 2,
    "rk4": 4,
    "explicit_adams": 1,
    "implicit_adams": 1,
}


def fixed_step(solver, integration_time, step_size=None):
    """The step of a fixed-step ``solver``: ``step_size``, or for None the one of
    ``AUTO_EVALUATIONS`` vector-field evaluations per solve."""
    if step_size is not None:
        return float(step_size)
    return float(integration_time) * _STAGES[solver] / AUTO_EVALUATIONS


ADAPTIVE_SOLVERS = ("dopri5", "dopri8", "bosh3", "adaptive_heun", "fehlberg2")


class ODESolverError(ValueError):
    """The ODE solver failed (step size underflow or too many steps)."""


_SAFETY, _IFACTOR, _DFACTOR = 0.9, 10.0, 0.2  # torchdiffeq's step controller


def _row_rms(z):
    """Root mean square of each row: (n, d) -> (n, 1)."""
    return z.pow(2).mean(dim=1, keepdim=True).sqrt()


def _first_step(func, t0, y0, f0, order, rtol, atol):
    """Hairer, Norsett and Wanner's initial step (Solving ODEs I, II.4), per row.

    torchdiffeq's ``_select_initial_step`` with its batch norm replaced by a
    row's own, so a row's first step does not depend on the others."""
    scale = atol + y0.abs() * rtol
    d0, d1 = _row_rms(y0 / scale), _row_rms(f0 / scale)
    small = (d0 < 1e-5) | (d1 < 1e-5)
    h0 = torch.where(small, torch.full_like(d0, 1e-6), 0.01 * d0 / d1.clamp_min(1e-30))
    f1 = func(t0 + h0, y0 + h0 * f0)
    d2 = _row_rms((f1 - f0) / scale) / h0
    dmax = torch.maximum(d1, d2)
    h1 = torch.where(
        dmax <= 1e-15,
        torch.clamp_min(h0 * 1e-3, 1e-6),
        (0.01 / dmax.clamp_min(1e-30)) ** (1.0 / order),
    )
    return torch.minimum(100 * h0, h1)


def _solve_rowwise(func, y0, t_end, solver, rtol, atol, max_num_steps):
    """y(t_end) from y(0) = y0 with an embedded Runge-Kutta pair, each row with
    its own adaptive steps.

    torchdiffeq controls one step size for the whole batch from an error norm
    over all rows, so a row's prediction depends on the rows beside it (and a
    row with a large error is diluted by the others). Here every row keeps its
    own time, step and accept/reject decision (torchdiffeq's tableau and step
    controller, the RMS norm over that row), all rows advance in one batched
    evaluation of ``func`` per stage, a finished row takes steps of length 0,
    and each row lands exactly on ``t_end``. The result for a row is the same
    whatever the batch holds, up to float rounding of the batched matmuls.
    """
    from torchdiffeq._impl.odeint import SOLVERS

    cls = SOLVERS[solver]
    kw = {"dtype": y0.dtype, "device": y0.device}
    alpha = cls.tableau.alpha.to(**kw)
    beta = [b.to(**kw) for b in cls.tableau.beta]
    c_error = cls.tableau.c_error.to(**kw)
    t = y0.new_zeros(y0.shape[0], 1)
    end = torch.full_like(t, float(t_end))
    y, f0 = y0, func(t, y0)
    with torch.no_grad():
        h = _first_step(func, t, y0.detach(), f0.detach(), cls.order, rtol, atol)
    for _ in range(max_num_steps):
        remaining = end - t
        if not bool((remaining > 0).any()):
            return y
        h = torch.minimum(h, remaining)
        # the stages; the last one is at (t + h, y1): torchdiffeq's tableaux
        # are first-same-as-last, so y1 and f(t + h, y1) come with them
        k = [f0]
        for a, b in zip(alpha, beta, strict=True):
            y_stage = y + h * sum(bj * kj for bj, kj in zip(b, k, strict=True))
            k.append(func(t + a * h, y_stage))
        y1, f1 = y_stage, k[-1]
        with torch.no_grad():
            error = h * sum(c * kj.detach() for c, kj in zip(c_error, k, strict=True))
            tol = atol + rtol * torch.maximum(y.detach().abs(), y1.detach().abs())
            ratio = _row_rms(error / tol)
            accept = (ratio <= 1) & (remaining > 0)
            landed = h >= remaining
            if bool(((t + h <= t) & (remaining > 0)).any()):
                raise AssertionError(f"underflow in dt {float(h.min())}")
        y = torch.where(accept, y1, y)
        f0 = torch.where(accept, f1, f0)
        with torch.no_grad():
            t = torch.where(accept, torch.where(landed, end, t + h), t)
            factor = (_SAFETY * ratio.pow(-1.0 / cls.order)).clamp_max(_IFACTOR)
            floor = torch.where(
                ratio < 1, torch.ones_like(ratio), _DFACTOR * torch.ones_like(ratio)
            )
            h = h * torch.maximum(factor, floor)
    if bool((end - t > 0).any()):
        raise AssertionError(f"max_num_steps exceeded ({max_num_steps})")
    return y


class _VectorField(nn.Module):
    """f(t, h): an MLP on [h, t] that counts its evaluations."""

    def __init__(self, dim, hidden_layer_sizes, activation):
        super().__init__()
        self.net = _MLPModule(dim + 1, dim, hidden_layer_sizes, activation)
        self.nfe = 0

    def forward(self, t, h):
        self.nfe += 1
        tt = torch.ones_like(h[:, :1]) * t
        return self.net(torch.cat([h, tt], dim=1))


class _NeuralODEModule(nn.Module):
    """Continuous-depth network (Chen et al. 2018) with ANODE augmentation.

    The state starts at the input padded with ``augment_dim`` zeros (Dupont et
    al. 2019), flows under the learned vector field from t=0 to
    ``integration_time``, and a linear map reads the outputs off the final state.
    """

    def __init__(
        self,
        n_features,
        n_outputs,
        hidden_layer_sizes=(32, 32),
        activation="tanh",
        augment_dim=0,
        solver="rk4",
        rtol=1e-3,
        atol=1e-4,
        step_size=None,
        integration_time=1.0,
        adjoint=False,
        max_num_steps=1000,
    ):
        super().__init__()
        self.augment_dim = int(augment_dim)
        dim = n_features + self.augment_dim
        self.vector_field = _VectorField(dim, hidden_layer_sizes, activation)
        self.readout = nn.Linear(dim, n_outputs)
        self.solver = solver
        self.rtol, self.atol = rtol, atol
        self.step_size = step_size
        self.integration_time = float(integration_time)
        self.adjoint = adjoint
        self.max_num_steps = int(max_num_steps)
        self.last_forward_nfe = 0

    def _options(self):
        if self.solver in FIXED_STEP_SOLVERS:
            return {
                "step_size": fixed_step(
                    self.solver, self.integration_time, self.step_size
                )
            }
        return {"max_num_steps": self.max_num_steps}

    def trajectory(self, X, times):
        """States h(t) at ``times`` (a 1-D tensor starting at 0)."""
        from torchdiffeq import odeint, odeint_adjoint

        h0 = self._initial_state(X)
        solve = odeint_adjoint if self.adjoint else odeint
        kwargs = {}
        if self.adjoint:
            kwargs["adjoint_params"] = tuple(self.vector_field.parameters())
        try:
            return solve(
                self.vector_field,
                h0,
                times,
                rtol=self.rtol,
                atol=self.atol,
                method=self.solver,
                options=self._options(),
                **kwargs,
            )
        except AssertionError as exc:  # torchdiffeq signals failures by assert
            msg = str(exc)
            if "underflow" in msg or "max_num_steps" in msg:
                raise self._solver_failed(msg) from None
            raise

    def _initial_state(self, X):
        if self.augment_dim:
            return torch.cat([X, X.new_zeros(X.shape[0], self.augment_dim)], dim=1)
        return X

    def _solver_failed(self, msg):
        return ODESolverError(
            f"The ODE solver '{self.solver}' failed ({msg}): the learned "
            "dynamics became stiff or diverged. Try a smaller "
            "learning_rate_init, looser rtol/atol, a smooth activation "
            "('tanh'), a shorter integration_time, or a fixed-step solver "
            "(solver='rk4' with step_size)."
        )

    def _solve_rowwise(self, X):
        try:
            return _solve_rowwise(
                self.vector_field,
                self._initial_state(X),
                self.integration_time,
                self.solver,
                self.rtol,
                self.atol,
                self.max_num_steps,
            )
        except AssertionError as exc:
            raise self._solver_failed(str(exc)) from None

    def forward(self, X):
        start = self.vector_field.nfe
        if self.training or self.solver not in ADAPTIVE_SOLVERS:
            times = torch.tensor(
                [0.0, self.integration_time], dtype=X.dtype, device=X.device
            )
            hT = self.trajectory(X, times)[-1]
        else:  # inference: each row's steps its own (see _solve_rowwise)
            hT = self._solve_rowwise(X)
        self.last_forward_nfe = self.vector_field.nfe - start
        return self.readout(hT)
