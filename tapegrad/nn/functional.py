"""``tapegrad.nn.functional`` (import as ``F``): activations, losses and layers as functions.

Signatures follow ``torch.nn.functional``: the same argument names and order, with ``axis=``
accepted wherever PyTorch says ``dim=``.

The functions beyond the classic ones live in rooms of their own (``functional_activations``,
``functional_layers``, ``functional_normalization``, ``functional_losses``) and are imported
here, so ``F.NAME`` reaches
every one. ``inplace=`` arguments are accepted and computed out of place (a tape that records
values cannot let a later op overwrite one it still needs).
"""

from __future__ import annotations

import numpy as np

from tapegrad import random
from tapegrad.nn.functional_activations import *  # noqa: F403 - the rest of F, by room
from tapegrad.nn.functional_attention import scaled_dot_product_attention  # noqa: F401
from tapegrad.nn.functional_common import (  # noqa: F401 - _pair: also F's, for the layers
    _class_axis,
    _pair,
    _reduce,
    _same_dtype,
    _same_shape,
    _update_running_stats,
)
from tapegrad.nn.functional_layers import *  # noqa: F403
from tapegrad.nn.functional_losses import *  # noqa: F403
from tapegrad.nn.functional_normalization import *  # noqa: F403
from tapegrad.numpy_api.shapes import pad as numpy_pad
from tapegrad.ops.activation import Elu, Gelu, LeakyRelu, Silu, Softplus
from tapegrad.ops.convolution import AvgPool2d, Conv2d, MaxPool2d
from tapegrad.ops.linalg import Linear
from tapegrad.ops.loss import BinaryCrossEntropyWithLogits, CrossEntropy, NllLoss
from tapegrad.ops.normalization import LayerNorm
from tapegrad.routines import as_tensor, clip, stack, where
from tapegrad.tensor import Tensor


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-d convolution (cross-correlation) of ``input`` (N, C, H, W) with ``weight``
    (O, C / groups, kH, kW), plus ``bias`` (O,). ``padding`` may be an int, a pair, or
    ``"valid"``/``"same"`` (``"same"`` with stride 1 only), as in PyTorch.

    >>> import tapegrad as tg
    >>> conv2d(tg.ones(1, 1, 4, 4), tg.ones(2, 1, 3, 3)).shape
    (1, 2, 2, 2)
    """
    input, weight = as_tensor(input), as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    _same_dtype("conv2d", input, weight, bias)
    stride, dilation = _pair(stride, "conv2d stride"), _pair(dilation, "conv2d dilation")
    padding = _conv_padding(padding, weight.shape[-2:], stride, dilation)
    if bias is not None and bias.ndim != 1:
        bias = bias.reshape(-1)  # O values in any shape: accepted before Conv2d took them
    return Conv2d.apply(input, weight, bias, stride=stride, padding=padding, dilation=dilation,
                        groups=groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-d convolution of ``input`` (N, C, L) with ``weight`` (O, C / groups, k), plus ``bias``.

    >>> import tapegrad as tg
    >>> conv1d(tg.ones(1, 1, 5), tg.ones(1, 1, 3)).shape
    (1, 1, 3)
    """
    input, weight = as_tensor(input), as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    _same_dtype("conv1d", input, weight, bias)
    if input.ndim != 3 or weight.ndim != 3:
        raise ValueError(
            f"conv1d: expected input (N, C, L) and weight (O, C/groups, k), got shapes "
            f"{input.shape} and {weight.shape}"
        )
    if not isinstance(padding, str):
        padding = (0, padding)
    return conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, stride=(1, stride),
                  padding=padding, dilation=(1, dilation), groups=groups).squeeze(2)


