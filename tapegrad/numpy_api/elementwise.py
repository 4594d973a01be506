"""NumPy's elementwise functions that PyTorch lacks or names differently (cbrt, fabs, rint,
real, imag, ...), and the ``reduce``/``accumulate`` methods of NumPy's ufuncs on Tensors."""

from __future__ import annotations

import numpy as np

from tapegrad import routines
from tapegrad.numpy_api import reductions
from tapegrad.numpy_api.common import as_tensor, refuse
from tapegrad.ops.complex import Angle
from tapegrad.ops.logarithms import Cbrt
from tapegrad.tensor_core import wrap


def cbrt(x):
    """``np.cbrt``: the real cube root, negative for negative x.

    >>> import tapegrad as tg
    >>> np.cbrt(tg.tensor([-8.0, 27.0], dtype=tg.float64))
    tensor([-2.,  3.], dtype=float64)
    """
    return Cbrt.apply(as_tensor(x))


def fabs(x):
    """``np.fabs``: the absolute value of a real tensor (always floating, as NumPy's).

    >>> import tapegrad as tg
    >>> np.fabs(tg.tensor([-1, 2]))
    tensor([1., 2.], dtype=float64)
    """
    x = as_tensor(x)
    return (x if x.dtype.kind == "f" else x.astype(np.float64)).abs()


def copysign(x1, x2):
    """``np.copysign``: |x1| with x2's sign; integers become float64 (NumPy's), and the
    gradient flows to x1 only.

    >>> import tapegrad as tg
    >>> np.copysign(tg.tensor([1, 2]), -1.0)
    tensor([-1., -2.], dtype=float64)
    """
    x = as_tensor(x1)
    return routines.copysign(x if x.dtype.kind in "fc" else x.astype(np.float64), x2)


def real(val):
    """``np.real``: the real part; a real tensor is its own (the same tensor, as NumPy's
    view).

    >>> import tapegrad as tg
    >>> np.real(tg.tensor([1.0 + 2j]))
    tensor([1.])
    """
    return as_tensor(val).real


def imag(val):
    """``np.imag``: the imaginary part; a real tensor's is zeros (with no gradient), as
    NumPy's.

    >>> import tapegrad as tg
    >>> np.imag(tg.tensor([1.0]))
    tensor([0.])
    """
    x = as_tensor(val)
    return x.imag if x.dtype.kind == "c" else x.new_zeros(x.shape)


def conjugate(x):
    """``np.conj``: the complex conjugate; a real tensor is its own.

    >>> import tapegrad as tg
    >>> np.conj(tg.tensor([1.0 + 2j]))
    tensor([1.-2.j])
    """
    return as_tensor(x).conj()


def angle(z, deg=False):
    """``np.angle``: the angle in radians (degrees with ``deg=True``); real tensors give 0 or
    pi, integers float64 (NumPy's dtypes).

    >>> import tapegrad as tg
    >>> np.angle(tg.tensor([1j, -1.0]), deg=True)
    tensor([ 90., 180.])
    """
    z = as_tensor(z)
    angles = Angle.apply(z if z.dtype.kind in "fc" else z.astype(np.float64))
    return angles * (180 / np.pi) if deg else angles


def iscomplexobj(x):
    """``np.iscomplexobj``: whether the dtype is complex (a Python bool).

    >>> import tapegrad as tg
    >>> np.iscomplexobj(tg.tensor([1.0 + 0j])), np.iscomplexobj(tg.tensor([1.0]))
    (True, False)
    """
    return as_tensor(x).dtype.kind == "c"


def isrealobj(x):
    """``np.isrealobj``: whether the dtype is not complex (a Python bool).

    >>> import tapegrad as tg
    >>> np.isrealobj(tg.tensor([1.0]))
    True
    """
    return not iscomplexobj(x)


def iscomplex(x):
    """``np.iscomplex``: elementwise, whether the imaginary part is nonzero (no gradient).

    >>> import tapegrad as tg
    >>> np.iscomplex(tg.tensor([1.0 + 0j, 1j]))
    tensor([False,  True])
    """
    return wrap(np.asarray(np.iscomplex(as_tensor(x)._data)))


def isreal(x):
    """``np.isreal``: elementwise, whether the imaginary part is zero (no gradient).

    >>> import tapegrad as tg
    >>> np.isreal(tg.tensor([1.0 + 0j, 1j]))
    tensor([ True, False])
    """
    return wrap(np.asarray(np.isreal(as_tensor(x)._data)))


# ------------------------------------------------------------------ ufunc.reduce / accumulate

def _reduce(name, reduction):
    def reduce(array, axis=0, dtype=None, out=None, keepdims=False, initial=reductions.NOT_GIVEN,
               where=True):
        refuse(f"{name}.reduce", out=out)
        x = as_tensor(array)
        if dtype is not None:
            x = x.astype(dtype)
        return reduction(x, axis, None, keepdims, initial, where)

    reduce.__name__ = reduce.__qualname__ = f"{name}_reduce"
    reduce.__doc__ = f"``np.{name}.reduce(t, axis=0)``, as NumPy's (axis 0 by default)."
    return reduce


def _sum(x, axis, out, keepdims, initial, where):
    return reductions.sum(x, axis, None, out, keepdims, initial, where)


def _prod(x, axis, out, keepdims, initial, where):
    return reductions.prod(x, axis, None, out, keepdims, initial, where)


add_reduce = _reduce("add", _sum)
multiply_reduce = _reduce("multiply", _prod)
maximum_reduce = _reduce("maximum", reductions.max)
minimum_reduce = _reduce("minimum", reductions.min)


def _accumulate(name, scan):
    def accumulate(array, axis=0, dtype=None, out=None):
        refuse(f"{name}.accumulate", out=out)
        x = as_tensor(array)
        if dtype is not None:
            x = x.astype(dtype)
        return scan(x, axis)

    accumulate.__name__ = accumulate.__qualname__ = f"{name}_accumulate"
    accumulate.__doc__ = f"``np.{name}.accumulate(t, axis=0)``, as NumPy's."
    return accumulate


def _running_extreme(better):
    """x's running max (or min) along ``axis``, as a pick of x's elements: the gradient goes
    to the element that is the extreme so far (the latest one, of equal ones)."""
    def scan(x, axis):
        data = x.data
        running = better.accumulate(data, axis=axis)
        positions = np.arange(data.shape[axis]).reshape(
            (-1,) + (1,) * (data.ndim - 1 - (axis % data.ndim)))
        latest = np.maximum.accumulate(np.where(data == running, positions, 0), axis=axis)
        return x.take_along_dim(latest, axis)
    return scan


add_accumulate = _accumulate("add", reductions.cumsum)
multiply_accumulate = _accumulate("multiply", reductions.cumprod)
maximum_accumulate = _accumulate("maximum", _running_extreme(np.maximum))
minimum_accumulate = _accumulate("minimum", _running_extreme(np.minimum))

UFUNC_METHODS = {
    (np.add, "reduce"): add_reduce,
    (np.multiply, "reduce"): multiply_reduce,
    (np.maximum, "reduce"): maximum_reduce,
    (np.minimum, "reduce"): minimum_reduce,
    (np.add, "accumulate"): add_accumulate,
    (np.multiply, "accumulate"): multiply_accumulate,
    (np.maximum, "accumulate"): maximum_accumulate,
    (np.minimum, "accumulate"): minimum_accumulate,
}
