"""Rounding and division that rounds: floor, ceil, trunc, round, x // y, fmod and remainder.

A rounded value is flat between its jumps, so its gradient is 0 wherever one exists. PyTorch
records these ops anyway and sends zeros back; the Tensor's methods apply them without
recording (under ``no_grad``), so their results have no grad_fn, like a comparison's.
``fmod`` and ``remainder`` are x minus a multiple of y that is constant between the jumps, so
they do pass gradients: 1 to x, and minus that multiple to y.

Integers stay integers (rounding one changes nothing), and integer division by zero is an
error, as in PyTorch and Python: NumPy would return 0 with a warning.
"""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function
from tapegrad.ops.chain_rule import times_keeping_zeros


class IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """An integer divided by zero: Python's ZeroDivisionError, and the RuntimeError that
    PyTorch raises, so either ``except`` catches it.

    >>> issubclass(IntegerDivisionByZero, RuntimeError)
    True
    """


class Floor(Function):
    """y = floor(x);  dL/dx = 0   (flat between the integers; an integer x stays as it is)"""

    __slots__ = ()
    saved_roles = ()

    def forward(self, x):
        return _rounded("Floor", np.floor, x)

    def backward(self, grad):
        return None


class Ceil(Function):
    """y = ceil(x);  dL/dx = 0   (flat between the integers; an integer x stays as it is)"""

    __slots__ = ()
    saved_roles = ()

    def forward(self, x):
        return _rounded("Ceil", np.ceil, x)

    def backward(self, grad):
        return None


class Trunc(Function):
    """y = trunc(x), x rounded toward 0;  dL/dx = 0   (flat between the integers)"""

    __slots__ = ()
    saved_roles = ()

    def forward(self, x):
        return _rounded("Trunc", np.trunc, x)

    def backward(self, grad):
        return None


class Round(Function):
    """y = round(x, decimals), halves to even;  dL/dx = 0   (flat between its jumps)"""

    __slots__ = ()
    saved_roles = ()

    def forward(self, x, decimals=0):
        if decimals == 0:
            return _rounded("Round", np.rint, x)
        if x.dtype.kind not in "fc":
            raise TypeError(f"Round: decimals={decimals} needs a floating tensor, got dtype "
                            f"{x.dtype} (as in PyTorch)")
        return np.round(x, decimals)

    def backward(self, grad):
        return None


def _rounded(op: str, rounding, x):
    """``rounding(x)`` for floating x; a copy of an integer x, which is already whole."""
    _not_boolean(op, x)
    if x.dtype.kind in "iu":
        return x.copy()  # np.floor would make integers floating
    return rounding(x)


def _not_boolean(op: str, x) -> None:
    if x.dtype.kind == "b":
        raise TypeError(f"{op}: not defined for boolean tensors (as in PyTorch)")


class FloorDivide(Function):
    """z = floor(x / y);  dL/dx = 0,  dL/dy = 0   (Python's //, integers stay integers)"""

    __slots__ = ()
    saved_roles = ()

    def forward(self, x, y):
        _check_division("FloorDivide", x, y)
        with np.errstate(divide="ignore", invalid="ignore"):  # x // 0.0 is ±inf or nan
            return np.floor_divide(x, y)

    def backward(self, grad):
        return None, None


class TruncDivide(Function):
    """z = trunc(x / y);  dL/dx = 0,  dL/dy = 0   (the quotient rounded toward 0, as C's /)"""

    __slots__ = ()
    saved_roles = ()

    def forward(self, x, y):
        _check_division("TruncDivide", x, y)
        if x.dtype.kind in "iu":
            # exact for integers of any size: x - fmod(x, y) is a multiple of y
            return (x - np.fmod(x, y)) // y
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.trunc(x / y)

    def backward(self, grad):
        return None, None


class Fmod(Function):
    """z = fmod(x, y) = x - trunc(x / y) * y;  dL/dx = dL/dz,  dL/dy = -dL/dz * trunc(x / y)

    The result has x's sign (C's fmod). The quotient is flat between its jumps, so it is kept
    as a constant: its own derivative is 0.
    """

    __slots__ = ()
    saved_roles = ()

    def forward(self, x, y):
        _check_division("Fmod", x, y)
        with np.errstate(divide="ignore", invalid="ignore"):  # fmod(x, 0.0) is nan
            if self.needs_input_grad[1]:
                self.save_for_backward(np.trunc(x / y))
            return np.fmod(x, y)

    def backward(self, grad):
        needs_x, needs_y = self.needs_input_grad
        grad_y = None
        if needs_y:
            (quotient,) = self.saved
            grad_y = times_keeping_zeros(grad, -quotient)
        return (grad if needs_x else None), grad_y


class Remainder(Function):
    """z = x - floor(x / y) * y;  dL/dx = dL/dz,  dL/dy = -dL/dz * floor(x / y)

    The result has y's sign (Python's %). The quotient is flat between its jumps, so it is
    kept as a constant: its own derivative is 0.
    """

    __slots__ = ()
    saved_roles = ()

    def forward(self, x, y):
        _check_division("Remainder", x, y)
        with np.errstate(divide="ignore", invalid="ignore"):  # x % 0.0 is nan
            if self.needs_input_grad[1]:
                self.save_for_backward(np.floor_divide(x, y))
            return np.remainder(x, y)

    def backward(self, grad):
        needs_x, needs_y = self.needs_input_grad
        grad_y = None
        if needs_y:
            (quotient,) = self.saved
            grad_y = times_keeping_zeros(grad, -quotient)
        return (grad if needs_x else None), grad_y


def _check_division(op: str, x, y) -> None:
    """Refuse two booleans (PyTorch does) and integer division by zero (NumPy gives 0)."""
    x_kind, y_kind = x.dtype.kind, y.dtype.kind
    if x_kind == "b" and y_kind == "b":
        raise TypeError(f"{op}: not defined for two boolean tensors (as in PyTorch)")
    if x_kind in "biu" and y_kind in "biu" and not np.all(y):
        raise IntegerDivisionByZero(f"{op}: integer division by zero")
