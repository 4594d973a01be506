"""Normalization layers beyond BatchNorm and LayerNorm: GroupNorm, InstanceNorm1d/2d and
RMSNorm, with PyTorch's parameter names, defaults and initialisation (weight 1, bias 0).

>>> import tapegrad as tg
>>> GroupNorm(2, 4)(tg.randn(3, 4, 5)).shape
(3, 4, 5)
"""

from __future__ import annotations

import numpy as np

from tapegrad.dtypes import get_default_dtype
from tapegrad.nn import functional as F
from tapegrad.nn.layers import _NormBase
from tapegrad.nn.module import Module, Parameter


class GroupNorm(Module):
    """Normalize each of ``num_groups`` groups of channels per example, then scale and shift
    per channel.

    >>> import tapegrad as tg
    >>> GroupNorm(1, 2)(tg.tensor([[1.0, 3.0]])).data.round(3).tolist()
    [[-1.0, 1.0]]
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, dtype=None) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
        self.affine = affine
        dtype = get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(np.ones(num_channels, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dtype)) if affine else None

    def forward(self, x):
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class _InstanceNorm(_NormBase):
    """Instance normalization: each channel of each example over its spatial axes.
    PyTorch's defaults: no affine parameters, no running statistics."""

    expected_ndim = 0

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)

    def forward(self, x):
        unbatched = x.ndim == self.expected_ndim - 1
        if unbatched:
            x = x.unsqueeze(0)
        if x.ndim != self.expected_ndim:
            raise ValueError(f"{type(self).__name__}: expected {self.expected_ndim}-d input "
                             f"(or unbatched {self.expected_ndim - 1}-d), got shape {x.shape}")
        use_input_stats = self.training or not self.track_running_stats
        running = (self.running_mean, self.running_var) if self.track_running_stats else (
            None, None)
        out = F.instance_norm(x, *running, self.weight, self.bias, use_input_stats,
                              self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) input.

    >>> import tapegrad as tg
    >>> InstanceNorm1d(2)(tg.randn(3, 2, 5)).shape
    (3, 2, 5)
    """

    expected_ndim = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) input.

    >>> import tapegrad as tg
    >>> InstanceNorm2d(2)(tg.randn(3, 2, 4, 4)).shape
    (3, 2, 4, 4)
    """

    expected_ndim = 4


class RMSNorm(Module):
    """x / sqrt(mean(x²) + eps) over the last axes (``normalized_shape``), times a learned
    ``weight``; ``eps=None`` is the dtype's machine epsilon, as PyTorch.

    >>> import tapegrad as tg
    >>> RMSNorm(2)(tg.tensor([[3.0, -3.0]])).detach()
    tensor([[ 1., -1.]])
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine: bool = True,
                 dtype=None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
            normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        dtype = get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(np.ones(shape, dtype)) if elementwise_affine else None

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
