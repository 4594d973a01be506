"""NumPy's reductions and scans on Tensors, under NumPy's signatures: ``np.sum(a, axis, dtype,
out, keepdims, initial, where)`` and so on, positional or by keyword, with NumPy's defaults
(``np.var`` divides by n, ``np.median`` averages the two middle values)."""

from __future__ import annotations

import builtins

import numpy as np

from tapegrad.arguments import checked_axis
from tapegrad.numpy_api.common import NOT_GIVEN, as_tensor, refuse
from tapegrad.tensor_core import wrap


def _prepared(a, dtype=None, where=True, fill=0, floating=False):
    """``a`` as a tensor in ``dtype``, with the elements ``where`` excludes replaced by the
    reduction's neutral value ``fill`` (so they add nothing, and get a zero gradient).
    ``floating``: integers and booleans are taken in float64, as NumPy's var and std do."""
    x = as_tensor(a)
    if dtype is None and floating and x.dtype.kind not in "fc":
        dtype = np.float64
    if dtype is not None:
        x = x.astype(dtype)
    if where is not True:
        x = np.where(where, x, fill)
    return x


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _numpy_accumulator(x, dtype):
    """The dtype NumPy sums and multiplies ``x`` in: unsigned integers in uint64 (the Tensor
    methods, as PyTorch's, use int64), anything else as the Tensor methods do (None)."""
    return np.uint64 if dtype is None and x.dtype.kind == "u" else dtype


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=NOT_GIVEN,  # noqa: A001
        where=True):
    """``np.sum``: NumPy's positional order (``np.sum(t, 0, np.float64)`` sums in float64).

    >>> import tapegrad as tg
    >>> np.sum(tg.tensor([[1.0, 2.0], [3.0, 4.0]]), 0, np.float64)
    tensor([4., 6.], dtype=float64)
    """
    refuse("sum", out=out)
    x = _prepared(a, dtype, where, 0)
    total = x.sum(_axis(axis), bool(keepdims), dtype=_numpy_accumulator(x, dtype))
    return total if initial is NOT_GIVEN else total + initial


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=NOT_GIVEN, where=True):
    """``np.prod`` under NumPy's signature.

    >>> import tapegrad as tg
    >>> np.prod(tg.tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
    tensor([ 2., 12.])
    """
    refuse("prod", out=out)
    x = _prepared(a, dtype, where, 1)
    total = x.prod(_axis(axis), bool(keepdims), dtype=_numpy_accumulator(x, dtype))
    return total if initial is NOT_GIVEN else total * initial


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """``np.mean``: integers are averaged in float64 (NumPy's meaning).

    >>> import tapegrad as tg
    >>> np.mean(tg.tensor([1, 2]))
    tensor(1.5000, dtype=float64)
    """
    refuse("mean", out=out)
    x = as_tensor(a)
    if dtype is None and x.dtype.kind not in "fc":
        dtype = np.float64
    if where is True:
        return x.mean(_axis(axis), bool(keepdims), dtype=dtype)
    count = np.sum(np.broadcast_to(where, x.shape), axis=_axis(axis), keepdims=bool(keepdims))
    return sum(x, axis, dtype, None, keepdims, where=where) / count


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=None, correction=NOT_GIVEN):
    """``np.var``: divides by n - ddof, ``ddof=0`` by default (NumPy's meaning).

    >>> import tapegrad as tg
    >>> np.var(tg.tensor([1.0, 3.0]))
    tensor(1.)
    """
    refuse("var", out=out, mean=mean, where=None if where is True else where)
    ddof = ddof if correction is NOT_GIVEN else correction
    return _prepared(a, dtype, floating=True).var(_axis(axis), ddof=ddof,
                                                  keepdims=bool(keepdims))


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=None, correction=NOT_GIVEN):
    """``np.std``: ``ddof=0`` by default; over equal values the gradient is 0.

    >>> import tapegrad as tg
    >>> np.std(tg.tensor([1.0, 3.0]))
    tensor(1.)
    """
    refuse("std", out=out, mean=mean, where=None if where is True else where)
    ddof = ddof if correction is NOT_GIVEN else correction
    return _prepared(a, dtype, floating=True).std(_axis(axis), ddof=ddof,
                                                  keepdims=bool(keepdims))


