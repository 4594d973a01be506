"""The Tensor: the core's state, plus ``backward`` and the methods a user calls.

Each math, shape and reduction method applies one ``Function`` from ``tapegrad.ops``, written
out by hand so that a reader looking for ``exp`` finds ``def exp``. What autograd itself
needs of a tensor (its array, ``requires_grad``, ``.grad``, ``grad_fn``) is ``TensorCore``,
one floor down, which the ops and the engine build on.
"""

from __future__ import annotations

import math

import numpy as np

from tapegrad import backend, engine, numpy_protocol
from tapegrad.arguments import array_index, checked_axis, reduction_args, shape_args
from tapegrad.grad_mode import is_grad_enabled
from tapegrad.ops.arithmetic import Add, Div, Mul, Neg, Pow, Sub
from tapegrad.ops.elementwise import (
    Abs,
    Cast,
    Clip,
    Cos,
    Exp,
    Expm1,
    Log,
    Log1p,
    Relu,
    Sigmoid,
    Sin,
    Sqrt,
    Tanh,
)
from tapegrad.ops.indexing import Gather, Index
from tapegrad.ops.linalg import Matmul
from tapegrad.ops.reduction import LogSumExp, Max, Mean, Min, Prod, Sum, normalize_axes
from tapegrad.ops.shape import Expand, Permute, Reshape, Tile
from tapegrad.ops.softmax import LogSoftmax, Softmax
from tapegrad.tensor_core import TensorCore, tensor_class, wrap


