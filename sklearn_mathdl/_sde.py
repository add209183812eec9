"""Neural stochastic differential equations (the book's section 22.5): a
model of observed paths, and a classifier and a regressor whose hidden state
flows under an SDE."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from sklearn_mathdl._base import (
    _OPTIMIZERS,
    _BaseTorchClassifier,
    _BaseTorchEstimator,
    _BaseTorchRegressor,
    _check_float32_range,
    _checked_sample_weight,
)
from sklearn_mathdl._modules import ACTIVATIONS
from sklearn_mathdl._modules._sde import (
    DIFFUSIONS,
    NOISE_TYPES,
    _IncrementNLL,
    _NeuralSDEModule,
    _PathsLoss,
    _SDEDynamicsModule,
    _TorchSDE,
    increment_nll,
)
from sklearn_mathdl.utils._compat import Interval, StrOptions, _fit_context
from sklearn_mathdl.utils._seeding import draw_seed, torch_seed
from sklearn_mathdl.utils._validation import check_hidden_layer_sizes

# optimizer="auto": full-batch L-BFGS up to this many increments. A step is
# one pass of two small networks over the increments (1-10 ms per 10,000 on a
# CPU core), and the likelihood is smooth and deterministic: the regime where
# L-BFGS reaches the maximum in a few hundred iterations. On Ornstein-Uhlenbeck
# paths Adam's minibatches stopped on a plateau of the noisy loss with the
# drift, whose signal is weak beside the noise, still 20 % off.
_LBFGS_AUTO_MAX_INCREMENTS = 200_000

# rows per block when drift and diffusion are evaluated
_EVAL_BLOCK = 65536


def _without_dropout(constraints):
    """The engine's constraints without dropout and batch_norm: the SDE
    estimators have neither (the noise is their own randomness)."""
    return {k: v for k, v in constraints.items() if k not in ("dropout", "batch_norm")}


def _validation_loglik(y_pred, y, w):
    """Sum of weighted per-increment log-likelihoods and the weight total."""
    loglik = -increment_nll(y_pred, y)
    return float((loglik * w).sum()), float(w.sum())


_validation_loglik.batchwise = True


class NeuralSDE(_BaseTorchEstimator):
    """Neural SDE: drift and diffusion learnt from observed paths.

    The paths are modelled as an Ito diffusion
    ``dX_t = mu(X_t) dt + diag(sigma(X_t)) dW_t`` whose drift ``mu`` and
    diffusion ``sigma`` are neural networks, fitted by maximizing the
    Euler-Maruyama likelihood of the observed increments: between two
    observations ``dt`` apart, ``X_{t+dt} - X_t ~ N(mu(X_t) dt, sigma(X_t)^2
    dt)`` per channel (Kloeden and Platen's scheme read as a likelihood; its
    bias is O(dt)). :meth:`sample` simulates new paths with torchsde.

    Read more in the :ref:`User Guide <neural_sde>`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32, 32)
        Hidden widths of the drift network. ``()`` is an affine drift
        ``a + B x`` (an Ornstein-Uhlenbeck process with
        ``diffusion="additive"``).

    diffusion_hidden_layer_sizes : tuple of int, default=(32,)
        Hidden widths of the network of ``log sigma(x)`` (``diffusion=
        "diagonal"`` only).

    diffusion : {"diagonal", "additive"}, default="diagonal"
        "diagonal": a state-dependent ``sigma(x)`` per channel, each channel
        driven by its own Brownian motion; "additive": a constant ``sigma``
        per channel (state-independent noise).

    activation : {"relu", "tanh", "sigmoid", "gelu", "identity"}, default="tanh"
        Activation of the hidden layers (smooth coefficients suit the
        simulation).

    optimizer : {"auto", "adam", "sgd", "adamw", "rmsprop", "lbfgs", \
            "newton"}, default="auto"
        "auto" is full-batch L-BFGS on up to 200,000 increments (the
        likelihood of two small networks is a smooth, deterministic objective,
        cheap to evaluate in full), Adam on more.

    learning_rate_init : float, default=1e-3
        Initial step size eta_0.

    learning_rate : {"constant", "invscaling", "cosine", "plateau", "adaptive"}, \
            default="constant"
        Step-size schedule. "invscaling" is the Robbins-Monro schedule
        ``eta_t = eta_0 / (1 + t) ** power_t`` over optimizer steps t; "cosine"
        anneals eta_0 to 0 over ``max_iter`` epochs; "plateau" divides the step
        by 5 when the monitored loss has not improved by ``tol`` for 2 epochs
        ("adaptive", scikit-learn's name for it, is accepted as an alias).

    power_t : float, default=0.5
        Exponent of the "invscaling" schedule. The Robbins-Monro conditions
        (sum eta_t infinite, sum eta_t^2 finite) hold for 0.5 < power_t <= 1.

    momentum : float, default=0.9
        Momentum of the "sgd" optimizer.

    nesterovs_momentum : bool, default=True
        Whether the "sgd" optimizer uses Nesterov's momentum.

    optimizer_params : dict, default=None
        Further keyword arguments of the torch optimizer (for example
        ``{"betas": (0.9, 0.99)}``). Copied, never modified.

    alpha : float, default=0.0
        L2 penalty of the weights.

    l1_alpha : float, default=0.0
        Strength of the L1 penalty ``l1_alpha * ||W||_1 / batch_weight`` on the
        weight matrices.

    batch_size : int or "auto", default="auto"
        Increments per minibatch (stochastic optimizers).

    max_iter : int or "auto", default="auto"
        Maximum number of epochs (passes over the training data). "auto" is
        ``max(200, ceil(2000 / batches_per_epoch))``: at least 200 epochs and
        at least 2000 optimizer steps, so that small data sets get enough
        steps. The stopping rule (``tol``, ``n_iter_no_change``) usually ends
        training earlier.

    shuffle : bool, default=True
        Whether to reshuffle the training rows at every epoch.

    tol : float, default=1e-4
        Training stops when the training loss (or, with ``early_stopping``, the
        validation score) has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs. For classifiers and regressors
        it never stops so while the best training loss is within 5% of the
        loss of the best constant prediction (the model is still at chance
        level); a classifier also stops once its training loss falls below 1%
        of that loss (it separates the training data). The first rule reads the
        data term of the loss, the second the loss with its penalties.

    n_iter_no_change : int, np.inf or "auto", default="auto"
        Number of epochs without improvement that ends training. "auto" is
        ``max(10, ceil(30 / batches_per_epoch))``: 10 epochs, and at least 30
        optimizer steps on small data sets, where an epoch is one or a few
        steps. ``np.inf`` never stops on a plateau (as in scikit-learn).

    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data
        (stratified for classifiers, seeded by ``random_state``), stop when the
        validation score stops improving, and restore the weights of the best
        epoch.

    validation_fraction : float, default=0.1
        Fraction of the training data held out when early stopping is on.

    warm_start : bool, default=False
        When True, ``fit`` continues from the previous weights and optimizer
        state instead of starting afresh.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, shuffling, dropout and the validation split.
        An int gives identical results on the CPU across calls; GPU kernels
        (cuDNN) may still be nondeterministic. Global seeds are never touched.

    device : {"cpu", "cuda", "mps", "auto"} or torch.device, default="cpu"
        Where the network is trained and evaluated. "auto" picks CUDA, then MPS,
        then the CPU. Predictions are always returned as NumPy arrays.

    verbose : int, default=0
        0 is silent; 1 or more shows a progress bar over epochs with the
        training loss (and the validation score with ``early_stopping``).

    Attributes
    ----------
    n_channels_ : int
        Channels of a path.

    n_features_in_ : int
        ``X.shape[1]`` in fit (channels of 3-D X, time points of 2-D X).

    times_ : ndarray of shape (n_times,)
        Observation times of the first training path (:meth:`sample`'s
        default grid).

    mean_, scale_ : ndarray of shape (n_channels,)
        Per-channel standardization of the states (the networks see
        ``(x - mean_) / scale_``).

    time_scale_ : float
        Mean time step of the training data (the networks' unit of time).

    initial_states_ : ndarray of shape (n_paths, n_channels)
        The training paths' first states (:meth:`sample` resamples them).

    loss_curve_ : list of float
        Mean negative log-likelihood per increment (standardized units) per
        epoch.

    n_iter_ : int
        Epochs run.

    See Also
    --------
    NeuralODERegressor : A deterministic continuous-depth network.

    Notes
    -----
    The states are standardized per channel and time is measured in units of
    the mean step, so the networks work at scale 1 whatever the data's units;
    :meth:`predict_drift` and :meth:`predict_diffusion` return the coefficients
    in the data's units (``mu(x) = scale_ * mu_z(z) / time_scale_``,
    ``sigma(x) = scale_ * sigma_z(z) / sqrt(time_scale_)``).

    References
    ----------
    .. [1] Kloeden and Platen. "Numerical Solution of Stochastic Differential
       Equations." Springer (1992).
    .. [2] Li, Wong, Chen and Duvenaud. "Scalable gradients for stochastic
       differential equations." AISTATS (2020) (torchsde).

    Examples
    --------
    Ornstein-Uhlenbeck paths, ``dX = 2 (1 - X) dt + 0.5 dW``:

    >>> import numpy as np
    >>> from sklearn_mathdl import NeuralSDE
    >>> rng = np.random.default_rng(0)
    >>> dt, X = 0.05, np.zeros((100, 1, 60))
    >>> for t in range(59):
    ...     X[:, 0, t + 1] = (X[:, 0, t] + 2 * (1 - X[:, 0, t]) * dt
    ...                      + 0.5 * np.sqrt(dt) * rng.normal(size=100))
    >>> sde = NeuralSDE(hidden_layer_sizes=(), diffusion="additive",
    ...                 random_state=0).fit(X, times=np.arange(60) * dt)
    >>> sde.predict_diffusion([[1.0]]).round(1)
    array([[0.5]])
    >>> sde.sample(3, random_state=0).shape
    (3, 1, 60)
    """

    _parameter_constraints: dict = {
        **_without_dropout(_BaseTorchEstimator._parameter_constraints),
        "hidden_layer_sizes": [tuple, list],
        "diffusion_hidden_layer_sizes": [tuple, list],
        "diffusion": [StrOptions(set(DIFFUSIONS))],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "optimizer": [StrOptions(set(_OPTIMIZERS) | {"auto"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(32, 32),
        *,
        diffusion_hidden_layer_sizes=(32,),
        diffusion="diagonal",
        activation="tanh",
        optimizer="auto",
        learning_rate_init=1e-3,
        learning_rate="constant",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        optimizer_params=None,
        alpha=0.0,
        l1_alpha=0.0,
        batch_size="auto",
        max_iter="auto",
        shuffle=True,
        tol=1e-4,
        n_iter_no_change="auto",
        early_stopping=False,
        validation_fraction=0.1,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.diffusion_hidden_layer_sizes = diffusion_hidden_layer_sizes
        self.diffusion = diffusion
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.optimizer_params = optimizer_params
        self.alpha = alpha
        self.l1_alpha = l1_alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # the engine reads these; a diffusion model has no dropout or batch norm
    dropout = 0.0
    batch_norm = False

    # ------------------------------------------------------------ engine hooks
    def _build_module(self, n_features_in, n_outputs):
        return _SDEDynamicsModule(
            self.n_channels_,
            hidden_layer_sizes=tuple(self.hidden_layer_sizes),
            diffusion_hidden_layer_sizes=tuple(self.diffusion_hidden_layer_sizes),
            activation=self.activation,
            diffusion=self.diffusion,
        )

    def _criterion(self):
        return _IncrementNLL()

    @property
    def _validation_score(self):
        return _validation_loglik

    def _auto_optimizer(self, n_samples, incremental, lazy, context):
        if incremental or lazy or context is not None:
            return "adam"
        return "lbfgs" if n_samples <= _LBFGS_AUTO_MAX_INCREMENTS else "adam"

    # ------------------------------------------------------------ data
    def _paths(self, X, times, *, reset):
        """Validated paths (n_paths, n_channels, n_times) in float64 and their
        times (n_paths, n_times)."""
        # a path needs two times (one increment); a refit's X is checked
        # against n_features_in_ instead
        X = validate_data(
            self,
            X,
            reset=reset,
            allow_nd=True,
            dtype=np.float64,
            ensure_min_features=2 if reset else 1,
        )
        if X.ndim == 2:
            X = X[:, None, :]
        if X.ndim != 3:
            raise ValueError(
                "X holds paths: shape (n_paths, n_channels, n_times), or "
                f"(n_paths, n_times) for one channel; got {X.ndim}-D."
            )
        n_paths, n_channels, n_times = X.shape
        if not reset and n_channels != self.n_channels_:
            raise ValueError(
                f"X has {n_channels} channels; the model was fitted on "
                f"{self.n_channels_}."
            )
        if times is None:
            times = np.arange(n_times, dtype=np.float64)
        times = check_array(times, ensure_2d=False, dtype=np.float64)
        if times.ndim == 1:
            times = np.broadcast_to(times, (n_paths, len(times)))
        if times.shape != (n_paths, n_times):
            raise ValueError(
                f"times must have shape ({n_times},) or ({n_paths}, {n_times}), "
                f"one time per observation; got {times.shape}."
            )
        if np.any(np.diff(times, axis=1) <= 0):
            raise ValueError("times must increase strictly along each path.")
        return X, times

    def _increments(self, X, times):
        """Rows (standardized state) and targets (increment, time step)."""
        z = (X - self.mean_[None, :, None]) / self.scale_[None, :, None]
        dt = np.diff(times, axis=1) / self.time_scale_
        states = z[:, :, :-1].transpose(0, 2, 1).reshape(-1, self.n_channels_)
        dz = np.diff(z, axis=2).transpose(0, 2, 1).reshape(-1, self.n_channels_)
        target = np.hstack([dz, dt.reshape(-1, 1)])
        with np.errstate(over="ignore"):
            states = np.ascontiguousarray(states, dtype=np.float32)
            target = np.ascontiguousarray(target, dtype=np.float32)
        _check_float32_range(states)
        _check_float32_range(target)
        return states, target

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, times=None):
        """Fit drift and diffusion to observed paths.

        Parameters
        ----------
        X : array-like of shape (n_paths, n_channels, n_times) or \
                (n_paths, n_times)
            Observed paths (2-D: one channel).

        y : None
            Ignored.

        times : array-like of shape (n_times,) or (n_paths, n_times), \
                default=None
            Observation times, increasing along each path. ``None`` is
            ``0, 1, ..., n_times - 1``.

        Returns
        -------
        self : NeuralSDE
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "_net")
        # a call that fails leaves the estimator as it was (a fitted model
        # included)
        previous = dict(self.__dict__)
        try:
            X, times = self._paths(X, times, reset=not continuing)
            if not np.isfinite(X).all():
                raise ValueError("X contains NaN or infinity.")
            if not continuing:
                self._set_scales(X, times)
            states, target = self._increments(X, times)
            sw = _checked_sample_weight(None, states)
            return self._fit_engine(states, target, sw, n_outputs=2 * self.n_channels_)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise

    def _set_scales(self, X, times):
        n_channels = X.shape[1]
        self.n_channels_ = n_channels
        flat = X.transpose(0, 2, 1).reshape(-1, n_channels)
        self.mean_ = flat.mean(axis=0)
        scale = flat.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.time_scale_ = float(np.diff(times, axis=1).mean())
        self.times_ = np.array(times[0])
        self.initial_states_ = X[:, :, 0].copy()

    # ------------------------------------------------------------ the model
    def _states(self, X):
        check_is_fitted(self, "module_")
        X = check_array(X, dtype=np.float64)
        if X.shape[1] != self.n_channels_:
            raise ValueError(
                f"X has {X.shape[1]} columns; a state has {self.n_channels_} channels."
            )
        return X

    def _coefficients(self, X):
        """(drift, log diffusion) in standardized units at states X."""
        with np.errstate(over="ignore"):
            z = ((X - self.mean_) / self.scale_).astype(np.float32)
        _check_float32_range(z)
        module = self.module_
        module.eval()
        out = np.empty((len(z), 2 * self.n_channels_))
        with torch.inference_mode():
            for start in range(0, len(z), _EVAL_BLOCK):
                block = torch.from_numpy(z[start : start + _EVAL_BLOCK])
                out[start : start + len(block)] = (
                    module(block.to(self._device)).double().cpu().numpy()
                )
        return out[:, : self.n_channels_], out[:, self.n_channels_ :]

    def predict_drift(self, X):
        """Return the drift ``mu(x)`` in the data's units.

        Parameters
        ----------
        X : array-like of shape (n_states, n_channels)
            States.

        Returns
        -------
        mu : ndarray of shape (n_states, n_channels)
            Drift per unit of time.
        """
        X = self._states(X)
        mu_z, _ = self._coefficients(X)
        return mu_z * self.scale_ / self.time_scale_

    def predict_diffusion(self, X):
        """Return the diffusion ``sigma(x)`` in the data's units.

        Parameters
        ----------
        X : array-like of shape (n_states, n_channels)
            States.

        Returns
        -------
        sigma : ndarray of shape (n_states, n_channels)
            Standard deviation per square root of time, per channel.
        """
        X = self._states(X)
        _, log_sigma_z = self._coefficients(X)
        return np.exp(log_sigma_z) * self.scale_ / np.sqrt(self.time_scale_)

    def score_samples(self, X, times=None):
        """Return the Euler-Maruyama log-likelihood of each path.

        Parameters
        ----------
        X : array-like of shape (n_paths, n_channels, n_times) or \
                (n_paths, n_times)
            Paths.

        times : array-like of shape (n_times,) or (n_paths, n_times), \
                default=None
            Observation times (``None``: 0, 1, ...).

        Returns
        -------
        log_likelihood : ndarray of shape (n_paths,)
            Sum over the path's increments of their log-density, in the data's
            units, given the first state.
        """
        check_is_fitted(self, "module_")
        X, times = self._paths(X, times, reset=False)
        states, target = self._increments(X, times)
        module = self.module_
        module.eval()
        with torch.inference_mode():
            out = module(torch.from_numpy(states).to(self._device))
            nll = increment_nll(out, torch.from_numpy(target).to(self._device))
        per_increment = -nll.double().cpu().numpy() - np.log(self.scale_).sum()
        return per_increment.reshape(X.shape[0], -1).sum(axis=1)

    def score(self, X, y=None, times=None):
        """Mean log-likelihood per increment of the paths (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_paths, n_channels, n_times) or \
                (n_paths, n_times)
            Paths.

        y : None
            Ignored.

        times : array-like of shape (n_times,) or (n_paths, n_times), \
                default=None
            Observation times (``None``: 0, 1, ...).

        Returns
        -------
        score : float
            The mean over increments of their log-density; it can drive
            :class:`~sklearn.model_selection.GridSearchCV`.
        """
        per_path = self.score_samples(X, times)
        n_increments = np.shape(X)[-1] - 1
        return float(per_path.mean() / n_increments)

    def sample(
        self,
        n_paths=1,
        *,
        times=None,
        initial_states=None,
        random_state=None,
        substeps=4,
    ):
        """Simulate paths of the fitted SDE (Euler-Maruyama, torchsde).

        Parameters
        ----------
        n_paths : int, default=1
            Paths to simulate.

        times : array-like of shape (n_times,), default=None
            Times to report the paths at (``None``: ``times_``).

        initial_states : array-like of shape (n_paths, n_channels), \
                default=None
            States at ``times[0]``; ``None`` resamples the training paths'
            first states.

        random_state : int, RandomState instance or None, default=None
            Seeds the initial states and the Brownian motion.

        substeps : int, default=4
            Solver steps between two reported times.

        Returns
        -------
        paths : ndarray of shape (n_paths, n_channels, n_times)
            Simulated paths, in the data's units.
        """
        check_is_fitted(self, "module_")
        try:
            import torchsde
        except ImportError as exc:  # pragma: no cover - the sde extra installs it
            raise ImportError(
                "NeuralSDE.sample needs torchsde: pip install torchsde (or "
                "sklearn_mathdl's 'sde' extra)."
            ) from exc
        if not isinstance(n_paths, Integral) or n_paths < 1:
            raise ValueError(f"n_paths must be a positive int; got {n_paths!r}.")
        if not isinstance(substeps, Integral) or substeps < 1:
            raise ValueError(f"substeps must be a positive int; got {substeps!r}.")
        rng = check_random_state(random_state)
        times = self.times_ if times is None else np.asarray(times, dtype=np.float64)
        if times.ndim != 1 or len(times) < 2 or np.any(np.diff(times) <= 0):
            raise ValueError("times must be a 1-D increasing array of >= 2 times.")
        if initial_states is None:
            pick = rng.randint(len(self.initial_states_), size=n_paths)
            x0 = self.initial_states_[pick]
        else:
            x0 = self._states(initial_states)
            if len(x0) != n_paths:
                raise ValueError(
                    f"initial_states has {len(x0)} rows; n_paths is {n_paths}."
                )
        with np.errstate(over="ignore"):
            z0 = ((x0 - self.mean_) / self.scale_).astype(np.float32)
        _check_float32_range(z0)
        z0 = torch.from_numpy(z0)
        ts = torch.as_tensor((times - times[0]) / self.time_scale_, dtype=torch.float32)
        dt = float(np.diff(ts.numpy()).min()) / substeps
        sde = _TorchSDE(self.module_.eval())
        seed = draw_seed(rng)
        with torch.no_grad(), torch_seed(seed, self._device):
            bm = torchsde.BrownianInterval(
                t0=float(ts[0]),
                t1=float(ts[-1]),
                size=(n_paths, self.n_channels_),
                device=self._device,
                entropy=seed,
            )
            zs = torchsde.sdeint(
                sde,
                z0.to(self._device),
                ts.to(self._device),
                bm=bm,
                dt=dt,
                method="euler",
            )
        z = zs.double().cpu().numpy().transpose(1, 2, 0)  # (paths, channels, times)
        paths = z * self.scale_[None, :, None] + self.mean_[None, :, None]
        paths[:, :, 0] = x0  # exactly, not through float32
        return paths

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags


