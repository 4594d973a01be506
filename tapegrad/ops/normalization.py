"""Layer normalization as one fused op: the mean, the variance, the normalization, the scale
and the shift in forward, and their gradients in one formula in backward.

One node instead of the eight (mean, variance, subtract, add, square root, divide, scale,
shift) that the same arithmetic on Tensors records: a Transformer layer runs two of them on
its largest activations, forward and backward.
"""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function


def _normalized(x, axes: tuple, eps: float) -> tuple:
    """(x - mean) / sqrt(var + eps) over ``axes``, and 1 / sqrt(var + eps); NumPy functions
    only, so that it runs on arrays and, for a second derivative, on Tensors."""
    centered = x - np.mean(x, axis=axes, keepdims=True)
    inverse_std = 1 / np.sqrt(np.mean(centered * centered, axis=axes, keepdims=True) + eps)
    return centered * inverse_std, inverse_std


class LayerNorm(Function):
    """y = x_hat w + b, x_hat = (x - mean) / sqrt(var + eps) over the last axes;
    dL/dx = (g - mean(g) - x_hat mean(g x_hat)) / sqrt(var + eps) with g = dL/dy w,
    dL/dw = sum of dL/dy x_hat and dL/db = sum of dL/dy over the leading axes

    ``axes`` are the normalized (last) axes; ``weight`` and ``bias`` have their shape, or
    are None. Backward recomputes x_hat from x rather than keeping it, so that a second
    derivative sees it as the function of x it is.

    >>> LayerNorm.apply(np.array([[1.0, 3.0]]), axes=(1,), eps=0.0).data.tolist()
    [[-1.0, 1.0]]
    """

    __slots__ = ("axes", "eps")
    saved_roles = (0, 1)

    def forward(self, x, weight=None, bias=None, *, axes, eps):
        self.axes, self.eps = axes, eps
        y, _ = _normalized(x, axes, eps)
        if weight is not None:  # y is new: scaled and shifted in place where dtypes allow
            y = np.multiply(y, weight, out=y if np.result_type(y, weight) == y.dtype else None)
        if bias is not None:
            y = np.add(y, bias, out=y if np.result_type(y, bias) == y.dtype else None)
        self.save_for_backward(x, weight)
        return y

    def backward(self, grad):
        x, weight = self.saved
        needs_x, needs_weight, needs_bias = (self.needs_input_grad + (False, False))[:3]
        normalized, inverse_std = _normalized(x, self.axes, self.eps)
        leading = tuple(range(x.ndim - len(self.axes)))
        grad_x = grad_weight = grad_bias = None
        if needs_x:
            g = grad if weight is None else grad * weight
            grad_x = inverse_std * (
                g - np.mean(g, axis=self.axes, keepdims=True)
                - normalized * np.mean(g * normalized, axis=self.axes, keepdims=True))
        if needs_weight:
            grad_weight = np.sum(grad * normalized, axis=leading)
        if needs_bias:
            grad_bias = np.sum(grad, axis=leading)
        return (grad_x, grad_weight, grad_bias)[:len(self.needs_input_grad)]
