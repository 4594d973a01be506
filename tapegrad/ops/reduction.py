"""Reductions: sum, mean, max, min, prod, var, std and logsumexp over any axes."""

from __future__ import annotations

import math

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
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


def spread(grad, shape: tuple):
    """``grad`` broadcast up to ``shape``: the gradient of a sum or mean for its input.

    A small result is a fresh array: filling it costs less than NumPy's broadcast_to
    machinery (1-2 µs against 5), and the engine can adopt it as ``.grad`` without a copy.
    A large one is a read-only view, which costs no memory.

    >>> spread(np.float64(2.0), (2, 3)).tolist()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """
    if isinstance(grad, TensorCore) or math.prod(shape) > _FILLED_UP_TO:
        return np.broadcast_to(grad, shape)
    return np.full(shape, grad)


# Up to this many elements a sum's gradient is filled in rather than broadcast as a view.
_FILLED_UP_TO = 4096


class Sum(Function):
    """y = sum(x over axis);  dL/dx = dL/dy broadcast back over the summed axes"""

    __slots__ = ("input_shape", "axis", "keepdims")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, axis=None, keepdims=False):
        self.input_shape, self.axis, self.keepdims = x.shape, axis, keepdims
        if type(x) is np.ndarray:  # what np.sum calls, without its dispatch (1 µs a call)
            return np.add.reduce(x, axis=axis, keepdims=keepdims)
        return np.sum(x, axis=axis, keepdims=keepdims)

    def backward(self, grad):
        grad = keep_reduced_axes(grad, len(self.input_shape), self.axis, self.keepdims)
        return spread(grad, self.input_shape)


class Mean(Function):
    """y = mean(x over axis);  dL/dx = dL/dy / n,  n = elements per mean (broadcast back)"""

    __slots__ = ("input_shape", "axis", "keepdims", "count")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, axis=None, keepdims=False):
        self.input_shape, self.axis, self.keepdims = x.shape, axis, keepdims
        y = np.mean(x, axis=axis, keepdims=keepdims)
        self.count = max(x.size, 1) // max(np.size(y), 1)
        return y

    def backward(self, grad):
        grad = keep_reduced_axes(grad / self.count, len(self.input_shape), self.axis,
                                 self.keepdims)
        return spread(grad, self.input_shape)


