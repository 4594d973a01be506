"""Memory: the peak resident memory of W2's training step (MLP 784-256-256-10) at batch 512.

    python -m benchmarks.memory [--steps 20]

Each sample is a fresh process that imports its engine, builds W2's model and batch
(``benchmarks.mlp``), runs ``--steps`` training steps and reports its peak RSS, and how much of
it came after the setup (the RSS just before the first step): the graph, activations and
gradients of a step, on top of what the engine's import and the model hold.
"""

from __future__ import annotations

import sys

from benchmarks import mlp
from benchmarks.common import (
    cell,
    current_rss_bytes,
    peak_rss_bytes,
    ratio,
    ratio_target,
    workload_main,
)

TITLE = "Memory: peak RSS of W2's training step at batch 512, MB"
OPTIONS = {"steps": 20}
QUICK = {"steps": 1}
WARMUP = False
FRESH_PROCESS = True
SINGLE_RUN = ()
MEGABYTE = 2**20


def peak_memory(engine: str, steps: int) -> tuple:
    """(peak RSS, peak RSS - RSS after setup), in MB, of ``steps`` steps at batch 512."""
    step = mlp.STEP_FUNCTIONS[engine](512)
    before = current_rss_bytes()
    for _ in range(steps):
        step()
    peak = peak_rss_bytes()
    return peak / MEGABYTE, (peak - before) / MEGABYTE


ENGINES = {engine: (lambda steps, engine=engine: peak_memory(engine, steps))
           for engine in mlp.STEP_FUNCTIONS}
HEADERS = ["peak RSS MB", "× tapegrad", "above setup MB", "× tapegrad"]


def cells(figures: dict, engine: str, options: dict) -> list:
    """This engine's row: peak RSS and the part above setup, each with its ratio."""
    if isinstance(figures[engine], str):
        return [figures[engine], "", "", ""]
    base = figures.get("tapegrad")
    base = base if isinstance(base, list) else [None, None]
    peak, above = figures[engine]
    return [cell(peak, 0), cell(ratio(peak, base[0])), cell(above, 0),
            cell(ratio(above, base[1]))]


def targets(figures: dict, options: dict) -> list:
    """Memory: peak RSS at most 0.3× PyTorch's."""
    def peak(engine):
        values = figures.get(engine)
        return values[0] if isinstance(values, list) else None

    return [ratio_target("peak RSS ≤ 0.3× PyTorch's", peak("tapegrad"), peak("torch"),
                         "PyTorch", at_most=0.3)]


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
