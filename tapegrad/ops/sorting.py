"""Sorting and selecting by rank: which element goes where, and the full median.

Sorting picks elements without computing new values, so ``sort``, ``topk``, ``kthvalue``,
``median(dim)`` and ``mode`` need no Function of their own: the functions below compute the
indices on arrays, and the Tensor methods pick the values with ``gather``, whose backward sends
each value's gradient back to the element it came from. The one op here is the median of all
elements, whose gradient PyTorch splits among equal medians as ``max()`` does.

Order: ascending, nan last (larger than everything), ties in their original order (a stable
sort, which PyTorch's CPU sort is for lines of up to 16 elements; it promises no order of ties).
"""

from __future__ import annotations

import numpy as np

from tapegrad.ops.reduction import Max


def sort_order(x, axis: int, descending: bool = False):
    """The indices that sort ``x`` along ``axis`` (int64), ties in their original order.

    Descending sorts the reversed line ascending and reverses the result, so ties keep their
    original order there too, and nans come first, as in PyTorch.

    >>> sort_order(np.array([1.0, 3.0, 3.0, 2.0]), 0, descending=True)
    array([1, 2, 3, 0])
    """
    if not descending:
        return np.argsort(x, axis=axis, kind="stable").astype(np.int64, copy=False)
    size = x.shape[axis]
    reversed_order = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return (size - 1 - np.flip(reversed_order, axis)).astype(np.int64, copy=False)


def kth_index(x, k: int, axis: int):
    """The index of the k-th smallest element (k from 1) along ``axis``, keeping the axis.

    >>> kth_index(np.array([[3.0, 1.0, 2.0]]), 2, 1)
    array([[2]])
    """
    return np.take(sort_order(x, axis), [k - 1], axis=axis)


def median_index(x, axis: int, ignore_nan: bool = False):
    """The index of the lower median along ``axis``, keeping the axis.

    A line holding a nan has the median nan, at its first nan (PyTorch's ``median``); with
    ``ignore_nan`` the median is that of the other elements (``nanmedian``), and a line of nans
    only gives its first.

    >>> median_index(np.array([[4.0, 1.0, 3.0, 2.0]]), 1)
    array([[3]])
    """
    order = sort_order(x, axis)
    counted = np.sum(~np.isnan(x), axis=axis, keepdims=True) if ignore_nan else x.shape[axis]
    position = np.maximum((counted - 1) // 2, 0)
    position = np.broadcast_to(position, x.shape[:axis] + (1,) + x.shape[axis + 1:])
    index = np.take_along_axis(order, position, axis=axis)
    if not ignore_nan and x.dtype.kind == "f":
        nan_lines = np.isnan(x).any(axis=axis, keepdims=True)
        first_nan = np.argmax(np.isnan(x), axis=axis, keepdims=True)
        index = np.where(nan_lines, first_nan, index)
    return index


def mode_index(x, axis: int):
    """The index of the most frequent value along ``axis``, keeping the axis: among values
    equally frequent the smallest, at its last occurrence (PyTorch's choice; PyTorch promises
    the index only for lines of up to 16 elements).

    Sort each line; in sorted order a run of equal values ends where the next value differs,
    and its length is how far back it started. The first of the longest runs is the smallest
    value, and its end the value's last occurrence, since the sort keeps ties in order.

    >>> mode_index(np.array([[2.0, 1.0, 2.0, 1.0, 5.0]]), 1)
    array([[3]])
    """
    order = sort_order(x, axis)
    ordered = np.moveaxis(np.take_along_axis(x, order, axis=axis), axis, -1)
    size = ordered.shape[-1]
    positions = np.arange(size)
    starts = np.concatenate([np.ones(ordered.shape[:-1] + (1,), dtype=bool),
                             ordered[..., 1:] != ordered[..., :-1]], axis=-1)
    run_start = np.maximum.accumulate(np.where(starts, positions, 0), axis=-1)
    ends = np.concatenate([starts[..., 1:], np.ones(ordered.shape[:-1] + (1,), dtype=bool)],
                          axis=-1)
    run_length = np.where(ends, positions - run_start + 1, 0)
    last = np.argmax(run_length, axis=-1)[..., None]  # the first longest run's end
    return np.take_along_axis(order, np.moveaxis(last, -1, axis), axis=axis)


def lower_median(x, axis=None, keepdims: bool = False, ignore_nan: bool = False):
    """The lower of the two middle values of all elements (PyTorch's ``median()``), nan when
    a nan is present (with ``ignore_nan``: when all are nan) or there are no elements.

    >>> lower_median(np.array([[4.0, 1.0], [3.0, 2.0]]))
    array(2.)
    """
    ordered = np.sort(x, axis=None)  # nans last
    if ignore_nan and ordered.dtype.kind == "f":
        ordered = ordered[: ordered.size - np.count_nonzero(np.isnan(ordered))]
    if ordered.size == 0 or (ordered.dtype.kind == "f" and np.isnan(ordered[-1])):
        if x.dtype.kind != "f":
            raise ValueError("Median: the median of no elements is undefined")
        value = np.nan
    else:
        value = ordered[(ordered.size - 1) // 2]
    return np.full((1,) * x.ndim if keepdims else (), value, dtype=x.dtype)


def lower_nanmedian(x, axis=None, keepdims: bool = False):
    """``lower_median`` of the elements that are not nan (PyTorch's ``nanmedian()``).

    >>> lower_nanmedian(np.array([4.0, np.nan, 1.0, 3.0]))
    array(3.)
    """
    return lower_median(x, axis, keepdims, ignore_nan=True)


class Median(Max):
    """y = the lower median of all x;  dL/dx = dL/dy split evenly among the x equal to y

    The values equal to the median share its gradient, as PyTorch's ``median()`` splits it
    (and a nan median sends it to the nans); Max's forward and backward do exactly this.
    """

    __slots__ = ()
    reduce = staticmethod(lower_median)

    def forward(self, x, axis=None, keepdims=False):
        if axis is not None:
            raise ValueError("Median: only the median of all elements is an op; along an "
                             "axis, gather at median_index")
        return super().forward(x, axis=None, keepdims=keepdims)


class NanMedian(Median):
    """y = the lower median of the x that are not nan;  dL/dx = dL/dy split evenly among the
    x equal to y (to the nans when all are nan)"""

    __slots__ = ()
    reduce = staticmethod(lower_nanmedian)
