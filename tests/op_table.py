"""The op table: one row per op, driving forward, gradcheck, broadcasting, 0-d, empty, float32,
non-contiguous and PyTorch-parity tests in ``test_ops.py``.

Each row names the op, how tapegrad computes it from tensors, how NumPy computes it from
arrays (the reference), the input shapes, the range inputs are drawn from, and how PyTorch
computes it (``None`` where the NumPy reference is enough).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass(frozen=True)
class OpCase:
    name: str
    fn: Callable  # tapegrad tensors -> tensor
    reference: Callable  # NumPy arrays -> array
    shapes: tuple  # one shape per input
    low: float = -2.0
    high: float = 2.0
    torch_fn: Optional[Callable] = None  # torch tensors -> tensor
    broadcast_shapes: Optional[tuple] = None  # a broadcasting variant, for binary ops
    scalar_ok: bool = True  # whether an all-0-d variant makes sense
    tags: frozenset = field(default_factory=frozenset)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


INT_INDEX = np.array([0, 2, 0, 1])
MASK = np.array([True, False, True])

OPS = [
    # arithmetic
    OpCase("add", lambda x, y: x + y, np.add, ((3, 4), (3, 4)),
           torch_fn=lambda x, y: x + y, broadcast_shapes=((2, 1, 4), (3, 1))),
    OpCase("sub", lambda x, y: x - y, np.subtract, ((3, 4), (3, 4)),
           torch_fn=lambda x, y: x - y, broadcast_shapes=((4,), (3, 4))),
    OpCase("mul", lambda x, y: x * y, np.multiply, ((3, 4), (3, 4)),
           torch_fn=lambda x, y: x * y, broadcast_shapes=((3, 1), (1, 4))),
    OpCase("div", lambda x, y: x / y, np.divide, ((3, 4), (3, 4)), 0.5, 2.0,
           torch_fn=lambda x, y: x / y, broadcast_shapes=((2, 3, 4), (4,))),
    OpCase("pow", lambda x, y: x ** y, np.power, ((3, 4), (3, 4)), 0.5, 2.0,
           torch_fn=lambda x, y: x ** y, broadcast_shapes=((3, 4), ())),
    OpCase("pow_scalar", lambda x: x ** 3, lambda x: x ** 3, ((3, 4),),
           torch_fn=lambda x: x ** 3),
    OpCase("rpow_scalar", lambda x: 2.0 ** x, lambda x: 2.0 ** x, ((3, 4),),
           torch_fn=lambda x: 2.0 ** x),
    OpCase("scalar_arith", lambda x: (3.0 - x) * 2 / (1.5 + x) - 1,
           lambda x: (3.0 - x) * 2 / (1.5 + x) - 1, ((5,),), 0.0, 1.0,
           torch_fn=lambda x: (3.0 - x) * 2 / (1.5 + x) - 1),
    OpCase("neg", lambda x: -x, np.negative, ((3, 4),), torch_fn=lambda x: -x),
    # elementwise
    OpCase("exp", lambda x: x.exp(), np.exp, ((3, 4),), torch_fn=lambda x: x.exp()),
    OpCase("log", lambda x: x.log(), np.log, ((3, 4),), 0.5, 3.0, torch_fn=lambda x: x.log()),
    OpCase("sqrt", lambda x: x.sqrt(), np.sqrt, ((3, 4),), 0.5, 3.0,
           torch_fn=lambda x: x.sqrt()),
    OpCase("abs", lambda x: x.abs(), np.abs, ((3, 4),), torch_fn=lambda x: x.abs(),
           tags=frozenset({"kink"})),
    OpCase("tanh", lambda x: x.tanh(), np.tanh, ((3, 4),), torch_fn=lambda x: x.tanh()),
    OpCase("sigmoid", lambda x: x.sigmoid(), _sigmoid, ((3, 4),), -6.0, 6.0,
           torch_fn=lambda x: x.sigmoid()),
    OpCase("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), ((3, 4),),
           torch_fn=lambda x: x.relu(), tags=frozenset({"kink"})),
    # linear algebra
    OpCase("matmul", lambda x, y: x @ y, np.matmul, ((3, 4), (4, 5)), scalar_ok=False,
           torch_fn=lambda x, y: x @ y),
    OpCase("matmul_vec_vec", lambda x, y: x @ y, np.matmul, ((4,), (4,)), scalar_ok=False,
           torch_fn=lambda x, y: x @ y),
    OpCase("matmul_vec_mat", lambda x, y: x @ y, np.matmul, ((4,), (2, 4, 3)), scalar_ok=False,
           torch_fn=lambda x, y: x @ y),
    OpCase("matmul_mat_vec", lambda x, y: x @ y, np.matmul, ((2, 3, 4), (4,)), scalar_ok=False,
           torch_fn=lambda x, y: x @ y),
    OpCase("matmul_batched", lambda x, y: x @ y, np.matmul, ((2, 1, 3, 4), (5, 4, 2)),
           scalar_ok=False, torch_fn=lambda x, y: x @ y),
    # reductions
    OpCase("sum", lambda x: x.sum(), np.sum, ((3, 4),), torch_fn=lambda x: x.sum()),
    OpCase("sum_axis", lambda x: x.sum(axis=1), lambda x: x.sum(axis=1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.sum(dim=1)),
    OpCase("sum_axes_keepdims", lambda x: x.sum(axis=(0, 2), keepdims=True),
           lambda x: x.sum(axis=(0, 2), keepdims=True), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.sum(dim=(0, 2), keepdim=True)),
    OpCase("sum_dim_alias", lambda x: x.sum(dim=-1, keepdim=True),
           lambda x: x.sum(axis=-1, keepdims=True), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.sum(dim=-1, keepdim=True)),
    OpCase("mean", lambda x: x.mean(), np.mean, ((3, 4),), torch_fn=lambda x: x.mean()),
    OpCase("mean_axis", lambda x: x.mean(axis=0), lambda x: x.mean(axis=0), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.mean(dim=0)),
    OpCase("mean_axes", lambda x: x.mean(dim=(1, 2)), lambda x: x.mean(axis=(1, 2)),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.mean(dim=(1, 2))),
    # shape
    OpCase("reshape", lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.reshape(4, -1)),
    OpCase("transpose", lambda x: x.transpose(0, 2), lambda x: x.swapaxes(0, 2),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.transpose(0, 2)),
    OpCase("permute", lambda x: x.permute(2, 0, 1), lambda x: x.transpose(2, 0, 1),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.permute(2, 0, 1)),
    OpCase("T", lambda x: x.T, lambda x: x.T, ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.T),
    # indexing
    OpCase("index_slice", lambda x: x[1:, ::2], lambda x: x[1:, ::2], ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x[1:, ::2]),
    OpCase("index_int_array_repeats", lambda x: x[INT_INDEX], lambda x: x[INT_INDEX],
           ((3, 4),), scalar_ok=False, torch_fn=lambda x: x[INT_INDEX]),
    OpCase("index_mask", lambda x: x[MASK], lambda x: x[MASK], ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x[MASK]),
    OpCase("index_none_ellipsis", lambda x: x[None, ..., 1], lambda x: x[None, ..., 1],
           ((3, 4),), scalar_ok=False, torch_fn=lambda x: x[None, ..., 1]),
    # a composition where one tensor is used several times
    OpCase("reuse", lambda x: x * x.tanh() + x, lambda x: x * np.tanh(x) + x, ((3, 4),),
           torch_fn=lambda x: x * x.tanh() + x),
]


def make_inputs(case: OpCase, rng: np.random.Generator, shapes=None, dtype=np.float64):
    """Random arrays for ``case`` in its range, away from kinks at 0 where it has one."""
    arrays = []
    for shape in shapes or case.shapes:
        values = rng.uniform(case.low, case.high, size=shape)
        if "kink" in case.tags:
            values = np.where(np.abs(values) < 0.1, 0.5, values)
        arrays.append(values.astype(dtype))
    return arrays
