"""The Hessian of a 100-parameter function: tapegrad.func.hessian against torch.func.hessian.

    python -m benchmarks.hessian [--size 100] [--repeats 5]

f(x) = sum(tanh(x) * x) + x^T A x / size, x in R^size, float64. Seconds per Hessian, each
engine in a process of its own.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from benchmarks.common import (
    blas_environment,
    import_torch,
    installed,
    measure_in_subprocess,
    medians,
)


def problem(size: int):
    rng = np.random.default_rng(0)
    return rng.standard_normal(size), rng.standard_normal((size, size))


def tapegrad_seconds(size: int) -> tuple:
    import tapegrad as tg
    from tapegrad import func

    x, a = problem(size)
    matrix = tg.tensor(a)

    def f(v):
        return (v.tanh() * v).sum() + v @ matrix @ v / size

    start = time.perf_counter()
    func.hessian(f)(x)
    return (time.perf_counter() - start,)


def torch_seconds(size: int) -> tuple:
    torch = import_torch()
    x, a = problem(size)
    matrix, point = torch.tensor(a), torch.tensor(x)

    def f(v):
        return (v.tanh() * v).sum() + v @ matrix @ v / size

    start = time.perf_counter()
    torch.func.hessian(f)(point)
    return (time.perf_counter() - start,)


ENGINES = {"tapegrad": tapegrad_seconds, "torch": torch_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engine", choices=list(ENGINES), help="one engine, as JSON")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(medians(ENGINES[args.engine], args.repeats, args.size)))
        return
    engines = [e for e in ENGINES if e != "torch" or installed("torch")]
    options = ("--size", str(args.size), "--repeats", str(args.repeats))
    rows = [(e, measure_in_subprocess("benchmarks.hessian", e, *options)[0]) for e in engines]
    print(f"Hessian of a {args.size}-parameter function, float64 ({blas_environment()}; "
          f"median of {args.repeats})")
    for name, seconds in rows:
        print(f"{name:<10}{seconds * 1e3:>10.1f} ms{seconds / rows[0][1]:>8.2f} × tapegrad")


if __name__ == "__main__":
    main()
