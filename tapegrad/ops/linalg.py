"""Linear algebra: the matrix product, and the fused affine map of a Linear layer."""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function


class Matmul(Function):
    """z = x @ y;  dL/dx = dL/dz @ y^T,  dL/dy = x^T @ dL/dz   (on the last two axes)

    As in ``np.matmul``, a 1-d x is a row and a 1-d y a column, and leading (batch) axes
    broadcast; the engine sums a broadcast batch gradient back to each input's shape.
    """

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0, 1)

    def forward(self, x, y):
        try:
            z = np.matmul(x, y)
        except ValueError:
            raise ValueError(_describe_mismatch(np.shape(x), np.shape(y))) from None
        self.save_for_backward(x, y)
        return z

    def backward(self, grad):
        x, y = self.saved
        needs_x, needs_y = self.needs_input_grad
        # Give 1-d operands (and the gradient) back the axis np.matmul added and removed.
        if y.ndim == 1:
            grad = np.expand_dims(grad, -1)
        if x.ndim == 1:
            grad = np.expand_dims(grad, -2)
        x_matrix = x[None, :] if x.ndim == 1 else x
        y_matrix = y[:, None] if y.ndim == 1 else y
        grad_x = grad_y = None
        if needs_x:
            grad_x = grad @ np.swapaxes(y_matrix, -1, -2)
            if x.ndim == 1:
                grad_x = grad_x[..., 0, :]
        if needs_y:
            grad_y = np.swapaxes(x_matrix, -1, -2) @ grad
            if y.ndim == 1:
                grad_y = grad_y[..., 0]
        return grad_x, grad_y


class Linear(Function):
    """y = x @ w^T + b;  dL/dx = dL/dy @ w,  dL/dw = dL/dy^T @ x,  dL/db = dL/dy summed over rows

    One node instead of transpose, matmul and add: dL/dw comes out in w's own layout, and a
    layer costs one Python-level op rather than three.
    """

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0, 1)

    def forward(self, x, weight, bias=None):
        if x.ndim == 0 or weight.ndim != 2 or x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"Linear: input of shape {x.shape} has {x.shape[-1:] or 'no'} features "
                f"but weight of shape {weight.shape} expects (out_features, in_features)"
            )
        self.save_for_backward(x, weight)
        if x.ndim > 2:
            # np.matmul runs a stack times a matrix without BLAS (10x slower for (32, 64, 128)
            # by (128, 384)): the leading axes are rows of one product instead.
            y = (x.reshape(-1, x.shape[-1]) @ weight.T).reshape(x.shape[:-1] + (-1,))
        elif x.ndim == 2 and x.shape[0] < weight.shape[0]:
            # The same product, transposed: OpenBLAS computes weight @ x.T faster when the
            # batch is the smaller side (0.75x the time for 64 rows of 784 -> 256).
            y = (weight @ x.T).T
        else:
            y = x @ weight.T
        if bias is None:
            return y
        if bias.dtype == y.dtype and bias.shape == y.shape[-1:]:
            return np.add(y, bias, out=y)  # y is new: adding in place saves an output-sized copy
        return y + bias

    def backward(self, grad):
        x, weight = self.saved
        needs_x, needs_weight, needs_bias = self.needs_input_grad
        rows = grad.reshape(-1, grad.shape[-1])  # every leading axis is a batch axis
        return (
            (rows @ weight).reshape(x.shape) if needs_x else None,
            rows.T @ x.reshape(rows.shape[0], x.shape[-1]) if needs_weight else None,
            rows.sum(axis=0) if needs_bias else None,
        )


def _describe_mismatch(x_shape: tuple, y_shape: tuple) -> str:
    if len(x_shape) == 0 or len(y_shape) == 0:
        return f"Matmul: operands must be at least 1-d, got shapes {x_shape} and {y_shape}"
    inner_x = x_shape[-1]
    inner_y = y_shape[-2] if len(y_shape) > 1 else y_shape[0]
    if inner_x != inner_y:
        return (
            f"Matmul: cannot multiply {x_shape} by {y_shape}: "
            f"inner dimensions {inner_x} and {inner_y} differ"
        )
    return (
        f"Matmul: cannot multiply {x_shape} by {y_shape}: batch dimensions "
        f"{x_shape[:-2]} and {y_shape[:-2]} do not broadcast"
    )
