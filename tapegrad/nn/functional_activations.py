"""The activation functions of ``F`` beyond the classic few, each composed from Tensor ops, so
its gradient is the chain rule over those ops and needs no Function of its own.

``F`` (``tapegrad.nn.functional``) re-exports every name here. The ``inplace=`` arguments are
accepted for PyTorch's signatures, but tapegrad computes out of place: a tape that records
values cannot let a later op overwrite one it still needs.

>>> import tapegrad as tg
>>> relu6(tg.tensor([-1.0, 3.0, 9.0]))
tensor([0., 3., 6.])
"""

from __future__ import annotations

import numpy as np

from tapegrad import random
from tapegrad.nn.functional_common import _class_axis
from tapegrad.ops.activation import Elu, Softplus
from tapegrad.routines import as_tensor, where
from tapegrad.tensor import Tensor

# SELU's constants (Klambauer et al. 2017), as PyTorch spells them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
             ) -> Tensor:
    """x clamped to [min_val, max_val].

    >>> import tapegrad as tg
    >>> hardtanh(tg.tensor([-3.0, 0.5, 3.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return as_tensor(input).clamp(min_val, max_val)


def relu6(input, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6).

    >>> import tapegrad as tg
    >>> relu6(tg.tensor([7.0]))
    tensor([6.])
    """
    return hardtanh(input, 0.0, 6.0)


def selu(input, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha), with the self-normalizing constants of Klambauer et al.

    >>> import tapegrad as tg
    >>> selu(tg.tensor([0.0]))
    tensor([0.])
    """
    return SELU_SCALE * Elu.apply(as_tensor(input), alpha=SELU_ALPHA)


def celu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha * (exp(x / alpha) - 1), which is alpha * elu(x / alpha).

    >>> import tapegrad as tg
    >>> celu(tg.tensor([2.0]), alpha=0.5)
    tensor([2.])
    """
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    return alpha * Elu.apply(as_tensor(input) / alpha, alpha=1.0)


def hardsigmoid(input, inplace: bool = False) -> Tensor:
    """clamp(x / 6 + 1 / 2, 0, 1), a piecewise-linear sigmoid.

    >>> import tapegrad as tg
    >>> hardsigmoid(tg.tensor([-4.0, 0.0, 4.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    return (as_tensor(input) / 6 + 0.5).clamp(0.0, 1.0)


def hardswish(input, inplace: bool = False) -> Tensor:
    """x * hardsigmoid(x).

    >>> import tapegrad as tg
    >>> hardswish(tg.tensor([-4.0, 4.0]))
    tensor([-0., 4.])
    """
    input = as_tensor(input)
    return input * hardsigmoid(input)


def mish(input, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x)).

    >>> import tapegrad as tg
    >>> mish(tg.tensor([0.0]))
    tensor([0.])
    """
    input = as_tensor(input)
    return input * Softplus.apply(input, beta=1.0, threshold=20.0).tanh()


def softsign(input) -> Tensor:
    """x / (1 + |x|).

    >>> import tapegrad as tg
    >>> softsign(tg.tensor([1.0]))
    tensor([0.5000])
    """
    input = as_tensor(input)
    return input / (1 + input.abs())


def tanhshrink(input) -> Tensor:
    """x - tanh(x).

    >>> import tapegrad as tg
    >>> tanhshrink(tg.tensor([0.0]))
    tensor([0.])
    """
    input = as_tensor(input)
    return input - input.tanh()


def logsigmoid(input) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), without overflow for large |x|.

    >>> import tapegrad as tg
    >>> logsigmoid(tg.tensor([0.0])).exp()
    tensor([0.5000])
    """
    return -Softplus.apply(-as_tensor(input), beta=1.0, threshold=20.0)


def threshold(input, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``.

    >>> import tapegrad as tg
    >>> threshold(tg.tensor([0.5, 2.0]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    input = as_tensor(input)
    return where(input.data > threshold, input, np.asarray(value, dtype=input.dtype))


def softshrink(input, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0.

    >>> import tapegrad as tg
    >>> softshrink(tg.tensor([-2.0, 0.1, 2.0]))
    tensor([-1.5000,  0.0000,  1.5000])
    """
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be non-negative, got {lambd}")
    input = as_tensor(input)
    zero = np.zeros((), dtype=input.dtype)
    return where(input.data > lambd, input - lambd,
                 where(input.data < -lambd, input + lambd, zero))


