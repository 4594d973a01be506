"""The module-level functions ``tg.exp(x)``, ``tg.sum(x, dim=0)``, ``tg.cat([...])``: one table.

Most of them call the Tensor method of the same name on ``as_tensor(x)``: those are not written
out again here but derived from ``SAME_AS_METHOD``, the one table of the op surface, which also
says which NumPy functions mean the same thing on a Tensor (``tapegrad.numpy_protocol`` reads
it). The rest, which are not methods (``cat``, ``where``, ...), are written below.
"""

from __future__ import annotations

import builtins

import numpy as np

from tapegrad import backend
from tapegrad.arguments import checked_axis
from tapegrad.grad_mode import is_grad_enabled
from tapegrad.ops import logarithms, products, trigonometry
from tapegrad.ops.products import Cdist
from tapegrad.ops.select import Maximum, Minimum, Where
from tapegrad.ops.shape import Concatenate, Stack
from tapegrad.tensor_core import TensorCore, increment_version, wrap

# The one table of the op surface: name -> the NumPy functions that mean the same thing on a
# Tensor as the Tensor method of that name. The lines below fill it, one per name, and each
# makes ``tg.NAME``. A NumPy function whose meaning differs from the PyTorch-named method (a
# NumPy max is values only, a NumPy std divides by n) is not listed: tapegrad.numpy_protocol
# gives it a function of its own.
SAME_AS_METHOD: dict = {}


def _same_as_method(name: str, *numpy_functions):
    """Make ``tg.NAME(x, ...)``, the Tensor method NAME called on ``as_tensor(x)``, and record
    the NumPy functions that dispatch to it."""
    SAME_AS_METHOD[name] = numpy_functions

    def function(x, *args, out=None, **kwargs):
        result = getattr(as_tensor(x), name)(*args, **kwargs)
        return result if out is None else _written_into(out, result, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"``tg.{name}(x, ...)`` is ``tg.as_tensor(x).{name}(...)``; see "
                        f"``Tensor.{name}``. ``out=`` takes a tensor to write the result into.")
    return function


def _written_into(out, result, name: str):
    """PyTorch's ``out=``: ``result``'s values written into the tensor ``out`` (reshaped to
    the result's shape if need be), which is returned. Like PyTorch, refused where a gradient
    would be needed: writing into ``out`` is not recorded."""
    if not isinstance(out, TensorCore) or not isinstance(result, TensorCore):
        raise TypeError(f"{name}: out= must be a Tensor, for a function with one tensor result; "
                        f"got out of type {type(out).__name__}")
    if is_grad_enabled() and (out.requires_grad or result.requires_grad):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if not np.can_cast(result.dtype, out.dtype, "same_kind"):
        raise TypeError(f"{name}: result type {result.dtype} can't be cast to the desired "
                        f"output type {out.dtype}")
    if out.shape == result.shape:
        np.copyto(out.data, result.data, casting="same_kind")  # .data writes into out
        increment_version(out)
    else:
        out.data = result.data.astype(out.dtype)  # PyTorch resizes out to the result's shape
    return out


