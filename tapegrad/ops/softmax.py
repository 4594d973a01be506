"""Softmax and log-softmax along an axis, stable for logits of any size."""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function


def _shifted(x, axis):
    """x minus its maximum along axis: the largest exponent becomes exp(0) = 1."""
    peak = np.max(x, axis=axis, keepdims=True)
    return x - np.where(np.isfinite(peak), peak, 0)


class Softmax(Function):
    """y = exp(x) / sum(exp(x)) along axis;  dL/dx = y * (dL/dy - sum(dL/dy * y))"""

    __slots__ = ("axis",)
    saved_roles = ("output",)

    def forward(self, x, axis=-1):
        self.axis = axis
        exps = np.exp(_shifted(x, axis))
        y = exps / np.sum(exps, axis=axis, keepdims=True)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return y * (grad - np.sum(grad * y, axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """y = x - log(sum(exp(x))) along axis;  dL/dx = dL/dy - exp(y) * sum(dL/dy)"""

    __slots__ = ("axis",)
    saved_roles = ("output",)

    def forward(self, x, axis=-1):
        self.axis = axis
        shifted = _shifted(x, axis)
        y = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return grad - np.exp(y) * np.sum(grad, axis=self.axis, keepdims=True)
