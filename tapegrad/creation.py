"""Factories: tensors made from a shape or a range rather than from data."""

from __future__ import annotations

import numpy as np

from tapegrad import random
from tapegrad.arguments import shape_args
from tapegrad.tensor import Tensor
from tapegrad.tensor_core import wrap


def _leaf(array: np.ndarray, requires_grad: bool) -> Tensor:
    """Wrap a new array without the copy ``Tensor(...)`` makes; the setter checks the dtype."""
    result = wrap(array)
    result.requires_grad = requires_grad
    return result


def _float_dtype(dtype):
    return np.dtype(np.float64 if dtype is None else dtype)


def zeros(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``; float64 unless ``dtype``.

    >>> zeros(2)
    tensor([0., 0.])
    """
    return _leaf(np.zeros(shape_args(shape), _float_dtype(dtype)), requires_grad)


def ones(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``; float64 unless ``dtype``.

    >>> ones(2)
    tensor([1., 1.])
    """
    return _leaf(np.ones(shape_args(shape), _float_dtype(dtype)), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (its dtype by NumPy's rules).

    >>> full((2,), 7.0)
    tensor([7., 7.])
    """
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if np.asarray(fill_value).dtype.kind not in "biufc":
        raise TypeError(f"full: fill_value must be a number, got {type(fill_value).__name__} "
                        f"{fill_value!r}")
    return _leaf(np.full(shape, fill_value, dtype=dtype), requires_grad)


def zeros_like(other, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``other``'s shape and dtype (a Tensor or an array).

    >>> zeros_like(Tensor([1.0, 2.0]))
    tensor([0., 0.])
    """
    other = other.data if isinstance(other, Tensor) else np.asarray(other)
    return _leaf(np.zeros_like(other, dtype=dtype), requires_grad)


def ones_like(other, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones of ``other``'s shape and dtype (a Tensor or an array).

    >>> ones_like(Tensor([1.0, 2.0]))
    tensor([1., 1.])
    """
    other = other.data if isinstance(other, Tensor) else np.asarray(other)
    return _leaf(np.ones_like(other, dtype=dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The n-by-m identity matrix (square when ``m`` is None).

    >>> eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, end), like ``np.arange`` (ints stay ints).

    >>> arange(3)
    tensor([0, 1, 2])
    """
    if step == 0:
        raise ValueError("arange: step must not be 0")
    values = np.arange(start, step=step, dtype=dtype) if end is None else np.arange(
        start, end, step, dtype=dtype)
    return _leaf(values, requires_grad)


def rand(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1), from the generator ``tg.manual_seed`` seeds.

    >>> rand(2, 3).shape
    (2, 3)
    """
    dtype = _float_dtype(dtype)
    values = random.generator().random(shape_args(shape)).astype(dtype, copy=False)
    return _leaf(values, requires_grad)


def randn(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples, from the generator ``tg.manual_seed`` seeds.

    >>> randn(2, 3).shape
    (2, 3)
    """
    dtype = _float_dtype(dtype)
    values = random.generator().standard_normal(shape_args(shape)).astype(dtype, copy=False)
    return _leaf(values, requires_grad)
