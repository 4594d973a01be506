"""The op table: one row per op, driving forward, gradcheck, broadcasting, 0-d, empty, float32,
non-contiguous and PyTorch-parity tests in ``test_ops.py``.

Each row names the op, how tapegrad computes it from tensors, how NumPy computes it from
arrays (the reference), the input shapes, the range inputs are drawn from, and how PyTorch
computes it (``None`` where the NumPy reference is enough).
"""

from __future__ import annotations

import numpy as np
import op_table_pointwise
import op_table_reductions
import op_table_shapes
from op_case import OpCase

import tapegrad as tg
import tapegrad.nn.functional as F
from tapegrad.ops.shape import Concatenate


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


INT_INDEX = np.array([0, 2, 0, 1])
MASK = np.array([True, False, True])
GATHER_INDEX = np.array([[0, 2, 2, 1], [1, 1, 0, 0], [2, 0, 1, 2]])
CLASSES = np.array([0, 3, 1, 3, 2])
CLASSES_WITH_IGNORED = np.array([0, -100, 1, 3, -100])
CLASS_WEIGHTS = np.array([0.5, 1.0, 2.0, 1.5])
CLASS_MAPS = np.array([[[0, 1], [2, 3]], [[3, 3], [1, 0]]])
TOKENS = np.array([[0, 2, 2], [1, 0, 3]])
DROPOUT_MASK = np.random.default_rng(3).random((3, 4)) > 0.3
POWERS = np.array([0.0, 1.0, 2.0, 3.0])  # polynomial features x ** [0, 1, 2, 3]


def _torch(array):
    """A NumPy constant as a torch tensor, imported only where the parity tests run."""
    import torch

    return torch.as_tensor(array)