# elementwise
exp = _same_as_method("exp", np.exp)
log = _same_as_method("log", np.log)
log1p = _same_as_method("log1p", np.log1p)
expm1 = _same_as_method("expm1", np.expm1)
sqrt = _same_as_method("sqrt", np.sqrt)
abs = _same_as_method("abs", np.absolute)  # noqa: A001 - NumPy's and PyTorch's name
sign = _same_as_method("sign", np.sign)
sin = _same_as_method("sin", np.sin)
cos = _same_as_method("cos", np.cos)
tanh = _same_as_method("tanh", np.tanh)
sigmoid = _same_as_method("sigmoid")
clip = _same_as_method("clip")
clamp = _same_as_method("clamp")
# reductions (NumPy's take its positional signature: see tapegrad.numpy_api.reductions)
sum = _same_as_method("sum")  # noqa: A001
mean = _same_as_method("mean")
max = _same_as_method("max")  # noqa: A001
min = _same_as_method("min")  # noqa: A001
prod = _same_as_method("prod")
var = _same_as_method("var")
std = _same_as_method("std")
logsumexp = _same_as_method("logsumexp")
argmax = _same_as_method("argmax")
argmin = _same_as_method("argmin")
amax = _same_as_method("amax")
amin = _same_as_method("amin")
aminmax = _same_as_method("aminmax")
nansum = _same_as_method("nansum")
nanmean = _same_as_method("nanmean")
median = _same_as_method("median")  # np.median averages the two middle values: not the same
nanmedian = _same_as_method("nanmedian")
mode = _same_as_method("mode")
all = _same_as_method("all")  # noqa: A001
any = _same_as_method("any")  # noqa: A001
count_nonzero = _same_as_method("count_nonzero")
norm = _same_as_method("norm")
dist = _same_as_method("dist")
renorm = _same_as_method("renorm")
# sorting (np.sort: see numpy_protocol.NUMPY_MEANINGS)
sort = _same_as_method("sort")
argsort = _same_as_method("argsort")
topk = _same_as_method("topk")
kthvalue = _same_as_method("kthvalue")
# cumulative (np.cumsum, np.cumprod: see numpy_protocol.NUMPY_MEANINGS)
cumsum = _same_as_method("cumsum")
cumprod = _same_as_method("cumprod")
logcumsumexp = _same_as_method("logcumsumexp")
# matrix products (np.dot: see numpy_protocol.NUMPY_MEANINGS)
trace = _same_as_method("trace")
dot = _same_as_method("dot")
mm = _same_as_method("mm")
bmm = _same_as_method("bmm")
mv = _same_as_method("mv")
outer = _same_as_method("outer")
ger = _same_as_method("ger")
addmm = _same_as_method("addmm")
# shape
reshape = _same_as_method("reshape")
squeeze = _same_as_method("squeeze")
unsqueeze = _same_as_method("unsqueeze")
flatten = _same_as_method("flatten")
broadcast_to = _same_as_method("broadcast_to", np.broadcast_to)
swapaxes = _same_as_method("swapaxes", np.swapaxes)
tile = _same_as_method("tile", np.tile)
split = _same_as_method("split")
chunk = _same_as_method("chunk")
transpose = _same_as_method("transpose")  # PyTorch's: two dims (np.transpose: NUMPY_MEANINGS)
swapdims = _same_as_method("swapdims")
permute = _same_as_method("permute")
movedim = _same_as_method("movedim")
moveaxis = _same_as_method("moveaxis", np.moveaxis)
t = _same_as_method("t")
unflatten = _same_as_method("unflatten")
unbind = _same_as_method("unbind")
tensor_split = _same_as_method("tensor_split")
repeat_interleave = _same_as_method("repeat_interleave")
# structure (np.flip, np.roll, np.rot90, np.tril, np.triu, np.diag, np.diagonal, np.diff:
# NumPy's keywords and defaults, see numpy_protocol.NUMPY_MEANINGS)
flip = _same_as_method("flip")
fliplr = _same_as_method("fliplr", np.fliplr)
flipud = _same_as_method("flipud", np.flipud)
roll = _same_as_method("roll")
rot90 = _same_as_method("rot90")
tril = _same_as_method("tril")
triu = _same_as_method("triu")
diag = _same_as_method("diag")
diagonal = _same_as_method("diagonal")
diag_embed = _same_as_method("diag_embed")
diff = _same_as_method("diff")
gather = _same_as_method("gather")
narrow = _same_as_method("narrow")
select = _same_as_method("select")
index_select = _same_as_method("index_select")
masked_select = _same_as_method("masked_select")
take_along_dim = _same_as_method("take_along_dim")
scatter = _same_as_method("scatter")
scatter_add = _same_as_method("scatter_add")
matmul = _same_as_method("matmul", np.matmul)
# arithmetic, rounding and comparisons by name
add = _same_as_method("add")
sub = _same_as_method("sub")
subtract = _same_as_method("subtract")
mul = _same_as_method("mul")
multiply = _same_as_method("multiply")
div = _same_as_method("div")
divide = _same_as_method("divide")
true_divide = _same_as_method("true_divide")
floor_divide = _same_as_method("floor_divide", np.floor_divide)
remainder = _same_as_method("remainder", np.remainder)
fmod = _same_as_method("fmod", np.fmod)
pow = _same_as_method("pow")  # noqa: A001 - PyTorch's name
neg = _same_as_method("neg")
negative = _same_as_method("negative")
square = _same_as_method("square", np.square)
reciprocal = _same_as_method("reciprocal", np.reciprocal)
rsqrt = _same_as_method("rsqrt")
exp2 = _same_as_method("exp2", np.exp2)
lerp = _same_as_method("lerp")
addcmul = _same_as_method("addcmul")
addcdiv = _same_as_method("addcdiv")
floor = _same_as_method("floor", np.floor)
ceil = _same_as_method("ceil", np.ceil)
trunc = _same_as_method("trunc", np.trunc, np.fix)
fix = _same_as_method("fix")
round = _same_as_method("round")  # noqa: A001 - PyTorch's name
frac = _same_as_method("frac")
sgn = _same_as_method("sgn")
clamp_min = _same_as_method("clamp_min")
clamp_max = _same_as_method("clamp_max")
nan_to_num = _same_as_method("nan_to_num")
masked_fill = _same_as_method("masked_fill")
isnan = _same_as_method("isnan", np.isnan)
isinf = _same_as_method("isinf", np.isinf)
isposinf = _same_as_method("isposinf", np.isposinf)
isneginf = _same_as_method("isneginf", np.isneginf)
isfinite = _same_as_method("isfinite", np.isfinite)
eq = _same_as_method("eq")
ne = _same_as_method("ne")
lt = _same_as_method("lt")
le = _same_as_method("le")
gt = _same_as_method("gt")
ge = _same_as_method("ge")
greater = _same_as_method("greater")
greater_equal = _same_as_method("greater_equal")
less = _same_as_method("less")
less_equal = _same_as_method("less_equal")
not_equal = _same_as_method("not_equal")
isclose = _same_as_method("isclose")
allclose = _same_as_method("allclose")
equal = _same_as_method("equal")
logical_and = _same_as_method("logical_and", np.logical_and)
logical_or = _same_as_method("logical_or", np.logical_or)
logical_xor = _same_as_method("logical_xor", np.logical_xor)
logical_not = _same_as_method("logical_not", np.logical_not)


