"""NumPy's dispatch protocols: ``np.exp(t)``, ``np.sum(t, axis=0)``, ``array + t`` on tensors
run tapegrad's ops and keep the graph. A NumPy function tapegrad does not differentiate raises
a TypeError naming it, rather than silently returning an array with no graph.

``HANDLERS`` maps each NumPy function (or ufunc) to what runs it: the ``tg.*`` function of the
same meaning (``tapegrad.routines``), or its NumPy-meaning version (``tapegrad.numpy_api``)
where NumPy's arguments, defaults or result differ from PyTorch's. Dispatch is one dict lookup.
"""

from __future__ import annotations

import operator

import numpy as np

from tapegrad import routines
from tapegrad.numpy_api import creation, elementwise, linalg, reductions, shapes
from tapegrad.numpy_api.common import refuse


def _tensor_first(operation):
    """A binary operator with its left side made a Tensor: ``array + t`` must not hand the
    call back to ``ndarray.__add__``, which would ask us again."""
    return lambda x, y: operation(routines.as_tensor(x), y)


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


def numpy_diagflat(v, k=0):
    """``np.diagflat(t, k)``: the flattened t on the k-th diagonal of a square matrix."""
    return routines.as_tensor(v).reshape(-1).diag(k)


def numpy_diagonal(a, offset=0, axis1=0, axis2=1):
    """``np.diagonal(t, offset, axis1, axis2)``: ``Tensor.diagonal`` under NumPy's keywords."""
    return routines.as_tensor(a).diagonal(offset, axis1, axis2)


def numpy_take_along_axis(arr, indices, axis=-1):
    """``np.take_along_axis(t, indices, axis)``: ``Tensor.take_along_dim`` with NumPy's
    default axis, -1 (``axis=None`` picks from the flattened t)."""
    return routines.as_tensor(arr).take_along_dim(indices, axis)


def numpy_nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """``np.nan_to_num(t)``: NumPy's arguments (``copy`` comes second), as a new tensor."""
    if not copy:
        raise TypeError("numpy.nan_to_num on tapegrad Tensors: copy=False is not supported")
    return routines.as_tensor(x).nan_to_num(nan, posinf, neginf)


def numpy_round(a, decimals=0, out=None):
    """``np.round(t, decimals)``: half to even, as NumPy's; not differentiable."""
    refuse("round", out=out)
    return routines.as_tensor(a).round(decimals)


def numpy_repeat(a, repeats, axis=None):
    """``np.repeat(t, repeats, axis)``: each element ``repeats`` times, flattened for None."""
    return routines.as_tensor(a).repeat_interleave(repeats, axis)


def numpy_clip(a, a_min=np._NoValue, a_max=np._NoValue, out=None, *, min=np._NoValue,
               max=np._NoValue):
    """``np.clip(t, a_min, a_max)``: NumPy's names and its newer ``min=``/``max=``."""
    refuse("clip", out=out)
    low = min if a_min is np._NoValue else a_min
    high = max if a_max is np._NoValue else a_max
    return routines.as_tensor(a).clip(None if low is np._NoValue else low,
                                      None if high is np._NoValue else high)


