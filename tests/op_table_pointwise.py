"""Op-table rows for PyTorch's pointwise methods and operators (rounding, comparisons,
logic, add/sub/mul/div with alpha, ...).

See op_table.py for what each row drives. Rounding, ``//`` and rounded division are not
differentiable (their results have no grad_fn), so their rows multiply them into something
that is: the rows then check their values, and that no gradient leaks through them.
``TIES`` lists inputs exactly at these rows' kinks and jumps, compared with PyTorch one by one
in test_torch_pointwise.py.
"""

from __future__ import annotations

import numpy as np
from op_case import OpCase

MASK = np.array([[True, False, False, True], [False, True, False, False],
                 [True, True, False, False]])


def _torch_floor_divide(x, y):
    """PyTorch's x // y has no derivative at all; its div(rounding_mode="floor") has zeros.
    (And its ``number % tensor`` has none either: the rows give it a 0-d tensor instead.)"""
    return (y.new_full((), x) if isinstance(x, float) else x).div(y, rounding_mode="floor")


ROWS: list = [
    # arithmetic by name
    OpCase("add_alpha", lambda x, y: x.add(y, alpha=2.5), lambda x, y: x + 2.5 * y,
           ((3, 4), (3, 4)), torch_fn=lambda x, y: x.add(y, alpha=2.5),
           broadcast_shapes=((2, 1, 4), (3, 1))),
    OpCase("sub_alpha_subtract", lambda x, y: x.sub(y, alpha=-0.5) + x.subtract(y),
           lambda x, y: x + 0.5 * y + x - y, ((3, 4), (3, 4)),
           torch_fn=lambda x, y: x.sub(y, alpha=-0.5) + x.subtract(y),
           broadcast_shapes=((4,), (3, 4))),
    OpCase("mul_div_named", lambda x, y: x.multiply(y).divide(y.add(3.0)) + x.mul(2).div(4),
           lambda x, y: x * y / (y + 3.0) + x * 2 / 4, ((3, 4), (3, 4)),
           torch_fn=lambda x, y: x.multiply(y).divide(y.add(3.0)) + x.mul(2).div(4),
           broadcast_shapes=((3, 1), (1, 4))),
    OpCase("true_divide_pow_neg", lambda x, y: x.true_divide(y).neg() + x.pow(y).negative(),
           lambda x, y: -(x / y) - x ** y, ((3, 4), (3, 4)), 0.5, 2.0,
           torch_fn=lambda x, y: x.true_divide(y).neg() + x.pow(y).negative(),
           broadcast_shapes=((2, 3, 4), (4,))),
    OpCase("square_reciprocal", lambda x: x.square() + (x - 2.5).reciprocal(),
           lambda x: x * x + 1 / (x - 2.5), ((3, 4),), 0.5, 2.0,
           torch_fn=lambda x: x.square() + (x - 2.5).reciprocal()),
    OpCase("rsqrt", lambda x: x.rsqrt(), lambda x: 1 / np.sqrt(x), ((3, 4),), 0.5, 3.0,
           torch_fn=lambda x: x.rsqrt()),
    OpCase("exp2", lambda x: x.exp2(), np.exp2, ((3, 4),), torch_fn=lambda x: x.exp2()),
    OpCase("lerp", lambda x, y, w: x.lerp(y, w) + y.lerp(x, 0.25),
           lambda x, y, w: x + w * (y - x) + y + 0.25 * (x - y), ((3, 4), (3, 4), (3, 4)),
           torch_fn=lambda x, y, w: x.lerp(y, w) + y.lerp(x, 0.25),
           broadcast_shapes=((3, 1), (4,), (3, 4))),
    OpCase("addcmul_addcdiv", lambda x, a, b: x.addcmul(a, b, value=0.5)
           + x.addcdiv(a, b + 3.0, value=-2), lambda x, a, b: x + 0.5 * a * b + x
           - 2 * a / (b + 3.0), ((3, 4), (3, 4), (3, 4)),
           torch_fn=lambda x, a, b: x.addcmul(a, b, value=0.5) + x.addcdiv(a, b + 3.0, value=-2),
           broadcast_shapes=((3, 4), (4,), (3, 1))),
    # rounding: no gradient of its own
    OpCase("rounding", lambda x: x.frac() * x + x.floor() * x.ceil() + x.trunc()
           - x.round() * x + x.round(decimals=1) + x.sgn() * x + x.fix(),
           lambda x: (x - np.trunc(x)) * x + np.floor(x) * np.ceil(x) + np.trunc(x)
           - np.round(x) * x + np.round(x, 1) + np.sign(x) * x + np.trunc(x), ((3, 4),),
           -3.0, 3.0, torch_fn=lambda x: x.frac() * x + x.floor() * x.ceil() + x.trunc()
           - x.round() * x + x.round(decimals=1) + x.sgn() * x + x.fix()),
    # division that rounds: //, %, fmod, div(rounding_mode=...), with both signs of each side
    OpCase("floor_divide_remainder", lambda x, y: (3 * x - 4) // y * x + (3 * x - 4) % y
           + x.remainder(-y) + 2.5 % y + 3.0 // y * y + x.floor_divide(y),
           lambda x, y: np.floor_divide(3 * x - 4, y) * x + np.remainder(3 * x - 4, y)
           + np.remainder(x, -y) + np.remainder(2.5, y) + np.floor_divide(3.0, y) * y
           + np.floor_divide(x, y), ((3, 4), (3, 4)), 0.5, 2.0,
           torch_fn=lambda x, y: _torch_floor_divide(3 * x - 4, y) * x + (3 * x - 4) % y
           + x.remainder(-y) + y.new_full((), 2.5) % y + _torch_floor_divide(3.0, y) * y
           + _torch_floor_divide(x, y), broadcast_shapes=((3, 1), (4,))),
    OpCase("fmod_div_rounding_mode", lambda x, y: (4 - 3 * x).fmod(y) + x.fmod(-y)
           + x.div(y, rounding_mode="trunc") * x + (2 - 3 * x).div(-y, rounding_mode="floor"),
           lambda x, y: np.fmod(4 - 3 * x, y) + np.fmod(x, -y) + np.trunc(x / y) * x
           + np.floor_divide(2 - 3 * x, -y), ((3, 4), (3, 4)), 0.5, 2.0,
           torch_fn=lambda x, y: (4 - 3 * x).fmod(y) + x.fmod(-y)
           + x.div(y, rounding_mode="trunc") * x + (2 - 3 * x).div(-y, rounding_mode="floor"),
           broadcast_shapes=((2, 3, 4), (3, 1))),
    # limiting and selecting
    OpCase("clamp_tensor_bounds", lambda x, low, high: x.clamp(low - 1, high + 1),
           lambda x, low, high: np.minimum(np.maximum(x, low - 1), high + 1),
           ((3, 4), (3, 4), (3, 4)), torch_fn=lambda x, low, high: x.clamp(low - 1, high + 1),
           broadcast_shapes=((3, 4), (4,), (3, 1))),
    OpCase("clamp_min_max", lambda x, y: x.clamp_min(y) + x.clamp_max(y * 0.5)
           + x.clamp_min(0.5) + x.clamp_max(-0.5) + x.clamp(max=y),
           lambda x, y: np.maximum(x, y) + np.minimum(x, y * 0.5) + np.maximum(x, 0.5)
           + np.minimum(x, -0.5) + np.minimum(x, y), ((3, 4), (3, 4)),
           torch_fn=lambda x, y: x.clamp_min(y) + x.clamp_max(y * 0.5) + x.clamp_min(0.5)
           + x.clamp_max(-0.5) + x.clamp(max=y), broadcast_shapes=((3, 1), (4,))),
    OpCase("nan_to_num", lambda x: x.nan_to_num(posinf=1.0) * x, lambda x: x * x, ((3, 4),),
           torch_fn=lambda x: x.nan_to_num(posinf=1.0) * x),
    OpCase("where_method", lambda x, y: x.where(x > y, y * 2), lambda x, y: np.where(
        x > y, x, y * 2), ((3, 4), (3, 4)), torch_fn=lambda x, y: x.where(x > y, y * 2),
        broadcast_shapes=((3, 1), (4,))),
    OpCase("masked_fill", lambda x, v: x.masked_fill(MASK, v) * x + x.masked_fill(~MASK, -1.0),
           lambda x, v: np.where(MASK, v, x) * x + np.where(~MASK, -1.0, x), ((3, 4), ()),
           scalar_ok=False, torch_fn=lambda x, v: x.masked_fill(_torch(MASK), v) * x
           + x.masked_fill(~_torch(MASK), -1.0)),
]


