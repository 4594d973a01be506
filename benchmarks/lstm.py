"""W7: an LSTM's training step: 1 layer, hidden 256, 64 steps, batch 32, float32: steps/s.

    python -m benchmarks.lstm [--steps 10] [--repeats 5]

Input (64, 32, 128), time first; the loss is the mean squared output against a fixed target,
then one SGD step. tapegrad and PyTorch use their nn.LSTM, from the same weights. tapegrad
runs each layer as one fused op (a loop over time forward, backpropagation through time
backward); PyTorch CPU runs its own fused LSTM kernels.
"""

from __future__ import annotations

import sys

import numpy as np

from benchmarks.common import (
    first_figure,
    import_torch,
    ratio_target,
    steps_per_second_cells,
    steps_per_second_engines,
    workload_main,
)

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

ENGINES = steps_per_second_engines(STEP_FUNCTIONS)
HEADERS = ["steps/s", "× tapegrad"]
cells = steps_per_second_cells


def targets(figures: dict, options: dict) -> list:
    """W7: at least half PyTorch's steps/s (issues 16 and 19)."""
    def speed(engine):
        return first_figure(figures, engine)

    return [ratio_target("tapegrad ≥ 0.5× PyTorch's steps/s", speed("tapegrad"),
                         speed("torch"), "PyTorch", at_least=0.5)]


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