# NumPy functions whose meaning on a Tensor is NumPy's own, unlike the Tensor method (or
# tg.* function) of the same name, which is PyTorch's; and those with no method.
NUMPY_MEANINGS = {
    # reductions and scans, under NumPy's positional signatures
    np.sum: reductions.sum, np.prod: reductions.prod, np.mean: reductions.mean,
    np.var: reductions.var, np.std: reductions.std,
    np.max: reductions.max, np.amax: reductions.max,
    np.min: reductions.min, np.amin: reductions.min, np.ptp: reductions.ptp,
    np.nansum: reductions.nansum, np.nanmean: reductions.nanmean,
    np.nanmax: reductions.nanmax, np.nanmin: reductions.nanmin,
    np.nanvar: reductions.nanvar, np.nanstd: reductions.nanstd,
    np.average: reductions.average, np.median: reductions.median,
    np.quantile: reductions.quantile, np.percentile: reductions.percentile,
    np.cumsum: reductions.cumsum, np.cumprod: reductions.cumprod,
    np.diff: reductions.diff, np.ediff1d: reductions.ediff1d, np.gradient: reductions.gradient,
    np.trace: reductions.trace,
    np.all: reductions.all, np.any: reductions.any, np.count_nonzero: reductions.count_nonzero,
    np.argmax: reductions.argmax, np.argmin: reductions.argmin,
    np.isclose: reductions.isclose, np.allclose: reductions.allclose,
    np.array_equal: reductions.array_equal, np.array_equiv: reductions.array_equiv,
    # elementwise with NumPy's arguments
    np.nan_to_num: numpy_nan_to_num, np.round: numpy_round, np.around: numpy_round,
    np.clip: numpy_clip, np.real: elementwise.real, np.imag: elementwise.imag,
    np.angle: elementwise.angle, np.iscomplexobj: elementwise.iscomplexobj,
    np.isrealobj: elementwise.isrealobj, np.iscomplex: elementwise.iscomplex,
    np.isreal: elementwise.isreal,
    np.sinc: routines.sinc,
    # shape, joining, splitting, selection, sorting
    np.transpose: numpy_transpose, np.flip: numpy_flip, np.roll: numpy_roll,
    np.rot90: numpy_rot90, np.tril: numpy_tril, np.triu: numpy_triu, np.diag: numpy_diag,
    np.diagflat: numpy_diagflat, np.diagonal: numpy_diagonal,
    np.take_along_axis: numpy_take_along_axis, np.expand_dims: routines.expand_dims,
    np.repeat: numpy_repeat, np.squeeze: shapes.squeeze, np.ravel: shapes.ravel,
    np.reshape: shapes.reshape, np.rollaxis: shapes.rollaxis, np.resize: shapes.resize,
    np.atleast_1d: shapes.atleast_1d, np.atleast_2d: shapes.atleast_2d,
    np.atleast_3d: shapes.atleast_3d,
    np.concatenate: shapes.concatenate, np.stack: shapes.stack, np.hstack: shapes.hstack,
    np.vstack: shapes.vstack, np.row_stack: shapes.vstack, np.dstack: shapes.dstack,
    np.column_stack: shapes.column_stack,
    np.append: shapes.append, np.insert: shapes.insert, np.delete: shapes.delete,
    np.split: shapes.split, np.array_split: shapes.array_split, np.hsplit: shapes.hsplit,
    np.vsplit: shapes.vsplit, np.dsplit: shapes.dsplit,
    np.take: shapes.take, np.put_along_axis: shapes.put_along_axis, np.choose: shapes.choose,
    np.select: shapes.select, np.compress: shapes.compress, np.extract: shapes.extract,
    np.sort: shapes.sort, np.argsort: shapes.argsort, np.partition: shapes.partition,
    np.argpartition: shapes.argpartition, np.searchsorted: shapes.searchsorted,
    np.unique: shapes.unique, np.pad: shapes.pad, np.broadcast_arrays: shapes.broadcast_arrays,
    np.meshgrid: shapes.meshgrid, np.where: routines.where,
    np.shape: lambda a: routines.as_tensor(a).shape, np.ndim: lambda a: routines.as_tensor(a).ndim,
    np.size: lambda a, axis=None: (routines.as_tensor(a).numel() if axis is None
                                   else routines.as_tensor(a).shape[axis]),
    # products and linear algebra
    np.dot: linalg.dot, np.vdot: linalg.vdot, np.inner: linalg.inner, np.outer: linalg.outer,
    np.tensordot: linalg.tensordot, np.einsum: linalg.einsum, np.kron: linalg.kron,
    np.cross: linalg.cross,
    np.linalg.norm: linalg.norm, np.linalg.inv: linalg.inv, np.linalg.pinv: linalg.pinv,
    np.linalg.det: linalg.det, np.linalg.slogdet: linalg.slogdet, np.linalg.solve: linalg.solve,
    np.linalg.lstsq: linalg.lstsq, np.linalg.cholesky: linalg.cholesky, np.linalg.qr: linalg.qr,
    np.linalg.eigh: linalg.eigh, np.linalg.eigvalsh: linalg.eigvalsh, np.linalg.svd: linalg.svd,
    np.linalg.matrix_power: linalg.matrix_power, np.linalg.multi_dot: linalg.multi_dot,
    # creation helpers that take a tensor
    np.zeros_like: creation.zeros_like, np.ones_like: creation.ones_like,
    np.full_like: creation.full_like, np.empty_like: creation.empty_like,
    np.copy: creation.copy, np.linspace: creation.linspace, np.logspace: creation.logspace,
    np.geomspace: creation.geomspace,
}

