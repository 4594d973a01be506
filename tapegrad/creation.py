"""Factories: tensors made from a shape, a range, random draws or a NumPy array.

Each takes PyTorch's arguments: the size as ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``,
and ``dtype=``, ``device=`` (the CPU: ``"cpu"`` or ``tg.device("cpu")``), ``requires_grad=``
and, for random ones, ``generator=`` (a ``tg.Generator``; the default one otherwise). Without
a ``dtype``, floats get the default float dtype (``tg.get_default_dtype()``) and integers
int64, as in PyTorch.

>>> zeros(2, 3, dtype=np.int32, device="cpu").dtype
dtype('int32')
"""

from __future__ import annotations

import numbers

import numpy as np

from tapegrad import devices, random
from tapegrad.arguments import shape_args
from tapegrad.dtypes import default_complex_dtype, get_default_dtype
from tapegrad.tensor import Tensor
from tapegrad.tensor_core import wrap

# ------------------------------------------------------------------ reading the arguments


def _leaf(array: np.ndarray, requires_grad: bool) -> Tensor:
    """Wrap a new array without the copy ``Tensor(...)`` makes; the setter checks the dtype."""
    result = wrap(array)
    result.requires_grad = requires_grad
    return result


def _size(op: str, dims: tuple, size=None) -> tuple:
    """The shape given as ``op(2, 3)``, ``op((2, 3))`` or ``op(size=(2, 3))``, checked."""
    if size is not None:
        if dims:
            raise TypeError(f"{op}: give the size once, as arguments or as size=, not both")
        dims = (size,)
    if not dims:
        raise TypeError(f"{op}: missing the size, as in {op}(2, 3) or {op}((2, 3))")
    return tuple(_count(op, "a size", dim) for dim in shape_args(dims))


def _count(op: str, name: str, value) -> int:
    """A non-negative int argument: a size, ``steps``, ``n``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{op}: {name} must be non-negative, got {value}")
    return int(value)


def _dtype_or_default(dtype) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def _floating(op: str, dtype) -> np.dtype:
    """``dtype`` (the default float dtype when None), which must be floating: random draws
    from continuous distributions are not defined for integers, as in PyTorch."""
    dtype = _dtype_or_default(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating dtype, got {dtype}")
    return dtype


def _array_of(input) -> np.ndarray:
    """The array of a Tensor, or an array-like as an array."""
    return input.data if isinstance(input, Tensor) else np.asarray(input)


def _dtype_of_number(op: str, value) -> np.dtype:
    """The dtype PyTorch gives a tensor filled with the number ``value``."""
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, numbers.Integral):
        return np.dtype(np.int64)
    if isinstance(value, numbers.Real):
        return get_default_dtype()
    if isinstance(value, numbers.Complex):
        return default_complex_dtype()
    raise TypeError(f"{op}: fill_value must be a number, got {type(value).__name__} {value!r}")


# ------------------------------------------------------------------ constant tensors


def zeros(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``.

    >>> zeros(2)
    tensor([0., 0.])
    """
    devices.require_cpu(device)
    array = np.zeros(_size("zeros", shape, size), _dtype_or_default(dtype))
    return _leaf(array, requires_grad)


