"""Gradients through complex values, by PyTorch's convention.

For a real loss L of a complex z = x + iy, ``z.grad`` is dL/dx + i dL/dy (PyTorch's
"conjugate Wirtinger" gradient, 2 dL/d(conj z)). For an op y = f(z) that is holomorphic
(complex-differentiable: arithmetic, exp, log, sums, matmul, reshapes, ...) the chain rule
is then dL/dz = conj(f'(z)) * dL/dy. A real op's backward computes dL/dy * f'(z) from its
saved inputs with NumPy, and the same formula holds for complex z, so

    conj(backward(conj(dL/dy))) = conj(conj(dL/dy) * f'(z)) = dL/dy * conj(f'(z))

is the complex gradient with no per-op code. An input that was real gets the real part, as
in PyTorch (its gradient is dL/dx alone).

Each Function class says how it takes complex values with the class attribute
``complex_gradients``:

- ``None`` (the default): a complex result on the graph raises a TypeError naming the op,
  rather than give a silently wrong gradient;
- ``HOLOMORPHIC``: its backward is the real formula of a holomorphic op; the node of a
  complex result becomes an instance of a subclass whose backward is wrapped as above (the
  class is swapped once, when the node is recorded, so real ops pay nothing);
- ``AS_WRITTEN``: its backward already gives PyTorch's complex gradients (``real``,
  ``imag``, ``conj``, ``angle``: the ops that are not holomorphic).

An op whose result is real and an input complex (``abs``, ``real``, ``angle``) writes its
backward for complex inputs itself.
"""

from __future__ import annotations

import numpy as np

HOLOMORPHIC = "holomorphic"
AS_WRITTEN = "as written"

# (Function class, which inputs are real) -> its subclass with the conjugated backward
_HOLOMORPHIC_VARIANTS: dict = {}


def prepare(node, operands) -> None:
    """Make ``node``, about to be linked with a complex result, ready to differentiate it,
    or raise a TypeError naming its op when it does not support complex gradients.

    >>> from tapegrad.ops.arithmetic import Mul
    >>> node = Mul()
    >>> prepare(node, (np.array([1.0]), np.array([1j])))
    >>> type(node).__name__, type(node).real_inputs
    ('Mul', (True, False))
    """
    cls = type(node)
    rule = cls.complex_gradients
    if rule == HOLOMORPHIC:
        node.__class__ = _holomorphic_variant(cls, tuple(
            not np.iscomplexobj(operand) for operand in operands))
    elif rule != AS_WRITTEN:
        raise TypeError(
            f"{cls.__name__} does not support complex gradients: its result is complex and "
            "on the graph. Ops that do: arithmetic, exp/log/sqrt/trig, sum/mean, matmul, "
            "shape ops, real/imag/conj/angle/abs; compute this one on .detach()ed tensors, "
            "or on real and imaginary parts as two real tensors"
        )


def _holomorphic_variant(cls, real_inputs: tuple):
    """``cls`` with backward g -> conj(cls.backward(conj(g))), the real part for real inputs."""
    key = (cls, real_inputs)
    variant = _HOLOMORPHIC_VARIANTS.get(key)
    if variant is None:
        variant = type(cls.__name__, (cls,), {
            "__slots__": (), "__doc__": cls.__doc__, "__module__": cls.__module__,
            "__qualname__": cls.__qualname__, "real_inputs": real_inputs,
            "backward": _conjugated(cls.backward, real_inputs, cls.__name__),
        })
        _HOLOMORPHIC_VARIANTS[key] = variant
    return variant


def _conjugated(real_backward, real_inputs: tuple, op: str):
    def backward(self, grad):
        if getattr(grad, "dtype", np.dtype(complex)).kind != "c":
            raise TypeError(
                f"{op}: the gradient reaching its complex result is real ({grad.dtype}): an "
                "op that used this complex value does not support complex gradients"
            )
        grads = real_backward(self, conj(grad))
        if not isinstance(grads, (tuple, list)):
            return _input_gradient(grads, real_inputs[0])
        return tuple(_input_gradient(value, real)
                     for value, real in zip(grads, real_inputs))

    backward.once_differentiable = getattr(real_backward, "once_differentiable", False)
    return backward


def _input_gradient(grad, real: bool):
    if grad is None:
        return None
    return real_part(grad) if real else conj(grad)


def conj(value):
    """The complex conjugate of an array, a number or a Tensor (differentiable).

    >>> conj(np.array([1 + 2j]))
    array([1.-2.j])
    """
    return value.conj() if hasattr(value, "conj") else np.conj(value)


def real_part(value):
    """The real part of an array, a number or a Tensor (differentiable); real values as they
    are.

    >>> real_part(np.array([1 + 2j]))
    array([1.])
    """
    if getattr(value, "dtype", None) is None:
        return np.real(value)
    return value.real if value.dtype.kind == "c" else value
