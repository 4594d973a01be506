"""NumPy's creation helpers called with tensors: ``np.zeros_like(t)`` is a tensor (no graph:
its values do not depend on t's), ``np.linspace(t0, t1)`` is differentiable in its endpoints,
``np.copy(t)`` is a differentiable copy."""

from __future__ import annotations

import numpy as np

from tapegrad.numpy_api.common import as_tensor, is_tensor
from tapegrad.tensor_core import wrap


def zeros_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    """``np.zeros_like(t)``: a new tensor of zeros (no gradient), t's shape and dtype.

    >>> import tapegrad as tg
    >>> np.zeros_like(tg.ones(2))
    tensor([0., 0.])
    """
    return wrap(np.zeros_like(as_tensor(a).data, dtype=dtype, shape=shape))


def ones_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    """``np.ones_like(t)``: a new tensor of ones (no gradient), t's shape and dtype.

    >>> import tapegrad as tg
    >>> np.ones_like(tg.zeros(2))
    tensor([1., 1.])
    """
    return wrap(np.ones_like(as_tensor(a).data, dtype=dtype, shape=shape))


def empty_like(prototype, dtype=None, order="K", subok=True, shape=None, *, device=None):
    """``np.empty_like(t)``: a new tensor of t's shape and dtype; NumPy leaves its values
    arbitrary, tapegrad makes them 0.

    >>> import tapegrad as tg
    >>> np.empty_like(tg.ones(2)).shape
    (2,)
    """
    return wrap(np.zeros_like(as_tensor(prototype).data, dtype=dtype, shape=shape))


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    """``np.full_like(t, value)``: a new tensor full of ``value`` (no gradient).

    >>> import tapegrad as tg
    >>> np.full_like(tg.zeros(2), 7.0)
    tensor([7., 7.])
    """
    value = fill_value.data if is_tensor(fill_value) else fill_value
    return wrap(np.full_like(as_tensor(a).data, value, dtype=dtype, shape=shape))


def copy(a, order="K", subok=False):
    """``np.copy(t)``: a new tensor with t's values, differentiable (as ``t.clone()``).

    >>> import tapegrad as tg
    >>> np.copy(tg.tensor([1.0, 2.0]))
    tensor([1., 2.])
    """
    return as_tensor(a).clone()


def _floating(x):
    return x if x.dtype.kind in "fc" else x.astype(np.float64)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    """``np.linspace`` with tensor endpoints, differentiable in both.

    >>> import tapegrad as tg
    >>> np.linspace(tg.tensor(0.0), tg.tensor(1.0), 3)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if num < 0:
        raise ValueError(f"numpy.linspace: Number of samples, {num}, must be non-negative.")
    first, last = _floating(as_tensor(start)), _floating(as_tensor(stop))
    if not is_tensor(start):
        first = first.astype(last.dtype)
    if not is_tensor(stop):
        last = last.astype(first.dtype)
    divisions = num - 1 if endpoint else num
    step_count = np.arange(num, dtype=np.float64)
    fractions = step_count / divisions if divisions > 0 else step_count * 0
    shape = np.broadcast_shapes(first.shape, last.shape)
    fractions = np.asarray(fractions.reshape((-1,) + (1,) * len(shape)), dtype=first.dtype)
    samples = first + (last - first) * fractions
    if endpoint and num > 1:
        samples = np.concatenate([samples[:-1], (last + 0 * first).reshape((1,) + shape)])
    if axis != 0:
        samples = np.moveaxis(samples, 0, axis)
    if dtype is not None:
        samples = samples.astype(dtype)
    if retstep:
        return samples, (last - first) / divisions if divisions > 0 else np.nan
    return samples


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``np.logspace``: ``base ** linspace(start, stop)``, differentiable.

    >>> import tapegrad as tg
    >>> np.logspace(tg.tensor(0.0), tg.tensor(2.0), 3)
    tensor([  1.,  10., 100.])
    """
    exponents = linspace(start, stop, num, endpoint, axis=0)
    base = as_tensor(base)
    if base.ndim:
        base = base.reshape((1,) + base.shape)
    samples = base ** exponents if is_tensor(base) and base.requires_grad else (
        np.asarray(base.data, exponents.dtype) ** exponents)
    if axis != 0:
        samples = np.moveaxis(samples, 0, axis)
    return samples if dtype is None else samples.astype(dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``np.geomspace``: a geometric progression from start to stop (same sign, not 0).

    >>> import tapegrad as tg
    >>> np.geomspace(tg.tensor(1.0), tg.tensor(100.0), 3)  # float64 at least, as NumPy's
    tensor([  1.0000,  10.0000, 100.0000], dtype=float64)
    """
    first, last = as_tensor(start), as_tensor(stop)
    dtype = np.result_type(first.dtype, last.dtype, np.float64)  # NumPy's: float64 at least
    first, last = first.astype(dtype), last.astype(dtype)
    if np.any(first.data == 0) or np.any(last.data == 0):
        raise ValueError("numpy.geomspace: Geometric sequence cannot include zero")
    sign = np.where(np.signbit(first.data) & np.signbit(last.data), -1.0, 1.0)
    if np.any(np.signbit(first.data) != np.signbit(last.data)):
        raise TypeError("numpy.geomspace on tapegrad Tensors: endpoints of opposite signs "
                        "(complex results) are not supported")
    sign = np.asarray(sign, first.dtype)
    samples = sign * np.exp(linspace(np.log(first * sign), np.log(last * sign), num, endpoint))
    if num > 0:  # exact endpoints, as NumPy's
        ends = [first.reshape((1,) + first.shape) + 0 * samples[:1]]
        middle = samples[1:-1] if endpoint and num > 1 else samples[1:]
        tail = [last.reshape((1,) + last.shape) + 0 * samples[:1]] if endpoint and num > 1 else []
        samples = np.concatenate(ends + [middle] + tail)
    if axis != 0:
        samples = np.moveaxis(samples, 0, axis)
    return samples if dtype is None else samples.astype(dtype)