_SDE_FLOW_CONSTRAINTS = {
    "hidden_layer_sizes": [tuple, list],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "augment_dim": [Interval(Integral, 0, None, closed="left")],
    "diffusion": [StrOptions(set(NOISE_TYPES))],
    "n_steps": [Interval(Integral, 1, None, closed="left")],
    "n_mc_samples": [Interval(Integral, 2, None, closed="left")],
    "integration_time": [Interval(Real, 0, None, closed="neither")],
    "alpha": [Interval(Real, 0, None, closed="left")],
}

# Brownian paths a training row draws: the scoring rule of the regressor
# compares paths with each other (at least 2; 8 gave calibrated intervals on
# the development data at a quarter of the cost of 32), the classifier's
# expected cross-entropy needs one
_TRAIN_PATHS = {"regression": 8, "classification": 1}


class _NeuralSDEFlowMixin:
    """Module, loss and fitted attributes shared by the two tasks."""

    # the engine reads these; the noise is the SDE's own regularization
    dropout = 0.0
    batch_norm = False

    # the diffusion at initialization (per unit of the standardized state)
    _sigma_init = 0.1

    def _task(self):
        return "regression"

    def _build_module(self, n_features_in, n_outputs):
        check_hidden_layer_sizes(self.hidden_layer_sizes)
        task = self._task()
        # drawn under the fit's seed: the inference noise is reproducible
        noise_seed = int(torch.randint(2**31 - 1, (1,)).item())
        return _NeuralSDEModule(
            n_features_in,
            n_outputs,
            hidden_layer_sizes=tuple(self.hidden_layer_sizes),
            activation=self.activation,
            augment_dim=self.augment_dim,
            diffusion=self.diffusion,
            n_steps=self.n_steps,
            integration_time=self.integration_time,
            n_train_paths=_TRAIN_PATHS[
                "regression" if task == "regression" else "classification"
            ],
            n_mc_samples=self.n_mc_samples,
            task=task,
            noise_seed=noise_seed,
            sigma_init=self._sigma_init,
        )

    def _criterion(self):
        return _PathsLoss(self._task())

    def _after_fit(self, net):
        self.nfe_forward_ = float(self.module_.n_steps)