def as_tensor(value) -> TensorCore:
    """``value`` as a Tensor: tensors as they are, anything else wrapped without a copy.

    >>> as_tensor([1.0, 2.0])
    tensor([1., 2.], dtype=float64)
    """
    return value if isinstance(value, TensorCore) else wrap(backend.as_array(value))


def maximum(x, y) -> TensorCore:
    """Elementwise larger of x and y; on ties each gets half the gradient.

    >>> maximum(as_tensor([1.0, 5.0]), 2.0)
    tensor([2., 5.], dtype=float64)
    """
    return Maximum.apply(x, y)


def minimum(x, y) -> TensorCore:
    """Elementwise smaller of x and y; on ties each gets half the gradient.

    >>> minimum(as_tensor([1.0, 5.0]), 2.0)
    tensor([1., 2.], dtype=float64)
    """
    return Minimum.apply(x, y)


def where(condition, x, y) -> TensorCore:
    """x where ``condition`` holds, else y. The unselected side's gradient is exactly 0, so
    ``where(x > 0, sqrt(x), 0)`` has a finite gradient at x = 0.

    >>> where(as_tensor([True, False]), as_tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.], dtype=float64)
    """
    condition = condition._data if isinstance(condition, TensorCore) else condition
    return Where.apply(x, y, condition=condition)


def concatenate(tensors, axis: int = 0, *, dim=None) -> TensorCore:
    """Join tensors along an existing axis (``tg.cat`` is the same, with ``dim=``).

    >>> concatenate([as_tensor([1.0]), as_tensor([2.0, 3.0])])
    tensor([1., 2., 3.], dtype=float64)
    """
    tensors = _sequence_of_tensors("cat", tensors)
    axis = checked_axis("cat", dim if dim is not None else axis, tensors[0].ndim)
    return Concatenate.apply(*tensors, axis=axis)


cat = concatenate


