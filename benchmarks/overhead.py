"""W1: per-op overhead. A 10,000-op chain of add/mul/tanh on a 0-d tensor, forward and backward.

    python -m benchmarks.overhead [--ops 10000] [--repeats 5]

Reports microseconds per op for tapegrad, PyTorch (CPU, when installed) and a hand-written
NumPy forward/backward on 0-d arrays (the floor), and each one's ratio to tapegrad.
"""

from __future__ import annotations

import argparse

import numpy as np

import tapegrad as tg
from benchmarks.common import blas_environment, median_seconds, try_import_torch


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


def tapegrad_times(ops: int, repeats: int) -> tuple[float, float]:
    a = tg.tensor(0.5, requires_grad=True)
    b = tg.tensor(0.9, requires_grad=True)
    forward = median_seconds(lambda: chain(a, a, b, ops), repeats)

    def forward_backward():
        chain(a, a, b, ops).backward()

    return forward, median_seconds(forward_backward, repeats) - forward


def torch_times(torch, ops: int, repeats: int) -> tuple[float, float]:
    a = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.9, dtype=torch.float64, requires_grad=True)
    forward = median_seconds(lambda: chain(a, a, b, ops), repeats)

    def forward_backward():
        chain(a, a, b, ops).backward()

    return forward, median_seconds(forward_backward, repeats) - forward


def numpy_times(ops: int, repeats: int) -> tuple[float, float]:
    """The floor: the same chain by hand on 0-d arrays, keeping what backward needs."""
    a, b = np.array(0.5), np.array(0.9)

    def forward():
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
        return y, tape

    def backward(tape):
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
        return grad_a, grad_b

    forward_time = median_seconds(forward, repeats)
    return forward_time, median_seconds(lambda: backward(forward()[1]), repeats) - forward_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    rows = [("tapegrad", tapegrad_times(args.ops, args.repeats))]
    torch = try_import_torch()
    if torch is not None:
        rows.append((f"PyTorch {torch.__version__}", torch_times(torch, args.ops, args.repeats)))
    rows.append(("NumPy by hand (floor)", numpy_times(args.ops, args.repeats)))

    print(f"W1 overhead: {args.ops}-op chain of add/mul/tanh on a 0-d float64 tensor")
    print(f"({blas_environment()}; median of {args.repeats})")
    print(f"{'engine':<24}{'fwd µs/op':>10}{'bwd µs/op':>10}{'total':>10}{'× tapegrad':>12}")
    base = sum(rows[0][1])
    for name, (forward, backward) in rows:
        scale = 1e6 / args.ops
        total = forward + backward
        print(f"{name:<24}{forward * scale:>10.2f}{backward * scale:>10.2f}"
              f"{total * scale:>10.2f}{total / base:>12.2f}")


if __name__ == "__main__":
    main()
