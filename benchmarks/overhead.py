"""W1: per-op overhead. A 10,000-op chain of add/mul/tanh on a 0-d tensor, forward and backward.

    python -m benchmarks.overhead [--ops 10000] [--repeats 5]

Reports microseconds per op, forward and backward, for tapegrad and every installed peer
(PyTorch CPU, HIPS autograd, MyGrad, micrograd) and a hand-written NumPy forward/backward on
0-d arrays (the floor), each in a process of its own, and each one's ratio to tapegrad.
micrograd has no tanh: it gets one written the way its engine writes ``relu``, and its
recursive topological sort needs the recursion limit raised above the chain's length.
"""

from __future__ import annotations

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

TITLE = "W1 overhead: a chain of add/mul/tanh on a 0-d float64 tensor, µs per op"
OPTIONS = {"ops": 10_000}
QUICK = {"ops": 300}
WARMUP = True
FRESH_PROCESS = False
SINGLE_RUN = ()


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


def timed_chain(a, b, ops: int, tanh) -> tuple[float, float]:
    """One timed run on leaves a, b: the chain's forward, then its backward (freed untimed)."""
    start = time.perf_counter()
    y = chain(a, a, b, ops, tanh)
    middle = time.perf_counter()
    y.backward()
    end = time.perf_counter()
    del y
    return middle - start, end - middle


def tapegrad_seconds(ops: int) -> tuple[float, float]:
    import tapegrad as tg

    def leaf(value):
        return tg.tensor(value, dtype=tg.float64, requires_grad=True)  # as every engine's

    return timed_chain(leaf(0.5), leaf(0.9), ops, tg.Tensor.tanh)


def torch_seconds(ops: int) -> tuple[float, float]:
    torch = import_torch()

    def leaf(value):
        return torch.tensor(value, dtype=torch.float64, requires_grad=True)

    return timed_chain(leaf(0.5), leaf(0.9), ops, torch.tanh)


def mygrad_seconds(ops: int) -> tuple[float, float]:
    import mygrad as mg

    return timed_chain(mg.tensor(0.5), mg.tensor(0.9), ops, mg.tanh)


def micrograd_tanh(x):
    """tanh for micrograd's Value, written the way its engine writes ``relu``."""
    from micrograd.engine import Value

    out = Value(math.tanh(x.data), (x,), "tanh")

    def _backward():
        x.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    return out


def micrograd_seconds(ops: int) -> tuple[float, float]:
    from micrograd.engine import Value

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * ops + 1000))
    return timed_chain(Value(0.5), Value(0.9), ops, micrograd_tanh)


def autograd_seconds(ops: int) -> tuple[float, float]:
    """HIPS autograd traces a function: the forward is ``make_vjp``, the backward the vjp."""
    import autograd.numpy as anp
    from autograd import make_vjp

    def f(a, b):
        return chain(a, a, b, ops, anp.tanh)

    start = time.perf_counter()
    vjp, _ = make_vjp(f, argnum=(0, 1))(0.5, 0.9)
    middle = time.perf_counter()
    vjp(1.0)
    end = time.perf_counter()
    del vjp
    return middle - start, end - middle


def numpy_seconds(ops: int) -> tuple[float, float]:
    """The floor: the same chain by hand on 0-d arrays, keeping what backward needs."""
    a, b = np.array(0.5), np.array(0.9)
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
    grad, grad_a, grad_b = np.array(1.0), np.array(0.0), np.array(0.0)
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


ENGINES = {"tapegrad": tapegrad_seconds, "torch": torch_seconds, "autograd": autograd_seconds,
           "mygrad": mygrad_seconds, "micrograd": micrograd_seconds, "numpy": numpy_seconds}
HEADERS = ["fwd µs/op", "bwd µs/op", "total µs/op", "× tapegrad"]


def per_op(figures: dict, engine: str, options: dict) -> list:
    """(forward, backward, total) microseconds per op, or Nones."""
    seconds = figures.get(engine)
    if not isinstance(seconds, list):
        return [None, None, None]
    forward, backward = (value * 1e6 / options["ops"] for value in seconds)
    return [forward, backward, forward + backward]


def cells(figures: dict, engine: str, options: dict) -> list:
    """This engine's row: forward, backward and total µs per op, and the total's ratio."""
    if isinstance(figures.get(engine), str):
        return [figures[engine], "", "", ""]
    forward, backward, total = per_op(figures, engine, options)
    base = per_op(figures, "tapegrad", options)[2]
    return [cell(forward), cell(backward), cell(total), cell(ratio(total, base))]


def targets(figures: dict, options: dict) -> list:
    """W1: at most half PyTorch's µs per op, and below every NumPy engine's (HIPS autograd,
    MyGrad); micrograd, on Python floats rather than NumPy, is compared for reference."""
    total = {engine: per_op(figures, engine, options)[2] for engine in ENGINES}
    rows = [ratio_target("tapegrad ≤ 0.5× PyTorch's µs/op (forward + backward)",
                         total["tapegrad"], total["torch"], "PyTorch", at_most=0.5)]
    for peer in ("autograd", "mygrad"):
        rows.append(ratio_target(f"tapegrad's µs/op below {ENGINE_LABELS[peer]}'s",
                                 total["tapegrad"], total[peer], ENGINE_LABELS[peer],
                                 at_most=1.0))
    versus = ratio(total["tapegrad"], total["micrograd"])
    rows.append(("for reference, not a target: micrograd (Python floats, no NumPy)",
                 "n/a (micrograd not measured)" if versus is None else
                 f"tapegrad {'faster' if versus < 1 else 'slower'} ({versus:.2f}× micrograd)"))
    return rows


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
