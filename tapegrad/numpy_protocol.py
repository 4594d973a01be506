"""NumPy's dispatch protocols: ``np.exp(t)``, ``np.sum(t, axis=0)``, ``array + t`` on tensors
run tapegrad's ops and keep the graph. A NumPy function tapegrad does not differentiate raises
a TypeError naming it, rather than silently returning an array with no graph.
"""

from __future__ import annotations

import operator

import numpy as np

from tapegrad import routines


def _tensor_first(operation):
    """A binary operator with its left side made a Tensor: ``array + t`` must not hand the
    call back to ``ndarray.__add__``, which would ask us again."""
    return lambda x, y: operation(routines.as_tensor(x), y)


def numpy_max(a, axis=None, out=None, keepdims=False, **options):
    """``np.max(t, axis)``: the largest values (NumPy's meaning: values only, no indices)."""
    return _reduction("max", a, axis, out, keepdims, options)


def numpy_min(a, axis=None, out=None, keepdims=False, **options):
    """``np.min(t, axis)``: the smallest values (NumPy's meaning: values only, no indices)."""
    return _reduction("min", a, axis, out, keepdims, options)


def numpy_mean(a, axis=None, dtype=None, out=None, keepdims=False, **options):
    """``np.mean(t, axis)``: the mean; integers are averaged in float64 (NumPy's meaning)."""
    _no_numpy_options("mean", out=out, **options)
    tensor = routines.as_tensor(a)
    if dtype is None and tensor.dtype.kind not in "fc":
        dtype = np.float64
    return tensor.mean(axis, keepdims, dtype=dtype)


def numpy_var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **options):
    """``np.var(t, axis)``: the variance dividing by n - ddof, ``ddof=0`` by default (NumPy's)."""
    _no_numpy_options("var", dtype=dtype, out=out, **options)
    return routines.as_tensor(a).var(axis, ddof=ddof, keepdims=keepdims)


def numpy_std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **options):
    """``np.std(t, axis)``: the standard deviation, ``ddof=0`` by default (NumPy's)."""
    _no_numpy_options("std", dtype=dtype, out=out, **options)
    return routines.as_tensor(a).std(axis, ddof=ddof, keepdims=keepdims)


def numpy_dot(a, b, out=None):
    """``np.dot(a, b)``: the matrix product for 1-d and 2-d operands. (Beyond 2-d NumPy's dot
    pairs axes unlike matmul; tapegrad does not differentiate that one.)"""
    _no_numpy_options("dot", out=out)
    if np.ndim(a) > 2 or np.ndim(b) > 2:
        raise TypeError(
            f"numpy.dot of operands with {np.ndim(a)} and {np.ndim(b)} dimensions is not "
            "supported on tapegrad Tensors (beyond 2-d it is not matmul); use np.matmul or @"
        )
    return routines.matmul(a, b)


def numpy_transpose(a, axes=None):
    """``np.transpose(t, axes)``: reverse the axes, or reorder them as ``axes`` says (NumPy's
    meaning; ``tg.transpose(t, dim0, dim1)`` swaps two, as PyTorch's)."""
    x = routines.as_tensor(a)
    return x.permute(tuple(reversed(range(x.ndim))) if axes is None else axes)


def numpy_flip(m, axis=None):
    """``np.flip(t, axis)``: reverse along ``axis`` (an int or a tuple), every axis by default
    (``Tensor.flip`` has no default, as PyTorch's)."""
    x = routines.as_tensor(m)
    return x.flip(tuple(range(x.ndim)) if axis is None else axis)


def numpy_roll(a, shift, axis=None):
    """``np.roll(t, shift, axis)``: ``Tensor.roll(shifts, dims)`` under NumPy's keywords."""
    return routines.as_tensor(a).roll(shift, axis)


def numpy_rot90(m, k=1, axes=(0, 1)):
    """``np.rot90(t, k, axes)``: ``Tensor.rot90(k, dims)`` under NumPy's keywords."""
    return routines.as_tensor(m).rot90(k, axes)


