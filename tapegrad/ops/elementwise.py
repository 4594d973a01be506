"""Elementwise math: exp, log, sqrt, abs, tanh, sigmoid, relu."""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function


class Exp(Function):
    """y = exp(x);  dL/dx = dL/dy * y"""

    __slots__ = ()

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

    def forward(self, x):
        self.save_for_backward(x)
        return np.log(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / x


class Sqrt(Function):
    """y = sqrt(x);  dL/dx = dL/dy / (2 * y)"""

    __slots__ = ()

    def forward(self, x):
        y = np.sqrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return grad / (2 * y)


class Abs(Function):
    """y = |x|;  dL/dx = dL/dy * sign(x)   (so the gradient at 0 is 0, as in PyTorch)"""

    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.abs(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad * np.sign(x)


class Tanh(Function):
    """y = tanh(x);  dL/dx = dL/dy * (1 - y**2)"""

    __slots__ = ()

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

    def forward(self, x):
        # exp of -|x| never overflows; the two branches are the same function rearranged.
        e = np.exp(-np.abs(x))
        y = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return grad * y * (1 - y)


class Relu(Function):
    """y = max(x, 0);  dL/dx = dL/dy * (x > 0)   (the gradient at 0 is 0, as in PyTorch)"""

    __slots__ = ()

    def forward(self, x):
        y = np.maximum(x, 0)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return grad * (y > 0)
