"""Elementwise math: exp, log, sqrt, abs, tanh, sigmoid, relu, sin, cos, log1p, expm1, clip
and dtype casts; rsqrt, sign, nan_to_num and clamp between tensors."""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import AS_WRITTEN, HOLOMORPHIC
from tapegrad.function import Function
from tapegrad.ops.chain_rule import over_keeping_zeros, times_keeping_zeros
from tapegrad.ops.complex import complex_unit


class Exp(Function):
    """y = exp(x);  dL/dx = dL/dy * y"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
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
    complex_gradients = HOLOMORPHIC
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
    complex_gradients = HOLOMORPHIC
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
        if x.dtype.kind == "c":  # |z|'s gradient is z / |z| (PyTorch's sgn)
            return grad * complex_unit(x)
        # The sign as (x > 0) - (x < 0), which is 0 at nan as PyTorch's; np.sign(nan) is nan.
        return grad * ((x > 0).astype(grad.dtype) - (x < 0).astype(grad.dtype))


class Tanh(Function):
    """y = tanh(x);  dL/dx = dL/dy * (1 - y**2)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
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
    complex_gradients = HOLOMORPHIC
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
    if x.dtype.kind == "c":  # no overflow to avoid by cases: |x| is not x's size here
        return 1 / (1 + np.exp(-x))
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
    complex_gradients = HOLOMORPHIC
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
    complex_gradients = HOLOMORPHIC
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
    complex_gradients = HOLOMORPHIC
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
    complex_gradients = HOLOMORPHIC
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
    """y = x as another dtype;  dL/dx = dL/dy as x's dtype (its real part for a real x)"""

    __slots__ = ("input_dtype",)
    complex_gradients = AS_WRITTEN
    saved_roles = ()

    def forward(self, x, dtype):
        self.input_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, grad):
        if grad.dtype.kind == "c" and self.input_dtype.kind != "c":
            grad = grad.real  # a real x gets the real part (PyTorch's rule)
        return grad.astype(self.input_dtype)


class Rsqrt(Function):
    """y = 1 / sqrt(x);  dL/dx = -dL/dy * y**3 / 2"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = ("output",)

    def forward(self, x):
        with np.errstate(divide="ignore"):  # rsqrt(0) is inf
            y = 1 / np.sqrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return times_keeping_zeros(grad, y * y * y * -0.5)


class Sign(Function):
    """y = sign(x): -1, 0 or 1, and 0 at nan;  dL/dx = 0   (flat but at 0)

    A boolean x stays as it is; a complex x gives x / |x| (PyTorch's ``sgn``).
    """

    __slots__ = ()
    saved_roles = ()

    def forward(self, x):
        kind = x.dtype.kind
        if kind == "b":
            return x.copy()
        if kind == "c":
            magnitude = np.abs(x)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(magnitude == 0, 0, x / magnitude).astype(x.dtype)
        # (x > 0) - (x < 0) is 0 at nan, as PyTorch's sign; np.sign(nan) is nan.
        return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)

    def backward(self, grad):
        return None


class NanToNum(Function):
    """y = x with nan, inf and -inf replaced by numbers;  dL/dx = dL/dy where x is finite, else 0

    The defaults are PyTorch's and NumPy's: nan becomes 0, ±inf the dtype's largest numbers.
    """

    __slots__ = ()
    saved_roles = ()

    def forward(self, x, nan=0.0, posinf=None, neginf=None):
        if self.needs_input_grad[0]:
            self.save_for_backward(np.isfinite(x))
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, grad):
        (finite,) = self.saved
        return grad * finite


class ClampBetween(Function):
    """y = min(max(x, low), high);  dL/dx = dL/dy where low <= x <= high,
    dL/dlow = dL/dy where x < low < high,  dL/dhigh = dL/dy where x > high or high < low

    ``clamp`` with tensor bounds (``Clip`` takes numbers); either bound may be None. The
    gradient goes where PyTorch's does: to x at the bounds themselves, and all of it to high
    where low > high (then y is high everywhere).
    """

    __slots__ = ()
    saved_roles = ()

    def forward(self, x, low, high):
        y, passes = x, True
        if low is not None:
            y = np.maximum(y, low)
            passes = x >= low
        if high is not None:
            y = np.minimum(y, high)
            passes = passes & (x <= high)
        needs_x, needs_low, needs_high = self.needs_input_grad
        to_low = to_high = None
        if needs_low:
            to_low = (x < low) if high is None else (x < low) & (low < high)
        if needs_high:
            to_high = (x > high) if low is None else (x > high) | (high < low)
        self.save_for_backward(passes if needs_x else None, to_low, to_high)
        return y

    def backward(self, grad):
        passes, to_low, to_high = self.saved
        return tuple(None if mask is None else grad * mask for mask in (passes, to_low, to_high))