def _softmax(x, axis):
    exps = np.exp(x - x.max(axis=axis, keepdims=True))
    return exps / exps.sum(axis=axis, keepdims=True)

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
    # more elementwise
    OpCase("sin", lambda x: x.sin(), np.sin, ((3, 4),), torch_fn=lambda x: x.sin()),
    OpCase("cos", lambda x: x.cos(), np.cos, ((3, 4),), torch_fn=lambda x: x.cos()),
    OpCase("log1p", lambda x: x.log1p(), np.log1p, ((3, 4),), -0.5, 2.0,
           torch_fn=lambda x: x.log1p()),
    OpCase("expm1", lambda x: x.expm1(), np.expm1, ((3, 4),), torch_fn=lambda x: x.expm1()),
    OpCase("clip", lambda x: x.clip(-1.0, 1.0), lambda x: np.clip(x, -1, 1), ((3, 4),),
           torch_fn=lambda x: x.clamp(-1.0, 1.0)),
    OpCase("clamp_min", lambda x: tg.clamp(x, min=0.5), lambda x: np.clip(x, 0.5, None),
           ((3, 4),), torch_fn=lambda x: x.clamp(min=0.5)),
    OpCase("maximum", lambda x, y: tg.maximum(x, y), np.maximum, ((3, 4), (3, 4)),
           torch_fn=lambda x, y: x.maximum(y), broadcast_shapes=((3, 1), (4,))),
    OpCase("minimum", lambda x, y: tg.minimum(x, y), np.minimum, ((3, 4), (3, 4)),
           torch_fn=lambda x, y: x.minimum(y), broadcast_shapes=((2, 3, 4), (3, 1))),
    OpCase("where", lambda x, y: tg.where(x > 0, x * 2, y), lambda x, y: np.where(
        x > 0, x * 2, y), ((3, 4), (3, 4)), torch_fn=lambda x, y: x.where(x > 0, y) * 1
        + x.where(x > 0, x.new_zeros(())) * 1, broadcast_shapes=((3, 4), (4,))),
    # more reductions
    OpCase("max", lambda x: x.max(), np.max, ((3, 4),), torch_fn=lambda x: x.max(),
           tags=frozenset({"needs_elements"})),
    OpCase("max_axis", lambda x: x.max(axis=1).values, lambda x: x.max(axis=1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.max(dim=1).values),
    OpCase("min_axis_keepdims", lambda x: x.min(dim=0, keepdim=True).values,
           lambda x: x.min(axis=0, keepdims=True), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.min(dim=0, keepdim=True).values),
    OpCase("max_axes", lambda x: x.amax(axis=(0, 2)), lambda x: x.max(axis=(0, 2)),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.amax(dim=(0, 2))),
    OpCase("prod", lambda x: x.prod(), np.prod, ((2, 3),), 0.5, 1.5,
           torch_fn=lambda x: x.prod()),
    OpCase("prod_axes", lambda x: x.prod(axis=(0, 2)), lambda x: x.prod(axis=(0, 2)),
           ((2, 3, 2),), 0.5, 1.5, scalar_ok=False,
           torch_fn=lambda x: x.prod(dim=2).prod(dim=0)),
    OpCase("var", lambda x: x.var(correction=0), np.var, ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.var(unbiased=False)),
    OpCase("var_ddof", lambda x: x.var(axis=1, ddof=1), lambda x: x.var(axis=1, ddof=1),
           ((3, 4),), scalar_ok=False, torch_fn=lambda x: x.var(dim=1)),
    OpCase("std_unbiased", lambda x: x.std(dim=0, unbiased=True),
           lambda x: x.std(axis=0, ddof=1), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.std(dim=0)),
    OpCase("logsumexp", lambda x: x.logsumexp(), lambda x: np.log(np.exp(x).sum()), ((3, 4),),
           torch_fn=lambda x: x.logsumexp(dim=(0, 1))),
    OpCase("logsumexp_axis", lambda x: tg.logsumexp(x, axis=1, keepdims=True),
           lambda x: np.log(np.exp(x).sum(axis=1, keepdims=True)), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.logsumexp(dim=1, keepdim=True)),
    # more shape ops
    OpCase("flatten", lambda x: x.flatten(1), lambda x: x.reshape(2, -1), ((2, 3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.flatten(1)),
    OpCase("squeeze", lambda x: x.squeeze(), np.squeeze, ((1, 3, 1),), scalar_ok=False,
           torch_fn=lambda x: x.squeeze()),
    OpCase("unsqueeze", lambda x: x.unsqueeze(-1), lambda x: x[..., None], ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.unsqueeze(-1)),
    OpCase("expand", lambda x: x.expand(2, -1, 4) * 1, lambda x: np.broadcast_to(
        x, (2, 3, 4)), ((3, 1),), scalar_ok=False, torch_fn=lambda x: x.expand(2, -1, 4) * 1),
    OpCase("repeat", lambda x: x.repeat(2, 1, 3), lambda x: np.tile(x, (2, 1, 3)), ((3, 2),),
           scalar_ok=False, torch_fn=lambda x: x.repeat(2, 1, 3)),
    OpCase("concatenate", lambda x, y, z: tg.cat([x, y, z], dim=1), lambda x, y, z:
           np.concatenate([x, y, z], axis=1), ((2, 1), (2, 3), (2, 2)), scalar_ok=False,
           torch_fn=lambda x, y, z: x.new_zeros(()) + __import__("torch").cat([x, y, z], 1)),
    OpCase("stack", lambda x, y: tg.stack([x, y], axis=-1), lambda x, y: np.stack(
        [x, y], axis=-1), ((3, 4), (3, 4)), scalar_ok=False,
        torch_fn=lambda x, y: __import__("torch").stack([x, y], -1)),
    OpCase("split", lambda x: x.split([1, 3], axis=1)[1], lambda x: x[:, 1:], ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.split([1, 3], dim=1)[1]),
    OpCase("chunk", lambda x: x.chunk(2, dim=0)[0], lambda x: x[:2], ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.chunk(2, dim=0)[0]),
    OpCase("pad", lambda x: tg.pad(x, ((1, 0), (2, 1))), lambda x: np.pad(x, ((1, 0), (2, 1))),
           ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: __import__("torch").nn.functional.pad(x, (2, 1, 1, 0))),
    OpCase("gather", lambda x: x.gather(1, GATHER_INDEX), lambda x: np.take_along_axis(
        x, GATHER_INDEX, 1), ((3, 4),), scalar_ok=False,
        torch_fn=lambda x: x.gather(1, _torch(GATHER_INDEX))),
    # nn.functional: activations
    OpCase("F.leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x),
           ((3, 4),), tags=frozenset({"kink"}),
           torch_fn=lambda x: __import__("torch").nn.functional.leaky_relu(x, 0.2)),
    OpCase("F.elu", lambda x: F.elu(x, 1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x)),
           ((3, 4),), tags=frozenset({"kink"}),
           torch_fn=lambda x: __import__("torch").nn.functional.elu(x, 1.5)),
    OpCase("F.gelu", F.gelu, None, ((3, 4),), -3.0, 3.0,
           torch_fn=lambda x: __import__("torch").nn.functional.gelu(x)),
    OpCase("F.gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), None, ((3, 4),), -3.0, 3.0,
           torch_fn=lambda x: __import__("torch").nn.functional.gelu(x, approximate="tanh")),
    OpCase("F.silu", F.silu, lambda x: x / (1 + np.exp(-x)), ((3, 4),),
           torch_fn=lambda x: __import__("torch").nn.functional.silu(x)),
    OpCase("F.softplus", lambda x: F.softplus(x, beta=2.0, threshold=3.0), None, ((3, 4),),
           torch_fn=lambda x: __import__("torch").nn.functional.softplus(x, 2.0, 3.0)),
    OpCase("F.softmax", lambda x: F.softmax(x, dim=1), lambda x: _softmax(x, 1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.softmax(dim=1)),
    OpCase("F.log_softmax", lambda x: F.log_softmax(x, axis=0),
           lambda x: np.log(_softmax(x, 0)), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.log_softmax(dim=0)),
    # nn.functional: losses
    OpCase("F.cross_entropy", lambda x: F.cross_entropy(x, CLASSES), None, ((5, 4),),
           scalar_ok=False, torch_fn=lambda x: __import__("torch").nn.functional.cross_entropy(
               x, _torch(CLASSES))),
    OpCase("F.cross_entropy_weighted_ignored", lambda x: F.cross_entropy(
        x, CLASSES_WITH_IGNORED, weight=CLASS_WEIGHTS), None, ((5, 4),), scalar_ok=False,
        torch_fn=lambda x: __import__("torch").nn.functional.cross_entropy(
            x, _torch(CLASSES_WITH_IGNORED), weight=_torch(CLASS_WEIGHTS))),
    OpCase("F.cross_entropy_sum", lambda x: F.cross_entropy(x, CLASSES, reduction="sum"),
           None, ((5, 4),), scalar_ok=False,
           torch_fn=lambda x: __import__("torch").nn.functional.cross_entropy(
               x, _torch(CLASSES), reduction="sum")),
    OpCase("F.cross_entropy_weighted_ignored_smoothed", lambda x: F.cross_entropy(
        x, tg.tensor(CLASSES_WITH_IGNORED), weight=CLASS_WEIGHTS, label_smoothing=0.1),
        None, ((5, 4),), scalar_ok=False,
        torch_fn=lambda x: __import__("torch").nn.functional.cross_entropy(
            x, _torch(CLASSES_WITH_IGNORED), weight=_torch(CLASS_WEIGHTS),
            label_smoothing=0.1)),
    OpCase("F.cross_entropy_sum_smoothed", lambda x: F.cross_entropy(
        x, CLASSES, reduction="sum", label_smoothing=0.2), None, ((5, 4),), scalar_ok=False,
        torch_fn=lambda x: __import__("torch").nn.functional.cross_entropy(
            x, _torch(CLASSES), reduction="sum", label_smoothing=0.2)),
    OpCase("F.cross_entropy_spatial", lambda x: F.cross_entropy(x, CLASS_MAPS,
           reduction="none"), None, ((2, 4, 2, 2),), scalar_ok=False,
           torch_fn=lambda x: __import__("torch").nn.functional.cross_entropy(
               x, _torch(CLASS_MAPS), reduction="none")),
    OpCase("F.cross_entropy_probabilities", lambda x, t: F.cross_entropy(
        x, t.softmax(axis=1), weight=CLASS_WEIGHTS, label_smoothing=0.1), None,
        ((5, 4), (5, 4)), scalar_ok=False,
        torch_fn=lambda x, t: __import__("torch").nn.functional.cross_entropy(
            x, t.softmax(dim=1), weight=_torch(CLASS_WEIGHTS), label_smoothing=0.1)),
    OpCase("F.nll_loss", lambda x: F.nll_loss(x, CLASSES_WITH_IGNORED, weight=CLASS_WEIGHTS),
           None, ((5, 4),), scalar_ok=False,
           torch_fn=lambda x: __import__("torch").nn.functional.nll_loss(
               x, _torch(CLASSES_WITH_IGNORED), weight=_torch(CLASS_WEIGHTS))),
    OpCase("F.mse_loss", lambda x, y: F.mse_loss(x, y), lambda x, y: ((x - y) ** 2).mean(),
           ((3, 4), (3, 4)), torch_fn=lambda x, y: __import__("torch").nn.functional.mse_loss(
               x, y)),
    OpCase("F.l1_loss", lambda x, y: F.l1_loss(x, y, reduction="sum"),
           lambda x, y: np.abs(x - y).sum(), ((3, 4), (3, 4)),
           torch_fn=lambda x, y: __import__("torch").nn.functional.l1_loss(x, y, reduction="sum")),
    OpCase("F.huber_loss", lambda x, y: F.huber_loss(x, y, delta=0.7), None, ((3, 4), (3, 4)),
           torch_fn=lambda x, y: __import__("torch").nn.functional.huber_loss(x, y, delta=0.7)),
    OpCase("F.binary_cross_entropy", lambda p, t: F.binary_cross_entropy(p, t), None,
           ((3, 4), (3, 4)), 0.1, 0.9,
           torch_fn=lambda p, t: __import__("torch").nn.functional.binary_cross_entropy(p, t)),
    OpCase("F.bce_with_logits", lambda x, t: F.binary_cross_entropy_with_logits(
        x, t.sigmoid(), pos_weight=np.array([1.0, 2.0, 0.5, 3.0])), None, ((3, 4), (3, 4)),
        torch_fn=lambda x, t: __import__("torch").nn.functional.binary_cross_entropy_with_logits(
            x, t.sigmoid(), pos_weight=_torch(np.array([1.0, 2.0, 0.5, 3.0])))),
    # nn.functional: layers
    OpCase("F.linear", F.linear, lambda x, w, b: x @ w.T + b, ((5, 3), (4, 3), (4,)),
           scalar_ok=False, torch_fn=lambda x, w, b: __import__("torch").nn.functional.linear(
               x, w, b)),
    OpCase("F.layer_norm", lambda x, w, b: F.layer_norm(x, (4,), w, b), None,
           ((3, 4), (4,), (4,)), scalar_ok=False,
           torch_fn=lambda x, w, b: __import__("torch").nn.functional.layer_norm(x, (4,), w, b)),
    OpCase("F.batch_norm", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
           None, ((4, 3, 2), (3,), (3,)), scalar_ok=False,
           torch_fn=lambda x, w, b: __import__("torch").nn.functional.batch_norm(
               x, None, None, w, b, training=True)),
    OpCase("F.embedding", lambda w: F.embedding(TOKENS, w), lambda w: w[TOKENS], ((4, 3),),
           scalar_ok=False, torch_fn=lambda w: __import__("torch").nn.functional.embedding(
               _torch(TOKENS), w)),
    OpCase("F.pad", lambda x: F.pad(x, (1, 2, 0, 1), value=0.5), None, ((2, 3),),
           scalar_ok=False, torch_fn=lambda x: __import__("torch").nn.functional.pad(
               x, (1, 2, 0, 1), value=0.5)),
    OpCase("F.adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)), None,
           ((1, 2, 5, 7),), scalar_ok=False,
           torch_fn=lambda x: __import__("torch").nn.functional.adaptive_avg_pool2d(x, (2, 3))),
    OpCase("F.adaptive_avg_pool2d_even", lambda x: F.adaptive_avg_pool2d(x, 2), None,
           ((2, 1, 4, 6),), scalar_ok=False,
           torch_fn=lambda x: __import__("torch").nn.functional.adaptive_avg_pool2d(x, 2)),
    OpCase("F.conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2),
           groups=2), None, ((2, 4, 5, 6), (4, 2, 3, 2), (4,)), scalar_ok=False,
           torch_fn=lambda x, w, b: __import__("torch").nn.functional.conv2d(
               x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)),
    OpCase("F.conv1d", lambda x, w: F.conv1d(x, w, padding=1), None, ((2, 3, 6), (2, 3, 3)),
           scalar_ok=False, torch_fn=lambda x, w: __import__("torch").nn.functional.conv1d(
               x, w, padding=1)),
    OpCase("F.max_pool2d", lambda x: F.max_pool2d(x, 3, stride=2, padding=1), None,
           ((2, 2, 5, 5),), scalar_ok=False,
           torch_fn=lambda x: __import__("torch").nn.functional.max_pool2d(x, 3, 2, 1)),
    OpCase("F.avg_pool2d", lambda x: F.avg_pool2d(x, 2, stride=1, padding=1,
           count_include_pad=False), None, ((2, 2, 4, 3),), scalar_ok=False,
           torch_fn=lambda x: __import__("torch").nn.functional.avg_pool2d(
               x, 2, 1, 1, count_include_pad=False)),
    OpCase("F.dropout_eval_and_mask", lambda x: F.dropout(x, 0.3, training=False)
           * DROPOUT_MASK, lambda x: x * DROPOUT_MASK, ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x * _torch(DROPOUT_MASK)),
    # a composition where one tensor is used several times
    OpCase("reuse", lambda x: x * x.tanh() + x, lambda x: x * np.tanh(x) + x, ((3, 4),),
           torch_fn=lambda x: x * x.tanh() + x),
    # conventions at kinks and ties, exercised by the inputs in TIES below
    OpCase("sign_times_exp", lambda x: x.sign() * x.exp(), lambda x: np.sign(x) * np.exp(x),
           ((3, 4),), torch_fn=lambda x: x.sign() * x.exp(), tags=frozenset({"kink"})),
    OpCase("min", lambda x: x.min(), np.min, ((3, 4),), torch_fn=lambda x: x.min(),
           tags=frozenset({"needs_elements"})),
    OpCase("clamp_zero_one", lambda x: x.clamp(0.0, 1.0), lambda x: np.clip(x, 0, 1), ((3, 4),),
           torch_fn=lambda x: x.clamp(0.0, 1.0), tags=frozenset({"kink"})),
    OpCase("pow_powers", lambda x: x ** POWERS.astype(x.dtype), lambda x: x ** POWERS,
           ((3, 1),), scalar_ok=False, torch_fn=lambda x: x ** _torch(POWERS).to(x.dtype)),
    OpCase("astype_float64", lambda x: x.astype(np.float64) * x.astype(np.float64),
           lambda x: x.astype(np.float64) ** 2, ((3, 4),),
           torch_fn=lambda x: x.double() * x.double(), tags=frozenset({"casts"})),
    # negative axes, for every op that takes an axis
    OpCase("sum_axes_negative", lambda x: x.sum(axis=(-1, 0)), lambda x: x.sum(axis=(-1, 0)),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.sum(dim=(-1, 0))),
    OpCase("mean_axis_negative", lambda x: x.mean(axis=-2), lambda x: x.mean(axis=-2),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.mean(dim=-2)),
    OpCase("max_axis_negative", lambda x: x.max(axis=-1, keepdims=True).values,
           lambda x: x.max(axis=-1, keepdims=True), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.max(dim=-1, keepdim=True).values),
    OpCase("min_axis_negative", lambda x: x.min(dim=-2).values, lambda x: x.min(axis=-2),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.min(dim=-2).values),
    OpCase("min_axes_negative", lambda x: x.amin(axis=(-1, -3)), lambda x: x.min(axis=(-1, -3)),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.amin(dim=(-1, -3))),
    OpCase("prod_axis_negative", lambda x: x.prod(axis=-1), lambda x: x.prod(axis=-1),
           ((3, 4),), 0.5, 1.5, scalar_ok=False, torch_fn=lambda x: x.prod(dim=-1)),
    OpCase("prod_axis_signed", lambda x: x.prod(axis=1), lambda x: x.prod(axis=1), ((3, 4),),
           -1.5, 1.5, scalar_ok=False, torch_fn=lambda x: x.prod(dim=1)),  # zeros, for the fuzz
    OpCase("prod_axes_negative_keepdims", lambda x: x.prod(axis=(-3, -1), keepdims=True),
           lambda x: x.prod(axis=(-3, -1), keepdims=True), ((2, 3, 2),), 0.5, 1.5,
           scalar_ok=False, torch_fn=lambda x: x.prod(dim=-1, keepdim=True).prod(
               dim=-3, keepdim=True)),
    OpCase("var_axis_negative", lambda x: x.var(axis=-1, keepdims=True, correction=0),
           lambda x: x.var(axis=-1, keepdims=True), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.var(dim=-1, keepdim=True, unbiased=False)),
    OpCase("std_axes_negative", lambda x: x.std(axis=(-2, -1), ddof=1),
           lambda x: x.std(axis=(-2, -1), ddof=1), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.std(dim=(-2, -1))),
    OpCase("logsumexp_axis_negative", lambda x: x.logsumexp(axis=-2),
           lambda x: np.log(np.exp(x).sum(axis=-2)), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.logsumexp(dim=-2)),
    OpCase("F.softmax_dim_negative", lambda x: F.softmax(x, dim=-2),
           lambda x: _softmax(x, -2), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.softmax(dim=-2)),
    OpCase("F.log_softmax_dim_negative", lambda x: F.log_softmax(x, dim=-1),
           lambda x: np.log(_softmax(x, -1)), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.log_softmax(dim=-1)),
    OpCase("concatenate_axis_negative", lambda x, y: tg.cat([x, y], dim=-1),
           lambda x, y: np.concatenate([x, y], axis=-1), ((2, 3, 1), (2, 3, 2)),
           scalar_ok=False, torch_fn=lambda x, y: __import__("torch").cat([x, y], -1)),
    # the op itself, as another op's backward may call it: tg.cat makes the axis positive
    OpCase("Concatenate_op_axis_negative", lambda x, y: Concatenate.apply(x, y, axis=-1),
           lambda x, y: np.concatenate([x, y], axis=-1), ((2, 3, 1), (2, 3, 2)),
           scalar_ok=False, torch_fn=lambda x, y: __import__("torch").cat([x, y], -1)),
    OpCase("concatenate_axis_minus_two", lambda x, y: tg.concatenate([x, y], axis=-2),
           lambda x, y: np.concatenate([x, y], axis=-2), ((2, 1, 3), (2, 2, 3)),
           scalar_ok=False, torch_fn=lambda x, y: __import__("torch").cat([x, y], -2)),
    OpCase("stack_axis_minus_two", lambda x, y: tg.stack([x, y], dim=-2),
           lambda x, y: np.stack([x, y], axis=-2), ((3, 4), (3, 4)), scalar_ok=False,
           torch_fn=lambda x, y: __import__("torch").stack([x, y], -2)),
    OpCase("split_dim_negative", lambda x: x.split(2, dim=-1)[1], lambda x: x[:, 2:],
           ((3, 4),), scalar_ok=False, torch_fn=lambda x: x.split(2, dim=-1)[1]),
    OpCase("chunk_dim_negative", lambda x: x.chunk(2, dim=-2)[1], lambda x: x[2:],
           ((3, 4),), scalar_ok=False, torch_fn=lambda x: x.chunk(2, dim=-2)[1]),
    OpCase("gather_dim_negative", lambda x: x.gather(-1, GATHER_INDEX),
           lambda x: np.take_along_axis(x, GATHER_INDEX, -1), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.gather(-1, _torch(GATHER_INDEX))),
    OpCase("squeeze_dim_negative", lambda x: x.squeeze(-1), lambda x: x[..., 0], ((3, 1),),
           scalar_ok=False, torch_fn=lambda x: x.squeeze(-1)),
    OpCase("unsqueeze_dim_minus_two", lambda x: x.unsqueeze(-2), lambda x: x[:, None],
           ((3, 4),), scalar_ok=False, torch_fn=lambda x: x.unsqueeze(-2)),
    OpCase("flatten_dims_negative", lambda x: x.flatten(-3, -2),
           lambda x: x.reshape(6, 4), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.flatten(-3, -2)),
    OpCase("transpose_dims_negative", lambda x: x.transpose(-1, -3),
           lambda x: x.swapaxes(-1, -3), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.transpose(-1, -3)),
    OpCase("permute_dims_negative", lambda x: x.permute(-1, 0, -2),
           lambda x: x.transpose(2, 0, 1), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.permute(-1, 0, -2)),
    OpCase("np.expand_dims_negative", lambda x: np.expand_dims(x, -1) * 1,
           lambda x: x[..., None], ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.unsqueeze(-1) * 1),
]

# The rows of PyTorch's other Tensor methods, a file per family.
OPS += op_table_pointwise.ROWS + op_table_reductions.ROWS + op_table_shapes.ROWS

# Inputs exactly at the kinks, ties and bounds of OPS rows, where a convention decides the
# gradient (relu'(0), which of two equal maxima, clip at its bound, 0 ** 0): row name -> one
# array per input. test_ops compares each with PyTorch's values and gradients.
AT_ZERO = [[0.0, -0.0, 1.5, -2.0]]
TIES = {
    "relu": (AT_ZERO,),
    "F.leaky_relu": (AT_ZERO,),
    "F.elu": (AT_ZERO,),
    "abs": (AT_ZERO,),
    "sign_times_exp": (AT_ZERO,),
    "F.l1_loss": ([[0.0, 1.0, -1.0]], [[0.0, 1.0, 2.0]]),
    "F.huber_loss": ([[0.7, -0.7, 0.0, 0.5]], [[0.0, 0.0, 0.0, 1.2]]),  # |x - y| = delta
    "F.softplus": ([[1.5, 0.0, -1.5]],),  # beta * x exactly at the threshold
    "clip": ([[-1.0, 1.0, -2.0, 2.0, 0.0]],),
    "clamp_min": ([[0.5, 0.4, 0.6]],),
    "clamp_zero_one": ([[0.0, -0.0, 1.0, 0.5, -1.0, 2.0]],),
    "maximum": ([[1.0, 0.0, -2.0, 0.0]], [[1.0, 0.0, 3.0, -0.0]]),
    "minimum": ([[1.0, 0.0, -2.0, 0.0]], [[1.0, 0.0, 3.0, -0.0]]),
    "where": ([[0.0, 1.0, -1.0]], [[0.5, 0.5, 0.5]]),  # the condition x > 0 at x = 0
    "max": ([[0.0, -1.0, 0.0], [0.0, -2.0, -3.0]],),
    "min": ([[0.0, 1.0, 0.0], [2.0, 0.0, 1.0]],),
    "max_axis": ([[0.0, 0.0, -1.0, 0.0], [2.0, 1.0, 2.0, 2.0], [5.0, 5.0, 5.0, 5.0]],),
    "min_axis_keepdims": ([[0.0, 1.0], [0.0, 1.0], [-1.0, 1.0]],),
    "max_axes": (np.zeros((2, 3, 4)),),
    "min_axes_negative": (np.ones((2, 3, 4)),),
    "max_axis_negative": ([[0.0, 0.0, -1.0, 0.0], [1.0, 2.0, 2.0, 0.0]],),
    "prod": ([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0]],),  # one zero, then two
    "prod_axes": ([[[0.0, 2.0], [3.0, 0.0], [1.0, 1.0]], [[2.0, 1.0], [0.0, 0.0], [0.0, 4.0]]],),
    "pow": ([[0.0, 0.0, 0.0, 2.0, 0.0]], [[0.0, 1.0, 2.0, 0.0, 0.5]]),  # 0 ** 0, ..., 0 ** 0.5
    "pow_powers": ([[0.0], [1.0], [-1.0]],),  # x ** [0, 1, 2, 3] at x = 0
    "F.max_pool2d": (np.tile([[0.0, 1.0], [1.0, 0.0]], (2, 2, 3, 3))[..., :5, :5],),
}