def _torch(array):
    """A NumPy constant as a torch tensor, imported only where the parity tests run."""
    import torch

    return torch.as_tensor(array)


# Inputs exactly at the rows' kinks, jumps and bounds: row name -> one array per input.
TIES = {
    "rounding": ([[-2.5, -1.5, -0.5, 0.0, -0.0, 0.5, 1.5, 2.0, 0.25, -0.35, 0.05, 2.75]],),
    "floor_divide_remainder": ([[1.0, 2.0, 0.5, 4.0 / 3.0]], [[0.5, 1.0, 2.0, 0.5]]),
    "fmod_div_rounding_mode": ([[1.0, 2.0, 4.0 / 3.0, 0.5]], [[0.5, 1.0, 2.0, 0.5]]),
    "clamp_tensor_bounds": ([[0.0, 1.0, -1.0, 3.0, 0.0, 2.0]], [[1.0, 0.0, 0.0, 1.0, 3.0, 1.0]],
                            [[1.0, 0.0, -2.0, 2.0, -2.0, 1.0]]),
    "clamp_min_max": ([[0.5, -0.5, 1.0, 2.0, 0.0]], [[0.5, -0.5, 2.0, 2.0, 0.0]]),
    "where_method": ([[1.0, 0.0, -1.0]], [[1.0, 0.5, -2.0]]),
}
