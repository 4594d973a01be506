"""Convolution and pooling over images: conv2d, max_pool2d, avg_pool2d (NCHW layout).

Every op here reads its input window by window without looping over pixels. A kernel offset
(i, j) touches one strided slice of the padded input, the same slice at every output position,
so a forward or backward pass is a loop over the kH * kW offsets, each one array operation on
the whole batch. Conv2d also gathers all windows at once, through a strided view, into the
columns of one matrix per image ("im2col"), which turns the convolution into a matmul.
"""

from __future__ import annotations

import threading

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tapegrad.function import Function


class Conv2d(Function):
    """y = x ⋆ w + b (cross-correlation);  dL/dx = dL/dy ⋆ᵀ w (transposed conv),
    dL/dw = x ⋆ dL/dy,  dL/db = dL/dy summed over all but the channel axis

    x (N, C, H, W), w (O, C / groups, kH, kW) and an optional bias b (O,) give y
    (N, O, Ho, Wo), as ``torch.nn.functional.conv2d``: zero padding, then a stride and a
    dilation per axis; with ``groups`` = g, each g-th of the output channels sees only its g-th
    of the input channels (g = C is a depthwise convolution). The bias is added in place to
    the matmul's result, not as an op of its own. The gradients of x and w are ops of their
    own (Conv2dInputGrad, Conv2dWeightGrad), so they can be differentiated again.

    >>> import numpy as np
    >>> Conv2d.apply(np.arange(9.0).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)))
    tensor([[[[ 8., 12.],
              [20., 24.]]]], dtype=float64)
    >>> Conv2d.apply(np.arange(9.0).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)), np.ones(1))
    tensor([[[[ 9., 13.],
              [21., 25.]]]], dtype=float64)
    """

    __slots__ = ("geometry",)
    saved_roles = (0, 1)

    def forward(self, x, w, bias=None, *, stride=(1, 1), padding=(0, 0), dilation=(1, 1),
                groups=1):
        out_size = _check_conv(x.shape, w.shape, stride, padding, dilation, groups)
        _check_bias(bias, w.shape)
        self.geometry = {"stride": stride, "padding": padding, "dilation": dilation,
                         "groups": groups}
        # x is kept rather than its columns, which are kH * kW times larger.
        self.save_for_backward(x, w)
        y = np.matmul(_group_rows(w, groups), _columns(x, w.shape[2:], **self.geometry))
        if bias is not None:
            y += bias.reshape(groups, -1, 1)  # y is a fresh (N, g, O / g, Ho * Wo)
        return y.reshape(x.shape[0], w.shape[0], *out_size)

    def backward(self, grad):
        x, w = self.saved
        needs_x, needs_w, *needs_bias = self.needs_input_grad
        grad_x = Conv2dInputGrad.forward_or_apply(grad, w, x_shape=x.shape, **self.geometry) if (
            needs_x) else None
        grad_w = Conv2dWeightGrad.forward_or_apply(grad, x, w_shape=w.shape, **self.geometry) if (
            needs_w) else None
        if not needs_bias:  # called without a bias
            return grad_x, grad_w
        return grad_x, grad_w, np.sum(grad, axis=(0, 2, 3)) if needs_bias[0] else None


class Conv2dInputGrad(Function):
    """z = g ⋆ᵀ w, Conv2d's dL/dx for dL/dy = g;  dL/dg = dL/dz ⋆ w,  dL/dw = dL/dz ⋆ g
    (z is linear in g and in w, so its gradients are Conv2d and Conv2dWeightGrad again)"""

    __slots__ = ("geometry",)
    saved_roles = (0, 1)

    def forward(self, grad, w, *, x_shape, **geometry):
        self.geometry = geometry
        self.save_for_backward(grad, w)
        return _conv_input_grad(grad, w, x_shape, **geometry)

    def backward(self, upstream):
        grad, w = self.saved
        needs_grad, needs_w = self.needs_input_grad
        return (
            Conv2d.forward_or_apply(upstream, w, **self.geometry) if needs_grad else None,
            Conv2dWeightGrad.forward_or_apply(grad, upstream, w_shape=w.shape, **self.geometry)
            if needs_w else None,
        )


