"""Indexing tensors: ``t[index]``, ``t[index] = value`` (recorded in the graph), and PyTorch's
indexing methods: narrow, select, index_select, masked_select, gather, take_along_dim, scatter,
scatter_add, index_add, and the in-place forms of the last three."""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING

import numpy as np

from tapegrad import backend
from tapegrad.arguments import array_index, checked_axis
from tapegrad.ops.assignment import IndexPut
from tapegrad.ops.indexing import Gather, Index, IndexAdd
from tapegrad.ops.scatter import Scatter
from tapegrad.surface.in_place import change_in_place, is_recorded
from tapegrad.tensor_core import TensorCore, increment_version

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor

class IndexingMethods:
    """``t[...]``, ``t[...] = value``, and the methods that pick or place elements by index."""

    __slots__ = ()

    def __getitem__(self, index) -> Tensor:
        index = array_index(index, TensorCore)
        if _only_integers(index):
            # NumPy copies out a single element; with `...` it gives a 0-d view, as PyTorch.
            index = (index if type(index) is tuple else (index,)) + (Ellipsis,)
        return Index.apply(self, index=index)

    def __setitem__(self, index, value) -> None:
        # A recorded op when grad mode needs it: the gradient reaches both the tensor's
        # elements not written over and ``value`` (see surface/in_place.py).
        positions = array_index(index, TensorCore)
        try:
            if not is_recorded(self, "setitem", (value,)):
                self._data[positions] = value._data if isinstance(value, TensorCore) else value
                increment_version(self)
                return
            if not isinstance(value, TensorCore):
                value = backend.as_array(value, self._data.dtype)
            elif value._data.dtype != self._data.dtype:
                value = value.astype(self._data.dtype, copy=False)
            change_in_place(self, "setitem", lambda before: IndexPut.apply(
                before, value, index=positions), (value,))
        except (IndexError, ValueError, TypeError) as error:
            kind = next(k for k in (IndexError, TypeError, ValueError) if isinstance(error, k))
            raise kind(
                f"setitem: cannot assign {np.shape(value)} to index {index!r} of a tensor "
                f"of shape {self._data.shape}: {error}"
            ) from None

    def masked_fill_(self, mask, value) -> Tensor:
        """In place: ``value`` where ``mask`` is True; returns self (see ``masked_fill``).

        >>> Tensor([1.0, 2.0]).masked_fill_(Tensor([True, False]), 0.0)
        tensor([0., 2.])
        """
        return change_in_place(self, "masked_fill_", lambda before: before.masked_fill(
            mask, value), (value,))

    def index_add(self, dim: int, index, source, *, alpha=1) -> Tensor:
        """A copy with ``alpha * source`` added at positions ``index`` along ``dim``
        (repeated positions add up).

        >>> tg.zeros(3).index_add(0, np.array([0, 0, 2]), Tensor([1.0, 2.0, 4.0]))
        tensor([3., 0., 4.])
        """
        index = _integer_array("index_add", index)
        if self._data.ndim == 0:
            checked_axis("index_add", dim, 0)
            return self.reshape(1).index_add(0, index.reshape(-1), source.reshape(-1),
                                             alpha=alpha).reshape(())
        axis = checked_axis("index_add", dim, self._data.ndim)
        if index.ndim != 1:
            raise IndexError(f"index_add: index must be 1-d, got shape {index.shape}")
        _check_bounds("index_add", index, axis, self._data.shape[axis])
        expected = _with_length(self._data.shape, axis, len(index))
        if tuple(np.shape(source._data if isinstance(source, TensorCore) else source)) != \
                expected:
            raise ValueError(f"index_add: source must have shape {expected} (the tensor's "
                             f"with {len(index)} along dim {axis}), got {np.shape(source)}")
        scaled = source if alpha == 1 else source * alpha
        positions = (slice(None),) * axis + (index,)
        return self + IndexAdd.apply(scaled, shape=self._data.shape, index=positions)

    def index_add_(self, dim: int, index, source, *, alpha=1) -> Tensor:
        """In place: ``index_add``; returns self.

        >>> tg.zeros(2).index_add_(0, np.array([1]), Tensor([5.0]))
        tensor([0., 5.])
        """
        return change_in_place(self, "index_add_", lambda before: before.index_add(
            dim, index, source, alpha=alpha), (source,))

    def scatter_(self, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
        """In place: ``scatter``; returns self.

        >>> tg.zeros(3).scatter_(0, np.array([1]), 5.0)
        tensor([0., 5., 0.])
        """
        return change_in_place(self, "scatter_", lambda before: before.scatter(
            dim, index, src, value=value, reduce=reduce), (src,))

    def scatter_add_(self, dim: int, index, src) -> Tensor:
        """In place: ``scatter_add``; returns self.

        >>> tg.zeros(2).scatter_add_(0, np.array([1, 1]), Tensor([1.0, 2.0]))
        tensor([0., 3.])
        """
        return change_in_place(self, "scatter_add_", lambda before: before.scatter_add(
            dim, index, src), (src,))

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """The ``length`` elements from ``start`` along ``dim`` (a view): ``x[start:start +
        length]`` on that axis; a negative ``start`` counts from the end.

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).narrow(0, 1, 2)
        tensor([2., 3.])
        """
        shape = self._data.shape
        if not shape:
            raise ValueError("narrow: cannot be applied to a 0-d tensor")
        dim = checked_axis("narrow", dim, len(shape))
        start, length, size = operator.index(start), operator.index(length), shape[dim]
        if not -size <= start <= size:
            raise IndexError(f"narrow: start out of range (expected to be in range of "
                             f"[{-size}, {size}], but got {start})")
        start = start + size if start < 0 else start
        if length < 0:
            raise ValueError(f"narrow: length must be non-negative, got {length}")
        if start + length > size:
            raise ValueError(f"narrow: start ({start}) + length ({length}) exceeds dimension "
                             f"size ({size})")
        return self[(slice(None),) * dim + (slice(start, start + length),)]

    def select(self, dim: int, index: int) -> Tensor:
        """The slice at ``index`` along ``dim``, that axis removed (a view): ``x[index]`` on
        that axis.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).select(1, -1)
        tensor([2., 4.])
        """
        shape = self._data.shape
        if not shape:
            raise IndexError("select: cannot be applied to a 0-d tensor")
        dim = checked_axis("select", dim, len(shape))
        index, size = operator.index(index), shape[dim]
        if not -size <= index < size:
            raise IndexError(f"select: index {index} out of range for tensor of size "
                             f"{list(shape)} at dimension {dim}")
        return self[(slice(None),) * dim + (index,)]

    def index_select(self, dim: int, index) -> Tensor:
        """The slices at the positions in ``index`` (a 1-d integer tensor) along ``dim``, in
        that order; repeated positions repeat (their gradients add up).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).index_select(0, np.array([1, 1]))
        tensor([[3., 4.],
                [3., 4.]])
        """
        index = _integer_array("index_select", index)
        if index.ndim > 1:
            raise IndexError(f"index_select: index is supposed to be a vector, got shape "
                             f"{index.shape}")
        dim = checked_axis("index_select", dim, self._data.ndim)
        if self._data.ndim == 0:
            if index.size != 1 or index.reshape(-1)[0] != 0:
                raise IndexError(f"index_select: a 0-d tensor takes one index, 0; got "
                                 f"{index.tolist()}")
            return self.reshape(())
        _check_bounds("index_select", index, dim, self._data.shape[dim])
        return self[(slice(None),) * dim + (index.reshape(-1),)]

    def masked_select(self, mask) -> Tensor:
        """The elements where the boolean ``mask`` (broadcast with the tensor) is True, as a
        1-d tensor.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).masked_select(np.array([True, False]))
        tensor([1., 3.])
        """
        mask = np.asarray(mask._data if isinstance(mask, TensorCore) else mask)
        if mask.dtype != bool:
            raise TypeError(f"masked_select: expected a boolean mask, got dtype {mask.dtype}")
        try:
            shape = np.broadcast_shapes(self._data.shape, mask.shape)
        except ValueError:
            raise ValueError(f"masked_select: the mask's shape {mask.shape} does not broadcast "
                             f"with the tensor's shape {self._data.shape}") from None
        source = self if self._data.shape == shape else self.broadcast_to(shape)
        return source[np.broadcast_to(mask, shape)]

    def gather(self, axis: int, index) -> Tensor:
        """Pick ``x[index[i][j]][j]`` along ``axis`` (``torch.gather(x, dim, index)``); index
        has x's number of dimensions and may be smaller than x apart from ``axis``.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, np.array([[1], [0]]))
        tensor([[2.],
                [3.]])
        """
        axis = checked_axis("gather", axis, self._data.ndim)
        if self._data.ndim == 0:  # one element: as a 1-d tensor of one
            index = _integer_array("gather", index)
            return self.reshape(1).gather(0, index.reshape(-1)).reshape(index.shape)
        index = _scatter_index("gather", index, self._data.shape, axis)
        return Gather.apply(_first_part(self, index.shape, axis), index=index, axis=axis)

    def take_along_dim(self, indices, dim=None) -> Tensor:
        """Pick the elements at ``indices`` along ``dim``, the other axes of the tensor and of
        ``indices`` broadcast; without ``dim``, from the flattened tensor (NumPy's
        ``take_along_axis``). Negative indices count from the end.

        >>> Tensor([[10.0, 30.0, 20.0]]).take_along_dim(np.array([[1], [2]]), dim=1)
        tensor([[30.],
                [20.]])
        """
        index = _integer_array("take_along_dim", indices)
        if dim is None:
            return self.reshape(-1).take_along_dim(index.reshape(-1), 0)
        if index.ndim != self._data.ndim:
            raise ValueError(f"take_along_dim: input and indices should have the same number "
                             f"of dimensions, but got {self._data.ndim} dimensions for input, "
                             f"and {index.ndim} dimensions for indices")
        axis = checked_axis("take_along_dim", dim, self._data.ndim)
        size = self._data.shape[axis]
        if index.size and (index.min() < -size or index.max() >= size):
            bad = index.min() if index.min() < -size else index.max()
            raise IndexError(f"take_along_dim: index {bad} is out of bounds for dimension "
                             f"{axis} with size {size}")
        index = np.where(index < 0, index + size, index)
        try:
            others = np.broadcast_shapes(_with_length(self._data.shape, axis, 1),
                                         _with_length(index.shape, axis, 1))
        except ValueError:
            raise ValueError(f"take_along_dim: the shapes {self._data.shape} and "
                             f"{index.shape} do not broadcast apart from dimension "
                             f"{axis}") from None
        source_shape = _with_length(others, axis, size)
        source = self if self._data.shape == source_shape else self.broadcast_to(source_shape)
        index = np.broadcast_to(index, _with_length(others, axis, index.shape[axis]))
        return Gather.apply(source, index=index, axis=axis)

    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
        """A copy with ``src[i][j]`` (or the number ``value``) written at
        ``[index[i][j]][j]`` along ``dim`` (PyTorch's ``scatter``, not in place). The
        gradient reaches ``src`` and the entries of the tensor that were not written over.

        >>> tg.zeros(2, 3).scatter(1, np.array([[2], [0]]), Tensor([[1.0], [2.0]]))
        tensor([[0., 0., 1.],
                [2., 0., 0.]])
        >>> tg.zeros(3).scatter(0, np.array([1]), 5.0)
        tensor([0., 5., 0.])
        """
        if reduce is not None:
            raise NotImplementedError("scatter: reduce= is not supported; scatter_add adds")
        if src is not None and not isinstance(src, (TensorCore, np.ndarray)):
            src, value = None, src  # scatter(dim, index, value): a number
        if (src is None) == (value is None):
            raise TypeError("scatter: pass src (a tensor) or value (a number), one of them")
        if self._data.ndim == 0:  # one element: as a 1-d tensor of one
            checked_axis("scatter", dim, 0)
            one = src.reshape(-1) if src is not None else None
            return self.reshape(1).scatter(0, _integer_array("scatter", index).reshape(-1), one,
                                           value=value).reshape(())
        axis = checked_axis("scatter", dim, self._data.ndim)
        if src is None:
            index = _scatter_index("scatter", index, self._data.shape, axis)
            src = np.full(index.shape, value, dtype=self._data.dtype)
        else:
            _same_dtype("scatter", self, src)
            index = _scatter_index("scatter", index, self._data.shape, axis, src.shape)
            src = _first_part(src, index.shape)
        return Scatter.apply(self, src, positions=_positions(index, axis))

    def scatter_add(self, dim: int, index, src) -> Tensor:
        """A copy with ``src[i][j]`` added at ``[index[i][j]][j]`` along ``dim`` (PyTorch's
        ``scatter_add``, not in place); repeated positions add up.

        >>> tg.zeros(3).scatter_add(0, np.array([1, 1, 0]), Tensor([1.0, 2.0, 4.0]))
        tensor([4., 3., 0.])
        """
        if not isinstance(src, (TensorCore, np.ndarray)):
            raise TypeError(f"scatter_add: src must be a tensor, not {type(src).__name__}")
        _same_dtype("scatter_add", self, src)
        if self._data.ndim == 0:
            checked_axis("scatter_add", dim, 0)
            return self.reshape(1).scatter_add(
                0, _integer_array("scatter_add", index).reshape(-1), src.reshape(-1)).reshape(())
        axis = checked_axis("scatter_add", dim, self._data.ndim)
        index = _scatter_index("scatter_add", index, self._data.shape, axis, src.shape)
        src = _first_part(src, index.shape)
        return self + IndexAdd.apply(src, shape=self._data.shape, index=_positions(index, axis))


def _only_integers(index) -> bool:
    """Whether ``index`` is an integer, or a tuple of integers only."""
    items = index if type(index) is tuple else (index,)
    return bool(items) and all(
        isinstance(item, (int, np.integer)) and not isinstance(item, bool) for item in items)


def _integer_array(op: str, index) -> np.ndarray:
    """An index (a tensor, an array, a list) as an integer array, or a TypeError."""
    index = np.asarray(index._data if isinstance(index, TensorCore) else index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must hold integers, got dtype {index.dtype}")
    return index


def _check_bounds(op: str, index: np.ndarray, axis: int, size: int) -> None:
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index.min() if index.min() < 0 else index.max()
        raise IndexError(f"{op}: index {bad} is out of bounds for dimension {axis} with size "
                         f"{size}")


def _scatter_index(op: str, index, shape: tuple, axis: int, src_shape=None) -> np.ndarray:
    """gather's and scatter's index, checked as PyTorch checks it: integers, as many
    dimensions as the tensor, no larger than the tensor apart from ``axis`` (nor than
    ``src``), and in bounds along ``axis``."""
    index = _integer_array(op, index)
    if index.ndim != len(shape):
        raise ValueError(f"{op}: index has {index.ndim} dimensions but the tensor has "
                         f"{len(shape)} (shapes {index.shape} and {shape}); they must have "
                         "the same number")
    too_large = any(length > size for d, (length, size) in enumerate(zip(index.shape, shape))
                    if d != axis)
    if too_large or (src_shape is not None and any(
            length > size for length, size in zip(index.shape, src_shape))):
        also = f" and no larger than src {tuple(src_shape)}" if src_shape is not None else ""
        raise ValueError(f"{op}: expected index {index.shape} to be no larger than the tensor "
                         f"{shape} apart from dimension {axis}{also}")
    _check_bounds(op, index, axis, shape[axis])
    return index


def _first_part(x, shape: tuple, axis=None):
    """x's leading block of ``shape`` (apart from ``axis``), where x is larger."""
    if all(d == axis or length == size for d, (length, size) in enumerate(zip(shape, x.shape))):
        return x
    return x[tuple(slice(None) if d == axis else slice(0, length)
                   for d, length in enumerate(shape))]


def _positions(index: np.ndarray, axis: int) -> tuple:
    """scatter's ``(dim, index)`` as an advanced index: element [i][j] of index goes to
    [index[i][j]][j] along axis."""
    positions = list(np.indices(index.shape, sparse=True))
    positions[axis] = index
    return tuple(positions)


def _with_length(shape: tuple, axis: int, length: int) -> tuple:
    return tuple(shape[:axis]) + (length,) + tuple(shape[axis + 1:])


def _same_dtype(op: str, x, src) -> None:
    if x.dtype != src.dtype:
        raise TypeError(f"{op}: expected self.dtype to be equal to src.dtype, got {x.dtype} "
                        f"and {src.dtype}")