def ones(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ones(2, 3)``, ``ones((2, 3))`` or ``ones(size=(2, 3))``.

    >>> ones(2)
    tensor([1., 1.])
    """
    devices.require_cpu(device)
    array = np.ones(_size("ones", shape, size), _dtype_or_default(dtype))
    return _leaf(array, requires_grad)


def empty(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor whose values are whatever the memory held: fill it before reading it.

    >>> empty(2, 3).shape
    (2, 3)
    """
    devices.require_cpu(device)
    array = np.empty(_size("empty", shape, size), _dtype_or_default(dtype))
    return _leaf(array, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``: without ``dtype``, a bool gives bool,
    an int int64, a float the default float dtype (PyTorch's rule).

    >>> full((2,), 7.0), full((2,), 7)
    (tensor([7., 7.]), tensor([7, 7]))
    """
    devices.require_cpu(device)
    shape = _size("full", (size,))
    dtype_of_value = _dtype_of_number("full", fill_value)  # checks it is a number, too
    dtype = dtype_of_value if dtype is None else dtype
    return _leaf(np.full(shape, fill_value, dtype=dtype), requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, device=None,
        requires_grad: bool = False) -> Tensor:
    """The n-by-m identity matrix (square when ``m`` is None).

    >>> eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    devices.require_cpu(device)
    rows, columns = _size("eye", (n, n if m is None else m))
    return _leaf(np.eye(rows, columns, dtype=_dtype_or_default(dtype)), requires_grad)


# ------------------------------------------------------------------ ranges


def arange(start=0, end=None, step=1, *, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` by ``step``; ``arange(end)``
    counts from 0. Integers give int64, any float the default float dtype (PyTorch's rule).

    >>> arange(3), arange(0, 1, 0.25)
    (tensor([0, 1, 2]), tensor([0.0000, 0.2500, 0.5000, 0.7500]))
    """
    devices.require_cpu(device)
    if end is None:
        start, end = 0, start
    if dtype is not None and np.dtype(dtype).kind in "iub":
        start, end, step = int(start), int(end), int(step)  # PyTorch truncates them first
    if step == 0:
        raise ValueError("arange: step must not be 0")
    if (end - start) * step < 0:
        raise ValueError(f"arange: step {step} leads away from end: start={start}, end={end}")
    integral = all(isinstance(bound, numbers.Integral) for bound in (start, end, step))
    if dtype is None:
        dtype = np.int64 if integral else get_default_dtype()
    # Counted in float64, as PyTorch counts in double, then cast to the dtype.
    values = np.arange(start, end, step, dtype=np.int64 if integral else np.float64)
    return _leaf(values.astype(dtype, copy=False), requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    >>> linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    devices.require_cpu(device)
    values = np.linspace(start, end, _count("linspace", "steps", steps), dtype=np.float64)
    return _leaf(values.astype(_dtype_or_default(dtype)), requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in the
    exponent.

    >>> logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    devices.require_cpu(device)
    exponents = np.linspace(start, end, _count("logspace", "steps", steps), dtype=np.float64)
    values = np.power(float(base), exponents)
    return _leaf(values.astype(_dtype_or_default(dtype)), requires_grad)


# ------------------------------------------------------------------ like another tensor


def zeros_like(input, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``input``'s shape and dtype (a Tensor or an array).

    >>> zeros_like(Tensor([1.0, 2.0]))
    tensor([0., 0.])
    """
    devices.require_cpu(device)
    return _leaf(np.zeros_like(_array_of(input), dtype=dtype), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Ones of ``input``'s shape and dtype (a Tensor or an array).

    >>> ones_like(Tensor([1.0, 2.0]))
    tensor([1., 1.])
    """
    devices.require_cpu(device)
    return _leaf(np.ones_like(_array_of(input), dtype=dtype), requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``input``'s shape and dtype holding whatever the memory held.

    >>> empty_like(Tensor([1, 2])).dtype
    dtype('int64')
    """
    devices.require_cpu(device)
    return _leaf(np.empty_like(_array_of(input), dtype=dtype), requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``input``'s shape and dtype (cast to it: 2.7 in an int tensor is 2).

    >>> full_like(Tensor([1, 2]), 2.7)
    tensor([2, 2])
    """
    devices.require_cpu(device)
    _dtype_of_number("full_like", fill_value)  # a clear error for what is not a number
    return _leaf(np.full_like(_array_of(input), fill_value, dtype=dtype), requires_grad)


# ------------------------------------------------------------------ random draws


def rand(*shape, size=None, generator=None, dtype=None, device=None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1).

    >>> rand(2, 3).shape
    (2, 3)
    """
    devices.require_cpu(device)
    dtype = _floating("rand", dtype)
    values = random.generator(generator).random(_size("rand", shape, size))
    return _leaf(values.astype(dtype, copy=False), requires_grad)


def randn(*shape, size=None, generator=None, dtype=None, device=None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples (mean 0, variance 1).

    >>> randn(2, 3).shape
    (2, 3)
    """
    devices.require_cpu(device)
    dtype = _floating("randn", dtype)
    values = random.generator(generator).standard_normal(_size("randn", shape, size))
    return _leaf(values.astype(dtype, copy=False), requires_grad)


def rand_like(input, *, generator=None, dtype=None, device=None,
              requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) in ``input``'s shape and (floating) dtype.

    >>> rand_like(zeros(2, 3)).shape
    (2, 3)
    """
    array = _array_of(input)
    dtype = _floating("rand_like", array.dtype if dtype is None else dtype)
    return rand(array.shape, generator=generator, dtype=dtype, device=device,
                requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, device=None,
               requires_grad: bool = False) -> Tensor:
    """Standard normal samples in ``input``'s shape and (floating) dtype.

    >>> randn_like(zeros(2, 3)).shape
    (2, 3)
    """
    array = _array_of(input)
    dtype = _floating("randn_like", array.dtype if dtype is None else dtype)
    return randn(array.shape, generator=generator, dtype=dtype, device=device,
                 requires_grad=requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high), int64 unless ``dtype``: ``randint(10, (2, 3))`` or
    ``randint(5, 10, (2, 3))``, as in PyTorch.

    >>> randint(3, 5, (4,)).dtype
    dtype('int64')
    """
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if size is None:
        raise TypeError("randint: missing the size, as in randint(10, (2, 3))")
    devices.require_cpu(device)
    if not low < high:
        raise ValueError(f"randint: expected low < high, got low={low}, high={high}")
    values = random.generator(generator).integers(low, high, _size("randint", (), size))
    return _leaf(values.astype(np.int64 if dtype is None else dtype), requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high) in ``input``'s shape and dtype: ``randint_like(x, 10)``
    or ``randint_like(x, 5, 10)``.

    >>> randint_like(zeros(3), 1, 2)
    tensor([1., 1., 1.])
    """
    if high is None:  # randint_like(input, high)
        low, high = 0, low
    array = _array_of(input)
    return randint(low, high, array.shape, generator=generator,
                   dtype=array.dtype if dtype is None else dtype, device=device,
                   requires_grad=requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The integers 0 .. n-1 in a random order (int64 unless ``dtype``).

    >>> sorted(randperm(4).data.tolist())
    [0, 1, 2, 3]
    """
    devices.require_cpu(device)
    order = random.generator(generator).permutation(_count("randperm", "n", n))
    return _leaf(order.astype(np.int64 if dtype is None else dtype), requires_grad)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples with the given ``mean`` and ``std``: numbers with a ``size``, or
    tensors (broadcast together) whose shape and dtype the result takes.

    The result is a new leaf: no gradient flows back to a ``mean`` or ``std`` tensor.

    >>> normal(0.0, 1.0, (2, 3)).shape
    (2, 3)
    >>> normal(zeros(4), 2.0).shape
    (4,)
    """
    devices.require_cpu(device)
    arrays = [_array_of(value) for value in (mean, std) if not isinstance(value, numbers.Number)]
    if arrays:
        if size is not None:
            raise TypeError("normal: size= goes with numbers for mean and std; with tensors "
                            "the result has their shape")
        shape = _broadcast_shape("normal", mean, std)
        dtype = _floating("normal", np.result_type(*arrays) if dtype is None else dtype)
    else:
        if size is None:
            raise TypeError("normal: give a size when mean and std are numbers, as in "
                            "normal(0.0, 1.0, (2, 3))")
        shape, dtype = _size("normal", (), size), _floating("normal", dtype)
    std = _array_of(std)
    if not (std >= 0).all():
        raise ValueError(f"normal: std must be >= 0, got {std.min()}")
    values = random.generator(generator).normal(_array_of(mean), std, shape)
    return _leaf(np.asarray(values).astype(dtype, copy=False), requires_grad)


def _broadcast_shape(op: str, *values) -> tuple:
    shapes = [np.shape(_array_of(value)) for value in values]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{op}: shapes {' and '.join(map(str, shapes))} do not broadcast "
                         "together") from None


def bernoulli(input, p: float | None = None, *, generator=None) -> Tensor:
    """1 with probability ``input`` (elementwise; or ``p`` everywhere, when given), else 0,
    in ``input``'s shape and (floating) dtype.

    >>> bernoulli(Tensor([0.0, 1.0]))
    tensor([0., 1.])
    """
    probabilities = _array_of(input)
    dtype = _floating("bernoulli", probabilities.dtype)
    if p is not None:
        probabilities = np.full(probabilities.shape, p, dtype=np.float64)
    if not ((probabilities >= 0) & (probabilities <= 1)).all():  # NaN fails too
        raise ValueError("bernoulli: probabilities must be in [0, 1]")
    draws = random.generator(generator).random(probabilities.shape) < probabilities
    return _leaf(draws.astype(dtype), False)


def multinomial(input, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    """Indices drawn with probabilities proportional to the weights in ``input`` (1-d, or
    2-d for one draw per row), without replacement unless ``replacement``; int64.

    >>> multinomial(Tensor([0.0, 1.0, 0.0]), 1)
    tensor([1])
    """
    weights = _checked_weights(input, num_samples, replacement)
    rows = weights.reshape(-1, weights.shape[-1])
    rng = random.generator(generator)
    if replacement:
        samples = np.stack([rng.choice(row.size, num_samples, p=row / row.sum())
                            for row in rows])
    else:
        # PyTorch's way: the largest weight / Exp(1) keys are a draw without replacement,
        # and categories of weight 0 come last rather than being refused.
        keys = rows / rng.standard_exponential(rows.shape)
        samples = np.argsort(-keys, axis=-1, kind="stable")[:, :num_samples]
    return _leaf(samples.reshape(weights.shape[:-1] + (num_samples,)).astype(np.int64), False)


def _checked_weights(input, num_samples: int, replacement: bool) -> np.ndarray:
    """``multinomial``'s weights as float64 rows, after PyTorch's checks."""
    weights = _array_of(input).astype(np.float64)
    if weights.ndim not in (1, 2):
        raise ValueError(f"multinomial: input must be 1-d or 2-d (one distribution per row), "
                         f"got shape {weights.shape}")
    if _count("multinomial", "num_samples", num_samples) == 0:
        raise ValueError("multinomial: cannot sample num_samples <= 0 samples")
    if not replacement and num_samples > weights.shape[-1]:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples from "
                         f"{weights.shape[-1]} categories without replacement")
    if not (np.isfinite(weights) & (weights >= 0)).all():
        raise ValueError("multinomial: the weights contain inf, nan or a negative number")
    if not (weights.sum(axis=-1) > 0).all():
        raise ValueError("multinomial: invalid distribution: the weights sum to 0")
    return weights


# ------------------------------------------------------------------ from NumPy


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares ``array``'s memory (no copy): a write to one shows in the other.

    >>> data = np.zeros(2)
    >>> t = from_numpy(data)
    >>> data[0] = 5.0
    >>> t
    tensor([5., 0.], dtype=float64)
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(array).__name__})")
    if array.dtype.kind not in "biufc":
        raise TypeError(f"from_numpy: can't convert np.ndarray of dtype {array.dtype}: a "
                        "tensor holds bool, int, uint, float or complex numbers")
    return wrap(array)
