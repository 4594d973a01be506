"""Reductions: sum and mean over any axes."""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function


def _normalize_axes(axis, ndim: int, op: str) -> tuple:
    """Return ``axis`` (None, int or tuple) as a sorted tuple of non-negative axes."""
    axes = tuple(range(ndim)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    try:
        return tuple(sorted(a + ndim if a < 0 else a for a in axes))
    except TypeError:
        raise TypeError(
            f"{op}: axis must be an int, a tuple of ints or None, got {axis!r}"
        ) from None


def _grad_over_input(grad, input_shape: tuple, axis, keepdims: bool):
    """Spread a reduced gradient back over the input's shape: the adjoint of summing."""
    if not keepdims:
        grad = np.expand_dims(grad, _normalize_axes(axis, len(input_shape), "sum"))
    return np.broadcast_to(grad, input_shape)


class Sum(Function):
    """y = sum(x over axis);  dL/dx = dL/dy broadcast back over the summed axes"""

    __slots__ = ("input_shape", "axis", "keepdims")

    def forward(self, x, axis=None, keepdims=False):
        self.input_shape, self.axis, self.keepdims = x.shape, axis, keepdims
        return np.sum(x, axis=axis, keepdims=keepdims)

    def backward(self, grad):
        return _grad_over_input(grad, self.input_shape, self.axis, self.keepdims)


class Mean(Function):
    """y = mean(x over axis);  dL/dx = dL/dy / n broadcast back, n = elements per mean"""

    __slots__ = ("input_shape", "axis", "keepdims", "count")

    def forward(self, x, axis=None, keepdims=False):
        self.input_shape, self.axis, self.keepdims = x.shape, axis, keepdims
        y = np.mean(x, axis=axis, keepdims=keepdims)
        self.count = max(x.size, 1) // max(np.size(y), 1)
        return y

    def backward(self, grad):
        return _grad_over_input(grad / self.count, self.input_shape, self.axis, self.keepdims)
