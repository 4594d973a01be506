"""Python's operators on tensors and their names: arithmetic (``add``, ``div``, ``//``, ``%``),
in-place updates (``+=``, ``add_``, ...), comparisons (``eq``, ``isclose``, ...) and logic."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tapegrad import backend, dtypes
from tapegrad.grad_mode import no_grad
from tapegrad.ops.arithmetic import Add, Div, Mul, Neg, Pow, Sub
from tapegrad.ops.elementwise import Abs
from tapegrad.ops.linalg import Matmul
from tapegrad.ops.rounding import FloorDivide, Fmod, Remainder, TruncDivide
from tapegrad.surface.in_place import change_in_place, is_recorded
from tapegrad.tensor_core import TensorCore, increment_version, wrap

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor

class OperatorMethods:
    """``+ - * / ** @``, their reflected and in-place forms, comparisons and ``& | ^ ~``."""

    __slots__ = ()

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
        if self._data.dtype.kind in "biu":  # integers divide into the default float dtype
            return Div.apply_binary(self.astype(dtypes.get_default_dtype()), other)
        return Div.apply_binary(self, other)

    def __rtruediv__(self, other) -> Tensor:
        if self._data.dtype.kind in "biu":
            return Div.apply_binary(other, self.astype(dtypes.get_default_dtype()))
        return Div.apply_binary(other, self)

    # x // y is not differentiable (PyTorch has no gradient for it): it is not recorded.

    def __floordiv__(self, other) -> Tensor:
        with no_grad():
            return FloorDivide.apply_binary(self, other)

    def __rfloordiv__(self, other) -> Tensor:
        with no_grad():
            return FloorDivide.apply_binary(other, self)

    def __mod__(self, other) -> Tensor:
        return Remainder.apply_binary(self, other)

    def __rmod__(self, other) -> Tensor:
        return Remainder.apply_binary(other, self)

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

    # In place: each computes its result with the ordinary op and writes it into this
    # tensor's storage; change_in_place records it in the graph when grad mode needs it.

    def _update_in_place(self, symbol: str, ufunc, other) -> Tensor:
        """``self op= other``: NumPy's ``out=`` when no graph is involved, else recorded."""
        if is_recorded(self, symbol, (other,)):
            operation = _IN_PLACE_OPERATIONS[ufunc]
            return change_in_place(self, symbol, lambda before: operation(before, other),
                                   (other,))
        value = other._data if isinstance(other, TensorCore) else other
        try:
            ufunc(self._data, value, out=self._data)
        except (TypeError, ValueError) as error:
            # The plain class: NumPy's subclasses (a casting error) take other arguments.
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(
                f"{symbol}: cannot update a tensor of shape {self._data.shape} and dtype "
                f"{self._data.dtype} in place with {np.shape(value)}: {error}"
            ) from None
        increment_version(self)
        return self

    def __iadd__(self, other) -> Tensor:
        return self._update_in_place("+=", np.add, other)

    def __isub__(self, other) -> Tensor:
        return self._update_in_place("-=", np.subtract, other)

    def __imul__(self, other) -> Tensor:
        return self._update_in_place("*=", np.multiply, other)

    def __itruediv__(self, other) -> Tensor:
        return self._update_in_place("/=", np.true_divide, other)

    def add_(self, other, *, alpha=1) -> Tensor:
        """In place: self += alpha * other; returns self. Recorded in the graph as ``+=`` is
        (see README, "In-place operations").

        >>> Tensor([1.0, 2.0]).add_(1.0, alpha=2)
        tensor([3., 4.])
        """
        return self._update_in_place("add_", np.add, _times_alpha("add_", self, other, alpha))

    def sub_(self, other, *, alpha=1) -> Tensor:
        """In place: self -= alpha * other; returns self.

        >>> Tensor([1.0, 2.0]).sub_(Tensor([1.0, 1.0]))
        tensor([0., 1.])
        """
        return self._update_in_place("sub_", np.subtract,
                                     _times_alpha("sub_", self, other, alpha))

    def mul_(self, other) -> Tensor:
        """In place: self *= other; returns self.

        >>> Tensor([1.0, 2.0]).mul_(3)
        tensor([3., 6.])
        """
        return self._update_in_place("mul_", np.multiply, other)

    def div_(self, other, *, rounding_mode=None) -> Tensor:
        """In place: self = self.div(other, rounding_mode=...); returns self. An integer
        tensor takes only a rounded quotient.

        >>> Tensor([3.0, 4.0]).div_(2)
        tensor([1.5000, 2.0000])
        """
        if rounding_mode is None:
            return self._update_in_place("div_", np.true_divide, other)
        return change_in_place(self, "div_", lambda before: before.div(
            other, rounding_mode=rounding_mode), (other,))

    def pow_(self, exponent) -> Tensor:
        """In place: self = self ** exponent; returns self.

        >>> Tensor([2.0, 3.0]).pow_(2)
        tensor([4., 9.])
        """
        return change_in_place(self, "pow_", lambda before: before ** exponent, (exponent,))

    def neg_(self) -> Tensor:
        """In place: self = -self; returns self.

        >>> Tensor([1.0, -2.0]).neg_()
        tensor([-1.,  2.])
        """
        return change_in_place(self, "neg_", lambda before: -before)

    def clamp_(self, min=None, max=None) -> Tensor:  # noqa: A002 - PyTorch's names
        """In place: self = self.clamp(min, max); returns self.

        >>> Tensor([-1.0, 0.5, 2.0]).clamp_(0, 1)
        tensor([0.0000, 0.5000, 1.0000])
        """
        return change_in_place(self, "clamp_", lambda before: before.clamp(min, max),
                               (min, max))

    clip_ = clamp_

    def zero_(self) -> Tensor:
        """In place: every element 0; returns self. (Not ``zero_grad``.) In the graph, the
        value before passes no gradient.

        >>> Tensor([1.0, 2.0]).zero_()
        tensor([0., 0.])
        """
        return self.fill_(0)

    def fill_(self, value) -> Tensor:
        """In place: every element ``value``, a number or a 0-d tensor (which then gets the
        gradient of every element), cast to self's dtype; returns self.

        >>> Tensor([1, 2]).fill_(7)
        tensor([7, 7])
        """
        if isinstance(value, TensorCore) and value._data.ndim != 0:
            raise ValueError("fill_: value must be a number or a 0-dimensional tensor, got "
                             f"a tensor of shape {value._data.shape}")
        if self._data.flags.writeable and not is_recorded(self, "fill_", (value,)):
            self._data[...] = value._data if isinstance(value, TensorCore) else value
            increment_version(self)
            return self
        everywhere = np.ones(self._data.shape, dtype=bool)
        return change_in_place(self, "fill_", lambda before: before.masked_fill(
            everywhere, value), (value,))

    def copy_(self, src) -> Tensor:
        """In place: self's elements become ``src``'s (broadcast to self's shape, cast to
        self's dtype); returns self. In the graph, ``src`` gets the gradient.

        >>> Tensor([0.0, 0.0]).copy_(Tensor([1, 2]))
        tensor([1., 2.])
        """
        values = src._data if isinstance(src, TensorCore) else backend.as_array(src)
        try:
            if np.broadcast_shapes(values.shape, self._data.shape) != self._data.shape:
                raise ValueError("the source does not broadcast to the tensor's shape")
        except ValueError as error:
            raise ValueError(f"copy_: cannot copy a source of shape {values.shape} into a "
                             f"tensor of shape {self._data.shape}: {error}") from None
        if not isinstance(src, TensorCore):
            src = wrap(values)
        everywhere = np.ones(self._data.shape, dtype=bool)
        return change_in_place(self, "copy_", lambda before: src.astype(
            self._data.dtype, copy=False).where(everywhere, before), (src,))

    # Comparisons give boolean tensors that are not differentiable.

    def _compare(self, ufunc, other) -> Tensor:
        other = other._data if isinstance(other, TensorCore) else other
        return wrap(backend.as_array(ufunc(self._data, other)))

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

    # & | ^ ~ are bitwise, as in PyTorch and NumPy: logic on boolean tensors (masks), bits of
    # integer ones; not differentiable. logical_and and friends take any dtype.

    def _bitwise(self, symbol: str, ufunc, other) -> Tensor:
        other = other._data if isinstance(other, TensorCore) else other
        for kind in (self._data.dtype.kind, _kind(other)):
            if kind not in "biu":
                raise TypeError(f"{symbol}: only boolean and integer tensors have bits, got "
                                f"dtype {self._data.dtype} and {_dtype_name(other)}; for the truth "
                                "of numbers use logical_and, logical_or or logical_xor")
        return wrap(backend.as_array(ufunc(self._data, other)))

    def __and__(self, other) -> Tensor:
        return self._bitwise("&", np.bitwise_and, other)

    __rand__ = __and__

    def __or__(self, other) -> Tensor:
        return self._bitwise("|", np.bitwise_or, other)

    __ror__ = __or__

    def __xor__(self, other) -> Tensor:
        return self._bitwise("^", np.bitwise_xor, other)

    __rxor__ = __xor__

    def __invert__(self) -> Tensor:
        if self._data.dtype.kind not in "biu":
            raise TypeError(f"~: only boolean and integer tensors can be inverted, got dtype "
                            f"{self._data.dtype}; for the truth of numbers use logical_not")
        return wrap(backend.as_array(np.invert(self._data)))

    def logical_and(self, other) -> Tensor:
        """True where both are nonzero (any dtypes).

        >>> Tensor([1.0, 0.0, 2.0]).logical_and(Tensor([1, 1, 0]))
        tensor([ True, False, False])
        """
        return self._compare(np.logical_and, other)

    def logical_or(self, other) -> Tensor:
        """True where either is nonzero (any dtypes).

        >>> Tensor([1.0, 0.0, 0.0]).logical_or(Tensor([0, 0, 3]))
        tensor([ True, False,  True])
        """
        return self._compare(np.logical_or, other)

    def logical_xor(self, other) -> Tensor:
        """True where exactly one is nonzero (any dtypes).

        >>> Tensor([1.0, 0.0, 2.0]).logical_xor(Tensor([1, 0, 0]))
        tensor([False, False,  True])
        """
        return self._compare(np.logical_xor, other)

    def logical_not(self) -> Tensor:
        """True where x is zero (any dtype).

        >>> Tensor([1.0, 0.0]).logical_not()
        tensor([False,  True])
        """
        return wrap(backend.as_array(np.logical_not(self._data)))

    # Arithmetic by name, as PyTorch spells it: each is its operator.

    def add(self, other, *, alpha=1) -> Tensor:
        """self + alpha * other.

        >>> Tensor([1.0, 2.0]).add(Tensor([1.0, 1.0]), alpha=10)
        tensor([11., 12.])
        """
        return self + _times_alpha("add", self, other, alpha)

    def sub(self, other, *, alpha=1) -> Tensor:
        """self - alpha * other (``subtract`` is the same).

        >>> Tensor([5.0]).sub(2.0, alpha=2)
        tensor([1.])
        """
        return self - _times_alpha("sub", self, other, alpha)

    subtract = sub

    def mul(self, other) -> Tensor:
        """self * other (``multiply`` is the same).

        >>> Tensor([2.0]).mul(3.0)
        tensor([6.])
        """
        return self * other

    multiply = mul

    def div(self, other, *, rounding_mode=None) -> Tensor:
        """self / other (``divide`` is the same). With ``rounding_mode="trunc"`` the quotient
        is rounded toward 0, with ``"floor"`` down (``//``); rounded quotients are not
        differentiable (no grad_fn) and keep integers integers.

        >>> Tensor([-7.0, 7.0]).div(2.0)
        tensor([-3.5000,  3.5000])
        >>> Tensor([-7, 7]).div(2, rounding_mode="trunc")
        tensor([-3,  3])
        >>> Tensor([-7, 7]).div(2, rounding_mode="floor")
        tensor([-4,  3])
        """
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":
            return self // other
        if rounding_mode == "trunc":
            with no_grad():
                return TruncDivide.apply_binary(self, other)
        raise ValueError("div: rounding_mode must be None, 'trunc' or 'floor', got "
                         f"{rounding_mode!r}")

    divide = div

    def true_divide(self, other) -> Tensor:
        """self / other: a true division, floating even for integers.

        >>> Tensor([1, 2]).true_divide(Tensor([2, 2]))
        tensor([0.5000, 1.0000])
        """
        return self / other

    def floor_divide(self, other) -> Tensor:
        """self // other: the quotient rounded down (Python's //); not differentiable.

        >>> Tensor([-7.0, 7.0]).floor_divide(2.0)
        tensor([-4.,  3.])
        """
        return self // other

    def remainder(self, other) -> Tensor:
        """self % other, with other's sign (Python's %): self - floor(self / other) * other.

        >>> Tensor([-7.0, 7.0]).remainder(3.0)
        tensor([2., 1.])
        """
        return self % other

    def fmod(self, other) -> Tensor:
        """The remainder with self's sign (C's fmod): self - trunc(self / other) * other.

        >>> Tensor([-7.0, 7.0]).fmod(3.0)
        tensor([-1.,  1.])
        """
        return Fmod.apply_binary(self, other)

    def pow(self, exponent) -> Tensor:
        """self ** exponent.

        >>> Tensor([2.0, 3.0]).pow(2)
        tensor([4., 9.])
        """
        return self ** exponent

    def neg(self) -> Tensor:
        """-self (``negative`` is the same).

        >>> Tensor([1.0, -2.0]).neg()
        tensor([-1.,  2.])
        """
        return -self

    negative = neg

    def matmul(self, other) -> Tensor:
        """Matrix product with NumPy's rules (1-d, 2-d, batched with broadcasting).

        >>> Tensor([[1.0, 2.0]]).matmul(Tensor([[3.0], [4.0]]))
        tensor([[11.]])
        """
        return self @ other

    # Comparisons by name.

    def eq(self, other) -> Tensor:
        """self == other, elementwise (boolean).

        >>> Tensor([1.0, 2.0]).eq(2.0)
        tensor([False,  True])
        """
        return self == other

    def ne(self, other) -> Tensor:
        """self != other, elementwise (boolean; ``not_equal`` is the same).

        >>> Tensor([1.0, 2.0]).ne(2.0)
        tensor([ True, False])
        """
        return self != other

    not_equal = ne

    def lt(self, other) -> Tensor:
        """self < other, elementwise (boolean; ``less`` is the same).

        >>> Tensor([1.0, 2.0]).lt(2.0)
        tensor([ True, False])
        """
        return self < other

    less = lt

    def le(self, other) -> Tensor:
        """self <= other, elementwise (boolean; ``less_equal`` is the same).

        >>> Tensor([1.0, 3.0]).le(2.0)
        tensor([ True, False])
        """
        return self <= other

    less_equal = le

    def gt(self, other) -> Tensor:
        """self > other, elementwise (boolean; ``greater`` is the same).

        >>> Tensor([1.0, 3.0]).gt(2.0)
        tensor([False,  True])
        """
        return self > other

    greater = gt

    def ge(self, other) -> Tensor:
        """self >= other, elementwise (boolean; ``greater_equal`` is the same).

        >>> Tensor([1.0, 2.0]).ge(2.0)
        tensor([False,  True])
        """
        return self >= other

    greater_equal = ge

    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        """True where |self - other| <= atol + rtol * |other| (boolean).

        >>> Tensor([1.0, 1.1]).isclose(Tensor([1.0 + 1e-9, 1.0]))
        tensor([ True, False])
        """
        other = other._data if isinstance(other, TensorCore) else other
        return wrap(backend.as_array(np.isclose(self._data, other, rtol=rtol, atol=atol,
                                                equal_nan=equal_nan)))

    def allclose(self, other, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """Whether every element is ``isclose`` to other's: a Python bool.

        >>> Tensor([1.0, 2.0]).allclose(Tensor([1.0, 2.0 + 1e-9]))
        True
        """
        other = other._data if isinstance(other, TensorCore) else other
        return bool(np.allclose(self._data, other, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def equal(self, other) -> bool:
        """Whether self and other have the same shape and the same values: a Python bool
        (nan is not equal to nan).

        >>> Tensor([1.0, 2.0]).equal(Tensor([1, 2])), Tensor([1.0]).equal(Tensor([1.0, 1.0]))
        (True, False)
        """
        other = other._data if isinstance(other, TensorCore) else backend.as_array(other)
        return self._data.shape == other.shape and bool((self._data == other).all())


def _kind(value) -> str:
    """The dtype kind of a tensor's array or a Python number ("b", "i", "u", "f", "c")."""
    return value.dtype.kind if hasattr(value, "dtype") else np.result_type(value).kind


def _dtype_name(value) -> str:
    return f"dtype {value.dtype}" if hasattr(value, "dtype") else type(value).__name__


def _times_alpha(op: str, tensor: TensorCore, other, alpha):
    """alpha * other for add and sub; a float alpha cannot scale integers (PyTorch's rule)."""
    if not isinstance(alpha, (int, float, np.number)):
        raise TypeError(f"{op}: alpha must be a number, got {type(alpha).__name__}")
    kinds = tensor._data.dtype.kind + _kind(other)
    if _kind(alpha) in "fc" and set(kinds) <= set("biu"):
        raise TypeError(f"{op}: for integer tensors, alpha must not be a float, got {alpha}")
    if kinds == "bb":  # alpha takes the booleans' dtype, as in PyTorch: True + 2 * True is True
        alpha = bool(alpha)
    return other if alpha == 1 else other * alpha


# The out-of-place op of each in-place operator, for when it is recorded.
_IN_PLACE_OPERATIONS = {
    np.add: lambda before, other: before + other,
    np.subtract: lambda before, other: before - other,
    np.multiply: lambda before, other: before * other,
    np.true_divide: lambda before, other: before / other,
}
