"""Logarithms in other bases, log-sum-exp of two operands, and the cube root.

Each backward is written with NumPy functions and operators, so under ``create_graph`` (where
the saved values are Tensors) it records a graph and can be differentiated again.
"""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function
from tapegrad.ops.chain_rule import over_keeping_zeros

_LN2 = float(np.log(2.0))
_LN10 = float(np.log(10.0))


class Log2(Function):
    """y = log2(x);  dL/dx = dL/dy / (x * ln 2)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.log2(x)

    def backward(self, grad):
        (x,) = self.saved
        return over_keeping_zeros(grad, x * _LN2)


class Log10(Function):
    """y = log10(x);  dL/dx = dL/dy / (x * ln 10)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.log10(x)

    def backward(self, grad):
        (x,) = self.saved
        return over_keeping_zeros(grad, x * _LN10)


class Logaddexp(Function):
    """z = log(exp(x) + exp(y));  dL/dx = dL/dz * exp(x - z),  dL/dy = dL/dz * exp(y - z)

    (exp(x - z) is the softmax weight of x: never above 1, so never an overflow.)
    """

    __slots__ = ()
    saved_roles = (0, 1, "output")

    def forward(self, x, y):
        z = np.logaddexp(x, y)
        self.save_for_backward(x, y, z)
        return z

    def backward(self, grad):
        x, y, z = self.saved
        needs_x, needs_y = self.needs_input_grad
        return (grad * np.exp(x - z) if needs_x else None,
                grad * np.exp(y - z) if needs_y else None)


class Logaddexp2(Function):
    """z = log2(2**x + 2**y);  dL/dx = dL/dz * 2**(x - z),  dL/dy = dL/dz * 2**(y - z)"""

    __slots__ = ()
    saved_roles = (0, 1, "output")

    def forward(self, x, y):
        z = np.logaddexp2(x, y)
        self.save_for_backward(x, y, z)
        return z

    def backward(self, grad):
        x, y, z = self.saved
        needs_x, needs_y = self.needs_input_grad
        return (grad * np.exp2(x - z) if needs_x else None,
                grad * np.exp2(y - z) if needs_y else None)


class Cbrt(Function):
    """y = x ** (1/3), real for negative x too;  dL/dx = dL/dy / (3 * y**2)"""

    __slots__ = ()
    saved_roles = ("output",)

    def forward(self, x):
        y = np.cbrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return over_keeping_zeros(grad, 3 * y * y)
