"""The layer functions of ``F`` beyond conv2d and the 2-d pools: transposed convolutions, 1-d and
adaptive pools, ``interpolate``, distances, ``unfold``/``fold`` and ``embedding_bag``
(normalization and channel dropout: ``functional_normalization``).

Each is composed from existing ops: a 1-d op is its 2-d twin on a height-1 image, a transposed
convolution is the input gradient of a convolution (``Conv2dInputGrad``), and ``unfold`` and
``fold`` are a convolution and a transposed convolution with a one-hot kernel. ``F``
(``tapegrad.nn.functional``) re-exports every name here.

>>> import tapegrad as tg
>>> conv_transpose2d(tg.ones(1, 1, 2, 2), tg.ones(1, 1, 2, 2), stride=2).shape
(1, 1, 4, 4)
"""

from __future__ import annotations

import numpy as np

from tapegrad.nn.functional_common import _pair, _same_dtype
from tapegrad.ops.convolution import AvgPool2d, Conv2d, Conv2dInputGrad, MaxPool2d
from tapegrad.routines import as_tensor, stack
from tapegrad.tensor import Tensor

# ---------------------------------------------------------------------- convolutions


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups: int = 1, dilation=1) -> Tensor:
    """Transposed 2-d convolution of ``input`` (N, C_in, H, W) with ``weight``
    (C_in, C_out / groups, kH, kW): the gradient of ``conv2d`` with respect to its input, so
    H_out = (H - 1) stride - 2 padding + dilation (kH - 1) + output_padding + 1.

    >>> import tapegrad as tg
    >>> conv_transpose2d(tg.ones(1, 2, 3, 3), tg.ones(2, 4, 3, 3), padding=1).shape
    (1, 4, 3, 3)
    """
    input, weight = as_tensor(input), as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    _same_dtype("conv_transpose2d", input, weight, bias)
    if input.ndim != 4 or weight.ndim != 4 or input.shape[1] != weight.shape[0]:
        raise ValueError(
            f"conv_transpose2d: expected input (N, C_in, H, W) and weight (C_in, C_out/groups, "
            f"kH, kW) with the same C_in, got shapes {input.shape} and {weight.shape}")
    stride, padding = _pair(stride, "conv_transpose2d stride"), _pair(
        padding, "conv_transpose2d padding")
    dilation = _pair(dilation, "conv_transpose2d dilation")
    output_padding = _pair(output_padding, "conv_transpose2d output_padding")
    if any(extra >= max(s, d) for extra, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"conv_transpose2d: output_padding {output_padding} must be smaller "
                         f"than stride {stride} or dilation {dilation}")
    out_size = tuple((size - 1) * s - 2 * p + d * (k - 1) + extra + 1 for size, s, p, d, k, extra
                     in zip(input.shape[2:], stride, padding, dilation, weight.shape[2:],
                            output_padding))
    if min(out_size) <= 0:
        raise ValueError(f"conv_transpose2d: input {input.shape} with weight {weight.shape} "
                         f"and padding {padding} gives an empty output {out_size}")
    x_shape = (input.shape[0], weight.shape[1] * groups) + out_size
    out = Conv2dInputGrad.apply(input, weight, x_shape=x_shape, stride=stride, padding=padding,
                                dilation=dilation, groups=groups)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups: int = 1, dilation=1) -> Tensor:
    """Transposed 1-d convolution of ``input`` (N, C_in, L) with ``weight``
    (C_in, C_out / groups, k).

    >>> import tapegrad as tg
    >>> conv_transpose1d(tg.ones(1, 2, 5), tg.ones(2, 3, 3), stride=2).shape
    (1, 3, 11)
    """
    input, weight = as_tensor(input), as_tensor(weight)
    _expect_ndim("conv_transpose1d", input, 3, "(N, C_in, L)")
    out = conv_transpose2d(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, stride),
                           (0, padding), (0, output_padding), groups, (1, dilation))
    return out.squeeze(2)


def _expect_ndim(op: str, input: Tensor, ndim: int, layout: str) -> None:
    if input.ndim != ndim:
        raise ValueError(f"{op}: expected input {layout}, got shape {input.shape}")


