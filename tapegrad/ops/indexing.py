"""Indexing: x[index] with slices, ints, None, Ellipsis, boolean masks and integer arrays."""

from __future__ import annotations

import numpy as np

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

    def forward(self, x, index):
        self.input_shape, self.index = x.shape, index
        return x[index]

    def backward(self, grad):
        grad_x = np.zeros_like(grad, shape=self.input_shape)
        if _picks_each_element_once(self.index):
            grad_x[self.index] = grad
        else:
            np.add.at(grad_x, self.index, grad)
        return grad_x


class Gather(Function):
    """y[i][j] = x[index[i][j]][j] along axis (torch.gather);  dL/dx scatter-adds dL/dy back"""

    __slots__ = ("input_shape", "axis", "index")

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
        grad_x = np.zeros_like(grad, shape=self.input_shape)
        positions = list(np.indices(self.index.shape, sparse=True))
        positions[self.axis] = self.index
        np.add.at(grad_x, tuple(positions), grad)
        return grad_x
