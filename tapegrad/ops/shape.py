"""Shape ops: reshape, permute, broadcast, concatenate, stack, pad and tile (transpose and .T
are permutes; squeeze, unsqueeze and flatten are reshapes)."""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function


class Reshape(Function):
    """y = x viewed with a new shape;  dL/dx = dL/dy reshaped to x's shape"""

    __slots__ = ("input_shape",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, shape):
        self.input_shape = x.shape
        return np.reshape(x, shape)

    def backward(self, grad):
        return np.reshape(grad, self.input_shape)


class Permute(Function):
    """y = x with its axes reordered;  dL/dx = dL/dy with the inverse order"""

    __slots__ = ("axes",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, axes):
        normalized = [a + x.ndim if isinstance(a, int) and a < 0 else a for a in axes]
        if sorted(normalized, key=str) != sorted(range(x.ndim), key=str):
            raise ValueError(
                f"Permute: axes {tuple(axes)} are not a reordering of the {x.ndim} axes of a "
                f"tensor of shape {x.shape}"
            )
        self.axes = normalized
        return np.transpose(x, normalized)

    def backward(self, grad):
        return np.transpose(grad, tuple(np.argsort(self.axes).tolist()))


class Expand(Function):
    """y = x broadcast to a larger shape (a read-only view);  dL/dx = dL/dy summed back

    The engine sums every gradient back to its input's shape, so backward passes it on.
    """

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, shape):
        return np.broadcast_to(x, shape)

    def backward(self, grad):
        return grad


class Concatenate(Function):
    """y = the inputs joined along axis;  dL/dx_i = the slice of dL/dy where x_i went"""

    __slots__ = ("axis", "sizes")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, *arrays, axis=0):
        self.axis = axis
        self.sizes = [np.shape(a)[axis] if np.ndim(a) else 0 for a in arrays]
        return np.concatenate(arrays, axis=axis)

    def backward(self, grad):
        before = (slice(None),) * (self.axis % grad.ndim)
        ends = np.cumsum(self.sizes).tolist()
        return tuple(grad[before + (slice(end - size, end),)]
                     for end, size in zip(ends, self.sizes))


class Stack(Function):
    """y = the inputs stacked along a new axis;  dL/dx_i = dL/dy[..., i, ...] on that axis"""

    __slots__ = ("axis",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, *arrays, axis=0):
        stacked = np.stack(arrays, axis=axis)
        self.axis = axis if axis >= 0 else axis + stacked.ndim
        return stacked

    def backward(self, grad):
        before = (slice(None),) * self.axis
        return tuple(grad[before + (position,)] for position in range(grad.shape[self.axis]))


class Pad(Function):
    """y = x with constant borders, pad_width = ((before, after), ...) per axis;
    dL/dx = dL/dy without the borders"""

    __slots__ = ("inside",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, pad_width, value=0):
        if any(before < 0 or after < 0 for before, after in pad_width):
            raise ValueError(f"Pad: pad widths must be >= 0, got {pad_width}")
        self.inside = tuple(
            slice(before, before + size) for (before, _), size in zip(pad_width, x.shape)
        )
        return np.pad(x, pad_width, mode="constant", constant_values=value)

    def backward(self, grad):
        return grad[self.inside]


class Tile(Function):
    """y = x repeated reps times along each axis (np.tile);  dL/dx = dL/dy summed over copies"""

    __slots__ = ("input_shape", "reps")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, reps):
        reps = tuple(reps)
        self.input_shape = x.shape
        self.reps = (1,) * (x.ndim - len(reps)) + reps  # np.tile pads reps on the left
        return np.tile(x, reps)

    def backward(self, grad):
        shape = (1,) * (len(self.reps) - len(self.input_shape)) + self.input_shape
        # Axis i of the output is (copy, element) pairs: split them and sum over the copies.
        pairs = [size for pair in zip(self.reps, shape) for size in pair]
        copies = tuple(range(0, 2 * len(shape), 2))
        return grad.reshape(pairs).sum(axis=copies).reshape(self.input_shape)
