"""Collectives that are ops: gradients flow back through them to every rank.

``torch.distributed.nn.functional``'s idea: the sum over ranks ``y = x_0 + ... + x_{N-1}`` is
on every rank, so every rank's loss depends on every rank's ``x``, and dL/dx on each rank is
the sum over ranks of dL/dy: backward is the same all_reduce. ``SyncBatchNorm`` computes its
batch statistics with it.
"""

from __future__ import annotations

import numpy as np

from tapegrad.distributed import collectives
from tapegrad.function import Function


class AllReduceSum(Function):
    """y = x summed over all ranks;  dL/dx = dL/dy summed over all ranks"""

    saved_roles = ()

    def forward(self, x):
        total = np.array(x, copy=True, order="C")
        collectives.all_reduce(total)
        return total

    def backward(self, grad):
        total = np.array(grad, copy=True, order="C")
        collectives.all_reduce(total)
        return total


def all_reduce(tensor, op: collectives.ReduceOp = collectives.ReduceOp.SUM):
    """The sum over ranks of ``tensor``, as a new tensor that gradients flow through (to every
    rank's ``tensor``); every rank must run the backward pass too. Only ``SUM`` is
    differentiable here.

    >>> import tapegrad.distributed as dist
    >>> dist.init()
    >>> x = tg.tensor([1.0, 2.0], requires_grad=True)
    >>> all_reduce(x * 3).sum().backward()
    >>> x.grad
    array([3., 3.], dtype=float32)
    """
    if collectives.ReduceOp(op.value if isinstance(op, collectives.ReduceOp) else op) is not (
            collectives.ReduceOp.SUM):
        raise ValueError(f"distributed.functional.all_reduce: only ReduceOp.SUM is "
                         f"differentiable here, got {op!r}")
    return AllReduceSum.apply(tensor)
