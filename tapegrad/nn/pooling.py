"""Pooling and resampling layers beyond MaxPool2d/AvgPool2d: the 1-d pools, the adaptive
pools (a fixed output size whatever the input's) and Upsample.

>>> import tapegrad as tg
>>> AdaptiveAvgPool2d(1)(tg.ones(2, 3, 5, 7)).shape
(2, 3, 1, 1)
"""

from __future__ import annotations

from tapegrad.nn import functional as F
from tapegrad.nn.module import Module


class MaxPool1d(Module):
    """Max over length-k windows of (N, C, L) input.

    >>> import tapegrad as tg
    >>> MaxPool1d(2)(tg.ones(1, 1, 6)).shape
    (1, 1, 3)
    """

    def __init__(self, kernel_size: int, stride=None, padding: int = 0, dilation: int = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, x):
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """Mean over length-k windows of (N, C, L) input.

    >>> import tapegrad as tg
    >>> AvgPool1d(3)(tg.ones(1, 1, 6)).shape
    (1, 1, 2)
    """

    def __init__(self, kernel_size: int, stride=None, padding: int = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x):
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _Adaptive(Module):
    """A pool to a fixed ``output_size``, by ``function`` of ``F``."""

    function = None

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return type(self).function(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_Adaptive):
    """Average (N, C, L) input down to ``output_size`` cells.

    >>> import tapegrad as tg
    >>> AdaptiveAvgPool1d(4)(tg.ones(1, 1, 10)).shape
    (1, 1, 4)
    """

    function = F.adaptive_avg_pool1d


class AdaptiveAvgPool2d(_Adaptive):
    """Average (N, C, H, W) input down to ``output_size`` cells.

    >>> import tapegrad as tg
    >>> AdaptiveAvgPool2d((2, 3))(tg.ones(1, 1, 5, 7)).shape
    (1, 1, 2, 3)
    """

    function = F.adaptive_avg_pool2d


class AdaptiveMaxPool1d(_Adaptive):
    """Max of (N, C, L) input over ``output_size`` cells.

    >>> import tapegrad as tg
    >>> AdaptiveMaxPool1d(4)(tg.ones(1, 1, 10)).shape
    (1, 1, 4)
    """

    function = F.adaptive_max_pool1d


class AdaptiveMaxPool2d(_Adaptive):
    """Max of (N, C, H, W) input over ``output_size`` cells.

    >>> import tapegrad as tg
    >>> AdaptiveMaxPool2d(2)(tg.ones(1, 1, 5, 7)).shape
    (1, 1, 2, 2)
    """

    function = F.adaptive_max_pool2d


class Upsample(Module):
    """``F.interpolate`` with its options fixed: ``"nearest"``, ``"nearest-exact"``,
    ``"linear"``, ``"bilinear"``, ``"bicubic"`` or ``"area"``, to ``size`` or by
    ``scale_factor``.

    >>> import tapegrad as tg
    >>> Upsample(scale_factor=2, mode="bilinear")(tg.ones(1, 1, 2, 3)).shape
    (1, 1, 4, 6)
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest",
                 align_corners=None, recompute_scale_factor=None) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x):
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self) -> str:
        size = f"size={self.size}" if self.size is not None else (
            f"scale_factor={self.scale_factor}")
        return f"{size}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W) input.

    >>> import tapegrad as tg
    >>> UpsamplingNearest2d(scale_factor=2)(tg.ones(1, 1, 2, 2)).shape
    (1, 1, 4, 4)
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, "nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) input with ``align_corners=True``, as PyTorch.

    >>> import tapegrad as tg
    >>> UpsamplingBilinear2d(scale_factor=2)(tg.ones(1, 1, 2, 2)).shape
    (1, 1, 4, 4)
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, "bilinear", align_corners=True)
