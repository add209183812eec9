"""Automatic differentiation in reverse and forward mode (the book's chapter 24).

A small, readable implementation of what :mod:`torch.autograd` does, on NumPy
arrays in float64:

- **Reverse mode** (:class:`Variable`, :func:`grad`): each operation records its
  inputs and a rule mapping the gradient of its output to gradients of its
  inputs (a vector-Jacobian product). :meth:`Variable.backward` visits the
  recorded graph once, in reverse topological order, so the gradient of a
  function R^d -> R costs one forward and one backward pass, whatever d.
- **Forward mode** (:class:`Dual`, :func:`jvp`): each value carries a tangent,
  the directional derivative along a chosen direction v, propagated by the
  same chain rule from the inputs forward. One pass gives J v; the full
  gradient of R^d -> R needs d passes (:func:`grad` with ``mode="forward"``).

This is the cost argument of the book's section 24.2: reverse mode is the
right choice for a loss of many parameters (backpropagation), forward mode for
few inputs and many outputs.

Functions to differentiate are written with the operators ``+ - * / @ **``,
indexing, and the functions of this module (:func:`exp`, :func:`log`,
:func:`tanh`, :func:`relu`, :func:`sum`, :func:`mean`), which act on
:class:`Variable`, :class:`Dual` and plain arrays alike.

Examples
--------
>>> import numpy as np
>>> from sklearn_mathdl import autodiff as ad
>>> def f(x):
...     return ad.sum(ad.tanh(x) * x)
>>> x = np.array([0.5, -1.0, 2.0])
>>> g = ad.grad(f, x)
>>> bool(np.allclose(g, np.tanh(x) + x * (1 - np.tanh(x) ** 2)))
True
>>> bool(np.allclose(ad.grad(f, x, mode="forward"), g))
True
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import builtins

import numpy as np

__all__ = [
    "Dual",
    "Variable",
    "exp",
    "grad",
    "jvp",
    "log",
    "mean",
    "relu",
    "sum",
    "tanh",
]


def _unbroadcast(g, shape):
    """Sum ``g`` down to ``shape``: the adjoint of NumPy broadcasting."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def _as_array(x):
    return np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------- reverse mode
