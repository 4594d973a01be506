"""Shape ops: reshape and permute (transpose and .T are permutes)."""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function


class Reshape(Function):
    """y = x viewed with a new shape;  dL/dx = dL/dy reshaped to x's shape"""

    __slots__ = ("input_shape",)

    def forward(self, x, shape):
        self.input_shape = x.shape
        return np.reshape(x, shape)

    def backward(self, grad):
        return np.reshape(grad, self.input_shape)


class Permute(Function):
    """y = x with its axes reordered;  dL/dx = dL/dy with the inverse order"""

    __slots__ = ("axes",)

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
        return np.transpose(grad, np.argsort(self.axes))
