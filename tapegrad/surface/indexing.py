"""Indexing tensors: ``t[index]``, assignment under no_grad, and gather."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tapegrad.arguments import array_index, checked_axis
from tapegrad.grad_mode import is_grad_enabled
from tapegrad.ops.indexing import Gather, Index
from tapegrad.tensor_core import TensorCore

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor

class IndexingMethods:
    """``t[...]``, ``t[...] = value`` and ``gather``."""

    __slots__ = ()

    def __getitem__(self, index) -> Tensor:
        return Index.apply(self, index=array_index(index, TensorCore))

    def __setitem__(self, index, value) -> None:
        if self._requires_grad and is_grad_enabled():
            raise RuntimeError(
                "setitem: a tensor that requires grad cannot be assigned to in place "
                "(the graph would not see it); use tg.no_grad() or build a new tensor"
            )
        value = value.data if isinstance(value, TensorCore) else value
        try:
            self.data[array_index(index, TensorCore)] = value
        except (IndexError, ValueError, TypeError) as error:
            kind = next(k for k in (IndexError, TypeError, ValueError) if isinstance(error, k))
            raise kind(
                f"setitem: cannot assign {np.shape(value)} to index {index!r} of a tensor "
                f"of shape {self.data.shape}: {error}"
            ) from None

    def gather(self, axis: int, index) -> Tensor:
        """Pick ``x[index[i][j]][j]`` along ``axis`` (``torch.gather(x, dim, index)``).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, np.array([[1], [0]]))
        tensor([[2.],
                [3.]])
        """
        index = np.asarray(index.data if isinstance(index, TensorCore) else index)
        axis = checked_axis("gather", axis, self.data.ndim)
        if index.dtype.kind not in "iu":
            raise TypeError(f"gather: index must hold integers, got dtype {index.dtype}")
        size = self.data.shape[axis] if self.data.ndim else 1
        if index.size and (index.min() < 0 or index.max() >= size):
            bad = index.min() if index.min() < 0 else index.max()
            raise IndexError(f"gather: index {bad} is out of bounds for dimension {axis} with "
                             f"size {size}")
        return Gather.apply(self, index=index, axis=axis)
