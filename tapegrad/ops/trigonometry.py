"""Trigonometric and hyperbolic functions beyond sin, cos and tanh: tan, the inverse functions,
sinh, cosh and their inverses, and the two-argument arctan2 and hypot.

Each backward is written with NumPy functions and operators, so under ``create_graph`` (where
the saved values are Tensors) it records a graph and can be differentiated again.
"""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function


class Tan(Function):
    """y = tan(x);  dL/dx = dL/dy * (1 + y**2)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = ("output",)

    def forward(self, x):
        y = np.tan(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return grad * (1 + y * y)


class Arcsin(Function):
    """y = arcsin(x);  dL/dx = dL/dy / sqrt(1 - x**2)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.arcsin(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / np.sqrt(1 - x * x)


class Arccos(Function):
    """y = arccos(x);  dL/dx = -dL/dy / sqrt(1 - x**2)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.arccos(x)

    def backward(self, grad):
        (x,) = self.saved
        return -grad / np.sqrt(1 - x * x)


class Arctan(Function):
    """y = arctan(x);  dL/dx = dL/dy / (1 + x**2)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.arctan(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / (1 + x * x)


class Sinh(Function):
    """y = sinh(x);  dL/dx = dL/dy * cosh(x)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.sinh(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad * np.cosh(x)


class Cosh(Function):
    """y = cosh(x);  dL/dx = dL/dy * sinh(x)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.cosh(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad * np.sinh(x)


class Arcsinh(Function):
    """y = arcsinh(x);  dL/dx = dL/dy / sqrt(x**2 + 1)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.arcsinh(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / np.sqrt(x * x + 1)


class Arccosh(Function):
    """y = arccosh(x);  dL/dx = dL/dy / (sqrt(x - 1) sqrt(x + 1))   (sqrt(x**2 - 1) for real
    x >= 1; the product keeps the sign right for complex x)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.arccosh(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / (np.sqrt(x - 1) * np.sqrt(x + 1))


class Arctanh(Function):
    """y = arctanh(x);  dL/dx = dL/dy / (1 - x**2)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return np.arctanh(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / (1 - x * x)


class Arctan2(Function):
    """z = arctan2(y, x), the angle of the point (x, y);
    dL/dy = dL/dz * x / (x**2 + y**2),  dL/dx = -dL/dz * y / (x**2 + y**2)

    At the origin both are 0 (the 0 / 0 there is taken as 0, as PyTorch does).
    """

    __slots__ = ()
    saved_roles = (0, 1)

    def forward(self, y, x):
        self.save_for_backward(y, x)
        return np.arctan2(y, x)

    def backward(self, grad):
        y, x = self.saved
        needs_y, needs_x = self.needs_input_grad
        squared = x * x + y * y
        scale = grad / np.where(squared == 0, 1, squared)
        return (scale * x if needs_y else None), (-scale * y if needs_x else None)


class Hypot(Function):
    """z = sqrt(x**2 + y**2);  dL/dx = dL/dz * x / z,  dL/dy = dL/dz * y / z   (0 at z = 0)"""

    __slots__ = ()
    saved_roles = (0, 1, "output")

    def forward(self, x, y):
        z = np.hypot(x, y)
        self.save_for_backward(x, y, z)
        return z

    def backward(self, grad):
        x, y, z = self.saved
        needs_x, needs_y = self.needs_input_grad
        scale = grad / np.where(z == 0, 1, z)
        return (scale * x if needs_x else None), (scale * y if needs_y else None)