def _extreme(name, fill):
    def extreme(a, axis=None, out=None, keepdims=False, initial=NOT_GIVEN, where=True):
        refuse(name, out=out)
        if where is not True and initial is NOT_GIVEN:
            raise ValueError(f"numpy.{name}: reduction with where= needs an initial value")
        x = _prepared(a, None, where, fill)
        result = getattr(x, "a" + name)(_axis(axis), bool(keepdims))
        if initial is NOT_GIVEN:
            return result
        return (np.maximum if name == "max" else np.minimum)(result, initial)

    extreme.__name__ = extreme.__qualname__ = name
    extreme.__doc__ = (f"``np.{name}(t, axis)``: the {'largest' if name == 'max' else 'smallest'}"
                       f" values only (NumPy's meaning), ``initial`` and ``where`` as NumPy's."
                       f"\n\n    >>> import tapegrad as tg\n    >>> np.{name}(tg.tensor([[1.0, "
                       f"5.0]]), axis=1)\n    tensor([{'5' if name == 'max' else '1'}.])\n    ")
    return extreme


max = _extreme("max", -np.inf)  # noqa: A001
min = _extreme("min", np.inf)  # noqa: A001


def ptp(a, axis=None, out=None, keepdims=False):
    """``np.ptp``: largest minus smallest value ("peak to peak").

    >>> import tapegrad as tg
    >>> np.ptp(tg.tensor([1.0, 5.0, 2.0]))
    tensor(4.)
    """
    refuse("ptp", out=out)
    x = as_tensor(a)
    return x.amax(_axis(axis), bool(keepdims)) - x.amin(_axis(axis), bool(keepdims))


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=NOT_GIVEN, where=True):
    """``np.nansum``: the sum treating nan as 0 (nan entries get a zero gradient).

    >>> import tapegrad as tg
    >>> np.nansum(tg.tensor([1.0, float("nan"), 2.0]))
    tensor(3.)
    """
    refuse("nansum", out=out)
    x = _without_nan(_prepared(a, dtype, where, 0), 0)
    return sum(x, axis, None, None, keepdims, initial)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """``np.nanmean``: the mean of the elements that are not nan.

    >>> import tapegrad as tg
    >>> np.nanmean(tg.tensor([1.0, float("nan"), 2.0]))
    tensor(1.5000)
    """
    refuse("nanmean", out=out)
    x = _prepared(a, dtype, where, np.nan)
    if x.dtype.kind not in "fc":
        x = x.astype(np.float64)
    count = _count_numbers(x, axis, keepdims)
    return _without_nan(x, 0).sum(_axis(axis), bool(keepdims)) / count


def _without_nan(x, fill):
    return np.where(np.isnan(x.data), fill, x) if x.dtype.kind in "fc" else x


def _count_numbers(x, axis, keepdims):
    return np.sum(~np.isnan(x.data), axis=_axis(axis), keepdims=bool(keepdims)).astype(x.dtype)


def _nan_extreme(name, fill):
    def nan_extreme(a, axis=None, out=None, keepdims=False, initial=NOT_GIVEN, where=True):
        refuse(name, out=out)
        x = _prepared(a, None, where, np.nan)
        result = (max if name == "nanmax" else min)(_without_nan(x, fill), axis, None,
                                                    keepdims, initial)
        all_nan = np.all(np.isnan(x.data), axis=_axis(axis), keepdims=bool(keepdims))
        return np.where(all_nan, np.nan, result) if np.any(all_nan) else result

    nan_extreme.__name__ = nan_extreme.__qualname__ = name
    nan_extreme.__doc__ = (f"``np.{name}``: ``np.{name[3:]}`` ignoring nan (nan where all are)."
                           f"\n\n    >>> import tapegrad as tg\n    >>> np.{name}(tg.tensor("
                           f"[float('nan'), 2.0]))\n    tensor(2.)\n    ")
    return nan_extreme


