"""W1: per-op overhead. A 10,000-op chain of add/mul/tanh on tiny tensors, forward and backward.

    python -m benchmarks.overhead [--ops 10000] [--repeats 5]

Reports microseconds per op, forward + backward, at three tiny float64 shapes: 0-d, (1,) and
(16, 16) (0-d alone would flatter an engine with a scalar fast path), for tapegrad and every
installed peer (PyTorch CPU, JAX jit and eager, HIPS autograd, MyGrad, micrograd) and two
floors, each in a process of its own, and each one's ratio to tapegrad. The floors: a
hand-written NumPy forward/backward (NumPy's own cost), and a bare Python graph on the same
arrays (``BareNode``: one object per op on a tape and nothing else, about the least an
engine written in Python can cost). Non-0-d chains start their backward from ones. JAX (eager)
differentiates the chain op by op with ``jax.vjp``; JAX (jit) compiles it as a
``fori_loop`` (its backward figure is the compiled gradient, forward included). micrograd
works on Python floats (0-d only) and has no tanh: it gets one written the way its engine
writes ``relu``, and its recursive topological sort needs the recursion limit raised above
the chain's length.
"""
from __future__ import annotations

import functools
import math
import sys
import time

import numpy as np

from benchmarks.common import (
    ENGINE_LABELS,
    cell,
    import_torch,
    ratio,
    ratio_target,
    workload_main,
)

TITLE = "W1 overhead: a chain of add/mul/tanh on tiny float64 tensors, µs per op"
OPTIONS = {"ops": 10_000}
QUICK = {"ops": 300}
WARMUP = True
FRESH_PROCESS = False
SINGLE_RUN = ("jax_eager",)  # some 0.2-0.5 ms an op: 30,000 ops take seconds
SHAPES = ((), (1,), (16, 16))
SHAPE_LABELS = ("0-d", "(1,)", "(16, 16)")


def chain(y, a, b, ops: int, tanh):
    """The workload: y <- y + a, y <- y * b, y <- tanh(y), repeated. Works for any engine."""
    for step in range(ops):
        kind = step % 3
        if kind == 0:
            y = y + a
        elif kind == 1:
            y = y * b
        else:
            y = tanh(y)
    return y


def timed_chain(a, b, ops: int, tanh, backward=None) -> tuple[float, float]:
    """One timed run on leaves a, b: the chain's forward, then its backward (freed untimed).

    ``backward(y)`` runs the backward; by default ``y.backward()``, which needs a 0-d ``y``.
    """
    start = time.perf_counter()
    y = chain(a, a, b, ops, tanh)
    middle = time.perf_counter()
    y.backward() if backward is None else backward(y)
    end = time.perf_counter()
    del y
    return middle - start, end - middle


def tapegrad_seconds(ops: int, shape: tuple = ()) -> tuple[float, float]:
    import tapegrad as tg

    def leaf(value):  # float64, as every engine's
        return tg.tensor(np.full(shape, value), dtype=tg.float64, requires_grad=True)

    def backward(y):
        y.backward(None if y.ndim == 0 else tg.ones_like(y))

    return timed_chain(leaf(0.5), leaf(0.9), ops, tg.Tensor.tanh, backward)


def torch_seconds(ops: int, shape: tuple = ()) -> tuple[float, float]:
    torch = import_torch()

    def leaf(value):
        return torch.full(shape, value, dtype=torch.float64, requires_grad=True)

    def backward(y):
        y.backward(None if y.dim() == 0 else torch.ones_like(y))

    return timed_chain(leaf(0.5), leaf(0.9), ops, torch.tanh, backward)


def jax_eager_seconds(ops: int, shape: tuple = ()) -> tuple[float, float]:
    """JAX op by op: the forward is ``jax.vjp`` of the chain (each op dispatched as it comes),
    the backward its vjp function."""
    jax, jnp = import_jax()
    a, b = jnp.full(shape, 0.5), jnp.full(shape, 0.9)
    start = time.perf_counter()
    y, vjp = jax.vjp(lambda a, b: chain(a, a, b, ops, jnp.tanh), a, b)
    jax.block_until_ready(y)
    middle = time.perf_counter()
    jax.block_until_ready(vjp(jnp.ones(shape)))
    end = time.perf_counter()
    del vjp
    return middle - start, end - middle


def jax_jit_seconds(ops: int, shape: tuple = ()) -> tuple[float, float]:
    """JAX compiled: the chain as a ``fori_loop`` of (add, mul, tanh), under ``jax.jit``; the
    forward is the compiled chain, the backward the compiled gradient (which computes the
    forward again inside). Compiling happens in the untimed warmup run."""
    jax, jnp = import_jax()
    forward, gradient = _jax_jit_functions(ops)
    a, b = jnp.full(shape, 0.5), jnp.full(shape, 0.9)
    start = time.perf_counter()
    jax.block_until_ready(forward(a, b))
    middle = time.perf_counter()
    jax.block_until_ready(gradient(a, b))
    return middle - start, time.perf_counter() - middle