@tensor_class
class Tensor(TensorCore):
    """An n-dimensional array that records the ops applied to it, for reverse-mode autodiff.

    ``data`` is a NumPy array (copied from what you pass, with NumPy's dtype rules: Python
    floats give float64). Only floating tensors may require grad.

    >>> a = Tensor(1.0, requires_grad=True)
    >>> b = Tensor(2.0, requires_grad=True)
    >>> c = a + b
    >>> d = c + a
    >>> d.backward()
    >>> print(d.grad, c.grad, b.grad, a.grad)
    1.0 1.0 1.0 2.0
    """

    __slots__ = ()

    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every tensor in the graph that needs it.

        ``gradient`` is dL/d(self): may be omitted for one-element tensors (it is then 1),
        else an array of self's shape or a scalar. The graph's saved arrays are freed unless
        ``retain_graph=True`` (the default is ``create_graph``). With ``create_graph=True``
        the gradients are computed by ops that record a graph, and ``.grad`` becomes a Tensor
        that can be differentiated again.

        >>> x = Tensor(3.0, requires_grad=True)
        >>> (x * x).backward()
        >>> x.grad
        array(6.)
        """
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no grad_fn; "
                "create its inputs with requires_grad=True"
            )
        root_grad = engine.initial_gradient(self, gradient)
        retain = create_graph if retain_graph is None else retain_graph
        engine.run_backward((self,), (root_grad,), retain_graph=retain, create_graph=create_graph)

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # np.exp(t) and array + t run tapegrad's ops, so the graph is kept.
        return numpy_protocol.array_ufunc(ufunc, method, *inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        # np.sum(t, axis=0), np.concatenate([t, u]) and friends, likewise.
        return numpy_protocol.array_function(func, args, kwargs)

    # ------------------------------------------------------------------ arithmetic

    def __add__(self, other) -> Tensor:
        return Add.apply_binary(self, other)

    def __radd__(self, other) -> Tensor:
        return Add.apply_binary(other, self)

    def __sub__(self, other) -> Tensor:
        return Sub.apply_binary(self, other)

    def __rsub__(self, other) -> Tensor:
        return Sub.apply_binary(other, self)

    def __mul__(self, other) -> Tensor:
        return Mul.apply_binary(self, other)

    def __rmul__(self, other) -> Tensor:
        return Mul.apply_binary(other, self)

    def __truediv__(self, other) -> Tensor:
        return Div.apply_binary(self, other)

    def __rtruediv__(self, other) -> Tensor:
        return Div.apply_binary(other, self)

    def __pow__(self, exponent) -> Tensor:
        return Pow.apply_binary(self, exponent)

    def __rpow__(self, base) -> Tensor:
        return Pow.apply_binary(base, self)

    def __matmul__(self, other) -> Tensor:
        return Matmul.apply_binary(self, other)

    def __rmatmul__(self, other) -> Tensor:
        return Matmul.apply_binary(other, self)

    def __neg__(self) -> Tensor:
        return Neg.apply_unary(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return Abs.apply_unary(self)

    # In-place arithmetic changes data without recording it, so it is only allowed where no
    # graph can see it: under no_grad, or on tensors that do not require grad.

    def _update_in_place(self, symbol: str, ufunc, other) -> Tensor:
        if self._requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{symbol}: a tensor that requires grad cannot be changed in place while "
                "grad mode is on (the graph would not see it); wrap the update in "
                "`with tg.no_grad():` or write `x = x op y`"
            )
        value = other.data if isinstance(other, Tensor) else other
        try:
            ufunc(self.data, value, out=self.data)
        except (TypeError, ValueError) as error:
            # The plain class: NumPy's subclasses (a casting error) take other arguments.
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(
                f"{symbol}: cannot update a tensor of shape {self.data.shape} and dtype "
                f"{self.data.dtype} in place with {np.shape(value)}: {error}"
            ) from None
        return self

    def __iadd__(self, other) -> Tensor:
        return self._update_in_place("+=", np.add, other)

    def __isub__(self, other) -> Tensor:
        return self._update_in_place("-=", np.subtract, other)

    def __imul__(self, other) -> Tensor:
        return self._update_in_place("*=", np.multiply, other)

    def __itruediv__(self, other) -> Tensor:
        return self._update_in_place("/=", np.true_divide, other)

    # Comparisons give boolean tensors that are not differentiable.

    def _compare(self, ufunc, other) -> Tensor:
        other = other.data if isinstance(other, Tensor) else other
        return wrap(backend.as_array(ufunc(self.data, other)))

    def __eq__(self, other) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other) -> Tensor:
        return self._compare(np.less, other)

    def __le__(self, other) -> Tensor:
        return self._compare(np.less_equal, other)

    def __gt__(self, other) -> Tensor:
        return self._compare(np.greater, other)

    def __ge__(self, other) -> Tensor:
        return self._compare(np.greater_equal, other)

    __hash__ = object.__hash__  # defining __eq__ would otherwise make tensors unhashable

    # Logic on boolean tensors (masks), not differentiable.

    def __and__(self, other) -> Tensor:
        return self._compare(np.logical_and, other)

    __rand__ = __and__

    def __or__(self, other) -> Tensor:
        return self._compare(np.logical_or, other)

    __ror__ = __or__

    def __xor__(self, other) -> Tensor:
        return self._compare(np.logical_xor, other)

    __rxor__ = __xor__

    def __invert__(self) -> Tensor:
        if self.data.dtype != bool:
            raise TypeError(f"~: only boolean tensors can be inverted, got dtype {self.data.dtype}")
        return wrap(backend.as_array(np.logical_not(self.data)))

    def astype(self, dtype, copy: bool = True) -> Tensor:
        """The same values as ``dtype``; differentiable between float dtypes (the gradient is
        cast back). With ``copy=False``, a tensor already of ``dtype`` is returned as is.

        >>> Tensor([1.5, 2.0]).astype(np.float32).dtype
        dtype('float32')
        """
        if not copy and self.data.dtype == np.dtype(dtype):
            return self
        return Cast.apply(self, dtype=dtype)

    # ------------------------------------------------------------------ elementwise math

    def exp(self) -> Tensor:
        """e ** x, elementwise.

        >>> Tensor(0.0).exp()
        tensor(1.)
        """
        return Exp.apply_unary(self)

    def log(self) -> Tensor:
        """Natural logarithm, elementwise.

        >>> Tensor(1.0).log()
        tensor(0.)
        """
        return Log.apply_unary(self)

    def sqrt(self) -> Tensor:
        """Square root, elementwise.

        >>> Tensor(4.0).sqrt()
        tensor(2.)
        """
        return Sqrt.apply_unary(self)

    def abs(self) -> Tensor:
        """Absolute value, elementwise; its gradient at 0 is 0 (PyTorch's convention).

        >>> Tensor(-2.0).abs()
        tensor(2.)
        """
        return Abs.apply_unary(self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent, elementwise.

        >>> Tensor(0.0).tanh()
        tensor(0.)
        """
        return Tanh.apply_unary(self)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e ** -x), elementwise, without overflow for large |x|.

        >>> Tensor(0.0).sigmoid()
        tensor(0.5)
        """
        return Sigmoid.apply_unary(self)

    def relu(self) -> Tensor:
        """max(x, 0), elementwise; its gradient at 0 is 0 (PyTorch's convention).

        >>> Tensor([-1.0, 2.0]).relu()
        tensor([0., 2.])
        """
        return Relu.apply_unary(self)

    def sin(self) -> Tensor:
        """Sine, elementwise.

        >>> Tensor(0.0).sin()
        tensor(0.)
        """
        return Sin.apply_unary(self)

    def cos(self) -> Tensor:
        """Cosine, elementwise.

        >>> Tensor(0.0).cos()
        tensor(1.)
        """
        return Cos.apply_unary(self)

    def log1p(self) -> Tensor:
        """log(1 + x), elementwise, accurate for small x.

        >>> Tensor(0.0).log1p()
        tensor(0.)
        """
        return Log1p.apply_unary(self)

    def expm1(self) -> Tensor:
        """exp(x) - 1, elementwise, accurate for small x.

        >>> Tensor(0.0).expm1()
        tensor(0.)
        """
        return Expm1.apply_unary(self)

    def sign(self) -> Tensor:
        """-1, 0 or 1 by the sign of each element; not differentiable (its gradient is 0).

        >>> Tensor([-2.0, 0.0, 3.0]).sign()
        tensor([-1.,  0.,  1.])
        """
        return wrap(backend.as_array(np.sign(self.data)))

    def clip(self, min=None, max=None) -> Tensor:  # noqa: A002 - NumPy's and PyTorch's names
        """Limit values to [min, max] (either may be None); ``clamp`` is the same.

        The gradient passes where min <= x <= max, bounds included, as PyTorch's clamp.

        >>> Tensor([-2.0, 0.5, 3.0]).clip(0, 1)
        tensor([0. , 0.5, 1. ])
        """
        if min is None and max is None:
            raise ValueError("clip: at least one of min and max must be given")
        return Clip.apply(self, low=min, high=max)

    clamp = clip

    def softmax(self, axis=-1, *, dim=None) -> Tensor:
        """exp(x) / sum(exp(x)) along ``axis`` (``dim``), stable for any logits.

        >>> Tensor([0.0, 0.0]).softmax()
        tensor([0.5, 0.5])
        """
        axis, _ = reduction_args("softmax", None if dim is not None else axis, dim, False, None)
        return Softmax.apply(self, axis=axis)

    def log_softmax(self, axis=-1, *, dim=None) -> Tensor:
        """x - logsumexp(x) along ``axis`` (``dim``), stable for any logits.

        >>> Tensor([0.0, 0.0]).log_softmax().exp()
        tensor([0.5, 0.5])
        """
        axis, _ = reduction_args("log_softmax", None if dim is not None else axis, dim, False,
                                  None)
        return LogSoftmax.apply(self, axis=axis)

    # ------------------------------------------------------------------ reductions

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
        centered = self - self.mean(axis=axis, keepdims=True)
        count = math.prod(self.data.shape[a] for a in normalize_axes(axis, self.data.ndim))
        return (centered * centered).sum(axis=axis, keepdims=keepdims) / (count - ddof)

    def std(self, axis=None, ddof: int = 0, keepdims: bool = False, *, dim=None,
            unbiased=None, keepdim=None) -> Tensor:
        """Standard deviation over ``axis``: ``sqrt(var(...))``, ``ddof=0`` by default (NumPy).

        >>> Tensor([1.0, 3.0]).std()
        tensor(1.)
        """
        return self.var(axis, ddof, keepdims, dim=dim, unbiased=unbiased, keepdim=keepdim).sqrt()

    def logsumexp(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """log(sum(exp(x))) over ``axis``, stable for logits of any size.

        >>> Tensor([0.0, 0.0]).logsumexp()
        tensor(0.69314718)
        """
        axis, keepdims = reduction_args("logsumexp", axis, dim, keepdims, keepdim)
        return LogSumExp.apply(self, axis=axis, keepdims=keepdims)

    # ------------------------------------------------------------------ shape

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

    def gather(self, axis: int, index) -> Tensor:
        """Pick ``x[index[i][j]][j]`` along ``axis`` (``torch.gather(x, dim, index)``).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, np.array([[1], [0]]))
        tensor([[2.],
                [3.]])
        """
        index = np.asarray(index.data if isinstance(index, Tensor) else index)
        axis = checked_axis("gather", axis, self.data.ndim)
        if index.dtype.kind not in "iu":
            raise TypeError(f"gather: index must hold integers, got dtype {index.dtype}")
        size = self.data.shape[axis] if self.data.ndim else 1
        if index.size and (index.min() < 0 or index.max() >= size):
            bad = index.min() if index.min() < 0 else index.max()
            raise IndexError(f"gather: index {bad} is out of bounds for dimension {axis} with "
                             f"size {size}")
        return Gather.apply(self, index=index, axis=axis)

    @property
    def T(self) -> Tensor:
        """All axes reversed (a matrix's transpose).

        >>> Tensor([[1.0, 2.0]]).T.shape
        (2, 1)
        """
        return self.transpose()

    def matmul(self, other) -> Tensor:
        """Matrix product with NumPy's rules (1-d, 2-d, batched with broadcasting).

        >>> Tensor([[1.0, 2.0]]).matmul(Tensor([[3.0], [4.0]]))
        tensor([[11.]])
        """
        return self @ other

    # ------------------------------------------------------------------ indexing

    def __getitem__(self, index) -> Tensor:
        return Index.apply(self, index=array_index(index, TensorCore))

    def __setitem__(self, index, value) -> None:
        if self._requires_grad and is_grad_enabled():
            raise RuntimeError(
                "setitem: a tensor that requires grad cannot be assigned to in place "
                "(the graph would not see it); use tg.no_grad() or build a new tensor"
            )
        value = value.data if isinstance(value, Tensor) else value
        try:
            self.data[array_index(index, TensorCore)] = value
        except (IndexError, ValueError, TypeError) as error:
            kind = next(k for k in (IndexError, TypeError, ValueError) if isinstance(error, k))
            raise kind(
                f"setitem: cannot assign {np.shape(value)} to index {index!r} of a tensor "
                f"of shape {self.data.shape}: {error}"
            ) from None


tensor = Tensor
"""``tg.tensor(data, requires_grad=False)`` is ``Tensor``, as ``torch.tensor`` is for PyTorch."""
