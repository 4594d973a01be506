"""W1: per-op overhead. A 10,000-op chain of add/mul/tanh on a 0-d tensor, forward and backward.

    python -m benchmarks.overhead [--ops 10000] [--repeats 5]

Reports microseconds per op for tapegrad, PyTorch (CPU, when installed) and a hand-written
NumPy forward/backward on 0-d arrays (the floor), and each one's ratio to tapegrad.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import tapegrad as tg
from benchmarks.common import (
    blas_environment,
    import_torch,
    measure_in_subprocess,
    medians,
    torch_installed,
)


def chain(y, a, b, ops: int):
    """The workload: y <- y + a, y <- y * b, y <- tanh(y), repeated. Works for any engine."""
    for step in range(ops):
        kind = step % 3
        if kind == 0:
            y = y + a
        elif kind == 1:
            y = y * b
        else:
            y = y.tanh()
    return y


def forward_backward_seconds(make_leaf, ops: int) -> tuple[float, float]:
    """One timed run: the chain's forward, then its backward (the graph is freed untimed)."""
    a, b = make_leaf(0.5), make_leaf(0.9)
    start = time.perf_counter()
    y = chain(a, a, b, ops)
    middle = time.perf_counter()
    y.backward()
    end = time.perf_counter()
    del y
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


def run_engine(engine: str, ops: int):
    """One timed run of ``engine``: (forward seconds, backward seconds)."""
    if engine == "tapegrad":
        return forward_backward_seconds(lambda value: tg.tensor(value, requires_grad=True), ops)
    if engine == "torch":
        torch = import_torch()
        return forward_backward_seconds(
            lambda value: torch.tensor(value, dtype=torch.float64, requires_grad=True), ops)
    return numpy_seconds(ops)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--engine", choices=ENGINES, help="measure one engine, print JSON")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(medians(run_engine, args.repeats, args.engine, args.ops)))
        return

    names = {"tapegrad": "tapegrad", "torch": "PyTorch (CPU)", "numpy": "NumPy by hand (floor)"}
    engines = [e for e in ENGINES if e != "torch" or torch_installed()]
    options = ("--ops", str(args.ops), "--repeats", str(args.repeats))
    rows = [(names[e], measure_in_subprocess("benchmarks.overhead", e, *options))
            for e in engines]

    print(f"W1 overhead: {args.ops}-op chain of add/mul/tanh on a 0-d float64 tensor")
    print(f"({blas_environment()}; median of {args.repeats}, one process per engine)")
    print(f"{'engine':<24}{'fwd µs/op':>10}{'bwd µs/op':>10}{'total':>10}{'× tapegrad':>12}")
    base = sum(rows[0][1])
    for name, (forward, backward) in rows:
        scale = 1e6 / args.ops
        total = forward + backward
        print(f"{name:<24}{forward * scale:>10.2f}{backward * scale:>10.2f}"
              f"{total * scale:>10.2f}{total / base:>12.2f}")


ENGINES = ("tapegrad", "torch", "numpy")

if __name__ == "__main__":
    main()