class Max(Function):
    """y = max(x over axis);  dL/dx = dL/dy at the maximum

    Ties: a full reduction (or several axes) splits the gradient evenly among the maxima, as
    PyTorch's ``max()``/``amax``; along one axis it goes to the first maximum, as
    ``torch.max(x, dim)``, whose index ``argmax`` returns. A nan is the maximum wherever it
    occurs, so the gradient goes to the nans (as PyTorch's ``max()``; its ``amax`` gives nan).
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
            hits = (x == y) | (np.isnan(x) & np.isnan(y))  # nan == nan is False
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

    The product of the others is taken directly, never as y / x_i, so zeros in x and a y that
    underflows give exact gradients; it is made of indexing, padding and products, so on
    Tensors under create_graph it is differentiable again, and second derivatives are exact.
    """

    __slots__ = ("axis", "keepdims")
    complex_gradients = HOLOMORPHIC
    saved_roles = (0,)

    def forward(self, x, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims
        self.save_for_backward(x)
        return np.prod(x, axis=axis, keepdims=keepdims)

    def backward(self, grad):
        (x,) = self.saved
        grad = keep_reduced_axes(grad, x.ndim, self.axis, self.keepdims)
        return grad * product_of_others(x, normalize_axes(self.axis, x.ndim))


def product_of_others(x, axes: tuple):
    """For each element, the product of the other elements of its group over ``axes``: the
    product of those before it times the product of those after it.

    >>> product_of_others(np.array([[2.0, 0.0, 3.0]]), (1,))
    array([[0., 6., 0.]])
    """
    kept = [axis for axis in range(x.ndim) if axis not in axes]
    order = kept + list(axes)
    moved = np.transpose(x, order)  # the group's axes last, then made one axis
    groups = np.reshape(moved, moved.shape[: len(kept)] + (math.prod(moved.shape[len(kept):]),))
    before = _exclusive_cumprod(groups)
    after = _exclusive_cumprod(groups[..., ::-1])[..., ::-1]
    others = np.reshape(before * after, moved.shape)
    return np.transpose(others, np.argsort(order).tolist())


def _exclusive_cumprod(x):
    """Along the last axis, the product of the elements before each one (1 for the first).

    A scan (Hillis and Steele's): shift in a 1, then log2(n) rounds of multiplying by a copy
    shifted by 1, 2, 4, ... places. Unlike np.cumprod it is written with slicing, np.pad and
    *, which tapegrad differentiates on Tensors.

    >>> _exclusive_cumprod(np.array([2.0, 3.0, 4.0, 5.0]))
    array([ 1.,  2.,  6., 24.])
    """
    length = x.shape[-1]
    if length == 0:
        return x
    products = _shifted_right(x, 1)
    shift = 1
    while shift < length:
        products = products * _shifted_right(products, shift)
        shift *= 2
    return products


def _shifted_right(x, places: int):
    """x moved ``places`` along the last axis, with ones coming in at the front."""
    widths = ((0, 0),) * (x.ndim - 1) + ((places, 0),)
    return np.pad(x[..., : x.shape[-1] - places], widths, constant_values=1)


class Var(Function):
    """y = sum((x - m)**2 over axis) / (n - ddof) with m = mean(x over axis);
    dL/dx = dL/dy * 2 (x - m) / (n - ddof)

    x - mean(x) is exactly 0 for a group of equal values (see ``centered``), so the variance
    there is exactly 0, as PyTorch's. For complex x the squares are |x - m|**2 (a real
    variance, NumPy's and PyTorch's), and the same formula is the complex gradient.
    """

    __slots__ = ("axis", "ddof", "keepdims")
    saved_roles = (0,)

    def forward(self, x, axis=None, ddof=0, keepdims=False):
        self.axis, self.ddof, self.keepdims = axis, ddof, keepdims
        deviations = centered(x, normalize_axes(axis, x.ndim))
        self.save_for_backward(x, deviations)
        squares = deviations * (deviations.conj() if deviations.dtype.kind == "c" else
                                deviations)
        with np.errstate(divide="ignore", invalid="ignore"):  # n = ddof: nan, as in PyTorch
            return np.sum(squares.real, axis=axis, keepdims=keepdims) / (
                _count(x, axis) - ddof)

    def backward(self, grad):
        x, deviations = self.saved
        if isinstance(x, TensorCore):  # under create_graph: the deviations as a function of x
            deviations = centered(x, normalize_axes(self.axis, x.ndim))
        grad = keep_reduced_axes(grad, x.ndim, self.axis, self.keepdims)
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad * deviations * 2 / (_count(x, self.axis) - self.ddof)


class Std(Function):
    """y = sqrt(var(x over axis));  dL/dx = dL/dy * (x - mean(x)) / ((n - ddof) * y)

    For a group of equal values y = 0 and the formula is 0 / 0: the gradient there is 0,
    as PyTorch's (std has no derivative there; 0 is its subgradient of least norm).
    """

    __slots__ = ("axis", "ddof", "keepdims")
    saved_roles = (0, "output")

    def forward(self, x, axis=None, ddof=0, keepdims=False):
        self.axis, self.ddof, self.keepdims = axis, ddof, keepdims
        y = np.sqrt(Var.forward_or_apply(x, axis=axis, ddof=ddof, keepdims=keepdims))
        self.save_for_backward(x, y)
        return y

    def backward(self, grad):
        x, y = self.saved
        grad = keep_reduced_axes(grad, x.ndim, self.axis, self.keepdims)
        y = keep_reduced_axes(y, x.ndim, self.axis, self.keepdims)
        with np.errstate(divide="ignore", invalid="ignore"):  # masked where y = 0
            scale = np.where(y == 0, 0, grad / ((_count(x, self.axis) - self.ddof) * y))
        return scale * centered(x, normalize_axes(self.axis, x.ndim))


def centered(x, axes: tuple):
    """x minus the mean of its group over ``axes``, exactly 0 for a group of equal values.

    The mean is taken of x minus the group's first element, a constant: for equal values
    that difference is 0 exactly, where a plain mean can be off in the last bit (0.1 three
    times averages to 0.10000000000000002). Differentiable on Tensors, like x - mean(x).

    >>> centered(np.array([[0.1, 0.1, 0.1], [1.0, 2.0, 3.0]]), (1,))
    array([[ 0.,  0.,  0.],
           [-1.,  0.,  1.]])
    """
    first = tuple(slice(0, 1) if axis in axes else slice(None) for axis in range(x.ndim))
    shifted = x - (x._data if isinstance(x, TensorCore) else x)[first]
    return shifted - np.mean(shifted, axis=axes, keepdims=True)


def _count(x, axis) -> int:
    """How many elements each group of a reduction over ``axis`` holds."""
    return math.prod(x.shape[a] for a in normalize_axes(axis, x.ndim))


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


class Norm(Function):
    """y = (sum |x|**p over axis) ** (1/p) (max |x| for p = inf);
    dL/dx = dL/dy * sign(x) * |x|**(p-1) / y**(p-1)   (p = 2: dL/dy * x / y)

    Where y = 0 the gradient is 0 (a subgradient), and for p = ±inf the extreme elements share
    it evenly, as PyTorch's ``norm``; p = 0 counts the nonzero elements and has gradient 0.
    """

    __slots__ = ("p", "axis", "keepdims")
    saved_roles = (0, "output")

    def forward(self, x, p=2.0, axis=None, keepdims=False):
        self.p, self.axis, self.keepdims = p, axis, keepdims
        y = vector_norm(x, p, axis=axis, keepdims=keepdims)
        self.save_for_backward(x, y)
        return y

    def backward(self, grad):
        x, y = self.saved
        grad = keep_reduced_axes(grad, x.ndim, self.axis, self.keepdims)
        y = keep_reduced_axes(y, x.ndim, self.axis, self.keepdims)
        return norm_gradient(x, y, grad, self.p, normalize_axes(self.axis, x.ndim))


def vector_norm(x, p: float, axis=None, keepdims: bool = False):
    """The p-norm of ``x`` over ``axis`` (None: all elements), as ``torch.linalg.vector_norm``.

    >>> vector_norm(np.array([3.0, -4.0]), 2), vector_norm(np.array([3.0, -4.0]), np.inf)
    (array(5.), array(4.))
    """
    magnitudes = np.abs(x)
    if p == math.inf or p == -math.inf:
        reduce = np.max if p > 0 else np.min
        if magnitudes.size == 0 or any(magnitudes.shape[a] == 0
                                       for a in normalize_axes(axis, x.ndim)):
            raise ValueError(f"Norm: the {p} norm of no elements is undefined (the operation "
                             "has no identity)")
        return np.asarray(reduce(magnitudes, axis=axis, keepdims=keepdims))
    if p == 0:
        return np.asarray(np.sum(magnitudes != 0, axis=axis, keepdims=keepdims), dtype=x.dtype)
    if p == 1:
        return np.asarray(np.sum(magnitudes, axis=axis, keepdims=keepdims))
    if p == 2:
        squares = (x * x.conj()).real if x.dtype.kind == "c" else x * x  # |x|**2
        return np.asarray(np.sqrt(np.sum(squares, axis=axis, keepdims=keepdims)))
    with np.errstate(divide="ignore"):  # a negative p of a zero element: 0 ** p = inf
        return np.asarray(np.sum(magnitudes ** p, axis=axis, keepdims=keepdims) ** (1 / p))


def norm_gradient(x, y, grad, p: float, axes: tuple):
    """dL/dx of y = ||x||_p over ``axes``, given y and dL/dy with the reduced axes kept (size
    1). Written with NumPy functions and operators, so it is differentiable on Tensors; where a
    factor is infinite (y = 0, or x = 0 with p < 1) a where() puts the exact 0 PyTorch gives.

    >>> norm_gradient(np.array([3.0, -4.0]), np.array([5.0]), np.array([1.0]), 2, (0,))
    array([ 0.6, -0.8])
    """
    if p == 0:
        return np.zeros(x.shape, dtype=x.dtype)
    if p == 1:
        return np.sign(x) * grad
    if p == math.inf or p == -math.inf:
        magnitudes = np.abs(x._data if isinstance(x, TensorCore) else x)
        values = y._data if isinstance(y, TensorCore) else y
        extremes = (magnitudes == values) | np.isnan(magnitudes)
        share = extremes / np.sum(extremes, axis=axes, keepdims=True)  # ties split evenly
        return np.sign(x) * grad * share.astype(magnitudes.dtype, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):  # the infinite factors are masked
        if p == 2:
            return x * np.where(y == 0, 0, grad / y)
        magnitudes = np.abs(x)
        if p < 1:  # |x| ** (p - 1) is infinite at 0, where the gradient is 0
            scaled = np.sign(x) * np.where(x == 0, 0, magnitudes ** (p - 1))
            return scaled * grad * y ** (1 - p)
        scaled = x * magnitudes ** (p - 2) if p > 2 else np.sign(x) * magnitudes ** (p - 1)
        return scaled * np.where(y == 0, 0, grad / y ** (p - 1))
