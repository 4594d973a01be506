"""The complex ops that are not holomorphic: real and imaginary parts, conjugate, angle,
and complex numbers made of two real tensors (and views as pairs of reals).

Their gradients follow PyTorch's convention (see ``tapegrad.complex_gradients``): for a real
loss L of z = x + iy, dL/dz is dL/dx + i dL/dy. Each backward is written out, so it does not
go through the holomorphic wrapping; it calls these ops again (``forward_or_apply``), so that
under create_graph its result is differentiable again.
"""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import AS_WRITTEN
from tapegrad.function import Function


class Real(Function):
    """y = Re(z);  dL/dz = dL/dy + 0i"""

    __slots__ = ()
    complex_gradients = AS_WRITTEN
    saved_roles = ()

    def forward(self, z):
        return np.real(z).copy()  # a copy: NumPy's real part is a view, PyTorch's too

    def backward(self, grad):
        return Complex.forward_or_apply(grad, np.zeros((), grad.dtype))


class Imag(Function):
    """y = Im(z);  dL/dz = 0 + i dL/dy"""

    __slots__ = ()
    complex_gradients = AS_WRITTEN
    saved_roles = ()

    def forward(self, z):
        return np.imag(z).copy()

    def backward(self, grad):
        return Complex.forward_or_apply(np.zeros((), grad.dtype), grad)


class Complex(Function):
    """z = x + iy for real x, y (broadcast);  dL/dx = Re(dL/dz),  dL/dy = Im(dL/dz)"""

    __slots__ = ()
    complex_gradients = AS_WRITTEN
    saved_roles = ()

    def forward(self, x, y):
        if np.iscomplexobj(x) or np.iscomplexobj(y):
            raise TypeError(f"Complex: the real and imaginary parts must be real, got dtypes "
                            f"{np.result_type(x)} and {np.result_type(y)}")
        z = np.empty(np.broadcast_shapes(np.shape(x), np.shape(y)),
                     np.result_type(x, y, np.complex64))
        z.real, z.imag = x, y
        return z

    def backward(self, grad):
        needs_x, needs_y = self.needs_input_grad
        return (Real.forward_or_apply(grad) if needs_x else None,
                Imag.forward_or_apply(grad) if needs_y else None)


class Conj(Function):
    """y = conj(z);  dL/dz = conj(dL/dy)"""

    __slots__ = ()
    complex_gradients = AS_WRITTEN
    saved_roles = ()

    def forward(self, z):
        return np.conj(z)

    def backward(self, grad):
        return Conj.forward_or_apply(grad)


class Angle(Function):
    """y = angle(z) = atan2(Im z, Re z);  dL/dz = dL/dy * i z / |z|^2  (0 at z = 0, and 0 for
    real z, whose angle is the constant 0 or pi)"""

    __slots__ = ()
    saved_roles = (0,)

    def forward(self, z):
        self.save_for_backward(z)
        return np.angle(z)

    def backward(self, grad):
        (z,) = self.saved
        if z.dtype.kind != "c":
            return grad * 0
        squared = abs(z) ** 2
        return grad * (z * 1j) / (squared + (squared == 0))


class ViewAsReal(Function):
    """y[..., 0] = Re(z), y[..., 1] = Im(z);  dL/dz = dL/dy[..., 0] + i dL/dy[..., 1]"""

    __slots__ = ()
    complex_gradients = AS_WRITTEN
    saved_roles = ()

    def forward(self, z):
        return np.stack([np.real(z), np.imag(z)], axis=-1)

    def backward(self, grad):
        return Complex.forward_or_apply(grad[..., 0], grad[..., 1])


def complex_unit(z):
    """z / |z| (0 at 0), for arrays and Tensors alike: PyTorch's ``sgn``, the gradient of |z|.

    >>> complex_unit(np.array([3 + 4j, 0j]))
    array([0.6+0.8j, 0. +0.j ])
    """
    magnitude = abs(z)
    return z / (magnitude + (magnitude == 0))