class Conv2dWeightGrad(Function):
    """z = x ⋆ g, Conv2d's dL/dw for dL/dy = g;  dL/dg = x ⋆ dL/dz,  dL/dx = g ⋆ᵀ dL/dz
    (z is linear in g and in x, so its gradients are Conv2d and Conv2dInputGrad again)"""

    __slots__ = ("geometry",)
    saved_roles = (0, 1)

    def forward(self, grad, x, *, w_shape, **geometry):
        self.geometry = geometry
        self.save_for_backward(grad, x)
        return _conv_weight_grad(grad, x, w_shape, **geometry)

    def backward(self, upstream):
        grad, x = self.saved
        needs_grad, needs_x = self.needs_input_grad
        return (
            Conv2d.forward_or_apply(x, upstream, **self.geometry) if needs_grad else None,
            Conv2dInputGrad.forward_or_apply(grad, upstream, x_shape=x.shape, **self.geometry)
            if needs_x else None,
        )


def _grad_rows(grad, groups: int):
    """dL/dy laid out as y was made: (N, groups, O / groups, Ho * Wo)."""
    batch, channels_out, out_h, out_w = grad.shape
    return grad.reshape(batch, groups, channels_out // groups, out_h * out_w)


def _conv_input_grad(grad, w, x_shape: tuple, *, stride, padding, dilation, groups):
    """Each column's gradient, w^T dL/dy, added back onto the pixels it was copied from."""
    padded_shape = _padded_shape(x_shape, padding)
    if stride == (1, 1) and type(grad) is np.ndarray and np.isfinite(w).all():
        return _unpad(_fold_rows(grad, w, padded_shape, dilation, groups), padding)
    rows = _grad_rows(grad, groups)
    kernel, out_size = w.shape[2:], grad.shape[2:]
    # Only the fold below reads the columns' gradients, so they go to a work array.
    grad_columns = np.matmul(_group_rows(w, groups).swapaxes(-1, -2), rows,
                             out=_work_array("grad columns", rows, (
                                 *rows.shape[:2], w[0].size, rows.shape[-1])))
    grad_windows = grad_columns.reshape(*x_shape[:2], kernel[0] * kernel[1], *out_size)
    offsets = _kernel_offsets(kernel, stride, dilation, out_size)
    grad_padded = _fold(grad, lambda k: grad_windows[:, :, k], offsets, padded_shape,
                        _windows_overlap(kernel, stride, dilation))
    return _unpad(grad_padded, padding)


def _fold_rows(grad, w, padded_shape: tuple, dilation: tuple, groups: int):
    """``_conv_input_grad`` at stride 1 (before unpadding), folding whole runs of rows.

    dL/dy's rows are first widened with zeros to the padded input's width W. Then output
    pixel (r, c) is at r * W + c, and kernel offset (i, j) reads the flattened input at that
    index plus i * dH * W + j * dW: each offset's columns are one contiguous run, so the fold
    is kH * kW adds of long runs rather than of Wo-long pieces, two to three times faster.
    The widening columns give w^T 0 = 0 (w is finite: the caller checks), which adds nothing
    where the runs wrap into the next row.
    """
    batch, channels_out, out_h, out_w = grad.shape
    height, width = padded_shape[2:]
    wide = _work_array("wide grad", grad, (batch, channels_out, out_h, width))
    wide[..., out_w:] = 0
    wide[..., :out_w] = grad
    rows = wide.reshape(batch, groups, channels_out // groups, out_h * width)
    grad_columns = np.matmul(_group_rows(w, groups).swapaxes(-1, -2), rows,
                             out=_work_array("wide grad columns", rows, (
                                 batch, groups, w[0].size, out_h * width)))
    kernel = w.shape[2:]
    grad_runs = grad_columns.reshape(batch, padded_shape[1], kernel[0] * kernel[1],
                                     out_h * width)
    run_length = (out_h - 1) * width + out_w  # from pixel (0, 0) to (Ho - 1, Wo - 1)
    grad_padded = np.zeros_like(grad, shape=(batch, padded_shape[1], height * width))
    for k, (i, j) in enumerate(np.ndindex(*kernel)):
        start = i * dilation[0] * width + j * dilation[1]
        grad_padded[:, :, start:start + run_length] += grad_runs[:, :, k, :run_length]
    return grad_padded.reshape(padded_shape)


def _conv_weight_grad(grad, x, w_shape: tuple, *, stride, padding, dilation, groups):
    """dL/dy times the transposed columns; every image adds to the same weight."""
    columns = _columns(x, w_shape[2:], stride=stride, padding=padding, dilation=dilation,
                       groups=groups)
    rows = _grad_rows(grad, groups)
    return np.matmul(rows, columns.swapaxes(-1, -2)).sum(axis=0).reshape(w_shape)


def _columns(x, kernel: tuple, *, stride, padding, dilation, groups):
    """im2col: (N, groups, C / groups * kH * kW, Ho * Wo), one column per output pixel, in
    this thread's work array (see ``_work_array``): read it before the next call."""
    windows = _windows(_pad(x, padding), kernel, stride, dilation)
    batch, channels, out_h, out_w = windows.shape[:4]
    # Rows ordered (channel, i, j) as in w, columns by output pixel: the one copy of im2col.
    ordered = windows.transpose(0, 1, 4, 5, 2, 3)
    columns = _work_array("columns", x, ordered.shape)
    np.copyto(columns, ordered)
    return columns.reshape(batch, groups, channels // groups * kernel[0] * kernel[1],
                           out_h * out_w)


class MaxPool2d(Function):
    """y = max of each kH×kW window of x;  dL/dx = dL/dy at each window's first maximum

    As ``torch.nn.functional.max_pool2d``: padding counts as -inf and may be at most half the
    kernel; a NaN is the maximum of its window. Overlapping windows add their gradients.

    >>> import numpy as np
    >>> MaxPool2d.apply(np.arange(16.0).reshape(1, 1, 4, 4), kernel_size=(2, 2))
    tensor([[[[ 5.,  7.],
              [13., 15.]]]], dtype=float64)
    """

    __slots__ = ("pooling",)
    saved_roles = ()

    def forward(self, x, *, kernel_size, stride=None, padding=(0, 0)):
        stride = kernel_size if stride is None else stride
        out_size = _check_pool("MaxPool2d", x.shape, kernel_size, stride, padding)
        self.pooling = {"input_shape": x.shape, "kernel_size": kernel_size, "stride": stride,
                        "padding": padding}
        offsets = _kernel_offsets(kernel_size, stride, (1, 1), out_size)
        y, first_max = _first_maximum(_pad(x, padding, _lowest(x.dtype)), offsets)
        self.save_for_backward(first_max)
        return y

    def backward(self, grad):
        (first_max,) = self.saved
        return MaxPool2dGrad.forward_or_apply(grad, first_max, **self.pooling)


class MaxPool2dGrad(Function):
    """z = g added at each window's first maximum (MaxPool2d's dL/dx);
    dL/dg = dL/dz read at those maxima (z is linear in g)"""

    __slots__ = ("pooling", "first_max")
    saved_roles = ()

    def forward(self, grad, first_max, **pooling):
        self.pooling, self.first_max = pooling, first_max
        offsets = _kernel_offsets(pooling["kernel_size"], pooling["stride"], (1, 1),
                                  grad.shape[2:])
        grad_padded = _fold(grad, lambda k: grad * (first_max == k), offsets,
                            _padded_shape(pooling["input_shape"], pooling["padding"]),
                            _windows_overlap(pooling["kernel_size"], pooling["stride"], (1, 1)))
        return _unpad(grad_padded, pooling["padding"])

    def backward(self, upstream):
        padded = _pad(upstream, self.pooling["padding"])
        offsets = _kernel_offsets(self.pooling["kernel_size"], self.pooling["stride"], (1, 1),
                                  self.first_max.shape[2:])
        picked = sum(padded[:, :, rows, cols] * (self.first_max == k)
                     for k, (rows, cols) in enumerate(offsets))
        return picked, None


class AvgPool2d(Function):
    """y = mean of each kH×kW window of x;  dL/dx = sum over windows holding x of dL/dy / size

    As ``torch.nn.functional.avg_pool2d``: zero padding, at most half the kernel; the divisor
    is kH * kW, or with ``count_include_pad=False`` only the window's cells inside the input.

    >>> import numpy as np
    >>> AvgPool2d.apply(np.arange(16.0).reshape(1, 1, 4, 4), kernel_size=(2, 2))
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]], dtype=float64)
    """

    __slots__ = ("pooling",)
    saved_roles = ()

    def forward(self, x, *, kernel_size, stride=None, padding=(0, 0), count_include_pad=True):
        stride = kernel_size if stride is None else stride
        out_size = _check_pool("AvgPool2d", x.shape, kernel_size, stride, padding)
        self.pooling = {"input_shape": x.shape, "kernel_size": kernel_size, "stride": stride,
                        "padding": padding, "count_include_pad": count_include_pad}
        offsets = _kernel_offsets(kernel_size, stride, (1, 1), out_size)
        total = _window_sum(_pad(x, padding), offsets)
        return total / _divisor(out_size, total.dtype, **self.pooling)

    def backward(self, grad):
        return AvgPool2dGrad.forward_or_apply(grad, **self.pooling)


class AvgPool2dGrad(Function):
    """z = each g / size spread over its window (AvgPool2d's dL/dx);
    dL/dg = AvgPool2d(dL/dz) (z is linear in g, and this is its transpose)"""

    __slots__ = ("pooling",)
    saved_roles = ()

    def forward(self, grad, **pooling):
        self.pooling = pooling
        # Every cell of a window got the same share of its mean.
        share = grad / _divisor(grad.shape[2:], grad.dtype, **pooling)
        offsets = _kernel_offsets(pooling["kernel_size"], pooling["stride"], (1, 1),
                                  grad.shape[2:])
        grad_padded = _fold(grad, lambda k: share, offsets,
                            _padded_shape(pooling["input_shape"], pooling["padding"]),
                            _windows_overlap(pooling["kernel_size"], pooling["stride"], (1, 1)))
        return _unpad(grad_padded, pooling["padding"])

    def backward(self, upstream):
        pooling = {key: value for key, value in self.pooling.items() if key != "input_shape"}
        return AvgPool2d.forward_or_apply(upstream, **pooling)


def _divisor(out_size: tuple, dtype, *, input_shape, kernel_size, stride, padding,
             count_include_pad):
    """How many cells each window averages: kH * kW, or (Ho, Wo) counts inside the input."""
    (kernel_h, kernel_w), (pad_h, pad_w) = kernel_size, padding
    if count_include_pad or (pad_h, pad_w) == (0, 0):
        return kernel_h * kernel_w
    rows = _cells_inside(input_shape[2], kernel_h, stride[0], pad_h, out_size[0])
    cols = _cells_inside(input_shape[3], kernel_w, stride[1], pad_w, out_size[1])
    return np.outer(rows, cols).astype(dtype if dtype.kind == "f" else np.float64)


# ---------------------------------------------------------------- windows and their adjoint


def _windows(padded, kernel: tuple, stride: tuple, dilation: tuple):
    """Every window of ``padded`` as a strided view (no copy): (N, C, Ho, Wo, kH, kW)."""
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    view = sliding_window_view(padded, extent, axis=(2, 3))
    return view[:, :, ::stride[0], ::stride[1], ::dilation[0], ::dilation[1]]


def _kernel_offsets(kernel: tuple, stride: tuple, dilation: tuple, out_size: tuple) -> list:
    """Per kernel offset (i, j), row-major, the (rows, columns) slices of the padded input it
    reads at the Ho×Wo output positions: rows i*dH, i*dH + sH, ..., likewise columns.

    >>> _kernel_offsets((1, 2), (2, 1), (1, 1), (3, 4))
    [(slice(0, 5, 2), slice(0, 4, 1)), (slice(0, 5, 2), slice(1, 5, 1))]
    """
    def positions(offset: int, step: int, count: int) -> slice:
        return slice(offset, offset + step * (count - 1) + 1, step)

    return [
        (positions(i * dilation[0], stride[0], out_size[0]),
         positions(j * dilation[1], stride[1], out_size[1]))
        for i in range(kernel[0])
        for j in range(kernel[1])
    ]


def _first_maximum(padded, offsets: list) -> tuple:
    """Each window's maximum (N, C, Ho, Wo), and the offset k where it first occurs, in the
    smallest integer type that holds every k: all that max pooling's backward needs."""
    (rows, cols), later = offsets[0], offsets[1:]
    best = padded[:, :, rows, cols].copy()
    first_max = np.zeros(best.shape, np.min_scalar_type(len(offsets) - 1))
    for k, (rows, cols) in enumerate(later, start=1):
        # Read three times below, and NumPy runs several times faster on a contiguous copy
        # than on the strided slice.
        candidate = np.ascontiguousarray(padded[:, :, rows, cols])
        # Strictly greater keeps the first maximum; a NaN always wins, as in PyTorch.
        wins = (candidate > best) | np.isnan(candidate)
        np.maximum(best, candidate, out=best)
        # k exceeds every earlier offset, so the maximum sets exactly the winners to k.
        np.maximum(first_max, wins * first_max.dtype.type(k), out=first_max)
    return best, first_max


def _window_sum(padded, offsets: list):
    """Each window's sum (N, C, Ho, Wo): one strided add per kernel offset."""
    (rows, cols), later = offsets[0], offsets[1:]
    total = padded[:, :, rows, cols].copy()
    for rows, cols in later:
        total += padded[:, :, rows, cols]
    return total


def _fold(like, window_grads, offsets: list, padded_shape: tuple, overlap: bool):
    """The adjoint of reading windows: add ``window_grads(k)``, offset k's gradient at every
    output position (N, C, Ho, Wo), into the slice that offset k read; windows that overlap
    add up (``overlap``: whether any may, from ``_windows_overlap``). One strided add per
    kernel offset, never one per pixel. The result, of ``padded_shape``, has ``like``'s dtype
    and array module."""
    grad_padded = np.zeros_like(like, shape=padded_shape)
    for k, (rows, cols) in enumerate(offsets):
        if overlap:
            grad_padded[:, :, rows, cols] += window_grads(k)
        else:
            # No cell is in two windows, so the slice still holds zeros: adding to 0 rather
            # than to the slice skips reading it back, with the same result (-0.0 + 0 is 0).
            np.add(window_grads(k), 0, out=grad_padded[:, :, rows, cols])
    return grad_padded


def _windows_overlap(kernel: tuple, stride: tuple, dilation: tuple) -> bool:
    """Whether two windows may share a cell: along some axis, one spans more than the stride.

    >>> _windows_overlap((2, 2), (2, 2), (1, 1)), _windows_overlap((3, 3), (2, 2), (1, 1))
    (False, True)
    """
    return any(d * (k - 1) + 1 > s for k, s, d in zip(kernel, stride, dilation))


def _pad(x, padding: tuple, value=0):
    """x with ``padding`` rows and columns of ``value`` on each side of its last two axes."""
    if padding == (0, 0):
        return x
    pad_h, pad_w = padding
    return np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)), constant_values=value)


