"""The loss functions of ``F`` beyond cross-entropy, MSE, L1, Huber and BCE: smooth L1, KL
divergence, margin and embedding losses, the triplet loss, CTC and a few more.

Each is composed from Tensor ops, except CTC, whose dynamic programme is one op
(``tapegrad.ops.ctc``). ``F`` (``tapegrad.nn.functional``) re-exports every name here.

>>> import tapegrad as tg
>>> smooth_l1_loss(tg.tensor([0.5, 3.0]), tg.tensor([0.0, 0.0]), reduction="none")
tensor([0.1250, 2.5000])
"""

from __future__ import annotations

import numpy as np

from tapegrad.nn.functional_activations import logsigmoid
from tapegrad.nn.functional_common import _reduce, _same_shape
from tapegrad.nn.functional_layers import pairwise_distance
from tapegrad.ops.ctc import CtcLoss
from tapegrad.routines import as_tensor, minimum, where
from tapegrad.tensor import Tensor


def smooth_l1_loss(input, target, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d² / beta where |d| < beta, else |d| - beta / 2, with d = input - target (Huber
    loss over beta); beta = 0 is the L1 loss.

    >>> import tapegrad as tg
    >>> smooth_l1_loss(tg.tensor([2.0]), tg.tensor([0.0]))
    tensor(1.5000)
    """
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    input = as_tensor(input)
    _same_shape("smooth_l1_loss", input, target)
    size = (input - target).abs()
    if beta == 0:
        return _reduce(size, reduction, "smooth_l1_loss")
    loss = where(size.data < beta, 0.5 * size * size / beta, size - 0.5 * beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


def kl_div(input, target, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence with ``input`` log-probabilities: t (log t - input), 0
    where t = 0 (or exp(t) (t - input) for ``log_target``). ``reduction="batchmean"`` divides
    the sum by the batch size, the true KL divergence; ``"mean"`` divides by every element, as
    PyTorch.

    >>> import tapegrad as tg
    >>> kl_div(tg.tensor([0.5, 0.5]).log(), tg.tensor([0.5, 0.5]), reduction="sum")
    tensor(0.)
    """
    input = as_tensor(input)
    _same_shape("kl_div", input, target)
    target = as_tensor(target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target.data > 0
        safe = where(positive, target, np.ones((), dtype=target.dtype))
        loss = where(positive, target * (safe.log() - input), np.zeros((), dtype=input.dtype))
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction, "kl_div")


def margin_ranking_loss(input1, input2, target, margin: float = 0.0,
                        reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin), y = 1 when x1 should rank higher, -1 when x2 should.

    >>> import tapegrad as tg
    >>> margin_ranking_loss(tg.tensor([1.0]), tg.tensor([2.0]), tg.tensor([1.0]))
    tensor(1.)
    """
    loss = (-as_tensor(target) * (as_tensor(input1) - input2) + margin).clamp(min=0)
    return _reduce(loss, reduction, "margin_ranking_loss")


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, the cosine
    along the last axis (with PyTorch's 1e-12 guard on each squared norm).

    >>> import tapegrad as tg
    >>> cosine_embedding_loss(tg.tensor([[1.0, 0.0]]), tg.tensor([[1.0, 0.0]]),
    ...                       tg.tensor([1.0]))
    tensor(0.)
    """
    input1, input2 = as_tensor(input1), as_tensor(input2)
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise ValueError(f"cosine_embedding_loss: inputs must share a 1-d or 2-d shape, got "
                         f"{input1.shape} and {input2.shape}")
    guard = 1e-12
    products = (input1 * input2).sum(-1)
    squares1, squares2 = (input1 * input1).sum(-1) + guard, (input2 * input2).sum(-1) + guard
    cosine = products / (squares1 * squares2).sqrt()
    target = np.asarray(as_tensor(target).data)
    zero = np.zeros((), dtype=cosine.dtype)
    loss = where(target == 1, 1 - cosine, where(target == -1, (cosine - margin).clamp(min=0),
                                                 zero))
    return _reduce(loss, reduction, "cosine_embedding_loss")


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, reduction: str = "mean"
                        ) -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-norm distance; ``swap`` uses
    min(d(a, n), d(p, n)) for the negative distance, as PyTorch.

    >>> import tapegrad as tg
    >>> triplet_margin_loss(tg.zeros(1, 2), tg.zeros(1, 2), tg.ones(1, 2), margin=0.5)
    tensor(0.)
    """
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = minimum(to_negative, pairwise_distance(positive, negative, p, eps))
    loss = (margin + to_positive - to_negative).clamp(min=0)
    return _reduce(loss, reduction, "triplet_margin_loss")


def hinge_embedding_loss(input, target, margin: float = 1.0, reduction: str = "mean"
                         ) -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1.

    >>> import tapegrad as tg
    >>> hinge_embedding_loss(tg.tensor([0.3, 0.3]), tg.tensor([1.0, -1.0]), reduction="none")
    tensor([0.3000, 0.7000])
    """
    input = as_tensor(input)
    target = np.asarray(as_tensor(target).data)
    zero = np.zeros((), dtype=input.dtype)
    loss = where(target == 1, input, zero) + where(target == -1, (margin - input).clamp(min=0),
                                                   zero)
    return _reduce(loss, reduction, "hinge_embedding_loss")


