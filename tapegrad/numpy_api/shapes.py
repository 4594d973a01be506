"""NumPy's shape, joining, splitting, selection and sorting functions on Tensors, with
NumPy's semantics (``np.squeeze(t, 0)`` on an axis of length 2 raises, ``np.concatenate(...,
axis=None)`` flattens first, ``np.split`` insists on equal parts)."""

from __future__ import annotations

import builtins
import operator

import numpy as np

from tapegrad import routines
from tapegrad.arguments import AxisError, checked_axis
from tapegrad.numpy_api import reductions
from tapegrad.numpy_api.common import as_tensor, is_tensor, refuse
from tapegrad.ops.padding import PickByAxes, index_maps
from tapegrad.ops.shape import Pad
from tapegrad.tensor_core import wrap


def _along(axis, index):
    """An index that applies ``index`` to ``axis`` and keeps every other axis whole."""
    return (slice(None),) * axis + (index,)


# ------------------------------------------------------------------ shape

def squeeze(a, axis=None):
    """``np.squeeze``: drop axes of length 1; naming an axis of another length is an error
    (NumPy's; ``Tensor.squeeze`` leaves it, as PyTorch's).

    >>> import tapegrad as tg
    >>> np.squeeze(tg.zeros(1, 3, 1), 0).shape
    (3, 1)
    """
    x = as_tensor(a)
    if axis is None:
        return x.squeeze()
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = tuple(checked_axis("squeeze", item, x.ndim) for item in axes)
    for item in axes:
        if x.shape[item] != 1:
            raise ValueError(f"numpy.squeeze: cannot select an axis to squeeze out which has "
                             f"size not equal to one (axis {item} of shape {x.shape})")
    return x.reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes))


def ravel(a, order="C"):
    """``np.ravel``: the elements as one axis.

    >>> import tapegrad as tg
    >>> np.ravel(tg.zeros(2, 3)).shape
    (6,)
    """
    _c_order("ravel", order)
    return as_tensor(a).reshape(-1)


def _c_order(name, order):
    if order not in ("C", "A", "K", None):
        raise ValueError(f"numpy.{name} on tapegrad Tensors: only C order is supported, got "
                         f"order={order!r}")


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    """``np.reshape`` (C order).

    >>> import tapegrad as tg
    >>> np.reshape(tg.zeros(6), (2, 3)).shape
    (2, 3)
    """
    _c_order("reshape", order)
    return as_tensor(a).reshape(newshape if shape is None else shape)


def rollaxis(a, axis, start=0):
    """``np.rollaxis``: move ``axis`` to lie before position ``start``.

    >>> import tapegrad as tg
    >>> np.rollaxis(tg.zeros(2, 3, 4), 2).shape
    (4, 2, 3)
    """
    x = as_tensor(a)
    axis = checked_axis("rollaxis", axis, x.ndim)
    if not -x.ndim <= start <= x.ndim:
        raise AxisError(f"numpy.rollaxis: start {start} is out of range for {x.ndim} axes")
    start %= x.ndim + 1
    if axis < start:
        start -= 1
    return x.moveaxis(axis, start) if axis != start else x.reshape(x.shape)


