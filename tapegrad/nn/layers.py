"""Layers with weights or state: Linear, Conv2d, pooling, Flatten, Dropout, Embedding and the
normalizations. Weights are float32 and initialised as PyTorch does, from ``tg.manual_seed``'s
generator.
"""

from __future__ import annotations

import math

import numpy as np

from tapegrad.dtypes import get_default_dtype
from tapegrad.nn import functional as F
from tapegrad.nn import init
from tapegrad.nn.module import Module, Parameter
from tapegrad.tensor import Tensor


def _empty(*shape, dtype=None) -> Parameter:
    return Parameter(np.zeros(shape, dtype=get_default_dtype() if dtype is None else dtype))


def _init_like_pytorch(weight: Parameter, bias) -> None:
    """Kaiming-uniform weights with a = sqrt(5) and bias in ±1/sqrt(fan_in), as PyTorch."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init.fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """y = x @ weight.T + bias, weight (out_features, in_features).

    >>> import tapegrad as tg
    >>> Linear(3, 2)(tg.ones(5, 3)).shape
    (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype=None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = _empty(out_features, in_features, dtype=dtype)
        self.bias = _empty(out_features, dtype=dtype) if bias else None
        _init_like_pytorch(self.weight, self.bias)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Conv2d(Module):
    """2-d convolution over (N, C, H, W) input, with PyTorch's arguments and initialisation.

    >>> import tapegrad as tg
    >>> Conv2d(1, 4, 3, padding=1)(tg.ones(2, 1, 8, 8)).shape
    (2, 4, 8, 8)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, dtype=None) -> None:
        super().__init__()
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"Conv2d: groups must be a positive int, got {groups!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"Conv2d: in_channels ({in_channels}) and out_channels ({out_channels}) must "
                f"both be divisible by groups ({groups})"
            )
        kernel = F._pair(kernel_size, "Conv2d kernel_size")
        if min(kernel) <= 0:
            raise ValueError(f"Conv2d: kernel_size must be positive, got {kernel_size!r}")
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.weight = _empty(out_channels, in_channels // groups, *kernel, dtype=dtype)
        self.bias = _empty(out_channels, dtype=dtype) if bias else None
        _init_like_pytorch(self.weight, self.bias)

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


class MaxPool2d(Module):
    """Max over windows of (N, C, H, W) input.

    >>> import tapegrad as tg
    >>> MaxPool2d(2)(tg.ones(1, 1, 4, 4)).shape
    (1, 1, 2, 2)
    """

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Mean over windows of (N, C, H, W) input.

    >>> import tapegrad as tg
    >>> AvgPool2d(2)(tg.ones(1, 1, 4, 4)).shape
    (1, 1, 2, 2)
    """

    def __init__(self, kernel_size, stride=None, padding=0,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.count_include_pad = count_include_pad

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class Flatten(Module):
    """Merge axes ``start_dim..end_dim`` (by default all but the batch axis).

    >>> import tapegrad as tg
    >>> Flatten()(tg.ones(2, 3, 4)).shape
    (2, 12)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Zero elements with probability ``p`` in training mode (scaling the rest); identity in
    eval mode.

    >>> import tapegrad as tg
    >>> Dropout(0.5).eval()(tg.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        self.p, self.inplace = p, inplace  # inplace is accepted; tapegrad computes out of place

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by index;
    initialised N(0, 1), with the ``padding_idx`` row zero and untrained.

    >>> import numpy as np
    >>> Embedding(10, 3)(np.array([[1, 2]])).shape
    (1, 2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None,
                 dtype=None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = padding_idx
        self.weight = _empty(num_embeddings, embedding_dim, dtype=dtype)
        init.normal_(self.weight)
        if padding_idx is not None:
            self.weight.data[padding_idx] = 0

    def forward(self, indices):
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"


class _NormBase(Module):
    """What batch and instance normalization keep: per-channel weight and bias (``affine``)
    and running statistics (``track_running_stats``), under PyTorch's names."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, track_running_stats: bool = True, dtype=None) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, np.int64)))


class _BatchNorm(_NormBase):
    """Batch normalization over the channel axis (axis 1), with running statistics."""

    expected_ndims: tuple = ()

    def forward(self, x):
        if x.ndim not in self.expected_ndims or x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}: expected input with {self.num_features} channels and "
                f"{' or '.join(map(str, self.expected_ndims))} dimensions, got shape {x.shape}"
            )
        use_batch_stats = self.training or not self.track_running_stats
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
        running = (self.running_mean, self.running_var) if self.track_running_stats else (
            None, None)
        return F.batch_norm(x, *running, self.weight, self.bias, training=use_batch_stats,
                            momentum=self.momentum, eps=self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) input.

    >>> import tapegrad as tg
    >>> BatchNorm1d(3)(tg.randn(4, 3)).shape
    (4, 3)
    """

    expected_ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) input.

    >>> import tapegrad as tg
    >>> BatchNorm2d(3)(tg.randn(4, 3, 2, 2)).shape
    (4, 3, 2, 2)
    """

    expected_ndims = (4,)