def soft_margin_loss(input, target, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x)), y in {1, -1}.

    >>> import tapegrad as tg
    >>> soft_margin_loss(tg.tensor([0.0]), tg.tensor([1.0])).exp()
    tensor(2.)
    """
    loss = -logsigmoid(as_tensor(target) * as_tensor(input))
    return _reduce(loss, reduction, "soft_margin_loss")


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` counts under Poisson(rate): exp(x) - t x for
    log-rates x, else x - t log(x + eps); ``full`` adds Stirling's t log t - t + log(2 pi t) / 2
    where t > 1.

    >>> import tapegrad as tg
    >>> poisson_nll_loss(tg.tensor([0.0]), tg.tensor([1.0]))
    tensor(1.)
    """
    input, target = as_tensor(input), as_tensor(target)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        counts = target.data
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = counts * np.log(counts) - counts + 0.5 * np.log(2 * np.pi * counts)
        loss = loss + np.where(counts > 1, stirling, 0).astype(input.dtype)
    return _reduce(loss, reduction, "poisson_nll_loss")


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """(log(max(var, eps)) + (x - t)² / max(var, eps)) / 2, plus log(2 pi) / 2 with ``full``.

    >>> import tapegrad as tg
    >>> gaussian_nll_loss(tg.tensor([1.0]), tg.tensor([1.0]), tg.tensor([1.0]))
    tensor(0.)
    """
    input, var = as_tensor(input), as_tensor(var)
    if np.any(var.data < 0):
        raise ValueError("gaussian_nll_loss: var has negative entries")
    if var.ndim == input.ndim - 1 or (var.ndim == input.ndim and var.shape[-1] == 1
                                      and input.shape[-1] != 1):
        var = var.reshape(input.shape[:-1] + (1,))  # one variance per example
    clamped = var.clamp(min=eps)
    difference = input - target
    loss = 0.5 * (clamped.log() + difference * difference / clamped)
    if full:
        loss = loss + 0.5 * np.log(2 * np.pi)
    return _reduce(loss, reduction, "gaussian_nll_loss")


def multilabel_soft_margin_loss(input, target, weight=None, reduction: str = "mean"
                                ) -> Tensor:
    """The mean over classes of binary cross-entropy on logits, per example.

    >>> import tapegrad as tg
    >>> multilabel_soft_margin_loss(tg.zeros(1, 2), tg.tensor([[1.0, 0.0]])).exp()
    tensor(2.)
    """
    input, target = as_tensor(input), as_tensor(target)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.mean(-1), reduction, "multilabel_soft_margin_loss")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """Connectionist temporal classification: -log of the probability, summed over every
    alignment, of each label sequence under per-frame ``log_probs`` (T, N, C). ``targets`` is
    (N, S) padded or the N sequences concatenated; ``"mean"`` divides each loss by its target
    length, then averages, as PyTorch.

    >>> import tapegrad as tg, numpy as np
    >>> log_probs = tg.full((1, 1, 2), 0.5).log()
    >>> ctc_loss(log_probs, np.array([[1]]), [1], [1], reduction="sum").exp()
    tensor(2.)
    """
    log_probs = as_tensor(log_probs)
    if log_probs.ndim != 3:
        raise ValueError(f"ctc_loss: log_probs must be (T, N, C), got shape {log_probs.shape}")
    frames, batch, classes = log_probs.shape
    input_lengths = _lengths("input_lengths", input_lengths, batch)
    target_lengths = _lengths("target_lengths", target_lengths, batch)
    if input_lengths.max(initial=0) > frames:
        raise ValueError(f"ctc_loss: input_lengths {input_lengths.tolist()} exceed the "
                         f"{frames} frames of log_probs")
    sequences = _label_sequences(np.asarray(as_tensor(targets).data), target_lengths, batch)
    if any(np.any((labels < 0) | (labels >= classes) | (labels == blank))
           for labels in sequences):
        raise ValueError(f"ctc_loss: targets must be classes in [0, {classes}) other than "
                         f"the blank ({blank})")
    losses = CtcLoss.apply(log_probs, targets=sequences, input_lengths=input_lengths.tolist(),
                           target_lengths=target_lengths.tolist(), blank=blank,
                           zero_infinity=zero_infinity)
    if reduction == "mean":
        return (losses / np.maximum(target_lengths, 1).astype(losses.dtype)).mean()
    return _reduce(losses, reduction, "ctc_loss")


def _lengths(name: str, lengths, batch: int) -> np.ndarray:
    lengths = np.asarray(as_tensor(lengths).data).reshape(-1)
    if lengths.shape != (batch,) or lengths.dtype.kind not in "iu" or np.any(lengths < 0):
        raise ValueError(f"ctc_loss: {name} must be {batch} non-negative integers, got "
                         f"{lengths.tolist()}")
    return lengths.astype(np.int64)


def _label_sequences(targets: np.ndarray, target_lengths: np.ndarray, batch: int) -> list:
    if targets.ndim == 2:
        if targets.shape[0] != batch or target_lengths.max(initial=0) > targets.shape[1]:
            raise ValueError(f"ctc_loss: padded targets {targets.shape} must have {batch} rows "
                             f"as long as target_lengths {target_lengths.tolist()}")
        return [targets[n, :length] for n, length in enumerate(target_lengths)]
    if targets.ndim != 1 or targets.size < target_lengths.sum():
        raise ValueError(f"ctc_loss: concatenated targets of shape {targets.shape} must hold "
                         f"sum(target_lengths) = {target_lengths.sum()} labels")
    return np.split(targets[:target_lengths.sum()], np.cumsum(target_lengths)[:-1])


__all__ = [
    "smooth_l1_loss", "kl_div", "margin_ranking_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "hinge_embedding_loss", "soft_margin_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "multilabel_soft_margin_loss", "ctc_loss",
]
