"""Structure ops: flip, roll, the triangles (tril, triu) and diagonals (diagonal, and placing
values on one). rot90 is flips and a transpose; diff is slices and a subtraction; diag is one
of the diagonal ops.

Each op here is linear, so its backward is the op's adjoint (another op of this file, or the
op itself) called through ``forward_or_apply``: gradients of gradients work.
"""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function


class Flip(Function):
    """y = x reversed along axes;  dL/dx = dL/dy reversed along the same axes"""

    __slots__ = ("axes",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, axes):
        self.axes = tuple(axes)
        # A copy, as PyTorch's flip makes: NumPy's flip is a view with negative strides.
        return np.flip(x, self.axes).copy() if np.ndim(x) else x.copy()

    def backward(self, grad):
        return Flip.forward_or_apply(grad, axes=self.axes)


class Roll(Function):
    """y = x shifted cyclically by shifts along axes (axes None: along the flattened x);
    dL/dx = dL/dy shifted back by -shifts"""

    __slots__ = ("shifts", "axes")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, shifts, axes=None):
        self.shifts, self.axes = shifts, axes
        return np.roll(x, shifts, axes)

    def backward(self, grad):
        back = tuple(-shift for shift in self.shifts) if isinstance(self.shifts, tuple) else (
            -self.shifts)
        return Roll.forward_or_apply(grad, shifts=back, axes=self.axes)


class Tril(Function):
    """y = x with the entries above its k-th diagonal zeroed (over the last two axes);
    dL/dx = tril(dL/dy, k)"""

    __slots__ = ("k",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, k=0):
        self.k = k
        return np.tril(x, k)

    def backward(self, grad):
        return Tril.forward_or_apply(grad, k=self.k)


class Triu(Function):
    """y = x with the entries below its k-th diagonal zeroed (over the last two axes);
    dL/dx = triu(dL/dy, k)"""

    __slots__ = ("k",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, k=0):
        self.k = k
        return np.triu(x, k)

    def backward(self, grad):
        return Triu.forward_or_apply(grad, k=self.k)


class Diagonal(Function):
    """y[..., i] = x[..., i, i + offset] over axes (axis1, axis2), which move last (a view);
    dL/dx = zeros like x with dL/dy on that diagonal"""

    __slots__ = ("input_shape", "offset", "axis1", "axis2")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, offset=0, axis1=0, axis2=1):
        self.input_shape, self.offset, self.axis1, self.axis2 = x.shape, offset, axis1, axis2
        # np.diagonal's view is read-only; PyTorch's can be written through, so step along
        # the diagonal of the matrices' corner where it starts, with one stride for both axes.
        matrices = np.moveaxis(x, (axis1, axis2), (-2, -1))
        corner = matrices[..., max(-offset, 0):, max(offset, 0):]
        shape = corner.shape[:-2] + (min(corner.shape[-2:]),)
        strides = corner.strides[:-2] + (sum(corner.strides[-2:]),)
        return np.lib.stride_tricks.as_strided(corner, shape, strides,
                                               writeable=corner.flags.writeable)

    def backward(self, grad):
        return DiagonalEmbed.forward_or_apply(grad, shape=self.input_shape, offset=self.offset,
                                              axis1=self.axis1, axis2=self.axis2)


class DiagonalEmbed(Function):
    """y = zeros(shape) with x's last axis on the diagonal over (axis1, axis2) (Diagonal's
    adjoint, and diag_embed);  dL/dx = diagonal(dL/dy, offset, axis1, axis2)"""

    __slots__ = ("offset", "axis1", "axis2")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, shape, offset=0, axis1=0, axis2=1):
        self.offset, self.axis1, self.axis2 = offset, axis1, axis2
        y = np.zeros_like(x, shape=shape)
        # Move the two axes last (a writable view of y), then write the diagonal's entries.
        matrices = np.moveaxis(y, (axis1, axis2), (-2, -1))
        length = x.shape[-1]
        rows = np.arange(length) + max(-offset, 0)
        columns = np.arange(length) + max(offset, 0)
        matrices[..., rows, columns] = x
        return y

    def backward(self, grad):
        return Diagonal.forward_or_apply(grad, offset=self.offset, axis1=self.axis1,
                                         axis2=self.axis2)
