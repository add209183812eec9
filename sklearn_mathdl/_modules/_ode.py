"""Neural ODE module: h(0) = [x, 0], dh/dt = f(t, h), output = readout(h(T))."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
from torch import nn

from sklearn_mathdl._modules._mlp import _MLPModule

FIXED_STEP_SOLVERS = ("euler", "midpoint", "rk4", "explicit_adams", "implicit_adams")
ADAPTIVE_SOLVERS = ("dopri5", "dopri8", "bosh3", "adaptive_heun", "fehlberg2")


class ODESolverError(ValueError):
    """The ODE solver failed (step size underflow or too many steps)."""


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
        solver="dopri5",
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
            step = self.step_size or self.integration_time / 10
            return {"step_size": step}
        return {"max_num_steps": self.max_num_steps}

    def trajectory(self, X, times):
        """States h(t) at ``times`` (a 1-D tensor starting at 0)."""
        from torchdiffeq import odeint, odeint_adjoint

        h0 = X
        if self.augment_dim:
            h0 = torch.cat([X, X.new_zeros(X.shape[0], self.augment_dim)], dim=1)
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
                raise ODESolverError(
                    f"The ODE solver '{self.solver}' failed ({msg}): the learned "
                    "dynamics became stiff or diverged. Try a smaller "
                    "learning_rate_init, looser rtol/atol, a smooth activation "
                    "('tanh'), a shorter integration_time, or a fixed-step solver "
                    "(solver='rk4' with step_size)."
                ) from None
            raise

    def forward(self, X):
        start = self.vector_field.nfe
        times = torch.tensor(
            [0.0, self.integration_time], dtype=X.dtype, device=X.device
        )
        hT = self.trajectory(X, times)[-1]
        self.last_forward_nfe = self.vector_field.nfe - start
        return self.readout(hT)