def _unpad(padded, padding: tuple):
    """The inverse of ``_pad``: the inside of ``padded``, a view."""
    (pad_h, pad_w), (height, width) = padding, padded.shape[2:]
    return padded[:, :, pad_h:height - pad_h, pad_w:width - pad_w]


def _padded_shape(shape: tuple, padding: tuple) -> tuple:
    """The shape ``_pad`` gives an array of ``shape``."""
    return (*shape[:2], shape[2] + 2 * padding[0], shape[3] + 2 * padding[1])


def _lowest(dtype):
    """What max pooling pads with: -inf, or the smallest integer of an integer dtype."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _cells_inside(size: int, kernel: int, stride: int, padding: int, count: int):
    """For each of ``count`` windows along an axis, how many of its cells are not padding."""
    starts = np.arange(count) * stride - padding
    return np.minimum(starts + kernel, size) - np.maximum(starts, 0)


def _group_rows(w, groups: int):
    """The weight (O, C / g, kH, kW) as one (O / g, C / g * kH * kW) matrix per group."""
    return w.reshape(groups, w.shape[0] // groups, w[0].size)


# ---------------------------------------------------------------- work arrays

# The im2col columns and their gradients are the largest arrays of a convolution and live
# for one call. A fresh one may come straight from the operating system (glibc maps every
# allocation above 32 MiB afresh) and then costs a page fault per 4 KiB written, so each
# thread keeps its last few such arrays, by role, shape and dtype, and the next call of the
# same shape writes over them. One never leaves the function that fills it: results and
# saved arrays are always fresh, so a second forward before the first backward, a double
# backward or another thread can't overwrite them.
_WORK_ARRAYS = threading.local()
_WORK_ARRAY_MAX_BYTES = 64 * 2**20  # kept per thread, in all


def _work_array(role: str, like, shape: tuple):
    """An uninitialised C-ordered array of ``shape`` and ``like``'s dtype and array module,
    reused by this thread's next call with the same ``role``, shape and dtype: fill it, use
    it, and let nothing that outlives the call refer to it.

    The least recently used ones are let go to keep the total under _WORK_ARRAY_MAX_BYTES;
    an array larger than that on its own is made afresh each time.

    >>> first = _work_array("example", np.zeros(2), (2, 3))
    >>> first is _work_array("example", np.zeros(2), (2, 3)), first.shape
    (True, (2, 3))
    """
    nbytes = int(np.prod(shape)) * like.itemsize
    if type(like) is not np.ndarray or nbytes > _WORK_ARRAY_MAX_BYTES:
        return np.empty_like(like, shape=shape, order="C")
    kept = getattr(_WORK_ARRAYS, "kept", None)
    if kept is None:
        kept = _WORK_ARRAYS.kept = {}
    key = (role, shape, like.dtype)
    array = kept.pop(key, None)
    if array is None:
        while kept and sum(kept_array.nbytes for kept_array in kept.values()) + nbytes > (
                _WORK_ARRAY_MAX_BYTES):
            del kept[next(iter(kept))]  # the least recently used
        array = np.empty(shape, like.dtype)
    kept[key] = array  # now the most recently used
    return array


# ---------------------------------------------------------------- checks


def _check_conv(x_shape, w_shape, stride, padding, dilation, groups) -> tuple:
    """Raise ValueError for shapes and options PyTorch's conv2d rejects; return (Ho, Wo)."""
    if len(x_shape) != 4 or len(w_shape) != 4:
        raise ValueError(
            f"Conv2d: expected input (N, C, H, W) and weight (O, C/groups, kH, kW), got shapes "
            f"{x_shape} and {w_shape}"
        )
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"Conv2d: groups must be a positive int, got {groups!r}")
    channels, channels_out = x_shape[1], w_shape[0]
    if channels % groups or channels_out % groups:
        raise ValueError(
            f"Conv2d: input channels ({channels}) and output channels ({channels_out}) must "
            f"both be divisible by groups={groups}; input {x_shape}, weight {w_shape}"
        )
    if w_shape[1] * groups != channels:
        raise ValueError(
            f"Conv2d: input {x_shape} has {channels} channels but weight {w_shape} expects "
            f"{w_shape[1] * groups} (groups={groups})"
        )
    _check_positive("Conv2d", stride=stride, dilation=dilation)
    return _output_size("Conv2d", x_shape, w_shape[2:], stride, padding, dilation)


