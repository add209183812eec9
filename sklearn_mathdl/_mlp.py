"""Multi-layer perceptrons: MLPClassifier and MLPRegressor."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin

from sklearn_mathdl._base import (
    _LBFGS_AUTO_MAX_ROWS,
    _OPTIMIZERS,
    _BaseTorchClassifier,
    _BaseTorchRegressor,
)
from sklearn_mathdl._modules import ACTIVATIONS, _MLPModule
from sklearn_mathdl._modules._mlp import (
    INITS,
    mean_field_lr_factors,
    scaling_lr_factor,
)
from sklearn_mathdl._penalty import rate_alpha
from sklearn_mathdl.utils._compat import Interval, StrOptions
from sklearn_mathdl.utils._validation import check_hidden_layer_sizes


class _MLPMixin:
    """Module construction and the width rule shared by both MLP tasks."""

    def _first_layer_width(self, n_outputs):
        # an _MLPModule: its first layer is linear and multiplies sparse batches
        sizes = self._hidden_sizes()
        return sizes[0] if sizes else n_outputs

    def _hidden_sizes(self):
        """``hidden_layer_sizes`` as a tuple (an int is one layer, as scikit-learn)."""
        sizes = self.hidden_layer_sizes
        return (sizes,) if isinstance(sizes, Integral) else tuple(sizes)

    def _build_module(self, n_features_in, n_outputs):
        check_hidden_layer_sizes(self._hidden_sizes())
        n_params = (n_features_in + 1) * n_outputs
        if self.optimizer == "newton" and n_params > self._NEWTON_MAX_PARAMETERS:
            raise ValueError(
                f"optimizer='newton' forms the {n_params} x {n_params} Hessian of "
                f"{n_params} parameters; it is for at most "
                f"{self._NEWTON_MAX_PARAMETERS}. Use optimizer='lbfgs'."
            )
        return _MLPModule(
            n_features_in,
            n_outputs,
            hidden_layer_sizes=self._hidden_sizes(),
            activation=self.activation,
            dropout=self.dropout,
            batch_norm=self.batch_norm,
            scaling=self.scaling,
            init=self.init,
        )

    def _linear_layers(self):
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "module_")
        return [
            m
            for m in self.module_.layers
            if hasattr(m, "weight") and m.weight.ndim == 2
        ]

    @property
    def n_layers_(self):
        """Number of layers, input and output included, as in scikit-learn."""
        self._linear_layers()
        return len(self._hidden_sizes()) + 2

    @property
    def out_activation_(self):
        """Output activation, named as scikit-learn names it."""
        self._linear_layers()
        kind = getattr(self, "_target_kind", None)
        if kind is None:
            return "identity"
        return "softmax" if kind == "multiclass" else "logistic"

    @property
    def coefs_(self):
        """Weight matrices, ``coefs_[i]`` of shape (n_in, n_out) as in scikit-learn.

        On the CPU with ``scaling="standard"`` these are NumPy views of the
        trained weights (writing to them changes the model); otherwise copies
        of the effective weights (scale factors applied).
        """
        out = []
        for layer in self._linear_layers():
            w = layer.weight.detach()
            if hasattr(layer, "weight_scale"):
                w = w * layer.weight_scale
            out.append(w.cpu().numpy().T)
        return out

    @property
    def intercepts_(self):
        """Bias vectors, ``intercepts_[i]`` of shape (n_out,), as in scikit-learn."""
        out = []
        for layer in self._linear_layers():
            if layer.bias is None:
                out.append(np.zeros(layer.weight.shape[0], dtype=np.float32))
                continue
            b = layer.bias.detach()
            if hasattr(layer, "bias_scale"):
                b = b * layer.bias_scale
            out.append(b.cpu().numpy())
        return out

    def _input_kwargs(self):
        # scipy sparse X (TF-IDF, one-hot) is kept sparse, and its batches
        # too: the first layer multiplies them (``_modules._mlp.sparse_linear``)
        return {"accept_sparse": ["csr"]}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # Newton's Hessian is (P x P) for P parameters: logistic regression on up
    # to a few thousand coefficients
    _NEWTON_MAX_PARAMETERS = 5000

    def _check_newton(self):
        """optimizer="newton" solves the convex problems of the book's chapter
        17: linear and (multinomial) logistic regression, smooth penalties."""
        why = None
        if self._hidden_sizes():
            why = (
                f"hidden_layer_sizes={tuple(self._hidden_sizes())}: with hidden "
                "layers the loss is not convex and its Hessian can be indefinite; "
                "use hidden_layer_sizes=()"
            )
        elif self.scaling != "standard":
            why = f"scaling={self.scaling!r}; use scaling='standard'"
        elif self.l1_alpha > 0:
            why = "l1_alpha > 0: the L1 penalty has no Hessian at 0"
        elif self.batch_norm:
            why = "batch_norm=True"
        if why is not None:
            raise ValueError(f"optimizer='newton' cannot be used with {why}.")

    def _auto_optimizer(self, n_samples, incremental, lazy, context):
        """optimizer="auto": full-batch L-BFGS for a fit on at most
        ``_LBFGS_AUTO_MAX_ROWS`` in-memory rows without dropout, else Adam."""
        if (
            incremental
            or lazy
            or context is not None
            or self.dropout > 0
            or n_samples > _LBFGS_AUTO_MAX_ROWS
        ):
            return "adam"
        return "lbfgs"

    def _deep_gamma(self):
        """gamma of a deep mean-field or in-between scaling (more than one
        hidden layer), else None."""
        if len(self._hidden_sizes()) < 2:
            return None
        if self.scaling == "mean_field":
            return 1.0
        if isinstance(self.scaling, str) or float(self.scaling) == 0.5:
            return None  # standard, or the NTK: no width factors
        return float(self.scaling)

    def _lr_scale(self):
        if (
            self.scaling not in ("standard", "ntk")
            and self.optimizer == "sgd"
            and self._deep_gamma() is None
        ):
            return scaling_lr_factor(self.scaling, self._hidden_sizes()[0])
        return 1.0

    def _lr_factors(self, module):
        """Deep mean-field or in-between scaling with SGD: a step factor per
        layer (:func:`~sklearn_mathdl._modules._mlp.mean_field_lr_factors`)."""
        gamma = self._deep_gamma()
        if gamma is not None and self.optimizer == "sgd":
            return mean_field_lr_factors(module, gamma)
        return None


# alpha="auto" of the classifier under the N(0, 1) parameterizations (ntk,
# mean_field, a float gamma): scikit-learn's default. On breast_cancer, wine,
# iris and digits (5-fold, seed 0) 1e-4 and 1e-3 scored within 0.01 of each
# other under all three; the rate rule's penalty, made for Glorot-sized
# weights, gave constant predictions under mean_field and gamma 0.75.
_SCALED_AUTO_ALPHA = 1e-4


class MLPClassifier(ClassifierMixin, _MLPMixin, _BaseTorchClassifier):
    """Multi-layer perceptron classifier trained by mini-batch SGD-type optimizers.

    Binary, multiclass and multilabel classification with a softmax (or
    per-label sigmoid) output and the cross-entropy loss. With
    ``hidden_layer_sizes=()`` it is logistic regression trained by stochastic
    gradient descent.

    Read more in the :ref:`User Guide <mlp>`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int or int, default=(100,)
        Widths of the hidden layers (an int is one layer, as in scikit-learn).
        ``()`` gives no hidden layer: multinomial
        logistic regression.

    activation : {"relu", "tanh", "sigmoid", "logistic", "gelu", "identity"}, \
            default="relu"
        Activation function of the hidden layers ("logistic", scikit-learn's
        name, is "sigmoid").

    scaling : {"standard", "ntk", "mean_field"} or float, default="standard"
        Parameterization. "standard": PyTorch layers with Glorot-uniform
        initialization. "ntk": every layer computes ``W h / sqrt(fan_in) + b``
        with W, b ~ N(0, 1), readout included: as the width N grows,
        training stays in the lazy (kernel) regime of
        :func:`~sklearn_mathdl.kernels.ntk_kernel` with ``sigma_w=1``,
        ``sigma_b=1``. "mean_field": readout ``a.h / N`` and, with
        ``optimizer="sgd"``, the step ``learning_rate_init * N`` (Mei,
        Montanari and Nguyen 2018), so features move O(1) and the training
        curve is width-independent; with more hidden layers each one averages
        the previous, ``W h / N_prev`` (Sirignano and Spiliopoulos 2022, the
        book's section 20.5), and SGD's step is scaled per layer (N_1 for the
        first, N_prev N for the others, N_L for the readout). The
        width rule is SGD's; adaptive optimizers (Adam) normalize gradient
        scales themselves and get no multiplier. A float gamma in [1/2, 1]
        is the family between them that the book's section 20.6 studies:
        readout ``a.h / N^gamma`` (no bias) and, with "sgd", the step
        ``learning_rate_init * N^(2 gamma - 1)``; hidden weights move like
        N^(gamma - 1). With more hidden layers each one after the first is
        ``W h / N_prev^gamma`` (no bias) and each layer's step is multiplied by
        ``N^(2 gamma - 1)`` for every hidden width it touches. 0.5 is "ntk"
        and 1 is "mean_field".

    init : {"glorot", "he", "lecun", "ntk", "torch"}, default="glorot"
        Law of the initial weights and biases with ``scaling="standard"`` (the
        book's section 19.2): "glorot" U(+-sqrt(6 / (fan_in + fan_out))) as
        scikit-learn's MLP; "he" N(0, 2 / fan_in) and zero biases, which keeps
        the second moment of ReLU pre-activations equal across layers;
        "lecun" N(0, 1 / fan_in) and zero biases; "ntk" N(0, 1 / fan_in)
        weights and N(0, 1) biases, the initial function of the NTK
        parameterization; "torch" PyTorch's default,
        U(+-1 / sqrt(fan_in)). The other scalings draw N(0, 1) parameters of
        their own and accept only the default.

    optimizer : {"adam", "sgd", "adamw", "adamax", "rmsprop", "adagrad", "lbfgs", \
            "newton", "auto"}, default="adam"
        The optimizer (from :mod:`torch.optim`). "adamax" is Adam with the
        infinity norm in place of the second moment (Kingma and Ba 2015).
        "lbfgs" is full-batch L-BFGS with a strong-Wolfe line search
        (``torch.optim.LBFGS``, 10 curvature pairs), as scikit-learn's
        ``solver="lbfgs"``: one iteration is one epoch (``max_iter="auto"`` is
        500 iterations), ``batch_size``, ``learning_rate_init`` and
        ``learning_rate`` do not apply, ``max_fun`` bounds the loss evaluations,
        ``tol`` is also the gradient tolerance (scikit-learn's ``gtol``), and
        ``partial_fit`` is unavailable; it needs in-memory data and no dropout.
        "auto" is "lbfgs" for a fit on at most 20,000 in-memory rows without
        dropout, and "adam" otherwise and in ``partial_fit`` (which continues an
        L-BFGS fit with a fresh Adam state). "newton" is Newton's method (the
        book's chapter 17) for ``hidden_layer_sizes=()``, i.e. linear and
        (multinomial) logistic regression: full batch, one iteration an epoch,
        the step solving H d = -g with the exact Hessian of the penalized
        loss, computed in float64, and halved until Armijo's sufficient
        decrease holds; quadratic convergence near the minimum. With
        ``alpha = 1 / C`` it reaches scikit-learn's ``LogisticRegression(C=C)``.
        Adam stays the classifier's
        default: on the classification sets of the development suite no
        single ``alpha`` made L-BFGS beat Adam's average
        (``benchmarks/results_defaults_cpu.md``).

    learning_rate_init : float, default=1e-2
        Initial step size eta_0. The classifier's default is ten times
        scikit-learn's 1e-3: with the "plateau" schedule, which divides it by
        5 once the loss stalls, the classification fits of the development
        suite reached the same or a higher accuracy in 3 to 4 times fewer
        epochs (mean 5-fold accuracy over five seeds, 1e-2 against 1e-3:
        breast_cancer 0.980 / 0.981, wine 0.978 / 0.975, iris 0.963 / 0.957,
        digits 0.981 / 0.980, penguins 0.996 / 0.995;
        :ref:`mlp_classifier_defaults`). The regressor keeps 1e-3, where a
        larger step lost accuracy.

    learning_rate : {"constant", "invscaling", "cosine", "plateau", "adaptive"}, \
            default="plateau"
        Step-size schedule. "invscaling" is the Robbins-Monro schedule
        ``eta_t = eta_0 / (1 + t) ** power_t`` over optimizer steps t; "cosine"
        anneals eta_0 to 0 over ``max_iter`` epochs; "plateau" divides the step
        by 5 when the monitored loss has not improved by ``tol`` for 2 epochs
        ("adaptive", scikit-learn's name for it, is accepted as an alias).
        "plateau" is the classifier's default (scikit-learn's is "constant"):
        once the loss stalls, smaller steps settle the weights near the
        minimum instead of letting Adam's steps rattle around it, and the
        plateau rule then ends the fit sooner: with ``alpha="auto"`` it
        made the classification fits of the development suite about 30 %
        shorter (:ref:`mlp_classifier_defaults`).

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

    alpha : float or "auto", default="auto"
        Strength of the L2 penalty ``alpha / 2 * ||W||^2 / batch_weight`` on the
        weight matrices (not the biases), scikit-learn's convention. "auto"
        is ``sqrt(batch_rows / n)`` for ``n`` training rows and ``batch_rows``
        rows a batch: 1.0 for a full-batch fit (``n`` at most ``batch_size``,
        or L-BFGS), and smaller on larger data, so that the penalty, weighed
        against the mean loss it is added to, shrinks as ``1 / sqrt(n)``, the
        rate at which the sampling noise of that mean loss shrinks (a fixed
        ``alpha`` keeps the same weight on any amount of data). The value
        used is ``alpha_``. Both are stronger than scikit-learn's 1e-4, which
        overfits the small tabular sets of the development suite. Mean 5-fold
        accuracy over five seeds, "auto" (with the "plateau" schedule) against
        1.0 (with a constant step): digits 0.979 against 0.976, fair 0.724
        against 0.726, the other sets within 0.001
        (:ref:`mlp_classifier_defaults`). With a ``scaling`` other than
        "standard", "auto" is scikit-learn's 1e-4: those N(0, 1) parameters
        have squared norms about ``fan_in`` times Glorot's, so the rule's
        penalty would pull them to 0 (a constant prediction at "mean_field":
        breast_cancer 0.627, digits 0.101; at 1e-4 0.979 and 0.974).

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

    max_fun : int, default=15000
        With L-BFGS only: the most loss (and gradient) evaluations of a fit,
        line-search evaluations included, as scikit-learn's ``max_fun``.
        Reaching it ends the fit with a ConvergenceWarning.

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
    n_outputs_ : int
        Number of output units: 1 for binary targets, else one per class or
        label.

    classes_ : ndarray of shape (n_classes,)
        Class labels (label indices for multilabel targets).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    module_ : torch.nn.Module
        The trained network, in evaluation mode.

    coefs_ : list of ndarray
        Weight matrices as scikit-learn's MLP exposes them: ``coefs_[i]`` has
        shape (n_in, n_out); NumPy views of the weights on the CPU.

    intercepts_ : list of ndarray
        Bias vectors, ``intercepts_[i]`` of shape (n_out,).

    n_layers_ : int
        Number of layers, input and output included.

    out_activation_ : str
        Output activation as scikit-learn names it: "logistic" (binary,
        multilabel), "softmax" (multiclass) or "identity" (regression).

    n_iter_ : int
        Number of epochs trained so far.

    alpha_ : float
        The L2 penalty the fit used: ``alpha``, or its "auto" value.

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
    MLPRegressor : Multi-layer perceptron regressor.
    sklearn.neural_network.MLPClassifier : Scikit-learn's NumPy implementation.

    Notes
    -----
    Inputs should be standardized (for example with
    :class:`~sklearn.preprocessing.StandardScaler` in a pipeline). Training runs
    on a private skorch net; predictions run the module directly in large
    batches under :func:`torch.inference_mode`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_mathdl import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(random_state=0).fit(X, y)
    >>> clf.classes_
    array([0, 1, 2])
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_BaseTorchClassifier._parameter_constraints,
        "optimizer": [StrOptions(set(_OPTIMIZERS) | {"auto"})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [tuple, list, Integral],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "scaling": [
            StrOptions({"standard", "ntk", "mean_field"}),
            Interval(Real, 0.5, 1, closed="both"),
        ],
        "init": [StrOptions(set(INITS))],
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    }

    @property
    def n_outputs_(self):
        """Number of output units (1 for binary targets), as in scikit-learn."""
        self._linear_layers()
        return self._net_n_outputs

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        scaling="standard",
        init="glorot",
        optimizer="adam",
        learning_rate_init=1e-2,
        learning_rate="plateau",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        optimizer_params=None,
        alpha="auto",
        l1_alpha=0.0,
        dropout=0.0,
        batch_norm=False,
        batch_size="auto",
        max_iter="auto",
        max_fun=15000,
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
        self.scaling = scaling
        self.init = init
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
        self.max_fun = max_fun
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

    def _resolve_alpha(self, plan, module):
        """``alpha``, or for "auto" ``sqrt(batch_rows / n)``, 1e-4 under a
        scaling other than "standard" (see ``alpha``)."""
        if not (isinstance(self.alpha, str) and self.alpha == "auto"):
            return float(self.alpha)
        if not (isinstance(self.scaling, str) and self.scaling == "standard"):
            return _SCALED_AUTO_ALPHA
        return rate_alpha(plan.n_train, plan.batch_size)

    def _finish_fit(self, net, monitor, plan):
        super()._finish_fit(net, monitor, plan)
        self.alpha_ = self._alpha_used
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _MLPMixin, _BaseTorchRegressor):
    """Multi-layer perceptron regressor trained by mini-batch SGD-type optimizers.

    Single- and multi-output regression with the mean squared error loss. With
    ``hidden_layer_sizes=()`` it is linear regression trained by stochastic
    gradient descent.

    Read more in the :ref:`User Guide <mlp>`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int or int, default=(100,)
        Widths of the hidden layers (an int is one layer, as in scikit-learn).
        ``()`` gives no hidden layer: linear
        regression.

    loss : {"squared_error", "poisson"}, default="squared_error"
        "squared_error": the mean squared error of the (standardized, with
        ``normalize_y``) target. "poisson", as scikit-learn's: the network
        outputs the log of the mean, ``predict`` returns ``exp`` of it, and the
        loss is the half Poisson deviance ``exp(eta) - y eta - y + y log y``
        on the raw target (non-negative, with a positive mean; ``normalize_y``
        does not apply). With no hidden layer (or one identity unit) it is
        Poisson regression. ``alpha="auto"`` then means 1e-4, scikit-learn's
        default (the readout's generalized cross-validation is a squared-error
        criterion).

    activation : {"relu", "tanh", "sigmoid", "logistic", "gelu", "identity"}, \
            default="relu"
        Activation function of the hidden layers ("logistic", scikit-learn's
        name, is "sigmoid").

    scaling : {"standard", "ntk", "mean_field"} or float, default="standard"
        Parameterization. "standard": PyTorch layers with Glorot-uniform
        initialization. "ntk": every layer computes ``W h / sqrt(fan_in) + b``
        with W, b ~ N(0, 1), readout included: as the width N grows,
        training stays in the lazy (kernel) regime of
        :func:`~sklearn_mathdl.kernels.ntk_kernel` with ``sigma_w=1``,
        ``sigma_b=1``. "mean_field": readout ``a.h / N`` and, with
        ``optimizer="sgd"``, the step ``learning_rate_init * N`` (Mei,
        Montanari and Nguyen 2018), so features move O(1) and the training
        curve is width-independent; with more hidden layers each one averages
        the previous, ``W h / N_prev`` (Sirignano and Spiliopoulos 2022, the
        book's section 20.5), and SGD's step is scaled per layer (N_1 for the
        first, N_prev N for the others, N_L for the readout). The
        width rule is SGD's; adaptive optimizers (Adam) normalize gradient
        scales themselves and get no multiplier. A float gamma in [1/2, 1]
        is the family between them that the book's section 20.6 studies:
        readout ``a.h / N^gamma`` (no bias) and, with "sgd", the step
        ``learning_rate_init * N^(2 gamma - 1)``; hidden weights move like
        N^(gamma - 1). With more hidden layers each one after the first is
        ``W h / N_prev^gamma`` (no bias) and each layer's step is multiplied by
        ``N^(2 gamma - 1)`` for every hidden width it touches. 0.5 is "ntk"
        and 1 is "mean_field".

    init : {"glorot", "he", "lecun", "ntk", "torch"}, default="glorot"
        Law of the initial weights and biases with ``scaling="standard"`` (the
        book's section 19.2): "glorot" U(+-sqrt(6 / (fan_in + fan_out))) as
        scikit-learn's MLP; "he" N(0, 2 / fan_in) and zero biases, which keeps
        the second moment of ReLU pre-activations equal across layers;
        "lecun" N(0, 1 / fan_in) and zero biases; "ntk" N(0, 1 / fan_in)
        weights and N(0, 1) biases, the initial function of the NTK
        parameterization; "torch" PyTorch's default,
        U(+-1 / sqrt(fan_in)). The other scalings draw N(0, 1) parameters of
        their own and accept only the default.

    optimizer : {"adam", "sgd", "adamw", "adamax", "rmsprop", "adagrad", "lbfgs", \
            "newton", "auto"}, default="auto"
        The optimizer (from :mod:`torch.optim`). "adamax" is Adam with the
        infinity norm in place of the second moment (Kingma and Ba 2015).
        "lbfgs" is full-batch L-BFGS with a strong-Wolfe line search
        (``torch.optim.LBFGS``, 10 curvature pairs), as scikit-learn's
        ``solver="lbfgs"``: one iteration is one epoch (``max_iter="auto"`` is
        500 iterations), ``batch_size``, ``learning_rate_init`` and
        ``learning_rate`` do not apply, ``max_fun`` bounds the loss evaluations,
        ``tol`` is also the gradient tolerance (scikit-learn's ``gtol``), and
        ``partial_fit`` is unavailable; it needs in-memory data and no dropout.
        "auto" (the default) is "lbfgs" for a fit on at most 20,000 in-memory
        rows without dropout, and "adam" otherwise and in ``partial_fit``
        (which continues an L-BFGS fit with a fresh Adam state). With
        ``alpha="auto"``, L-BFGS met scikit-learn's MLP and RidgeCV on the
        development suite where Adam fell short on randhie
        (``benchmarks/results_defaults_cpu.md``). "newton" is Newton's method
        (the book's chapter 17) for ``hidden_layer_sizes=()``, i.e. ridge
        regression: full batch, one iteration an epoch, the step solving
        H d = -g with the exact Hessian of the penalized loss, computed in
        float64, and halved until Armijo's sufficient decrease holds.

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

    alpha : float or "auto", default="auto"
        Strength of the L2 penalty ``alpha / 2 * ||W||^2 / batch_weight`` on the
        weight matrices (not the biases), scikit-learn's convention, added to
        the mean squared error (scikit-learn's MLPRegressor adds it to half
        the mean squared error, so ``alpha=2`` here is its ``alpha=1``).
        "auto" chooses it from the training data before training: at its
        initialization the network is a random-features model, and the ridge
        penalty that generalized cross-validation picks for its readout (the
        last layer, on the features of the initial hidden layers; with no
        hidden layer, on X itself) becomes ``alpha`` for every layer. It is
        small on noiseless data and large on noisy small data; the value used
        is ``alpha_``. No single fixed value met the targets on both kinds
        (see :ref:`mlp_auto_alpha` and ``benchmarks/results_defaults_cpu.md``).

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

    max_fun : int, default=15000
        With L-BFGS only: the most loss (and gradient) evaluations of a fit,
        line-search evaluations included, as scikit-learn's ``max_fun``.
        Reaching it ends the fit with a ConvergenceWarning.

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

    coefs_ : list of ndarray
        Weight matrices as scikit-learn's MLP exposes them: ``coefs_[i]`` has
        shape (n_in, n_out); NumPy views of the weights on the CPU.

    intercepts_ : list of ndarray
        Bias vectors, ``intercepts_[i]`` of shape (n_out,).

    n_layers_ : int
        Number of layers, input and output included.

    out_activation_ : str
        Output activation as scikit-learn names it: "logistic" (binary,
        multilabel), "softmax" (multiclass) or "identity" (regression).

    alpha_ : float
        The L2 penalty used: ``alpha``, or the value chosen for "auto" (kept
        by ``warm_start`` and ``partial_fit``, which continue the first fit).

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
    MLPClassifier : Multi-layer perceptron classifier.
    sklearn.neural_network.MLPRegressor : Scikit-learn's NumPy implementation.

    Notes
    -----
    Inputs should be standardized (for example with
    :class:`~sklearn.preprocessing.StandardScaler` in a pipeline). The loss is
    computed on standardized targets when ``normalize_y=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl import MLPRegressor
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
    >>> y = X.ravel() ** 2
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01,
    ...                    max_iter=200, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> reg.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_BaseTorchRegressor._parameter_constraints,
        "optimizer": [StrOptions(set(_OPTIMIZERS) | {"auto"})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [tuple, list, Integral],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "scaling": [
            StrOptions({"standard", "ntk", "mean_field"}),
            Interval(Real, 0.5, 1, closed="both"),
        ],
        "loss": [StrOptions({"squared_error", "poisson"})],
        "init": [StrOptions(set(INITS))],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        loss="squared_error",
        activation="relu",
        scaling="standard",
        init="glorot",
        optimizer="auto",
        learning_rate_init=1e-3,
        learning_rate="constant",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        optimizer_params=None,
        alpha="auto",
        l1_alpha=0.0,
        dropout=0.0,
        batch_norm=False,
        batch_size="auto",
        max_iter="auto",
        max_fun=15000,
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
        self.loss = loss
        self.activation = activation
        self.scaling = scaling
        self.init = init
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
        self.max_fun = max_fun
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
