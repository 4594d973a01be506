"""Scaled dot-product attention as one fused op: scores, softmax, dropout and the weighted sum
of values in forward, and their gradients by hand in backward.

One node instead of matmul, scale, add, softmax, multiply and matmul; backward needs only the
attention probabilities, which forward keeps (the scores are not kept).
"""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function, once_differentiable


def _swap(x):
    return np.swapaxes(x, -1, -2)


def masked_softmax(scores):
    """softmax over the last axis, where a row whose scores are all -inf (every key masked)
    attends to nothing: its probabilities are 0 rather than NaN, as PyTorch's attention.

    Computed in place: ``scores`` (a new float array, the largest of an attention step) is
    overwritten with the probabilities and returned, so no temporary of its size is made.

    >>> masked_softmax(np.array([[0.0, 0.0], [-np.inf, -np.inf]])).tolist()
    [[0.5, 0.5], [0.0, 0.0]]
    """
    peak = scores.max(axis=-1, keepdims=True)
    empty = np.isneginf(peak)
    np.subtract(scores, np.where(empty, 0, peak), out=scores)
    np.exp(scores, out=scores)
    scores /= np.where(empty, 1, scores.sum(axis=-1, keepdims=True))
    return scores


class ScaledDotProductAttention(Function):
    """y = (P * keep) v with P = softmax(q k^T * scale + mask);  dL/dq = dL/dS k scale,
    dL/dk = dL/dS^T q scale, dL/dv = (P * keep)^T dL/dy, dL/dmask = dL/dS,
    where dL/dS = P * (dL/dP - sum(dL/dP * P)) is the scores' gradient

    q (..., L, E), k (..., S, E), v (..., S, Ev); ``mask`` (broadcastable to (..., L, S)) is
    added to the scores (-inf masks a key out); ``keep`` is dropout's mask already divided by
    the keep probability, or None for no dropout.

    >>> q = np.ones((1, 2, 3))
    >>> ScaledDotProductAttention.apply(q, q, np.arange(6.0).reshape(1, 2, 3)).data[0, 0]
    array([1.5, 2.5, 3.5])
    """

    __slots__ = ("scale",)
    saved_roles = (0, 1, 2, None, 4)

    def forward(self, q, k, v, mask=None, keep=None, *, scale=None):
        if q.ndim < 2 or k.ndim < 2 or v.ndim < 2 or q.shape[-1] != k.shape[-1] or (
                k.shape[-2] != v.shape[-2]):
            raise ValueError(
                f"scaled_dot_product_attention: query {q.shape}, key {k.shape} and value "
                f"{v.shape} must be (..., L, E), (..., S, E) and (..., S, Ev)")
        self.scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
        scores = q @ _swap(k)  # a new array: scaled, masked and normalised in place
        scores *= np.asarray(self.scale, dtype=scores.dtype)
        if mask is not None:
            scores = scores + mask  # it may broadcast to more axes
        probabilities = masked_softmax(scores)
        self.save_for_backward(q, k, v, probabilities, keep)
        return (probabilities if keep is None else probabilities * keep) @ v

    @once_differentiable
    def backward(self, grad):
        q, k, v, probabilities, keep = self.saved
        # mask and keep are optional inputs: pad needs_input_grad to name all four
        needs_q, needs_k, needs_v, needs_mask = (self.needs_input_grad + (False,) * 2)[:4]
        dropped = probabilities if keep is None else probabilities * keep
        grad_v = _swap(dropped) @ grad if needs_v else None
        grad_probabilities = grad @ _swap(v)
        if keep is not None:
            grad_probabilities = grad_probabilities * keep
        # the softmax's adjoint: each row's Jacobian is diag(P) - P P^T; grad_probabilities
        # is a new array here, so the scores' gradient is built in it
        grad_scores = grad_probabilities
        grad_scores -= (grad_probabilities * probabilities).sum(-1, keepdims=True)
        grad_scores *= probabilities
        scale = np.asarray(self.scale, dtype=grad_scores.dtype)
        grad_q = (grad_scores @ k) * scale if needs_q else None
        grad_k = (_swap(grad_scores) @ q) * scale if needs_k else None
        grads = grad_q, grad_k, grad_v, grad_scores if needs_mask else None, None
        return grads[:len(self.needs_input_grad)]
