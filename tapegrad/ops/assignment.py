"""Assignment into a tensor, ``x[index] = value``, as an op of the graph."""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function
from tapegrad.ops.indexing import Index


class IndexPut(Function):
    """y = x with y[index] = value;  dL/dx = dL/dy with 0 at index, dL/dvalue = dL/dy[index]"""

    __slots__ = ("index",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, value, index):
        self.index = index
        y = x.copy()
        y[index] = value
        return y

    def backward(self, grad):
        grad_x = grad_value = None
        if self.needs_input_grad[0]:
            grad_x = IndexPut.forward_or_apply(grad, np.zeros((), grad.dtype), index=self.index)
        if self.needs_input_grad[1]:
            grad_value = Index.forward_or_apply(grad, index=self.index)
        return grad_x, grad_value
