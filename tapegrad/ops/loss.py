"""Loss functions that need a Function of their own to stay stable."""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function
from tapegrad.ops.activation import Softplus
from tapegrad.ops.chain_rule import over_keeping_zeros
from tapegrad.ops.elementwise import Sigmoid
from tapegrad.ops.indexing import GatherAdd
from tapegrad.ops.softmax import Softmax, shifted_by_peak
from tapegrad.tensor_core import TensorCore


def _softplus(x):
    """log(1 + exp(x)), stable for any x, by the Softplus op (never linear past a threshold):
    on Tensors under create_graph its derivatives are smooth at 0, which max(x, 0) and |x|
    in a hand-written stable form are not."""
    return Softplus.forward_or_apply(x, threshold=np.inf)


class BinaryCrossEntropyWithLogits(Function):
    """l = -(p t log s(x) + (1 - t) log(1 - s(x))), s = sigmoid, p = pos_weight (1 if None);
    dL/dx = dL/dl * (s(x) (p t + 1 - t) - p t),  dL/dt = dL/dl * (p softplus(-x) - softplus(x))

    Written with softplus (log(1 + e^x) = logaddexp(0, x)), never log(sigmoid), so logits of
    ±1e4 give finite losses and gradients.
    """

    __slots__ = ()
    saved_roles = (0, 1, 2)

    def forward(self, x, target, pos_weight=None):
        p = 1 if pos_weight is None else pos_weight
        self.save_for_backward(x, target, p)
        return p * target * _softplus(-x) + (1 - target) * _softplus(x)

    def backward(self, grad):
        x, target, p = self.saved
        needs_x, needs_target = self.needs_input_grad[:2]
        grad_x = grad * (Sigmoid.forward_or_apply(x) * (p * target + 1 - target) - p * target)
        grad_target = grad * (p * _softplus(-x) - _softplus(x))
        return (grad_x if needs_x else None), (grad_target if needs_target else None), None


def _reduce_weighted(function: Function, losses, weights, reduction: str):
    """Reduce per-target losses as nll_loss does, keeping the total weight "mean" divides by."""
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    function.total_weight = weights.sum()
    with np.errstate(invalid="ignore"):  # every target ignored: 0 / 0 is nan, as in PyTorch
        return losses.sum() / function.total_weight


def _scale_per_target(function: Function, grad, weights):
    """dL/dl_i * w_i (over the total weight for "mean"), with the class axis kept as size 1.

    An ignored target (w_i = 0) gets exactly 0, also when every target is ignored: the mean
    is then 0 / 0 = nan, but no input moved it, so its gradient is 0 (as PyTorch's).
    """
    if function.reduction == "mean":
        weights = over_keeping_zeros(weights, function.total_weight)
    return (grad * weights)[:, None]


class NllLoss(Function):
    """l_i = -w_i * x[i, t_i] (the log-probability of each target class, weighted), reduced by
    sum, by sum / sum(w) ("mean"), or not at all;  dL/dx[i, t_i] = -w_i * dL/dl_i, 0 elsewhere

    ``weights`` already holds 0 for ignored targets, whose ``classes`` entry is any valid class.
    """

    __slots__ = ("input_shape", "reduction", "total_weight")
    saved_roles = ()

    def forward(self, x, weights, classes, reduction="mean"):
        self.input_shape, self.reduction = x.shape, reduction
        index = classes[:, None]  # the class axis, as take_along_axis wants it
        losses = -np.take_along_axis(x, index, axis=1)[:, 0] * weights
        self.save_for_backward(weights, index)
        return _reduce_weighted(self, losses, weights, reduction)

    def backward(self, grad):
        weights, index = self.saved
        picked = -_scale_per_target(self, grad, weights)  # one gradient per target, as index
        grad_x = GatherAdd.forward_or_apply(picked, shape=self.input_shape, index=index, axis=1)
        return grad_x, None, None


class CrossEntropy(Function):
    """l_i = -w_i log softmax(x_i)[t_i] = w_i (logsumexp(x_i) - x_i[t_i]), reduced as NllLoss;
    dL/dx_i = dL/dl_i * w_i * (softmax(x_i) - onehot(t_i))

    log_softmax and nll_loss as one node, as frameworks fuse them: half the array operations
    of the two, which is most of a small batch's loss time.
    """

    __slots__ = ("reduction", "total_weight")
    saved_roles = (0,)

    def forward(self, x, weights, classes, reduction="mean"):
        self.reduction = reduction
        shifted = shifted_by_peak(x, axis=1)
        probabilities = np.exp(shifted)
        sums = probabilities.sum(axis=1, keepdims=True)
        index = classes[:, None]  # the class axis, as take_along_axis wants it
        picked = np.take_along_axis(shifted, index, axis=1)
        losses = (np.log(sums) - picked)[:, 0] * weights
        probabilities /= sums
        self.save_for_backward(x, weights, index, probabilities)
        return _reduce_weighted(self, losses, weights, reduction)

    def backward(self, grad):
        x, weights, index, probabilities = self.saved
        if isinstance(x, TensorCore):  # under create_graph: the softmax as a function of x
            probabilities = Softmax.forward_or_apply(x, axis=1)
        scale = _scale_per_target(self, grad, weights)
        on_targets = GatherAdd.forward_or_apply(scale, shape=x.shape, index=index, axis=1)
        return probabilities * scale - on_targets, None, None
