"""Elementwise math: exp, log, sqrt, abs, tanh, sigmoid, relu, sin, cos, log1p, expm1, clip
and dtype casts."""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function
from tapegrad.ops.chain_rule import over_keeping_zeros


class Exp(Function):
    """y = exp(x);  dL/dx = dL/dy * y"""

    __slots__ = ()
    saved_roles = ("output",)

    def forward(self, x):
        y = np.exp(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return grad * y


class Log(Function):
    """y = log(x);  dL/dx = dL/dy / x"""

    __slots__ = ()
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.log(x)

    def backward(self, grad):
        (x,) = self.saved
        return over_keeping_zeros(grad, x)


class Sqrt(Function):
    """y = sqrt(x);  dL/dx = dL/dy / (2 * y)"""

    __slots__ = ()
    saved_roles = ("output",)

    def forward(self, x):
        y = np.sqrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return over_keeping_zeros(grad, 2 * y)


class Abs(Function):
    """y = |x|;  dL/dx = dL/dy * sign(x)   (so the gradient at 0 is 0, as in PyTorch)"""

    __slots__ = ()
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.abs(x)

    def backward(self, grad):
        (x,) = self.saved
        # The sign as (x > 0) - (x < 0), which is 0 at nan as PyTorch's; np.sign(nan) is nan.
        return grad * ((x > 0).astype(grad.dtype) - (x < 0).astype(grad.dtype))


class Tanh(Function):
    """y = tanh(x);  dL/dx = dL/dy * (1 - y**2)"""

    __slots__ = ()
    saved_roles = ("output",)

    def forward(self, x):
        y = np.tanh(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return grad * (1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dL/dx = dL/dy * y * (1 - y)"""

    __slots__ = ()
    saved_roles = ("output",)

    def forward(self, x):
        y = stable_sigmoid(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return grad * y * (1 - y)


def stable_sigmoid(x):
    """1 / (1 + exp(-x)) without overflow: exp only ever sees -|x|, and the two branches are
    the same function rearranged.

    >>> stable_sigmoid(np.array([-1e4, 0.0, 1e4]))
    array([0. , 0.5, 1. ])
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Relu(Function):
    """y = max(x, 0);  dL/dx = dL/dy * (x > 0)   (the gradient at 0 is 0, as in PyTorch)"""

    __slots__ = ()
    saved_roles = ("output",)

    def forward(self, x):
        y = np.maximum(x, 0)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        # The mask in grad's own dtype: NumPy multiplies two arrays of one type in its fast
        # loop, a float by a bool in a slower casting one.
        return grad * (y > 0).astype(grad.dtype)


class Sin(Function):
    """y = sin(x);  dL/dx = dL/dy * cos(x)"""

    __slots__ = ()
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.sin(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad * np.cos(x)


class Cos(Function):
    """y = cos(x);  dL/dx = -dL/dy * sin(x)"""

    __slots__ = ()
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.cos(x)

    def backward(self, grad):
        (x,) = self.saved
        return -grad * np.sin(x)


class Log1p(Function):
    """y = log(1 + x);  dL/dx = dL/dy / (1 + x)"""

    __slots__ = ()
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.log1p(x)

    def backward(self, grad):
        (x,) = self.saved
        return over_keeping_zeros(grad, 1 + x)


class Expm1(Function):
    """y = exp(x) - 1;  dL/dx = dL/dy * (y + 1)"""

    __slots__ = ()
    saved_roles = ("output",)

    def forward(self, x):
        y = np.expm1(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return grad * (y + 1)


class Clip(Function):
    """y = min(max(x, low), high);  dL/dx = dL/dy where low <= x <= high, else 0

    Inside the closed interval the gradient passes, as PyTorch's clamp does at its bounds.
    """

    __slots__ = ()
    saved_roles = ()

    def forward(self, x, low=None, high=None):
        passes = np.ones_like(x, dtype=bool)
        if low is not None:
            passes &= x >= low
        if high is not None:
            passes &= x <= high
        self.save_for_backward(passes)
        return np.clip(x, low, high)

    def backward(self, grad):
        (passes,) = self.saved
        return grad * passes


class Cast(Function):
    """y = x as another dtype;  dL/dx = dL/dy as x's dtype"""

    __slots__ = ("input_dtype",)
    saved_roles = ()

    def forward(self, x, dtype):
        self.input_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, grad):
        return grad.astype(self.input_dtype)