def make_inputs(case: OpCase, rng: np.random.Generator, shapes=None, dtype=np.float64):
    """Random arrays for ``case`` in its range, away from kinks at 0 where it has one."""
    arrays = []
    for shape in shapes or case.shapes:
        values = rng.uniform(case.low, case.high, size=shape)
        if "kink" in case.tags:
            values = np.where(np.abs(values) < 0.1, 0.5, values)
        arrays.append(values.astype(dtype))
    return arrays


def derivatives(case: OpCase, arrays, upstream, direction=None):
    """tapegrad's value of ``case`` at ``arrays``, its gradients for the output gradient
    ``upstream``, and (given a ``direction``, one array per input) the second derivatives
    along it: the gradient of <gradients, direction>. All as arrays, zeros where a gradient
    does not exist."""
    tensors = [tg.tensor(array, requires_grad=True) for array in arrays]
    out = case.fn(*tensors)
    grads = tg.grad(out, tensors, grad_outputs=upstream, create_graph=direction is not None,
                    allow_unused=True)
    if direction is None:
        return out.data, _arrays(grads, arrays), None
    pairs = [(g, v) for g, v in zip(grads, direction) if g is not None and g.requires_grad]
    second = tg.grad(sum((g * v).sum() for g, v in pairs), tensors, allow_unused=True) if (
        pairs) else [None] * len(tensors)
    return out.data, _arrays(grads, arrays), _arrays(second, arrays)