def stack(tensors, axis: int = 0, *, dim=None) -> TensorCore:
    """Join tensors of one shape along a new axis.

    >>> stack([as_tensor([1.0, 2.0]), as_tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    tensors = _sequence_of_tensors("stack", tensors)
    axis = checked_axis("stack", dim if dim is not None else axis, tensors[0].ndim + 1)
    return Stack.apply(*tensors, axis=axis)


def _sequence_of_tensors(op: str, values) -> list:
    """A non-empty sequence of tensors (or arrays, wrapped), as cat and stack take."""
    if isinstance(values, TensorCore) or not isinstance(values, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(values).__name__}")
    if not values:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    return [value if isinstance(value, TensorCore) else as_tensor(value) for value in values]


def expand_dims(x, axis) -> TensorCore:
    """Insert axes of size 1 at ``axis`` (an int or a tuple, positions in the result), as
    NumPy's ``expand_dims``.

    >>> expand_dims(as_tensor(np.zeros((2, 3))), (0, -1)).shape
    (1, 2, 3, 1)
    """
    x = as_tensor(x)
    axes = axis if isinstance(axis, tuple) else (axis,)
    ndim = x.ndim + len(axes)
    if builtins.any(not -ndim <= a < ndim for a in axes):
        raise ValueError(f"expand_dims: axis {axis} is out of range for a result with {ndim} "
                         "dimensions")
    shape = list(x.shape)
    for position in sorted(a % ndim for a in axes):
        shape.insert(position, 1)
    return x.reshape(tuple(shape))


def einsum(equation: str, *operands) -> TensorCore:
    """Einstein summation, differentiable: ``tg.einsum("ij,jk->ik", a, b)`` is ``a @ b``; the
    operands may also come as one list. Without ``->`` the output is the letters used once, in
    alphabetical order. Not supported: ellipsis (``...``) and a letter repeated within one
    operand (a diagonal); both are a ValueError that says so.

    >>> einsum("ij,j->i", as_tensor(np.eye(2)), as_tensor([1.0, 2.0]))
    tensor([1., 2.], dtype=float64)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return products.einsum(equation, *[as_tensor(operand) for operand in operands])


def cdist(x1, x2, p: float = 2.0, compute_mode=None) -> TensorCore:
    """The p-norm distances between the rows of x1 (..., P, M) and those of x2 (..., R, M):
    a (..., P, R) tensor, batch axes broadcast. ``compute_mode`` is accepted and ignored: the
    distances always come from the differences, exactly. At distance 0 the gradient is 0.

    >>> cdist(as_tensor([[0.0, 0.0]]), as_tensor([[3.0, 4.0], [1.0, 0.0]]))
    tensor([[5., 1.]], dtype=float64)
    """
    return Cdist.apply(as_tensor(x1), as_tensor(x2), p=float(p))


# ------------------------------------------------------------------ more elementwise math
# Functions, not Tensor methods: each applies one Function of ops/trigonometry.py or
# ops/logarithms.py, or is a short composition. PyTorch's names, with NumPy's as aliases;
# numpy_protocol maps NumPy's ufuncs to them.


def _unary(name: str, op, doc_example: str):
    def function(x) -> TensorCore:
        return op.apply(as_tensor(x))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"""{op.__doc__.splitlines()[0]}

    >>> {doc_example}
    """
    return function


def _binary(name: str, op, doc_example: str):
    def function(x, y) -> TensorCore:
        if not isinstance(x, TensorCore) and not isinstance(y, TensorCore):
            x = as_tensor(x)
        return op.apply_binary(x, y)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"""{op.__doc__.splitlines()[0]}

    >>> {doc_example}
    """
    return function


tan = _unary("tan", trigonometry.Tan, "tan(as_tensor([0.0]))\n    tensor([0.], dtype=float64)")
asin = arcsin = _unary("asin", trigonometry.Arcsin,
                       "asin(as_tensor([0.0]))\n    tensor([0.], dtype=float64)")
acos = arccos = _unary("acos", trigonometry.Arccos,
                       "acos(as_tensor([1.0]))\n    tensor([0.], dtype=float64)")
atan = arctan = _unary("atan", trigonometry.Arctan,
                       "atan(as_tensor([0.0]))\n    tensor([0.], dtype=float64)")
sinh = _unary("sinh", trigonometry.Sinh, "sinh(as_tensor([0.0]))\n    tensor([0.], dtype=float64)")
cosh = _unary("cosh", trigonometry.Cosh, "cosh(as_tensor([0.0]))\n    tensor([1.], dtype=float64)")
asinh = arcsinh = _unary("asinh", trigonometry.Arcsinh,
                         "asinh(as_tensor([0.0]))\n    tensor([0.], dtype=float64)")
acosh = arccosh = _unary("acosh", trigonometry.Arccosh,
                         "acosh(as_tensor([1.0]))\n    tensor([0.], dtype=float64)")
atanh = arctanh = _unary("atanh", trigonometry.Arctanh,
                         "atanh(as_tensor([0.0]))\n    tensor([0.], dtype=float64)")
atan2 = arctan2 = _binary("atan2", trigonometry.Arctan2,
                          "atan2(as_tensor([1.0]), 0.0)\n    tensor([1.5708], dtype=float64)")
hypot = _binary("hypot", trigonometry.Hypot,
                "hypot(as_tensor([3.0]), 4.0)\n    tensor([5.], dtype=float64)")
