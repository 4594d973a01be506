"""Helpers for parameters, as ``torch.nn.utils``: clip their gradients, and lay them end to
end as one vector and back (for methods that see a model as one point in a flat space);
and, in ``rnn``, padding and packing sequences of different lengths.

>>> import tapegrad as tg
>>> from tapegrad import nn
>>> model = nn.Linear(2, 1)
>>> parameters_to_vector(model.parameters()).shape
(3,)
"""

from __future__ import annotations

from collections.abc import Iterable

from tapegrad.nn.utils import rnn
from tapegrad.optim.clip import clip_grad_norm_
from tapegrad.routines import cat
from tapegrad.tensor import Tensor

__all__ = ["rnn", "clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters"]


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float) -> None:
    """Clamp every gradient of ``parameters`` in place to [-clip_value, clip_value].

    Parameters without a gradient are left alone.

    >>> import tapegrad as tg
    >>> w = tg.tensor([3.0, -4.0], requires_grad=True)
    >>> (w * w).sum().backward()          # grad = [6, -8]
    >>> clip_grad_value_([w], 5.0)
    >>> w.grad
    array([ 5., -5.], dtype=float32)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for param in parameters:
        gradient = param.accumulated_grad
        if gradient is not None:
            gradient.clip(-clip_value, clip_value, out=gradient)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All of ``parameters`` flattened and laid end to end, as one 1-d tensor (on the graph:
    a loss of it sends gradients back to each parameter).

    >>> import tapegrad as tg
    >>> parameters_to_vector([tg.ones(2, 2), tg.zeros(1)])
    tensor([1., 1., 1., 1., 0.])
    """
    return cat([param.reshape(-1) for param in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Set ``parameters``' data from consecutive slices of the 1-d ``vec``, as PyTorch does:
    each parameter then views its slice of ``vec``'s array (no copy), reshaped to its shape.

    >>> import tapegrad as tg
    >>> w, b = tg.zeros(2, 2), tg.zeros(1)
    >>> vector_to_parameters(tg.arange(5.0), [w, b])
    >>> w, b
    (tensor([[0., 1.],
            [2., 3.]]), tensor([4.]))
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got: "
                        f"{type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-d, got shape {vec.shape}")
    parameters = list(parameters)
    needed = sum(param.data.size for param in parameters)
    if needed > vec.shape[0]:
        raise ValueError(f"vector_to_parameters: vec has {vec.shape[0]} elements, the "
                         f"parameters need {needed}")
    start = 0
    for param in parameters:
        count = param.data.size
        param.data = vec.data[start:start + count].reshape(param.shape)
        start += count
