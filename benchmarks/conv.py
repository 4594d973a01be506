"""Convolution and pooling, op by op: conv2d and max_pool2d on float32 images, forward and
forward + backward.

    python -m benchmarks.conv [--batch 64] [--repeats 7]

A: conv2d, batch 64, 3 -> 16 channels, 32x32, 3x3 kernel, padding 1, with bias; the input
   requires grad too, as in a middle layer, so backward computes dL/dx, dL/dw and dL/db.
B: max_pool2d, 2x2 window, stride 2, on a (64, 16, 32, 32) input (A's output shape).

Reports milliseconds per call for tapegrad and PyTorch (CPU, when installed), and each one's
ratio to tapegrad. There is no hand-written NumPy floor: tapegrad's ops are that NumPy code,
and its per-op overhead (W1) is microseconds against these milliseconds.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import tapegrad as tg
import tapegrad.nn.functional as F
from benchmarks.common import (
    blas_environment,
    import_torch,
    installed,
    measure_in_subprocess,
    medians,
)


def conv_layer(functional, x, w, b):
    """Workload A's forward, for either engine's functional module."""
    return functional.conv2d(x, w, b, padding=1)


def pool_layer(functional, x):
    """Workload B's forward, for either engine's functional module."""
    return functional.max_pool2d(x, 2, 2)


def timed(forward, upstream) -> tuple[float, float]:
    """One timed run: (forward seconds, forward + backward seconds); the graph is freed untimed."""
    start = time.perf_counter()
    out = forward()
    middle = time.perf_counter()
    out.backward(upstream)
    end = time.perf_counter()
    del out
    return middle - start, end - start


def workload_inputs(batch: int) -> dict:
    """The float32 arrays both engines start from, the same for every engine."""
    rng = np.random.default_rng(0)
    arrays = {
        "x": rng.standard_normal((batch, 3, 32, 32)),
        "w": rng.standard_normal((16, 3, 3, 3)) / np.sqrt(27),
        "b": rng.standard_normal(16),
        "conv_upstream": rng.standard_normal((batch, 16, 32, 32)),
        "pool_input": rng.standard_normal((batch, 16, 32, 32)),
        "pool_upstream": rng.standard_normal((batch, 16, 16, 16)),
    }
    return {name: array.astype(np.float32) for name, array in arrays.items()}


def engine_api(engine: str) -> tuple:
    """(functional module, array -> leaf that requires grad, array -> upstream gradient)."""
    if engine == "tapegrad":
        return F, lambda array: tg.tensor(array, requires_grad=True), np.asarray
    torch = import_torch()
    return (torch.nn.functional, lambda array: torch.tensor(array, requires_grad=True),
            torch.from_numpy)


def run_engine(engine: str, batch: int) -> list:
    """One timed run of ``engine``: conv forward, conv total, pool forward, pool total (s)."""
    functional, leaf, upstream = engine_api(engine)
    arrays = workload_inputs(batch)
    x, w, b, pool_input = (leaf(arrays[name]) for name in ("x", "w", "b", "pool_input"))
    conv = timed(lambda: conv_layer(functional, x, w, b), upstream(arrays["conv_upstream"]))
    pool = timed(lambda: pool_layer(functional, pool_input), upstream(arrays["pool_upstream"]))
    return [*conv, *pool]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--engine", choices=ENGINES, help="measure one engine, print JSON")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(medians(run_engine, args.repeats, args.engine, args.batch)))
        return

    names = {"tapegrad": "tapegrad", "torch": "PyTorch (CPU)"}
    engines = [e for e in ENGINES if e != "torch" or installed("torch")]
    options = ("--batch", str(args.batch), "--repeats", str(args.repeats))
    rows = [(names[e], measure_in_subprocess("benchmarks.conv", e, *options)) for e in engines]

    print(f"conv, pool: A = conv2d {args.batch}x3x32x32 -> 16 channels, 3x3, padding 1, bias; "
          f"B = max_pool2d 2x2 stride 2 on {args.batch}x16x32x32; float32")
    print(f"({blas_environment()}; median of {args.repeats}, one process per engine)")
    print(f"{'engine':<16}{'A fwd ms':>10}{'A fwd+bwd':>11}{'× tapegrad':>12}"
          f"{'B fwd ms':>10}{'B fwd+bwd':>11}{'× tapegrad':>12}")
    base = rows[0][1]
    for name, (conv_fwd, conv_total, pool_fwd, pool_total) in rows:
        print(f"{name:<16}{conv_fwd * 1e3:>10.2f}{conv_total * 1e3:>11.2f}"
              f"{conv_total / base[1]:>12.2f}{pool_fwd * 1e3:>10.2f}{pool_total * 1e3:>11.2f}"
              f"{pool_total / base[3]:>12.2f}")


ENGINES = ("tapegrad", "torch")

if __name__ == "__main__":
    main()