def numpy_tril(m, k=0):
    """``np.tril(t, k)``; a 1-d t is first the square matrix whose rows are t (NumPy's)."""
    return _square_if_vector(m).tril(k)


def numpy_triu(m, k=0):
    """``np.triu(t, k)``; a 1-d t is first the square matrix whose rows are t (NumPy's)."""
    return _square_if_vector(m).triu(k)


def _square_if_vector(m):
    x = routines.as_tensor(m)
    return x.expand(x.shape[0], x.shape[0]) if x.ndim == 1 else x


def numpy_diag(v, k=0):
    """``np.diag(t, k)``: ``Tensor.diag(diagonal)`` under NumPy's keyword."""
    return routines.as_tensor(v).diag(k)


def numpy_diagonal(a, offset=0, axis1=0, axis2=1):
    """``np.diagonal(t, offset, axis1, axis2)``: ``Tensor.diagonal`` under NumPy's keywords."""
    return routines.as_tensor(a).diagonal(offset, axis1, axis2)


def numpy_diff(a, n=1, axis=-1, prepend=None, append=None):
    """``np.diff(t, n, axis, prepend, append)``: a number (or 0-d array) in ``prepend`` or
    ``append`` stands for one slice along ``axis`` full of it (NumPy's meaning)."""
    x = routines.as_tensor(a)

    def edge(value):
        if value is None or np.ndim(value) != 0:
            return value
        shape = list(x.shape)
        shape[axis] = 1
        return routines.as_tensor(value).broadcast_to(tuple(shape))

    return x.diff(n, axis, edge(prepend), edge(append))


def numpy_take_along_axis(arr, indices, axis=-1):
    """``np.take_along_axis(t, indices, axis)``: ``Tensor.take_along_dim`` with NumPy's
    default axis, -1 (``axis=None`` picks from the flattened t)."""
    return routines.as_tensor(arr).take_along_dim(indices, axis)


def numpy_nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """``np.nan_to_num(t)``: NumPy's arguments (``copy`` comes second), as a new tensor."""
    if not copy:
        raise TypeError("numpy.nan_to_num on tapegrad Tensors: copy=False is not supported")
    return routines.as_tensor(x).nan_to_num(nan, posinf, neginf)


def numpy_sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """``np.sort(t, axis)``: the sorted values (NumPy's meaning: no indices), of the flattened
    tensor for ``axis=None``. tapegrad's sort is always stable, whatever ``kind``."""
    _no_numpy_options("sort", order=order)
    tensor = routines.as_tensor(a)
    return (tensor.reshape(-1).sort() if axis is None else tensor.sort(axis)).values


def numpy_cumsum(a, axis=None, dtype=None, out=None):
    """``np.cumsum(t, axis)``: running sums; of the flattened tensor for ``axis=None``."""
    _no_numpy_options("cumsum", out=out)
    tensor = routines.as_tensor(a)
    return tensor.reshape(-1).cumsum(0, dtype=dtype) if axis is None else tensor.cumsum(
        axis, dtype=dtype)


def numpy_cumprod(a, axis=None, dtype=None, out=None):
    """``np.cumprod(t, axis)``: running products; of the flattened tensor for ``axis=None``."""
    _no_numpy_options("cumprod", out=out)
    tensor = routines.as_tensor(a)
    return tensor.reshape(-1).cumprod(0, dtype=dtype) if axis is None else tensor.cumprod(
        axis, dtype=dtype)


def _reduction(name, a, axis, out, keepdims, options):
    # amax/amin: values only, over any axes (t.max(dim) would add the indices)
    _no_numpy_options(name, out=out, **options)
    return getattr(routines.as_tensor(a), "a" + name)(axis, keepdims)


def _no_numpy_options(name: str, **options) -> None:
    given = sorted(option for option, value in options.items() if value is not None)
    if given:
        raise TypeError(f"numpy.{name} on tapegrad Tensors: {', '.join(given)}= is not supported")