@functools.cache
def _jax_jit_functions(ops: int):
    jax, jnp = import_jax()

    def forward(a, b):
        def three_ops(_, y):
            return jnp.tanh((y + a) * b)

        y = jax.lax.fori_loop(0, ops // 3, three_ops, a)
        return chain(y, a, b, ops % 3, jnp.tanh)

    def total(a, b):
        return forward(a, b).sum()

    return jax.jit(forward), jax.jit(jax.grad(total, argnums=(0, 1)))


def mygrad_seconds(ops: int, shape: tuple = ()) -> tuple[float, float]:
    import mygrad as mg

    # MyGrad's backward of a non-0-d tensor seeds it with ones, as the other engines are given
    return timed_chain(mg.tensor(np.full(shape, 0.5)), mg.tensor(np.full(shape, 0.9)), ops,
                       mg.tanh)


def micrograd_tanh(x):
    """tanh for micrograd's Value, written the way its engine writes ``relu``."""
    from micrograd.engine import Value

    out = Value(math.tanh(x.data), (x,), "tanh")

    def _backward():
        x.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    return out


def micrograd_seconds(ops: int, shape: tuple = ()) -> tuple[float, float]:
    """micrograd works on Python floats: 0-d only."""
    from micrograd.engine import Value

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * ops + 1000))
    return timed_chain(Value(0.5), Value(0.9), ops, micrograd_tanh)


def autograd_seconds(ops: int, shape: tuple = ()) -> tuple[float, float]:
    """HIPS autograd traces a function: the forward is ``make_vjp``, the backward the vjp.
    At 0-d it is given Python floats, as its own examples do."""
    import autograd.numpy as anp
    from autograd import make_vjp

    def f(a, b):
        return chain(a, a, b, ops, anp.tanh)

    def leaf(value):
        return value if shape == () else np.full(shape, value)

    start = time.perf_counter()
    vjp, _ = make_vjp(f, argnum=(0, 1))(leaf(0.5), leaf(0.9))
    middle = time.perf_counter()
    vjp(leaf(1.0))
    end = time.perf_counter()
    del vjp
    return middle - start, end - middle


def numpy_seconds(ops: int, shape: tuple = ()) -> tuple[float, float]:
    """The floor: the same chain by hand on arrays, keeping what backward needs."""
    a, b = np.full(shape, 0.5), np.full(shape, 0.9)
    start = time.perf_counter()
    y, tape = a, []
    for step in range(ops):
        kind = step % 3
        if kind == 0:
            y = y + a
        elif kind == 1:
            tape.append(y)
            y = y * b
        else:
            y = np.tanh(y)
            tape.append(y)
    middle = time.perf_counter()
    grad, grad_a, grad_b = np.ones(shape), np.zeros(shape), np.zeros(shape)
    for step in reversed(range(ops)):
        kind = step % 3
        if kind == 0:
            grad_a = grad_a + grad
        elif kind == 1:
            grad_b = grad_b + grad * tape.pop()
            grad = grad * b
        else:
            out = tape.pop()
            grad = grad * (1 - out * out)
    return middle - start, time.perf_counter() - middle


class BareNode:
    """W1's second floor: about the least a Python autograd does per op, on the same arrays.

    One object per op, of one class per op as tapegrad's Functions, holding its value and its
    inputs; a tape of them that ``backward`` walks in reverse, calling each node's
    ``send_back``. Nothing else: no dtypes, broadcasting, grad mode, version checks, hooks,
    freeing or graphs other than one tape. What it costs above the NumPy floor is Python's
    own price for recording and walking a graph.

    >>> y = BareNode(np.array(2.0)) * BareNode(np.array(3.0))
    >>> y.backward(); float(y.inputs[0].grad)
    3.0
    """

    __slots__ = ("value", "inputs", "grad")
    tape: list = []

    def __init__(self, value, inputs: tuple = ()):
        self.value, self.inputs, self.grad = value, inputs, None

    def __add__(self, other):
        return BareAdd.record(self.value + other.value, (self, other))

    def __mul__(self, other):
        return BareMul.record(self.value * other.value, (self, other))

    def tanh(self):
        return BareTanh.record(np.tanh(self.value), (self,))

    @classmethod
    def record(cls, value, inputs: tuple):
        """A node of this op's class for ``value``, made from ``inputs``, put on the tape."""
        node = cls(value, inputs)
        BareNode.tape.append(node)
        return node

    def backward(self, grad=None):
        """Send gradients back along the tape, from ones (or ``grad``) at this node; empty it."""
        self.grad = np.ones_like(self.value) if grad is None else grad
        for node in reversed(BareNode.tape):
            for parent, sent in zip(node.inputs, node.send_back(node.grad)):
                parent.grad = sent if parent.grad is None else parent.grad + sent
        BareNode.tape.clear()


class BareAdd(BareNode):
    """x + y: the gradient goes to both inputs unchanged."""

    __slots__ = ()

    def send_back(self, grad):
        return grad, grad


