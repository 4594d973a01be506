"""tapegrad: reverse-mode automatic differentiation for NumPy with a PyTorch-style API.

>>> import tapegrad as tg
>>> a = tg.tensor(1.0, requires_grad=True)
>>> b = tg.tensor(2.0, requires_grad=True)
>>> d = (a + b) + a
>>> d.backward()
>>> a.grad, b.grad
(array(2.), array(1.))
"""

from tapegrad.tensor import Tensor, tensor  # isort: skip  (first: ops make tensors of its class)
from tapegrad import autograd, data, func, nn, optim, utils, viz
from tapegrad.autograd import GradcheckError, grad, gradcheck, gradgradcheck
from tapegrad.creation import (
    arange,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from tapegrad.devices import backends, cuda, device
from tapegrad.dtypes import (
    bool,
    complex64,
    complex128,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from tapegrad.function import Function, once_differentiable
from tapegrad.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from tapegrad.random import Generator, default_generator, initial_seed, manual_seed, seed
from tapegrad.routines import (
    abs,
    argmax,
    argmin,
    as_tensor,
    broadcast_to,
    cat,
    chunk,
    clamp,
    clip,
    concatenate,
    cos,
    exp,
    expand_dims,
    expm1,
    flatten,
    gather,
    log,
    log1p,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    pad,
    prod,
    reshape,
    sigmoid,
    sign,
    sin,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    sum,
    swapaxes,
    tanh,
    tile,
    transpose,
    unsqueeze,
    var,
    where,
)
from tapegrad.serialization import load, save
from tapegrad.surface.shapes import Size

__version__ = "0.1.0"

__all__ = [
    # the autograd core
    "Tensor", "tensor", "Function", "once_differentiable", "grad", "gradcheck",
    "gradgradcheck", "GradcheckError",
    "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled", "manual_seed",
    "inference_mode", "is_inference_mode_enabled", "seed", "initial_seed", "Generator",
    "default_generator",
    # factories
    "empty", "empty_like", "full_like", "rand_like", "randn_like", "randint", "randint_like",
    "randperm", "normal", "bernoulli", "multinomial", "linspace", "logspace", "from_numpy",
    "zeros", "ones", "full", "zeros_like", "ones_like", "eye", "arange", "rand", "randn",
    # module-level ops
    "as_tensor", "abs", "argmax", "argmin", "broadcast_to", "cat", "chunk", "clamp", "clip",
    "concatenate", "cos", "exp", "expand_dims", "expm1", "flatten", "gather", "log", "log1p",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "pad", "prod",
    "reshape", "sigmoid", "sign", "sin", "split", "sqrt", "squeeze", "stack", "std", "sum",
    "swapaxes", "tanh", "tile", "transpose", "unsqueeze", "var", "where",
    # dtypes and devices (PyTorch's names; tg.float is float32, tg.int int32)
    "float16", "float32", "float64", "half", "float", "double", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "short", "int", "long", "bool",
    "get_default_dtype", "set_default_dtype", "device", "cuda", "backends", "Size",
    # models, training and checkpoints
    "nn", "optim", "data", "func", "viz", "save", "load", "utils", "autograd",
]