# NumPy functions whose meaning on a Tensor is NumPy's own, unlike the Tensor method (or
# tg.* function) of the same name, which is PyTorch's; and those with no method.
NUMPY_MEANINGS = {
    np.max: numpy_max,
    np.amax: numpy_max,
    np.min: numpy_min,
    np.amin: numpy_min,
    np.mean: numpy_mean,
    np.var: numpy_var,
    np.std: numpy_std,
    np.dot: numpy_dot,
    np.sort: numpy_sort,
    np.cumsum: numpy_cumsum,
    np.cumprod: numpy_cumprod,
    np.einsum: routines.einsum,
    np.nan_to_num: numpy_nan_to_num,
    np.transpose: numpy_transpose,
    np.flip: numpy_flip,
    np.roll: numpy_roll,
    np.rot90: numpy_rot90,
    np.tril: numpy_tril,
    np.triu: numpy_triu,
    np.diag: numpy_diag,
    np.diagonal: numpy_diagonal,
    np.diff: numpy_diff,
    np.take_along_axis: numpy_take_along_axis,
    np.expand_dims: routines.expand_dims,
    np.concatenate: routines.concatenate,
    np.stack: routines.stack,
    np.where: routines.where,
    np.pad: routines.pad,
    np.maximum: routines.maximum,
    np.minimum: routines.minimum,
    np.shape: lambda x: x.shape,
    np.ndim: lambda x: x.ndim,
    np.size: lambda x: x.numel(),
}

# Python's operators, as NumPy's ufuncs.
OPERATORS = {
    np.add: _tensor_first(operator.add),
    np.subtract: _tensor_first(operator.sub),
    np.multiply: _tensor_first(operator.mul),
    np.divide: _tensor_first(operator.truediv),
    np.power: _tensor_first(operator.pow),
    np.negative: operator.neg,
    np.positive: operator.pos,
    np.greater: _tensor_first(operator.gt),
    np.greater_equal: _tensor_first(operator.ge),
    np.less: _tensor_first(operator.lt),
    np.less_equal: _tensor_first(operator.le),
    np.equal: _tensor_first(operator.eq),
    np.not_equal: _tensor_first(operator.ne),
    np.bitwise_and: _tensor_first(operator.and_),
    np.bitwise_or: _tensor_first(operator.or_),
    np.bitwise_xor: _tensor_first(operator.xor),
    np.invert: operator.invert,
}

# Every NumPy function and ufunc tapegrad runs on Tensors: the table's rows, then the rest.
HANDLERS = {
    **{numpy_function: getattr(routines, name)
       for name, numpy_functions in routines.SAME_AS_METHOD.items()
       for numpy_function in numpy_functions},
    **NUMPY_MEANINGS,
    **OPERATORS,
}


def _unsupported(name: str) -> TypeError:
    return TypeError(
        f"{name} is not supported on tapegrad Tensors (it would drop the graph); call it on "
        "t._data, or t.detach().numpy(), when no gradient is needed"
    )


def array_ufunc(ufunc, method: str, *inputs, **kwargs):
    """Run a NumPy ufunc call on tensors as tapegrad's op, or raise a TypeError naming it."""
    handler = HANDLERS.get(ufunc)
    if handler is None or method != "__call__" or kwargs:
        detail = "" if method == "__call__" else f".{method}"
        extra = f" with {', '.join(sorted(kwargs))}=" if kwargs and handler is not None else ""
        raise _unsupported(f"numpy.{ufunc.__name__}{detail}{extra}")
    return handler(*inputs)


def array_function(func, args, kwargs):
    """Run a NumPy function on tensors as tapegrad's op, or raise a TypeError naming it."""
    handler = HANDLERS.get(func)
    name = f"{func.__module__}.{func.__name__}"
    if handler is None:
        raise _unsupported(name)
    try:
        return handler(*args, **kwargs)
    except TypeError as error:
        if "argument" in str(error):  # an option tapegrad's version does not take
            raise TypeError(f"{name} on tapegrad Tensors: {error}") from None
        raise
