"""Gradient clipping: rescale all gradients together when their joint norm is too large."""

from __future__ import annotations

import math

import numpy as np

from tapegrad import backend
from tapegrad.tensor import Tensor


def _vector_norm(array, norm_type: float):
    """‖x‖ₚ of a flattened array, as ``torch.linalg.vector_norm``: max|x| for p = inf."""
    magnitudes = abs(array)
    if magnitudes.size == 0:
        return backend.array_module(array).zeros((), dtype=array.dtype)
    if norm_type == math.inf:
        return magnitudes.max()
    if norm_type == -math.inf:
        return magnitudes.min()
    if norm_type == 0:
        return (magnitudes != 0).sum().astype(array.dtype)
    if norm_type == 1:
        return magnitudes.sum()
    if norm_type == 2:
        return np.sqrt((magnitudes * magnitudes).sum())
    return (magnitudes**norm_type).sum() ** (1.0 / norm_type)


def clip_grad_norm_(
    parameters,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale the gradients of ``parameters`` in place so their joint norm is at most max_norm.

    The joint norm is the ``norm_type`` norm of all gradients laid end to end (``inf`` or
    ``"inf"`` for the largest magnitude). When it exceeds ``max_norm``, every gradient is
    multiplied by ``max_norm / (norm + 1e-6)``, so the direction of the step is kept.
    Parameters without a gradient are ignored. Returns the norm before clipping, as a 0-d
    Tensor (PyTorch's ``torch.nn.utils.clip_grad_norm_``).

    >>> import tapegrad as tg
    >>> w = tg.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()          # grad = [6, 8], norm 10
    >>> clip_grad_norm_([w], max_norm=5.0)
    tensor(10.)
    >>> w.grad.round(4)
    array([3., 4.], dtype=float32)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    gradients = [param.accumulated_grad for param in parameters
                 if param.accumulated_grad is not None]
    norm_type = float(norm_type)
    if not gradients:
        return Tensor(0.0)
    # The norm of the per-gradient norms equals the norm of the concatenation, for every p.
    norms = [_vector_norm(gradient, norm_type) for gradient in gradients]
    xp = backend.array_module(gradients[0])
    total_norm = _vector_norm(xp.stack([xp.asarray(norm) for norm in norms]), norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total_norm)):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"{float(total_norm)}, so they cannot be clipped; pass error_if_nonfinite=False "
            "to scale them by it anyway"
        )
    clip_coefficient = float(max_norm) / (float(total_norm) + 1e-6)
    # Scaling by 1 would change nothing, so only gradients that are too large are touched;
    # a NaN norm scales them all to NaN, as in PyTorch, rather than hide the problem.
    if not clip_coefficient >= 1.0:
        for gradient in gradients:
            gradient *= clip_coefficient
    return Tensor(total_norm)
