"""What several rooms of ``F`` share: reading kernel arguments, the legacy default axis of
softmax, reducing a loss, checking shapes, and updating running statistics."""

from __future__ import annotations

import numpy as np

from tapegrad.arguments import reduction_args
from tapegrad.grad_mode import no_grad
from tapegrad.routines import as_tensor
from tapegrad.tensor import Tensor


def _pair(value, name: str) -> tuple:
    """An int or a pair of ints as a pair of ints, the way PyTorch reads kernel arguments."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
        raise ValueError(f"{name}: expected an int or a pair of ints, got {value!r}")
    return pair

def _same_dtype(op: str, input: Tensor, weight: Tensor, bias=None) -> None:
    """Refuse an input whose dtype differs from the layer's weights, as PyTorch does, rather
    than let NumPy widen a float32 model to float64 (or compute an integer input) silently."""
    for name, other in (("weight", weight), ("bias", bias)):
        if other is not None and other._data.dtype != input._data.dtype:
            raise RuntimeError(
                f"{op}: input has dtype {input.dtype} but {name} has dtype {other.dtype}; "
                f"they must be the same, as in PyTorch. Convert the input (x.to({name}.dtype), "
                f"x.float()) or the model (model.to(x.dtype), model.double())"
            )


def _class_axis(op: str, dim, axis, input) -> int:
    axis, _ = reduction_args(op, axis, dim, False, None)
    if axis is None:  # PyTorch's legacy default: dim 0 for 0-, 1- and 3-d input, else 1
        return 0 if np.ndim(as_tensor(input).data) in (0, 1, 3) else 1
    return axis

def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")

def _same_shape(op: str, input: Tensor, target) -> None:
    if input.shape != np.shape(as_tensor(target).data):
        raise ValueError(
            f"{op}: input has shape {input.shape} but target has shape "
            f"{np.shape(as_tensor(target).data)}; they must match"
        )

def _update_running_stats(running_mean, running_var, mean, var, momentum, count):
    with no_grad():
        if running_mean is not None:
            stats = as_tensor(running_mean).data
            stats *= 1 - momentum
            stats += momentum * mean.data.reshape(stats.shape)
        if running_var is not None:
            stats = as_tensor(running_var).data
            unbiased = var.data.reshape(stats.shape) * count / max(count - 1, 1)
            stats *= 1 - momentum
            stats += momentum * unbiased
