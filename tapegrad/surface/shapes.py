"""Shape methods on tensors: reshape and view, permute, transpose and movedim, squeeze,
expand, repeat and tile, split and unbind, and the structure methods (flip, roll, rot90,
tril, triu, diag, diagonal, diff)."""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING

import numpy as np

from tapegrad.arguments import AxisError, checked_axis, shape_args
from tapegrad.ops.shape import Concatenate, Expand, Permute, Reshape, Tile
from tapegrad.ops.structure import Diagonal, DiagonalEmbed, Flip, Roll, Tril, Triu
from tapegrad.tensor_core import TensorCore

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor

class Size(tuple):
    """A shape, as ``torch.Size``: a tuple of ints that also counts its elements.

    >>> Size((2, 3)), Size((2, 3)).numel(), Size((2, 3)) == (2, 3)
    (tg.Size([2, 3]), 6, True)
    """

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)

    def __repr__(self) -> str:
        return f"tg.Size({list(self)})"


class ShapeMethods:
    """The methods that move or regroup elements without computing new values."""

    __slots__ = ()

    def size(self, dim: int | None = None):
        """The shape as a ``tg.Size`` (PyTorch's ``size()``), or one axis's length.

        >>> t = tg.zeros(2, 3)
        >>> t.size(), t.size(-1)
        (tg.Size([2, 3]), 3)
        """
        shape = self._data.shape
        if dim is None:
            return Size(shape)
        return shape[checked_axis("size", dim, len(shape))] if shape else 1

    def reshape(self, *shape) -> Tensor:
        """Same data in a new shape; one dimension may be -1.

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).reshape(2, -1).shape
        (2, 2)
        """
        return Reshape.apply(self, shape=shape_args(shape))

    def permute(self, *axes) -> Tensor:
        """Reorder all axes: ``permute(2, 0, 1)`` or ``permute((2, 0, 1))``.

        >>> Tensor(np.zeros((2, 3, 4))).permute(2, 0, 1).shape
        (4, 2, 3)
        """
        return Permute.apply(self, axes=shape_args(axes))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two axes (PyTorch's ``transpose(dim0, dim1)``; ``permute`` reorders all, and
        ``np.transpose(t)`` keeps NumPy's meaning).

        >>> Tensor(np.zeros((2, 3, 4))).transpose(0, 2).shape
        (4, 3, 2)
        """
        ndim = self._data.ndim
        first, second = checked_axis("transpose", dim0, ndim), checked_axis("transpose", dim1, ndim)
        axes = list(range(ndim))
        if ndim:
            axes[first], axes[second] = axes[second], axes[first]
        return self.permute(axes)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """``transpose(axis1, axis2)`` under NumPy's name and keywords (PyTorch has the name).

        >>> Tensor(np.zeros((2, 3))).swapaxes(0, 1).shape
        (3, 2)
        """
        return self.transpose(axis1, axis2)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        """``transpose(dim0, dim1)`` under PyTorch's other name.

        >>> Tensor(np.zeros((2, 3, 4))).swapdims(-1, 0).shape
        (4, 3, 2)
        """
        return self.transpose(dim0, dim1)

    def t(self) -> Tensor:
        """A matrix's transpose; a 0-d or 1-d tensor as it is (PyTorch's ``t()``, which
        refuses more than 2 dimensions: use ``transpose`` or ``mT`` there).

        >>> Tensor([[1.0, 2.0, 3.0]]).t().shape
        (3, 1)
        """
        ndim = self._data.ndim
        if ndim > 2:
            raise ValueError(f"t: expects a tensor with <= 2 dimensions, but self is {ndim}-d; "
                             "use transpose(dim0, dim1) or mT")
        return self.permute(tuple(reversed(range(ndim))))

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped: the transpose of each matrix in a batch.

        >>> Tensor(np.zeros((5, 2, 3))).mT.shape
        (5, 3, 2)
        """
        _need_matrices("mT", self._data.ndim)
        return self.transpose(-2, -1)

    @property
    def mH(self) -> Tensor:
        """The conjugate transpose of each matrix in a batch: ``mT`` for real tensors.

        >>> Tensor(np.array([[1 + 2j, 3j]])).mH
        tensor([[1.-2.j],
                [0.-3.j]], dtype=complex128)
        """
        _need_matrices("mH", self._data.ndim)
        return self.transpose(-2, -1).conj()

    def view(self, *shape, dtype=None) -> Tensor:
        """Same data in a new shape (PyTorch's ``view``); one size may be -1.

        The result shares this tensor's memory wherever its layout allows it, which is
        always for a contiguous tensor; where it does not (a transposed tensor, say), the
        data is copied, as ``reshape`` does, where PyTorch would refuse.
        ``view(dtype)``, which reinterprets the bytes, is not supported.

        >>> x = Tensor(np.arange(6.0))
        >>> y = x.view(2, 3)
        >>> y.shape, np.shares_memory(x.data, y.data)
        ((2, 3), True)
        """
        if dtype is not None or (len(shape) == 1 and isinstance(shape[0], (np.dtype, type, str))):
            named = dtype if dtype is not None else shape[0]
            raise NotImplementedError(
                f"view: reinterpreting a tensor's bytes as another dtype ({named}) is not "
                "supported; .to(dtype) converts the values, t._data.view(dtype) the bytes"
            )
        return self.reshape(*shape)

    def view_as(self, other) -> Tensor:
        """``view(other.shape)``: the same data in another tensor's shape.

        >>> Tensor(np.zeros(6)).view_as(Tensor(np.zeros((3, 2)))).shape
        (3, 2)
        """
        return self.view(tuple(other.shape))

    def reshape_as(self, other) -> Tensor:
        """``reshape(other.shape)``.

        >>> Tensor(np.zeros((2, 3))).reshape_as(Tensor(np.zeros(6))).shape
        (6,)
        """
        return self.reshape(tuple(other.shape))

    def expand_as(self, other) -> Tensor:
        """``expand(other.shape)``: broadcast to another tensor's shape, without copying.

        >>> Tensor([1.0, 2.0]).expand_as(Tensor(np.zeros((3, 2)))).shape
        (3, 2)
        """
        return self.expand(tuple(other.shape))

    def unflatten(self, dim: int, sizes) -> Tensor:
        """Split axis ``dim`` into axes of ``sizes`` (one of them may be -1): ``flatten``'s
        inverse.

        >>> Tensor(np.zeros((2, 12))).unflatten(1, (3, -1)).shape
        (2, 3, 4)
        """
        shape = self._data.shape
        if not shape:
            raise ValueError("unflatten: a 0-d tensor has no dimension to unflatten")
        dim = checked_axis("unflatten", dim, len(shape))
        sizes = [operator.index(size) for size in sizes]
        if not sizes:
            raise ValueError("unflatten: sizes must be non-empty")
        if sizes.count(-1) > 1 or any(size < -1 for size in sizes):
            raise ValueError(f"unflatten: sizes {sizes} may hold one -1 and otherwise sizes "
                             ">= 0")
        known = math.prod(size for size in sizes if size != -1)
        length = shape[dim]
        if -1 in sizes and known and length % known == 0:
            sizes[sizes.index(-1)] = length // known
            known = length
        if -1 in sizes or known != length:
            raise ValueError(f"unflatten: sizes {sizes} don't multiply up to the size of "
                             f"dim {dim} ({length}) in the input tensor")
        return self.reshape(shape[:dim] + tuple(sizes) + shape[dim + 1:])

    def movedim(self, source, destination) -> Tensor:
        """Move axes ``source`` (an int or a sequence) to positions ``destination``, the
        others keeping their order (PyTorch's ``movedim``, NumPy's ``moveaxis``).

        >>> Tensor(np.zeros((2, 3, 4))).movedim(0, -1).shape
        (3, 4, 2)
        """
        ndim = self._data.ndim
        sources, destinations = _int_tuple(source), _int_tuple(destination)
        if len(sources) != len(destinations):
            raise ValueError(f"movedim: source {list(sources)} and destination "
                             f"{list(destinations)} must hold the same number of dims")
        sources = [checked_axis("movedim", d, ndim) for d in sources]
        targets = [checked_axis("movedim", d, ndim) for d in destinations]
        for name, given, dims in (("source", source, sources),
                                  ("destination", destination, targets)):
            if len(set(dims)) != len(dims):
                raise ValueError(f"movedim: repeated dim in {name} ({given})")
        if not ndim:
            return self.permute(())
        order = [d for d in range(ndim) if d not in sources]
        for target, moved in sorted(zip(targets, sources)):
            order.insert(target, moved)
        return self.permute(order)

    def moveaxis(self, source, destination) -> Tensor:
        """``movedim`` under NumPy's name (PyTorch has it too).

        >>> Tensor(np.zeros((2, 3, 4))).moveaxis((0, 1), (2, 0)).shape
        (3, 4, 2)
        """
        return self.movedim(source, destination)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge axes ``start_dim..end_dim`` into one (PyTorch's arguments).

        >>> Tensor(np.zeros((2, 3, 4))).flatten(1).shape
        (2, 12)
        """
        shape = self._data.shape
        start = checked_axis("flatten", start_dim, len(shape))
        end = checked_axis("flatten", end_dim, len(shape))
        if not shape:
            return self.reshape(1)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:])

    def ravel(self) -> Tensor:
        """The elements as one axis, as PyTorch's ``ravel`` (and NumPy's).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).ravel()
        tensor([1., 2., 3., 4.])
        """
        return self.reshape(-1)

    def squeeze(self, axis=None, *, dim=None) -> Tensor:
        """Drop axes of size 1: all of them, or ``axis`` (an int or tuple) where it is 1 —
        a named axis of another size is left alone, as in PyTorch.

        >>> Tensor(np.zeros((1, 3, 1))).squeeze().shape
        (3,)
        """
        axis = dim if dim is not None else axis
        shape = self._data.shape
        if axis is None:
            dropped = {i for i, size in enumerate(shape) if size == 1}
        else:
            named = [checked_axis("squeeze", a, len(shape))
                     for a in (axis if isinstance(axis, (tuple, list)) else (axis,))]
            dropped = {a for a in named if shape and shape[a] == 1}
        return self.reshape(tuple(size for i, size in enumerate(shape) if i not in dropped))

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert an axis of size 1 at ``axis`` (negative counts from the end, as PyTorch).

        >>> Tensor(np.zeros((2, 3))).unsqueeze(-1).shape
        (2, 3, 1)
        """
        ndim = self._data.ndim
        position = checked_axis("unsqueeze", axis, ndim + 1)
        shape = self._data.shape
        return self.reshape(shape[:position] + (1,) + shape[position:])

    def expand(self, *sizes) -> Tensor:
        """Broadcast to ``sizes`` without copying; -1 keeps a size (PyTorch's arguments).

        >>> Tensor([[1.0], [2.0]]).expand(2, 3).shape
        (2, 3)
        """
        sizes = shape_args(sizes)
        shape = self._data.shape
        offset = len(sizes) - len(shape)
        target = tuple(
            shape[i - offset] if size == -1 and i >= offset else size
            for i, size in enumerate(sizes)
        )
        return self.broadcast_to(target)

    def broadcast_to(self, shape) -> Tensor:
        """Broadcast to ``shape`` without copying (NumPy's ``broadcast_to``).

        >>> Tensor([1.0, 2.0]).broadcast_to((3, 2)).shape
        (3, 2)
        """
        return Expand.apply(self, shape=tuple(shape))

    def repeat(self, *sizes) -> Tensor:
        """Tile the whole tensor ``sizes`` times along each axis (PyTorch's ``repeat``, which
        is NumPy's ``tile``); ``sizes`` has at least one entry per axis, extra ones add axes
        in front.

        >>> Tensor([1.0, 2.0]).repeat(2)
        tensor([1., 2., 1., 2.])
        >>> Tensor([1.0, 2.0]).repeat(2, 1).shape
        (2, 2)
        """
        reps = _checked_reps("repeat", shape_args(sizes))
        if len(reps) < self._data.ndim:
            raise ValueError(f"repeat: {len(reps)} repeat sizes {list(reps)} for a tensor with "
                             f"{self._data.ndim} dimensions: the number of repeat dims can not "
                             "be smaller than the number of dimensions of the tensor")
        return Tile.apply(self, reps=reps)

    def tile(self, *dims) -> Tensor:
        """``repeat``, where fewer ``dims`` than axes are padded with 1s in front (PyTorch's
        and NumPy's ``tile``).

        >>> Tensor([[1.0, 2.0]]).tile(2).shape
        (1, 4)
        """
        return Tile.apply(self, reps=_checked_reps("tile", shape_args(dims)))

    def repeat_interleave(self, repeats, dim=None, *, output_size=None, axis=None) -> Tensor:
        """Repeat each element (or each slice along ``dim``) ``repeats`` times in place:
        ``[a, b]`` gives ``[a, a, b, b]``. ``repeats`` is an int or one count per slice;
        without ``dim`` the tensor is flattened first (NumPy's ``repeat``).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).repeat_interleave(np.array([1, 2]), dim=0)
        tensor([[1., 2.],
                [3., 4.],
                [3., 4.]])
        """
        dim = axis if dim is None else dim
        counts = np.asarray(repeats._data if isinstance(repeats, TensorCore) else repeats)
        if counts.dtype.kind not in "iu":
            raise TypeError(f"repeat_interleave: repeats must hold integers, got dtype "
                            f"{counts.dtype}")
        if counts.ndim > 1:
            raise ValueError(f"repeat_interleave: repeats must be an int or a 0-d or 1-d "
                             f"tensor, got shape {counts.shape}")
        if (counts < 0).any():
            raise ValueError(f"repeat_interleave: repeats must be non-negative, got "
                             f"{counts.tolist()}")
        if dim is not None and self._data.ndim == 0:
            raise AxisError(f"repeat_interleave: dimension {dim} specified, but the tensor "
                            "has no dimensions")
        source = self.reshape(-1) if dim is None else self
        axis = 0 if dim is None else checked_axis("repeat_interleave", dim, self._data.ndim)
        size = source._data.shape[axis]
        if counts.size not in (1, size):
            raise ValueError(f"repeat_interleave: repeats must have the same size as input "
                             f"along dim, but got {counts.size} repeats and input.size({axis}) "
                             f"= {size}")
        positions = np.repeat(np.arange(size), counts.reshape(-1) if counts.size != 1 else
                              int(counts.reshape(-1)[0]))
        if output_size is not None and output_size != len(positions):
            raise ValueError(f"repeat_interleave: output_size {output_size} is not the "
                             f"length of the result, {len(positions)}")
        return source[(slice(None),) * axis + (positions,)]

    def split(self, split_size_or_sections, axis: int = 0, *, dim=None) -> tuple:
        """Cut into pieces along ``axis``: of ``split_size`` each (the last may be smaller),
        or of the listed sizes (PyTorch's ``split``).

        >>> [piece.shape for piece in Tensor(np.zeros(5)).split(2)]
        [(2,), (2,), (1,)]
        """
        axis = dim if dim is not None else axis
        if self._data.ndim == 0:
            raise ValueError("split: a 0-d tensor has no axis to split along")
        axis = checked_axis("split", axis, self._data.ndim)
        length = self._data.shape[axis]
        if isinstance(split_size_or_sections, (int, np.integer)):
            step = int(split_size_or_sections)
            if step <= 0:
                raise ValueError(f"split: split_size must be positive, got {step}")
            sizes = [min(step, length - start) for start in range(0, length, step)]
        else:
            sizes = [int(size) for size in split_size_or_sections]
            if any(size < 0 for size in sizes):
                raise ValueError(f"split: sizes must not be negative, got {sizes}")
            if sum(sizes) != length:
                raise ValueError(
                    f"split: sizes {sizes} add up to {sum(sizes)}, not the axis length {length}"
                )
        before = (slice(None),) * axis
        starts = np.cumsum([0] + sizes[:-1])
        return tuple(self[before + (slice(int(start), int(start) + size),)]
                     for start, size in zip(starts, sizes))

    def chunk(self, chunks: int, axis: int = 0, *, dim=None) -> tuple:
        """Cut into ``chunks`` pieces of equal size along ``axis`` (the last may be smaller).

        >>> [piece.shape for piece in Tensor(np.zeros(5)).chunk(2)]
        [(3,), (2,)]
        """
        axis = dim if dim is not None else axis
        if not isinstance(chunks, (int, np.integer)) or chunks <= 0:
            raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
        if self._data.ndim == 0:
            raise ValueError("chunk: a 0-d tensor has no axis to cut along")
        axis = checked_axis("chunk", axis, self._data.ndim)
        return self.split(max(-(-self._data.shape[axis] // chunks), 1), axis)

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, as a tuple of tensors with that axis removed.

        >>> [row.shape for row in Tensor(np.zeros((2, 3))).unbind(1)]
        [(2,), (2,), (2,)]
        """
        if self._data.ndim == 0:
            raise AxisError("unbind: dimension specified as 0, but the tensor has no "
                            "dimensions")
        dim = checked_axis("unbind", dim, self._data.ndim)
        return tuple(self.select(dim, i) for i in range(self._data.shape[dim]))

    def tensor_split(self, indices_or_sections=None, dim: int = 0, *, sections=None,
                     indices=None, axis=None) -> tuple:
        """Cut into ``sections`` pieces of nearly equal size along ``dim`` (the first ones one
        longer), or at the positions in ``indices`` (NumPy's ``array_split``).

        >>> [piece.shape for piece in Tensor(np.zeros(7)).tensor_split(3)]
        [(3,), (2,), (2,)]
        >>> [piece.shape for piece in Tensor(np.zeros(7)).tensor_split([1, 6])]
        [(1,), (5,), (1,)]
        """
        given = [value for value in (indices_or_sections, sections, indices) if value is not None]
        if len(given) != 1:
            raise TypeError("tensor_split: pass one of indices_or_sections, sections or indices")
        if self._data.ndim == 0:
            raise ValueError("tensor_split: expected at least a 1-dimensional tensor, but got "
                             "a 0-d tensor")
        dim = checked_axis("tensor_split", axis if axis is not None else dim, self._data.ndim)
        value = given[0]
        value = value._data if isinstance(value, TensorCore) else value
        size = self._data.shape[dim]
        if indices is None and np.ndim(value) == 0:
            count = operator.index(value)
            if count <= 0:
                raise ValueError(f"tensor_split: number of sections must be larger than 0, "
                                 f"got {count}")
            base, longer = divmod(size, count)
            ends = np.cumsum([base + 1] * longer + [base] * (count - longer)).tolist()
            bounds = list(zip([0] + ends[:-1], ends))
        else:
            points = [operator.index(point) for point in np.ravel(value).tolist()]
            bounds = list(zip([0] + points, points + [size]))
        before = (slice(None),) * dim
        return tuple(self[before + (slice(start, end),)] for start, end in bounds)

    # ------------------------------------------------------------------ structure

    def flip(self, *args, dims=None) -> Tensor:
        """Reverse the order of elements along ``dims``: ``flip(0)``, ``flip(0, 1)`` or
        ``flip((0, 1))`` (a copy, as PyTorch's; ``np.flip(t)`` flips all axes, NumPy's
        meaning).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).flip(1)
        tensor([[2., 1.],
                [4., 3.]])
        """
        if dims is None and not args:
            raise TypeError("flip: missing the dims to flip, e.g. flip(0) or flip((0, 1))")
        dims = _int_tuple(shape_args(args) if dims is None else dims)
        ndim = self._data.ndim
        axes = [checked_axis("flip", d, ndim) for d in dims]
        repeated = next((a for i, a in enumerate(axes) if a in axes[:i]), None)
        if repeated is not None:
            raise ValueError(f"flip: dim {repeated} appears multiple times in the list of "
                             f"dims {list(dims)}")
        return Flip.apply(self, axes=tuple(axes) if ndim else ())

    def fliplr(self) -> Tensor:
        """``flip(1)``: reverse left and right (for tensors of 2 or more dimensions).

        >>> Tensor([[1.0, 2.0]]).fliplr()
        tensor([[2., 1.]])
        """
        if self._data.ndim < 2:
            raise ValueError(f"fliplr: input must be >= 2-d, got {self._data.ndim}-d")
        return self.flip(1)

    def flipud(self) -> Tensor:
        """``flip(0)``: reverse up and down (for tensors of 1 or more dimensions).

        >>> Tensor([[1.0], [2.0]]).flipud()
        tensor([[2.],
                [1.]])
        """
        if self._data.ndim < 1:
            raise ValueError("flipud: input must be >= 1-d, got a 0-d tensor")
        return self.flip(0)

    def roll(self, shifts, dims=None) -> Tensor:
        """Shift elements cyclically by ``shifts`` along ``dims`` (ints or tuples of the same
        length); without ``dims``, along the flattened tensor, keeping its shape.

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).roll(1)
        tensor([4., 1., 2., 3.])
        """
        shifts = _int_tuple(shifts)
        if dims is None:
            if len(shifts) != 1:
                raise ValueError(f"roll: shifts and dims must align: {len(shifts)} shifts "
                                 "and no dims (only one shift goes without dims)")
            return Roll.apply(self, shifts=shifts[0], axes=None)
        dims = _int_tuple(dims)
        if not shifts:
            raise ValueError("roll: shifts required")
        if len(shifts) != len(dims):
            raise ValueError(f"roll: shifts and dims must align: {len(shifts)} shifts and "
                             f"{len(dims)} dims")
        if self._data.ndim == 0:
            raise AxisError(f"roll: dimension specified as {dims[0]}, but the tensor has no "
                            "dimensions")
        axes = tuple(checked_axis("roll", d, self._data.ndim) for d in dims)
        return Roll.apply(self, shifts=shifts, axes=axes)

    def rot90(self, k: int = 1, dims=(0, 1)) -> Tensor:
        """Rotate by 90 degrees ``k`` times, from axis ``dims[0]`` towards ``dims[1]``.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).rot90()
        tensor([[2., 4.],
                [1., 3.]])
        """
        dims, ndim = _int_tuple(dims), self._data.ndim
        if len(dims) != 2:
            raise ValueError(f"rot90: expected total rotation dims == 2, but got dims = "
                             f"{len(dims)}")
        if ndim < 2:
            raise ValueError(f"rot90: expected total dims >= 2, but got total dims = {ndim}")
        first, second = (checked_axis("rot90", d, ndim) for d in dims)
        if first == second:
            raise ValueError(f"rot90: expected rotation dims to be different, but got "
                             f"dim0 = {dims[0]} and dim1 = {dims[1]}")
        turns = operator.index(k) % 4
        if turns == 0:
            return Flip.apply(self, axes=())  # a copy, as PyTorch's
        if turns == 2:
            return self.flip(first, second)
        # A quarter turn is a flip and a transpose: which axis flips gives the direction.
        return self.flip(second if turns == 1 else first).transpose(first, second)

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of each matrix (last two axes): entries above the ``diagonal``-th
        diagonal become 0 (``diagonal`` > 0 keeps more, < 0 fewer).

        >>> Tensor(np.ones((2, 3))).tril()
        tensor([[1., 0., 0.],
                [1., 1., 0.]], dtype=float64)
        """
        _need_matrices("tril", self._data.ndim, "input tensor must have at least 2 dimensions")
        return Tril.apply(self, k=operator.index(diagonal))

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of each matrix (last two axes): entries below the
        ``diagonal``-th diagonal become 0.

        >>> Tensor(np.ones((2, 3))).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]], dtype=float64)
        """
        _need_matrices("triu", self._data.ndim, "input tensor must have at least 2 dimensions")
        return Triu.apply(self, k=operator.index(diagonal))

    def diag(self, diagonal: int = 0) -> Tensor:
        """A 1-d tensor's square matrix with it on the ``diagonal``-th diagonal, or a matrix's
        ``diagonal``-th diagonal as a 1-d tensor.

        >>> Tensor([1.0, 2.0]).diag()
        tensor([[1., 0.],
                [0., 2.]])
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).diag(1)
        tensor([2.])
        """
        offset, ndim = operator.index(diagonal), self._data.ndim
        if ndim == 1:
            side = self._data.shape[0] + abs(offset)
            return DiagonalEmbed.apply(self, shape=(side, side), offset=offset, axis1=0, axis2=1)
        if ndim == 2:  # a copy, as PyTorch's (diagonal is the view)
            return Diagonal.apply(self, offset=offset, axis1=0, axis2=1).clone()
        raise ValueError(f"diag: supports 1-d or 2-d tensors, got {ndim}-d")

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The ``offset``-th diagonal of the matrices over axes ``dim1`` and ``dim2``: those
        axes go, and the diagonal becomes the last axis (a view: writing to it under
        ``no_grad`` writes to this tensor).

        >>> Tensor(np.arange(6.0).reshape(2, 3)).diagonal(1)
        tensor([1., 5.], dtype=float64)
        """
        ndim = self._data.ndim
        first, second = checked_axis("diagonal", dim1, ndim), checked_axis("diagonal", dim2, ndim)
        if first == second:
            raise ValueError(f"diagonal: diagonal dimensions cannot be identical {dim1}, {dim2}")
        return Diagonal.apply(self, offset=operator.index(offset), axis1=first, axis2=second)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        """Matrices with the last axis on their ``offset``-th diagonal, over new axes ``dim1``
        and ``dim2`` of the result (``diagonal``'s inverse).

        >>> Tensor([[1.0, 2.0]]).diag_embed()
        tensor([[[1., 0.],
                 [0., 2.]]])
        """
        ndim, offset = self._data.ndim + 1, operator.index(offset)
        first, second = checked_axis("diag_embed", dim1, ndim), checked_axis("diag_embed", dim2,
                                                                            ndim)
        if first == second:
            raise ValueError(f"diag_embed: diagonal dimensions cannot be identical {dim1}, "
                             f"{dim2}")
        side = self._data.shape[-1] + abs(offset)
        shape = list(self._data.shape[:-1])
        for position in sorted((first, second)):
            shape.insert(position, side)
        return DiagonalEmbed.apply(self, shape=tuple(shape), offset=offset, axis1=first,
                                   axis2=second)

    def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None, *, axis=None) -> Tensor:
        """The ``n``-th forward difference along ``dim``, ``x[i + 1] - x[i]`` (for booleans,
        ``x[i + 1] != x[i]``), after joining ``prepend`` and ``append`` on either side.

        >>> Tensor([1.0, 4.0, 9.0, 16.0]).diff()
        tensor([3., 5., 7.])
        >>> Tensor([1.0, 4.0, 9.0, 16.0]).diff(2, prepend=Tensor([0.0]))
        tensor([2., 2., 2.])
        """
        n, ndim = operator.index(n), self._data.ndim
        if n < 0:
            raise ValueError(f"diff: order must be non-negative but got {n}")
        if ndim == 0:
            raise ValueError("diff: expects input to be at least one-dimensional")
        dim = checked_axis("diff", axis if axis is not None else dim, ndim)
        parts = [_diff_part(self, dim, prepend, "prepend"), self,
                 _diff_part(self, dim, append, "append")]
        parts = [part for part in parts if part is not None]
        x = Concatenate.apply(*parts, axis=dim) if len(parts) > 1 else self
        if n == 0 and x is self:
            return self.clone()  # a new tensor, as PyTorch's
        before = (slice(None),) * dim
        later, earlier = before + (slice(1, None),), before + (slice(None, -1),)
        for _ in range(n):
            x = x[later] != x[earlier] if x._data.dtype == bool else x[later] - x[earlier]
        return x

    @property
    def T(self) -> Tensor:
        """All axes reversed (a matrix's transpose).

        >>> Tensor([[1.0, 2.0]]).T.shape
        (2, 1)
        """
        return self.permute(tuple(reversed(range(self._data.ndim))))


