"""W2 under load: W2's step at batch 512, quiet and beside a CPU-bound neighbour, steps/s.

    python -m benchmarks.loaded [--steps 40] [--settle-ms 1500] [--repeats 5]

A machine is rarely idle: when another process keeps a core busy, BLAS threads that wait for
each other at the end of every product can wait for a partner the kernel has descheduled, and
a step can get ten times slower. Each timed run measures W2's step (``benchmarks.mlp``) at
batch 512 on the machine as it is, then again while a neighbour process (a pure-Python busy
loop, started and killed here) runs, and reports both and their ratio. Before each half, the
engine steps untimed for ``settle_ms`` milliseconds, so that a thread count that follows the
load has seen the change: the figures are steady speeds, not the first second. tapegrad runs
twice: with ``tg.threads.follow_load()`` ("tapegrad", the target's), and with its default,
the BLAS's own thread count ("tapegrad, default threads"; following the load is opt-in, since
it costs bitwise reproducibility). PyTorch, JAX (jit) and the NumPy floor run with their own
default thread settings.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import time

from benchmarks.common import cell, ratio_target, workload_main
from benchmarks.mlp import step_function

TITLE = "W2 under load: batch 512 steps/s, quiet and beside a busy neighbour process"
OPTIONS = {"steps": 40, "settle_ms": 1500}
QUICK = {"steps": 2, "settle_ms": 0}
WARMUP = False  # the untimed settling steps warm up (and JAX compiles in them)
FRESH_PROCESS = True  # one sample per process: the pairs of runs take seconds each
SINGLE_RUN = ()
BATCH = 512
NEIGHBOUR = [sys.executable, "-c", "while True: pass"]


def steps_per_second(step, steps: int, settle_ms: int) -> float:
    """Step untimed for ``settle_ms`` ms, then time ``steps`` steps."""
    settle_until = time.perf_counter() + settle_ms / 1000
    while time.perf_counter() < settle_until:
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def quiet_and_loaded(engine: str, steps: int, settle_ms: int) -> tuple:
    """One timed run: steps/s on the machine as it is, then beside a busy neighbour."""
    if engine == "tapegrad":
        import tapegrad as tg

        tg.threads.follow_load()  # off by default (runs would differ in the last bit)
    step = step_function("tapegrad" if engine == "tapegrad_default" else engine, BATCH)
    quiet = steps_per_second(step, steps, settle_ms)
    neighbour = subprocess.Popen(NEIGHBOUR)
    try:
        loaded = steps_per_second(step, steps, settle_ms)
    finally:
        neighbour.kill()
        neighbour.wait()
    return quiet, loaded


ENGINES = {engine: functools.partial(quiet_and_loaded, engine)
           for engine in ("tapegrad", "tapegrad_default", "torch", "jax_jit", "numpy")}
HEADERS = ["quiet steps/s", "loaded steps/s", "loaded ÷ quiet"]


def cells(figures: dict, engine: str, options: dict) -> list:
    """This engine's row: quiet and loaded steps per second, and what the neighbour left."""
    if isinstance(figures[engine], str):
        return [figures[engine], "", ""]
    quiet, loaded = figures[engine]
    return [cell(quiet, 0), cell(loaded, 0), cell(loaded / quiet)]


def targets(figures: dict, options: dict) -> list:
    """W2 under load: tapegrad, following the load, keeps at least half its quiet speed
    beside a busy neighbour; what its default thread count keeps is shown for reference."""
    def quiet_and_loaded_of(engine):
        values = figures.get(engine)
        return values if isinstance(values, list) else (None, None)

    quiet, loaded = quiet_and_loaded_of("tapegrad")
    default_quiet, default_loaded = quiet_and_loaded_of("tapegrad_default")
    return [
        ratio_target("tapegrad with follow_load() keeps ≥ 0.5× its quiet steps/s beside a busy "
                     "neighbour", loaded, quiet, "its quiet speed", at_least=0.5),
        ("for reference, not a target: tapegrad with its default thread count (the BLAS's own)",
         "n/a (not measured)" if default_quiet is None else
         f"keeps {default_loaded / default_quiet:.2f}× its quiet speed"),
    ]


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
