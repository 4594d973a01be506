"""Indexing: x[index] with slices, ints, None, Ellipsis, boolean masks and integer arrays."""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function

_BASIC_INDEX_TYPES = (int, np.integer, slice, type(None), type(Ellipsis))


def _picks_each_element_once(index) -> bool:
    """True for basic indices and masks, where plain assignment undoes the selection."""
    items = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(item, _BASIC_INDEX_TYPES)
        or (isinstance(item, np.ndarray) and item.dtype == bool)
        for item in items
    )


class Index(Function):
    """y = x[index];  dL/dx = zeros like x with dL/dy added at index (repeated picks add up)"""

    __slots__ = ("input_shape", "index")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, index):
        self.input_shape, self.index = x.shape, index
        return x[index]

    def backward(self, grad):
        return IndexAdd.forward_or_apply(grad, shape=self.input_shape, index=self.index)


class IndexAdd(Function):
    """y = zeros(shape) with x added at index (Index's backward);  dL/dx = dL/dy[index]"""

    __slots__ = ("index",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, shape, index):
        self.index = index
        y = np.zeros_like(x, shape=shape)
        if _picks_each_element_once(index):
            y[index] = x
        else:
            np.add.at(y, index, x)
        return y

    def backward(self, grad):
        return Index.forward_or_apply(grad, index=self.index)


class Gather(Function):
    """y[i][j] = x[index[i][j]][j] along axis;  dL/dx = dL/dy scatter-added back at index"""

    __slots__ = ("input_shape", "axis", "index")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, index, axis):
        index = np.asarray(index)
        if index.dtype.kind not in "iu":
            raise TypeError(f"Gather: index must hold integers, got dtype {index.dtype}")
        if index.ndim != x.ndim:
            raise ValueError(
                f"Gather: index has {index.ndim} dimensions but the input has {x.ndim} "
                f"(shapes {index.shape} and {x.shape})"
            )
        self.input_shape, self.axis, self.index = x.shape, axis, index
        return np.take_along_axis(x, index, axis=axis)

    def backward(self, grad):
        return GatherAdd.forward_or_apply(grad, shape=self.input_shape, index=self.index,
                                          axis=self.axis)


class GatherAdd(Function):
    """y = zeros(shape) with x[i][j] added at y[index[i][j]][j] along axis (Gather's backward);
    dL/dx = gather(dL/dy, axis, index)"""

    __slots__ = ("index", "axis")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, shape, index, axis):
        self.index, self.axis = index, axis
        y = np.zeros_like(x, shape=shape)
        if index.shape[axis] == 1:  # one value per line along axis: no slot gets two, so put
            np.put_along_axis(y, index, x, axis=axis)
            return y
        positions = list(np.indices(index.shape, sparse=True))
        positions[axis] = index
        np.add.at(y, tuple(positions), x)
        return y

    def backward(self, grad):
        return Gather.forward_or_apply(grad, index=self.index, axis=self.axis)
