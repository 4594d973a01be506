"""Complex numbers on tensors: the methods (``real``, ``imag``, ``conj``, ``angle``) and the
module-level functions ``tg.real``, ``tg.complex``, ``tg.polar``, ``tg.view_as_real``, ...

Each behaves as its PyTorch namesake, and differentiates by PyTorch's convention (see
``tapegrad.complex_gradients``). One difference: PyTorch's ``real``, ``imag`` and
``view_as_real`` are views sharing the complex tensor's memory; here they are copies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tapegrad import dtypes
from tapegrad.ops.complex import Angle, Complex, Conj, Imag, Real, ViewAsReal
from tapegrad.tensor_core import TensorCore

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor


class ComplexMethods:
    """The methods of complex numbers: each applies one Function of ``tapegrad.ops.complex``."""

    __slots__ = ()

    @property
    def real(self) -> Tensor:
        """The real part (a real tensor is its own real part, as in PyTorch).

        >>> Tensor([1 + 2j]).real
        tensor([1.])
        """
        return Real.apply_unary(self) if self._data.dtype.kind == "c" else self

    @property
    def imag(self) -> Tensor:
        """The imaginary part of a complex tensor; a real one raises, as in PyTorch.

        >>> Tensor([1 + 2j]).imag
        tensor([2.])
        """
        if self._data.dtype.kind != "c":
            raise RuntimeError(
                f"imag is not implemented for tensors with non-complex dtypes (got "
                f"{self._data.dtype}); a real tensor's imaginary part is zero"
            )
        return Imag.apply_unary(self)

    def conj(self) -> Tensor:
        """The complex conjugate (a real tensor is its own).

        >>> Tensor([1 + 2j]).conj()
        tensor([1.-2.j])
        """
        return Conj.apply_unary(self) if self._data.dtype.kind == "c" else self

    def conj_physical(self) -> Tensor:
        """The complex conjugate, as ``conj`` (tapegrad's conjugates are always computed).

        >>> Tensor([1j]).conj_physical()
        tensor([0.-1.j])
        """
        return self.conj()

    def resolve_conj(self) -> Tensor:
        """The tensor itself: tapegrad has no lazy conjugate bit to resolve.

        >>> Tensor([1j]).conj().resolve_conj()
        tensor([0.-1.j])
        """
        return self

    def angle(self) -> Tensor:
        """The angle of each element in radians, in (-pi, pi]: 0 or pi for real ones (whose
        gradient is 0); integers give the default float dtype.

        >>> Tensor([1j, -1.0]).angle()
        tensor([1.5708, 3.1416])
        """
        x = self if self._data.dtype.kind in "fc" else self.astype(dtypes.get_default_dtype())
        return Angle.apply_unary(x)

    def is_complex(self) -> bool:
        """Whether the dtype is complex64 or complex128.

        >>> Tensor([1j]).is_complex(), Tensor([1.0]).is_complex()
        (True, False)
        """
        return self._data.dtype.kind == "c"


def _tensor(value) -> TensorCore:
    from tapegrad.routines import as_tensor  # routines imports the surface: import late
    return as_tensor(value)


def real(input) -> Tensor:  # noqa: A002 - PyTorch's names
    """``tg.real(z)``: ``z.real``.

    >>> import tapegrad as tg
    >>> tg.real(tg.tensor([1 + 2j]))
    tensor([1.])
    """
    return _tensor(input).real


def imag(input) -> Tensor:  # noqa: A002
    """``tg.imag(z)``: ``z.imag`` (a real tensor raises, as in PyTorch).

    >>> import tapegrad as tg
    >>> tg.imag(tg.tensor([1 + 2j]))
    tensor([2.])
    """
    return _tensor(input).imag


def conj(input) -> Tensor:  # noqa: A002
    """``tg.conj(z)``: ``z.conj()``.

    >>> import tapegrad as tg
    >>> tg.conj(tg.tensor([1 + 2j]))
    tensor([1.-2.j])
    """
    return _tensor(input).conj()


def conj_physical(input) -> Tensor:  # noqa: A002
    """``tg.conj_physical(z)``: ``z.conj()``.

    >>> import tapegrad as tg
    >>> tg.conj_physical(tg.tensor([2j]))
    tensor([0.-2.j])
    """
    return _tensor(input).conj()


def angle(input) -> Tensor:  # noqa: A002
    """``tg.angle(z)``: ``z.angle()``.

    >>> import tapegrad as tg
    >>> tg.angle(tg.tensor([-1.0, 1.0]))
    tensor([3.1416, 0.0000])
    """
    return _tensor(input).angle()


def is_complex(input) -> bool:  # noqa: A002
    """``tg.is_complex(t)``: whether t's dtype is complex.

    >>> import tapegrad as tg
    >>> tg.is_complex(tg.tensor([1j]))
    True
    """
    return _tensor(input).is_complex()


def complex(real, imag) -> Tensor:  # noqa: A001 - PyTorch's name
    """``tg.complex(real, imag)``: real + i imag, from two real tensors of one float dtype
    (float32 gives complex64, float64 complex128), broadcast together.

    >>> import tapegrad as tg
    >>> tg.complex(tg.tensor([1.0]), tg.tensor([2.0]))
    tensor([1.+2.j])
    """
    real, imag = _tensor(real), _tensor(imag)
    for name, part in (("real", real), ("imag", imag)):
        if part.dtype.kind != "f":
            raise TypeError(f"complex: {name} must be a floating tensor (float32 or float64), "
                            f"got dtype {part.dtype}")
    if real.dtype != imag.dtype:
        raise TypeError(f"complex: real and imag must have the same dtype, got {real.dtype} "
                        f"and {imag.dtype}")
    return Complex.apply(real, imag)


def polar(abs, angle) -> Tensor:  # noqa: A002 - PyTorch's names
    """``tg.polar(abs, angle)``: abs * (cos(angle) + i sin(angle)).

    >>> import tapegrad as tg
    >>> tg.polar(tg.tensor([2.0]), tg.tensor([0.0]))
    tensor([2.+0.j])
    """
    magnitude, angle = _tensor(abs), _tensor(angle)
    return complex(magnitude * angle.cos(), magnitude * angle.sin())


def view_as_real(input) -> Tensor:  # noqa: A002
    """``tg.view_as_real(z)``: a complex tensor as real pairs, shape (..., 2) (a copy).

    >>> import tapegrad as tg
    >>> tg.view_as_real(tg.tensor([1 + 2j]))
    tensor([[1., 2.]])
    """
    z = _tensor(input)
    if not z.is_complex():
        raise RuntimeError(f"view_as_real is only supported for complex tensors, got dtype "
                           f"{z.dtype}")
    return ViewAsReal.apply(z)


def view_as_complex(input) -> Tensor:  # noqa: A002
    """``tg.view_as_complex(t)``: real pairs (last axis of size 2) as complex numbers.

    >>> import tapegrad as tg
    >>> tg.view_as_complex(tg.tensor([[1.0, 2.0]]))
    tensor([1.+2.j])
    """
    x = _tensor(input)
    if x.ndim == 0 or x.shape[-1] != 2:
        raise RuntimeError(f"view_as_complex: the last dimension must have size 2, got shape "
                           f"{tuple(x.shape)}")
    return complex(x[..., 0], x[..., 1])