# NumPy's ufuncs: Python's operators, and elementwise math (tg.* functions where PyTorch has
# the function; NumPy's own otherwise).
UFUNCS = {
    np.add: _tensor_first(operator.add),
    np.subtract: _tensor_first(operator.sub),
    np.multiply: _tensor_first(operator.mul),
    np.divide: _tensor_first(operator.truediv),
    np.power: _tensor_first(operator.pow),
    np.float_power: lambda x, y: routines.as_tensor(x).astype(np.float64) ** y,
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
    np.maximum: routines.maximum, np.minimum: routines.minimum,
    np.fmax: routines.fmax, np.fmin: routines.fmin,
    np.tan: routines.tan, np.arcsin: routines.arcsin, np.arccos: routines.arccos,
    np.arctan: routines.arctan, np.sinh: routines.sinh, np.cosh: routines.cosh,
    np.arcsinh: routines.arcsinh, np.arccosh: routines.arccosh, np.arctanh: routines.arctanh,
    np.arctan2: routines.arctan2, np.hypot: routines.hypot,
    np.log2: routines.log2, np.log10: routines.log10,
    np.logaddexp: routines.logaddexp, np.logaddexp2: routines.logaddexp2,
    np.deg2rad: routines.deg2rad, np.radians: routines.deg2rad,
    np.rad2deg: routines.rad2deg, np.degrees: routines.rad2deg,
    np.copysign: elementwise.copysign, np.heaviside: routines.heaviside,
    np.signbit: routines.signbit, np.cbrt: elementwise.cbrt, np.fabs: elementwise.fabs,
    np.rint: routines.round, np.conjugate: elementwise.conjugate,
}

# Every NumPy function and ufunc tapegrad runs on Tensors: the table's rows, then the rest.
HANDLERS = {
    **{numpy_function: getattr(routines, name)
       for name, numpy_functions in routines.SAME_AS_METHOD.items()
       for numpy_function in numpy_functions},
    **NUMPY_MEANINGS,
    **UFUNCS,
}

# ``np.add.reduce(t)``, ``np.maximum.accumulate(t)``, ...: (ufunc, method) -> handler
UFUNC_METHODS = elementwise.UFUNC_METHODS


def _unsupported(name: str) -> TypeError:
    return TypeError(
        f"{name} is not supported on tapegrad Tensors (it would drop the graph); call it on "
        "t.detach().numpy() (or t.data) to get an array, when no gradient is needed"
    )


def array_ufunc(ufunc, method: str, *inputs, **kwargs):
    """Run a NumPy ufunc call on tensors as tapegrad's op, or raise a TypeError naming it."""
    if method == "__call__":
        handler = HANDLERS.get(ufunc)
        if handler is not None:
            if not kwargs:  # the usual case: one dict lookup, then the op
                return handler(*inputs)
            return _with_ufunc_options(ufunc, handler, inputs, kwargs)
    else:
        handler = UFUNC_METHODS.get((ufunc, method))
        if handler is not None:
            return handler(*inputs, **kwargs)
    detail = "" if method == "__call__" else f".{method}"
    raise _unsupported(f"numpy.{ufunc.__name__}{detail}")