class NeuralSDEClassifier(ClassifierMixin, _NeuralSDEFlowMixin, _BaseTorchClassifier):
    """Neural SDE classifier: a neural ODE with a learned noise term.

    The input (padded with ``augment_dim`` zeros) is the initial state h(0) of
    ``dh = f_theta(t, h) dt + g_phi(h) dW``, integrated to
    ``integration_time`` by Euler-Maruyama; a linear layer maps h(T) to the
    class logits. Training minimizes the expected cross-entropy of the random
    network (one path a row a step); a prediction averages the class
    probabilities over ``n_mc_samples`` Brownian paths.

    Read more in the :ref:`User Guide <neural_sde>`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32, 32)
        Hidden widths of the MLP that defines the vector field f(t, h).

    activation : {"relu", "tanh", "sigmoid", "gelu", "identity"}, default="tanh"
        Activation function of the hidden layers (of the vector field; smooth
        activations keep the dynamics non-stiff and the solver's steps few).

    augment_dim : int, default=6
        Extra zero-initialized state dimensions (augmented neural ODE). Flows of
        an ODE are homeomorphisms, so without them some data sets (nested or
        intertwined classes) cannot be separated in the input dimension. With
        the default 6, make_moons scores 0.97 where 0 gives 0.86 (both with
        the other defaults; ``benchmarks/bench_defaults.py``).

    diffusion : {"diagonal", "scalar", "additive"}, default="diagonal"
        The noise term g of ``dh = f(t, h) dt + g(h) dW``: "diagonal", a
        network of the state with one Brownian motion per state dimension;
        "scalar", a network of the state with one Brownian motion for all
        dimensions; "additive", a learned constant per dimension.

    n_steps : int, default=16
        Euler-Maruyama steps from 0 to ``integration_time`` (16 evaluations
        of the vector field, as the neural ODE's default rk4 solve).

    n_mc_samples : int, default=32
        Brownian paths a prediction averages over. They are common to all
        rows and fixed at fit (seeded by ``random_state``), so a row's
        prediction does not depend on the other rows and repeats exactly.

    integration_time : float, default=1.0
        The network's "depth": the state flows from t=0 to this time.

    optimizer : {"sgd", "adam", "adamw", "adamax", "rmsprop", "adagrad"}, \
            default="adam"
        The optimizer (from :mod:`torch.optim`). "adamax" is Adam with the
        infinity norm in place of the second moment (Kingma and Ba 2015).

    learning_rate_init : float, default=1e-3
        Initial step size eta_0.

    learning_rate : {"constant", "invscaling", "cosine", "plateau", "adaptive"}, \
            default="constant"
        Step-size schedule. "invscaling" is the Robbins-Monro schedule
        ``eta_t = eta_0 / (1 + t) ** power_t`` over optimizer steps t; "cosine"
        anneals eta_0 to 0 over ``max_iter`` epochs; "plateau" divides the step
        by 5 when the monitored loss has not improved by ``tol`` for 2 epochs
        ("adaptive", scikit-learn's name for it, is accepted as an alias).

    power_t : float, default=0.5
        Exponent of the "invscaling" schedule. The Robbins-Monro conditions
        (sum eta_t infinite, sum eta_t^2 finite) hold for 0.5 < power_t <= 1.

    momentum : float, default=0.9
        Momentum of the "sgd" optimizer.

    nesterovs_momentum : bool, default=True
        Whether the "sgd" optimizer uses Nesterov's momentum.

    optimizer_params : dict, default=None
        Further keyword arguments of the torch optimizer (for example
        ``{"betas": (0.9, 0.99)}``). Copied, never modified.

    alpha : float, default=1e-4
        Strength of the L2 penalty ``alpha / 2 * ||W||^2 / batch_weight`` on the
        weight matrices (not the biases), scikit-learn's convention.

    l1_alpha : float, default=0.0
        Strength of the L1 penalty ``l1_alpha * ||W||_1 / batch_weight`` on the
        weight matrices.

    batch_size : int or "auto", default="auto"
        Rows per mini-batch; "auto" means ``min(200, n_samples)``.

    max_iter : int or "auto", default="auto"
        Maximum number of epochs (passes over the training data). "auto" is
        ``max(200, ceil(2000 / batches_per_epoch))``: at least 200 epochs and
        at least 2000 optimizer steps, so that small data sets get enough
        steps. The stopping rule (``tol``, ``n_iter_no_change``) usually ends
        training earlier.

    shuffle : bool, default=True
        Whether to reshuffle the training rows at every epoch.

    tol : float, default=1e-4
        Training stops when the training loss (or, with ``early_stopping``, the
        validation score) has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs. For classifiers and regressors
        it never stops so while the best training loss is within 5% of the
        loss of the best constant prediction (the model is still at chance
        level); a classifier also stops once its training loss falls below 1%
        of that loss (it separates the training data). The first rule reads the
        data term of the loss, the second the loss with its penalties.

    n_iter_no_change : int, np.inf or "auto", default="auto"
        Number of epochs without improvement that ends training. "auto" is
        ``max(10, ceil(30 / batches_per_epoch))``: 10 epochs, and at least 30
        optimizer steps on small data sets, where an epoch is one or a few
        steps. ``np.inf`` never stops on a plateau (as in scikit-learn).

    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data
        (stratified for classifiers, seeded by ``random_state``), stop when the
        validation score stops improving, and restore the weights of the best
        epoch.

    validation_fraction : float, default=0.1
        Fraction of the training data held out when early stopping is on.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``. "balanced"
        uses ``n_samples / (n_classes * np.bincount(y))``.

    warm_start : bool, default=False
        When True, ``fit`` continues from the previous weights and optimizer
        state instead of starting afresh.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, shuffling, dropout and the validation split.
        An int gives identical results on the CPU across calls; GPU kernels
        (cuDNN) may still be nondeterministic. Global seeds are never touched.

    device : {"cpu", "cuda", "mps", "auto"} or torch.device, default="cpu"
        Where the network is trained and evaluated. "auto" picks CUDA, then MPS,
        then the CPU. Predictions are always returned as NumPy arrays.

    verbose : int, default=0
        0 is silent; 1 or more shows a progress bar over epochs with the
        training loss (and the validation score with ``early_stopping``).

    Attributes
    ----------
    nfe_forward_ : float
        Vector-field evaluations per path of a forward pass (``n_steps``).

    classes_ : ndarray of shape (n_classes,)
        Class labels (label indices for multilabel targets).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    module_ : torch.nn.Module
        The trained network, in evaluation mode.

    n_iter_ : int
        Number of epochs trained so far.

    loss_ : float
        Training loss of the last epoch, penalties included.

    loss_curve_ : list of float
        Training loss of every epoch.

    best_loss_ : float or None
        Lowest training loss reached; None with ``early_stopping=True``, where
        the validation score decides (as in scikit-learn).

    validation_scores_ : list of float or None
        Validation score at every epoch with ``early_stopping=True``, else None.

    best_validation_score_ : float or None
        Best validation score with ``early_stopping=True``, else None.

    See Also
    --------
    NeuralODEClassifier : The deterministic flow.
    NeuralSDERegressor : Neural SDE regression.

    Notes
    -----
    No solver choice: Euler-Maruyama (strong order 1/2) with ``n_steps``
    fixed steps; an adaptive SDE solver would share its steps across the
    rows. The inference noise is common to all rows (common random numbers),
    which torchsde's per-row Brownian objects do not give, so the module
    integrates itself (torchsde is not needed).

    References
    ----------
    .. [1] X. Li, T.-K. L. Wong, R. T. Q. Chen and D. Duvenaud, "Scalable
       gradients for stochastic differential equations", AISTATS 2020.
    .. [2] X. Liu, T. Xiao, S. Si, Q. Cao, S. Kumar and C.-J. Hsieh, "Neural
       SDE: stabilizing neural ODE networks with stochastic noise", 2019.
    .. [3] T. Gneiting and A. E. Raftery, "Strictly proper scoring rules,
       prediction, and estimation", JASA 102 (2007).

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from sklearn_mathdl import NeuralSDEClassifier
    >>> X, y = make_moons(200, noise=0.1, random_state=0)
    >>> clf = NeuralSDEClassifier(augment_dim=2, learning_rate_init=0.01,
    ...                           max_iter=30, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        **_without_dropout(_BaseTorchClassifier._parameter_constraints),
        **_SDE_FLOW_CONSTRAINTS,
    }

    def __init__(
        self,
        hidden_layer_sizes=(32, 32),
        *,
        activation="tanh",
        augment_dim=6,
        diffusion="diagonal",
        n_steps=16,
        n_mc_samples=32,
        integration_time=1.0,
        optimizer="adam",
        learning_rate_init=1e-3,
        learning_rate="constant",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        optimizer_params=None,
        alpha=1e-4,
        l1_alpha=0.0,
        batch_size="auto",
        max_iter="auto",
        shuffle=True,
        tol=1e-4,
        n_iter_no_change="auto",
        early_stopping=False,
        validation_fraction=0.1,
        class_weight=None,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.augment_dim = augment_dim
        self.diffusion = diffusion
        self.n_steps = n_steps
        self.n_mc_samples = n_mc_samples
        self.integration_time = integration_time
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.optimizer_params = optimizer_params
        self.alpha = alpha
        self.l1_alpha = l1_alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _task(self):
        return "multiclass" if self._target_kind == "multiclass" else "binary"


class NeuralSDERegressor(RegressorMixin, _NeuralSDEFlowMixin, _BaseTorchRegressor):
    """Neural SDE regressor: a predictive distribution from a noisy flow.

    The input (padded with ``augment_dim`` zeros) is the initial state h(0) of
    ``dh = f_theta(t, h) dt + g_phi(h) dW``, integrated to
    ``integration_time`` by Euler-Maruyama; a linear layer maps h(T) to the
    outputs. The outputs of the Brownian paths are a sample of the predictive
    law of y given x: training minimizes their continuous ranked probability
    score (8 paths a row), a proper scoring rule, so the noise learns the
    spread of y, which ``predict(X, return_std=True)`` returns.

    Read more in the :ref:`User Guide <neural_sde>`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32, 32)
        Hidden widths of the MLP that defines the vector field f(t, h).

    activation : {"relu", "tanh", "sigmoid", "gelu", "identity"}, default="tanh"
        Activation function of the hidden layers (of the vector field; smooth
        activations keep the dynamics non-stiff and the solver's steps few).

    augment_dim : int, default=6
        Extra zero-initialized state dimensions (augmented neural ODE). Flows of
        an ODE are homeomorphisms, so without them some data sets (nested or
        intertwined classes) cannot be separated in the input dimension. With
        the default 6, make_moons scores 0.97 where 0 gives 0.86 (both with
        the other defaults; ``benchmarks/bench_defaults.py``).

    diffusion : {"diagonal", "scalar", "additive"}, default="diagonal"
        The noise term g of ``dh = f(t, h) dt + g(h) dW``: "diagonal", a
        network of the state with one Brownian motion per state dimension;
        "scalar", a network of the state with one Brownian motion for all
        dimensions; "additive", a learned constant per dimension.

    n_steps : int, default=16
        Euler-Maruyama steps from 0 to ``integration_time`` (16 evaluations
        of the vector field, as the neural ODE's default rk4 solve).

    n_mc_samples : int, default=32
        Brownian paths a prediction averages over. They are common to all
        rows and fixed at fit (seeded by ``random_state``), so a row's
        prediction does not depend on the other rows and repeats exactly.

    integration_time : float, default=1.0
        The network's "depth": the state flows from t=0 to this time.

    optimizer : {"sgd", "adam", "adamw", "adamax", "rmsprop", "adagrad"}, \
            default="adam"
        The optimizer (from :mod:`torch.optim`). "adamax" is Adam with the
        infinity norm in place of the second moment (Kingma and Ba 2015).

    learning_rate_init : float, default=1e-3
        Initial step size eta_0.

    learning_rate : {"constant", "invscaling", "cosine", "plateau", "adaptive"}, \
            default="constant"
        Step-size schedule. "invscaling" is the Robbins-Monro schedule
        ``eta_t = eta_0 / (1 + t) ** power_t`` over optimizer steps t; "cosine"
        anneals eta_0 to 0 over ``max_iter`` epochs; "plateau" divides the step
        by 5 when the monitored loss has not improved by ``tol`` for 2 epochs
        ("adaptive", scikit-learn's name for it, is accepted as an alias).

    power_t : float, default=0.5
        Exponent of the "invscaling" schedule. The Robbins-Monro conditions
        (sum eta_t infinite, sum eta_t^2 finite) hold for 0.5 < power_t <= 1.

    momentum : float, default=0.9
        Momentum of the "sgd" optimizer.

    nesterovs_momentum : bool, default=True
        Whether the "sgd" optimizer uses Nesterov's momentum.

    optimizer_params : dict, default=None
        Further keyword arguments of the torch optimizer (for example
        ``{"betas": (0.9, 0.99)}``). Copied, never modified.

    alpha : float, default=1e-4
        Strength of the L2 penalty ``alpha / 2 * ||W||^2 / batch_weight`` on the
        weight matrices (not the biases), scikit-learn's convention.

    l1_alpha : float, default=0.0
        Strength of the L1 penalty ``l1_alpha * ||W||_1 / batch_weight`` on the
        weight matrices.

    batch_size : int or "auto", default="auto"
        Rows per mini-batch; "auto" means ``min(200, n_samples)``.

    max_iter : int or "auto", default="auto"
        Maximum number of epochs (passes over the training data). "auto" is
        ``max(200, ceil(2000 / batches_per_epoch))``: at least 200 epochs and
        at least 2000 optimizer steps, so that small data sets get enough
        steps. The stopping rule (``tol``, ``n_iter_no_change``) usually ends
        training earlier.

    shuffle : bool, default=True
        Whether to reshuffle the training rows at every epoch.

    tol : float, default=1e-4
        Training stops when the training loss (or, with ``early_stopping``, the
        validation score) has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs. For classifiers and regressors
        it never stops so while the best training loss is within 5% of the
        loss of the best constant prediction (the model is still at chance
        level); a classifier also stops once its training loss falls below 1%
        of that loss (it separates the training data). The first rule reads the
        data term of the loss, the second the loss with its penalties.

    n_iter_no_change : int, np.inf or "auto", default="auto"
        Number of epochs without improvement that ends training. "auto" is
        ``max(10, ceil(30 / batches_per_epoch))``: 10 epochs, and at least 30
        optimizer steps on small data sets, where an epoch is one or a few
        steps. ``np.inf`` never stops on a plateau (as in scikit-learn).

    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data
        (stratified for classifiers, seeded by ``random_state``), stop when the
        validation score stops improving, and restore the weights of the best
        epoch.

    validation_fraction : float, default=0.1
        Fraction of the training data held out when early stopping is on.

    normalize_y : bool, default=True
        Whether to standardize the targets for training (and undo it at
        prediction). Networks train far better on unit-scale targets.

    warm_start : bool, default=False
        When True, ``fit`` continues from the previous weights and optimizer
        state instead of starting afresh.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, shuffling, dropout and the validation split.
        An int gives identical results on the CPU across calls; GPU kernels
        (cuDNN) may still be nondeterministic. Global seeds are never touched.

    device : {"cpu", "cuda", "mps", "auto"} or torch.device, default="cpu"
        Where the network is trained and evaluated. "auto" picks CUDA, then MPS,
        then the CPU. Predictions are always returned as NumPy arrays.

    verbose : int, default=0
        0 is silent; 1 or more shows a progress bar over epochs with the
        training loss (and the validation score with ``early_stopping``).

    Attributes
    ----------
    nfe_forward_ : float
        Vector-field evaluations per path of a forward pass (``n_steps``).

    n_outputs_ : int
        Number of outputs.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    module_ : torch.nn.Module
        The trained network, in evaluation mode. With ``normalize_y=True`` it
        outputs the standardized target; :meth:`predict_module` gives it in
        ``predict``'s units (for SHAP's ``DeepExplainer``, for example).

    n_iter_ : int
        Number of epochs trained so far.

    loss_ : float
        Training loss of the last epoch, penalties included.

    loss_curve_ : list of float
        Training loss of every epoch.

    best_loss_ : float or None
        Lowest training loss reached; None with ``early_stopping=True``, where
        the validation score decides (as in scikit-learn).

    validation_scores_ : list of float or None
        Validation score at every epoch with ``early_stopping=True``, else None.

    best_validation_score_ : float or None
        Best validation score with ``early_stopping=True``, else None.

    See Also
    --------
    NeuralODERegressor : The deterministic flow.
    NeuralSDEClassifier : Neural SDE classification.

    Notes
    -----
    No solver choice: Euler-Maruyama (strong order 1/2) with ``n_steps``
    fixed steps; an adaptive SDE solver would share its steps across the
    rows. The inference noise is common to all rows (common random numbers),
    which torchsde's per-row Brownian objects do not give, so the module
    integrates itself (torchsde is not needed).

    ``return_std`` is the spread of the paths: the model's predictive law of y
    given x (aleatoric), learnt by the scoring rule. For intervals with
    guaranteed coverage use :class:`~sklearn_mathdl.ConformalRegressor`.

    References
    ----------
    .. [1] X. Li, T.-K. L. Wong, R. T. Q. Chen and D. Duvenaud, "Scalable
       gradients for stochastic differential equations", AISTATS 2020.
    .. [2] X. Liu, T. Xiao, S. Si, Q. Cao, S. Kumar and C.-J. Hsieh, "Neural
       SDE: stabilizing neural ODE networks with stochastic noise", 2019.
    .. [3] T. Gneiting and A. E. Raftery, "Strictly proper scoring rules,
       prediction, and estimation", JASA 102 (2007).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl import NeuralSDERegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(300, 1))
    >>> y = X[:, 0] + (0.1 + 0.4 * (X[:, 0] > 0)) * rng.normal(size=300)
    >>> reg = NeuralSDERegressor(max_iter=60, random_state=0).fit(X, y)
    >>> mean, std = reg.predict([[-0.5], [0.5]], return_std=True)
    >>> bool(std[1] > 1.5 * std[0])
    True
    """

    _parameter_constraints: dict = {
        **_without_dropout(_BaseTorchRegressor._parameter_constraints),
        **_SDE_FLOW_CONSTRAINTS,
    }

    def __init__(
        self,
        hidden_layer_sizes=(32, 32),
        *,
        activation="tanh",
        augment_dim=6,
        diffusion="diagonal",
        n_steps=16,
        n_mc_samples=32,
        integration_time=1.0,
        optimizer="adam",
        learning_rate_init=1e-3,
        learning_rate="constant",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        optimizer_params=None,
        alpha=1e-4,
        l1_alpha=0.0,
        batch_size="auto",
        max_iter="auto",
        shuffle=True,
        tol=1e-4,
        n_iter_no_change="auto",
        early_stopping=False,
        validation_fraction=0.1,
        normalize_y=True,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.augment_dim = augment_dim
        self.diffusion = diffusion
        self.n_steps = n_steps
        self.n_mc_samples = n_mc_samples
        self.integration_time = integration_time
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.optimizer_params = optimizer_params
        self.alpha = alpha
        self.l1_alpha = l1_alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.normalize_y = normalize_y
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # the regressor starts from a wide predictive law: noise of one standard
    # deviation of the standardized state per unit time, so the paths' spread
    # at initialization is about that of y itself, which training narrows
    # where the inputs explain y. From 0.1 (the classifier's) the spread grew
    # too slowly and stopped short: 95 % intervals covered 0.89-0.92 of
    # held-out targets; from 1.0, 0.95 (the user guide's heteroscedastic set).
    _sigma_init = 1.0

    def _resolve_alpha(self, plan, module):
        return float(self.alpha)

    def _chance_loss(self, y, sample_weight):
        # the score of a constant (deterministic) forecast: the mean absolute
        # deviation from the weighted median of each output
        y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        w = np.asarray(sample_weight, dtype=np.float64)
        losses = []
        for column in y.T:
            order = np.argsort(column)
            cumulative = np.cumsum(w[order])
            median = column[order][np.searchsorted(cumulative, cumulative[-1] / 2)]
            losses.append(np.average(np.abs(column - median), weights=w))
        return float(np.mean(losses))

    def predict(self, X, return_std=False):
        """Predict the mean over the Brownian paths, optionally their spread.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        return_std : bool, default=False
            Also return the standard deviation of the ``n_mc_samples`` paths'
            outputs: the spread of the learnt predictive law of y given x.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Mean prediction (float64), 1-D when the model was fitted on 1-D y.

        y_std : ndarray of the same shape as y
            Standard deviation over the paths; only with ``return_std=True``.
        """
        if not return_std:
            return super().predict(X)
        samples = self.predict_samples(X)
        mean, std = samples.mean(axis=1), samples.std(axis=1, ddof=1)
        if self._y_1d:
            return mean[:, 0], std[:, 0]
        return mean, std

    def predict_samples(self, X):
        """Return the outputs of the ``n_mc_samples`` Brownian paths.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        samples : ndarray of shape (n_samples, n_mc_samples, n_outputs)
            A sample of the predictive law of y given each x (float64), for
            quantiles or any other functional of it.
        """
        X = self._check_inference_input(X, stream=True)
        out = self._forward(X, fn=lambda module, xb: module.paths_output(xb))
        out = out.astype(np.float64)
        out *= self._y_std
        out += self._y_mean
        return out