# ---------------------------------------------------------------------- pools


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False) -> Tensor:
    """Max over length-k windows of ``input`` (N, C, L): ``max_pool2d`` on a height-1 image.

    >>> import tapegrad as tg
    >>> max_pool1d(tg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[3., 2.]]])
    """
    _unsupported("max_pool1d", dilation=(dilation, 1), ceil_mode=(ceil_mode, False),
                 return_indices=(return_indices, False))
    input = as_tensor(input)
    _expect_ndim("max_pool1d", input, 3, "(N, C, L)")
    stride = kernel_size if stride is None else stride
    return MaxPool2d.apply(input.unsqueeze(2), kernel_size=(1, kernel_size), stride=(1, stride),
                           padding=(0, padding)).squeeze(2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True) -> Tensor:
    """Mean over length-k windows of ``input`` (N, C, L).

    >>> import tapegrad as tg
    >>> avg_pool1d(tg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[2., 1.]]])
    """
    _unsupported("avg_pool1d", ceil_mode=(ceil_mode, False))
    input = as_tensor(input)
    _expect_ndim("avg_pool1d", input, 3, "(N, C, L)")
    stride = kernel_size if stride is None else stride
    return AvgPool2d.apply(input.unsqueeze(2), kernel_size=(1, kernel_size), stride=(1, stride),
                           padding=(0, padding), count_include_pad=count_include_pad).squeeze(2)


def _unsupported(op: str, **options) -> None:
    """Raise for an option set to a value other than the one tapegrad supports."""
    for name, (value, supported) in options.items():
        if value != supported:
            raise NotImplementedError(f"{op}: {name}={value!r} is not supported (only "
                                      f"{supported!r})")


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """Average over the windows that split L into ``output_size`` cells, as PyTorch.

    >>> import tapegrad as tg
    >>> adaptive_avg_pool1d(tg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[2., 1.]]])
    """
    input = as_tensor(input)
    _expect_ndim("adaptive_avg_pool1d", input, 3, "(N, C, L)")
    size = output_size if isinstance(output_size, int) else output_size[0]
    return _adaptive_pool("adaptive_avg_pool1d", input.unsqueeze(2), (1, size),
                          Tensor.mean).squeeze(2)


def adaptive_max_pool2d(input, output_size, return_indices: bool = False) -> Tensor:
    """Max over the windows that split (H, W) into ``output_size`` cells: cell i spans rows
    floor(i H / oH) to ceil((i + 1) H / oH), as PyTorch. ``None`` in ``output_size`` keeps
    that axis's size.

    >>> import tapegrad as tg
    >>> adaptive_max_pool2d(tg.arange(16.0).reshape(1, 1, 4, 4), 1)
    tensor([[[[15.]]]])
    """
    _unsupported("adaptive_max_pool2d", return_indices=(return_indices, False))
    input = as_tensor(input)
    if input.ndim not in (3, 4):
        raise ValueError(f"adaptive_max_pool2d: expected input (N, C, H, W) or (C, H, W), got "
                         f"shape {input.shape}")
    return _adaptive_pool("adaptive_max_pool2d", input, output_size, Tensor.amax)


def _adaptive_pool(op: str, input: Tensor, output_size, reduce) -> Tensor:
    """``reduce`` (mean or amax over the last two axes) of each of the cells that split
    (H, W) into ``output_size``; ``None`` keeps an axis's size."""
    height, width = input.shape[-2:]
    sizes = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    out_h, out_w = (size if size is not None else full
                    for size, full in zip(sizes, (height, width)))
    if out_h <= 0 or out_w <= 0:
        raise ValueError(f"{op}: output_size must be positive, got {output_size!r}")
    rows = [_cell(i, height, out_h) for i in range(out_h)]
    cols = [_cell(j, width, out_w) for j in range(out_w)]
    cells = [[reduce(input[..., r0:r1, c0:c1], (-2, -1)) for c0, c1 in cols]
             for r0, r1 in rows]
    return stack([stack(row, axis=-1) for row in cells], axis=-2)


def adaptive_max_pool1d(input, output_size, return_indices: bool = False) -> Tensor:
    """Max over the windows that split L into ``output_size`` cells.

    >>> import tapegrad as tg
    >>> adaptive_max_pool1d(tg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[3., 2.]]])
    """
    input = as_tensor(input)
    _expect_ndim("adaptive_max_pool1d", input, 3, "(N, C, L)")
    size = output_size if isinstance(output_size, int) else output_size[0]
    return adaptive_max_pool2d(input.unsqueeze(2), (1, size), return_indices).squeeze(2)


def _cell(index: int, size: int, cells: int) -> tuple:
    return (index * size) // cells, -((-(index + 1) * size) // cells)


# ---------------------------------------------------------------------- resampling

