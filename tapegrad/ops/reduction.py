"""Reductions: sum, mean, max, min, prod and logsumexp over any axes."""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function
from tapegrad.tensor_core import TensorCore


def normalize_axes(axis, ndim: int) -> tuple:
    """``axis`` (None, an int or a tuple) as a sorted tuple of non-negative axes.

    >>> normalize_axes(-1, 3), normalize_axes(None, 2)
    ((2,), (0, 1))
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a + ndim if a < 0 else a for a in axes))


def keep_reduced_axes(grad, input_ndim: int, axis, keepdims: bool):
    """Give a reduced gradient back the axes the reduction removed, as size 1.

    After a full reduction nothing needs doing: broadcasting puts leading axes back.

    >>> keep_reduced_axes(np.zeros(3), 3, (0, 2), keepdims=False).shape
    (1, 3, 1)
    """
    if keepdims or axis is None:
        return grad
    shape = list(grad.shape)
    for reduced in normalize_axes(axis, input_ndim):
        shape.insert(reduced, 1)
    return grad.reshape(tuple(shape))  # a cheaper call than np.expand_dims


class Sum(Function):
    """y = sum(x over axis);  dL/dx = dL/dy broadcast back over the summed axes"""

    __slots__ = ("input_shape", "axis", "keepdims")
    saved_roles = ()

    def forward(self, x, axis=None, keepdims=False):
        self.input_shape, self.axis, self.keepdims = x.shape, axis, keepdims
        return np.sum(x, axis=axis, keepdims=keepdims)

    def backward(self, grad):
        grad = keep_reduced_axes(grad, len(self.input_shape), self.axis, self.keepdims)
        return np.broadcast_to(grad, self.input_shape)


class Mean(Function):
    """y = mean(x over axis);  dL/dx = dL/dy / n,  n = elements per mean (broadcast back)"""

    __slots__ = ("input_shape", "axis", "keepdims", "count")
    saved_roles = ()

    def forward(self, x, axis=None, keepdims=False):
        self.input_shape, self.axis, self.keepdims = x.shape, axis, keepdims
        y = np.mean(x, axis=axis, keepdims=keepdims)
        self.count = max(x.size, 1) // max(np.size(y), 1)
        return y

    def backward(self, grad):
        grad = keep_reduced_axes(grad / self.count, len(self.input_shape), self.axis,
                                 self.keepdims)
        return np.broadcast_to(grad, self.input_shape)


class Max(Function):
    """y = max(x over axis);  dL/dx = dL/dy at the maximum

    Ties: a full reduction (or several axes) splits the gradient evenly among the maxima, as
    PyTorch's ``max()``/``amax``; along one axis it goes to the first maximum, as
    ``torch.max(x, dim)``, whose index ``argmax`` returns.
    """

    __slots__ = ("input_ndim", "axis", "keepdims")
    saved_roles = ()
    reduce, pick = staticmethod(np.max), staticmethod(np.argmax)

    def forward(self, x, axis=None, keepdims=False):
        self.input_ndim, self.axis, self.keepdims = x.ndim, axis, keepdims
        y = type(self).reduce(x, axis=axis, keepdims=True)
        if isinstance(axis, int) and x.ndim > 0:
            weights = np.zeros_like(x)
            first = type(self).pick(x, axis=axis, keepdims=True)
            np.put_along_axis(weights, first, 1, axis=axis)
        else:
            hits = x == y
            weights = hits / hits.sum(axis=axis, keepdims=True)
        self.save_for_backward(weights.astype(x.dtype, copy=False))
        return y if keepdims else np.squeeze(y, axis=normalize_axes(axis, x.ndim))

    def backward(self, grad):
        (weights,) = self.saved
        return keep_reduced_axes(grad, self.input_ndim, self.axis, self.keepdims) * weights


class Min(Max):
    """y = min(x over axis);  dL/dx = dL/dy at the minimum (ties as for Max)"""

    __slots__ = ()
    reduce, pick = staticmethod(np.min), staticmethod(np.argmin)


class Prod(Function):
    """y = prod(x over axis);  dL/dx_i = dL/dy * (product of the other x_j)

    The product of the others is taken directly (prefix times suffix products), not as
    y / x_i, so zeros in x give exact gradients.
    """

    __slots__ = ("axis", "keepdims")
    saved_roles = (0, "output")

    def forward(self, x, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims
        y = np.prod(x, axis=axis, keepdims=keepdims)
        self.save_for_backward(x, y)
        return y

    def backward(self, grad):
        x, y = self.saved
        grad = keep_reduced_axes(grad, x.ndim, self.axis, self.keepdims)
        if not isinstance(x, TensorCore):
            return grad * _product_of_others(x, normalize_axes(self.axis, x.ndim))
        # Under create_graph the product of the others is y / x, which is differentiable;
        # that needs x without zeros.
        if not x.data.all():
            raise NotImplementedError(
                "Prod: second derivatives where an input is exactly zero are not supported"
            )
        return grad * keep_reduced_axes(y, x.ndim, self.axis, self.keepdims) / x


def _product_of_others(x, axes: tuple):
    """For each element, the product of the other elements in its reduction group."""
    last = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, last)
    grouped = moved.reshape(moved.shape[: x.ndim - len(axes)] + (-1,))
    ones = np.ones_like(grouped[..., :1])
    before = np.cumprod(np.concatenate([ones, grouped[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, grouped[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return np.moveaxis((before * after).reshape(moved.shape), last, axes)


class LogSumExp(Function):
    """y = log(sum(exp(x) over axis));  dL/dx = dL/dy * exp(x - y)   (= softmax(x))

    Computed as m + log(sum(exp(x - m))) with m the maximum, so logits of ±1e4 stay finite.
    """

    __slots__ = ("axis", "keepdims", "input_ndim")
    saved_roles = (0, "output")

    def forward(self, x, axis=None, keepdims=False):
        self.axis, self.keepdims, self.input_ndim = axis, keepdims, x.ndim
        peak = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
        peak = np.where(np.isfinite(peak), peak, 0)  # all -inf or empty: log 0 = -inf
        with np.errstate(divide="ignore"):
            y = np.log(np.sum(np.exp(x - peak), axis=axis, keepdims=True)) + peak
        if not keepdims:
            y = np.squeeze(y, axis=normalize_axes(axis, x.ndim))
        self.save_for_backward(x, y)
        return y

    def backward(self, grad):
        x, y = self.saved
        ndim, axis, keepdims = self.input_ndim, self.axis, self.keepdims
        softmax = np.exp(x - keep_reduced_axes(y, ndim, axis, keepdims))
        return keep_reduced_axes(grad, ndim, axis, keepdims) * softmax
