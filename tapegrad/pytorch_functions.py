"""PyTorch's functions whose work is done by NumPy-meaning code in ``tapegrad.numpy_api``:
``tg.tensordot``, ``tg.kron``, ``tg.hstack``, ``tg.quantile``, ``tg.meshgrid``, ... under
PyTorch's names, arguments and defaults (``dims=``, ``dim=``, ``meshgrid`` indexing 'ij')."""

from __future__ import annotations

import numpy as np

from tapegrad.numpy_api import linalg, reductions, shapes
from tapegrad.routines import as_tensor

__all__ = ["tensordot", "kron", "inner", "vdot", "cross", "hstack", "vstack", "dstack",
           "column_stack", "row_stack", "atleast_1d", "atleast_2d", "atleast_3d", "ravel",
           "quantile", "meshgrid", "broadcast_tensors", "take", "hsplit", "vsplit", "dsplit"]


def tensordot(a, b, dims=2):
    """The sum over ``dims``: a count of a's last and b's first axes, or two lists of axes.

    >>> import tapegrad as tg
    >>> tg.tensordot(tg.ones(2, 3), tg.ones(3, 4), dims=1).shape
    (2, 4)
    """
    return linalg.tensordot(a, b, dims)


def kron(input, other):  # noqa: A002 - PyTorch's names
    """The Kronecker product.

    >>> import tapegrad as tg
    >>> tg.kron(tg.eye(2), tg.ones(1, 2)).shape
    (2, 4)
    """
    return linalg.kron(input, other)


def inner(input, other):  # noqa: A002
    """The sum over both operands' last axes.

    >>> import tapegrad as tg
    >>> tg.inner(tg.ones(2, 3), tg.ones(3)).shape
    (2,)
    """
    return linalg.inner(input, other)


def vdot(input, other):  # noqa: A002
    """The dot product of two 1-d tensors (PyTorch's: 1-d only).

    >>> import tapegrad as tg
    >>> tg.vdot(tg.ones(3), tg.ones(3))
    tensor(3.)
    """
    if as_tensor(input).ndim != 1 or as_tensor(other).ndim != 1:
        raise RuntimeError("vdot: expected 1D tensors")
    return linalg.vdot(input, other)


def cross(input, other, dim=None):  # noqa: A002
    """The cross product of 3-vectors along ``dim`` (None: the first axis of length 3, as
    PyTorch's ``cross``).

    >>> import tapegrad as tg
    >>> tg.cross(tg.tensor([1.0, 0.0, 0.0]), tg.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    x, y = as_tensor(input), as_tensor(other)
    if dim is None:
        shape = np.broadcast_shapes(x.shape, y.shape)
        dim = next((axis for axis, size in enumerate(shape) if size == 3), None)
        if dim is None:
            raise RuntimeError(f"cross: no dimension of size 3 in input of shape {shape}")
    if x.shape[dim] != 3 or y.shape[dim] != 3:
        raise RuntimeError(f"cross: dimension {dim} does not have size 3")
    return linalg.cross(x, y, axis=dim)


def hstack(tensors):
    """Join along the columns (axis 0 for 1-d tensors).

    >>> import tapegrad as tg
    >>> tg.hstack([tg.ones(2), tg.zeros(1)]).shape
    (3,)
    """
    return shapes.hstack(tensors)


def vstack(tensors):
    """Join along the rows, 1-d tensors as rows.

    >>> import tapegrad as tg
    >>> tg.vstack([tg.ones(2), tg.zeros(2)]).shape
    (2, 2)
    """
    return shapes.vstack(tensors)


row_stack = vstack


def dstack(tensors):
    """Join along a third axis.

    >>> import tapegrad as tg
    >>> tg.dstack([tg.ones(2), tg.zeros(2)]).shape
    (1, 2, 2)
    """
    return shapes.dstack(tensors)


def column_stack(tensors):
    """1-d tensors as columns, side by side.

    >>> import tapegrad as tg
    >>> tg.column_stack([tg.ones(3), tg.zeros(3)]).shape
    (3, 2)
    """
    return shapes.column_stack(tensors)


def atleast_1d(*tensors):
    """Tensors with at least one axis.

    >>> import tapegrad as tg
    >>> tg.atleast_1d(tg.tensor(1.0)).shape
    (1,)
    """
    return shapes.atleast_1d(*tensors)


def atleast_2d(*tensors):
    """Tensors with at least two axes.

    >>> import tapegrad as tg
    >>> tg.atleast_2d(tg.ones(3)).shape
    (1, 3)
    """
    return shapes.atleast_2d(*tensors)


def atleast_3d(*tensors):
    """Tensors with at least three axes.

    >>> import tapegrad as tg
    >>> tg.atleast_3d(tg.ones(3)).shape
    (1, 3, 1)
    """
    return shapes.atleast_3d(*tensors)


def ravel(input):  # noqa: A002
    """The elements as one axis.

    >>> import tapegrad as tg
    >>> tg.ravel(tg.ones(2, 3)).shape
    (6,)
    """
    return as_tensor(input).reshape(-1)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):  # noqa: A002
    """The q-th quantiles along ``dim`` (of all elements for None), linear interpolation.

    >>> import tapegrad as tg
    >>> tg.quantile(tg.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
    tensor(2.5000)
    """
    q = q.data if hasattr(q, "data") else q
    return reductions.quantile(input, q, dim, method=interpolation, keepdims=keepdim)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-d tensors; PyTorch's default indexing is 'ij' (NumPy's 'xy').

    >>> import tapegrad as tg
    >>> [g.shape for g in tg.meshgrid(tg.zeros(3), tg.zeros(2))]
    [(3, 2), (3, 2)]
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return shapes.meshgrid(*tensors, indexing=indexing)


def broadcast_tensors(*tensors):
    """Every tensor broadcast to their common shape.

    >>> import tapegrad as tg
    >>> [t.shape for t in tg.broadcast_tensors(tg.zeros(3, 1), tg.zeros(4))]
    [(3, 4), (3, 4)]
    """
    return shapes.broadcast_arrays(*tensors)


def take(input, index):  # noqa: A002
    """Elements of the flattened tensor at ``index``.

    >>> import tapegrad as tg
    >>> tg.take(tg.tensor([[1.0, 2.0], [3.0, 4.0]]), tg.tensor([3, 0]))
    tensor([4., 1.])
    """
    return shapes.take(input, index)


def hsplit(input, indices_or_sections):  # noqa: A002
    """Split along axis 1 (axis 0 for 1-d): a tuple of views.

    >>> import tapegrad as tg
    >>> len(tg.hsplit(tg.zeros(2, 4), 2))
    2
    """
    return tuple(shapes.hsplit(input, indices_or_sections))


def vsplit(input, indices_or_sections):  # noqa: A002
    """Split along axis 0, of a tensor with at least 2 axes.

    >>> import tapegrad as tg
    >>> len(tg.vsplit(tg.zeros(4, 2), 2))
    2
    """
    return tuple(shapes.vsplit(input, indices_or_sections))


def dsplit(input, indices_or_sections):  # noqa: A002
    """Split along axis 2, of a tensor with at least 3 axes.

    >>> import tapegrad as tg
    >>> len(tg.dsplit(tg.zeros(1, 2, 4), 2))
    2
    """
    return tuple(shapes.dsplit(input, indices_or_sections))