_INTERPOLATION_AXES = {"nearest": (1, 2, 3), "nearest-exact": (1, 2, 3), "linear": (1,),
                       "bilinear": (2,), "bicubic": (2,), "area": (1, 2)}


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest",
                align_corners=None, recompute_scale_factor=None, antialias: bool = False
                ) -> Tensor:
    """Resample the spatial axes of ``input`` (N, C, ...) to ``size`` or by ``scale_factor``:
    ``"nearest"``, ``"nearest-exact"``, ``"linear"`` (3-d input), ``"bilinear"`` or
    ``"bicubic"`` (4-d), or ``"area"`` (adaptive average pooling), with PyTorch's source
    coordinates (``align_corners`` for the linear and cubic modes).

    >>> import tapegrad as tg
    >>> interpolate(tg.tensor([[[1.0, 2.0]]]), scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    """
    input = as_tensor(input)
    if mode not in _INTERPOLATION_AXES:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported; use one of "
                                  f"{sorted(_INTERPOLATION_AXES)}")
    spatial = input.ndim - 2
    if spatial not in _INTERPOLATION_AXES[mode]:
        raise ValueError(f"interpolate: mode {mode!r} needs {_INTERPOLATION_AXES[mode]} "
                         f"spatial axes after (N, C), got input of shape {input.shape}")
    if align_corners is not None and mode in ("nearest", "nearest-exact", "area"):
        raise ValueError("interpolate: align_corners only applies to the linear modes")
    _unsupported("interpolate", antialias=(antialias, False))
    sizes, scales = _target_sizes(input.shape[2:], size, scale_factor, recompute_scale_factor)
    if mode == "area":
        return _adaptive_pool("interpolate", input if spatial == 2 else input.unsqueeze(2),
                              sizes if spatial == 2 else (1,) + sizes,
                              Tensor.mean).reshape(input.shape[:2] + sizes)
    for axis, (in_size, out_size, scale) in enumerate(zip(input.shape[2:], sizes, scales)):
        axis += 2
        if mode.startswith("nearest"):
            source = _nearest_source(in_size, out_size, scale, exact=mode == "nearest-exact")
            input = input.index_select(axis, source)
        elif mode == "bicubic":
            input = _cubic_along(input, axis, in_size, out_size, scale, bool(align_corners))
        else:
            input = _linear_along(input, axis, in_size, out_size, scale, bool(align_corners))
    return input


def _target_sizes(in_sizes, size, scale_factor, recompute) -> tuple:
    """The output sizes and, per axis, the scale PyTorch maps output to input coordinates by
    (``None`` when it is in_size / out_size)."""
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    count = len(in_sizes)
    if size is not None:
        sizes = (size,) * count if isinstance(size, int) else tuple(size)
        if len(sizes) != count or min(sizes) <= 0:
            raise ValueError(f"interpolate: size {size!r} must give {count} positive sizes")
        return sizes, (None,) * count
    factors = (scale_factor,) * count if np.isscalar(scale_factor) else tuple(scale_factor)
    if len(factors) != count or min(factors) <= 0:
        raise ValueError(f"interpolate: scale_factor {scale_factor!r} must give {count} "
                         f"positive factors")
    sizes = tuple(int(np.floor(n * f)) for n, f in zip(in_sizes, factors))
    return sizes, (None,) * count if recompute else tuple(1.0 / f for f in factors)


def _nearest_source(in_size: int, out_size: int, scale, exact: bool) -> np.ndarray:
    scale = in_size / out_size if scale is None else scale
    offset = 0.5 if exact else 0.0
    positions = np.floor((np.arange(out_size) + offset) * np.float32(scale))
    return np.minimum(positions.astype(np.int64), in_size - 1)


def _linear_along(input: Tensor, axis: int, in_size: int, out_size: int, scale,
                  align_corners: bool) -> Tensor:
    """Linear interpolation along one axis; bilinear is this along H, then along W."""
    targets = np.arange(out_size, dtype=np.float64)
    if align_corners:
        source = targets * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    else:
        scale = in_size / out_size if scale is None else scale
        source = np.maximum((targets + 0.5) * scale - 0.5, 0.0)
    low = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    high = np.minimum(low + 1, in_size - 1)
    shape = [1] * input.ndim
    shape[axis] = out_size
    weight_high = (source - low).astype(input.dtype).reshape(shape)
    return (input.index_select(axis, low) * (1 - weight_high)
            + input.index_select(axis, high) * weight_high)


# The cubic convolution kernel's parameter (Keys 1981), PyTorch's choice.
_CUBIC_A = -0.75


