"""Module-level functions: ``tg.exp(x)``, ``tg.maximum(a, b)``, ``tg.concatenate(...)`` and
friends. Each takes tensors, arrays or numbers and applies the same op as the Tensor method.
"""

from __future__ import annotations

import numpy as np

from tapegrad import backend
from tapegrad.ops.select import Maximum, Minimum, Where
from tapegrad.ops.shape import Concatenate, Pad, Stack
from tapegrad.tensor import Tensor, _wrap


def as_tensor(value) -> Tensor:
    """``value`` as a Tensor: tensors as they are, anything else wrapped without a copy.

    >>> as_tensor([1.0, 2.0])
    tensor([1., 2.])
    """
    return value if isinstance(value, Tensor) else _wrap(backend.as_array(value))


def exp(x) -> Tensor:
    """e ** x, elementwise. ``tg.exp(tg.tensor(0.0))`` is ``tensor(1.)``."""
    return as_tensor(x).exp()


def log(x) -> Tensor:
    """Natural logarithm, elementwise. ``tg.log(tg.tensor(1.0))`` is ``tensor(0.)``."""
    return as_tensor(x).log()


def log1p(x) -> Tensor:
    """log(1 + x), elementwise. ``tg.log1p(tg.tensor(0.0))`` is ``tensor(0.)``."""
    return as_tensor(x).log1p()


def expm1(x) -> Tensor:
    """exp(x) - 1, elementwise. ``tg.expm1(tg.tensor(0.0))`` is ``tensor(0.)``."""
    return as_tensor(x).expm1()


def sqrt(x) -> Tensor:
    """Square root, elementwise. ``tg.sqrt(tg.tensor(4.0))`` is ``tensor(2.)``."""
    return as_tensor(x).sqrt()


def abs(x) -> Tensor:  # noqa: A001 - NumPy's name
    """Absolute value, elementwise (gradient 0 at 0). ``tg.abs(tg.tensor(-1.0))`` is 1."""
    return as_tensor(x).abs()


def sign(x) -> Tensor:
    """-1, 0 or 1 by sign; not differentiable. ``tg.sign(tg.tensor(-3.0))`` is -1."""
    return as_tensor(x).sign()


def sin(x) -> Tensor:
    """Sine, elementwise. ``tg.sin(tg.tensor(0.0))`` is ``tensor(0.)``."""
    return as_tensor(x).sin()


def cos(x) -> Tensor:
    """Cosine, elementwise. ``tg.cos(tg.tensor(0.0))`` is ``tensor(1.)``."""
    return as_tensor(x).cos()


def tanh(x) -> Tensor:
    """Hyperbolic tangent, elementwise. ``tg.tanh(tg.tensor(0.0))`` is ``tensor(0.)``."""
    return as_tensor(x).tanh()


def sigmoid(x) -> Tensor:
    """1 / (1 + e ** -x), elementwise. ``tg.sigmoid(tg.tensor(0.0))`` is ``tensor(0.5)``."""
    return as_tensor(x).sigmoid()


def clip(x, min=None, max=None) -> Tensor:  # noqa: A002 - NumPy's and PyTorch's names
    """Limit values to [min, max]; ``tg.clamp`` is the same.

    >>> clip([-1.0, 2.0], 0, 1)
    tensor([0., 1.])
    """
    return as_tensor(x).clip(min, max)


clamp = clip


def maximum(x, y) -> Tensor:
    """Elementwise larger of x and y; on ties each gets half the gradient.

    >>> maximum(Tensor([1.0, 5.0]), 2.0)
    tensor([2., 5.])
    """
    return Maximum.apply(x, y)


def minimum(x, y) -> Tensor:
    """Elementwise smaller of x and y; on ties each gets half the gradient.

    >>> minimum(Tensor([1.0, 5.0]), 2.0)
    tensor([1., 2.])
    """
    return Minimum.apply(x, y)


def where(condition, x, y) -> Tensor:
    """x where ``condition`` holds, else y. The unselected side's gradient is exactly 0, so
    ``where(x > 0, sqrt(x), 0)`` has a finite gradient at x = 0.

    >>> where(Tensor([True, False]), Tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.])
    """
    condition = condition.data if isinstance(condition, Tensor) else condition
    return Where.apply(x, y, condition=condition)


def concatenate(tensors, axis: int = 0, *, dim=None) -> Tensor:
    """Join tensors along an existing axis (``tg.cat`` is the same, with ``dim=``).

    >>> concatenate([Tensor([1.0]), Tensor([2.0, 3.0])])
    tensor([1., 2., 3.])
    """
    return Concatenate.apply(*tensors, axis=dim if dim is not None else axis)


cat = concatenate