class LayerNorm(Module):
    """Normalization over the last axes (``normalized_shape``), then a learned scale and shift.

    >>> import tapegrad as tg
    >>> LayerNorm(4)(tg.randn(2, 4)).shape
    (2, 4)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, dtype=None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
            normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        dtype = get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(np.ones(shape, dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, dtype)) if elementwise_affine and bias else None

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) input with probability ``p`` in training mode.

    >>> import tapegrad as tg
    >>> Dropout1d(0.5).eval()(tg.ones(1, 2, 3)).shape
    (1, 2, 3)
    """

    def forward(self, x):
        return F.dropout1d(x, self.p, self.training)


class Dropout2d(Dropout):
    """Zero whole channels of (N, C, H, W) input with probability ``p`` in training mode.

    >>> import tapegrad as tg
    >>> Dropout2d(1.0)(tg.ones(1, 2, 3, 3)).sum()
    tensor(0.)
    """

    def forward(self, x):
        return F.dropout2d(x, self.p, self.training)


class Identity(Module):
    """Returns its input; any constructor arguments are ignored, as PyTorch.

    >>> import tapegrad as tg
    >>> Identity(54, unused="x")(tg.ones(2))
    tensor([1., 1.])
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, x):
        return x


class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size``.

    >>> import tapegrad as tg
    >>> Unflatten(1, (2, 3))(tg.ones(4, 6)).shape
    (4, 2, 3)
    """

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x):
        return x.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Conv1d(Module):
    """1-d convolution over (N, C, L) input, with PyTorch's arguments and initialisation.

    >>> import tapegrad as tg
    >>> Conv1d(2, 4, 3, padding=1)(tg.ones(1, 2, 10)).shape
    (1, 4, 10)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding=0, dilation: int = 1, groups: int = 1, bias: bool = True,
                 dtype=None) -> None:
        super().__init__()
        _check_channels("Conv1d", in_channels, out_channels, groups)
        kernel = _single(kernel_size, "Conv1d kernel_size")
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel
        self.stride, self.padding = _single(stride, "Conv1d stride"), padding
        self.dilation, self.groups = _single(dilation, "Conv1d dilation"), groups
        self.weight = _empty(out_channels, in_channels // groups, kernel, dtype=dtype)
        self.bias = _empty(out_channels, dtype=dtype) if bias else None
        _init_like_pytorch(self.weight, self.bias)

    def forward(self, x):
        padding = self.padding if isinstance(self.padding, str) else _single(
            self.padding, "Conv1d padding")
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size=({self.kernel_size},), "
                f"stride=({self.stride},)")


def _single(value, name: str) -> int:
    """An int, or a 1-tuple of one, the way PyTorch reads a 1-d layer's arguments."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if not isinstance(value, int):
        raise ValueError(f"{name}: expected an int or a 1-tuple, got {value!r}")
    return value


def _check_channels(layer: str, in_channels: int, out_channels: int, groups: int) -> None:
    if not isinstance(groups, int) or groups <= 0:
        raise ValueError(f"{layer}: groups must be a positive int, got {groups!r}")
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"{layer}: in_channels ({in_channels}) and out_channels "
                         f"({out_channels}) must both be divisible by groups ({groups})")