nanmax = _nan_extreme("nanmax", -np.inf)
nanmin = _nan_extreme("nanmin", np.inf)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=None, correction=NOT_GIVEN):
    """``np.nanvar``: the variance of the elements that are not nan.

    >>> import tapegrad as tg
    >>> np.nanvar(tg.tensor([1.0, float("nan"), 3.0]))
    tensor(1.)
    """
    refuse("nanvar", out=out, mean=mean)
    ddof = ddof if correction is NOT_GIVEN else correction
    x = _prepared(a, dtype, floating=True)
    x = x if where is True else np.where(where, x, np.nan)
    count = _count_numbers(x, axis, True)
    numbers = _without_nan(x, 0)
    centre = numbers.sum(_axis(axis), True) / count
    deviations = _without_nan(np.where(np.isnan(x.data), 0, numbers - centre), 0)
    squares = (deviations * deviations).sum(_axis(axis), bool(keepdims))
    if not keepdims:
        count = count.reshape(squares.shape)
    return squares / (count - ddof)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=None, correction=NOT_GIVEN):
    """``np.nanstd``: the standard deviation of the elements that are not nan.

    >>> import tapegrad as tg
    >>> np.nanstd(tg.tensor([1.0, float("nan"), 3.0]))
    tensor(1.)
    """
    return np.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean,
                          correction=correction))


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """``np.average``: the mean weighted by ``weights`` (a tensor too, differentiable), which
    may be 1-d along a single ``axis``; with ``returned``, also the sum of the weights.

    >>> import tapegrad as tg
    >>> np.average(tg.tensor([1.0, 3.0]), weights=tg.tensor([3.0, 1.0]))
    tensor(1.5000)
    """
    x = as_tensor(a)
    if weights is None:
        result = mean(x, axis, keepdims=keepdims)
        total = np.asarray(x.data.size / builtins.max(result.data.size, 1), result.dtype)
        return (result, wrap(np.broadcast_to(total, result.shape).copy())) if returned else result
    w = as_tensor(weights)
    if w.shape != x.shape:
        if axis is None or w.ndim != 1 or not isinstance(axis, int):
            raise TypeError(f"numpy.average: weights of shape {w.shape} differ from a's shape "
                            f"{x.shape}; give 1-d weights together with one int axis")
        axis = checked_axis("average", axis, x.ndim)
        if w.shape[0] != x.shape[axis]:
            raise ValueError(f"numpy.average: {w.shape[0]} weights for axis {axis} of length "
                             f"{x.shape[axis]}")
        w = w.reshape((-1,) + (1,) * (x.ndim - 1 - axis))
        w = w.broadcast_to(x.shape)
    total = w.sum(_axis(axis), bool(keepdims))
    if np.any(total.data == 0):
        raise ZeroDivisionError("numpy.average: weights sum to zero, can't be normalized")
    result = (x * w).sum(_axis(axis), bool(keepdims)) / total
    return (result, total) if returned else result


def _sorted_along(a, axis):
    """(the values sorted along one axis moved to the front, the other axes' shape)."""
    x = as_tensor(a)
    if axis is None:
        x, axis = x.reshape(-1), 0
    elif isinstance(axis, (tuple, list)):
        raise TypeError("numpy.median/quantile on tapegrad Tensors: axis must be an int or "
                        "None, not a tuple")
    axis = checked_axis("quantile", axis, x.ndim)
    return np.moveaxis(np.sort(x, axis=axis), axis, 0), axis


