"""W6: a Transformer encoder's training step: 2 layers, d_model 128, 4 heads, feed-forward
512, sequence 64, batch 32, float32: steps/s.

    python -m benchmarks.transformer [--steps 10] [--repeats 5]

Input (32, 64, 128), batch first, dropout 0 (the same arithmetic in every engine); the loss
is the mean squared output against a fixed target, then one SGD step. tapegrad and PyTorch
use their nn.TransformerEncoder, from the same weights (PyTorch's initial ones, copied).
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

TITLE = ("W6 Transformer encoder (2 layers, d_model 128, 4 heads, seq 64, batch 32), float32, "
         "MSE + SGD: steps/s")
OPTIONS = {"steps": 10}
QUICK = {"steps": 1}
WARMUP = True
FRESH_PROCESS = False
SINGLE_RUN = ()
BATCH, LENGTH, D_MODEL, HEADS, FEED_FORWARD, LAYERS = 32, 64, 128, 4, 512, 2
LR = 0.01


def initial_state() -> dict:
    """PyTorch's names and shapes, float32 values from a seeded generator, for every engine."""
    rng = np.random.default_rng(0)
    state = {}
    for layer in range(LAYERS):
        prefix = f"layers.{layer}."
        for name, shape in (("self_attn.in_proj_weight", (3 * D_MODEL, D_MODEL)),
                            ("self_attn.in_proj_bias", (3 * D_MODEL,)),
                            ("self_attn.out_proj.weight", (D_MODEL, D_MODEL)),
                            ("self_attn.out_proj.bias", (D_MODEL,)),
                            ("linear1.weight", (FEED_FORWARD, D_MODEL)),
                            ("linear1.bias", (FEED_FORWARD,)),
                            ("linear2.weight", (D_MODEL, FEED_FORWARD)),
                            ("linear2.bias", (D_MODEL,))):
            bound = 1 / np.sqrt(shape[-1])
            state[prefix + name] = rng.uniform(-bound, bound, shape).astype(np.float32)
        for norm in ("norm1", "norm2"):
            state[f"{prefix}{norm}.weight"] = np.ones(D_MODEL, np.float32)
            state[f"{prefix}{norm}.bias"] = np.zeros(D_MODEL, np.float32)
    return state


def batch_data():
    rng = np.random.default_rng(1)
    return (rng.standard_normal((BATCH, LENGTH, D_MODEL)).astype(np.float32),
            rng.standard_normal((BATCH, LENGTH, D_MODEL)).astype(np.float32))


def _layer_options() -> dict:
    return {"d_model": D_MODEL, "nhead": HEADS, "dim_feedforward": FEED_FORWARD,
            "dropout": 0.0, "batch_first": True}


def tapegrad_step_function():
    import tapegrad as tg
    from tapegrad import nn, optim

    model = nn.TransformerEncoder(nn.TransformerEncoderLayer(**_layer_options()), LAYERS)
    model.load_state_dict(initial_state())
    optimizer = optim.SGD(model.parameters(), lr=LR)
    x, target = (tg.tensor(value) for value in batch_data())

    def step():
        loss = nn.functional.mse_loss(model(x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def torch_step_function():
    torch = import_torch()
    model = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**_layer_options()),
                                        LAYERS, enable_nested_tensor=False)
    model.load_state_dict({name: torch.from_numpy(value)
                           for name, value in initial_state().items()})
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, target = (torch.from_numpy(value) for value in batch_data())

    def step():
        loss = torch.nn.functional.mse_loss(model(x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


STEP_FUNCTIONS = {"tapegrad": tapegrad_step_function, "torch": torch_step_function}

ENGINES = steps_per_second_engines(STEP_FUNCTIONS)
HEADERS = ["steps/s", "× tapegrad"]
cells = steps_per_second_cells


def targets(figures: dict, options: dict) -> list:
    """W6: at least 0.7× PyTorch's steps/s (issue 19)."""
    def speed(engine):
        return first_figure(figures, engine)

    return [ratio_target("tapegrad ≥ 0.7× PyTorch's steps/s", speed("tapegrad"),
                         speed("torch"), "PyTorch", at_least=0.7)]


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
