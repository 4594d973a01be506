"""Elementwise math on tensors: exp, log, sqrt, the activations, rounding, clamp, predicates
(isnan, ...), where and masked_fill, softmax, dtype casts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tapegrad import backend, dtypes, random
from tapegrad.arguments import reduction_args
from tapegrad.grad_mode import no_grad
from tapegrad.ops.elementwise import (
    Abs,
    Cast,
    ClampBetween,
    Clip,
    Cos,
    Exp,
    Expm1,
    Log,
    Log1p,
    NanToNum,
    Relu,
    Rsqrt,
    Sigmoid,
    Sign,
    Sin,
    Sqrt,
    Tanh,
)
from tapegrad.ops.logarithms import Log2, Log10, Logaddexp, Logaddexp2
from tapegrad.ops.rounding import Ceil, Floor, Round, Trunc
from tapegrad.ops.select import Where
from tapegrad.ops.softmax import LogSoftmax, Softmax
from tapegrad.ops.trigonometry import (
    Arccos,
    Arccosh,
    Arcsin,
    Arcsinh,
    Arctan,
    Arctan2,
    Arctanh,
    Cosh,
    Hypot,
    Sinh,
    Tan,
)
from tapegrad.surface.in_place import change_in_place
from tapegrad.tensor_core import TensorCore, wrap

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor


class PointwiseMethods:
    """The elementwise methods: each applies one Function of ``tapegrad.ops`` (elementwise,
    rounding, select) or is written as the ops it is made of."""

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
        tensor(0.5000)
        """
        return Sigmoid.apply_unary(self)

    def relu(self) -> Tensor:
        """max(x, 0), elementwise; its gradient at 0 is 0 (PyTorch's convention).

        >>> Tensor([-1.0, 2.0]).relu()
        tensor([0., 2.])
        """
        return Relu.apply_unary(self)

    # In place (see surface/in_place.py): the op above, written into this tensor's storage.

    def exp_(self) -> Tensor:
        """In place: self = exp(self); returns self.

        >>> Tensor([0.0]).exp_()
        tensor([1.])
        """
        return change_in_place(self, "exp_", Exp.apply_unary)

    def tanh_(self) -> Tensor:
        """In place: self = tanh(self); returns self.

        >>> Tensor([0.0]).tanh_()
        tensor([0.])
        """
        return change_in_place(self, "tanh_", Tanh.apply_unary)

    def sigmoid_(self) -> Tensor:
        """In place: self = sigmoid(self); returns self.

        >>> Tensor([0.0]).sigmoid_()
        tensor([0.5000])
        """
        return change_in_place(self, "sigmoid_", Sigmoid.apply_unary)

    def relu_(self) -> Tensor:
        """In place: self = relu(self); returns self.

        >>> Tensor([-1.0, 2.0]).relu_()
        tensor([0., 2.])
        """
        return change_in_place(self, "relu_", Relu.apply_unary)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
        """In place: samples from the uniform distribution on [a, b); returns self. In the
        graph, the values before pass no gradient.

        >>> Tensor([5.0, 5.0]).uniform_(0, 1).max() < 1
        tensor(True)
        """
        values = random.generator(generator).uniform(a, b, self._data.shape)
        return self._fill_with("uniform_", values)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        """In place: samples from the normal distribution N(mean, std**2); returns self.

        >>> Tensor([0.0, 0.0]).normal_(mean=3.0, std=0.0)
        tensor([3., 3.])
        """
        values = random.generator(generator).normal(mean, std, self._data.shape)
        return self._fill_with("normal_", values)

    def _fill_with(self, name: str, values) -> Tensor:
        if self._data.dtype.kind != "f":
            raise TypeError(f"{name}: expected a floating tensor, got dtype {self._data.dtype}")
        constant = wrap(np.asarray(values, dtype=self._data.dtype))
        everywhere = np.ones(self._data.shape, dtype=bool)
        return change_in_place(self, name, lambda before: constant.where(everywhere, before))

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
        """-1, 0 or 1 by the sign of each element (0 at nan, as PyTorch's); not differentiable
        (its gradient is 0: the result has no grad_fn). Booleans stay as they are.

        >>> Tensor([-2.0, 0.0, 3.0]).sign()
        tensor([-1.,  0.,  1.])
        """
        if self._data.dtype.kind == "c":
            raise TypeError("sign: not defined for complex tensors (as in PyTorch); use sgn, "
                            "which gives x / |x|")
        with no_grad():
            return Sign.apply_unary(self)

    def sgn(self) -> Tensor:
        """``sign`` for real tensors, x / |x| (0 at 0) for complex ones; not differentiable.

        >>> Tensor([-2.0, 0.0]).sgn()
        tensor([-1.,  0.])
        """
        with no_grad():
            return Sign.apply_unary(self)

    # Rounding is flat between its jumps: its gradient is 0 wherever one exists. PyTorch
    # records it and sends zeros back; tapegrad does not record it (no grad_fn), as for a
    # comparison. Integer tensors stay as they are.

    def floor(self) -> Tensor:
        """The largest integer <= x, elementwise; not differentiable (no grad_fn).

        >>> Tensor([-1.5, 1.5]).floor()
        tensor([-2.,  1.])
        """
        with no_grad():
            return Floor.apply_unary(self)

    def ceil(self) -> Tensor:
        """The smallest integer >= x, elementwise; not differentiable (no grad_fn).

        >>> Tensor([-1.5, 1.5]).ceil()
        tensor([-1.,  2.])
        """
        with no_grad():
            return Ceil.apply_unary(self)

    def trunc(self) -> Tensor:
        """x rounded toward 0, elementwise (``fix`` is the same); not differentiable.

        >>> Tensor([-1.5, 1.5]).trunc()
        tensor([-1.,  1.])
        """
        with no_grad():
            return Trunc.apply_unary(self)

    fix = trunc

    def round(self, decimals: int = 0) -> Tensor:
        """x rounded to ``decimals`` decimal places, halves to even (PyTorch's and NumPy's
        rule); not differentiable (no grad_fn).

        >>> Tensor([0.5, 1.5, 2.5]).round()
        tensor([0., 2., 2.])
        >>> Tensor([0.25, 1.375]).round(decimals=1)
        tensor([0.2000, 1.4000])
        """
        with no_grad():
            return Round.apply(self, decimals=decimals)

    def frac(self) -> Tensor:
        """The fractional part x - trunc(x), with x's sign; its gradient is 1.

        >>> Tensor([-1.25, 2.5]).frac()
        tensor([-0.2500,  0.5000])
        """
        if self._data.dtype.kind != "f":
            raise TypeError(f"frac: expected a floating tensor, got dtype {self._data.dtype} "
                            "(as in PyTorch)")
        return self - self.trunc()

    # Powers and their relatives, written as the ops they are made of.

    def square(self) -> Tensor:
        """x * x, elementwise (booleans give integers, as in PyTorch).

        >>> Tensor([-2.0, 3.0]).square()
        tensor([4., 9.])
        """
        x = self.astype(np.int64) if self._data.dtype.kind == "b" else self
        return x * x

    def reciprocal(self) -> Tensor:
        """1 / x, elementwise (integers give the default float dtype, as in PyTorch).

        >>> Tensor([2.0, 4.0]).reciprocal()
        tensor([0.5000, 0.2500])
        """
        return 1 / self

    def rsqrt(self) -> Tensor:
        """1 / sqrt(x), elementwise: inf at 0, nan below it.

        >>> Tensor([4.0, 0.25]).rsqrt()
        tensor([0.5000, 2.0000])
        """
        return Rsqrt.apply_unary(_floating(self))

    def exp2(self) -> Tensor:
        """2 ** x, elementwise.

        >>> Tensor([3.0, -1.0]).exp2()
        tensor([8.0000, 0.5000])
        """
        return 2.0 ** _floating(self)

    # ------------------------------------------------ more math (issue 15), PyTorch's names

    def tan(self) -> Tensor:
        """Tangent, elementwise.

        >>> Tensor([0.0]).tan()
        tensor([0.])
        """
        return Tan.apply_unary(_floating(self))

    def asin(self) -> Tensor:
        """Inverse sine (``arcsin`` is the same), elementwise.

        >>> Tensor([0.0]).asin()
        tensor([0.])
        """
        return Arcsin.apply_unary(_floating(self))

    def acos(self) -> Tensor:
        """Inverse cosine (``arccos`` is the same), elementwise.

        >>> Tensor([1.0]).acos()
        tensor([0.])
        """
        return Arccos.apply_unary(_floating(self))

    def atan(self) -> Tensor:
        """Inverse tangent (``arctan`` is the same), elementwise.

        >>> Tensor([0.0]).atan()
        tensor([0.])
        """
        return Arctan.apply_unary(_floating(self))

    def sinh(self) -> Tensor:
        """Hyperbolic sine, elementwise.

        >>> Tensor([0.0]).sinh()
        tensor([0.])
        """
        return Sinh.apply_unary(_floating(self))

    def cosh(self) -> Tensor:
        """Hyperbolic cosine, elementwise.

        >>> Tensor([0.0]).cosh()
        tensor([1.])
        """
        return Cosh.apply_unary(_floating(self))

    def asinh(self) -> Tensor:
        """Inverse hyperbolic sine (``arcsinh``), elementwise.

        >>> Tensor([0.0]).asinh()
        tensor([0.])
        """
        return Arcsinh.apply_unary(_floating(self))

    def acosh(self) -> Tensor:
        """Inverse hyperbolic cosine (``arccosh``), elementwise.

        >>> Tensor([1.0]).acosh()
        tensor([0.])
        """
        return Arccosh.apply_unary(_floating(self))

    def atanh(self) -> Tensor:
        """Inverse hyperbolic tangent (``arctanh``), elementwise.

        >>> Tensor([0.0]).atanh()
        tensor([0.])
        """
        return Arctanh.apply_unary(_floating(self))

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def atan2(self, other) -> Tensor:
        """The angle of the point (other, self): arctan(self / other) in the right quadrant
        (``arctan2`` is the same).

        >>> Tensor([1.0]).atan2(Tensor([1.0]))
        tensor([0.7854])
        """
        return Arctan2.apply_binary(_floating(self), other)

    arctan2 = atan2

    def hypot(self, other) -> Tensor:
        """sqrt(self**2 + other**2), elementwise, without overflow.

        >>> Tensor([3.0]).hypot(Tensor([4.0]))
        tensor([5.])
        """
        return Hypot.apply_binary(_floating(self), other)

    def log2(self) -> Tensor:
        """Base-2 logarithm, elementwise.

        >>> Tensor([8.0]).log2()
        tensor([3.])
        """
        return Log2.apply_unary(_floating(self))

    def log10(self) -> Tensor:
        """Base-10 logarithm, elementwise.

        >>> Tensor(np.array([100.0])).log10()
        tensor([2.], dtype=float64)
        """
        return Log10.apply_unary(_floating(self))

    def logaddexp(self, other) -> Tensor:
        """log(exp(self) + exp(other)), without overflow.

        >>> Tensor([0.0]).logaddexp(Tensor([0.0]))
        tensor([0.6931])
        """
        return Logaddexp.apply_binary(_floating(self), other)

    def logaddexp2(self, other) -> Tensor:
        """log2(2**self + 2**other), without overflow.

        >>> Tensor([1.0]).logaddexp2(Tensor([1.0]))
        tensor([2.])
        """
        return Logaddexp2.apply_binary(_floating(self), other)

    def lerp(self, end, weight) -> Tensor:
        """self + weight * (end - self): from self (weight 0) to end (weight 1); ``weight``
        a number or a tensor, differentiable in all three.

        >>> Tensor([0.0, 10.0]).lerp(Tensor([10.0, 20.0]), 0.25)
        tensor([ 2.5000, 12.5000])
        """
        return self + weight * (end - self)

    def addcmul(self, tensor1, tensor2, *, value=1) -> Tensor:
        """self + value * tensor1 * tensor2.

        >>> Tensor([1.0]).addcmul(Tensor([2.0]), Tensor([3.0]), value=0.5)
        tensor([4.])
        """
        product = tensor1 * tensor2 if value == 1 else value * tensor1 * tensor2
        return self + product

    def addcdiv(self, tensor1, tensor2, *, value=1) -> Tensor:
        """self + value * tensor1 / tensor2 (a true division, so not of two integer tensors,
        which PyTorch refuses).

        >>> Tensor([1.0]).addcdiv(Tensor([3.0]), Tensor([2.0]), value=2)
        tensor([4.])
        """
        if _kind(tensor1) in "biu" and _kind(tensor2) in "biu":
            raise TypeError("addcdiv: integer division of tensor1 by tensor2 is not supported "
                            "(as in PyTorch); make one of them floating")
        quotient = tensor1 / tensor2 if value == 1 else value * tensor1 / tensor2
        return self + quotient

    def nan_to_num(self, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
        """nan, inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and
        the dtype's largest and smallest numbers); the gradient is 0 where x was not finite.

        >>> Tensor([np.nan, np.inf, 1.0]).nan_to_num(posinf=9.0)
        tensor([0., 9., 1.])
        """
        return NanToNum.apply(self, nan=nan, posinf=posinf, neginf=neginf)

    # Predicates: boolean tensors, not differentiable.

    def isnan(self) -> Tensor:
        """True where x is nan.

        >>> Tensor([1.0, np.nan]).isnan()
        tensor([False,  True])
        """
        return wrap(backend.as_array(np.isnan(self._data)))

    def isinf(self) -> Tensor:
        """True where x is inf or -inf.

        >>> Tensor([1.0, -np.inf]).isinf()
        tensor([False,  True])
        """
        return wrap(backend.as_array(np.isinf(self._data)))

    def isposinf(self) -> Tensor:
        """True where x is inf.

        >>> Tensor([np.inf, -np.inf]).isposinf()
        tensor([ True, False])
        """
        return wrap(backend.as_array(np.isposinf(self._data)))

    def isneginf(self) -> Tensor:
        """True where x is -inf.

        >>> Tensor([np.inf, -np.inf]).isneginf()
        tensor([False,  True])
        """
        return wrap(backend.as_array(np.isneginf(self._data)))

    def isfinite(self) -> Tensor:
        """True where x is neither nan nor ±inf.

        >>> Tensor([1.0, np.nan, np.inf]).isfinite()
        tensor([ True, False, False])
        """
        return wrap(backend.as_array(np.isfinite(self._data)))

    # Limiting and selecting.

    def clip(self, min=None, max=None) -> Tensor:  # noqa: A002 - NumPy's and PyTorch's names
        """Limit values to [min, max]: each a number, a tensor (differentiable) or None, not
        both None; ``clamp`` is the same.

        The gradient passes to x where min <= x <= max, bounds included, as PyTorch's clamp;
        a tensor bound gets it where x lies beyond it. Where min > max the result is max.

        >>> Tensor([-2.0, 0.5, 3.0]).clip(0, 1)
        tensor([0.0000, 0.5000, 1.0000])
        >>> Tensor([-2.0, 0.5, 3.0]).clamp(min=Tensor([0.0, 1.0, 2.0]))
        tensor([0., 1., 3.])
        """
        if min is None and max is None:
            raise ValueError("clip: at least one of min and max must be given")
        if isinstance(min, TensorCore) or isinstance(max, TensorCore):
            return ClampBetween.apply(*_in_one_dtype(self, min, max))
        x = self
        if _kind(self) not in "fc" and (isinstance(min, float) or isinstance(max, float)):
            x = self.astype(dtypes.get_default_dtype())  # as PyTorch: a float bound, a float
        return Clip.apply(x, low=min, high=max)

    clamp = clip

    def clamp_min(self, min) -> Tensor:  # noqa: A002 - PyTorch's name
        """``clamp(min=min)``: max(x, min), elementwise.

        >>> Tensor([-1.0, 2.0]).clamp_min(0.0)
        tensor([0., 2.])
        """
        return self.clip(min=min)

    def clamp_max(self, max) -> Tensor:  # noqa: A002 - PyTorch's name
        """``clamp(max=max)``: min(x, max), elementwise.

        >>> Tensor([-1.0, 2.0]).clamp_max(0.0)
        tensor([-1.,  0.])
        """
        return self.clip(max=max)

    def where(self, condition, other) -> Tensor:
        """self where ``condition`` (boolean) holds, else ``other``: PyTorch's ``x.where(c, y)``,
        which is ``tg.where(c, x, y)``. The unselected side's gradient is exactly 0.

        >>> Tensor([1.0, 2.0]).where(Tensor([True, False]), 0.0)
        tensor([1., 0.])
        """
        condition = _boolean_mask("where", condition)
        x, y = _in_one_dtype(self, other)
        return Where.apply(x, y, condition=condition)

    def masked_fill(self, mask, value) -> Tensor:
        """``value`` (a number or a 0-d tensor, cast to self's dtype) where ``mask`` is True,
        self elsewhere. The filled places pass no gradient to self; a tensor ``value`` gets
        the gradient of every place it fills.

        >>> Tensor([1.0, 2.0, 3.0]).masked_fill(Tensor([True, False, True]), -1.0)
        tensor([-1.,  2., -1.])
        """
        mask = _boolean_mask("masked_fill", mask)
        if isinstance(value, TensorCore):
            if value._data.ndim != 0:
                raise ValueError("masked_fill: value must be a number or a 0-dimensional "
                                 f"tensor, got a tensor of shape {value._data.shape}")
            value = value.astype(self._data.dtype, copy=False)
        else:
            value = backend.as_array(value, self._data.dtype)
        return Where.apply(value, self, condition=mask)

    def softmax(self, axis=-1, *, dim=None) -> Tensor:
        """exp(x) / sum(exp(x)) along ``axis`` (``dim``), stable for any logits.

        >>> Tensor([0.0, 0.0]).softmax()
        tensor([0.5000, 0.5000])
        """
        axis, _ = reduction_args("softmax", None if dim is not None else axis, dim, False, None)
        return Softmax.apply(self, axis=axis)

    def log_softmax(self, axis=-1, *, dim=None) -> Tensor:
        """x - logsumexp(x) along ``axis`` (``dim``), stable for any logits.

        >>> Tensor([0.0, 0.0]).log_softmax().exp()
        tensor([0.5000, 0.5000])
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
        if not copy and self._data.dtype == np.dtype(dtype):
            return self
        return Cast.apply(self, dtype=dtype)


def _floating(x: Tensor) -> Tensor:
    """x, as the default float dtype if it is not floating (PyTorch's rule for math like rsqrt
    on integers)."""
    return x if x._data.dtype.kind in "fc" else x.astype(dtypes.get_default_dtype())


def _kind(value) -> str:
    """The dtype kind of a tensor, an array or a Python number ("b", "i", "u", "f", "c")."""
    return value.dtype.kind if hasattr(value, "dtype") else np.result_type(value).kind


def _in_one_dtype(*values) -> list:
    """Tensors, arrays and numbers (None passes through) cast to one dtype, PyTorch's: a
    floating tensor's against integer tensors and numbers, the default float dtype for a
    Python float among integer tensors, NumPy's promotion otherwise."""
    typed = [value.dtype for value in values if hasattr(value, "dtype")]
    numbers = [value for value in values if value is not None and not hasattr(value, "dtype")]
    floating = [dtype for dtype in typed if dtype.kind in "fc"]
    if floating:
        dtype = np.result_type(*floating)
    elif any(isinstance(number, float) for number in numbers):
        dtype = dtypes.get_default_dtype()
    else:
        dtype = np.result_type(*typed, *numbers)
    return [None if value is None
            else value.astype(dtype, copy=False) if isinstance(value, TensorCore)
            else backend.as_array(value, dtype) for value in values]


def _boolean_mask(op: str, mask):
    """A mask's array, refused unless boolean (PyTorch refuses integer masks too)."""
    array = mask._data if isinstance(mask, TensorCore) else backend.as_array(mask)
    if array.dtype.kind != "b":
        raise TypeError(f"{op}: expected a boolean mask, got dtype {array.dtype}; compare first "
                        "(mask != 0)")
    return array