def _keep(result, a, axis, keepdims, leading=0):
    if not keepdims:
        return result
    x = as_tensor(a)
    kept = [1] * x.ndim if axis is None else [1 if i == axis else n
                                               for i, n in enumerate(x.shape)]
    return result.reshape(result.shape[:leading] + tuple(kept))


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):
    """``np.quantile`` with NumPy's default (linear) method: between the two nearest sorted
    values, weighted by how close each is; differentiable in ``a``.

    >>> import tapegrad as tg
    >>> np.quantile(tg.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
    tensor(2.5000)
    """
    refuse("quantile", out=out, weights=weights, interpolation=interpolation)
    if method != "linear":
        raise ValueError(f"numpy.quantile on tapegrad Tensors: only method='linear' is "
                         f"supported, got {method!r}")
    q = q.data if hasattr(q, "data") else q
    dtype = np.result_type(as_tensor(a).dtype, q if isinstance(q, (int, float)) else np.asarray(q))
    a = as_tensor(a).astype(dtype) if dtype.kind == "f" else as_tensor(a)
    q = np.asarray(q, dtype=np.float64)
    if np.any((q < 0) | (q > 1)):
        raise ValueError("numpy.quantile: quantiles must be in the range [0, 1]")
    ordered, axis_position = _sorted_along(a, axis)
    count = ordered.shape[0]
    if count == 0:
        raise ValueError("numpy.quantile: cannot take a quantile of an empty axis")
    position = q * (count - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, count - 1)
    fraction = (position - below).astype(ordered.dtype)
    fraction = fraction.reshape(fraction.shape + (1,) * (ordered.ndim - 1))
    low, high = ordered[below], ordered[above]
    result = low + (high - low) * fraction
    if np.isnan(ordered.data).any():  # NumPy's: a nan anywhere in the slice makes it nan
        has_nan = np.isnan(ordered.data).any(axis=0)
        result = np.where(has_nan, np.nan, result)
    return _keep(result, a, None if axis is None else axis_position, keepdims, q.ndim)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None):
    """``np.percentile``: ``np.quantile`` with q in percent.

    >>> import tapegrad as tg
    >>> np.percentile(tg.tensor([1.0, 2.0, 3.0]), 50)
    tensor(2.)
    """
    if np.any((np.asarray(q) < 0) | (np.asarray(q) > 100)):
        raise ValueError("numpy.percentile: percentiles must be in the range [0, 100]")
    q = q / 100 if isinstance(q, (int, float)) else np.asarray(q, dtype=np.float64) / 100
    return quantile(a, q, axis, out, overwrite_input, method, keepdims, weights=weights,
                    interpolation=interpolation)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """``np.median``: of an even count the mean of the two middle values (NumPy's meaning;
    ``tg.median`` is PyTorch's lower median).

    >>> import tapegrad as tg
    >>> np.median(tg.tensor([4.0, 1.0, 3.0, 2.0]))
    tensor(2.5000)
    """
    refuse("median", out=out)
    return quantile(a, 0.5, axis, keepdims=keepdims)


def cumsum(a, axis=None, dtype=None, out=None):
    """``np.cumsum``: running sums; of the flattened tensor for ``axis=None``.

    >>> import tapegrad as tg
    >>> np.cumsum(tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([ 1.,  3.,  6., 10.])
    """
    refuse("cumsum", out=out)
    x = as_tensor(a)
    dtype = _numpy_accumulator(x, dtype)
    return x.reshape(-1).cumsum(0, dtype=dtype) if axis is None else x.cumsum(axis,
                                                                                dtype=dtype)


def cumprod(a, axis=None, dtype=None, out=None):
    """``np.cumprod``: running products; of the flattened tensor for ``axis=None``.

    >>> import tapegrad as tg
    >>> np.cumprod(tg.tensor([1.0, 2.0, 3.0]))
    tensor([1., 2., 6.])
    """
    refuse("cumprod", out=out)
    x = as_tensor(a)
    dtype = _numpy_accumulator(x, dtype)
    return x.reshape(-1).cumprod(0, dtype=dtype) if axis is None else x.cumprod(axis,
                                                                                  dtype=dtype)


def diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    """``np.diff``: a number in ``prepend`` or ``append`` stands for one slice along ``axis``
    full of it (NumPy's meaning).

    >>> import tapegrad as tg
    >>> np.diff(tg.tensor([1.0, 4.0, 9.0]), prepend=0.0)  # 0.0 is a float64 array to NumPy
    tensor([1., 3., 5.], dtype=float64)
    """
    x = as_tensor(a)

    def edge(value):
        if value is np._NoValue or value is None:
            return None
        if np.ndim(value) != 0:
            return value
        shape = list(x.shape)
        shape[axis] = 1
        return as_tensor(value).astype(x.dtype).broadcast_to(tuple(shape))

    # NumPy makes prepend and append arrays, which can widen the result (0.5 makes float64)
    given = [as_tensor(v).dtype for v in (prepend, append)
             if v is not np._NoValue and v is not None]
    dtype = np.result_type(x.dtype, *given)
    if dtype != x.dtype:
        x = x.astype(dtype)
    return x.diff(n, axis, edge(prepend), edge(append))


def ediff1d(ary, to_end=None, to_begin=None):
    """``np.ediff1d``: differences of the flattened tensor, with optional values before and
    after.

    >>> import tapegrad as tg
    >>> np.ediff1d(tg.tensor([1.0, 4.0, 9.0]), to_begin=0.0)
    tensor([0., 3., 5.])
    """
    x = as_tensor(ary).reshape(-1)
    parts = [x[1:] - x[:-1]]
    if to_begin is not None:
        parts.insert(0, as_tensor(to_begin).astype(x.dtype).reshape(-1))
    if to_end is not None:
        parts.append(as_tensor(to_end).astype(x.dtype).reshape(-1))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def gradient(f, *varargs, axis=None, edge_order=1):
    """``np.gradient`` with uniform spacing (one number per axis, or one for all): central
    differences inside, one-sided ones (of ``edge_order`` 1 or 2) at the edges.

    >>> import tapegrad as tg
    >>> np.gradient(tg.tensor([1.0, 4.0, 9.0, 16.0]))
    tensor([3., 4., 6., 7.])
    """
    x = as_tensor(f)
    if x.dtype.kind not in "fc":
        x = x.astype(np.float64)
    axes = tuple(range(x.ndim)) if axis is None else (
        (axis,) if isinstance(axis, int) else tuple(axis))
    axes = tuple(checked_axis("gradient", a, x.ndim) for a in axes)
    spacings = list(varargs) if len(varargs) > 1 else list(varargs) * len(axes) or [1.0] * len(
        axes)
    if len(spacings) != len(axes) or builtins.any(np.ndim(h) != 0 for h in spacings):
        raise TypeError("numpy.gradient on tapegrad Tensors: give one scalar spacing, or one "
                        "per axis (coordinate arrays are not supported)")
    if edge_order not in (1, 2):
        raise ValueError("numpy.gradient: edge_order must be 1 or 2")
    results = [_gradient_along(x, a, float(h), edge_order) for a, h in zip(axes, spacings)]
    return results[0] if len(results) == 1 else tuple(results)


def _gradient_along(x, axis, h, edge_order):
    if x.shape[axis] < edge_order + 1:
        raise ValueError("numpy.gradient: shape of array too small to calculate a numerical "
                         f"gradient, at least (edge_order + 1) = {edge_order + 1} elements "
                         "are required")

    def part(start, stop):
        index = [slice(None)] * x.ndim
        index[axis] = slice(start, stop)
        return x[tuple(index)]

    n = x.shape[axis]
    inside = (part(2, n) - part(0, n - 2)) / (2 * h)
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / h
        last = (part(n - 1, n) - part(n - 2, n - 1)) / h
    else:
        first = (-3 * part(0, 1) + 4 * part(1, 2) - part(2, 3)) / (2 * h)
        last = (3 * part(n - 1, n) - 4 * part(n - 2, n - 1) + part(n - 3, n - 2)) / (2 * h)
    return np.concatenate([first, inside, last], axis=axis)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """``np.trace``: the sum along a diagonal, over any two axes.

    >>> import tapegrad as tg
    >>> np.trace(tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(5.)
    """
    refuse("trace", out=out)
    return sum(as_tensor(a).diagonal(offset, axis1, axis2), -1, dtype)


