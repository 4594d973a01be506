"""Reductions on tensors, with PyTorch's arguments: sums and means, extremes (with indices
along a dim), spreads, norms, sorting and ranks, cumulative ops and the matrix products.

Each takes ``dim``/``keepdim`` (NumPy's ``axis``/``keepdims`` as aliases). Those that select
elements (``max(dim)``, ``sort``, ``topk``, ``kthvalue``, ``median(dim)``, ``mode``) return a
named tuple ``(values, indices)`` (``tapegrad.surface.return_types``); their values are
``gather``-ed at the indices, so each value's gradient goes back to the element it came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tapegrad.arguments import checked_axis, reduction_args
from tapegrad.ops.cumulative import Cumprod, Cumsum, LogCumSumExp
from tapegrad.ops.elementwise import Cast
from tapegrad.ops.linalg import Matmul
from tapegrad.ops.products import Trace
from tapegrad.ops.reduction import LogSumExp, Max, Mean, Min, Norm, Prod, Std, Sum, Var
from tapegrad.ops.select import Maximum, Minimum, Where
from tapegrad.ops.sorting import (
    Median,
    NanMedian,
    kth_index,
    median_index,
    mode_index,
    sort_order,
)
from tapegrad.surface import return_types
from tapegrad.tensor_core import TensorCore, wrap

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor


class ReductionMethods:
    """The methods that reduce, sort or accumulate along axes, and the matrix products."""

    __slots__ = ()

    # ------------------------------------------------------------------ sums and means

    def sum(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None,
            keepdims=None) -> Tensor:
        """Sum over ``dim`` (an int, a tuple, or None for all), computed in ``dtype`` if given.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(dim=0)
        tensor([4., 6.])
        >>> Tensor([True, True, False]).sum()
        tensor(2)
        """
        if dim is None and axis is None and dtype is None and not (keepdim or keepdims) \
                and self._data.dtype.kind != "u":
            return Sum.apply_unary(self)  # the whole tensor, the commonest call, made short
        dims, keepdim = _reduced_dims("sum", self, dim, axis, keepdim, keepdims)
        return Sum.apply(_accumulated(self, dtype), axis=dims, keepdims=keepdim)

    def mean(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None,
             keepdims=None) -> Tensor:
        """Mean over ``dim``; an integer tensor needs a floating ``dtype=`` (as in PyTorch).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=1)
        tensor([1.5000, 3.5000])
        """
        if dim is None and axis is None and dtype is None and not (keepdim or keepdims) \
                and self._data.dtype.kind in "fc":
            return Mean.apply_unary(self)  # the whole tensor, the commonest call, made short
        dims, keepdim = _reduced_dims("mean", self, dim, axis, keepdim, keepdims)
        x = _as_dtype(self, dtype)
        _need_floating("mean", x, "pass dtype= to average integers")
        return Mean.apply(x, axis=dims, keepdims=keepdim)

    def nansum(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None,
               keepdims=None) -> Tensor:
        """Sum over ``dim`` counting nans as 0; their gradient is 0.

        >>> Tensor([1.0, float("nan"), 2.0]).nansum()
        tensor(3.)
        """
        dims, keepdim = _reduced_dims("nansum", self, dim, axis, keepdim, keepdims)
        return Sum.apply(_without_nans(_accumulated(self, dtype)), axis=dims, keepdims=keepdim)

    def nanmean(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None,
                keepdims=None) -> Tensor:
        """Mean over ``dim`` of the elements that are not nan (nan where there are none).

        >>> Tensor([1.0, float("nan"), 2.0]).nanmean()
        tensor(1.5000)
        """
        dims, keepdim = _reduced_dims("nanmean", self, dim, axis, keepdim, keepdims)
        x = _as_dtype(self, dtype)
        _need_floating("nanmean", x, "pass a floating dtype=")
        counts = np.sum(~np.isnan(x._data), axis=dims, keepdims=keepdim)
        with np.errstate(invalid="ignore", divide="ignore"):  # no numbers: 0 / 0 = nan
            return Sum.apply(_without_nans(x), axis=dims, keepdims=keepdim) / counts

    def prod(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None,
             keepdims=None) -> Tensor:
        """Product over ``dim``; exact gradients even where elements are zero.

        >>> Tensor([2.0, 3.0, 4.0]).prod()
        tensor(24.)
        """
        dims, keepdim = _reduced_dims("prod", self, dim, axis, keepdim, keepdims)
        return Prod.apply(_accumulated(self, dtype), axis=dims, keepdims=keepdim)

    def logsumexp(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """log(sum(exp(x))) over ``dim`` (None: all), stable for logits of any size.

        >>> Tensor([0.0, 0.0]).logsumexp()
        tensor(0.6931)
        """
        dims, keepdim = _reduced_dims("logsumexp", self, dim, axis, keepdim, keepdims)
        return LogSumExp.apply(self, axis=dims, keepdims=keepdim)

    # ------------------------------------------------------------------ extremes

    def max(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """The largest value: of all elements (a tensor); along ``dim``, a named tuple
        ``(values, indices)``; ``max(other)`` is the elementwise ``maximum``.

        Gradient: all elements share it among equal maxima; along ``dim`` the first maximum,
        at ``indices``, gets it (PyTorch's conventions; ``amax`` splits along a dim too).

        >>> Tensor([[1.0, 5.0], [3.0, 2.0]]).max()
        tensor(5.)
        >>> Tensor([[1.0, 5.0], [3.0, 2.0]]).max(dim=1)
        tg.return_types.max(values=tensor([5., 3.]), indices=tensor([1, 0]))
        """
        if isinstance(dim, (TensorCore, np.ndarray)):
            return Maximum.apply(self, dim)
        dim, keepdim = reduction_args("max", dim, axis, keepdim, keepdims)
        if dim is None:
            return Max.apply(self, axis=None, keepdims=keepdim)
        return _extreme("max", self, dim, keepdim, Max, np.argmax, return_types.max)

    def min(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """The smallest value: of all elements (a tensor); along ``dim``, a named tuple
        ``(values, indices)``; ``min(other)`` is the elementwise ``minimum``.

        >>> Tensor([[1.0, 5.0], [3.0, 2.0]]).min(dim=0)
        tg.return_types.min(values=tensor([1., 2.]), indices=tensor([0, 1]))
        """
        if isinstance(dim, (TensorCore, np.ndarray)):
            return Minimum.apply(self, dim)
        dim, keepdim = reduction_args("min", dim, axis, keepdim, keepdims)
        if dim is None:
            return Min.apply(self, axis=None, keepdims=keepdim)
        return _extreme("min", self, dim, keepdim, Min, np.argmin, return_types.min)

    def amax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """The largest values over ``dim`` (an int or a tuple; () or None: all); equal maxima
        share the gradient evenly (PyTorch's ``amax``).

        >>> Tensor([[1.0, 5.0], [5.0, 2.0]]).amax(dim=(0, 1))
        tensor(5.)
        """
        dims, keepdim = _reduced_dims("amax", self, dim, axis, keepdim, keepdims)
        return Max.apply(self, axis=dims, keepdims=keepdim)

    def amin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """The smallest values over ``dim`` (an int or a tuple; () or None: all); equal minima
        share the gradient evenly.

        >>> Tensor([[1.0, 5.0], [3.0, 2.0]]).amin(dim=1)
        tensor([1., 2.])
        """
        dims, keepdim = _reduced_dims("amin", self, dim, axis, keepdim, keepdims)
        return Min.apply(self, axis=dims, keepdims=keepdim)

    def aminmax(self, *, dim=None, keepdim: bool = False):
        """``(min, max)`` over ``dim`` (None: all), a named tuple, as ``amin`` and ``amax``.

        >>> Tensor([3.0, 1.0, 2.0]).aminmax()
        tg.return_types.aminmax(min=tensor(1.), max=tensor(3.))
        """
        if isinstance(dim, (tuple, list)):
            raise TypeError("aminmax: dim must be an int or None")
        return return_types.aminmax(self.amin(dim, keepdim), self.amax(dim, keepdim))

    def argmax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """Index of the (first) largest value along ``dim``, or in the flattened tensor.

        >>> Tensor([[1.0, 5.0], [3.0, 2.0]]).argmax(dim=1)
        tensor([1, 0])
        """
        dim, keepdim = reduction_args("argmax", dim, axis, keepdim, keepdims)
        return _index_of("argmax", self, dim, keepdim, np.argmax)

    def argmin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """Index of the (first) smallest value along ``dim``, or in the flattened tensor.

        >>> Tensor([3.0, 1.0, 2.0]).argmin()
        tensor(1)
        """
        dim, keepdim = reduction_args("argmin", dim, axis, keepdim, keepdims)
        return _index_of("argmin", self, dim, keepdim, np.argmin)

    # ------------------------------------------------------------------ truth and counts

    def all(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """Whether every element over ``dim`` is nonzero (a boolean tensor; no gradient).

        >>> Tensor([[1.0, 0.0], [2.0, 3.0]]).all(dim=1)
        tensor([False,  True])
        """
        dims, keepdim = _reduced_dims("all", self, dim, axis, keepdim, keepdims)
        return wrap(np.asarray(np.all(self._data, axis=dims, keepdims=keepdim)))

    def any(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """Whether some element over ``dim`` is nonzero (a boolean tensor; no gradient).

        >>> Tensor([[1.0, 0.0], [0.0, 0.0]]).any(dim=1)
        tensor([ True, False])
        """
        dims, keepdim = _reduced_dims("any", self, dim, axis, keepdim, keepdims)
        return wrap(np.asarray(np.any(self._data, axis=dims, keepdims=keepdim)))

    def count_nonzero(self, dim=None, *, axis=None) -> Tensor:
        """How many elements over ``dim`` are nonzero (int64; no gradient).

        >>> Tensor([[1.0, 0.0], [2.0, 3.0]]).count_nonzero(dim=1)
        tensor([1, 2])
        """
        dims, _ = _reduced_dims("count_nonzero", self, dim, axis, False, None)
        return wrap(np.asarray(np.count_nonzero(self._data, axis=dims), dtype=np.int64))

    # ------------------------------------------------------------------ spreads and norms

    def var(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None,
            ddof=None, axis=None, keepdims=None) -> Tensor:
        """Variance over ``dim``, dividing by n - ``correction``: by default n - 1 (unbiased,
        as PyTorch); ``unbiased=False`` or ``correction=0`` divide by n. NumPy's ``ddof=`` is
        ``correction=``.

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).var()
        tensor(1.6667)
        >>> Tensor([1.0, 2.0, 3.0, 4.0]).var(correction=0)
        tensor(1.2500)
        """
        if isinstance(dim, bool):  # var(True): PyTorch's var(unbiased)
            dim, unbiased = None, dim
        dims, keepdim = _reduced_dims("var", self, dim, axis, keepdim, keepdims)
        _need_floating("var", self, "var and std need floating tensors")
        correction = _correction("var", unbiased, correction, ddof)
        return Var.apply(self, axis=dims, ddof=correction, keepdims=keepdim)

    def std(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None,
            ddof=None, axis=None, keepdims=None) -> Tensor:
        """Standard deviation over ``dim``: ``sqrt(var(...))``, unbiased by default (as
        PyTorch). Over a group of equal values its gradient is 0, as PyTorch's.

        >>> Tensor([1.0, 3.0]).std()
        tensor(1.4142)
        >>> Tensor([1.0, 3.0]).std(unbiased=False)
        tensor(1.)
        """
        if isinstance(dim, bool):  # std(True): PyTorch's std(unbiased)
            dim, unbiased = None, dim
        dims, keepdim = _reduced_dims("std", self, dim, axis, keepdim, keepdims)
        _need_floating("std", self, "var and std need floating tensors")
        correction = _correction("std", unbiased, correction, ddof)
        return Std.apply(self, axis=dims, ddof=correction, keepdims=keepdim)

    def norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None, *, axis=None,
             keepdims=None) -> Tensor:
        """The p-norm over ``dim`` (None: all elements): ``"fro"`` or 2 the Euclidean norm, a
        number p (sum |x|**p) ** (1/p), ``inf`` max |x|, 0 the count of nonzeros.

        At a zero vector the gradient is 0, as PyTorch's (the norm has none there).

        >>> Tensor([3.0, -4.0]).norm()
        tensor(5.)
        >>> Tensor([[3.0, -4.0], [1.0, 1.0]]).norm(p=1, dim=1)
        tensor([7., 2.])
        """
        order = _norm_order(p)
        dims, keepdim = _reduced_dims("norm", self, dim, axis, keepdim, keepdims)
        x = _as_dtype(self, dtype)
        _need_floating("norm", x, "norm needs a floating tensor")
        return Norm.apply(x, p=order, axis=dims, keepdims=keepdim)

    def dist(self, other, p=2) -> Tensor:
        """The p-norm of ``self - other`` (broadcast), over all elements.

        >>> Tensor([1.0, 1.0]).dist(Tensor([4.0, 5.0]))
        tensor(5.)
        """
        return (self - other).norm(p)

    def renorm(self, p, dim: int, maxnorm) -> Tensor:
        """Each slice along ``dim`` (``x[i]`` for ``dim=0``) whose p-norm exceeds ``maxnorm``
        scaled down to norm ``maxnorm``; the others as they are. Differentiable through the
        norm (PyTorch's gradient).

        >>> Tensor([[3.0, 4.0], [0.3, 0.4]]).renorm(2, 0, 1.0).norm(dim=1)  # 1 - 2e-8: PyTorch's
        tensor([1.0000, 0.5000])
        """
        if self._data.ndim < 2:
            raise ValueError(f"renorm: input needs at least 2 dimensions, got {self._data.ndim}")
        if not p > 0:
            raise ValueError(f"renorm: p must be > 0, got {p}")
        if not maxnorm >= 0:
            raise ValueError(f"renorm: maxnorm must be >= 0, got {maxnorm}")
        axis = checked_axis("renorm", dim, self._data.ndim)
        others = tuple(a for a in range(self._data.ndim) if a != axis)
        norms = Norm.apply(self, p=float(p), axis=others, keepdims=True)
        over = norms._data > maxnorm
        # PyTorch divides by norm + 1e-7, so a slice is scaled to just under maxnorm
        factor = Where.apply(maxnorm / (norms + 1e-7), np.ones((), self._data.dtype),
                             condition=over)
        return self * factor

    # ------------------------------------------------------------------ sorting and ranks

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False,
             axis=None):
        """``(values, indices)``: the values sorted along ``dim``, and where each came from.

        Equal values keep their order (the sort is always stable); nan sorts as the largest.

        >>> Tensor([3.0, 1.0, 2.0]).sort()
        tg.return_types.sort(values=tensor([1., 2., 3.]), indices=tensor([1, 2, 0]))
        """
        line, axis, scalar = _lines("sort", self, dim, axis)
        order = sort_order(line._data, axis, descending)
        return _picked(return_types.sort, line, order, axis, True, scalar)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False,
                axis=None) -> Tensor:
        """The indices that sort the tensor along ``dim`` (``sort(...).indices``).

        >>> Tensor([3.0, 1.0, 2.0]).argsort(descending=True)
        tensor([0, 2, 1])
        """
        line, axis, scalar = _lines("argsort", self, dim, axis)
        order = sort_order(line._data, axis, descending)
        return wrap(order.reshape(()) if scalar else order)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,
             axis=None):
        """``(values, indices)`` of the k largest (``largest=False``: smallest) along ``dim``,
        in order. Among equal values the first come first (PyTorch promises no order there).

        >>> Tensor([1.0, 4.0, 2.0, 3.0]).topk(2)
        tg.return_types.topk(values=tensor([4., 3.]), indices=tensor([1, 3]))
        """
        line, axis, scalar = _lines("topk", self, dim, axis)
        size = line._data.shape[axis]
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 0 <= k <= size:
            raise ValueError(f"topk: k={k!r} is out of range for dimension {axis} of size "
                             f"{size}")
        order = np.take(sort_order(line._data, axis, descending=largest), np.arange(k), axis)
        return _picked(return_types.topk, line, order, axis, True, scalar)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False, *, axis=None):
        """``(values, indices)`` of the k-th smallest value along ``dim`` (k from 1).

        >>> Tensor([[3.0, 1.0, 2.0]]).kthvalue(2)
        tg.return_types.kthvalue(values=tensor([2.]), indices=tensor([2]))
        """
        line, axis, scalar = _lines("kthvalue", self, dim, axis)
        size = line._data.shape[axis]
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 1 <= k <= size:
            raise ValueError(f"kthvalue: k={k!r} is out of range for dimension {axis} of size "
                             f"{size} (k counts from 1)")
        index = kth_index(line._data, k, axis)
        return _picked(return_types.kthvalue, line, index, axis, keepdim, scalar)

    def median(self, dim=None, keepdim: bool = False, *, axis=None):
        """The lower median (of an even count, the smaller middle value; nan if a nan is
        present): of all elements a tensor whose gradient equal medians share; along ``dim``
        a named tuple ``(values, indices)``.

        >>> Tensor([4.0, 1.0, 3.0, 2.0]).median()
        tensor(2.)
        >>> Tensor([[4.0, 1.0, 3.0]]).median(dim=1)
        tg.return_types.median(values=tensor([3.]), indices=tensor([2]))
        """
        if dim is None and axis is None:
            return Median.apply(self)
        line, axis, scalar = _lines("median", self, dim, axis, need_elements=True)
        index = median_index(line._data, axis)
        return _picked(return_types.median, line, index, axis, keepdim, scalar)

    def nanmedian(self, dim=None, keepdim: bool = False, *, axis=None):
        """``median`` of the elements that are not nan (nan where all are).

        >>> Tensor([4.0, float("nan"), 1.0, 3.0]).nanmedian()
        tensor(3.)
        """
        if dim is None and axis is None:
            return NanMedian.apply(self)
        line, axis, scalar = _lines("nanmedian", self, dim, axis, need_elements=True)
        index = median_index(line._data, axis, ignore_nan=True)
        return _picked(return_types.nanmedian, line, index, axis, keepdim, scalar)

    def mode(self, dim: int = -1, keepdim: bool = False, *, axis=None):
        """``(values, indices)``: the most frequent value along ``dim`` (of equally frequent
        ones the smallest) and its last index.

        >>> Tensor([2.0, 1.0, 2.0, 1.0, 5.0]).mode()
        tg.return_types.mode(values=tensor(1.), indices=tensor(3))
        """
        line, axis, scalar = _lines("mode", self, dim, axis, need_elements=True)
        index = mode_index(line._data, axis)
        return _picked(return_types.mode, line, index, axis, keepdim, scalar)

    # ------------------------------------------------------------------ cumulative

    def cumsum(self, dim=None, *, dtype=None, axis=None) -> Tensor:
        """Running sums along ``dim``: ``y[i] = x[0] + ... + x[i]``.

        >>> Tensor([1.0, 2.0, 3.0]).cumsum(0)
        tensor([1., 3., 6.])
        """
        line, axis, scalar = _lines("cumsum", self, dim, axis)
        result = Cumsum.apply(_accumulated(line, dtype), axis=axis)
        return result.reshape(()) if scalar else result

    def cumprod(self, dim=None, *, dtype=None, axis=None) -> Tensor:
        """Running products along ``dim``, with exact gradients where elements are zero.

        >>> Tensor([1.0, 2.0, 3.0]).cumprod(0)
        tensor([1., 2., 6.])
        """
        line, axis, scalar = _lines("cumprod", self, dim, axis)
        result = Cumprod.apply(_accumulated(line, dtype), axis=axis)
        return result.reshape(()) if scalar else result

    def logcumsumexp(self, dim=None, *, axis=None) -> Tensor:
        """Running ``log(sum(exp(x)))`` along ``dim``, stable for logits of any size.

        >>> Tensor([0.0, 0.0]).logcumsumexp(0)
        tensor([0.0000, 0.6931])
        """
        line, axis, scalar = _lines("logcumsumexp", self, dim, axis)
        _need_floating("logcumsumexp", line, "logcumsumexp needs a floating tensor")
        result = LogCumSumExp.apply(line, axis=axis)
        return result.reshape(()) if scalar else result

    # ------------------------------------------------------------------ matrix products

    def trace(self) -> Tensor:
        """The sum of a matrix's diagonal.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).trace()
        tensor(5.)
        """
        return Trace.apply(self)

    def dot(self, other) -> Tensor:
        """The inner product of two 1-d tensors of one length.

        >>> Tensor([1.0, 2.0]).dot(Tensor([3.0, 4.0]))
        tensor(11.)
        """
        _need_shapes("dot", "1-d tensors", self, other, (1, 1), inner=(0, 0))
        return Matmul.apply(self, other)

    def mm(self, mat2) -> Tensor:
        """The matrix product of two 2-d tensors (``@`` without broadcasting).

        >>> Tensor([[1.0, 2.0]]).mm(Tensor([[3.0], [4.0]]))
        tensor([[11.]])
        """
        _need_shapes("mm", "matrices", self, mat2, (2, 2), inner=(1, 0))
        return Matmul.apply(self, mat2)

    def bmm(self, mat2) -> Tensor:
        """Matrix products of two batches of one size: (b, n, m) and (b, m, p) give (b, n, p).

        >>> Tensor(np.ones((5, 2, 3))).bmm(Tensor(np.ones((5, 3, 4)))).shape
        (5, 2, 4)
        """
        _need_shapes("bmm", "3-d tensors", self, mat2, (3, 3), inner=(2, 1))
        if np.shape(self)[0] != np.shape(mat2)[0]:
            raise ValueError(f"bmm: batch sizes differ: shapes {np.shape(self)} and "
                             f"{np.shape(mat2)} (bmm does not broadcast; use matmul)")
        return Matmul.apply(self, mat2)

    def mv(self, vec) -> Tensor:
        """A matrix times a vector: (n, m) and (m,) give (n,).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mv(Tensor([1.0, 1.0]))
        tensor([3., 7.])
        """
        _need_shapes("mv", "a matrix and a vector", self, vec, (2, 1), inner=(1, 0))
        return Matmul.apply(self, vec)

    def outer(self, vec2) -> Tensor:
        """The outer product of two 1-d tensors: ``result[i, j] = self[i] * vec2[j]``.

        >>> Tensor([1.0, 2.0]).outer(Tensor([1.0, 10.0]))
        tensor([[ 1., 10.],
                [ 2., 20.]])
        """
        _need_shapes("outer", "1-d tensors", self, vec2, (1, 1))
        return self.reshape(-1, 1) * np.reshape(vec2, (1, -1))

    ger = outer  # PyTorch's older name

    def addmm(self, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
        """``beta * self + alpha * (mat1 @ mat2)``, ``self`` broadcast to the product's shape
        (with ``beta=0`` it is ignored, nans included).

        >>> Tensor([1.0, 1.0]).addmm(Tensor([[1.0, 2.0]]), Tensor([[1.0, 0.0], [0.0, 1.0]]))
        tensor([[2., 3.]])
        """
        _need_shapes("addmm", "matrices", mat1, mat2, (2, 2), inner=(1, 0))
        product = Matmul.apply(mat1, mat2)
        if not _broadcasts_to(self._data.shape, product.shape):
            raise ValueError(f"addmm: self of shape {self._data.shape} does not broadcast to "
                             f"the product's shape {product.shape}")
        if alpha != 1:
            product = product * alpha
        if beta == 0:
            return product
        return product + (self if beta == 1 else self * beta)


# ---------------------------------------------------------------------- argument helpers


def _reduced_dims(op: str, tensor, dim, axis, keepdim, keepdims) -> tuple:
    """(the axes to reduce as a sorted tuple, or None for all; keepdim) from PyTorch's
    ``dim``/``keepdim`` or NumPy's ``axis``/``keepdims``; an axis out of range is an
    IndexError, as in PyTorch. A 0-d tensor takes dim 0 or -1, meaning all of it."""
    dim, keepdim = reduction_args(op, dim, axis, keepdim, keepdims)
    if dim is None or dim == ():
        return None, keepdim
    ndim = tensor._data.ndim
    dims = dim if isinstance(dim, tuple) else (dim,)
    axes = tuple(checked_axis(op, d, ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: dim {dims} names one dimension more than once")
    return (None if ndim == 0 else tuple(sorted(axes))), keepdim


def _lines(op: str, tensor, dim, axis, need_elements: bool = False) -> tuple:
    """(the tensor to work on, the one axis along it, whether it was 0-d): a 0-d tensor is
    taken as a line of one element, and its results are made 0-d again."""
    if axis is not None:
        if dim is not None and dim != -1:
            raise TypeError(f"{op}: pass axis= or dim=, not both")
        dim = axis
    if dim is None or isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    axis = checked_axis(op, dim, tensor._data.ndim)
    scalar = tensor._data.ndim == 0
    line = tensor.reshape(1) if scalar else tensor
    if need_elements and line._data.shape[axis] == 0:
        raise ValueError(f"{op}: cannot reduce over dimension {axis} of size 0 (shape "
                         f"{tensor._data.shape})")
    return line, axis, scalar


def _picked(result_type, line, indices, axis: int, keepdim: bool, scalar: bool):
    """``result_type(values, indices)`` with the values gathered from ``line`` at ``indices``
    along ``axis`` (so their gradient goes back there); without ``keepdim``, ``axis`` of
    size 1 is dropped, and a 0-d input gives 0-d results."""
    values = line.gather(axis, indices)
    if scalar:
        shape = ()
    elif keepdim:
        shape = indices.shape
    else:
        shape = indices.shape[:axis] + indices.shape[axis + 1:]
    if shape != indices.shape:
        values, indices = values.reshape(shape), indices.reshape(shape)
    return result_type(values, wrap(indices))


def _extreme(op: str, tensor, dim, keepdim: bool, reduction, pick, result_type):
    """``max(dim)``/``min(dim)``: the op's values along one axis (the first extreme gets the
    gradient), and the index ``pick`` (argmax, argmin) finds, which is that first extreme."""
    if isinstance(dim, tuple):
        raise TypeError(f"{op}: dim must be an int, got a tuple (amax/amin reduce over several)")
    axis = checked_axis(op, dim, tensor._data.ndim)
    if tensor._data.ndim == 0:
        return result_type(reduction.apply(tensor, axis=None, keepdims=False),
                           wrap(np.zeros((), dtype=np.int64)))
    if tensor._data.shape[axis] == 0:
        raise ValueError(f"{op}: cannot reduce over dimension {axis} of size 0 (shape "
                         f"{tensor._data.shape})")
    values = reduction.apply(tensor, axis=axis, keepdims=keepdim)
    indices = pick(tensor._data, axis=axis, keepdims=keepdim).astype(np.int64)
    return result_type(values, wrap(np.asarray(indices)))


def _index_of(op: str, tensor, dim, keepdim: bool, pick):
    """argmax/argmin: over one axis, or (``dim=None``) the index into the flattened tensor."""
    if dim is not None:
        if isinstance(dim, tuple):
            raise TypeError(f"{op}: dim must be an int, got a tuple")
        dim = None if tensor._data.ndim == 0 else checked_axis(op, dim, tensor._data.ndim)
    if tensor._data.size == 0 and (dim is None or tensor._data.shape[dim] == 0):
        raise ValueError(f"{op}: cannot take the {op} of no elements (shape "
                         f"{tensor._data.shape})")
    return wrap(np.asarray(pick(tensor._data, axis=dim, keepdims=keepdim), dtype=np.int64))


def _correction(op: str, unbiased, correction, ddof):
    """The n - correction divisor's correction from ``unbiased``, ``correction`` or ``ddof``
    (one at most; by default 1, as PyTorch)."""
    given = [name for name, value in (("unbiased", unbiased), ("correction", correction),
                                      ("ddof", ddof)) if value is not None]
    if len(given) > 1:
        raise TypeError(f"{op}: pass one of unbiased=, correction= or ddof=, got "
                        f"{' and '.join(given)}")
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"{op}: unbiased must be a bool, got {unbiased!r}; pass "
                            "correction= (NumPy's ddof=) to divide by n - correction")
        return 1 if unbiased else 0
    value = correction if correction is not None else ddof
    return 1 if value is None else value


def _norm_order(p) -> float:
    """``norm``'s p as a number: "fro" (and None) is 2; "nuc" is not supported."""
    if p is None or p == "fro":
        return 2.0
    if isinstance(p, str):
        hint = " (the nuclear norm needs singular values)" if p == "nuc" else ""
        raise ValueError(f"norm: p={p!r} is not supported{hint}; use 'fro' or a number")
    return float(p)


def _as_dtype(tensor, dtype):
    """The tensor in ``dtype`` (a differentiable cast), or as it is when ``dtype`` is None."""
    if dtype is None or tensor._data.dtype == np.dtype(dtype):
        return tensor
    return Cast.apply(tensor, dtype=np.dtype(dtype))


def _accumulated(tensor, dtype):
    """``_as_dtype`` for sums and products: with no ``dtype``, an unsigned integer tensor is
    summed in int64, as PyTorch sums every integer type (NumPy's uint64 would turn
    ``t.sum() - 5`` into a float, or wrap it around)."""
    if dtype is None and tensor._data.dtype.kind == "u":
        dtype = np.int64
    return _as_dtype(tensor, dtype)


def _without_nans(tensor):
    """The tensor with its nans replaced by 0 (which get a gradient of exactly 0)."""
    if tensor._data.dtype.kind not in "fc":
        return tensor
    return Where.apply(np.zeros((), tensor._data.dtype), tensor, condition=np.isnan(tensor._data))


def _need_floating(op: str, tensor, hint: str) -> None:
    if tensor._data.dtype.kind not in "fc":
        raise TypeError(f"{op}: expected a floating tensor, got dtype {tensor._data.dtype}; "
                        f"{hint}")


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _need_shapes(op: str, what: str, first, second, ndims: tuple, inner=None) -> None:
    """Refuse operands of the wrong number of dimensions or with inner sizes that differ,
    naming the op and both shapes (PyTorch's products do not broadcast)."""
    shapes = np.shape(first), np.shape(second)
    if (len(shapes[0]), len(shapes[1])) != ndims:
        raise ValueError(f"{op}: expected {what}, got shapes {shapes[0]} and {shapes[1]}")
    if inner is not None and shapes[0][inner[0]] != shapes[1][inner[1]]:
        raise ValueError(f"{op}: cannot multiply shapes {shapes[0]} and {shapes[1]}: inner "
                         f"sizes {shapes[0][inner[0]]} and {shapes[1][inner[1]]} differ")
