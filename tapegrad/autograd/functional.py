"""Functional transforms in the style of ``torch.func``: ``grad``, ``value_and_grad``, ``vjp``,
``jvp``, ``jacobian``, ``hessian`` and ``hvp`` turn a function of tensors into a function that
returns derivatives.

Plain inputs (arrays, numbers, or tensors that do not require grad) give plain NumPy results.
Inputs that require grad — as inside another transform — give Tensors that carry their own
graph, which is how transforms nest: ``hessian(f)`` is ``jacobian(grad(f))``.

``jvp`` uses the double-vjp trick: J^T u is linear in u, so J v = d/du <J^T u, v>; two reverse
passes give one forward-mode product, with no separate forward-mode engine.

>>> import tapegrad as tg
>>> from tapegrad.autograd import functional
>>> functional.grad(lambda x: (x ** 3).sum())(np.array([1.0, 2.0]))
array([ 3., 12.])
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from tapegrad.autograd.grad import grad as gradients_of
from tapegrad.grad_mode import enable_grad
from tapegrad.routines import as_tensor, stack
from tapegrad.tensor import Tensor


def _positions(argnums, count: int) -> tuple:
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not positions or any(not -count <= p < count for p in positions):
        raise ValueError(f"argnums {argnums!r} does not name arguments of a function called "
                         f"with {count}")
    return tuple(p % count for p in positions)


def _prepare(args: tuple, positions: tuple) -> tuple[list, bool]:
    """Arguments with those at ``positions`` made differentiable leaves (and other arrays
    constant tensors), and whether an outer
    transform is differentiating (an argument already requires grad): then results keep
    their graph."""
    nested = any(isinstance(a, Tensor) and a.requires_grad for a in args)
    # Other arrays become constant tensors, so ``f`` always sees tensors.
    prepared = [as_tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    for position in positions:
        value = args[position]
        if not (isinstance(value, Tensor) and value.requires_grad):
            data = value.data if isinstance(value, Tensor) else np.asarray(value)
            if data.dtype.kind not in "fc":  # integers: float64; complex stays complex
                data = data.astype(np.float64)
            prepared[position] = Tensor(data, requires_grad=True)
    return prepared, nested


def _plain(value, nested: bool):
    """Tensors as arrays for plain callers; kept as Tensors inside another transform."""
    if isinstance(value, tuple):
        return tuple(_plain(item, nested) for item in value)
    if nested or not isinstance(value, Tensor):
        return value
    return value.data


def _gradients(output: Tensor, inputs: list, grad_outputs=None, create_graph=False) -> list:
    """d output / d inputs, zeros for inputs the output does not depend on."""
    if not output.requires_grad:
        return [as_tensor(np.zeros_like(x.data)) for x in inputs]
    grads = gradients_of(output, inputs, grad_outputs=grad_outputs, retain_graph=True,
                          create_graph=create_graph, allow_unused=True)
    return [as_tensor(np.zeros_like(x.data)) if g is None else g for g, x in zip(grads, inputs)]


def value_and_grad(f: Callable, argnums=0) -> Callable:
    """A function returning ``(f(*args), gradient)`` for a ``f`` with one-element output;
    the gradient is a tuple when ``argnums`` is a tuple.

    >>> value, gradient = value_and_grad(lambda x: (x * x).sum())(np.array([3.0]))
    >>> float(value), gradient
    (9.0, array([6.]))
    """
    def wrapper(*args):
        positions = _positions(argnums, len(args))
        prepared, nested = _prepare(args, positions)
        with enable_grad():
            value = f(*prepared)
            if not isinstance(value, Tensor) or value.numel() != 1:
                raise ValueError(
                    "grad: the function must return a one-element Tensor, got "
                    f"{type(value).__name__} {getattr(value, 'shape', '')}"
                )
            grads = _gradients(value, [prepared[p] for p in positions], create_graph=nested)
        result = grads[0] if isinstance(argnums, int) else tuple(grads)
        return _plain(value, nested), _plain(result, nested)

    return wrapper


def grad(f: Callable, argnums=0) -> Callable:
    """A function returning the gradient of ``f`` (one-element output) with respect to the
    argument(s) ``argnums``, like ``torch.func.grad``.

    >>> grad(lambda x, y: (x * y).sum(), argnums=1)(np.array([2.0]), np.array([5.0]))
    array([2.])
    """
    def wrapper(*args):
        return value_and_grad(f, argnums)(*args)[1]

    return wrapper


def vjp(f: Callable, *primals):
    """``(f(*primals), vjp_fn)``: ``vjp_fn(u)`` gives u^T J, one array per primal.

    >>> out, vjp_fn = vjp(lambda x: x * x, np.array([1.0, 2.0]))
    >>> vjp_fn(np.array([1.0, 1.0]))
    (array([2., 4.]),)
    """
    prepared, nested = _prepare(primals, tuple(range(len(primals))))
    with enable_grad():
        output = f(*prepared)

    def vjp_fn(cotangent):
        keep = nested or (isinstance(cotangent, Tensor) and cotangent.requires_grad)
        with enable_grad():
            grads = _gradients(output, prepared, grad_outputs=cotangent, create_graph=keep)
        return _plain(tuple(grads), keep)

    return _plain(output, nested), vjp_fn


def jvp(f: Callable, primals: tuple, tangents: tuple):
    """``(f(*primals), J v)`` for tangents v, by the double-vjp trick.

    >>> jvp(lambda x: x * x, (np.array([1.0, 2.0]),), (np.array([1.0, 0.0]),))[1]
    array([2., 0.])
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    prepared, nested = _prepare(primals, tuple(range(len(primals))))
    with enable_grad():
        output = f(*prepared)
        if not output.requires_grad:
            return _plain(output, nested), _plain(as_tensor(np.zeros_like(output.data)), nested)
        probe = Tensor(np.zeros_like(output.data), requires_grad=True)
        transposed = _gradients(output, prepared, grad_outputs=probe, create_graph=True)
        total = sum((g * tangent).sum() for g, tangent in zip(transposed, tangents))
        (product,) = _gradients(total, [probe], create_graph=nested)
    return _plain(output, nested), _plain(product, nested)


