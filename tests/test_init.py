"""``init``: the variance of each law at initialization (the book's section 19.2)."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from sklearn_mathdl import CNNClassifier, MLPClassifier, MLPRegressor
from sklearn_mathdl._modules._mlp import INITS, _MLPModule, initialize

FAN_IN, WIDTH = 400, 2000


def _first_layer_variance(init):
    """Var of the first layer's pre-activations over units and rows, x ~ N(0, 1)."""
    torch.manual_seed(0)
    m = _MLPModule(FAN_IN, 1, (WIDTH,), "relu", init=init)
    X = torch.randn(500, FAN_IN)
    with torch.no_grad():
        return float(m.layers[0](X).var())


# Var(w x + b) = fan_in Var(w) E[x^2] + Var(b), with E[x^2] = 1
EXPECTED = {
    # U(-b, b) has variance b^2 / 3, b^2 = 6 / (fan_in + fan_out), bias alike
    "glorot": (FAN_IN + 1) * 2.0 / (FAN_IN + WIDTH),
    "he": 2.0,
    "lecun": 1.0,
    "ntk": 1.0 + 1.0,
    # PyTorch: U(+-1/sqrt(fan_in)) for weights and biases
    "torch": (FAN_IN + 1) / (3.0 * FAN_IN),
}


@pytest.mark.parametrize("init", INITS)
def test_first_layer_variance_matches_the_law(init):
    assert _first_layer_variance(init) == pytest.approx(EXPECTED[init], rel=0.05)


def test_he_keeps_the_second_moment_of_relu_layers():
    # He et al. (2015): with w ~ N(0, 2 / fan_in) and ReLU units, E[z_l^2] is
    # the same in every layer; LeCun's law halves it per layer
    X = torch.randn(400, 500)
    for init, ratio in (("he", 1.0), ("lecun", 0.5**5)):
        torch.manual_seed(0)
        m = _MLPModule(500, 1, (1000,) * 6, "relu", init=init)
        moments, h = [], X
        with torch.no_grad():
            for layer in m.layers:
                h = layer(h)
                if isinstance(layer, nn.Linear):
                    moments.append(float(h.pow(2).mean()))
        assert moments[5] / moments[0] == pytest.approx(ratio, rel=0.15)


@pytest.mark.parametrize("init", INITS)
def test_convolution_fan_in_counts_the_kernel(init):
    conv = nn.Conv1d(8, 512, kernel_size=5)
    torch.manual_seed(0)
    initialize(conv, init)
    X = torch.randn(64, 8, 50)
    with torch.no_grad():
        out = conv(X)
    fan_in, fan_out = 8 * 5, 512 * 5  # channels x taps
    expected = {
        "glorot": (fan_in + 1) * 2.0 / (fan_in + fan_out),
        "he": 2.0,
        "lecun": 1.0,
        "ntk": 2.0,
        "torch": (fan_in + 1) / (3.0 * fan_in),
    }[init]
    assert float(out.var()) == pytest.approx(expected, rel=0.05)
    if init in ("he", "lecun"):
        assert float(conv.bias.detach().abs().max()) == 0.0


@pytest.mark.filterwarnings("ignore:.*learnt nothing")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("init", ["he", "lecun"])
def test_estimators_use_the_law(init):
    X = np.random.RandomState(0).randn(60, 30)
    y = (X[:, 0] > 0).astype(int)
    # one Adam step of 1e-9: the fitted weights are the initial ones
    still = {"optimizer": "adam", "learning_rate_init": 1e-9, "max_iter": 1}
    clf = MLPClassifier((500,), init=init, random_state=0, **still).fit(X, y)
    w = clf.coefs_[0]
    assert w.std() == pytest.approx(
        math.sqrt((2.0 if init == "he" else 1.0) / 30), rel=0.1
    )
    cnn = CNNClassifier(n_filters=(64,), init=init, random_state=0, **still).fit(
        X.reshape(60, 1, 30), y
    )
    conv = next(m for m in cnn.module_.modules() if isinstance(m, nn.Conv1d))
    fan_in = conv.in_channels * conv.kernel_size[0]
    gain = 2.0 if init == "he" else 1.0
    assert conv.weight.std().item() == pytest.approx(math.sqrt(gain / fan_in), rel=0.2)


def test_default_laws_are_unchanged():
    # the MLPs keep scikit-learn's Glorot law, the CNNs PyTorch's
    assert MLPRegressor().init == "glorot" and CNNClassifier().init == "torch"
    torch.manual_seed(0)
    m = _MLPModule(5, 2, (10,))
    bound = math.sqrt(6 / (5 + 10))
    assert float(m.layers[0].weight.detach().abs().max()) <= bound


def test_init_with_a_scaled_parameterization_is_refused():
    X = np.random.RandomState(0).randn(20, 3)
    with pytest.raises(ValueError, match="init='he' applies to scaling='standard'"):
        MLPRegressor((8,), scaling="ntk", init="he", max_iter=2).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="init"):
        MLPRegressor(init="orthogonal").fit(X, X[:, 0])
