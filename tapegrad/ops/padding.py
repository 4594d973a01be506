"""Padding that copies the input's own elements into the border: NumPy's ``edge``,
``reflect``, ``symmetric`` and ``wrap`` modes (PyTorch's replicate, reflect and circular).

Each of those borders is a copy of some element along each axis, so the padded tensor is a
pick of x by one index map per axis: ``y = x[ix_(map_0, map_1, ...)]``. The gradient is the
transpose, a scatter-add by the same maps; two Functions, each the other's backward, so the
pair is differentiable to any order.
"""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function


def index_maps(shape: tuple, pad_width: tuple, mode: str) -> tuple:
    """Per axis, the source position of every padded position, as NumPy's ``pad`` would
    copy it (so its rules, even for borders wider than the axis, are NumPy's own).

    >>> index_maps((3,), ((2, 1),), "reflect")
    (array([2, 1, 0, 1, 2, 1]),)
    """
    return tuple(np.pad(np.arange(size), widths, mode=mode)
                 for size, widths in zip(shape, pad_width))


class PickByAxes(Function):
    """y[i_0, i_1, ...] = x[map_0[i_0], map_1[i_1], ...];
    dL/dx[j_0, ...] = sum of dL/dy[i_0, ...] over the positions with map_k[i_k] = j_k"""

    __slots__ = ("maps", "input_shape")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, maps):
        self.maps, self.input_shape = maps, x.shape
        return x[np.ix_(*maps)] if maps else x.copy()

    def backward(self, grad):
        return AddByAxes.forward_or_apply(grad, maps=self.maps, shape=self.input_shape)


class AddByAxes(Function):
    """The transpose of ``PickByAxes``: y[j_0, ...] = sum of x[i_0, ...] over map_k[i_k] = j_k;
    dL/dx[i_0, ...] = dL/dy[map_0[i_0], ...]"""

    __slots__ = ("maps",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, maps, shape):
        self.maps = maps
        for axis, (positions, size) in enumerate(zip(maps, shape)):
            moved = np.moveaxis(x, axis, 0)
            total = np.zeros((size,) + moved.shape[1:], dtype=x.dtype)
            np.add.at(total, positions, moved)
            x = np.moveaxis(total, 0, axis)
        return x

    def backward(self, grad):
        return PickByAxes.forward_or_apply(grad, maps=self.maps)
