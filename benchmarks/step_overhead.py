"""A framework's own cost per training step: W2's step on an MLP too small to do any work.

    python -m benchmarks.step_overhead [--steps 300] [--repeats 20]

The same code as W2 (``benchmarks.mlp``: Sequential of Linear and ReLU, cross-entropy,
zero_grad, backward, an SGD step) on an 8-8-8-4 MLP at batch 2, float32, where every array
operation takes about a microsecond: what is left is the framework's bookkeeping. Microseconds
per step for tapegrad, PyTorch and the hand-written NumPy floor, each engine in a process of
its own; the minimum over repeats, since noise only ever adds time.
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks import mlp
from benchmarks.common import blas_environment, blas_variants, installed, measure_in_subprocess

SIZES = (8, 8, 8, 4)
BATCH = 2
ENGINES = ("tapegrad", "torch", "numpy")


def microseconds_per_step(engine: str, steps: int, repeats: int) -> float:
    step = mlp.STEP_FUNCTIONS[engine](BATCH, SIZES)
    step()  # warm up: imports, caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--engine", choices=ENGINES, help="one engine, as JSON")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps([microseconds_per_step(args.engine, args.steps, args.repeats)]))
        return
    engines = [e for e in ENGINES if e != "torch" or installed("torch")]
    options = ("--steps", str(args.steps), "--repeats", str(args.repeats))
    print(f"W2's step on a {'-'.join(map(str, SIZES))} MLP at batch {BATCH}, float32, µs per "
          f"step (best of {args.repeats})")
    for label, env in blas_variants().items():
        print(f"BLAS {label}: {blas_environment(env)}")
        rows = [(e, measure_in_subprocess("benchmarks.step_overhead", e, *options, env=env)[0])
                for e in engines]
        for name, micros in rows:
            print(f"  {name:<10}{micros:>10.1f} µs{micros / rows[0][1]:>8.2f} × tapegrad")

if __name__ == "__main__":
    main()
