"""W7: an LSTM's training step: 1 layer, hidden 256, 64 steps, batch 32, float32: steps/s.

    python -m benchmarks.lstm [--steps 10] [--repeats 5]

Input (64, 32, 128), time first; the loss is the mean squared output against a fixed target,
then one SGD step. tapegrad and PyTorch use their nn.LSTM, from the same weights. tapegrad
runs each layer as one fused op (a loop over time forward, backpropagation through time
backward); PyTorch CPU runs its own fused LSTM kernels.
"""

from __future__ import annotations

import functools
import sys
import time

import numpy as np

from benchmarks.common import cell, import_torch, ratio, ratio_target, workload_main

TITLE = "W7 LSTM (1 layer, hidden 256, 64 steps, batch 32), float32, MSE + SGD: steps/s"
OPTIONS = {"steps": 10}
QUICK = {"steps": 1}
WARMUP = True
FRESH_PROCESS = False
SINGLE_RUN = ()
STEPS, BATCH, FEATURES, HIDDEN = 64, 32, 128, 256
LR = 0.01


def initial_state() -> dict:
    """PyTorch's parameter names and shapes, with the same float32 values for every engine."""
    rng = np.random.default_rng(0)
    bound = 1 / np.sqrt(HIDDEN)
    shapes = {"weight_ih_l0": (4 * HIDDEN, FEATURES), "weight_hh_l0": (4 * HIDDEN, HIDDEN),
              "bias_ih_l0": (4 * HIDDEN,), "bias_hh_l0": (4 * HIDDEN,)}
    return {name: rng.uniform(-bound, bound, shape).astype(np.float32)
            for name, shape in shapes.items()}


def batch_data():
    rng = np.random.default_rng(1)
    return (rng.standard_normal((STEPS, BATCH, FEATURES)).astype(np.float32),
            rng.standard_normal((STEPS, BATCH, HIDDEN)).astype(np.float32))


def tapegrad_step_function():
    import tapegrad as tg
    from tapegrad import nn, optim

    model = nn.LSTM(FEATURES, HIDDEN)
    model.load_state_dict(initial_state())
    optimizer = optim.SGD(model.parameters(), lr=LR)
    x, target = (tg.tensor(value) for value in batch_data())

    def step():
        output, _ = model(x)
        loss = nn.functional.mse_loss(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def torch_step_function():
    torch = import_torch()
    model = torch.nn.LSTM(FEATURES, HIDDEN)
    model.load_state_dict({name: torch.from_numpy(value)
                           for name, value in initial_state().items()})
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, target = (torch.from_numpy(value) for value in batch_data())

    def step():
        output, _ = model(x)
        loss = torch.nn.functional.mse_loss(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


STEP_FUNCTIONS = {"tapegrad": tapegrad_step_function, "torch": torch_step_function}


@functools.cache
def step_function(engine: str):
    """One model per engine, kept for every repeat in the process."""
    return STEP_FUNCTIONS[engine]()


def steps_per_second(engine: str, steps: int) -> tuple:
    """One timed run: ``steps`` training steps, as steps per second."""
    step = step_function(engine)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (steps / (time.perf_counter() - start),)


ENGINES = {engine: functools.partial(steps_per_second, engine) for engine in STEP_FUNCTIONS}
HEADERS = ["steps/s", "× tapegrad"]


def cells(figures: dict, engine: str, options: dict) -> list:
    """This engine's row: steps per second and the ratio to tapegrad's."""
    if isinstance(figures[engine], str):
        return [figures[engine], ""]
    base = figures.get("tapegrad")
    return [cell(figures[engine][0], 1), cell(ratio(figures[engine][0], base and base[0]))]


def targets(figures: dict, options: dict) -> list:
    """W7: at least half PyTorch's steps/s (issue 16)."""
    def speed(engine):
        values = figures.get(engine)
        return values[0] if isinstance(values, list) else None

    return [ratio_target("tapegrad ≥ 0.5× PyTorch's steps/s", speed("tapegrad"),
                         speed("torch"), "PyTorch", at_least=0.5)]


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
