"""Python's operators on tensors: arithmetic, in-place updates, comparisons and logic."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tapegrad import backend
from tapegrad.grad_mode import is_grad_enabled
from tapegrad.ops.arithmetic import Add, Div, Mul, Neg, Pow, Sub
from tapegrad.ops.elementwise import (
    Abs,
)
from tapegrad.ops.linalg import Matmul
from tapegrad.tensor_core import TensorCore, wrap

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
        value = other.data if isinstance(other, TensorCore) else other
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
        other = other.data if isinstance(other, TensorCore) else other
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


    def matmul(self, other) -> Tensor:
        """Matrix product with NumPy's rules (1-d, 2-d, batched with broadcasting).

        >>> Tensor([[1.0, 2.0]]).matmul(Tensor([[3.0], [4.0]]))
        tensor([[11.]])
        """
        return self @ other
