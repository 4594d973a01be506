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


UFUNCS = {
    np.add: _tensor_first(operator.add),
    np.subtract: _tensor_first(operator.sub),
    np.multiply: _tensor_first(operator.mul),
    np.divide: _tensor_first(operator.truediv),
    np.power: _tensor_first(operator.pow),
    np.matmul: _tensor_first(operator.matmul),
    np.negative: operator.neg,
    np.positive: operator.pos,
    np.exp: routines.exp,
    np.log: routines.log,
    np.log1p: routines.log1p,
    np.expm1: routines.expm1,
    np.sqrt: routines.sqrt,
    np.absolute: routines.abs,
    np.sign: routines.sign,
    np.sin: routines.sin,
    np.cos: routines.cos,
    np.tanh: routines.tanh,
    np.maximum: routines.maximum,
    np.minimum: routines.minimum,
    np.greater: _tensor_first(operator.gt),
    np.greater_equal: _tensor_first(operator.ge),
    np.less: _tensor_first(operator.lt),
    np.less_equal: _tensor_first(operator.le),
    np.equal: _tensor_first(operator.eq),
    np.not_equal: _tensor_first(operator.ne),
    np.bitwise_and: _tensor_first(operator.and_),
    np.logical_and: _tensor_first(operator.and_),
    np.bitwise_or: _tensor_first(operator.or_),
    np.logical_or: _tensor_first(operator.or_),
    np.bitwise_xor: _tensor_first(operator.xor),
    np.logical_xor: _tensor_first(operator.xor),
    np.invert: operator.invert,
    np.logical_not: operator.invert,
}

FUNCTIONS = {
    np.sum: routines.sum,
    np.mean: routines.mean,
    np.max: routines.max,
    np.amax: routines.max,
    np.min: routines.min,
    np.amin: routines.min,
    np.prod: routines.prod,
    np.var: routines.var,
    np.std: routines.std,
    np.argmax: routines.argmax,
    np.argmin: routines.argmin,
    np.reshape: routines.reshape,
    np.transpose: routines.transpose,
    np.swapaxes: routines.swapaxes,
    np.squeeze: routines.squeeze,
    np.expand_dims: routines.expand_dims,
    np.broadcast_to: routines.broadcast_to,
    np.concatenate: routines.concatenate,
    np.stack: routines.stack,
    np.where: routines.where,
    np.clip: routines.clip,
    np.pad: routines.pad,
    np.tile: routines.tile,
    np.dot: routines.matmul,
    np.shape: lambda x: x.shape,
    np.ndim: lambda x: x.ndim,
    np.size: lambda x: x.size,
}


def _unsupported(name: str) -> TypeError:
    return TypeError(
        f"{name} is not supported on tapegrad Tensors (it would drop the graph); call it on "
        "t.data, or t.detach().numpy(), when no gradient is needed"
    )


def array_ufunc(ufunc, method: str, *inputs, **kwargs):
    """Run a NumPy ufunc call on tensors as tapegrad's op, or raise a TypeError naming it."""
    handler = UFUNCS.get(ufunc)
    if handler is None or method != "__call__" or kwargs:
        detail = "" if method == "__call__" else f".{method}"
        extra = f" with {', '.join(sorted(kwargs))}=" if kwargs and handler is not None else ""
        raise _unsupported(f"numpy.{ufunc.__name__}{detail}{extra}")
    return handler(*inputs)


def array_function(func, args, kwargs):
    """Run a NumPy function on tensors as tapegrad's op, or raise a TypeError naming it."""
    handler = FUNCTIONS.get(func)
    name = f"{func.__module__}.{func.__name__}"
    if handler is None:
        raise _unsupported(name)
    try:
        return handler(*args, **kwargs)
    except TypeError as error:
        if "argument" in str(error):  # an option tapegrad's version does not take
            raise TypeError(f"{name} on tapegrad Tensors: {error}") from None
        raise
