"""Connectionist temporal classification (Graves et al. 2006): the loss of a label sequence
summed over every alignment of it to the input frames, by the forward-backward recursions.

The labels are extended with blanks, l' = (blank, l1, blank, l2, ..., blank), S = 2 L + 1.
alpha_t(s) is the log-probability of the frames 0..t ending in l'_s, beta_t(s) that of the
frames t..T-1 starting in it; both include frame t's own log-probability.
"""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function, once_differentiable


class CtcLoss(Function):
    """l_n = -log sum_alignments prod_t exp(x[t, n, a_t]), x the log-probabilities (T, N, C);
    dL/dx[t, n, c] = -dL/dl_n * exp(logsumexp_{s: l'_s = c} (alpha_t(s) + beta_t(s))
    - x[t, n, c] + l_n)

    The gradient is the one with respect to ``x`` as given; PyTorch's native kernel returns
    the gradient with respect to the logits under a log_softmax instead, which agrees with
    this one once it has passed through that log_softmax. The gradient is computed in the
    forward pass, with the alphas it needs, and is not differentiable again.
    """

    __slots__ = ()
    saved_roles = (None,)  # the gradient, a constant here, freed once backward has run

    def forward(self, log_probs, *, targets, input_lengths, target_lengths, blank=0,
                zero_infinity=False):
        losses = np.zeros(log_probs.shape[1], dtype=log_probs.dtype)
        grad_input = np.zeros_like(log_probs)
        for n, (labels, frames) in enumerate(zip(targets, input_lengths)):
            extended = np.full(2 * len(labels) + 1, blank, dtype=np.int64)
            extended[1::2] = labels
            frame_log_probs = log_probs[:frames, n].astype(np.float64)
            loss, grad = _ctc_one(frame_log_probs, extended, blank)
            if zero_infinity and not np.isfinite(loss):
                loss, grad = 0.0, np.zeros_like(grad)
            losses[n] = loss
            grad_input[:frames, n] = grad
        self.save_for_backward(grad_input)
        return losses

    @once_differentiable
    def backward(self, grad):
        (grad_input,) = self.saved
        return (grad_input * grad[None, :, None].astype(grad_input.dtype),)


def _ctc_one(log_probs: np.ndarray, extended: np.ndarray, blank: int) -> tuple:
    """(loss, dloss/dlog_probs) of one sequence: log_probs (T, C), extended labels (S,)."""
    frames, size = log_probs.shape[0], extended.size
    emitted = log_probs[:, extended]  # (T, S): frame t's log-probability of l'_s
    # A step of two (skipping a blank) is allowed onto a label that differs from the one two
    # back; onto a blank, or a repeated label, it would merge what must stay apart.
    skip = np.zeros(size, dtype=bool)
    skip[2:] = (extended[2:] != blank) & (extended[2:] != extended[:-2])
    alpha = np.full((frames, size), -np.inf)
    beta = np.full((frames, size), -np.inf)
    if frames == 0:
        return (0.0 if size == 1 else np.inf), np.zeros_like(log_probs)
    alpha[0, :2] = emitted[0, :2]
    for t in range(1, frames):
        alpha[t] = emitted[t] + _combine(alpha[t - 1], 1, skip)
    beta[-1, -2:] = emitted[-1, -2:]
    skip_back = np.zeros(size, dtype=bool)
    skip_back[:-2] = skip[2:]  # from s, two steps forward lands on s + 2
    for t in range(frames - 2, -1, -1):
        beta[t] = emitted[t] + _combine(beta[t + 1], -1, skip_back)
    log_likelihood = np.logaddexp.reduce(alpha[-1, -2:])
    if not np.isfinite(log_likelihood):
        return np.inf, np.zeros_like(log_probs)
    # Each label's share of each frame: alphas times betas, over the frame's own probability
    # counted twice, summed over the positions of l' that hold that label.
    both = alpha + beta
    per_class = np.full(log_probs.shape, -np.inf)
    for s, label in enumerate(extended):
        per_class[:, label] = np.logaddexp(per_class[:, label], both[:, s])
    with np.errstate(invalid="ignore"):
        grad = -np.exp(per_class - log_probs - log_likelihood)
    return -log_likelihood, np.nan_to_num(grad)


def _combine(previous: np.ndarray, direction: int, skip: np.ndarray) -> np.ndarray:
    """log of: stay at s, plus come from the neighbour, plus (where allowed) from two away."""
    shifted_one = np.full_like(previous, -np.inf)
    shifted_two = np.full_like(previous, -np.inf)
    if direction == 1:
        shifted_one[1:], shifted_two[2:] = previous[:-1], previous[:-2]
    else:
        shifted_one[:-1], shifted_two[:-2] = previous[1:], previous[2:]
    shifted_two[~skip] = -np.inf
    return np.logaddexp(np.logaddexp(previous, shifted_one), shifted_two)
