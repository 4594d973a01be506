"""Activation functions beyond relu/tanh/sigmoid: leaky_relu, elu, gelu, silu, softplus."""

from __future__ import annotations

import math

import numpy as np

from tapegrad.function import Function
from tapegrad.ops.elementwise import Sigmoid, stable_sigmoid

try:  # SciPy's erf is vectorized C; without SciPy, math.erf runs element by element.
    from scipy.special import erf as _erf
except ImportError:  # pragma: no cover - exercised by test_erf_without_scipy
    _erf = None


def erf(x):
    """The error function, elementwise, in x's dtype (SciPy's when installed, else math.erf).

    >>> float(erf(np.array(0.5)))
    0.5204998778130465
    """
    x = np.asarray(x)
    values = _erf(x) if _erf is not None else np.frompyfunc(math.erf, 1, 1)(x)
    return np.asarray(values, dtype=x.dtype)


class Erf(Function):
    """y = erf(x);  dL/dx = dL/dy * 2 / sqrt(pi) * exp(-x^2)"""

    __slots__ = ()
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return erf(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad * (2 / math.sqrt(math.pi)) * np.exp(-x * x)


class LeakyRelu(Function):
    """y = x if x > 0 else slope * x;  dL/dx = dL/dy * (1 if x > 0 else slope)"""

    __slots__ = ("slope",)
    saved_roles = (0,)

    def forward(self, x, negative_slope=0.01):
        self.slope = negative_slope
        self.save_for_backward(x)
        return np.where(x > 0, x, x * negative_slope)

    def backward(self, grad):
        (x,) = self.saved
        return grad * np.where(x > 0, 1, self.slope).astype(grad.dtype, copy=False)


class Elu(Function):
    """y = x if x > 0 else alpha * (exp(x) - 1);  dL/dx = dL/dy * (1 if x > 0 else y + alpha)"""

    __slots__ = ("alpha",)
    saved_roles = (0, "output")

    def forward(self, x, alpha=1.0):
        self.alpha = alpha
        y = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
        self.save_for_backward(x, y)
        return y

    def backward(self, grad):
        x, y = self.saved
        return grad * np.where(x > 0, 1, y + self.alpha).astype(grad.dtype, copy=False)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_TANH_CUBIC = 0.044715


class Gelu(Function):
    """y = x * Phi(x) (Phi the normal CDF);  dL/dx = dL/dy * (Phi(x) + x * phi(x))

    ``approximate="tanh"`` uses Phi(x) ~ (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) / 2.
    """

    __slots__ = ("approximate",)
    saved_roles = (0,)

    def forward(self, x, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"Gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate
        self.save_for_backward(x)
        return x * self._cdf(x)

    def _cdf(self, x):
        if self.approximate == "tanh":
            return 0.5 * (1 + np.tanh(_SQRT_2_OVER_PI * (x + _TANH_CUBIC * x**3)))
        return 0.5 * (1 + Erf.forward_or_apply(x / math.sqrt(2)))

    def backward(self, grad):
        (x,) = self.saved
        if self.approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (x + _TANH_CUBIC * x**3)
            t = np.tanh(inner)
            slope = _SQRT_2_OVER_PI * (1 + 3 * _TANH_CUBIC * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * slope)
        density = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return grad * (self._cdf(x) + x * density)


class Silu(Function):
    """y = x * sigmoid(x);  dL/dx = dL/dy * s * (1 + x * (1 - s)),  s = sigmoid(x)"""

    __slots__ = ()
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return x * stable_sigmoid(x)

    def backward(self, grad):
        (x,) = self.saved
        # Recomputed (cheaper than keeping it) by the Sigmoid op: on Tensors stable_sigmoid's
        # |x| would give the sigmoid a slope of 0 at x = 0, and d²y/dx² there would be wrong.
        s = Sigmoid.forward_or_apply(x)
        return grad * s * (1 + x * (1 - s))


class Softplus(Function):
    """y = log(1 + exp(beta * x)) / beta (x itself where beta * x > threshold);
    dL/dx = dL/dy * sigmoid(beta * x) (1 past the threshold)"""

    __slots__ = ("beta",)
    saved_roles = (0,)

    def forward(self, x, beta=1.0, threshold=20.0):
        self.beta = beta
        linear = x * beta > threshold
        self.save_for_backward(x, linear)
        return np.where(linear, x, np.logaddexp(0, x * beta) / beta)

    def backward(self, grad):
        x, linear = self.saved
        # The Sigmoid op, not stable_sigmoid, for the right second derivative at 0 (see Silu).
        return grad * np.where(linear, 1, Sigmoid.forward_or_apply(x * self.beta))
