"""Weight initialisation, in place, with PyTorch's formulas and names (``torch.nn.init``'s
every function), drawing from ``generator=`` (a ``tg.Generator``) or tapegrad's default one.

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
    if nonlinearity in ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d",
                        "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is not None and (isinstance(param, bool) or not isinstance(param, (int, float))):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
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


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with samples from U(a, b).

    >>> import tapegrad as tg
    >>> bool((uniform_(tg.zeros(5), 2, 3).data >= 2).all())
    True
    """
    return _fill(tensor, random.generator(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with samples from N(mean, std²).

    >>> import tapegrad as tg
    >>> normal_(tg.zeros(3)).shape
    (3,)
    """
    return _fill(tensor, random.generator(generator).normal(mean, std, tensor.shape))


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
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He initialisation: U(-b, b) with b = gain * sqrt(3 / fan). With ``a=sqrt(5)`` this is
    PyTorch's default for Linear and Conv weights, b = 1 / sqrt(fan_in).

    >>> import tapegrad as tg
    >>> kaiming_uniform_(tg.zeros(2, 3)).shape
    (2, 3)
    """
    if tensor.numel() == 0:  # nothing to fill, and no fan to divide by (PyTorch: a no-op)
        return tensor
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He initialisation: N(0, std²) with std = gain / sqrt(fan).

    >>> import tapegrad as tg
    >>> kaiming_normal_(tg.zeros(2, 3)).shape
    (2, 3)
    """
    if tensor.numel() == 0:  # nothing to fill, and no fan to divide by (PyTorch: a no-op)
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot initialisation: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)).

    >>> import tapegrad as tg
    >>> xavier_uniform_(tg.zeros(2, 3)).shape
    (2, 3)
    """
    if tensor.numel() == 0:  # nothing to fill, and no fan to divide by (PyTorch: a no-op)
        return tensor
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot initialisation: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out)).

    >>> import tapegrad as tg
    >>> xavier_normal_(tg.zeros(2, 3)).shape
    (2, 3)
    """
    if tensor.numel() == 0:  # nothing to fill, and no fan to divide by (PyTorch: a no-op)
        return tensor
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill with N(mean, std²) truncated to [a, b] (bounds in the values' units, as PyTorch):
    draws outside are drawn again, so the values follow the truncated normal exactly.

    >>> import tapegrad as tg
    >>> bool(abs(trunc_normal_(tg.zeros(1000), a=-0.5, b=0.5).data).max() <= 0.5)
    True
    """
    if not a < b:
        raise ValueError(f"trunc_normal_: a ({a}) must be below b ({b})")
    if std <= 0:
        raise ValueError(f"trunc_normal_: std must be positive, got {std}")
    rng = random.generator(generator)
    values = rng.normal(mean, std, tensor.shape)
    outside = (values < a) | (values > b)
    for _ in range(10_000):  # each round redraws the stragglers; a thin window needs more
        if not outside.any():
            return _fill(tensor, values)
        values[outside] = rng.normal(mean, std, int(outside.sum()))
        outside = (values < a) | (values > b)
    raise ValueError(f"trunc_normal_: [{a}, {b}] holds almost none of N({mean}, {std}²)")


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-d tensor with the identity (ones on the diagonal of a rectangle too).

    >>> import tapegrad as tg
    >>> eye_(tg.zeros(2, 3))
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-d tensors are supported, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-d convolution weight with the Dirac delta, so the convolution
    passes its input channels through (within each of ``groups``).

    >>> import tapegrad as tg
    >>> dirac_(tg.zeros(2, 2, 3))[:, :, 1]
    tensor([[1., 0.],
            [0., 1.]])
    """
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only 3-, 4- and 5-d tensors are supported, got shape "
                         f"{tensor.shape}")
    if groups < 1 or tensor.shape[0] % groups:
        raise ValueError(f"dirac_: dim 0 ({tensor.shape[0]}) must be divisible by groups "
                         f"({groups})")
    per_group = tensor.shape[0] // groups
    values = np.zeros(tensor.shape)
    centre = tuple(size // 2 for size in tensor.shape[2:])
    for group in range(groups):
        for channel in range(min(per_group, tensor.shape[1])):
            values[(group * per_group + channel, channel) + centre] = 1
    return _fill(tensor, values)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain``: the Q of a Gaussian matrix's QR
    decomposition, signs fixed so it is uniformly distributed; trailing axes are flattened.

    >>> import tapegrad as tg
    >>> w = orthogonal_(tg.zeros(3, 3), generator=tg.Generator().manual_seed(0)).data
    >>> bool(np.allclose(w @ w.T, np.eye(3), atol=1e-6))
    True
    """
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {tensor.shape}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    columns = tensor.numel() // rows
    gaussian = random.generator(generator).normal(0.0, 1.0, (rows, columns))
    if rows < columns:
        gaussian = gaussian.T
    q, r = np.linalg.qr(gaussian)
    q *= np.sign(np.diag(r))  # makes the decomposition unique, and Q uniform
    if rows < columns:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Fill a 2-d tensor with N(0, std²) values, then zero ceil(sparsity × rows) entries of
    each column, at random rows.

    >>> import tapegrad as tg
    >>> w = sparse_(tg.zeros(10, 4), sparsity=0.3)
    >>> (w.data == 0).sum(axis=0).tolist()
    [3, 3, 3, 3]
    """
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: only 2-d tensors are supported, got shape {tensor.shape}")
    if not 0 <= sparsity <= 1:
        raise ValueError(f"sparse_: sparsity must be in [0, 1], got {sparsity}")
    rows, columns = tensor.shape
    rng = random.generator(generator)
    values = rng.normal(0.0, std, (rows, columns))
    zeros = math.ceil(sparsity * rows)
    for column in range(columns):
        values[rng.permutation(rows)[:zeros], column] = 0
    return _fill(tensor, values)


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``fan_in_and_fan_out`` under PyTorch's (private) name ``_calculate_fan_in_and_fan_out``
    without the underscore.

    >>> import tapegrad as tg
    >>> calculate_fan_in_and_fan_out(tg.zeros(4, 3))
    (3, 4)
    """
    return fan_in_and_fan_out(tensor)


_calculate_fan_in_and_fan_out = fan_in_and_fan_out  # PyTorch's name, which user code calls
