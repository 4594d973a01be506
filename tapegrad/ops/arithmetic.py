"""Arithmetic: + - * / ** and negation, with NumPy broadcasting."""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function
from tapegrad.ops.chain_rule import over_keeping_zeros, times_keeping_zeros


class Add(Function):
    """z = x + y;  dL/dx = dL/dz,  dL/dy = dL/dz"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, y):
        return x + y

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    """z = x - y;  dL/dx = dL/dz,  dL/dy = -dL/dz"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, y):
        return x - y

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    """z = x * y;  dL/dx = dL/dz * y,  dL/dy = dL/dz * x"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0, 1)
    saved_for_gradient_of = (1, 0)  # x is read for dL/dy only, y for dL/dx only

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return x * y

    def backward(self, grad):
        x, y = self.saved
        needs_x, needs_y = self.needs_input_grad
        return (grad * y if needs_x else None), (grad * x if needs_y else None)


class Div(Function):
    """z = x / y;  dL/dx = dL/dz / y,  dL/dy = -dL/dz * z / y"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (1, "output")
    saved_for_gradient_of = (None, 1)  # z is read for dL/dy only

    def forward(self, x, y):
        z = x / y
        self.save_for_backward(y, z)
        return z

    def backward(self, grad):
        y, z = self.saved
        grad_x = over_keeping_zeros(grad, y)
        needs_x, needs_y = self.needs_input_grad
        grad_y = times_keeping_zeros(grad, -z / y) if needs_y else None
        return (grad_x if needs_x else None), grad_y


class Neg(Function):
    """z = -x;  dL/dx = -dL/dz"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x):
        return -x

    def backward(self, grad):
        return -grad


class Pow(Function):
    """z = x ** y;  dL/dx = dL/dz * y * x ** (y - 1),  dL/dy = dL/dz * z * log(x)

    dL/dx is 0 where y = 0 (x ** 0 is 1 for every x), and dL/dy is 0 where x = 0 and y >= 0
    (the limit PyTorch uses), not nan.
    """

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0, 1, "output")
    saved_for_gradient_of = (None, 0, 1)  # y is read for dL/dx only, z for dL/dy only

    def forward(self, x, y):
        z = x**y
        self.save_for_backward(x, y, z)
        return z

    def backward(self, grad):
        x, y, z = self.saved
        needs_x, needs_y = self.needs_input_grad
        grad_x = None
        if needs_x:
            # x ** 0 is 1 for every x, so its slope is 0, not 0 * x ** -1: nan at x = 0, and
            # wherever x ** -1 overflows. (As in PyTorch, the slope's derivative in y is then 0
            # at y = 0, too.)
            with np.errstate(divide="ignore", over="ignore"):
                power = np.where(y == 0, 0, x ** (y - 1))
            grad_x = times_keeping_zeros(grad, y * power)
        grad_y = None
        if needs_y:
            zero_base = (x == 0) & (y >= 0)
            with np.errstate(invalid="ignore", divide="ignore"):  # log(x < 0) is nan, as in torch
                log_x = np.log(np.where(zero_base, 1, x))
            grad_y = times_keeping_zeros(grad, z * log_x)
        return grad_x, grad_y