# ------------------------------------------------------------------ no gradient: tests of values

def all(a, axis=None, out=None, keepdims=False, *, where=True):  # noqa: A001
    """``np.all``: whether every element is true (no gradient; ``np.all(t == 1)`` works).

    >>> import tapegrad as tg
    >>> bool(np.all(tg.tensor([1.0, 1.0]) == 1))
    True
    """
    refuse("all", out=out)
    return wrap(np.asarray(np.all(as_tensor(a).data, axis=_axis(axis), keepdims=bool(keepdims),
                                  where=where)))


def any(a, axis=None, out=None, keepdims=False, *, where=True):  # noqa: A001
    """``np.any``: whether some element is true (no gradient).

    >>> import tapegrad as tg
    >>> bool(np.any(tg.tensor([0.0, 2.0]) > 1))
    True
    """
    refuse("any", out=out)
    return wrap(np.asarray(np.any(as_tensor(a).data, axis=_axis(axis), keepdims=bool(keepdims),
                                  where=where)))


def count_nonzero(a, axis=None, *, keepdims=False):
    """``np.count_nonzero``: how many elements are not zero (no gradient).

    >>> import tapegrad as tg
    >>> np.count_nonzero(tg.tensor([0.0, 2.0, 3.0]))
    tensor(2)
    """
    return wrap(np.asarray(np.count_nonzero(as_tensor(a).data, axis=_axis(axis),
                                            keepdims=keepdims)))


def argmax(a, axis=None, out=None, *, keepdims=False):
    """``np.argmax``: the index of the largest value (of the flattened tensor by default).

    >>> import tapegrad as tg
    >>> np.argmax(tg.tensor([1.0, 5.0, 2.0]))
    tensor(1)
    """
    refuse("argmax", out=out)
    return wrap(np.asarray(np.argmax(as_tensor(a).data, axis=axis, keepdims=keepdims)))


def argmin(a, axis=None, out=None, *, keepdims=False):
    """``np.argmin``: the index of the smallest value (of the flattened tensor by default).

    >>> import tapegrad as tg
    >>> np.argmin(tg.tensor([1.0, 5.0, 0.5]))
    tensor(2)
    """
    refuse("argmin", out=out)
    return wrap(np.asarray(np.argmin(as_tensor(a).data, axis=axis, keepdims=keepdims)))


def _values(x):
    return x.data if hasattr(x, "data") and not isinstance(x, np.ndarray) else x


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``np.isclose``: elementwise closeness, a boolean tensor (no gradient).

    >>> import tapegrad as tg
    >>> np.isclose(tg.tensor([1.0, 2.0]), [1.0, 2.1])
    tensor([ True, False])
    """
    return wrap(np.asarray(np.isclose(_values(a), _values(b), rtol, atol, equal_nan)))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``np.allclose``: whether all elements are close, a Python bool (NumPy's).

    >>> import tapegrad as tg
    >>> np.allclose(tg.tensor([1.0, 2.0]), [1.0, 2.0])
    True
    """
    return bool(np.allclose(_values(a), _values(b), rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    """``np.array_equal``: same shape and elements, a Python bool.

    >>> import tapegrad as tg
    >>> np.array_equal(tg.tensor([1.0, 2.0]), [1.0, 2.0])
    True
    """
    return bool(np.array_equal(_values(a1), _values(a2), equal_nan=equal_nan))


def array_equiv(a1, a2):
    """``np.array_equiv``: equal after broadcasting, a Python bool.

    >>> import tapegrad as tg
    >>> np.array_equiv(tg.tensor([1.0, 1.0]), 1.0)
    True
    """
    return bool(np.array_equiv(_values(a1), _values(a2)))
