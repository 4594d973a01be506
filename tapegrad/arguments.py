"""How the surface reads its arguments: PyTorch's and NumPy's spellings of axes and shapes.

The Tensor methods, ``tg.*`` functions and ``nn.functional`` take both ``dim``/``keepdim``
(PyTorch) and ``axis``/``keepdims`` (NumPy), and shapes as ``f(2, 3)`` or ``f((2, 3))``;
these helpers turn each spelling into one.
"""

from __future__ import annotations

import numpy as np


def reduction_args(op: str, axis, dim, keepdims, keepdim) -> tuple:
    """Merge PyTorch's ``dim``/``keepdim`` spelling into NumPy's ``axis``/``keepdims``.

    >>> reduction_args("sum", None, [0, 1], False, True)
    ((0, 1), True)
    """
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: pass axis= or dim=, not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis, bool(keepdims)


def shape_args(args: tuple) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``.

    >>> shape_args((2, 3)), shape_args(([2, 3],))
    ((2, 3), (2, 3))
    """
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


def array_index(index, tensor_type: type):
    """An index with the tensors inside it (of ``tensor_type``) replaced by their arrays.

    >>> import tapegrad as tg
    >>> array_index((tg.tensor([0, 1]), 2), tg.Tensor)
    (array([0, 1]), 2)
    """
    if isinstance(index, tensor_type):
        return index._data
    if isinstance(index, tuple):
        return tuple(item._data if isinstance(item, tensor_type) else item for item in index)
    return index


class AxisError(IndexError, ValueError):
    """An axis out of range: an IndexError, as PyTorch raises, and a ValueError, as NumPy's
    AxisError is too, so code written for either catches it.

    >>> issubclass(AxisError, IndexError) and issubclass(AxisError, ValueError)
    True
    """


def checked_axis(op: str, axis: int, ndim: int) -> int:
    """``axis`` as a non-negative position among ``ndim`` axes, or an IndexError that says the
    range (PyTorch's rule: a 0-d tensor takes axis 0 or -1).

    >>> checked_axis("split", -1, 3)
    2
    >>> checked_axis("split", 5, 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tapegrad.arguments.AxisError: split: dimension out of range (... [-2, 1], but got 5)
    """
    size = max(ndim, 1)
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: an axis must be an int, got {type(axis).__name__}")
    if not -size <= axis < size:
        raise AxisError(f"{op}: dimension out of range (expected to be in range of "
                         f"[{-size}, {size - 1}], but got {axis})")
    return int(axis) % size
