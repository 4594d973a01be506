"""Shape methods on tensors: reshape, permute, transpose, squeeze, expand, repeat, split."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tapegrad.arguments import checked_axis, shape_args
from tapegrad.ops.shape import Expand, Permute, Reshape, Tile

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
        shape = self.data.shape
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

    def transpose(self, dim0=None, dim1=None) -> Tensor:
        """Swap two axes (PyTorch's ``transpose(dim0, dim1)``); with none, reverse all (NumPy).

        >>> Tensor(np.zeros((2, 3, 4))).transpose(0, 2).shape
        (4, 3, 2)
        """
        if dim0 is None and dim1 is None:
            return self.permute(tuple(reversed(range(self.data.ndim))))
        if dim0 is None or dim1 is None:
            raise TypeError("transpose: pass two axes to swap, or none to reverse all")
        axes = list(range(self.data.ndim))
        try:
            axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        except (IndexError, TypeError):
            raise ValueError(
                f"transpose: axes ({dim0}, {dim1}) are out of range for a tensor of shape "
                f"{self.data.shape}"
            ) from None
        return self.permute(axes)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """NumPy's name for ``transpose(axis1, axis2)``.

        >>> Tensor(np.zeros((2, 3))).swapaxes(0, 1).shape
        (3, 2)
        """
        return self.transpose(axis1, axis2)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge axes ``start_dim..end_dim`` into one (PyTorch's arguments).

        >>> Tensor(np.zeros((2, 3, 4))).flatten(1).shape
        (2, 12)
        """
        shape = self.data.shape
        start = checked_axis("flatten", start_dim, len(shape))
        end = checked_axis("flatten", end_dim, len(shape))
        if not shape:
            return self.reshape(1)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:])

    def squeeze(self, axis=None, *, dim=None) -> Tensor:
        """Drop axes of size 1: all of them, or ``axis`` (an int or tuple) where it is 1 —
        a named axis of another size is left alone, as in PyTorch.

        >>> Tensor(np.zeros((1, 3, 1))).squeeze().shape
        (3,)
        """
        axis = dim if dim is not None else axis
        shape = self.data.shape
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
        ndim = self.data.ndim
        position = checked_axis("unsqueeze", axis, ndim + 1)
        shape = self.data.shape
        return self.reshape(shape[:position] + (1,) + shape[position:])

    def expand(self, *sizes) -> Tensor:
        """Broadcast to ``sizes`` without copying; -1 keeps a size (PyTorch's arguments).

        >>> Tensor([[1.0], [2.0]]).expand(2, 3).shape
        (2, 3)
        """
        sizes = shape_args(sizes)
        shape = self.data.shape
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

    def repeat(self, *reps) -> Tensor:
        """Tile the whole tensor ``reps`` times along each axis (PyTorch's ``repeat``,
        which is NumPy's ``tile``).

        >>> Tensor([1.0, 2.0]).repeat(2)
        tensor([1., 2., 1., 2.])
        """
        return Tile.apply(self, reps=shape_args(reps))

    tile = repeat

    def split(self, split_size_or_sections, axis: int = 0, *, dim=None) -> tuple:
        """Cut into pieces along ``axis``: of ``split_size`` each (the last may be smaller),
        or of the listed sizes (PyTorch's ``split``).

        >>> [piece.shape for piece in Tensor(np.zeros(5)).split(2)]
        [(2,), (2,), (1,)]
        """
        axis = dim if dim is not None else axis
        if self.data.ndim == 0:
            raise ValueError("split: a 0-d tensor has no axis to split along")
        axis = checked_axis("split", axis, self.data.ndim)
        length = self.data.shape[axis]
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
        if self.data.ndim == 0:
            raise ValueError("chunk: a 0-d tensor has no axis to cut along")
        axis = checked_axis("chunk", axis, self.data.ndim)
        return self.split(max(-(-self.data.shape[axis] // chunks), 1), axis)

    @property
    def T(self) -> Tensor:
        """All axes reversed (a matrix's transpose).

        >>> Tensor([[1.0, 2.0]]).T.shape
        (2, 1)
        """
        return self.transpose()
