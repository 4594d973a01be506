"""Scatter: a copy of x with values written at given positions (PyTorch's ``scatter``).

The positions are an advanced index (a tuple of integer arrays), which the surface builds
from ``scatter``'s ``(dim, index)``. ``scatter_add`` adds instead of writing: it is x plus
``IndexAdd`` (ops/indexing.py), and ``index_select``, ``masked_select``, ``take_along_dim``
are ``Index`` and ``Gather``, so they need no op of their own.
"""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function
from tapegrad.ops.indexing import Index


class Scatter(Function):
    """y = x with y[positions] = src;  dL/dx = dL/dy where nothing was written (0 elsewhere),
    dL/dsrc = dL/dy[positions]"""

    __slots__ = ("positions",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, src, positions):
        self.positions = positions
        y = x.copy()  # a new array: x itself may be a read-only view (of a broadcast, say)
        y[positions] = src
        return y

    def backward(self, grad):
        needs_x, needs_src = self.needs_input_grad
        grad_x = grad_src = None
        if needs_x:
            # The written entries were replaced: no gradient reaches x's old values there.
            kept = np.ones(grad.shape, dtype=grad.dtype)
            kept[self.positions] = 0
            grad_x = grad * kept
        if needs_src:
            grad_src = Index.forward_or_apply(grad, index=self.positions)
        return grad_x, grad_src