def resize(a, new_shape):
    """``np.resize``: the elements repeated in order to fill ``new_shape``.

    >>> import tapegrad as tg
    >>> np.resize(tg.tensor([1.0, 2.0, 3.0]), (2, 2))
    tensor([[1., 2.],
            [3., 1.]])
    """
    x = as_tensor(a).reshape(-1)
    shape = (new_shape,) if isinstance(new_shape, int) else tuple(new_shape)
    size = int(np.prod(shape))
    if size == 0 or x.shape[0] == 0:
        return x.new_zeros(shape)
    copies = -(-size // x.shape[0])
    return x.tile(copies)[:size].reshape(shape)


def _atleast(ndim, arys):
    def lift(value):
        x = as_tensor(value)
        if x.ndim >= ndim:
            return x
        if ndim == 3 and x.ndim == 2:
            return x.reshape(x.shape + (1,))
        if ndim == 3 and x.ndim == 1:
            return x.reshape((1,) + x.shape + (1,))
        return x.reshape((1,) * (ndim - x.ndim) + x.shape)

    results = tuple(lift(value) for value in arys)
    return results[0] if len(results) == 1 else results


def atleast_1d(*arys):
    """``np.atleast_1d``: 0-d becomes shape (1,).

    >>> import tapegrad as tg
    >>> np.atleast_1d(tg.tensor(1.0)).shape
    (1,)
    """
    return _atleast(1, arys)


def atleast_2d(*arys):
    """``np.atleast_2d``: (N,) becomes (1, N).

    >>> import tapegrad as tg
    >>> np.atleast_2d(tg.zeros(3)).shape
    (1, 3)
    """
    return _atleast(2, arys)


def atleast_3d(*arys):
    """``np.atleast_3d``: (N,) becomes (1, N, 1), (M, N) becomes (M, N, 1).

    >>> import tapegrad as tg
    >>> np.atleast_3d(tg.zeros(2, 3)).shape
    (2, 3, 1)
    """
    return _atleast(3, arys)


# ------------------------------------------------------------------ joining

def _tensors(name, arrays):
    if is_tensor(arrays) or not isinstance(arrays, (list, tuple)):
        raise TypeError(f"numpy.{name}: expected a sequence of tensors or arrays, got "
                        f"{type(arrays).__name__}")
    if not arrays:
        raise ValueError(f"numpy.{name}: need at least one array to concatenate")
    return [as_tensor(value) for value in arrays]


def concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """``np.concatenate``: ``axis=None`` joins the flattened tensors.

    >>> import tapegrad as tg
    >>> np.concatenate([tg.ones(2, 1), tg.zeros(2, 1)], axis=None)
    tensor([1., 1., 0., 0.])
    """
    refuse("concatenate", out=out)
    tensors = _tensors("concatenate", arrays)
    if dtype is not None:
        tensors = [x.astype(dtype) for x in tensors]
    if axis is None:
        tensors, axis = [x.reshape(-1) for x in tensors], 0
    if builtins.any(x.ndim == 0 for x in tensors):
        raise ValueError("numpy.concatenate: zero-dimensional arrays cannot be concatenated")
    if len({x.ndim for x in tensors}) != 1:
        raise ValueError("numpy.concatenate: all the input arrays must have the same number of "
                         f"dimensions, got shapes {[x.shape for x in tensors]}")
    return routines.concatenate(tensors, axis)


def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """``np.stack``: join tensors of one shape along a new axis.

    >>> import tapegrad as tg
    >>> np.stack([tg.ones(2), tg.zeros(2)], 1).shape
    (2, 2)
    """
    refuse("stack", out=out)
    tensors = _tensors("stack", arrays)
    if dtype is not None:
        tensors = [x.astype(dtype) for x in tensors]
    if len({x.shape for x in tensors}) != 1:
        raise ValueError(f"numpy.stack: all input arrays must have the same shape, got "
                         f"{[x.shape for x in tensors]}")
    return routines.stack(tensors, axis)


def hstack(tup, *, dtype=None, casting="same_kind"):
    """``np.hstack``: along the columns (axis 1), or axis 0 for 1-d tensors.

    >>> import tapegrad as tg
    >>> np.hstack([tg.ones(2), tg.zeros(1)])
    tensor([1., 1., 0.])
    """
    tensors = [atleast_1d(x) for x in _tensors("hstack", tup)]
    return concatenate(tensors, 0 if tensors[0].ndim == 1 else 1, dtype=dtype)


def vstack(tup, *, dtype=None, casting="same_kind"):
    """``np.vstack``: along the rows, 1-d tensors as rows.

    >>> import tapegrad as tg
    >>> np.vstack([tg.ones(2), tg.zeros(2)]).shape
    (2, 2)
    """
    return concatenate([atleast_2d(x) for x in _tensors("vstack", tup)], 0, dtype=dtype)


def dstack(tup):
    """``np.dstack``: along a third axis.

    >>> import tapegrad as tg
    >>> np.dstack([tg.ones(2), tg.zeros(2)]).shape
    (1, 2, 2)
    """
    return concatenate([atleast_3d(x) for x in _tensors("dstack", tup)], 2)


def column_stack(tup):
    """``np.column_stack``: 1-d tensors as columns, side by side.

    >>> import tapegrad as tg
    >>> np.column_stack([tg.ones(3), tg.zeros(3)]).shape
    (3, 2)
    """
    tensors = [x.reshape(-1, 1) if x.ndim < 2 else x for x in _tensors("column_stack", tup)]
    return concatenate(tensors, 1)


def append(arr, values, axis=None):
    """``np.append``: join at the end; flattened when ``axis`` is None.

    >>> import tapegrad as tg
    >>> np.append(tg.ones(2), tg.zeros(1))
    tensor([1., 1., 0.])
    """
    x, v = as_tensor(arr), as_tensor(values)
    if v.dtype != x.dtype and v.dtype.kind not in "fc":
        v = v.astype(x.dtype)
    if axis is None:
        return concatenate([x.reshape(-1), v.reshape(-1)])
    return concatenate([x, v], axis)


def insert(arr, obj, values, axis=None):
    """``np.insert``: ``values`` inserted before the positions ``obj`` along ``axis``
    (flattened when None); differentiable in both.

    >>> import tapegrad as tg
    >>> np.insert(tg.tensor([1.0, 2.0]), 1, 5.0)
    tensor([1., 5., 2.])
    """
    x = as_tensor(arr)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = checked_axis("insert", axis, x.ndim)
    v = as_tensor(values).astype(x.dtype)
    count = x.shape[axis]
    positions = obj.data if is_tensor(obj) else obj
    if isinstance(positions, slice):
        positions = np.arange(*positions.indices(count))
    if np.ndim(positions) == 0:
        v = v.reshape((1,) * (x.ndim - v.ndim) + v.shape)
        v = v.moveaxis(0, axis)
        inserted = v.shape[axis]
    else:
        inserted = len(positions)
    block = list(x.shape)
    block[axis] = inserted
    v = v.broadcast_to(tuple(block))
    order = np.insert(np.arange(count), positions, np.arange(count, count + inserted))
    return routines.concatenate([x, v], axis)[_along(axis, order)]


def delete(arr, obj, axis=None):
    """``np.delete``: drop the positions ``obj`` along ``axis`` (flattened when None).

    >>> import tapegrad as tg
    >>> np.delete(tg.tensor([1.0, 2.0, 3.0]), 1)
    tensor([1., 3.])
    """
    x = as_tensor(arr)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = checked_axis("delete", axis, x.ndim)
    kept = np.delete(np.arange(x.shape[axis]), obj.data if is_tensor(obj) else obj)
    return x[_along(axis, kept)]


# ------------------------------------------------------------------ splitting

def split(ary, indices_or_sections, axis=0):
    """``np.split``: a list of parts; a number of sections must divide the axis exactly.

    >>> import tapegrad as tg
    >>> [part.shape for part in np.split(tg.zeros(4, 2), 2)]
    [(2, 2), (2, 2)]
    """
    x = as_tensor(ary)
    if np.ndim(indices_or_sections) == 0:
        length = x.shape[checked_axis("split", axis, x.ndim)]
        if indices_or_sections <= 0 or length % indices_or_sections:
            raise ValueError("numpy.split: array split does not result in an equal division "
                             f"({length} into {indices_or_sections})")
    return array_split(x, indices_or_sections, axis)


def array_split(ary, indices_or_sections, axis=0):
    """``np.array_split``: a list of parts, the first ones one longer when uneven.

    >>> import tapegrad as tg
    >>> [part.shape for part in np.array_split(tg.zeros(5), 2)]
    [(3,), (2,)]
    """
    x = as_tensor(ary)
    axis = checked_axis("array_split", axis, x.ndim)
    length = x.shape[axis]
    if np.ndim(indices_or_sections) == 0:
        sections = operator.index(indices_or_sections)
        if sections <= 0:
            raise ValueError("numpy.array_split: number sections must be larger than 0.")
        size, extra = divmod(length, sections)
        bounds = np.cumsum([0] + [size + 1] * extra + [size] * (sections - extra)).tolist()
    else:
        bounds = [0] + [builtins.min(builtins.max(int(i) if i >= 0 else length + int(i), 0),
                                     length) for i in indices_or_sections] + [length]
    return [x[_along(axis, slice(start, builtins.max(start, stop)))]
            for start, stop in zip(bounds[:-1], bounds[1:])]


def hsplit(ary, indices_or_sections):
    """``np.hsplit``: ``split`` along axis 1 (axis 0 for 1-d).

    >>> import tapegrad as tg
    >>> len(np.hsplit(tg.zeros(2, 4), 2))
    2
    """
    x = as_tensor(ary)
    if x.ndim == 0:
        raise ValueError("numpy.hsplit only works on arrays of 1 or more dimensions")
    return split(x, indices_or_sections, 1 if x.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    """``np.vsplit``: ``split`` along axis 0, of a tensor with at least 2 axes.

    >>> import tapegrad as tg
    >>> len(np.vsplit(tg.zeros(4, 2), 2))
    2
    """
    x = as_tensor(ary)
    if x.ndim < 2:
        raise ValueError("numpy.vsplit only works on arrays of 2 or more dimensions")
    return split(x, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    """``np.dsplit``: ``split`` along axis 2, of a tensor with at least 3 axes.

    >>> import tapegrad as tg
    >>> len(np.dsplit(tg.zeros(1, 2, 4), 2))
    2
    """
    x = as_tensor(ary)
    if x.ndim < 3:
        raise ValueError("numpy.dsplit only works on arrays of 3 or more dimensions")
    return split(x, indices_or_sections, 2)


# ------------------------------------------------------------------ selection

def take(a, indices, axis=None, out=None, mode="raise"):
    """``np.take``: elements at ``indices`` along ``axis`` (of the flattened tensor when None);
    ``mode`` 'raise', 'wrap' or 'clip' as NumPy's.

    >>> import tapegrad as tg
    >>> np.take(tg.tensor([[1.0, 2.0], [3.0, 4.0]]), [3, 0])
    tensor([4., 1.])
    """
    refuse("take", out=out)
    x = as_tensor(a)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = checked_axis("take", axis, x.ndim)
    positions = np.take(np.arange(x.shape[axis]), np.asarray(
        indices.data if is_tensor(indices) else indices), mode=mode)
    return x[_along(axis, positions)]


def put_along_axis(arr, indices, values, axis):
    """``np.put_along_axis``, functional: a new tensor with ``values`` written at ``indices``
    along ``axis`` (NumPy writes into ``arr`` and returns None; a tensor's graph cannot be
    written into through NumPy, so ``arr`` is left as it was and the result returned).

    >>> import tapegrad as tg
    >>> np.put_along_axis(tg.zeros(2, 2), np.array([[1], [0]]), 5.0, 1)
    tensor([[0., 5.],
            [5., 0.]])
    """
    x = as_tensor(arr)
    positions = np.asarray(indices.data if is_tensor(indices) else indices)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = checked_axis("put_along_axis", axis, x.ndim)
    shape = np.broadcast_shapes(positions.shape, tuple(
        1 if i == axis else n for i, n in enumerate(x.shape)))
    positions = np.broadcast_to(positions, shape)
    written = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(written, positions, True, axis)
    v = as_tensor(values).astype(x.dtype).broadcast_to(shape)
    placed = x.new_zeros(x.shape).scatter(axis, positions, v)
    return routines.where(written, placed, x)


def choose(a, choices, out=None, mode="raise"):
    """``np.choose``: from ``choices[a[i]]`` at each position (``a`` an integer array).

    >>> import tapegrad as tg
    >>> np.choose([1, 0], [tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0])])
    tensor([3., 2.])
    """
    refuse("choose", out=out)
    picks = np.asarray(a.data if is_tensor(a) else a)
    options = [as_tensor(choice) for choice in choices]
    picks = np.choose(picks, np.arange(len(options)), mode=mode) if mode != "raise" else picks
    if np.any((picks < 0) | (picks >= len(options))):
        raise ValueError("numpy.choose: invalid entry in choice array")
    shape = np.broadcast_shapes(picks.shape, *[x.shape for x in options])
    stacked = routines.stack([x.broadcast_to(shape) for x in options])
    return stacked.take_along_dim(np.broadcast_to(picks, shape)[None], 0)[0]


def select(condlist, choicelist, default=0):
    """``np.select``: where the first true condition's choice is taken, else ``default``.

    >>> import tapegrad as tg
    >>> x = tg.tensor([-1.0, 2.0])
    >>> np.select([x < 0, x > 0], [-x, 2 * x])
    tensor([1., 4.])
    """
    if len(condlist) != len(choicelist):
        raise ValueError("numpy.select: list of cases must be same length as list of "
                         "conditions")
    if not condlist:
        raise ValueError("numpy.select: select with an empty condition list is not possible")
    result = default  # a Python number stays weak: it does not widen a float32 choice
    for condition, choice in reversed(list(zip(condlist, choicelist))):
        condition = np.asarray(condition.data if is_tensor(condition) else condition)
        if condition.dtype != bool:
            raise TypeError(f"numpy.select: invalid entry in condlist: should be boolean "
                            f"ndarray, got {condition.dtype}")
        result = routines.where(condition, choice, result)
    return result


def compress(condition, a, axis=None, out=None):
    """``np.compress``: the slices along ``axis`` where ``condition`` is true.

    >>> import tapegrad as tg
    >>> np.compress([True, False, True], tg.tensor([1.0, 2.0, 3.0]))
    tensor([1., 3.])
    """
    refuse("compress", out=out)
    kept = np.nonzero(np.asarray(condition.data if is_tensor(condition) else condition))[0]
    return take(a, kept, axis)


def extract(condition, arr):
    """``np.extract``: the elements of the flattened ``arr`` where ``condition`` is true.

    >>> import tapegrad as tg
    >>> np.extract(tg.tensor([1.0, -2.0]) > 0, tg.tensor([1.0, -2.0]))
    tensor([1.])
    """
    mask = np.ravel(np.asarray(condition.data if is_tensor(condition) else condition))
    return take(arr, np.nonzero(mask)[0])


# ------------------------------------------------------------------ sorting

def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """``np.sort``: the sorted values (no indices); of the flattened tensor for ``axis=None``.

    >>> import tapegrad as tg
    >>> np.sort(tg.tensor([3.0, 1.0, 2.0]))
    tensor([1., 2., 3.])
    """
    refuse("sort", order=order)
    x = as_tensor(a)
    return (x.reshape(-1).sort(stable=True) if axis is None else x.sort(axis, stable=True)).values


def argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    """``np.argsort``: the indices that sort (stable); of the flattened tensor for None.

    >>> import tapegrad as tg
    >>> np.argsort(tg.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0])
    """
    refuse("argsort", order=order)
    data = as_tensor(a).data
    return wrap(np.argsort(data, axis=axis, kind="stable"))


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """``np.partition``: here the fully sorted values, which is one valid partition (NumPy
    leaves the order within each side unspecified).

    >>> import tapegrad as tg
    >>> np.partition(tg.tensor([3.0, 1.0, 2.0]), 1)
    tensor([1., 2., 3.])
    """
    return sort(a, axis, order=order)


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """``np.argpartition``: here the indices that fully sort, one valid partition.

    >>> import tapegrad as tg
    >>> np.argpartition(tg.tensor([3.0, 1.0, 2.0]), 1)
    tensor([1, 2, 0])
    """
    return argsort(a, axis, order=order)


def searchsorted(a, v, side="left", sorter=None):
    """``np.searchsorted``: insertion positions (integers, no gradient).

    >>> import tapegrad as tg
    >>> np.searchsorted(tg.tensor([1.0, 2.0, 3.0]), 2.5)
    tensor(2)
    """
    values = v.data if is_tensor(v) else v
    return wrap(np.asarray(np.searchsorted(as_tensor(a).data, values, side=side,
                                           sorter=sorter)))


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, sorted=True):
    """``np.unique`` of the flattened tensor: the sorted distinct values, differentiable (each
    takes the gradient of the first element it came from), and the index arrays NumPy gives.

    >>> import tapegrad as tg
    >>> np.unique(tg.tensor([2.0, 1.0, 2.0]))
    tensor([1., 2.])
    """
    if axis is not None:
        raise TypeError("numpy.unique on tapegrad Tensors: axis= is not supported")
    x = as_tensor(ar)
    _, first, inverse, counts = np.unique(x.data, return_index=True, return_inverse=True,
                                          return_counts=True, equal_nan=equal_nan)
    results = [x.reshape(-1)[first]]
    if return_index:
        results.append(wrap(first))
    if return_inverse:
        results.append(wrap(inverse.reshape(x.shape)))
    if return_counts:
        results.append(wrap(counts))
    return results[0] if len(results) == 1 else tuple(results)


# ------------------------------------------------------------------ broadcasting and grids

def broadcast_arrays(*args, subok=False):
    """``np.broadcast_arrays``: every argument broadcast to their common shape.

    >>> import tapegrad as tg
    >>> [x.shape for x in np.broadcast_arrays(tg.zeros(3, 1), tg.zeros(4))]
    [(3, 4), (3, 4)]
    """
    tensors = [as_tensor(value) for value in args]
    shape = np.broadcast_shapes(*[x.shape for x in tensors])
    return tuple(x.broadcast_to(shape) for x in tensors)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """``np.meshgrid``: coordinate grids from 1-d tensors (``indexing`` 'xy' or 'ij').

    >>> import tapegrad as tg
    >>> [g.shape for g in np.meshgrid(tg.zeros(3), tg.zeros(2))]
    [(2, 3), (2, 3)]
    """
    if indexing not in ("xy", "ij"):
        raise ValueError("numpy.meshgrid: Valid values for `indexing` are 'xy' and 'ij'.")
    tensors = [as_tensor(value).reshape(-1) for value in xi]
    ndim = len(tensors)
    grids = []
    for position, x in enumerate(tensors):
        shape = [1] * ndim
        shape[position] = x.shape[0]
        if indexing == "xy" and ndim > 1 and position < 2:
            shape[0], shape[1] = shape[1], shape[0]
        grids.append(x.reshape(tuple(shape)))
    if sparse:
        return tuple(grids)
    full = np.broadcast_shapes(*[g.shape for g in grids])
    return tuple(g.broadcast_to(full) * 1 for g in grids)


# ------------------------------------------------------------------ padding

_COPYING_MODES = ("edge", "reflect", "symmetric", "wrap")
_STATISTIC_MODES = {"maximum": "amax", "minimum": "amin", "mean": "mean", "median": "median"}


def pad(array, pad_width, mode="constant", **kwargs):
    """``np.pad`` in every NumPy mode: constant (and 'empty', filled with 0), edge, reflect,
    symmetric, wrap (copies of the elements: pick and scatter-add), linear_ramp, maximum,
    minimum, mean and median (computed from the tensor, axis after axis, as NumPy does).

    >>> import tapegrad as tg
    >>> np.pad(tg.tensor([1.0, 2.0, 3.0]), (2, 1), mode="reflect")
    tensor([3., 2., 1., 2., 3., 2.])
    """
    if callable(mode):
        raise TypeError("numpy.pad on tapegrad Tensors: a function as mode is not supported")
    x = as_tensor(array)
    widths = _pad_widths(pad_width, x.ndim)
    if mode in ("constant", "empty"):
        value = kwargs.pop("constant_values", 0)
        _no_pad_options(mode, kwargs)
        return _pad_constant(x, widths, value)
    if mode in _COPYING_MODES:
        if kwargs.pop("reflect_type", "even") != "even":
            raise ValueError("numpy.pad on tapegrad Tensors: only reflect_type='even' is "
                             "supported")
        _no_pad_options(mode, kwargs)
        if builtins.any(n == 0 and w != (0, 0) for n, w in zip(x.shape, widths)):
            raise ValueError(f"numpy.pad: can't extend empty axis of shape {x.shape} with "
                             f"mode {mode!r}")
        return PickByAxes.apply(x, maps=index_maps(x.shape, widths, mode))
    if mode == "linear_ramp":
        ends = _pairs(kwargs.pop("end_values", 0), x.ndim)
        _no_pad_options(mode, kwargs)
        return _pad_axis_by_axis(x, widths, lambda part, side, axis, count: _ramp(
            part, ends[axis][side], count, axis, side))
    if mode in _STATISTIC_MODES:
        lengths = kwargs.pop("stat_length", None)
        _no_pad_options(mode, kwargs)
        lengths = _pairs(lengths, x.ndim) if lengths is not None else None
        return _pad_axis_by_axis(x, widths, lambda part, side, axis, count: _statistic(
            part, mode, None if lengths is None else lengths[axis][side], axis, side, count))
    raise ValueError(f"numpy.pad: mode {mode!r} is not supported")


def _no_pad_options(mode, options):
    if options:
        raise ValueError(f"numpy.pad: unsupported keyword arguments for mode {mode!r}: "
                         f"{sorted(options)}")


def _pad_widths(pad_width, ndim):
    widths = np.asarray(pad_width.data if is_tensor(pad_width) else pad_width)
    if widths.dtype.kind not in "iu":
        raise TypeError("numpy.pad: `pad_width` must be of integral type.")
    if np.any(widths < 0):
        raise ValueError("numpy.pad: index can't contain negative values")
    try:
        return tuple(map(tuple, np.broadcast_to(widths, (ndim, 2)).tolist()))
    except ValueError:
        raise ValueError(f"numpy.pad: pad_width of shape {widths.shape} does not fit an "
                         f"array with {ndim} dimensions") from None


def _pairs(values, ndim):
    return np.broadcast_to(np.asarray(values, dtype=object), (ndim, 2)).tolist()


def _pad_constant(x, widths, value):
    values = np.broadcast_to(np.asarray(value.data if is_tensor(value) else value, dtype=object),
                             (x.ndim, 2))
    if len({v for v in values.ravel().tolist()}) <= 1:
        fill = values.ravel()[0] if values.size else 0
        return Pad.apply(x, pad_width=widths, value=fill)
    return _pad_axis_by_axis(x, widths, lambda part, side, axis, count: x.new_full(
        _border_shape(part, axis, count), values[axis][side]))


def _border_shape(x, axis, count):
    return tuple(count if i == axis else n for i, n in enumerate(x.shape))


def _pad_axis_by_axis(x, widths, border):
    """Pad one axis at a time, the border of each side made by ``border(x so far, side, axis,
    count)``: NumPy's order, so later axes' borders include earlier axes' corners."""
    for axis, (before, after) in enumerate(widths):
        parts = []
        if before:
            parts.append(border(x, 0, axis, before))
        parts.append(x)
        if after:
            parts.append(border(x, 1, axis, after))
        if len(parts) > 1:
            x = routines.concatenate(parts, axis)
    return x


def _edge_slice(x, axis, side, length=1):
    n = x.shape[axis]
    index = slice(0, length) if side == 0 else slice(n - length, n)
    return x[_along(axis, index)]


def _ramp(x, end, count, axis, side):
    edge = _edge_slice(x, axis, side)
    # NumPy's linspace(end, edge, count, endpoint=False), mirrored after the edge
    steps = np.arange(count, dtype=np.float64) / count
    shape = [1] * x.ndim
    shape[axis] = count
    steps = np.asarray((steps if side == 0 else steps[::-1]).reshape(shape), dtype=x.dtype)
    return end + (edge - end) * steps


def _statistic(x, mode, length, axis, side, count):
    n = x.shape[axis]
    length = n if length is None else builtins.min(int(length), n)
    if length == 0 or n == 0:
        raise ValueError(f"numpy.pad: stat_length of 0 yields no value for padding in mode "
                         f"{mode!r}")
    part = _edge_slice(x, axis, side, length)
    if mode == "median":
        value = reductions.median(part, axis, keepdims=True)
    elif mode == "mean":
        value = reductions.mean(part, axis, keepdims=True)
    else:
        value = getattr(part, _STATISTIC_MODES[mode])(axis, True)
    if value.dtype != x.dtype:  # NumPy: an integer array's mean or median, rounded
        value = np.round(value).astype(x.dtype)
    return value.broadcast_to(_border_shape(x, axis, count))