log2 = _unary("log2", logarithms.Log2, "log2(as_tensor([8.0]))\n    tensor([3.], dtype=float64)")
log10 = _unary("log10", logarithms.Log10,
               "log10(as_tensor([100.0]))\n    tensor([2.], dtype=float64)")
logaddexp = _binary("logaddexp", logarithms.Logaddexp,
                    "logaddexp(as_tensor([0.0]), 0.0)\n    tensor([0.6931], dtype=float64)")
logaddexp2 = _binary("logaddexp2", logarithms.Logaddexp2,
                     "logaddexp2(as_tensor([1.0]), 1.0)\n    tensor([2.], dtype=float64)")


def deg2rad(x) -> TensorCore:
    """Degrees to radians: x * pi / 180.

    >>> deg2rad(as_tensor([180.0]))
    tensor([3.1416], dtype=float64)
    """
    x = as_tensor(x)
    return x * np.asarray(np.pi / 180, x.dtype if x.dtype.kind == "f" else np.float64)


def rad2deg(x) -> TensorCore:
    """Radians to degrees: x * 180 / pi.

    >>> rad2deg(as_tensor([np.pi]))
    tensor([180.], dtype=float64)
    """
    x = as_tensor(x)
    return x * np.asarray(180 / np.pi, x.dtype if x.dtype.kind == "f" else np.float64)


def sinc(x) -> TensorCore:
    """The normalized sinc, sin(pi x) / (pi x), 1 at x = 0 (with the limit's derivative 0).

    >>> sinc(as_tensor([0.0, 0.5]))
    tensor([1.0000, 0.6366], dtype=float64)
    """
    x = as_tensor(x)
    at_zero = x.data == 0
    scaled = np.where(at_zero, 1.0, x) * np.pi  # a safe x at 0, so no 0/0 in any derivative
    # near 0 the Taylor series 1 - (pi x)^2 / 6 keeps the derivatives right at x = 0
    series = 1 - (x * np.pi) ** 2 / 6
    return np.where(at_zero, series, np.sin(scaled) / scaled)


def fmax(x, y) -> TensorCore:
    """The larger of x and y, ignoring a nan (nan only where both are); ties share the gradient.

    >>> fmax(as_tensor([1.0, np.nan]), as_tensor([np.nan, 2.0]))
    tensor([1., 2.], dtype=float64)
    """
    return _ignoring_nan(maximum, x, y)


def fmin(x, y) -> TensorCore:
    """The smaller of x and y, ignoring a nan (nan only where both are).

    >>> fmin(as_tensor([1.0, np.nan]), as_tensor([np.nan, 2.0]))
    tensor([1., 2.], dtype=float64)
    """
    return _ignoring_nan(minimum, x, y)


def _ignoring_nan(pick, x, y):
    x, y = as_tensor(x), as_tensor(y)
    x_nan, y_nan = np.isnan(x.data), np.isnan(y.data)
    if not (x_nan.any() or y_nan.any()):
        return pick(x, y)
    both = np.broadcast_arrays(x.data, y.data)
    safe_x, safe_y = np.where(x_nan, y.data, x), np.where(y_nan, both[0], y)
    return where(x_nan, where(y_nan, np.nan, safe_y), where(y_nan, safe_x, pick(safe_x, safe_y)))


def copysign(x, y) -> TensorCore:
    """|x| with the sign of y (y's sign bit, so -0.0 counts as negative); the gradient flows
    to x only (y's is 0, as in PyTorch).

    >>> copysign(as_tensor([2.0, -3.0]), as_tensor([-1.0, 1.0]))
    tensor([-2.,  3.], dtype=float64)
    """
    x = as_tensor(x)
    negative = np.signbit(y.data if isinstance(y, TensorCore) else np.asarray(y))
    flips = np.signbit(x.data) != negative
    return where(flips, -x, x)


def heaviside(x, values) -> TensorCore:
    """0 where x < 0, 1 where x > 0, ``values`` where x = 0; not differentiable (as PyTorch's).

    >>> heaviside(as_tensor([-1.0, 0.0, 2.0]), 0.5)
    tensor([0.0000, 0.5000, 1.0000], dtype=float64)
    """
    values = values.data if isinstance(values, TensorCore) else values
    return wrap(np.asarray(np.heaviside(as_tensor(x).data, values)))


def signbit(x) -> TensorCore:
    """Whether each element's sign bit is set (true for -0.0); boolean, no gradient.

    >>> signbit(as_tensor([-0.0, 1.0]))
    tensor([ True, False])
    """
    return wrap(np.asarray(np.signbit(as_tensor(x).data)))