def _conv_padding(padding, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    if padding == "valid":
        return (0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("conv2d: padding='same' needs stride 1, as in PyTorch")
        # Odd total padding puts the extra row/column at the end in PyTorch; with symmetric
        # padding only, we support kernels whose total padding is even.
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        if any(total % 2 for total in totals):
            raise ValueError(
                f"conv2d: padding='same' with kernel {tuple(kernel)} and dilation {dilation} "
                "needs uneven padding, which is not supported; pad explicitly with F.pad"
            )
        return tuple(total // 2 for total in totals)
    return _pair(padding, "conv2d padding")


def max_pool2d(input, kernel_size, stride=None, padding=0) -> Tensor:
    """Max over kH×kW windows of ``input`` (N, C, H, W); ``stride`` defaults to the kernel.
    Padding counts as -inf. The gradient goes to the first maximum of each window, as PyTorch.

    >>> import tapegrad as tg
    >>> max_pool2d(tg.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    kernel = _pair(kernel_size, "max_pool2d kernel_size")
    stride = kernel if stride is None else _pair(stride, "max_pool2d stride")
    return MaxPool2d.apply(as_tensor(input), kernel_size=kernel, stride=stride,
                           padding=_pair(padding, "max_pool2d padding"))


def avg_pool2d(input, kernel_size, stride=None, padding=0, count_include_pad=True) -> Tensor:
    """Mean over kH×kW windows of ``input`` (N, C, H, W); ``stride`` defaults to the kernel.

    >>> import tapegrad as tg
    >>> avg_pool2d(tg.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    kernel = _pair(kernel_size, "avg_pool2d kernel_size")
    stride = kernel if stride is None else _pair(stride, "avg_pool2d stride")
    return AvgPool2d.apply(as_tensor(input), kernel_size=kernel, stride=stride,
                           padding=_pair(padding, "avg_pool2d padding"),
                           count_include_pad=count_include_pad)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Average over the windows that split (H, W) into ``output_size`` cells, as PyTorch:
    cell i spans rows floor(i H / oH) to ceil((i + 1) H / oH).

    >>> import tapegrad as tg
    >>> adaptive_avg_pool2d(tg.ones(1, 2, 5, 7), (2, 3)).shape
    (1, 2, 2, 3)
    """
    input = as_tensor(input)
    if isinstance(output_size, (tuple, list)):  # None keeps that axis's size, as PyTorch
        output_size = tuple(full if size is None else size
                            for size, full in zip(output_size, input.shape[-2:]))
    out_h, out_w = _pair(output_size, "adaptive_avg_pool2d output_size")
    if out_h <= 0 or out_w <= 0:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive, got "
                         f"{output_size!r}")
    height, width = input.shape[-2:]
    if height % out_h == 0 and width % out_w == 0:  # equal windows: one reshape and a mean
        shape = input.shape[:-2] + (out_h, height // out_h, out_w, width // out_w)
        return input.reshape(shape).mean(axis=(-3, -1))
    rows = [_cell(i, height, out_h) for i in range(out_h)]
    cols = [_cell(j, width, out_w) for j in range(out_w)]
    cells = [[input[..., r0:r1, c0:c1].mean(axis=(-2, -1)) for c0, c1 in cols]
             for r0, r1 in rows]
    return stack([stack(row, axis=-1) for row in cells], axis=-2)


def _cell(index: int, size: int, cells: int) -> tuple:
    return (index * size) // cells, -((-(index + 1) * size) // cells)


# ---------------------------------------------------------------------- activations


def relu(input, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise; relu'(0) = 0.

    >>> import tapegrad as tg
    >>> relu(tg.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return as_tensor(input).relu()


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x; the gradient at 0 is negative_slope, as PyTorch.

    >>> import tapegrad as tg
    >>> leaky_relu(tg.tensor([-1.0, 2.0]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    return LeakyRelu.apply(as_tensor(input), negative_slope=negative_slope)


def elu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha * (exp(x) - 1).

    >>> import tapegrad as tg
    >>> elu(tg.tensor([0.0, 2.0]))
    tensor([0., 2.])
    """
    return Elu.apply(as_tensor(input), alpha=alpha)


def gelu(input, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF (exact, with erf), or its tanh approximation
    with ``approximate="tanh"``.

    >>> import tapegrad as tg
    >>> gelu(tg.tensor([0.0]))
    tensor([0.])
    """
    return Gelu.apply(as_tensor(input), approximate=approximate)


def silu(input, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish).

    >>> import tapegrad as tg
    >>> silu(tg.tensor([0.0]))
    tensor([0.])
    """
    return Silu.apply(as_tensor(input))


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold (as PyTorch).

    >>> import tapegrad as tg
    >>> softplus(tg.tensor([30.0]))
    tensor([30.])
    """
    return Softplus.apply(as_tensor(input), beta=beta, threshold=threshold)


def sigmoid(input) -> Tensor:
    """1 / (1 + exp(-x)), without overflow.

    >>> import tapegrad as tg
    >>> sigmoid(tg.tensor([0.0]))
    tensor([0.5000])
    """
    return as_tensor(input).sigmoid()


def tanh(input) -> Tensor:
    """Hyperbolic tangent.

    >>> import tapegrad as tg
    >>> tanh(tg.tensor([0.0]))
    tensor([0.])
    """
    return as_tensor(input).tanh()


def softmax(input, dim=None, *, axis=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (``axis``), stable for logits of any size.

    >>> import tapegrad as tg
    >>> softmax(tg.tensor([[1.0, 1.0]]), dim=1)
    tensor([[0.5000, 0.5000]])
    """
    return as_tensor(input).softmax(_class_axis("softmax", dim, axis, input))


def log_softmax(input, dim=None, *, axis=None) -> Tensor:
    """x - logsumexp(x) along ``dim`` (``axis``), stable for logits of any size.

    >>> import tapegrad as tg
    >>> log_softmax(tg.tensor([[0.0, 0.0]]), dim=1).exp()
    tensor([[0.5000, 0.5000]])
    """
    return as_tensor(input).log_softmax(_class_axis("log_softmax", dim, axis, input))


# ---------------------------------------------------------------------- losses


def mse_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean squared error, (input - target)^2 reduced by ``reduction``.

    >>> import tapegrad as tg
    >>> mse_loss(tg.tensor([1.0, 3.0]), tg.tensor([0.0, 0.0]))
    tensor(5.)
    """
    input = as_tensor(input)
    _same_shape("mse_loss", input, target)
    difference = input - target
    return _reduce(difference * difference, reduction, "mse_loss")


def l1_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean absolute error, |input - target| reduced by ``reduction``.

    >>> import tapegrad as tg
    >>> l1_loss(tg.tensor([1.0, -3.0]), tg.tensor([0.0, 0.0]))
    tensor(2.)
    """
    input = as_tensor(input)
    _same_shape("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction, "l1_loss")


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - delta / 2), with d = input - target.

    >>> import tapegrad as tg
    >>> huber_loss(tg.tensor([0.5, 3.0]), tg.tensor([0.0, 0.0]), reduction="none")
    tensor([0.1250, 2.5000])
    """
    input = as_tensor(input)
    _same_shape("huber_loss", input, target)
    difference = input - target
    size = difference.abs()
    loss = where(size < delta, 0.5 * difference * difference, delta * (size - 0.5 * delta))
    return _reduce(loss, reduction, "huber_loss")


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p = input; each log is clamped at
    -100, as PyTorch, so p of exactly 0 or 1 gives a finite loss.

    >>> import tapegrad as tg
    >>> binary_cross_entropy(tg.tensor([0.5]), tg.tensor([1.0]))
    tensor(0.6931)
    """
    input = as_tensor(input)
    _same_shape("binary_cross_entropy", input, target)
    if np.any((input.data < 0) | (input.data > 1)):
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1]")
    with np.errstate(divide="ignore"):
        log_p = clip(input.log(), -100.0)
        log_not_p = clip((1 - input).log(), -100.0)
    loss = -(target * log_p + (1 - as_tensor(target)) * log_not_p)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, weight=None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    """Binary cross-entropy of sigmoid(input) against target, computed from the logits
    directly, so logits of ±1e4 give finite losses and gradients.

    >>> import tapegrad as tg
    >>> binary_cross_entropy_with_logits(tg.tensor([0.0]), tg.tensor([1.0]))
    tensor(0.6931)
    """
    input = as_tensor(input)
    _same_shape("binary_cross_entropy_with_logits", input, target)
    if pos_weight is not None:
        pos_weight = np.asarray(as_tensor(pos_weight).data, dtype=input.dtype)
    loss = BinaryCrossEntropyWithLogits.apply(input, target, pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def nll_loss(input, target, weight=None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices ``target`` (N,) or (N, d...) under
    log-probabilities ``input`` (N, C) or (N, C, d...). With ``reduction="mean"`` the sum is
    divided by the total weight of the targets that are not ``ignore_index``.

    >>> import tapegrad as tg, numpy as np
    >>> nll_loss(tg.tensor([[-1.0, -2.0]]), np.array([1]))
    tensor(2.)
    """
    input = as_tensor(input)
    weights, classes = _target_weights("nll_loss", input, target, weight, ignore_index,
                                       reduction)
    return NllLoss.apply(input, weights, classes, reduction=reduction)


def _target_weights(op: str, input: Tensor, target, weight, ignore_index: int,
                    reduction: str) -> tuple:
    """Check class-index targets; return each target's weight (0 where ignored) and the
    targets with ignored ones replaced by class 0, so they index safely."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    classes = _class_targets(op, input, target)
    kept = classes != ignore_index
    safe = np.where(kept, classes, 0)
    if kept.size and (safe.min() < 0 or safe.max() >= input.shape[1]):
        raise IndexError(f"{op}: targets must be class indices in [0, {input.shape[1]}) "
                         f"or ignore_index ({ignore_index}), got {safe.min()} to {safe.max()}")
    weights = kept.astype(input.dtype)
    if weight is not None:
        weights *= _class_weights(op, weight, input.shape[1])[safe].astype(input.dtype,
                                                                           copy=False)
    return weights, safe


def _class_weights(op: str, weight, classes: int) -> np.ndarray:
    """The per-class ``weight`` as an array, checked to have one entry per class."""
    weight = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if weight.shape != (classes,):
        raise ValueError(f"{op}: weight must have one entry per class ({classes}), got shape "
                         f"{weight.shape}")
    return weight


def _class_targets(op: str, input: Tensor, target) -> np.ndarray:
    classes = np.asarray(target.data if isinstance(target, Tensor) else target)
    if classes.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got dtype {classes.dtype}")
    expected = input.shape[:1] + input.shape[2:]
    if input.ndim < 2 or classes.shape != expected:
        raise ValueError(
            f"{op}: input of shape {input.shape} needs targets of shape {expected} "
            f"(class indices), got {classes.shape}"
        )
    return classes


def cross_entropy(input, target, weight=None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits ``input`` (N, C) or (N, C, d...) against class indices
    (integer array or tensor) or class probabilities (same shape as input), as PyTorch:
    ``weight`` per class, ``ignore_index``, ``reduction`` and ``label_smoothing``.

    >>> import tapegrad as tg, numpy as np
    >>> cross_entropy(tg.tensor([[0.0, 0.0]]), np.array([0]))
    tensor(0.6931)
    """
    input = as_tensor(input)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing}")
    target_data = np.asarray(target.data if isinstance(target, Tensor) else target)
    if label_smoothing == 0 and target_data.dtype.kind != "f":  # the common case: one node
        weights, classes = _target_weights("cross_entropy", input, target_data, weight,
                                           ignore_index, reduction)
        return CrossEntropy.apply(input, weights, classes, reduction=reduction)
    log_probs = input.log_softmax(axis=1)
    classes = input.shape[1] if input.ndim > 1 else 0
    class_weights = None if weight is None else _class_weights(
        "cross_entropy", weight, classes).astype(input.dtype, copy=False).reshape(
        (1, -1) + (1,) * (input.ndim - 2))
    if target_data.dtype.kind == "f":
        return _cross_entropy_probabilities(log_probs, target, class_weights, reduction,
                                            label_smoothing, classes)
    loss = nll_loss(log_probs, target_data, weight, ignore_index, reduction)
    smooth = -(log_probs if class_weights is None else log_probs * class_weights).sum(axis=1)
    kept = _class_targets("cross_entropy", input, target_data) != ignore_index
    smooth = where(kept, smooth, 0.0)  # not * kept: inf * 0 is nan when all are ignored
    if reduction == "mean":
        total = kept.sum() if weight is None else as_tensor(weight).data[
            target_data[kept]].sum()
        smooth = smooth.sum() / total
    else:
        smooth = _reduce(smooth, reduction, "cross_entropy")
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / classes)


def _cross_entropy_probabilities(log_probs, target, class_weights, reduction, smoothing,
                                 classes):
    if np.shape(as_tensor(target).data) != log_probs.shape:
        raise ValueError(
            f"cross_entropy: probability targets must have the input's shape "
            f"{log_probs.shape}, got {np.shape(as_tensor(target).data)}"
        )
    if smoothing:
        target = target * (1 - smoothing) + smoothing / classes
    products = log_probs * target
    if class_weights is not None:
        products = products * class_weights
    loss = -products.sum(axis=1)
    if reduction == "mean":
        return loss.sum() / (log_probs.numel() / classes)
    return _reduce(loss, reduction, "cross_entropy")


# ---------------------------------------------------------------------- layers


def linear(input, weight, bias=None) -> Tensor:
    """input @ weight.T + bias, with ``weight`` of shape (out_features, in_features).

    >>> import tapegrad as tg
    >>> linear(tg.ones(2, 3), tg.ones(4, 3)).shape
    (2, 4)
    """
    input, weight = as_tensor(input), as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    _same_dtype("linear", input, weight, bias)
    return Linear.apply(input, weight, bias)


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p), in
    training only. The mask comes from the generator ``tg.manual_seed`` seeds.

    >>> import tapegrad as tg
    >>> dropout(tg.ones(3), p=0.5, training=False)
    tensor([1., 1., 1.])
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    input = as_tensor(input)
    if not training or p == 0:
        return input
    if p == 1:
        return input * np.zeros((), dtype=input.dtype)
    keep = random.generator().random(input.shape) >= p
    return input * (keep / (1 - p)).astype(input.dtype)


def batch_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (axis 1) of ``input`` (N, C, ...) to zero mean and unit variance:
    by the batch's statistics in training (updating ``running_mean``/``running_var`` in place
    with ``momentum``, the variance unbiased, as PyTorch), by the running ones otherwise.

    >>> import tapegrad as tg
    >>> out = batch_norm(tg.tensor([[1.0], [3.0]]), training=True)
    >>> out.data.ravel().round(3).tolist()
    [-1.0, 1.0]
    """
    input = as_tensor(input)
    axes = (0,) + tuple(range(2, input.ndim))
    shape = (1, -1) + (1,) * (input.ndim - 2)
    if training:
        if input.numel() // max(input.shape[1], 1) <= 1:
            raise ValueError("batch_norm: Expected more than 1 value per channel when "
                             f"training, got input of shape {input.shape}")
        mean = input.mean(axis=axes, keepdims=True)
        var = input.var(axis=axes, keepdims=True, correction=0)
        if running_mean is not None or running_var is not None:
            _update_running_stats(running_mean, running_var, mean, var, momentum,
                                  input.numel() // input.shape[1])
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed in eval mode")
        mean = as_tensor(running_mean).reshape(shape)
        var = as_tensor(running_var).reshape(shape)
    out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * as_tensor(weight).reshape(shape)
    if bias is not None:
        out = out + as_tensor(bias).reshape(shape)
    return out


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` axes, then scale by ``weight`` and
    shift by ``bias`` (each of ``normalized_shape``).

    >>> import tapegrad as tg
    >>> layer_norm(tg.tensor([[1.0, 3.0]]), (2,)).data.round(3).tolist()
    [[-1.0, 1.0]]
    """
    input = as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
        normalized_shape)
    if input.shape[input.ndim - len(shape):] != shape:
        raise ValueError(
            f"layer_norm: normalized_shape {shape} does not match the last axes of the "
            f"input's shape {input.shape}"
        )
    weight = None if weight is None else as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    for name, parameter in (("weight", weight), ("bias", bias)):
        if parameter is not None and parameter.shape != shape:
            raise ValueError(f"layer_norm: expected {name} of the normalized shape {shape}, "
                             f"got {parameter.shape}")
    axes = tuple(range(input.ndim - len(shape), input.ndim))
    return LayerNorm.apply(input, weight, bias, axes=axes, eps=eps)


def embedding(input, weight, padding_idx=None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer indices ``input``;
    the row at ``padding_idx`` gets no gradient, as PyTorch.

    >>> import tapegrad as tg, numpy as np
    >>> embedding(np.array([1, 1]), tg.eye(3)).data.tolist()
    [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]
    """
    indices = np.asarray(input.data if isinstance(input, Tensor) else input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {indices.dtype}")
    weight = as_tensor(weight)
    if indices.size and (indices.min() < 0 or indices.max() >= weight.shape[0]):
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise IndexError(
            f"embedding: index {bad} is out of range for {weight.shape[0]} embeddings "
            f"(indices must be in [0, {weight.shape[0]}))"
        )
    rows = weight[indices]
    if padding_idx is None:
        return rows
    padding = np.expand_dims(indices == padding_idx % weight.shape[0], -1)
    return where(padding, weight.detach()[indices], rows)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """Class indices as one-hot rows (int64, as PyTorch); ``num_classes`` defaults to
    max + 1.

    >>> import numpy as np
    >>> one_hot(np.array([0, 2]))
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    indices = np.asarray(tensor.data if isinstance(tensor, Tensor) else tensor)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"one_hot: indices must be integers, got dtype {indices.dtype}")
    classes = int(indices.max()) + 1 if num_classes == -1 and indices.size else num_classes
    if indices.size and (indices.min() < 0 or indices.max() >= classes):
        raise ValueError(f"one_hot: indices must be in [0, {classes}), got {indices.min()} "
                         f"to {indices.max()}")
    return as_tensor((indices[..., None] == np.arange(classes)).astype(np.int64))


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
              "circular": "wrap"}


def pad(input, pad, mode: str = "constant", value=None) -> Tensor:
    """PyTorch's ``pad``: ``pad`` is flat, (left, right) for the last axis first, then
    (top, bottom) for the one before, and so on; ``mode`` is 'constant' (with ``value``,
    0 by default), 'reflect', 'replicate' or 'circular', each NumPy's pad in the matching
    mode (reflect, edge, wrap), so both share one op and its gradient.

    >>> import tapegrad as tg
    >>> pad(tg.ones(1, 2), (1, 0)).data.tolist()
    [[0.0, 1.0, 1.0]]
    >>> pad(tg.tensor([[[1.0, 2.0, 3.0]]]), (2, 1), mode="reflect").data.tolist()
    [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
    """
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode {mode!r} is not one of {sorted(_PAD_MODES)}")
    if mode != "constant" and value:
        raise ValueError(f"pad: value= is only for mode 'constant', got mode {mode!r}")
    input = as_tensor(input)
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(
            f"pad: expected pairs for at most {input.ndim} axes, got {len(pad)} numbers"
        )
    pairs = [(0, 0)] * input.ndim
    for position in range(len(pad) // 2):
        pairs[input.ndim - 1 - position] = (pad[2 * position], pad[2 * position + 1])
    if mode == "constant":
        return numpy_pad(input, pairs, mode="constant", constant_values=value or 0)
    if mode == "reflect" and any(max(pair) >= size for pair, size in zip(pairs, input.shape)):
        raise ValueError(f"pad: reflect padding {pad} must be smaller than the padded axes of "
                         f"shape {input.shape}")
    return numpy_pad(input, pairs, mode=_PAD_MODES[mode])
