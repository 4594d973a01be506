"""Which array module (NumPy or CuPy) a tensor's data lives on.

Ops are written with NumPy functions (``np.exp(x)``, ``x @ y``). NumPy hands a call on a CuPy
array to CuPy through its dispatch protocols (``__array_ufunc__``, ``__array_function__``), so
ops need not know the device. Only code that *creates* arrays from nothing (factories, gradient
buffers) asks this module which array module to use.
"""

from __future__ import annotations

import types

import numpy as np


def array_module(array) -> types.ModuleType:
    """Return the module, ``numpy`` or ``cupy``, that owns ``array``.

    >>> array_module(np.zeros(3)).__name__
    'numpy'
    """
    if type(array).__module__.startswith("cupy"):
        import cupy

        return cupy
    return np


def as_array(value, dtype=None):
    """Return ``value`` as an array of its own module, without copying when it already is one.

    NumPy ufuncs on 0-d inputs return NumPy scalars; this turns them back into 0-d arrays.

    >>> as_array(np.float64(2.0)).shape
    ()
    """
    return array_module(value).asarray(value, dtype=dtype)


def copy_array(value, dtype):
    """Return a new array holding ``value`` as ``dtype``, on ``value``'s module.

    >>> copy_array(np.float64(1.5), np.float32)
    array(1.5, dtype=float32)
    """
    return array_module(value).array(value, dtype=dtype)