class Variable:
    """A node of a reverse-mode graph: a float64 array and how it was made.

    Parameters
    ----------
    value : array-like
        The value (converted to a float64 array).

    Attributes
    ----------
    value : ndarray
        The value.

    grad : ndarray or None
        The gradient of the output that :meth:`backward` was called on with
        respect to this variable (None before).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.autodiff import Variable
    >>> x = Variable(np.array([1.0, 2.0]))
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([2., 4.])
    """

    __array_priority__ = 100  # ndarray (op) Variable defers to Variable

    def __init__(self, value, _parents=()):
        self.value = _as_array(value)
        self.grad = None
        # (parent, rule) pairs: rule maps this node's gradient to the parent's
        self._parents = _parents

    @property
    def shape(self):
        return self.value.shape

    @property
    def ndim(self):
        return self.value.ndim

    def __repr__(self):
        return f"Variable({self.value!r})"

    # -- building the graph
    @staticmethod
    def _lift(x):
        return x if isinstance(x, Variable) else Variable(x)

    def _node(self, value, parents):
        return Variable(value, tuple(parents))

    def __add__(self, other):
        other = Variable._lift(other)
        a, b = self.shape, other.shape
        return self._node(
            self.value + other.value,
            [
                (self, lambda g: _unbroadcast(g, a)),
                (other, lambda g: _unbroadcast(g, b)),
            ],
        )

    __radd__ = __add__

    def __neg__(self):
        return self._node(-self.value, [(self, lambda g: -g)])

    def __sub__(self, other):
        return self + (-Variable._lift(other))

    def __rsub__(self, other):
        return Variable._lift(other) + (-self)

    def __mul__(self, other):
        other = Variable._lift(other)
        x, y = self.value, other.value
        return self._node(
            x * y,
            [
                (self, lambda g: _unbroadcast(g * y, x.shape)),
                (other, lambda g: _unbroadcast(g * x, y.shape)),
            ],
        )

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = Variable._lift(other)
        x, y = self.value, other.value
        return self._node(
            x / y,
            [
                (self, lambda g: _unbroadcast(g / y, x.shape)),
                (other, lambda g: _unbroadcast(-g * x / y**2, y.shape)),
            ],
        )

    def __rtruediv__(self, other):
        return Variable._lift(other) / self

    def __pow__(self, p):
        if isinstance(p, Variable):
            raise TypeError("Variable ** Variable is not supported; use exp/log.")
        x = self.value
        return self._node(x**p, [(self, lambda g: g * p * x ** (p - 1))])

    def __matmul__(self, other):
        other = Variable._lift(other)
        A, B = self.value, other.value
        if A.ndim not in (1, 2) or B.ndim not in (1, 2):
            raise ValueError("matmul supports 1-D and 2-D operands only.")

        def grad_a(g):
            if B.ndim == 1:
                return np.multiply.outer(g, B) if A.ndim == 2 else g * B
            return g @ B.T

        def grad_b(g):
            if A.ndim == 1:
                return np.multiply.outer(A, g) if B.ndim == 2 else g * A
            return A.T @ g

        return self._node(A @ B, [(self, grad_a), (other, grad_b)])

    def __rmatmul__(self, other):
        return Variable._lift(other) @ self

    def __getitem__(self, index):
        shape = self.shape

        def scatter(g):
            out = np.zeros(shape)
            np.add.at(out, index, g)  # repeated indices accumulate
            return out

        return self._node(self.value[index], [(self, scatter)])

    def exp(self):
        e = np.exp(self.value)
        return self._node(e, [(self, lambda g: g * e)])

    def log(self):
        x = self.value
        return self._node(np.log(x), [(self, lambda g: g / x)])

    def tanh(self):
        t = np.tanh(self.value)
        return self._node(t, [(self, lambda g: g * (1.0 - t * t))])

    def relu(self):
        mask = self.value > 0
        return self._node(self.value * mask, [(self, lambda g: g * mask)])

    def sum(self, axis=None):
        shape = self.shape

        def spread(g):
            if axis is not None:
                g = np.expand_dims(g, axis)
            return np.broadcast_to(g, shape).copy()

        return self._node(self.value.sum(axis=axis), [(self, spread)])

    def mean(self, axis=None):
        n = self.value.size if axis is None else self.value.shape[axis]
        return self.sum(axis=axis) / n

    # -- the backward pass
    def _topological_order(self):
        """Every node this one depends on, each after all of its parents."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:  # iterative DFS: deep graphs do not hit the recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for parent, _ in node._parents:
                if id(parent) not in seen:
                    stack.append((parent, False))
        return order

    def backward(self, gradient=None):
        """Accumulate d(self)/d(node) into ``node.grad`` for every node.

        Parameters
        ----------
        gradient : array-like, default=None
            The seed: the gradient of a scalar downstream of ``self`` with
            respect to ``self``. Needed unless ``self`` is a scalar (then 1).
        """
        if gradient is None:
            if self.value.size != 1:
                raise ValueError(
                    f"backward() on a non-scalar of shape {self.shape} needs the "
                    "gradient of the scalar it feeds (a vector-Jacobian product "
                    "seed)."
                )
            gradient = np.ones_like(self.value)
        gradient = _as_array(gradient)
        if gradient.shape != self.shape:
            raise ValueError(
                f"gradient has shape {gradient.shape}, expected {self.shape}."
            )
        order = self._topological_order()
        grads = {id(self): gradient}
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            node.grad = g if node.grad is None else node.grad + g
            for parent, rule in node._parents:
                contribution = rule(g)
                key = id(parent)
                grads[key] = (
                    contribution if key not in grads else grads[key] + contribution
                )


# --------------------------------------------------------------- forward mode
class Dual:
    """A value and its tangent (a directional derivative): forward mode.

    Parameters
    ----------
    value : array-like
        The value.

    tangent : array-like, default=None
        The derivative of ``value`` along the chosen input direction (zeros
        when None: a constant).

    Examples
    --------
    >>> from sklearn_mathdl.autodiff import Dual, tanh
    >>> y = tanh(Dual(0.0, 1.0))
    >>> float(y.value), float(y.tangent)
    (0.0, 1.0)
    """

    __array_priority__ = 100

    def __init__(self, value, tangent=None):
        self.value = _as_array(value)
        self.tangent = (
            np.zeros_like(self.value) if tangent is None else _as_array(tangent)
        )

    @property
    def shape(self):
        return self.value.shape

    def __repr__(self):
        return f"Dual({self.value!r}, {self.tangent!r})"

    @staticmethod
    def _lift(x):
        return x if isinstance(x, Dual) else Dual(x)

    def __add__(self, other):
        other = Dual._lift(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.value, -self.tangent)

    def __sub__(self, other):
        return self + (-Dual._lift(other))

    def __rsub__(self, other):
        return Dual._lift(other) + (-self)

    def __mul__(self, other):
        other = Dual._lift(other)
        return Dual(
            self.value * other.value,
            self.tangent * other.value + self.value * other.tangent,
        )

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = Dual._lift(other)
        return Dual(
            self.value / other.value,
            (self.tangent * other.value - self.value * other.tangent) / other.value**2,
        )

    def __rtruediv__(self, other):
        return Dual._lift(other) / self

    def __pow__(self, p):
        if isinstance(p, Dual):
            raise TypeError("Dual ** Dual is not supported; use exp/log.")
        return Dual(self.value**p, p * self.value ** (p - 1) * self.tangent)

    def __matmul__(self, other):
        other = Dual._lift(other)
        return Dual(
            self.value @ other.value,
            self.tangent @ other.value + self.value @ other.tangent,
        )

    def __rmatmul__(self, other):
        return Dual._lift(other) @ self

    def __getitem__(self, index):
        return Dual(self.value[index], self.tangent[index])

    def exp(self):
        e = np.exp(self.value)
        return Dual(e, e * self.tangent)

    def log(self):
        return Dual(np.log(self.value), self.tangent / self.value)

    def tanh(self):
        t = np.tanh(self.value)
        return Dual(t, (1.0 - t * t) * self.tangent)

    def relu(self):
        mask = self.value > 0
        return Dual(self.value * mask, self.tangent * mask)

    def sum(self, axis=None):
        return Dual(self.value.sum(axis=axis), self.tangent.sum(axis=axis))

    def mean(self, axis=None):
        return Dual(self.value.mean(axis=axis), self.tangent.mean(axis=axis))


# ------------------------------------------------------------ the functions
def _apply(name, x, *args):
    if isinstance(x, (Variable, Dual)):
        return getattr(x, name)(*args)
    return None


def exp(x):
    """Elementwise exponential."""
    out = _apply("exp", x)
    return np.exp(x) if out is None else out


def log(x):
    """Elementwise natural logarithm."""
    out = _apply("log", x)
    return np.log(x) if out is None else out


def tanh(x):
    """Elementwise hyperbolic tangent."""
    out = _apply("tanh", x)
    return np.tanh(x) if out is None else out


def relu(x):
    """Elementwise max(x, 0); its derivative at 0 is taken as 0 (as torch)."""
    out = _apply("relu", x)
    return np.maximum(x, 0.0) if out is None else out


def sum(x, axis=None):  # shadows the builtin inside this module, as numpy's
    """Sum over all elements, or over ``axis``."""
    out = _apply("sum", x, axis)
    return np.sum(x, axis=axis) if out is None else out


def mean(x, axis=None):
    """Mean over all elements, or over ``axis``."""
    out = _apply("mean", x, axis)
    return np.mean(x, axis=axis) if out is None else out


def jvp(f, x, v):
    """Forward mode: ``f(x)`` and the Jacobian-vector product ``J_f(x) v``.

    Parameters
    ----------
    f : callable
        A function of one array written with this module's operations.

    x : array-like
        Where to differentiate.

    v : array-like of the shape of x
        The direction.

    Returns
    -------
    value : ndarray
        ``f(x)``.

    tangent : ndarray
        ``J_f(x) v``, the derivative of ``f`` along ``v``, from one pass.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.autodiff import exp, jvp
    >>> value, tangent = jvp(exp, np.array([0.0, 1.0]), np.array([1.0, 2.0]))
    >>> tangent  # exp'(x) * v
    array([1.        , 5.43656366])
    """
    x, v = _as_array(x), _as_array(v)
    if v.shape != x.shape:
        raise ValueError(f"v has shape {v.shape}, x has shape {x.shape}.")
    out = f(Dual(x, v))
    out = Dual._lift(out)
    return out.value, out.tangent


def grad(f, x, mode="reverse"):
    """Gradient of a scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        A function of one array, returning a scalar, written with this
        module's operations.

    x : array-like
        Where to differentiate.

    mode : {"reverse", "forward"}, default="reverse"
        "reverse": one forward and one backward pass, whatever the size of
        x. "forward": one :func:`jvp` pass per coordinate of x (``x.size``
        passes), the cost that makes reverse mode the choice for training.

    Returns
    -------
    gradient : ndarray of the shape of x

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mathdl.autodiff import grad, log, sum
    >>> grad(lambda x: log(sum(x * x)), np.array([3.0, 4.0]))  # 2x / |x|^2
    array([0.24, 0.32])
    """
    x = _as_array(x)
    if mode == "reverse":
        var = Variable(x)
        out = Variable._lift(f(var))
        if out.value.size != 1:
            raise ValueError(
                f"grad() needs a scalar function; f returned shape {out.shape}."
            )
        out.backward(np.ones_like(out.value))
        return np.zeros_like(x) if var.grad is None else var.grad
    if mode == "forward":
        g = np.empty(x.size)
        basis = np.zeros(x.size)
        for i in builtins.range(x.size):
            basis[i] = 1.0
            value, tangent = jvp(f, x, basis.reshape(x.shape))
            if np.size(value) != 1:
                raise ValueError(
                    "grad() needs a scalar function; f returned shape "
                    f"{np.shape(value)}."
                )
            g[i] = float(np.asarray(tangent).reshape(-1)[0])
            basis[i] = 0.0
        return g.reshape(x.shape)
    raise ValueError(f"mode must be 'reverse' or 'forward', got {mode!r}.")