class BareMul(BareNode):
    """x * y: each input's gradient is the other input's value times the gradient."""

    __slots__ = ()

    def send_back(self, grad):
        x, y = self.inputs
        return grad * y.value, grad * x.value


class BareTanh(BareNode):
    """tanh(x): the gradient times 1 - tanh(x)^2, from the value kept."""

    __slots__ = ()

    def send_back(self, grad):
        return (grad * (1 - self.value * self.value),)


def bare_seconds(ops: int, shape: tuple = ()) -> tuple[float, float]:
    """The chain on ``BareNode``: about the least an autograd written in Python costs."""
    return timed_chain(BareNode(np.full(shape, 0.5)), BareNode(np.full(shape, 0.9)), ops,
                       BareNode.tanh)


def import_jax():
    """jax and jax.numpy, with float64 on (W1's chain is float64 in every engine)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax, jax.numpy


def over_shapes(seconds, shapes: tuple = SHAPES):
    """An engine's measured run: (forward, backward) seconds at each of ``shapes``, in turn."""
    def run(ops: int) -> tuple:
        return tuple(figure for shape in shapes for figure in seconds(ops, shape))

    return run


ENGINES = {"tapegrad": over_shapes(tapegrad_seconds), "torch": over_shapes(torch_seconds),
           "jax_jit": over_shapes(jax_jit_seconds), "jax_eager": over_shapes(jax_eager_seconds),
           "autograd": over_shapes(autograd_seconds), "mygrad": over_shapes(mygrad_seconds),
           "micrograd": over_shapes(micrograd_seconds, shapes=((),)),
           "numpy": over_shapes(numpy_seconds), "bare": over_shapes(bare_seconds)}
HEADERS = [text for label in SHAPE_LABELS for text in (f"{label} µs/op", "× tapegrad")]


def per_op(figures: dict, engine: str, options: dict) -> list:
    """Each shape's (forward, backward, total) microseconds per op, or None where the engine
    did not run it."""
    seconds = figures.get(engine)
    seconds = seconds if isinstance(seconds, list) else []
    rows = []
    for index in range(len(SHAPES)):
        if len(seconds) < 2 * index + 2:
            rows.append(None)
            continue
        forward, backward = (value * 1e6 / options["ops"]
                             for value in seconds[2 * index:2 * index + 2])
        rows.append((forward, backward, forward + backward))
    return rows


def cells(figures: dict, engine: str, options: dict) -> list:
    """This engine's row: at each shape, total µs per op (forward + backward) and its ratio."""
    if isinstance(figures.get(engine), str):
        return [figures[engine]] + [""] * (len(HEADERS) - 1)
    base = per_op(figures, "tapegrad", options)
    row = []
    for mine, theirs in zip(per_op(figures, engine, options), base):
        if mine is None:
            row += ["—", "—"]
            continue
        forward, backward, total = mine
        label = " (1 run)" if engine in SINGLE_RUN else ""
        row += [f"{cell(total)} ({cell(forward)} + {cell(backward)}){label}",
                cell(ratio(total, theirs and theirs[2]))]
    return row


def targets(figures: dict, options: dict) -> list:
    """W1: at most half PyTorch's µs per op at every shape, and below every NumPy engine's
    (HIPS autograd, MyGrad); micrograd, on Python floats rather than NumPy, is compared for
    reference."""
    def total(engine, index):
        shape = per_op(figures, engine, options)[index]
        return shape and shape[2]

    rows = [ratio_target(f"{label}: tapegrad ≤ 0.5× PyTorch's µs/op (forward + backward)",
                         total("tapegrad", index), total("torch", index), "PyTorch",
                         at_most=0.5)
            for index, label in enumerate(SHAPE_LABELS)]
    for peer in ("autograd", "mygrad"):
        ratios = [value for value in (ratio(total("tapegrad", index), total(peer, index))
                                      for index in range(len(SHAPES))) if value is not None]
        name = ENGINE_LABELS[peer]
        rows.append((f"tapegrad's µs/op below {name}'s at every shape",
                     f"n/a ({name} not measured)" if not ratios else
                     f"{'met' if max(ratios) < 1 else 'NOT met'} (at most {max(ratios):.2f}× "
                     f"{name})"))
    bare = [ratio(total("bare", index), total("torch", index)) for index in range(len(SHAPES))]
    rows.append(("for reference, not a target: the bare Python graph's µs/op (one object per op, "
                 "nothing else), × PyTorch's at 0-d, (1,), (16, 16)",
                 "n/a (not measured)" if None in bare else
                 " / ".join(f"{value:.2f}×" for value in bare)))
    versus = ratio(total("tapegrad", 0), total("micrograd", 0))
    rows.append(("for reference, not a target: micrograd at 0-d (Python floats, no NumPy)",
                 "n/a (micrograd not measured)" if versus is None else
                 f"tapegrad {'faster' if versus < 1 else 'slower'} ({versus:.2f}× micrograd)"))
    return rows


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
