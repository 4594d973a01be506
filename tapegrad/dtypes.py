"""dtypes: PyTorch's names for NumPy's dtypes, and the default float dtype of new tensors.

A tapegrad dtype is a NumPy dtype, so ``tg.float32 == np.float32`` and ``t.dtype == tg.int64``
hold. The aliases are PyTorch's: ``tg.float`` is float32 and ``tg.double`` float64, ``tg.int``
is int32 and ``tg.long`` int64.

>>> float, long  # tg.float, tg.long
(dtype('float32'), dtype('int64'))

This module imports NumPy only, so every floor of the package can read the default dtype.
"""

from __future__ import annotations

import numpy as np

# What Python floats and the factories become when no dtype is given: PyTorch's float32.
INITIAL_DEFAULT_DTYPE = np.dtype(np.float32)

_default_dtype = INITIAL_DEFAULT_DTYPE


def get_default_dtype() -> np.dtype:
    """The floating dtype that factories and Python floats get when no dtype is given.

    >>> get_default_dtype() == INITIAL_DEFAULT_DTYPE
    True
    """
    return _default_dtype


def set_default_dtype(d) -> None:
    """Make ``d`` (a floating dtype) the default of factories and Python floats.

    As in PyTorch, the default is global (not per thread) and must be floating point.

    >>> set_default_dtype(np.float32); get_default_dtype()
    dtype('float32')
    >>> set_default_dtype(INITIAL_DEFAULT_DTYPE)
    >>> set_default_dtype(np.int64)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: set_default_dtype: only floating-point types are supported ..., got int64
    """
    global _default_dtype
    if d is None:  # np.dtype(None) would quietly mean float64
        raise TypeError("set_default_dtype: expected a floating dtype such as tg.float32, "
                        "got None")
    dtype = np.dtype(d)
    if dtype.kind != "f":
        raise TypeError("set_default_dtype: only floating-point types are supported as the "
                        f"default type, got {dtype}")
    _default_dtype = dtype


def default_complex_dtype() -> np.dtype:
    """The complex dtype that pairs with the default float dtype (complex128 for float64).

    >>> default_complex_dtype() == np.result_type(get_default_dtype(), np.complex64)
    True
    """
    return np.result_type(_default_dtype, np.complex64)


# The names: defined last, because ``float``, ``int`` and ``bool`` shadow Python's in here.
float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
complex64 = np.dtype(np.complex64)
complex128 = np.dtype(np.complex128)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)

half = float16
float = float32  # PyTorch's tg.float is float32, not Python's float (float64)
double = float64
short = int16
int = int32  # PyTorch's tg.int is int32, as C's int
long = int64
