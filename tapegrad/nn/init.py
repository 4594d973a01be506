"""Weight initialisation, in place, with PyTorch's formulas and tapegrad's seeded generator.

>>> import tapegrad as tg
>>> w = tg.zeros(3, 4)
>>> _ = tg.manual_seed(0)
>>> bool(abs(kaiming_uniform_(w).data).max() <= np.sqrt(6 / 4))
True
"""

from __future__ import annotations

import math

import numpy as np

from tapegrad import random
from tapegrad.tensor import Tensor


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The factor PyTorch scales initial weights by for a nonlinearity.

    >>> round(calculate_gain("relu"), 4)
    1.4142
    """
    if nonlinearity in ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """Inputs and outputs per unit: (in × receptive field, out × receptive field).

    >>> import tapegrad as tg
    >>> fan_in_and_fan_out(tg.zeros(16, 3, 5, 5))
    (75, 400)
    """
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out need a tensor with at least 2 dimensions, got shape "
            f"{tensor.shape}"
        )
    receptive_field = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    np.copyto(tensor.data, values, casting="unsafe")
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with samples from U(a, b).

    >>> import tapegrad as tg
    >>> bool((uniform_(tg.zeros(5), 2, 3).data >= 2).all())
    True
    """
    return _fill(tensor, random.generator().uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with samples from N(mean, std²).

    >>> import tapegrad as tg
    >>> normal_(tg.zeros(3)).shape
    (3,)
    """
    return _fill(tensor, random.generator().normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, value: float) -> Tensor:
    """Fill with ``value``.

    >>> import tapegrad as tg
    >>> constant_(tg.zeros(2), 3.0)
    tensor([3., 3.])
    """
    return _fill(tensor, np.asarray(value))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0.

    >>> import tapegrad as tg
    >>> zeros_(tg.ones(2))
    tensor([0., 0.])
    """
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1.

    >>> import tapegrad as tg
    >>> ones_(tg.zeros(2))
    tensor([1., 1.])
    """
    return constant_(tensor, 1.0)


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """He initialisation: U(-b, b) with b = gain * sqrt(3 / fan). With ``a=sqrt(5)`` this is
    PyTorch's default for Linear and Conv weights, b = 1 / sqrt(fan_in).

    >>> import tapegrad as tg
    >>> kaiming_uniform_(tg.zeros(2, 3)).shape
    (2, 3)
    """
    if tensor.numel() == 0:  # nothing to fill, and no fan to divide by (PyTorch: a no-op)
        return tensor
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    """He initialisation: N(0, std²) with std = gain / sqrt(fan).

    >>> import tapegrad as tg
    >>> kaiming_normal_(tg.zeros(2, 3)).shape
    (2, 3)
    """
    if tensor.numel() == 0:  # nothing to fill, and no fan to divide by (PyTorch: a no-op)
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode)))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot initialisation: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)).

    >>> import tapegrad as tg
    >>> xavier_uniform_(tg.zeros(2, 3)).shape
    (2, 3)
    """
    if tensor.numel() == 0:  # nothing to fill, and no fan to divide by (PyTorch: a no-op)
        return tensor
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot initialisation: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out)).

    >>> import tapegrad as tg
    >>> xavier_normal_(tg.zeros(2, 3)).shape
    (2, 3)
    """
    if tensor.numel() == 0:  # nothing to fill, and no fan to divide by (PyTorch: a no-op)
        return tensor
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))