def _need_matrices(op: str, ndim: int, reason: str = "") -> None:
    """Refuse a tensor of fewer than 2 dimensions, for the ops on (batches of) matrices."""
    if ndim < 2:
        raise ValueError(f"{op}: " + (reason or "is only supported on matrices or batches of "
                         "matrices") + f"; got a {ndim}-d tensor")


def _int_tuple(value) -> tuple:
    """An int, a sequence of ints or an integer tensor, as a tuple of ints."""
    if isinstance(value, TensorCore):
        value = value._data
    if isinstance(value, np.ndarray):
        value = value.reshape(-1).tolist()
    if isinstance(value, (list, tuple)):
        return tuple(operator.index(item) for item in value)
    return (operator.index(value),)


def _checked_reps(op: str, reps: tuple) -> tuple:
    """``repeat``'s and ``tile``'s counts, as ints >= 0."""
    reps = _int_tuple(reps)
    if any(count < 0 for count in reps):
        raise ValueError(f"{op}: repeat counts must be >= 0, got {list(reps)}")
    return reps


def _diff_part(x, dim: int, extra, name: str):
    """``diff``'s ``prepend``/``append``: a tensor of x's shape apart from ``dim``, or None."""
    if extra is None:
        return None
    if not isinstance(extra, (TensorCore, np.ndarray)):
        raise TypeError(f"diff: {name} must be a tensor, not {type(extra).__name__}")
    shape = tuple(extra.shape)
    if len(shape) != x._data.ndim:
        raise ValueError(f"diff: expects {name} to have the same number of dimensions as the "
                         f"input ({x._data.ndim}), got shape {shape}")
    expected = x._data.shape[:dim] + shape[dim:dim + 1] + x._data.shape[dim + 1:]
    if shape != expected:
        raise ValueError(f"diff: {name} of shape {shape} must match the input's shape "
                         f"{x._data.shape} except along the differencing dimension {dim}")
    return extra