def _check_bias(bias, w_shape) -> None:
    """Raise ValueError unless ``bias`` is None or holds one value per output channel."""
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != w_shape[0]):
        raise ValueError(
            f"Conv2d: bias must have shape ({w_shape[0]},), one value per output channel of "
            f"weight {w_shape}, got shape {bias.shape}"
        )


def _check_pool(op: str, x_shape, kernel, stride, padding) -> tuple:
    """Raise ValueError for shapes and options PyTorch's pooling rejects; return (Ho, Wo)."""
    if len(x_shape) != 4:
        raise ValueError(f"{op}: expected input (N, C, H, W), got shape {x_shape}")
    _check_positive(op, kernel_size=kernel, stride=stride)
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ValueError(
            f"{op}: padding {tuple(padding)} must be at most half of kernel_size "
            f"{tuple(kernel)}"
        )
    return _output_size(op, x_shape, kernel, stride, padding, (1, 1))


def _check_positive(op: str, **pairs) -> None:
    """Raise ValueError naming the first pair (stride, dilation, ...) with a value below 1."""
    for name, pair in pairs.items():
        if any(value < 1 for value in pair):
            raise ValueError(f"{op}: {name} must be positive, got {tuple(pair)}")


def _output_size(op: str, x_shape, kernel, stride, padding, dilation) -> tuple:
    """(Ho, Wo): how many windows fit along each axis; raise when one does not fit even once."""
    if any(p < 0 for p in padding):
        raise ValueError(f"{op}: padding must be non-negative, got {tuple(padding)}")
    extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    padded = [size + 2 * p for size, p in zip(x_shape[2:], padding)]
    if any(size < span for size, span in zip(padded, extent)):
        raise ValueError(
            f"{op}: input {x_shape} padded by {tuple(padding)} is {padded[0]}x{padded[1]}, "
            f"smaller than the kernel {tuple(kernel)} with dilation {tuple(dilation)}, which "
            f"spans {extent[0]}x{extent[1]}"
        )
    return tuple((size - span) // s + 1 for size, span, s in zip(padded, extent, stride))