def stack(tensors, axis: int = 0, *, dim=None) -> Tensor:
    """Join tensors of one shape along a new axis.

    >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    return Stack.apply(*tensors, axis=dim if dim is not None else axis)


def pad(x, pad_width, mode: str = "constant", constant_values=0) -> Tensor:
    """NumPy's ``pad`` with a constant: ``pad_width`` is an int, a (before, after) pair, or one
    pair per axis. (``tapegrad.nn.functional.pad`` takes PyTorch's flat form.)

    >>> pad(Tensor([1.0, 2.0]), 1)
    tensor([0., 1., 2., 0.])
    """
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    x = as_tensor(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    return Pad.apply(x, pad_width=tuple(map(tuple, widths.tolist())), value=constant_values)


def matmul(x, y) -> Tensor:
    """Matrix product with NumPy's rules. ``tg.matmul(a, b)`` is ``a @ b``."""
    return as_tensor(x) @ y


def sum(x, axis=None, keepdims: bool = False, **aliases) -> Tensor:  # noqa: A001
    """Sum over ``axis``, as ``Tensor.sum``. ``tg.sum([1.0, 2.0])`` is ``tensor(3.)``."""
    return as_tensor(x).sum(axis, keepdims, **aliases)


def mean(x, axis=None, keepdims: bool = False, **aliases) -> Tensor:
    """Mean over ``axis``, as ``Tensor.mean``. ``tg.mean([1.0, 2.0])`` is ``tensor(1.5)``."""
    return as_tensor(x).mean(axis, keepdims, **aliases)


def max(x, axis=None, keepdims: bool = False, **aliases) -> Tensor:  # noqa: A001
    """Largest value over ``axis`` (values only), as ``Tensor.max``."""
    return as_tensor(x).max(axis, keepdims, **aliases)


def min(x, axis=None, keepdims: bool = False, **aliases) -> Tensor:  # noqa: A001
    """Smallest value over ``axis`` (values only), as ``Tensor.min``."""
    return as_tensor(x).min(axis, keepdims, **aliases)


def prod(x, axis=None, keepdims: bool = False, **aliases) -> Tensor:
    """Product over ``axis``, as ``Tensor.prod``."""
    return as_tensor(x).prod(axis, keepdims, **aliases)


def var(x, axis=None, ddof: int = 0, keepdims: bool = False, **aliases) -> Tensor:
    """Variance over ``axis`` (``ddof=0`` by default, as NumPy), as ``Tensor.var``."""
    return as_tensor(x).var(axis, ddof, keepdims, **aliases)


def std(x, axis=None, ddof: int = 0, keepdims: bool = False, **aliases) -> Tensor:
    """Standard deviation over ``axis`` (``ddof=0`` by default), as ``Tensor.std``."""
    return as_tensor(x).std(axis, ddof, keepdims, **aliases)


def logsumexp(x, axis=None, keepdims: bool = False, **aliases) -> Tensor:
    """log(sum(exp(x))) over ``axis``, stable, as ``Tensor.logsumexp``."""
    return as_tensor(x).logsumexp(axis, keepdims, **aliases)


def argmax(x, axis=None, keepdims: bool = False, **aliases) -> Tensor:
    """Index of the first largest value, as ``Tensor.argmax`` (not differentiable)."""
    return as_tensor(x).argmax(axis, keepdims, **aliases)


def argmin(x, axis=None, keepdims: bool = False, **aliases) -> Tensor:
    """Index of the first smallest value, as ``Tensor.argmin`` (not differentiable)."""
    return as_tensor(x).argmin(axis, keepdims, **aliases)


def reshape(x, shape) -> Tensor:
    """``x`` in a new shape, as ``Tensor.reshape``."""
    return as_tensor(x).reshape(shape)


def transpose(x, axes=None) -> Tensor:
    """NumPy's ``transpose``: reverse the axes, or reorder them as ``axes`` says.

    >>> transpose(Tensor(np.zeros((2, 3, 4))), (2, 0, 1)).shape
    (4, 2, 3)
    """
    x = as_tensor(x)
    return x.transpose() if axes is None else x.permute(axes)


def swapaxes(x, axis1: int, axis2: int) -> Tensor:
    """Swap two axes, as ``Tensor.transpose(axis1, axis2)``."""
    return as_tensor(x).transpose(axis1, axis2)


def squeeze(x, axis=None) -> Tensor:
    """Drop axes of size 1, as ``Tensor.squeeze``."""
    return as_tensor(x).squeeze(axis)


def expand_dims(x, axis) -> Tensor:
    """Insert axes of size 1 at ``axis`` (an int or a tuple, positions in the result), as
    NumPy's ``expand_dims``.

    >>> expand_dims(Tensor(np.zeros((2, 3))), (0, -1)).shape
    (1, 2, 3, 1)
    """
    x = as_tensor(x)
    axes = axis if isinstance(axis, tuple) else (axis,)
    ndim = x.ndim + len(axes)
    if any(not -ndim <= a < ndim for a in axes):
        raise ValueError(f"expand_dims: axis {axis} is out of range for a result with {ndim} "
                         "dimensions")
    shape = list(x.shape)
    for position in sorted(a % ndim for a in axes):
        shape.insert(position, 1)
    return x.reshape(tuple(shape))


def unsqueeze(x, axis: int) -> Tensor:
    """Insert one axis of size 1 (PyTorch's name), as ``Tensor.unsqueeze``."""
    return as_tensor(x).unsqueeze(axis)


def flatten(x, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes ``start_dim..end_dim``, as ``Tensor.flatten``."""
    return as_tensor(x).flatten(start_dim, end_dim)


def broadcast_to(x, shape) -> Tensor:
    """Broadcast to ``shape`` without copying, as ``Tensor.broadcast_to``."""
    return as_tensor(x).broadcast_to(shape)


def tile(x, reps) -> Tensor:
    """Repeat the whole tensor ``reps`` times along each axis (NumPy's ``tile``)."""
    return as_tensor(x).repeat(reps)


def split(x, split_size_or_sections, axis: int = 0, *, dim=None) -> tuple:
    """Cut into pieces along ``axis``, as ``Tensor.split`` (PyTorch's sizes, not NumPy's
    indices)."""
    return as_tensor(x).split(split_size_or_sections, axis, dim=dim)


def chunk(x, chunks: int, axis: int = 0, *, dim=None) -> tuple:
    """Cut into ``chunks`` nearly equal pieces, as ``Tensor.chunk``."""
    return as_tensor(x).chunk(chunks, axis, dim=dim)


def gather(x, axis: int, index) -> Tensor:
    """``torch.gather``: pick along ``axis`` by ``index``, as ``Tensor.gather``."""
    return as_tensor(x).gather(axis, index)