def jacobian(f: Callable, argnums=0) -> Callable:
    """A function returning d f / d args[argnums] in reverse mode, shaped output.shape +
    input.shape (a tuple of them when ``argnums`` is a tuple), like ``torch.func.jacrev``.

    >>> jacobian(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    def wrapper(*args):
        positions = _positions(argnums, len(args))
        prepared, nested = _prepare(args, positions)
        inputs = [prepared[p] for p in positions]
        with enable_grad():
            output = f(*prepared)
            rows = [[] for _ in inputs]
            for index in np.ndindex(output.shape):
                seed = np.zeros(output.shape, dtype=output.dtype)
                seed[index] = 1
                for row, gradient in zip(rows, _gradients(output, inputs, seed, nested)):
                    row.append(gradient)
            jacobians = tuple(_assemble(row, output.shape, x.shape) for row, x in zip(rows, inputs))
        result = jacobians[0] if isinstance(argnums, int) else jacobians
        return _plain(result, nested)

    return wrapper


def _assemble(rows: list, output_shape: tuple, input_shape: tuple) -> Tensor:
    if not rows:
        return as_tensor(np.zeros(output_shape + input_shape))
    return stack(rows).reshape(output_shape + input_shape)


def hessian(f: Callable, argnums=0) -> Callable:
    """A function returning the Hessian of ``f`` (one-element output): ``jacobian(grad(f))``.

    >>> hessian(lambda x: (x ** 3).sum())(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    return jacobian(grad(f, argnums), argnums)


def hvp(f: Callable, primals: tuple, tangents: tuple):
    """``(f(*primals), H v)``: the Hessian of ``f`` (one-element output) times tangents v,
    without forming H, as the gradient of <grad f, v>.

    >>> hvp(lambda x: (x ** 3).sum(), (np.array([1.0, 2.0]),), (np.array([1.0, 1.0]),))[1]
    (array([ 6., 12.]),)
    """
    primals, tangents = tuple(primals), tuple(tangents)
    prepared, nested = _prepare(primals, tuple(range(len(primals))))
    with enable_grad():
        value = f(*prepared)
        grads = _gradients(value, prepared, create_graph=True)
        total = sum((g * tangent).sum() for g, tangent in zip(grads, tangents))
        products = _gradients(total, prepared, create_graph=nested) if isinstance(
            total, Tensor) else [as_tensor(np.zeros_like(x.data)) for x in prepared]
    return _plain(value, nested), _plain(tuple(products), nested)