def _cubic_along(input: Tensor, axis: int, in_size: int, out_size: int, scale,
                 align_corners: bool) -> Tensor:
    """Cubic convolution along one axis, from the 4 nearest samples (indices clamped at the
    edges); bicubic is this along H, then along W."""
    targets = np.arange(out_size, dtype=np.float64)
    if align_corners:
        source = targets * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    else:  # not clamped at 0, unlike the linear modes: PyTorch's cubic coordinates
        source = (targets + 0.5) * (in_size / out_size if scale is None else scale) - 0.5
    floor = np.floor(source)
    t = source - floor
    distances = (t + 1, t, 1 - t, 2 - t)
    shape = [1] * input.ndim
    shape[axis] = out_size
    total = None
    for offset, distance in zip((-1, 0, 1, 2), distances):
        indices = np.clip(floor.astype(np.int64) + offset, 0, in_size - 1)
        weight = _cubic_weight(distance).astype(input.dtype).reshape(shape)
        term = input.index_select(axis, indices) * weight
        total = term if total is None else total + term
    return total


def _cubic_weight(distance: np.ndarray) -> np.ndarray:
    """Keys' kernel at |distance| (within 1, or between 1 and 2)."""
    a = _CUBIC_A
    near = ((a + 2) * distance - (a + 3)) * distance * distance + 1
    far = ((a * distance - 5 * a) * distance + 8 * a) * distance - 4 * a
    return np.where(distance <= 1, near, far)


def upsample(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None
             ) -> Tensor:
    """``interpolate`` under its older name.

    >>> import tapegrad as tg
    >>> upsample(tg.ones(1, 1, 2, 2), scale_factor=2).shape
    (1, 1, 4, 4)
    """
    return interpolate(input, size, scale_factor, mode, align_corners)


# ---------------------------------------------------------------------- distances


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, eps) along ``dim``.

    >>> import tapegrad as tg
    >>> normalize(tg.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    input = as_tensor(input)
    return input / input.norm(p, dim, keepdim=True).clamp(min=eps)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 x2) / (max(‖x1‖, eps) max(‖x2‖, eps)) along ``dim``, after broadcasting.

    >>> import tapegrad as tg
    >>> cosine_similarity(tg.tensor([[1.0, 0.0]]), tg.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    x1, x2 = as_tensor(x1), as_tensor(x2)
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"cosine_similarity: shapes {x1.shape} and {x2.shape} do not "
                         f"broadcast") from None
    x1, x2 = x1.broadcast_to(shape), x2.broadcast_to(shape)
    return ((x1 / x1.norm(2, dim, keepdim=True).clamp(min=eps))
            * (x2 / x2.norm(2, dim, keepdim=True).clamp(min=eps))).sum(dim)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
                      ) -> Tensor:
    """‖x1 - x2 + eps‖_p along the last axis (eps keeps the gradient finite at x1 = x2).

    >>> import tapegrad as tg
    >>> pairwise_distance(tg.tensor([[3.0, 0.0]]), tg.tensor([[0.0, 4.0]]), eps=0.0)
    tensor([5.])
    """
    difference = as_tensor(x1) - as_tensor(x2) + eps
    return difference.norm(p, -1, keepdim=keepdim)


# ---------------------------------------------------------------------- unfold and fold