def torch_derivatives(case: OpCase, arrays, upstream, direction=None):
    """``derivatives`` computed by PyTorch, from ``case.torch_fn``."""
    import torch

    tensors = [torch.tensor(array, requires_grad=True) for array in arrays]
    out = case.torch_fn(*tensors)
    grads = torch.autograd.grad(out, tensors, torch.as_tensor(upstream),
                                create_graph=direction is not None, allow_unused=True)
    if direction is None:
        return _array(out), _arrays(grads, arrays), None
    pairs = [(g, torch.as_tensor(v)) for g, v in zip(grads, direction)
             if g is not None and g.requires_grad]
    second = torch.autograd.grad(sum((g * v).sum() for g, v in pairs), tensors,
                                 allow_unused=True) if pairs else [None] * len(tensors)
    return _array(out), _arrays(grads, arrays), _arrays(second, arrays)


def _array(tensor):
    """A tapegrad or torch tensor's values (force: a torch gradient may be a lazy ZeroTensor)."""
    return tensor.data if isinstance(tensor, tg.Tensor) else tensor.numpy(force=True)


def _arrays(grads, like):
    """Gradients as arrays, zeros where no graph reached an input."""
    return [np.zeros_like(array) if grad is None else _array(grad)
            for grad, array in zip(grads, like)]
