"""Selecting between tensors elementwise: maximum, minimum and where."""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function


class Maximum(Function):
    """z = max(x, y);  dL/dx = dL/dz where x > y,  dL/dy = dL/dz where y > x   (ties: half each)"""

    __slots__ = ()
    saved_roles = (0, 1)

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return np.maximum(x, y)

    def backward(self, grad):
        x, y = self.saved
        share_x = (x > y) + 0.5 * (x == y)
        return _split(grad, share_x, self.needs_input_grad)


class Minimum(Function):
    """z = min(x, y);  dL/dx = dL/dz where x < y,  dL/dy = dL/dz where y < x   (ties: half each)"""

    __slots__ = ()
    saved_roles = (0, 1)

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return np.minimum(x, y)

    def backward(self, grad):
        x, y = self.saved
        share_x = (x < y) + 0.5 * (x == y)
        return _split(grad, share_x, self.needs_input_grad)


def _split(grad, share_x, needs_input_grad):
    """Give x its share of the gradient and y the rest."""
    share_x = share_x.astype(grad.dtype, copy=False)
    needs_x, needs_y = needs_input_grad
    return (grad * share_x if needs_x else None), (grad * (1 - share_x) if needs_y else None)


class Where(Function):
    """z = x where condition else y;  dL/dx = dL/dz where condition,  dL/dy = dL/dz elsewhere

    The unselected side gets an exact zero, so a nan or inf computed there (sqrt(x) at x = 0,
    say) never leaks into the other side's gradient.
    """

    __slots__ = ("condition",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, y, condition):
        self.condition = np.asarray(condition, dtype=bool)
        return np.where(self.condition, x, y)

    def backward(self, grad):
        zero = np.zeros((), dtype=grad.dtype)
        needs_x, needs_y = self.needs_input_grad
        return (
            np.where(self.condition, grad, zero) if needs_x else None,
            np.where(self.condition, zero, grad) if needs_y else None,
        )
