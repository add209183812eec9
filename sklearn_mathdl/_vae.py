"""Variational inference and generative models: VariationalAutoencoder."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import math
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback

from sklearn_mathdl._base import (
    _BaseTorchEstimator,
    _checked_sample_weight,
    _latent_draws,
)
from sklearn_mathdl._modules import ACTIVATIONS
from sklearn_mathdl._modules._vae import (
    LOG_2PI,
    _NegativeELBO,
    _VAEModule,
    gaussian_kl,
    log_likelihood,
)
from sklearn_mathdl.utils._compat import Interval, StrOptions, _fit_context

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _splitmix64(x):
    """The splitmix64 finalizer on uint64 arrays (wrapping arithmetic)."""
    x = x + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _row_normals(X, n_draws, seed):
    """Standard normal draws of shape (n_rows, n_draws) that depend only on each
    row's values and ``seed``: a row gets the same noise whatever else is in
    the call, so per-row Monte Carlo scores are order- and subset-invariant.
    """
    bits = np.ascontiguousarray(X, dtype=np.float32).view(np.uint32)
    weights = check_random_state(seed).randint(1, 2**31, size=bits.shape[1])
    with np.errstate(over="ignore"):
        h = (bits.astype(np.uint64) * weights.astype(np.uint64)).sum(
            axis=1, dtype=np.uint64
        )
        h = _splitmix64(h + np.uint64(seed))
        n_pairs = (n_draws + 1) // 2
        counters = np.arange(2 * n_pairs, dtype=np.uint64) * _GOLDEN
        r = _splitmix64(h[:, None] + counters[None, :])
    u = ((r >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
    u1, u2 = u[:, :n_pairs], u[:, n_pairs:]
    radius = np.sqrt(-2.0 * np.log(u1))
    z = np.concatenate(
        [radius * np.cos(2 * np.pi * u2), radius * np.sin(2 * np.pi * u2)], axis=1
    )
    return z[:, :n_draws]


def _validation_elbo(y_pred, y, w, *, likelihood):
    """Sum of weighted per-row ELBO and the weight total (batchwise score)."""
    out, mu, logvar, log_var_x = y_pred
    elbo = log_likelihood(y, out, log_var_x, likelihood) - gaussian_kl(mu, logvar)
    return float((elbo * w).sum()), float(w.sum())


class _ELBOParts(Callback):
    """KL warm-up and the per-epoch reconstruction/KL record."""

    def __init__(self, kl_warmup):
        self.kl_warmup = kl_warmup

    def on_epoch_begin(self, net, **kwargs):
        crit = net.criterion_
        epoch = len(net.history)  # 1-based index of the starting epoch
        crit.kl_scale = 1.0 if not self.kl_warmup else min(1.0, epoch / self.kl_warmup)
        crit.reset_sums()

    def on_epoch_end(self, net, **kwargs):
        crit = net.criterion_
        rows = max(crit.rows, 1)
        net.history.record("train_recon", crit.sum_recon / rows)
        net.history.record("train_kl", crit.sum_kl / rows)
        net.history.record("kl_scale", crit.kl_scale)
        if crit.kl_scale < 1.0:
            # losses under different KL weights are not comparable: no
            # "no improvement" count (and no best-loss snapshot) during warm-up
            monitor = dict(net.callbacks_)["monitor"]
            monitor.best_loss_ = math.inf
            monitor.no_improvement_ = 0


class VariationalAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, _BaseTorchEstimator
):
    """Variational autoencoder (VAE) as a scikit-learn transformer.

    A latent-variable model p(x) = integral of p(x|z) p(z) dz with p(z) = N(0, I),
    a neural decoder p(x|z) and a neural Gaussian encoder q(z|x), trained by
    maximizing the evidence lower bound (ELBO) with the reparameterization
    trick. ``transform`` returns the posterior mean of z, ``inverse_transform``
    the decoder mean, ``sample`` draws new data, and ``score_samples`` estimates
    log p(x) by importance sampling (the IWAE bound).

    Read more in the :ref:`User Guide <vae>`.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the latent variable z.

    encoder_hidden_layer_sizes : tuple of int, default=(128,)
        Hidden widths of the encoder network (``()``: a linear encoder).

    decoder_hidden_layer_sizes : tuple of int, default=(128,)
        Hidden widths of the decoder network (``()``: a linear decoder, which
        with a Gaussian likelihood is probabilistic PCA / factor analysis).

    activation : {"relu", "tanh", "sigmoid", "logistic", "gelu", "identity"}, \
            default="relu"
        Activation function of the hidden layers ("logistic", scikit-learn's
        name, is "sigmoid").

    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
        Observation model p(x|z). "bernoulli" needs X in [0, 1].

    decoder_variance : "learned" or float, default="learned"
        Variance of the Gaussian likelihood: one learned value per feature
        (floored at 1e-3), or a fixed value.

    beta : float, default=1.0
        Weight of the KL term (beta-VAE); 1 gives the ELBO.

    kl_warmup : int, default=0
        Number of epochs over which the KL weight grows linearly from
        ``beta / kl_warmup`` to ``beta`` (0: no warm-up).

    n_importance_samples : int, default=1
        Number k of importance samples of ``score_samples`` and ``score``. k=1
        is a one-sample estimate of the ELBO; larger k gives the tighter IWAE
        bound on log p(x), non-decreasing in k.

    input_shape : tuple of int, default=None
        ``(channels, height, width)`` of flattened images, to use a
        convolutional encoder and decoder instead of fully-connected ones. X
        stays 2-D (n_samples, channels * height * width), so a scaler can come
        before the VAE in a pipeline.

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

    dropout : float, default=0.0
        Probability of zeroing a hidden unit during training.

    batch_norm : bool, default=False
        Whether to add batch normalization after each hidden linear layer.

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
    elbo_curve_ : list of float
        Training ELBO per sample at every epoch (with the warm-up KL weight).

    reconstruction_curve_ : list of float
        Mean reconstruction term -E_q[log p(x|z)] at every epoch.

    kl_curve_ : list of float
        Mean KL(q(z|x) || p(z)) at every epoch.

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
        Validation ELBO per sample at every epoch with ``early_stopping=True``,
        else None.

    best_validation_score_ : float or None
        Best validation score with ``early_stopping=True``, else None.

    See Also
    --------
    sklearn.decomposition.PCA : Linear Gaussian latent model (probabilistic PCA).
    sklearn.decomposition.FactorAnalysis : Linear Gaussian latent model.

    Notes
    -----
    The training loss is the negative ELBO per sample. With ``decoder_variance``
    learned and a linear decoder the model is factor analysis; its optimum
    recovers the PCA/FA log-likelihood (a test checks this). ``score_samples``
    draws its Monte Carlo noise from a hash of each row, so a row's score does
    not depend on the other rows of the call or their order.

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes",
       ICLR 2014.
    .. [2] Y. Burda, R. Grosse and R. Salakhutdinov, "Importance weighted
       autoencoders", ICLR 2016.
    .. [3] I. Higgins et al., "beta-VAE: learning basic visual concepts with a
       constrained variational framework", ICLR 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mathdl import VariationalAutoencoder
    >>> X = StandardScaler().fit_transform(load_digits().data[:300])
    >>> vae = VariationalAutoencoder(n_components=2, max_iter=20, random_state=0)
    >>> vae.fit_transform(X).shape
    (300, 2)
    >>> vae.sample(4, random_state=0).shape
    (4, 64)
    >>> vae.get_feature_names_out()
    array(['variationalautoencoder0', 'variationalautoencoder1'], dtype=object)
    """

    _parameter_constraints: dict = {
        **_BaseTorchEstimator._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "encoder_hidden_layer_sizes": [tuple, list],
        "decoder_hidden_layer_sizes": [tuple, list],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "likelihood": [StrOptions({"gaussian", "bernoulli"})],
        "decoder_variance": [
            StrOptions({"learned"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "beta": [Interval(Real, 0, None, closed="left")],
        "kl_warmup": [Interval(Integral, 0, None, closed="left")],
        "n_importance_samples": [Interval(Integral, 1, None, closed="left")],
        "input_shape": [tuple, list, None],
    }

    def __init__(
        self,
        n_components=2,
        *,
        encoder_hidden_layer_sizes=(128,),
        decoder_hidden_layer_sizes=(128,),
        activation="relu",
        likelihood="gaussian",
        decoder_variance="learned",
        beta=1.0,
        kl_warmup=0,
        n_importance_samples=1,
        input_shape=None,
        optimizer="adam",
        learning_rate_init=1e-3,
        learning_rate="constant",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        optimizer_params=None,
        alpha=1e-4,
        l1_alpha=0.0,
        dropout=0.0,
        batch_norm=False,
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
        self.n_components = n_components
        self.encoder_hidden_layer_sizes = encoder_hidden_layer_sizes
        self.decoder_hidden_layer_sizes = decoder_hidden_layer_sizes
        self.activation = activation
        self.likelihood = likelihood
        self.decoder_variance = decoder_variance
        self.beta = beta
        self.kl_warmup = kl_warmup
        self.n_importance_samples = n_importance_samples
        self.input_shape = input_shape
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.optimizer_params = optimizer_params
        self.alpha = alpha
        self.l1_alpha = l1_alpha
        self.dropout = dropout
        self.batch_norm = batch_norm
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
        return _VAEModule(
            n_features_in,
            self.n_components,
            encoder_hidden_layer_sizes=tuple(self.encoder_hidden_layer_sizes),
            decoder_hidden_layer_sizes=tuple(self.decoder_hidden_layer_sizes),
            activation=self.activation,
            likelihood=self.likelihood,
            decoder_variance=self.decoder_variance,
            input_shape=None if self.input_shape is None else tuple(self.input_shape),
            dropout=self.dropout,
            batch_norm=self.batch_norm,
        )

    def _criterion(self):
        return _NegativeELBO(likelihood=self.likelihood, beta=self.beta)

    @property
    def _validation_score(self):
        fn = functools.partial(_validation_elbo, likelihood=self.likelihood)
        fn.batchwise = True
        return fn

    def _extra_callbacks(self):
        return [("elbo_parts", _ELBOParts(self.kl_warmup))]

    def _after_fit(self, net):
        recon = [float(r["train_recon"]) for r in net.history]
        kl = [float(r["train_kl"]) for r in net.history]
        scale = [float(r["kl_scale"]) for r in net.history]
        self.reconstruction_curve_ = recon
        self.kl_curve_ = kl
        self.elbo_curve_ = [
            -(r + self.beta * s * k) for r, k, s in zip(recon, kl, scale, strict=True)
        ]

    # the Bernoulli range check must run on every input: no unchecked fast path
    _fast_inference_ok = False

    def _validate_X(self, X, *, reset):
        X = super()._validate_X(X, reset=reset)
        if self.likelihood == "bernoulli" and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                "likelihood='bernoulli' needs X in [0, 1]; scale it first (e.g. "
                "MinMaxScaler) or use likelihood='gaussian'."
            )
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Fit the VAE by maximizing the ELBO.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "_net")
        X = self._validate_X(X, reset=not continuing)
        sw = _checked_sample_weight(sample_weight, X)
        return self._fit_engine(X, X, sw, n_outputs=X.shape[1])

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the VAE with one epoch over the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The updated estimator.
        """
        X = self._validate_X(X, reset=not hasattr(self, "_net"))
        sw = _checked_sample_weight(sample_weight, X)
        return self._fit_engine(X, X, sw, n_outputs=X.shape[1], incremental=True)

    def _out_dtype(self, X):
        return np.float64 if np.asarray(X).dtype == np.float64 else np.float32

    def transform(self, X):
        """Encode X: the posterior mean E[z | x].

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            Posterior means, float64 for float64 input, else float32.
        """
        dtype = self._out_dtype(X)
        X = self._check_inference_input(X, stream=True)
        Z = self._forward(X, fn=lambda m, xb: m.encode(xb)[0])
        return Z.astype(dtype, copy=False)

    def inverse_transform(self, X):
        """Decode latent points: the mean of p(x | z).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Latent points z.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Decoder means (probabilities for the Bernoulli likelihood).
        """
        check_is_fitted(self)
        dtype = self._out_dtype(X)
        Z = np.asarray(X, dtype=np.float32)
        if Z.ndim != 2 or Z.shape[1] != self.n_components:
            raise ValueError(
                f"inverse_transform expects shape (n_samples, {self.n_components}); "
                f"got {Z.shape}."
            )
        if not np.isfinite(Z).all():
            raise ValueError("Input contains NaN or infinity.")
        out = self._forward(
            np.ascontiguousarray(Z),
            fn=lambda m, zb: m.mean(m.decode(zb)),
            prepare=False,
        )
        return out.astype(dtype, copy=False)

    def sample(self, n_samples=1, random_state=None):
        """Generate data: z ~ N(0, I), then the decoder mean of p(x | z).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.

        random_state : int, RandomState instance or None, default=None
            Seeds the latent draws.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Decoder means at prior draws (add the likelihood's noise yourself
            for draws of x itself).
        """
        check_is_fitted(self)
        Z = _latent_draws(n_samples, self.n_components, random_state)
        return self.inverse_transform(Z).astype(np.float64)

    def score_samples(self, X):
        """Estimate log p(x) of each sample (importance-weighted ELBO).

        With k = ``n_importance_samples``,
        ``log (1/k) sum_j p(x, z_j) / q(z_j | x)``, z_j ~ q(z | x): the ELBO for
        k = 1, the IWAE bound for k > 1 (a lower bound on log p(x) that tightens
        as k grows).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            Estimated log-likelihood of each sample (float64).
        """
        X = self._check_inference_input(X)
        k = int(self.n_importance_samples)
        d = self.n_components
        module = self.module_
        if module.training:
            module.eval()
        device = self._device
        rows = max(1, 2**20 // max(1, k * X.shape[1]))
        out = np.empty(X.shape[0])
        for start in range(0, X.shape[0], rows):
            xb_np = X[start : start + rows]
            eps = _row_normals(xb_np, k * d, self._seed).reshape(-1, k, d)
            with torch.inference_mode():
                xb = torch.from_numpy(np.ascontiguousarray(xb_np)).to(device)
                mu, logvar = module.encode(xb)
                e = torch.from_numpy(eps).to(device=device, dtype=mu.dtype)
                std = torch.exp(0.5 * logvar)
                z = mu[:, None, :] + std[:, None, :] * e
                dec = module.decode(z.reshape(-1, d)).reshape(len(xb), k, -1)
                log_px = log_likelihood(
                    xb[:, None, :], dec, module.decoder_log_var(), self.likelihood
                )
                log_pz = -0.5 * (z.pow(2) + LOG_2PI).sum(-1)
                log_qz = -0.5 * (e.pow(2) + LOG_2PI + logvar[:, None, :]).sum(-1)
                log_w = (log_px + log_pz - log_qz).double().cpu().numpy()
            out[start : start + rows] = logsumexp(log_w, axis=1) - np.log(k)
        return out

    def score(self, X, y=None):
        """Mean estimated log-likelihood of the samples (see ``score_samples``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean of ``score_samples(X)``; higher is better, so it can drive
            :class:`~sklearn.model_selection.GridSearchCV`.
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self):
        return self.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.target_tags.required = False
        return tags
