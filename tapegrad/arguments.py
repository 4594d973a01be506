"""How the surface reads its arguments: PyTorch's and NumPy's spellings of axes and shapes.

The Tensor methods, ``tg.*`` functions and ``nn.functional`` take both ``dim``/``keepdim``
(PyTorch) and ``axis``/``keepdims`` (NumPy), and shapes as ``f(2, 3)`` or ``f((2, 3))``;
these helpers turn each spelling into one.
"""

from __future__ import annotations


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
        return index.data
    if isinstance(index, tuple):
        return tuple(item.data if isinstance(item, tensor_type) else item for item in index)
    return index
