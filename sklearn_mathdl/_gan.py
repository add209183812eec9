"""Generative adversarial networks: GenerativeAdversarialNetwork, WassersteinGAN."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback

from sklearn_mathdl import distributed as _distributed
from sklearn_mathdl._base import (
    _FULL_BATCH,
    _OPTIMIZERS,
    _BaseTorchEstimator,
    _check_optimizer_kwargs,
    _checked_sample_weight,
    _epochs_for,
    _latent_draws,
)
from sklearn_mathdl._engine import _SecondPlayer
from sklearn_mathdl._modules import ACTIVATIONS
from sklearn_mathdl._modules._gan import _AdversarialStep, _GANModule
from sklearn_mathdl.metrics import maximum_mean_discrepancy
from sklearn_mathdl.utils._compat import Interval, StrOptions, _fit_context

# max_iter="auto": at least this many epochs and this many generator steps
_GAN_MIN_EPOCHS = 20
_GAN_MIN_GENERATOR_STEPS = 3000
# score() compares X with at most this many generated rows
_SCORE_ROWS = 2000

_STOCHASTIC = sorted(set(_OPTIMIZERS) - set(_FULL_BATCH))


class _GameRecord(Callback):
    """Each epoch's mean losses of both players (and the WGAN's estimate of W_1)."""

    def on_epoch_begin(self, net, **kwargs):
        net._step.reset_sums()

    def on_epoch_end(self, net, **kwargs):
        for name, value in net._step.epoch_means().items():
            net.history.record(f"train_{name}", value)


class _BaseGAN(_BaseTorchEstimator):
    """What the two GANs share: a generator trained against a second player."""

    # the second player's name in parameters and attributes
    _second = "discriminator"
    # Not parameters: a game's losses oscillate instead of falling to a
    # plateau, so no stopping rule reads them; a fit runs max_iter epochs.
    early_stopping = False
    tol = 0.0
    n_iter_no_change = np.inf
    # the engine's plateau-free monitor keeps the last epoch's weights (for
    # Ctrl-C), not those of the lowest loss, which means nothing in a game
    _monitor_keep = "last"

    _common_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "generator_hidden_layer_sizes": [tuple, list],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "input_shape": [tuple, list, None],
        "optimizer": [StrOptions({"auto", *_STOCHASTIC})],
        "learning_rate": [StrOptions({"constant", "invscaling", "cosine"})],
        **{
            k: _BaseTorchEstimator._parameter_constraints[k]
            for k in (
                "optimizer_params",
                "learning_rate_init",
                "power_t",
                "momentum",
                "nesterovs_momentum",
                "alpha",
                "l1_alpha",
                "batch_size",
                "max_iter",
                "shuffle",
                "warm_start",
                "random_state",
                "device",
                "verbose",
            )
        },
    }

    def _second_param(self, name):
        return getattr(self, f"{self._second}_{name}")

    # ------------------------------------------------------------ engine hooks
    def _build_module(self, n_features_in, n_outputs):
        if (
            self.input_shape is not None
            and math.prod(self.input_shape) != n_features_in
        ):
            raise ValueError(
                f"input_shape={tuple(self.input_shape)} has "
                f"{math.prod(self.input_shape)} values but X has {n_features_in} "
                "features."
            )
        return _GANModule(
            n_features_in,
            self.n_components,
            generator_hidden_layer_sizes=tuple(self.generator_hidden_layer_sizes),
            critic_hidden_layer_sizes=tuple(self._second_param("hidden_layer_sizes")),
            activation=self.activation,
            input_shape=None if self.input_shape is None else tuple(self.input_shape),
        )

    def _criterion(self):
        # the players' losses are the training step's (_AdversarialStep); skorch
        # needs a criterion object
        return torch.nn.Identity()

    _validation_score = None

    def _extra_callbacks(self):
        return [("game", _GameRecord())]

    def _auto_optimizer(self, n_samples, incremental, lazy, context):
        return "adam"

    def _adam_betas(self):
        """Adam's (beta1, beta2) unless optimizer_params sets them."""
        return (0.5, 0.999)

    def _make_optimizer_kwargs(self, optimizer=None, user=None):
        kwargs = super()._make_optimizer_kwargs(optimizer, user)
        name = self.optimizer if optimizer is None else optimizer
        if name in ("adam", "adamw", "adamax") and "betas" not in kwargs:
            kwargs["betas"] = self._adam_betas()
        return kwargs

    def _second_optimizer_name(self, plan):
        name = self._second_param("optimizer")
        if name is None:
            return plan.optimizer
        if name == "auto":
            return self._auto_optimizer(None, False, False, None)
        return name

    def _second_player(self, plan):
        name = self._second_optimizer_name(plan)
        user = self._second_param("optimizer_params")
        lr = self._second_param("learning_rate_init")
        kwargs = self._make_optimizer_kwargs(
            name, self.optimizer_params if user is None else user
        )
        _check_optimizer_kwargs(
            name, kwargs, self._device, f"{self._second}_optimizer_params", user
        )
        lr = self.learning_rate_init if lr is None else lr
        return _SecondPlayer("critic", _OPTIMIZERS[name], kwargs, float(lr))

    def _resolved_max_iter(self, n_train, batch_size, optimizer=None):
        """ "auto": at least 20 epochs and 3,000 generator steps."""
        if self.max_iter != "auto":
            return int(self.max_iter)
        steps = _GAN_MIN_GENERATOR_STEPS * self._n_critic
        return _epochs_for(_GAN_MIN_EPOCHS, steps, n_train, batch_size)

    @property
    def _n_critic(self):
        return 1

    def _after_fit(self, net):
        history = net.history
        self.generator_ = net.module_.generator
        setattr(self, f"{self._second}_", net.module_.critic)
        self.generator_loss_curve_ = [
            float(r.get("train_generator", np.nan)) for r in history
        ]
        setattr(
            self,
            f"{self._second}_loss_curve_",
            [float(r["train_critic"]) for r in history],
        )

    # --------------------------------------------------------------- fitting
    def _check_fit_context(self):
        if _distributed._active() is not None:
            raise ValueError(
                f"{type(self).__name__} does not train inside data_parallel(): "
                "its alternating two-player steps are not sharded."
            )
        if _distributed._active_async() is not None:
            raise ValueError(
                f"{type(self).__name__} does not train inside asynchronous(): "
                "its alternating two-player steps are not shared out."
            )

    def _fit_data(self, X, sample_weight, *, reset, incremental):
        self._check_fit_context()
        X = self._validate_X(X, reset=reset)
        sw = _checked_sample_weight(sample_weight, X)
        # the players' losses read only X: the target is an empty column block
        target = np.zeros((X.shape[0], 0), dtype=np.float32)
        return self._fit_engine(X, target, sw, n_outputs=0, incremental=incremental)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Train the generator against the second player for ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (scale it first, for example with StandardScaler).

        y : None
            Ignored.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the real rows in the second player's loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "_net")
        return self._fit_data(X, sample_weight, reset=not continuing, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Play one epoch of the game on the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the real rows.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit_data(
            X, sample_weight, reset=not hasattr(self, "_net"), incremental=True
        )

    # --------------------------------------------------------------- sampling
    def sample(self, n_samples=1, random_state=None):
        """Generate data: z ~ N(0, I), then the generator's output G(z).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.

        random_state : int, RandomState instance or None, default=None
            Seeds the latent draws.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Generated rows (float64).
        """
        check_is_fitted(self)
        Z = _latent_draws(n_samples, self.n_components, random_state)
        out = self._forward(Z, fn=lambda m, z: m.generator(z), prepare=False)
        return out.astype(np.float64)

    def score(self, X, y=None):
        """Minus the maximum mean discrepancy between X and generated data.

        ``-MMD^2_u`` (unbiased, RBF kernel with the median heuristic, see
        :func:`sklearn_mathdl.metrics.maximum_mean_discrepancy`) between X and
        ``min(len(X), 2000)`` samples drawn with a seed fixed by
        ``random_state``: higher is better (0 when the generated data cannot be
        told from X), so it can drive
        :class:`~sklearn.model_selection.GridSearchCV`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data, for example held-out rows; at least 2.

        y : None
            Ignored.

        Returns
        -------
        score : float
            ``-MMD^2_u``.
        """
        X = self._check_inference_input(X).astype(np.float64)
        rng = check_random_state(self._seed % 2**32)
        if len(X) > _SCORE_ROWS:
            X = X[np.sort(rng.choice(len(X), _SCORE_ROWS, replace=False))]
        S = self.sample(max(len(X), 2), random_state=rng)
        return -maximum_mean_discrepancy(S, X, random_state=rng).statistic

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags


class GenerativeAdversarialNetwork(_BaseGAN):
    """Generative adversarial network (GAN): a generator against a discriminator.

    A generator network G maps latent noise z ~ N(0, I) of dimension
    ``n_components`` to data space; a discriminator network D(x) =
    sigma(f(x)) tells real rows from generated ones. The two play the minimax
    game of Goodfellow et al. (2014), the book's section 15.3:

    ``min_G max_D  E_x log D(x) + E_z log(1 - D(G(z)))``,

    whose optimum is p_G = p_data. Training alternates one discriminator step
    and one generator step per mini-batch; ``sample`` draws new data.

    Read more in the :ref:`User Guide <gan>`.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the latent noise z.

    generator_hidden_layer_sizes : tuple of int, default=(128, 128, 128, 128)
        Hidden widths of the generator (one layer more than the second
        player's: a continuous map of connected noise onto separated modes
        must be steep between them, see the :ref:`User Guide <gan>`).

    discriminator_hidden_layer_sizes : tuple of int, default=(128, 128, 128)
        Hidden widths of the discriminator.

    activation : {"relu", "tanh", "sigmoid", "logistic", "gelu", "identity"}, \
            default="relu"
        Activation function of both networks' hidden layers.

    loss : {"non_saturating", "minimax"}, default="non_saturating"
        The generator's loss. "minimax" minimizes E log(1 - D(G(z))), the
        value function itself; its gradient vanishes when D rejects the
        samples confidently, which is where training starts.
        "non_saturating" maximizes E log D(G(z)) instead (Goodfellow et al.'s
        remedy): the same fixed points, strong gradients early.

    input_shape : tuple of int, default=None
        ``(channels, height, width)`` of flattened images, to use a
        transposed-convolution generator and a convolutional discriminator
        (as in the VAE). X stays 2-D.

    optimizer : {"auto", "adam", "adamw", "adamax", "sgd", "rmsprop", \
            "adagrad"}, default="auto"
        The generator's optimizer; "auto" is Adam. The Adam family uses
        betas=(0.5, 0.999) (Radford et al. 2016) unless ``optimizer_params``
        sets them.

    learning_rate_init : float, default=1e-3
        The generator's step size.

    discriminator_optimizer : str or None, default=None
        The discriminator's optimizer (the same choices); None: the
        generator's.

    discriminator_learning_rate_init : float or None, default=None
        The discriminator's step size; None: ``learning_rate_init``.

    optimizer_params : dict, default=None
        Further keyword arguments of the generator's torch optimizer.

    discriminator_optimizer_params : dict or None, default=None
        Those of the discriminator's; None: ``optimizer_params``.

    learning_rate : {"constant", "invscaling", "cosine"}, default="cosine"
        Step-size schedule of both players (each from its own first step).
        "cosine" anneals the steps to 0 over ``max_iter`` epochs, so that the
        game settles at the end of the budget instead of stopping at a random
        point of its oscillation (the :ref:`User Guide <gan>` has the
        numbers).

    power_t : float, default=0.5
        Exponent of the "invscaling" schedule. The Robbins-Monro conditions
        (sum eta_t infinite, sum eta_t^2 finite) hold for 0.5 < power_t <= 1.

    momentum : float, default=0.9
        Momentum of the "sgd" optimizer.

    nesterovs_momentum : bool, default=True
        Whether the "sgd" optimizer uses Nesterov's momentum.

    alpha : float, default=0.0
        L2 penalty on both players' weight matrices (scikit-learn's
        convention, ``alpha / 2 * ||W||^2 / batch_weight``).

    l1_alpha : float, default=0.0
        Strength of the L1 penalty ``l1_alpha * ||W||_1 / batch_weight`` on the
        weight matrices.

    batch_size : int or "auto", default="auto"
        Real rows per mini-batch (and as many generated ones); "auto" is
        ``min(200, n_samples)``.

    max_iter : int or "auto", default="auto"
        Number of epochs. "auto" is at least 20 epochs and at least 3,000
        generator steps. No stopping rule ends a fit earlier: the players'
        losses oscillate around the game's value instead of converging to a
        plateau (read ``score`` on held-out data to choose ``max_iter``).

    shuffle : bool, default=True
        Whether to reshuffle the training rows at every epoch.

    warm_start : bool, default=False
        When True, ``fit`` continues from the previous weights and optimizer
        state instead of starting afresh.

    random_state : int, RandomState instance or None, default=None
        Seeds initialization, shuffling and the noise draws of training.

    device : {"cpu", "cuda", "mps", "auto"} or torch.device, default="cpu"
        Where the network is trained and evaluated. "auto" picks CUDA, then MPS,
        then the CPU. Predictions are always returned as NumPy arrays.

    verbose : int, default=0
        1 or more shows a progress bar over epochs.

    Attributes
    ----------
    generator_ : torch.nn.Module
        The trained generator, z -> x.

    discriminator_ : torch.nn.Module
        The trained discriminator's logit network f (D = sigma(f)).

    generator_loss_curve_ : list of float
        The generator's mean loss at every epoch.

    discriminator_loss_curve_ : list of float
        The discriminator's mean loss (binary cross-entropy, both halves) at
        every epoch; log 4 = 1.386 at the game's optimum D = 1/2.

    loss_curve_ : list of float
        The same as ``discriminator_loss_curve_`` (penalties included).

    loss_ : float
        The last epoch's discriminator loss.

    n_iter_ : int
        Number of epochs trained.

    module_ : torch.nn.Module
        Both networks (``module_.generator``, ``module_.critic``).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when they are all strings.

    See Also
    --------
    WassersteinGAN : The Wasserstein-1 game with a Lipschitz critic.
    VariationalAutoencoder : A likelihood-based generative model.

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative adversarial nets", NeurIPS 2014.
    .. [2] A. Radford, L. Metz and S. Chintala, "Unsupervised representation
       learning with deep convolutional generative adversarial networks",
       ICLR 2016.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from sklearn_mathdl import GenerativeAdversarialNetwork
    >>> X, _ = make_moons(500, noise=0.05, random_state=0)
    >>> gan = GenerativeAdversarialNetwork(max_iter=50, random_state=0).fit(X)
    >>> gan.sample(3, random_state=0).shape
    (3, 2)
    >>> len(gan.generator_loss_curve_)
    50
    """

    _second = "discriminator"

    _parameter_constraints: dict = {
        **_BaseGAN._common_constraints,
        "discriminator_hidden_layer_sizes": [tuple, list],
        "loss": [StrOptions({"non_saturating", "minimax"})],
        "discriminator_optimizer": [StrOptions({"auto", *_STOCHASTIC}), None],
        "discriminator_learning_rate_init": [
            Interval(Real, 0, None, closed="neither"),
            None,
        ],
        "discriminator_optimizer_params": [dict, None],
    }

    def __init__(
        self,
        n_components=2,
        *,
        generator_hidden_layer_sizes=(128, 128, 128, 128),
        discriminator_hidden_layer_sizes=(128, 128, 128),
        activation="relu",
        loss="non_saturating",
        input_shape=None,
        optimizer="auto",
        learning_rate_init=1e-3,
        discriminator_optimizer=None,
        discriminator_learning_rate_init=None,
        optimizer_params=None,
        discriminator_optimizer_params=None,
        learning_rate="cosine",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        alpha=0.0,
        l1_alpha=0.0,
        batch_size="auto",
        max_iter="auto",
        shuffle=True,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.n_components = n_components
        self.generator_hidden_layer_sizes = generator_hidden_layer_sizes
        self.discriminator_hidden_layer_sizes = discriminator_hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.input_shape = input_shape
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.discriminator_optimizer = discriminator_optimizer
        self.discriminator_learning_rate_init = discriminator_learning_rate_init
        self.optimizer_params = optimizer_params
        self.discriminator_optimizer_params = discriminator_optimizer_params
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.alpha = alpha
        self.l1_alpha = l1_alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _training_step(self):
        return _AdversarialStep(self.loss)


class WassersteinGAN(_BaseGAN):
    """Wasserstein GAN (WGAN): a generator against a Lipschitz critic.

    The generator G maps latent noise z ~ N(0, I) to data space; the critic f
    estimates the Wasserstein-1 distance through the Kantorovich-Rubinstein
    duality (the book's section 15.5),

    ``W_1(p_data, p_G) = sup_{||f||_Lip <= 1}  E_x f(x) - E_z f(G(z))``,

    and the generator minimizes that estimate. Unlike the GAN's Jensen-Shannon
    divergence, W_1 is continuous in the generator's parameters even when the
    two distributions have disjoint supports, so the generator's gradient does
    not vanish and the critic's value tracks sample quality.

    Read more in the :ref:`User Guide <gan>`.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the latent noise z.

    generator_hidden_layer_sizes : tuple of int, default=(128, 128, 128, 128)
        Hidden widths of the generator (one layer more than the second
        player's: a continuous map of connected noise onto separated modes
        must be steep between them, see the :ref:`User Guide <gan>`).

    critic_hidden_layer_sizes : tuple of int, default=(128, 128, 128)
        Hidden widths of the critic.

    activation : {"relu", "tanh", "sigmoid", "logistic", "gelu", "identity"}, \
            default="relu"
        Activation function of both networks' hidden layers.

    lipschitz : {"gradient_penalty", "clip"}, default="gradient_penalty"
        How the critic is kept (about) 1-Lipschitz. "clip" is the book's and
        Arjovsky et al.'s weight clipping to ``[-clip_value, clip_value]``
        after every critic step; "gradient_penalty" adds
        ``gp_weight * E (||grad f(x_hat)||_2 - 1)^2`` on random points x_hat
        between real and generated rows (Gulrajani et al. 2017).

    clip_value : float, default=0.01
        Bound of the critic's weights under ``lipschitz="clip"``.

    gp_weight : float, default=0.1
        Weight lambda of the gradient penalty under
        ``lipschitz="gradient_penalty"``. Gulrajani et al. use 10 for images
        and 0.1 for their 2-D toy sets; on standardized tabular data 10 held
        the critic's slope so firmly that the generator could not separate
        narrow modes (see the :ref:`User Guide <gan>`).

    n_critic : int, default=5
        Critic steps per generator step (each on its own mini-batch).

    input_shape : tuple of int, default=None
        ``(channels, height, width)`` of flattened images, to use a
        transposed-convolution generator and a convolutional critic.

    optimizer : {"auto", "adam", "adamw", "adamax", "sgd", "rmsprop", \
            "adagrad"}, default="auto"
        The generator's optimizer. "auto" is Adam with betas=(0.5, 0.9)
        (Gulrajani et al.) under the gradient penalty, and RMSprop under
        clipping (Arjovsky et al. found momentum unstable with clipped
        weights).

    learning_rate_init : float, default=1e-3
        The generator's step size.

    critic_optimizer : str or None, default=None
        The critic's optimizer (the same choices); None: the generator's.

    critic_learning_rate_init : float or None, default=None
        The critic's step size; None: ``learning_rate_init``.

    optimizer_params : dict, default=None
        Further keyword arguments of the generator's torch optimizer.

    critic_optimizer_params : dict or None, default=None
        Those of the critic's; None: ``optimizer_params``.

    learning_rate : {"constant", "invscaling", "cosine"}, default="cosine"
        Step-size schedule of both players (each from its own first step).
        "cosine" anneals the steps to 0 over ``max_iter`` epochs, so that the
        game settles at the end of the budget instead of stopping at a random
        point of its oscillation (the :ref:`User Guide <gan>` has the
        numbers).

    power_t : float, default=0.5
        Exponent of the "invscaling" schedule. The Robbins-Monro conditions
        (sum eta_t infinite, sum eta_t^2 finite) hold for 0.5 < power_t <= 1.

    momentum : float, default=0.9
        Momentum of the "sgd" optimizer.

    nesterovs_momentum : bool, default=True
        Whether the "sgd" optimizer uses Nesterov's momentum.

    alpha : float, default=0.0
        L2 penalty on both players' weight matrices.

    l1_alpha : float, default=0.0
        Strength of the L1 penalty ``l1_alpha * ||W||_1 / batch_weight`` on the
        weight matrices.

    batch_size : int or "auto", default="auto"
        Real rows per mini-batch; "auto" is ``min(200, n_samples)``.

    max_iter : int or "auto", default="auto"
        Number of epochs. "auto" is at least 20 epochs and at least 3,000
        generator steps (``3000 * n_critic`` mini-batches). No stopping rule
        ends a fit earlier (see ``GenerativeAdversarialNetwork``).

    shuffle : bool, default=True
        Whether to reshuffle the training rows at every epoch.

    warm_start : bool, default=False
        When True, ``fit`` continues from the previous weights and optimizer
        state instead of starting afresh.

    random_state : int, RandomState instance or None, default=None
        Seeds initialization, shuffling and the noise draws of training.

    device : {"cpu", "cuda", "mps", "auto"} or torch.device, default="cpu"
        Where the network is trained and evaluated. "auto" picks CUDA, then MPS,
        then the CPU. Predictions are always returned as NumPy arrays.

    verbose : int, default=0
        1 or more shows a progress bar over epochs.

    Attributes
    ----------
    generator_ : torch.nn.Module
        The trained generator, z -> x.

    critic_ : torch.nn.Module
        The trained critic f.

    wasserstein_curve_ : list of float
        The critic's estimate ``E f(x) - E f(G(z))`` of W_1 at every epoch
        (mean over its steps).

    generator_loss_curve_ : list of float
        The generator's mean loss ``-E f(G(z))`` at every epoch.

    critic_loss_curve_ : list of float
        The critic's mean loss (minus the estimate, plus the gradient
        penalty) at every epoch.

    loss_curve_ : list of float
        The same as ``critic_loss_curve_``.

    loss_ : float
        The last epoch's critic loss.

    n_iter_ : int
        Number of epochs trained.

    module_ : torch.nn.Module
        Both networks (``module_.generator``, ``module_.critic``).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when they are all strings.

    See Also
    --------
    GenerativeAdversarialNetwork : The original (Jensen-Shannon) game.
    VariationalAutoencoder : A likelihood-based generative model.

    References
    ----------
    .. [1] M. Arjovsky, S. Chintala and L. Bottou, "Wasserstein generative
       adversarial networks", ICML 2017.
    .. [2] I. Gulrajani et al., "Improved training of Wasserstein GANs",
       NeurIPS 2017.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from sklearn_mathdl import WassersteinGAN
    >>> X, _ = make_moons(500, noise=0.05, random_state=0)
    >>> wgan = WassersteinGAN(max_iter=20, random_state=0).fit(X)
    >>> wgan.sample(3, random_state=0).shape
    (3, 2)
    >>> len(wgan.wasserstein_curve_)
    20
    """

    _second = "critic"

    _parameter_constraints: dict = {
        **_BaseGAN._common_constraints,
        "critic_hidden_layer_sizes": [tuple, list],
        "lipschitz": [StrOptions({"gradient_penalty", "clip"})],
        "clip_value": [Interval(Real, 0, None, closed="neither")],
        "gp_weight": [Interval(Real, 0, None, closed="left")],
        "n_critic": [Interval(Integral, 1, None, closed="left")],
        "critic_optimizer": [StrOptions({"auto", *_STOCHASTIC}), None],
        "critic_learning_rate_init": [Interval(Real, 0, None, closed="neither"), None],
        "critic_optimizer_params": [dict, None],
    }

    def __init__(
        self,
        n_components=2,
        *,
        generator_hidden_layer_sizes=(128, 128, 128, 128),
        critic_hidden_layer_sizes=(128, 128, 128),
        activation="relu",
        lipschitz="gradient_penalty",
        clip_value=0.01,
        gp_weight=0.1,
        n_critic=5,
        input_shape=None,
        optimizer="auto",
        learning_rate_init=1e-3,
        critic_optimizer=None,
        critic_learning_rate_init=None,
        optimizer_params=None,
        critic_optimizer_params=None,
        learning_rate="cosine",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        alpha=0.0,
        l1_alpha=0.0,
        batch_size="auto",
        max_iter="auto",
        shuffle=True,
        warm_start=False,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.n_components = n_components
        self.generator_hidden_layer_sizes = generator_hidden_layer_sizes
        self.critic_hidden_layer_sizes = critic_hidden_layer_sizes
        self.activation = activation
        self.lipschitz = lipschitz
        self.clip_value = clip_value
        self.gp_weight = gp_weight
        self.n_critic = n_critic
        self.input_shape = input_shape
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.critic_optimizer = critic_optimizer
        self.critic_learning_rate_init = critic_learning_rate_init
        self.optimizer_params = optimizer_params
        self.critic_optimizer_params = critic_optimizer_params
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.alpha = alpha
        self.l1_alpha = l1_alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    @property
    def _n_critic(self):
        return int(self.n_critic)

    def _auto_optimizer(self, n_samples, incremental, lazy, context):
        return "rmsprop" if self.lipschitz == "clip" else "adam"

    def _adam_betas(self):
        return (0.5, 0.9)

    def _training_step(self):
        return _AdversarialStep(
            "wasserstein",
            n_critic=self.n_critic,
            lipschitz=self.lipschitz,
            clip_value=self.clip_value,
            gp_weight=self.gp_weight,
        )

    def _after_fit(self, net):
        super()._after_fit(net)
        self.wasserstein_curve_ = [float(r["train_wasserstein"]) for r in net.history]
