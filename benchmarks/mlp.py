"""W2: an MLP's training step. 784-256-256-10, ReLU, float32, cross-entropy, one SGD step.

    python -m benchmarks.mlp [--steps 50] [--repeats 5]

Reports steps per second at batch 64 and 512, and the process's peak resident memory, for
tapegrad, PyTorch (CPU, when installed) and a hand-written NumPy forward/backward (the floor),
each in a process of its own; ratios are to tapegrad (above 1: faster than tapegrad).
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from benchmarks.common import (
    blas_environment,
    import_torch,
    measure_in_subprocess,
    medians,
    torch_installed,
)

SIZES = (784, 256, 256, 10)
LR = 0.01


def initial_weights() -> list:
    """The same float32 weights and biases for every engine."""
    rng = np.random.default_rng(0)
    weights = []
    for fan_in, fan_out in zip(SIZES, SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return weights


def batch_data(batch: int):
    rng = np.random.default_rng(1)
    return (rng.standard_normal((batch, SIZES[0])).astype(np.float32),
            rng.integers(0, SIZES[-1], batch))


def tapegrad_step_function(batch: int):
    import tapegrad as tg
    from tapegrad import nn, optim

    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    for parameter, value in zip(model.parameters(), initial_weights()):
        parameter.data[...] = value
    optimizer = optim.SGD(model.parameters(), lr=LR)
    x, y = batch_data(batch)
    x = tg.tensor(x)

    def step():
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def torch_step_function(batch: int):
    torch = import_torch()
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), initial_weights()):
            parameter.copy_(torch.from_numpy(value))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = batch_data(batch)
    x, y = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def numpy_step_function(batch: int):
    """The floor: the same step written by hand, with no graph and no framework."""
    w1, b1, w2, b2, w3, b3 = initial_weights()
    x, y = batch_data(batch)
    rows = np.arange(batch)

    def step():
        h1 = np.maximum(x @ w1.T + b1, 0)
        h2 = np.maximum(h1 @ w2.T + b2, 0)
        logits = h2 @ w3.T + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        probabilities = np.exp(shifted)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        grad_logits = probabilities
        grad_logits[rows, y] -= 1
        grad_logits /= batch
        grad_h2 = (grad_logits @ w3) * (h2 > 0)
        grad_h1 = (grad_h2 @ w2) * (h1 > 0)
        for weight, bias, grad, inputs in ((w3, b3, grad_logits, h2), (w2, b2, grad_h2, h1),
                                           (w1, b1, grad_h1, x)):
            weight -= LR * (grad.T @ inputs)
            bias -= LR * grad.sum(axis=0)

    return step


STEP_FUNCTIONS = {"tapegrad": tapegrad_step_function, "torch": torch_step_function,
                  "numpy": numpy_step_function}


def steps_per_second(step, steps: int) -> tuple[float]:
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (steps / (time.perf_counter() - start),)


def measure(engine: str, steps: int, repeats: int) -> list:
    """[steps/s at batch 64, steps/s at batch 512, peak RSS in MB] for one engine."""
    figures = [medians(steps_per_second, repeats, STEP_FUNCTIONS[engine](batch), steps)[0]
               for batch in (64, 512)]
    peak_kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return figures + [peak_kilobytes / 1024]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50, help="training steps per timing")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engine", choices=list(STEP_FUNCTIONS), help="one engine, as JSON")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(measure(args.engine, args.steps, args.repeats)))
        return

    names = {"tapegrad": "tapegrad", "torch": "PyTorch (CPU)", "numpy": "NumPy by hand (floor)"}
    engines = [e for e in STEP_FUNCTIONS if e != "torch" or torch_installed()]
    options = ("--steps", str(args.steps), "--repeats", str(args.repeats))
    rows = [(names[e], measure_in_subprocess("benchmarks.mlp", e, *options)) for e in engines]
    print("W2 MLP 784-256-256-10, float32, cross-entropy + SGD step: steps per second")
    print(f"({blas_environment()}; median of {args.repeats} x {args.steps} steps, "
          "one process per engine)")
    print(f"{'engine':<24}{'batch 64':>10}{'× tg':>7}{'batch 512':>11}{'× tg':>7}"
          f"{'peak RSS MB':>13}")
    base = rows[0][1]
    for name, (small, large, memory) in rows:
        print(f"{name:<24}{small:>10.0f}{small / base[0]:>7.2f}{large:>11.0f}"
              f"{large / base[1]:>7.2f}{memory:>13.0f}")


if __name__ == "__main__":
    main()