def _with_ufunc_options(ufunc, handler, inputs, kwargs):
    """A ufunc call with ``dtype=`` (the inputs cast first) or ``where=`` (NumPy leaves the
    other elements of a new result uninitialized; tapegrad makes them 0); ``out=`` and
    NumPy's casting options are refused by name."""
    options = dict(kwargs)
    dtype, where = options.pop("dtype", None), options.pop("where", True)
    name = f"numpy.{ufunc.__name__}"
    if options.get("out") is not None:
        raise TypeError(f"{name} on tapegrad Tensors: out= is not supported (a tensor's result "
                        "is always a new tensor; assign it instead)")
    options.pop("out", None)
    if options:
        raise TypeError(f"{name} on tapegrad Tensors: {', '.join(sorted(options))}= is not "
                        "supported")
    if dtype is not None:
        inputs = [routines.as_tensor(x).astype(dtype) for x in inputs]
    result = handler(*inputs)
    if where is True:
        return result
    return routines.where(where.data if hasattr(where, "data") else where, result, 0)


def array_function(func, args, kwargs):
    """Run a NumPy function on tensors as tapegrad's op, or raise a TypeError naming it."""
    handler = HANDLERS.get(func)
    if handler is None:
        raise _unsupported(f"{func.__module__}.{func.__name__}")
    try:
        return handler(*args, **kwargs)
    except TypeError as error:
        if "argument" in str(error):  # an option tapegrad's version does not take
            raise TypeError(f"{func.__module__}.{func.__name__} on tapegrad Tensors: "
                            f"{error}") from None
        raise


# The README's table: one row per room the NumPy functions run in, in this order.
_FAMILIES = (
    ("tapegrad.routines", "the `tg.*` function of the same meaning (listed as np name: tg name "
     "where the names differ)"),
    ("operators", "Python's operators, or the tensor's shape"),
    ("tapegrad.numpy_api.elementwise", "NumPy's elementwise meaning (`numpy_api/elementwise.py`)"),
    ("tapegrad.numpy_api.reductions", "NumPy's reductions and scans, NumPy's positional "
     "signatures (`numpy_api/reductions.py`)"),
    ("tapegrad.numpy_api.shapes", "NumPy's shape, joining, selection, sorting and padding "
     "(`numpy_api/shapes.py`)"),
    ("tapegrad.numpy_api.linalg", "NumPy's products and `numpy.linalg` (`numpy_api/linalg.py`)"),
    ("tapegrad.numpy_api.creation", "creation helpers that take tensors "
     "(`numpy_api/creation.py`)"),
    ("tapegrad.numpy_protocol", "NumPy's keywords on a PyTorch-named op "
     "(`numpy_protocol.py`)"),
)


def supported_functions() -> dict:
    """Every NumPy name tapegrad runs on Tensors -> (the room that runs it, the tg.* name or
    None): the source of the README's table (a test keeps the two equal).

    >>> supported_functions()["np.exp"]
    ('tapegrad.routines', 'exp')
    """
    rows = {}
    for numpy_function, handler in HANDLERS.items():
        rows[_numpy_name(numpy_function)] = _room(handler)
    for (ufunc, method), handler in UFUNC_METHODS.items():
        rows[f"np.{ufunc.__name__}.{method}"] = _room(handler)
    return dict(sorted(rows.items()))


def _numpy_name(function) -> str:
    module = "np" if isinstance(function, np.ufunc) or function.__module__ == "numpy" else (
        "np." + function.__module__.split(".", 1)[1])
    return f"{module}.{function.__name__}"


def _room(handler) -> tuple:
    module = getattr(handler, "__module__", "")
    if module == "tapegrad.routines":
        return module, handler.__name__
    if module in ("operator", "_operator") or (module == __name__
                                               and handler.__name__ == "<lambda>"):
        return "operators", None
    return module, None


def readme_table() -> str:
    """The README's table of the NumPy functions that run on tensors, made from HANDLERS.

    >>> readme_table().splitlines()[0]
    '| NumPy functions on tensors | run as |'
    """
    rows = supported_functions()
    lines = ["| NumPy functions on tensors | run as |", "| --- | --- |"]
    for room, description in _FAMILIES:
        names = [name if tg_name is None or name.rsplit(".", 1)[-1] == tg_name
                 else f"{name}: tg.{tg_name}"
                 for name, (where, tg_name) in rows.items() if where == room]
        lines.append(f"| {', '.join(f'`{n}`' for n in names)} | {description} |")
    return "\n".join(lines) + "\n"
