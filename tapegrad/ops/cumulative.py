"""Cumulative ops along one axis: cumsum, cumprod and logcumsumexp.

Each output element depends on the elements before it, so each gradient is a sum over the
elements after it: a reversed cumulative sum. cumprod's and logcumsumexp's are weighted, and
are taken as one reversed scan (``reverse_linear_scan``) made of slicing, padding, products and
sums, so that on Tensors under create_graph they are differentiable again, and cumprod's is
exact where elements are zero, with no division.
"""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function


class Cumsum(Function):
    """y_i = x_0 + ... + x_i along axis;  dL/dx_i = dL/dy_i + ... + dL/dy_last (reversed cumsum)"""

    __slots__ = ("axis",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, axis):
        self.axis = axis
        return np.cumsum(x, axis=axis)

    def backward(self, grad):
        return flip(Cumsum.forward_or_apply(flip(grad, self.axis), axis=self.axis), self.axis)


class Cumprod(Function):
    """y_i = x_0 * ... * x_i along axis;  dL/dx_i = sum over j >= i of dL/dy_j * (y_j without x_i)

    y_j without x_i is (x_0 ... x_(i-1)) * (x_(i+1) ... x_j): the product before i, which is
    y_(i-1), times r_i = sum over j >= i of dL/dy_j * x_(i+1) ... x_j, which satisfies
    r_i = dL/dy_i + x_(i+1) * r_(i+1). No division by x_i, so zeros give exact gradients.
    """

    __slots__ = ("axis",)
    complex_gradients = HOLOMORPHIC
    saved_roles = (0, "output")

    def forward(self, x, axis):
        self.axis = axis
        y = np.cumprod(x, axis=axis)
        self.save_for_backward(x, y)
        return y

    def backward(self, grad):
        x, y = self.saved
        before = shifted(y, -1, self.axis, fill=1)  # y_(i-1): the product of x_0 ... x_(i-1)
        after = reverse_linear_scan(grad, shifted(x, 1, self.axis, fill=0), self.axis)
        return before * after


class LogCumSumExp(Function):
    """y_i = log(exp(x_0) + ... + exp(x_i)) along axis;
    dL/dx_j = sum over i >= j of dL/dy_i * exp(x_j - y_i)

    Written as exp(x_j - y_j) * r_j with r_j = dL/dy_j + exp(y_j - y_(j+1)) * r_(j+1): every
    exponent is <= 0 (y grows along the axis), so nothing overflows at logits of ±1e4.
    """

    __slots__ = ("axis",)
    saved_roles = (0, "output")

    def forward(self, x, axis):
        self.axis = axis
        with np.errstate(invalid="ignore"):  # a nan (or -inf after +inf) gives nan, quietly
            y = np.logaddexp.accumulate(x, axis=axis) if x.size else x.copy()
        self.save_for_backward(x, y)
        return y

    def backward(self, grad):
        x, y = self.saved
        with np.errstate(invalid="ignore"):  # a leading run of -inf: nan, as in PyTorch
            decay = np.exp(y - shifted(y, 1, self.axis, fill=np.inf))  # 0 past the end
            return np.exp(x - y) * reverse_linear_scan(grad, decay, self.axis)


def reverse_linear_scan(values, coefficients, axis: int):
    """r along ``axis`` with r_i = values_i + coefficients_i * r_(i+1) (r past the end is 0).

    A scan (Hillis and Steele's) in log2(n) rounds: each element keeps r_i = b_i + a_i *
    r_(i+span), and a round substitutes r_(i+span) by the same form, doubling the span. Made
    of slicing, np.pad, * and +, which tapegrad differentiates on Tensors.

    >>> reverse_linear_scan(np.array([1.0, 1.0, 1.0]), np.array([2.0, 3.0, 0.0]), 0)
    array([9., 4., 1.])
    """
    length = values.shape[axis] if np.ndim(values) else 0
    offsets, factors, span = values, coefficients, 1
    while span < length:
        offsets = offsets + factors * shifted(offsets, span, axis, fill=0)
        if 2 * span < length:
            factors = factors * shifted(factors, span, axis, fill=0)
        span *= 2
    return offsets


def shifted(x, places: int, axis: int, fill):
    """x moved ``places`` back along ``axis`` (element i is x_(i+places)), ``fill`` coming in
    past the end; a negative ``places`` moves forward, ``fill`` coming in at the front.

    >>> shifted(np.array([1.0, 2.0, 3.0]), 1, 0, fill=0), shifted(np.array([1.0, 2.0]), -1, 0,
    ...                                                             fill=9)
    (array([2., 3., 0.]), array([9., 1.]))
    """
    size = x.shape[axis]
    moved = min(abs(places), size)
    kept = [slice(None)] * x.ndim
    widths = [(0, 0)] * x.ndim
    if places >= 0:
        kept[axis], widths[axis] = slice(moved, None), (0, moved)
    else:
        kept[axis], widths[axis] = slice(0, size - moved), (moved, 0)
    return np.pad(x[tuple(kept)], widths, constant_values=fill)


def flip(x, axis: int):
    """x reversed along ``axis`` (a view of an array; an indexing op on a Tensor)."""
    index = [slice(None)] * x.ndim
    index[axis] = slice(None, None, -1)
    return x[tuple(index)]
