"""Elementwise math on tensors: exp, log, sqrt, the activations, clip, softmax, dtype casts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tapegrad import backend
from tapegrad.arguments import reduction_args
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
from tapegrad.ops.softmax import LogSoftmax, Softmax
from tapegrad.tensor_core import wrap

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor

class PointwiseMethods:
    """The elementwise methods: each applies one Function of ``tapegrad.ops.elementwise``."""

    __slots__ = ()

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


    def astype(self, dtype, copy: bool = True) -> Tensor:
        """The same values as ``dtype``; differentiable between float dtypes (the gradient is
        cast back). With ``copy=False``, a tensor already of ``dtype`` is returned as is.

        >>> Tensor([1.5, 2.0]).astype(np.float32).dtype
        dtype('float32')
        """
        if not copy and self.data.dtype == np.dtype(dtype):
            return self
        return Cast.apply(self, dtype=dtype)
