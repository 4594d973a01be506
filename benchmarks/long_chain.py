"""W4: a long scalar chain. 10^6 ops of add/mul/tanh on a 0-d tensor: seconds and memory.

    python -m benchmarks.long_chain [--ops 1000000] [--repeats 1]

The chain of W1 (``benchmarks.overhead``), a hundred times longer: it must complete, and its
recorded graph must fit in memory. Each sample runs in a fresh process, which reports the
forward + backward seconds and bytes per op: (peak RSS - RSS before the chain) / ops, the
graph's cost at its largest. micrograd runs as it ships: its recursive topological sort raises
RecursionError on a chain this long, and the table says so. HIPS autograd and MyGrad take tens
of seconds here (their per-op cost is W1's), so the runner times them once.
"""

from __future__ import annotations

import sys
import time

from benchmarks import overhead
from benchmarks.common import (
    cell,
    current_rss_bytes,
    import_torch,
    peak_rss_bytes,
    ratio,
    ratio_target,
    workload_main,
)

TITLE = "W4 a long chain of add/mul/tanh on a 0-d float64 tensor: seconds and bytes per op"
OPTIONS = {"ops": 1_000_000}
QUICK = {"ops": 1_000}
WARMUP = False
FRESH_PROCESS = True
SINGLE_RUN = ("autograd", "mygrad")


def measured(run, ops: int) -> tuple:
    """(seconds, bytes per op) of ``run()``, which builds the chain, runs its backward and
    returns what holds the graph, so that freeing it is not timed (as in W1)."""
    before = current_rss_bytes()
    start = time.perf_counter()
    graph = run()
    seconds = time.perf_counter() - start
    per_op = (peak_rss_bytes() - before) / ops
    del graph
    return seconds, per_op


def backward_of_chain(a, b, ops: int, tanh):
    """Build the chain from leaves a, b and run its backward; return its root."""
    root = overhead.chain(a, a, b, ops, tanh)
    root.backward()
    return root


def tapegrad_run(ops: int) -> tuple:
    import tapegrad as tg

    a = tg.tensor(0.5, dtype=tg.float64, requires_grad=True)  # float64, as every engine's
    b = tg.tensor(0.9, dtype=tg.float64, requires_grad=True)
    return measured(lambda: backward_of_chain(a, b, ops, tg.Tensor.tanh), ops)


def torch_run(ops: int) -> tuple:
    torch = import_torch()
    a = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.9, dtype=torch.float64, requires_grad=True)
    return measured(lambda: backward_of_chain(a, b, ops, torch.tanh), ops)


def mygrad_run(ops: int) -> tuple:
    import mygrad as mg

    a, b = mg.tensor(0.5), mg.tensor(0.9)
    return measured(lambda: backward_of_chain(a, b, ops, mg.tanh), ops)


def micrograd_run(ops: int) -> tuple:
    """micrograd with Python's default recursion limit, as a user would meet it."""
    from micrograd.engine import Value

    a, b = Value(0.5), Value(0.9)
    return measured(lambda: backward_of_chain(a, b, ops, overhead.micrograd_tanh), ops)


def autograd_run(ops: int) -> tuple:
    import autograd.numpy as anp
    from autograd import make_vjp

    def f(a, b):
        return overhead.chain(a, a, b, ops, anp.tanh)

    def run():
        vjp, _ = make_vjp(f, argnum=(0, 1))(0.5, 0.9)
        vjp(1.0)
        return vjp

    return measured(run, ops)


def numpy_run(ops: int) -> tuple:
    """The floor: W1's hand-written chain, which keeps 2 of every 3 results for backward."""
    return measured(lambda: overhead.numpy_seconds(ops), ops)


ENGINES = {"tapegrad": tapegrad_run, "torch": torch_run, "autograd": autograd_run,
           "mygrad": mygrad_run, "micrograd": micrograd_run, "numpy": numpy_run}
HEADERS = ["seconds", "× tapegrad", "bytes/op", "× tapegrad"]


def cells(figures: dict, engine: str, options: dict) -> list:
    """This engine's row: seconds and bytes per op, each with its ratio to tapegrad's."""
    if isinstance(figures[engine], str):
        return [f"{figures[engine]} at {options['ops']:,} ops", "", "", ""]
    seconds, per_op = figures[engine]
    base = figures.get("tapegrad")
    base = base if isinstance(base, list) else [None, None]
    label = " (1 run)" if engine in SINGLE_RUN else ""
    return [cell(seconds) + label, cell(ratio(seconds, base[0])), cell(per_op, 0),
            cell(ratio(per_op, base[1]))]


def targets(figures: dict, options: dict) -> list:
    """W4: completes, in at most half PyTorch's time and 0.3× its bytes per op."""
    tapegrad = figures.get("tapegrad")
    torch = figures.get("torch")
    done = isinstance(tapegrad, list)
    torch = torch if isinstance(torch, list) else [None, None]
    tapegrad = tapegrad if done else [None, None]
    return [(f"the {options['ops']:,}-op chain completes",
             "met" if done else f"NOT met ({figures.get('tapegrad')})"),
            ratio_target("bytes/op ≤ 0.3× PyTorch's", tapegrad[1], torch[1], "PyTorch",
                         at_most=0.3),
            ratio_target("time ≤ 0.5× PyTorch's", tapegrad[0], torch[0], "PyTorch",
                         at_most=0.5)]


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