def _one_hot_kernel(channels: int, kernel: tuple, dtype) -> np.ndarray:
    """(C kH kW, 1, kH, kW): output channel c kH kW + k copies kernel position k of channel c,
    the order of PyTorch's unfold."""
    positions = kernel[0] * kernel[1]
    kernel_weights = np.eye(positions, dtype=dtype).reshape(positions, 1, *kernel)
    return np.tile(kernel_weights, (channels, 1, 1, 1))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Every kH×kW window of ``input`` (N, C, H, W) as a column: (N, C kH kW, L), L windows
    ("im2col"), as PyTorch's ``unfold``.

    >>> import tapegrad as tg
    >>> unfold(tg.ones(1, 2, 4, 4), 2).shape
    (1, 8, 9)
    """
    input = as_tensor(input)
    _expect_ndim("unfold", input, 4, "(N, C, H, W)")
    kernel = _pair(kernel_size, "unfold kernel_size")
    weight = _one_hot_kernel(input.shape[1], kernel, input.dtype)
    columns = Conv2d.apply(input, weight, stride=_pair(stride, "unfold stride"),
                           padding=_pair(padding, "unfold padding"),
                           dilation=_pair(dilation, "unfold dilation"), groups=input.shape[1])
    return columns.reshape(input.shape[0], weight.shape[0], -1)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """The adjoint of ``unfold``: columns (N, C kH kW, L) summed back into an image
    (N, C, H, W) of ``output_size``, overlapping windows adding up.

    >>> import tapegrad as tg
    >>> fold(unfold(tg.ones(1, 1, 3, 3), 2), (3, 3), 2)[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]])
    """
    input = as_tensor(input)
    _expect_ndim("fold", input, 3, "(N, C kH kW, L)")
    kernel = _pair(kernel_size, "fold kernel_size")
    size, stride = _pair(output_size, "fold output_size"), _pair(stride, "fold stride")
    padding, dilation = _pair(padding, "fold padding"), _pair(dilation, "fold dilation")
    positions = kernel[0] * kernel[1]
    blocks = tuple((n + 2 * p - d * (k - 1) - 1) // s + 1 for n, p, d, k, s
                   in zip(size, padding, dilation, kernel, stride))
    if input.shape[1] % positions or input.shape[2] != blocks[0] * blocks[1]:
        raise ValueError(
            f"fold: input {input.shape} needs C * {positions} rows (kernel {kernel}) and "
            f"{blocks[0] * blocks[1]} columns (the windows of output_size {size}), as unfold "
            f"makes")
    channels = input.shape[1] // positions
    weight = _one_hot_kernel(channels, kernel, input.dtype)
    return Conv2dInputGrad.apply(input.reshape(input.shape[0], -1, *blocks), weight,
                                 x_shape=(input.shape[0], channels) + size, stride=stride,
                                 padding=padding, dilation=dilation, groups=channels)


# ---------------------------------------------------------------------- embedding bags


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights=None, include_last_offset: bool = False,
                  padding_idx=None) -> Tensor:
    """The sum, mean or max of the embeddings in each bag: bags are the rows of a 2-d
    ``input``, or the runs of a 1-d ``input`` that start at ``offsets``. An empty bag gives
    zeros; indices equal to ``padding_idx`` are left out, as PyTorch.

    >>> import tapegrad as tg, numpy as np
    >>> embedding_bag(np.array([0, 1, 2]), tg.eye(3), np.array([0, 2]), mode="sum")
    tensor([[1., 1., 0.],
            [0., 0., 1.]])
    """
    _unsupported("embedding_bag", max_norm=(max_norm, None),
                 scale_grad_by_freq=(scale_grad_by_freq, False))
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"embedding_bag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if per_sample_weights is not None and mode != "sum":
        raise ValueError("embedding_bag: per_sample_weights needs mode='sum', as PyTorch")
    indices, weight = np.asarray(as_tensor(input).data), as_tensor(weight)
    bags = _bags("embedding_bag", indices, offsets, include_last_offset)
    flat = indices.reshape(-1)
    if flat.size and (flat.min() < 0 or flat.max() >= weight.shape[0]):
        raise IndexError(f"embedding_bag: indices must be in [0, {weight.shape[0]}), got "
                         f"{flat.min()} to {flat.max()}")
    rows = weight[flat]
    if per_sample_weights is not None:
        rows = rows * as_tensor(per_sample_weights).reshape(-1, 1)
    kept = np.ones(flat.shape, bool) if padding_idx is None else (
        flat != padding_idx % weight.shape[0])
    zero = np.zeros(weight.shape[1:], dtype=weight.dtype)
    results = []
    for start, stop in bags:
        members = np.flatnonzero(kept[start:stop]) + start
        if members.size == 0:
            results.append(as_tensor(zero))
        elif mode == "max":
            results.append(rows[members].amax(dim=0))
        else:
            total = rows[members].sum(axis=0)
            results.append(total / members.size if mode == "mean" else total)
    return stack(results) if results else as_tensor(np.zeros((0,) + zero.shape, weight.dtype))


def _bags(op: str, indices: np.ndarray, offsets, include_last_offset: bool) -> list:
    """(start, stop) of each bag in the flattened indices."""
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be integers, got dtype {indices.dtype}")
    if indices.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{op}: offsets must be None for 2-d input {indices.shape}")
        length = indices.shape[1]
        return [(row * length, (row + 1) * length) for row in range(indices.shape[0])]
    if indices.ndim != 1 or offsets is None:
        raise ValueError(f"{op}: expected 2-d input, or 1-d input with offsets; got input of "
                         f"shape {indices.shape} and offsets {offsets!r}")
    starts = np.asarray(as_tensor(offsets).data).astype(np.int64).tolist()
    if include_last_offset:
        starts, last = starts[:-1], starts[-1]
    else:
        last = indices.size
    stops = starts[1:] + [last]
    if any(a > b for a, b in zip(starts, stops)) or (starts and starts[0] != 0):
        raise ValueError(f"{op}: offsets must start at 0 and not decrease, got {offsets!r}")
    return list(zip(starts, stops))


__all__ = [
    "conv_transpose1d", "conv_transpose2d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "interpolate", "upsample", "normalize",
    "cosine_similarity", "pairwise_distance", "unfold", "fold", "embedding_bag",
]