def hardshrink(input, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0.

    >>> import tapegrad as tg
    >>> hardshrink(tg.tensor([-2.0, 0.1, 2.0]))
    tensor([-2.,  0.,  2.])
    """
    input = as_tensor(input)
    return where(np.abs(input.data) > lambd, input, np.zeros((), dtype=input.dtype))


def prelu(input, weight) -> Tensor:
    """x if x > 0 else a * x, with one learned slope ``weight`` per channel (axis 1) or one
    for all.

    >>> import tapegrad as tg
    >>> prelu(tg.tensor([[-2.0, 2.0]]), tg.tensor([0.25]))
    tensor([[-0.5000,  2.0000]])
    """
    input, weight = as_tensor(input), as_tensor(weight)
    if weight.ndim != 1:
        raise ValueError(f"prelu: weight must be 1-d, got shape {weight.shape}")
    if weight.shape[0] != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1  # below 2-d: one channel
        if weight.shape[0] != channels:
            raise ValueError(f"prelu: weight has {weight.shape[0]} slopes but input of shape "
                             f"{input.shape} has {channels} channels")
        if input.ndim >= 2:
            weight = weight.reshape((-1,) + (1,) * (input.ndim - 2))
    return where(input.data > 0, input, weight * input)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """x if x >= 0 else a x: in training a ~ U(lower, upper) per element (from tapegrad's
    generator), else the fixed a = (lower + upper) / 2, as PyTorch.

    >>> import tapegrad as tg
    >>> rrelu(tg.tensor([-4.0, 2.0]), 0.1, 0.3)
    tensor([-0.8000,  2.0000])
    """
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: expected 0 <= lower <= upper, got {lower} and {upper}")
    input = as_tensor(input)
    if training:
        slope = random.generator().uniform(lower, upper, input.shape).astype(input.dtype)
    else:
        slope = np.asarray((lower + upper) / 2, dtype=input.dtype)
    return where(input.data >= 0, input, input * slope)


def glu(input, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``.

    >>> import tapegrad as tg
    >>> glu(tg.tensor([2.0, 0.0]))
    tensor([1.])
    """
    input = as_tensor(input)
    if input.ndim == 0 or input.shape[dim] % 2:
        raise ValueError(f"glu: dim {dim} of input {input.shape} must have an even size")
    first, second = input.chunk(2, dim)
    return first * second.sigmoid()


def softmin(input, dim=None) -> Tensor:
    """softmax(-x) along ``dim``.

    >>> import tapegrad as tg
    >>> softmin(tg.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    input = as_tensor(input)
    return (-input).softmax(_class_axis("softmin", dim, None, input))


def gumbel_softmax(logits, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """softmax((logits + g) / tau) with g Gumbel(0, 1) noise from ``tg.manual_seed``'s
    generator; with ``hard=True`` the one-hot of its argmax in the forward pass, with the soft
    sample's gradient (the straight-through estimator), as PyTorch.

    >>> import tapegrad as tg
    >>> sample = gumbel_softmax(tg.zeros(2, 5), hard=True)
    >>> sample.sum(dim=-1)
    tensor([1., 1.])
    """
    if tau <= 0:
        raise ValueError(f"gumbel_softmax: tau must be positive, got {tau}")
    logits = as_tensor(logits)
    uniform = random.generator().random(logits.shape)
    gumbels = -np.log(-np.log(np.clip(uniform, 1e-300, None)))  # -log(Exp(1))
    soft = ((logits + gumbels.astype(logits.dtype)) / tau).softmax(dim)
    if not hard:
        return soft
    index = np.expand_dims(soft.data.argmax(axis=dim), dim)
    one_hot = np.zeros(soft.shape, dtype=soft.dtype)
    np.put_along_axis(one_hot, index, 1, axis=dim)
    return soft - soft.detach() + one_hot


__all__ = [
    "hardtanh", "relu6", "selu", "celu", "hardsigmoid", "hardswish", "mish", "softsign",
    "tanhshrink", "logsigmoid", "threshold", "softshrink", "hardshrink", "prelu", "rrelu", "glu",
    "softmin", "gumbel_softmax", "SELU_ALPHA", "SELU_SCALE",
]
