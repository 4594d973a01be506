"""Reductions on tensors: sum, mean, max, min, prod, var, std, logsumexp, argmax, argmin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tapegrad.arguments import reduction_args
from tapegrad.ops.reduction import LogSumExp, Max, Mean, Min, Prod, Std, Sum, Var
from tapegrad.tensor_core import wrap

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor

class ReductionMethods:
    """The methods that reduce over axes (``dim``/``axis``, ``keepdim``/``keepdims``)."""

    __slots__ = ()

    def sum(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Sum over ``axis`` (int, tuple or None for all); ``dim``/``keepdim`` are aliases.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0)
        tensor([4., 6.])
        """
        axis, keepdims = reduction_args("sum", axis, dim, keepdims, keepdim)
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Mean over ``axis`` (int, tuple or None for all); ``dim``/``keepdim`` are aliases.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=1)
        tensor([1.5, 3.5])
        """
        axis, keepdims = reduction_args("mean", axis, dim, keepdims, keepdim)
        return Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Largest value over ``axis``: the values only, as NumPy (``argmax`` gives indices).

        Gradient ties: a full reduction splits evenly among equal maxima; along one axis the
        first maximum gets it (PyTorch's conventions).

        >>> Tensor([[1.0, 5.0], [3.0, 2.0]]).max(axis=1)
        tensor([5., 3.])
        """
        axis, keepdims = reduction_args("max", axis, dim, keepdims, keepdim)
        return Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Smallest value over ``axis``: the values only, as NumPy (``argmin`` gives indices).

        >>> Tensor([[1.0, 5.0], [3.0, 2.0]]).min(axis=0)
        tensor([1., 2.])
        """
        axis, keepdims = reduction_args("min", axis, dim, keepdims, keepdim)
        return Min.apply(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Index of the (first) largest value over one ``axis``, or of the flattened tensor.

        >>> Tensor([[1.0, 5.0], [3.0, 2.0]]).argmax(axis=1)
        tensor([1, 0])
        """
        axis, keepdims = reduction_args("argmax", axis, dim, keepdims, keepdim)
        return wrap(np.asarray(np.argmax(self.data, axis=axis, keepdims=keepdims)))

    def argmin(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Index of the (first) smallest value over one ``axis``, or of the flattened tensor.

        >>> Tensor([3.0, 1.0, 2.0]).argmin()
        tensor(1)
        """
        axis, keepdims = reduction_args("argmin", axis, dim, keepdims, keepdim)
        return wrap(np.asarray(np.argmin(self.data, axis=axis, keepdims=keepdims)))

    def prod(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Product over ``axis``; exact gradients even where elements are zero.

        >>> Tensor([2.0, 3.0, 4.0]).prod()
        tensor(24.)
        """
        axis, keepdims = reduction_args("prod", axis, dim, keepdims, keepdim)
        return Prod.apply(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, ddof: int = 0, keepdims: bool = False, *, dim=None,
            unbiased=None, keepdim=None) -> Tensor:
        """Variance over ``axis``, dividing by n - ddof. ``ddof`` defaults to 0 (NumPy, not
        PyTorch's 1); ``unbiased=True`` means ``ddof=1``.

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).var()
        tensor(1.25)
        """
        axis, keepdims = reduction_args("var", axis, dim, keepdims, keepdim)
        if unbiased is not None:
            ddof = 1 if unbiased else 0
        return Var.apply(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, ddof: int = 0, keepdims: bool = False, *, dim=None,
            unbiased=None, keepdim=None) -> Tensor:
        """Standard deviation over ``axis``: ``sqrt(var(...))``, ``ddof=0`` by default (NumPy).
        Over a group of equal values its gradient is 0, as PyTorch's.

        >>> Tensor([1.0, 3.0]).std()
        tensor(1.)
        """
        axis, keepdims = reduction_args("std", axis, dim, keepdims, keepdim)
        if unbiased is not None:
            ddof = 1 if unbiased else 0
        return Std.apply(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def logsumexp(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """log(sum(exp(x))) over ``axis``, stable for logits of any size.

        >>> Tensor([0.0, 0.0]).logsumexp()
        tensor(0.69314718)
        """
        axis, keepdims = reduction_args("logsumexp", axis, dim, keepdims, keepdim)
        return LogSumExp.apply(self, axis=axis, keepdims=keepdims)