class ConvTranspose2d(Module):
    """Transposed 2-d convolution (the gradient of Conv2d), weight (in, out / groups, kH, kW),
    with PyTorch's arguments and initialisation.

    >>> import tapegrad as tg
    >>> ConvTranspose2d(2, 3, 2, stride=2)(tg.ones(1, 2, 4, 4)).shape
    (1, 3, 8, 8)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 dtype=None) -> None:
        super().__init__()
        _check_channels("ConvTranspose2d", in_channels, out_channels, groups)
        kernel = F._pair(kernel_size, "ConvTranspose2d kernel_size")
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel
        self.stride, self.padding, self.output_padding = stride, padding, output_padding
        self.groups, self.dilation = groups, dilation
        self.weight = _empty(in_channels, out_channels // groups, *kernel, dtype=dtype)
        self.bias = _empty(out_channels, dtype=dtype) if bias else None
        _init_like_pytorch(self.weight, self.bias)

    def forward(self, x, output_size=None):
        """``output_size`` (the output's last 2 sizes, or its whole shape) picks the output
        padding that reaches it, as PyTorch."""
        output_padding = self.output_padding if output_size is None else _output_padding(
            "ConvTranspose2d", x.shape[2:], output_size, F._pair(self.stride, "stride"),
            F._pair(self.padding, "padding"), self.kernel_size, F._pair(self.dilation,
                                                                         "dilation"))
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")


class ConvTranspose1d(Module):
    """Transposed 1-d convolution, weight (in, out / groups, k).

    >>> import tapegrad as tg
    >>> ConvTranspose1d(2, 3, 3, stride=2)(tg.ones(1, 2, 5)).shape
    (1, 3, 11)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 dtype=None) -> None:
        super().__init__()
        _check_channels("ConvTranspose1d", in_channels, out_channels, groups)
        kernel = _single(kernel_size, "ConvTranspose1d kernel_size")
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel
        self.stride, self.padding = _single(stride, "stride"), _single(padding, "padding")
        self.output_padding = _single(output_padding, "output_padding")
        self.groups, self.dilation = groups, _single(dilation, "dilation")
        self.weight = _empty(in_channels, out_channels // groups, kernel, dtype=dtype)
        self.bias = _empty(out_channels, dtype=dtype) if bias else None
        _init_like_pytorch(self.weight, self.bias)

    def forward(self, x, output_size=None):
        """``output_size`` (the output's length, or its whole shape) picks the output padding
        that reaches it, as PyTorch."""
        output_padding = self.output_padding if output_size is None else _output_padding(
            "ConvTranspose1d", x.shape[2:], output_size, (self.stride,), (self.padding,),
            (self.kernel_size,), (self.dilation,))[0]
        return F.conv_transpose1d(x, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)


def _output_padding(layer: str, in_sizes, output_size, stride, padding, kernel, dilation
                    ) -> tuple:
    """The output padding that makes a transposed convolution's output ``output_size``."""
    wanted = tuple(output_size)[-len(in_sizes):]
    smallest = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k
                in zip(in_sizes, stride, padding, dilation, kernel)]
    extra = tuple(w - m for w, m in zip(wanted, smallest))
    if len(wanted) != len(in_sizes) or any(
            not 0 <= e < max(s, d) for e, s, d in zip(extra, stride, dilation)):
        raise ValueError(f"{layer}: output_size {tuple(output_size)} is out of reach: from "
                         f"input sizes {tuple(in_sizes)} the output can be "
                         f"{tuple(smallest)} plus less than the stride {tuple(stride)}")
    return extra

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size=({self.kernel_size},), "
                f"stride=({self.stride},)")


class CosineSimilarity(Module):
    """``F.cosine_similarity`` along ``dim``.

    >>> import tapegrad as tg
    >>> CosineSimilarity(dim=0)(tg.tensor([1.0, 0.0]), tg.tensor([2.0, 0.0]))
    tensor(1.)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``F.pairwise_distance``: the p-norm of x1 - x2 + eps along the last axis.

    >>> import tapegrad as tg
    >>> PairwiseDistance(eps=0.0)(tg.tensor([[3.0, 0.0]]), tg.tensor([[0.0, 4.0]]))
    tensor([5.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class Unfold(Module):
    """``F.unfold``: every kernel-sized window of (N, C, H, W) input as a column.

    >>> import tapegrad as tg
    >>> Unfold(2)(tg.ones(1, 3, 4, 4)).shape
    (1, 12, 9)
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, x):
        return F.unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """``F.fold``: columns summed back into an image of ``output_size``.

    >>> import tapegrad as tg
    >>> Fold((4, 4), 2)(tg.ones(1, 12, 9)).shape
    (1, 3, 4, 4)
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, x):
        return F.fold(x, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")


class EmbeddingBag(Module):
    """The sum, mean or max of each bag's embeddings (``F.embedding_bag``); weight
    (num_embeddings, embedding_dim) initialised N(0, 1), as PyTorch.

    >>> import numpy as np
    >>> EmbeddingBag(10, 3)(np.array([[1, 2], [3, 4]])).shape
    (2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm=None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, include_last_offset: bool = False, padding_idx=None,
                 dtype=None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.mode, self.sparse = scale_grad_by_freq, mode, sparse
        self.include_last_offset, self.padding_idx = include_last_offset, padding_idx
        self.weight = _empty(num_embeddings, embedding_dim, dtype=dtype)
        init.normal_(self.weight)
        if padding_idx is not None:
            self.weight.data[padding_idx] = 0

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse,
                               per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}, mode={self.mode!r}"
