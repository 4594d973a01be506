"""The normalization and channel-dropout functions of ``F`` beyond batch_norm, layer_norm and
dropout: group, instance and RMS normalization, dropout1d and dropout2d, composed from Tensor
ops. ``F`` (``tapegrad.nn.functional``) re-exports every name here.

>>> import tapegrad as tg
>>> group_norm(tg.ones(2, 4, 3), 2).shape
(2, 4, 3)
"""

from __future__ import annotations

import numpy as np

from tapegrad import random
from tapegrad.nn.functional_common import _update_running_stats
from tapegrad.routines import as_tensor
from tapegrad.tensor import Tensor


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize each of ``num_groups`` groups of channels of each example (N, C, ...) to zero
    mean and unit variance, then scale and shift per channel.

    >>> import tapegrad as tg
    >>> group_norm(tg.tensor([[1.0, 3.0]]), 1).data.round(3).tolist()
    [[-1.0, 1.0]]
    """
    input = as_tensor(input)
    if input.ndim < 2 or num_groups <= 0 or input.shape[1] % num_groups:
        raise ValueError(f"group_norm: the {input.shape[1] if input.ndim > 1 else '?'} "
                         f"channels of input {input.shape} must split into num_groups="
                         f"{num_groups} equal groups")
    grouped = input.reshape(input.shape[0], num_groups, -1)
    mean = grouped.mean(axis=-1, keepdims=True)
    var = grouped.var(axis=-1, keepdims=True, correction=0)
    out = ((grouped - mean) / (var + eps).sqrt()).reshape(input.shape)
    return _affine(out, weight, bias)


def _affine(out: Tensor, weight, bias) -> Tensor:
    """out * weight + bias, both per channel (axis 1)."""
    shape = (1, -1) + (1,) * (out.ndim - 2)
    if weight is not None:
        out = out * as_tensor(weight).reshape(shape)
    if bias is not None:
        out = out + as_tensor(bias).reshape(shape)
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5
                  ) -> Tensor:
    """Normalize each channel of each example (N, C, ...) over its spatial axes; running
    statistics, when given, follow the mean of the examples' statistics, as PyTorch.

    >>> import tapegrad as tg
    >>> instance_norm(tg.tensor([[[1.0, 3.0]]])).data.round(3).tolist()
    [[[-1.0, 1.0]]]
    """
    input = as_tensor(input)
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected input (N, C, ...) with spatial axes, got "
                         f"shape {input.shape}")
    axes = tuple(range(2, input.ndim))
    if use_input_stats:
        mean = input.mean(axis=axes, keepdims=True)
        var = input.var(axis=axes, keepdims=True, correction=0)
        if running_mean is not None or running_var is not None:
            count = input.numel() // (input.shape[0] * input.shape[1])
            _update_running_stats(running_mean, running_var, mean.mean(axis=0),
                                  var.mean(axis=0), momentum, count)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: running_mean and running_var are needed when "
                             "use_input_stats is False")
        shape = (1, -1) + (1,) * (input.ndim - 2)
        mean = as_tensor(running_mean).reshape(shape)
        var = as_tensor(running_var).reshape(shape)
    return _affine((input - mean) / (var + eps).sqrt(), weight, bias)


def rms_norm(input, normalized_shape, weight=None, eps=None) -> Tensor:
    """x / sqrt(mean(x²) + eps) over the last ``len(normalized_shape)`` axes, times
    ``weight``; ``eps`` defaults to the dtype's machine epsilon, as PyTorch.

    >>> import tapegrad as tg
    >>> rms_norm(tg.tensor([[3.0, -3.0]]), (2,))
    tensor([[ 1., -1.]])
    """
    input = as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
        normalized_shape)
    if input.shape[input.ndim - len(shape):] != shape:
        raise ValueError(f"rms_norm: normalized_shape {shape} does not match the last axes "
                         f"of the input's shape {input.shape}")
    eps = float(np.finfo(input.dtype).eps) if eps is None else eps
    axes = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ((input * input).mean(axis=axes, keepdims=True) + eps).rsqrt()
    return out if weight is None else out * weight


# ---------------------------------------------------------------------- channel dropout


def _channel_dropout(op: str, input, p: float, training: bool, ndims: tuple) -> Tensor:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: p must be in [0, 1], got {p}")
    input = as_tensor(input)
    if input.ndim not in ndims:
        raise ValueError(f"{op}: expected input with {' or '.join(map(str, ndims))} "
                         f"dimensions, got shape {input.shape}")
    if not training or p == 0:
        return input
    # Unbatched input (C, ...) has its channels on axis 0, batched (N, C, ...) on axes 0-1.
    channel_axes = 1 if input.ndim == min(ndims) else 2
    mask_shape = input.shape[:channel_axes] + (1,) * (input.ndim - channel_axes)
    keep = random.generator().random(mask_shape) >= p
    scale = 0.0 if p == 1 else 1 / (1 - p)
    return input * (keep * scale).astype(input.dtype)


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p`` and scale the
    rest by 1 / (1 - p), in training only.

    >>> import tapegrad as tg
    >>> dropout1d(tg.ones(1, 2, 3), training=False).shape
    (1, 2, 3)
    """
    return _channel_dropout("dropout1d", input, p, training, (2, 3))


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability ``p``.

    >>> import tapegrad as tg
    >>> dropout2d(tg.ones(1, 2, 3, 3), p=1.0).sum()
    tensor(0.)
    """
    return _channel_dropout("dropout2d", input, p, training, (3, 4))


__all__ = ["group_norm", "instance_norm", "rms_norm", "dropout1d", "dropout2d"]
