"""W2: an MLP's training step. 784-256-256-10, ReLU, float32, cross-entropy, one SGD step.

    python -m benchmarks.mlp [--steps 50] [--repeats 5]

Reports steps per second at batch 64 and 512 for tapegrad and every installed peer (PyTorch
CPU, JAX jit and eager, HIPS autograd, MyGrad; micrograd works on scalars only) and a
hand-written NumPy forward/backward (the floor), each in a process of its own; ratios are to
tapegrad (above 1: faster than tapegrad). GFLOP/s counts the step's matrix products (forward,
weight gradients, and the input gradients of the second and third layers): compare it with
the GEMM peak of ``benchmarks.gemm``. ``benchmarks.memory`` measures the same step's peak
memory.
"""

from __future__ import annotations

import functools
import sys
import time

import numpy as np

from benchmarks.common import (
    cell,
    import_torch,
    jax_sgd_step,
    ratio,
    ratio_target,
    workload_main,
)

TITLE = "W2 MLP 784-256-256-10, float32, cross-entropy + SGD step: steps per second"
OPTIONS = {"steps": 50}
QUICK = {"steps": 2}
WARMUP = True
FRESH_PROCESS = False
SINGLE_RUN = ()
SIZES = (784, 256, 256, 10)
LR = 0.01
BATCHES = (64, 512)


def initial_weights(sizes: tuple = SIZES) -> list:
    """The same float32 weights and biases for every engine."""
    rng = np.random.default_rng(0)
    weights = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return weights


def batch_data(batch: int, sizes: tuple = SIZES):
    rng = np.random.default_rng(1)
    return (rng.standard_normal((batch, sizes[0])).astype(np.float32),
            rng.integers(0, sizes[-1], batch))


def tapegrad_step_function(batch: int, sizes: tuple = SIZES):
    import tapegrad as tg
    from tapegrad import nn, optim

    model = nn.Sequential(nn.Linear(*sizes[:2]), nn.ReLU(), nn.Linear(*sizes[1:3]), nn.ReLU(),
                          nn.Linear(*sizes[2:]))
    for parameter, value in zip(model.parameters(), initial_weights(sizes)):
        parameter.data[...] = value
    optimizer = optim.SGD(model.parameters(), lr=LR)
    x, y = batch_data(batch, sizes)
    x = tg.tensor(x)

    def step():
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def torch_step_function(batch: int, sizes: tuple = SIZES):
    torch = import_torch()
    model = torch.nn.Sequential(torch.nn.Linear(*sizes[:2]), torch.nn.ReLU(),
                                torch.nn.Linear(*sizes[1:3]), torch.nn.ReLU(),
                                torch.nn.Linear(*sizes[2:]))
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), initial_weights(sizes)):
            parameter.copy_(torch.from_numpy(value))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = batch_data(batch, sizes)
    x, y = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def jax_step_function(batch: int, sizes: tuple = SIZES, jit: bool = True):
    """JAX: the loss's gradient by ``jax.value_and_grad`` and the SGD update, as one compiled
    function (``jit``) or op by op (eager); each step waits for its result."""
    import jax
    import jax.numpy as jnp

    parameters = [jnp.asarray(value) for value in initial_weights(sizes)]
    x, y = batch_data(batch, sizes)
    x, y = jnp.asarray(x), jnp.asarray(y)

    def loss(parameters):
        w1, b1, w2, b2, w3, b3 = parameters
        h1 = jax.nn.relu(x @ w1.T + b1)
        h2 = jax.nn.relu(h1 @ w2.T + b2)
        logits = h2 @ w3.T + b3
        picked = jnp.take_along_axis(logits, y[:, None], axis=1)[:, 0]
        return jnp.mean(jax.nn.logsumexp(logits, axis=1) - picked)

    return jax_sgd_step(loss, parameters, LR, jit)


def autograd_step_function(batch: int, sizes: tuple = SIZES):
    import autograd.numpy as anp
    from autograd import grad
    from autograd.scipy.special import logsumexp

    parameters = initial_weights(sizes)
    x, y = batch_data(batch, sizes)
    rows = np.arange(batch)

    def loss(parameters):
        w1, b1, w2, b2, w3, b3 = parameters
        h1 = anp.maximum(x @ w1.T + b1, 0)
        h2 = anp.maximum(h1 @ w2.T + b2, 0)
        logits = h2 @ w3.T + b3
        return anp.mean(logsumexp(logits, axis=1) - logits[rows, y])

    gradient = grad(loss)

    def step():
        for parameter, grad_parameter in zip(parameters, gradient(parameters)):
            parameter -= LR * grad_parameter

    return step


def mygrad_step_function(batch: int, sizes: tuple = SIZES):
    import mygrad as mg
    from mygrad.nnet.activations import relu
    from mygrad.nnet.losses import softmax_crossentropy

    parameters = [mg.tensor(value) for value in initial_weights(sizes)]
    x, y = batch_data(batch, sizes)

    def step():
        w1, b1, w2, b2, w3, b3 = parameters
        h1 = relu(x @ w1.T + b1)
        h2 = relu(h1 @ w2.T + b2)
        loss = softmax_crossentropy(h2 @ w3.T + b3, y)
        loss.backward()  # sets, rather than adds to, every .grad
        for parameter in parameters:
            parameter.data -= LR * parameter.grad

    return step


def numpy_step_function(batch: int, sizes: tuple = SIZES):
    """The floor: the same step written by hand, with no graph and no framework."""
    w1, b1, w2, b2, w3, b3 = initial_weights(sizes)
    x, y = batch_data(batch, sizes)
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
                  "jax_jit": jax_step_function,
                  "jax_eager": functools.partial(jax_step_function, jit=False),
                  "autograd": autograd_step_function, "mygrad": mygrad_step_function,
                  "numpy": numpy_step_function}


@functools.cache
def step_function(engine: str, batch: int):
    """One model and batch per engine and size, kept for every repeat in the process."""
    return STEP_FUNCTIONS[engine](batch)


def steps_per_second(engine: str, steps: int) -> tuple:
    """One timed run: steps per second at batch 64, then at batch 512."""
    figures = []
    for batch in BATCHES:
        step = step_function(engine, batch)
        start = time.perf_counter()
        for _ in range(steps):
            step()
        figures.append(steps / (time.perf_counter() - start))
    return tuple(figures)


ENGINES = {engine: functools.partial(steps_per_second, engine) for engine in STEP_FUNCTIONS}
HEADERS = [text for batch in BATCHES
           for text in (f"batch {batch} steps/s", "× tapegrad", f"batch {batch} GFLOP/s")]


def step_flops(batch: int, sizes: tuple = SIZES) -> int:
    """The floating-point operations of one step's matrix products (2 per multiply-add): each
    layer's forward and weight gradient, and the input gradient of every layer but the first
    (the batch needs none).

    >>> step_flops(1, (2, 3, 4))  # 2 × (2 × (2·3 + 3·4) + 3·4)
    96
    """
    products = [fan_in * fan_out for fan_in, fan_out in zip(sizes, sizes[1:])]
    return 2 * batch * (2 * sum(products) + sum(products[1:]))


def cells(figures: dict, engine: str, options: dict) -> list:
    """This engine's row at each batch size: steps per second, the ratio to tapegrad, and the
    GFLOP/s its matrix products reach at that speed."""
    if isinstance(figures[engine], str):
        return [figures[engine]] + [""] * (len(HEADERS) - 1)
    base = figures.get("tapegrad")
    row = []
    for column, (value, batch) in enumerate(zip(figures[engine], BATCHES)):
        row += [cell(value, 0), cell(ratio(value, base[column] if base else None)),
                cell(value * step_flops(batch) / 1e9, 1)]
    return row


def targets(figures: dict, options: dict) -> list:
    """W2: PyTorch's speed at batch 64 and at batch 512; the NumPy floor's, for reference."""
    def figure(engine, column):
        values = figures.get(engine)
        return values[column] if isinstance(values, list) else None

    rows = [ratio_target(f"batch {batch}: tapegrad ≥ 1.0× PyTorch's steps/s",
                         figure("tapegrad", column), figure("torch", column), "PyTorch",
                         at_least=1.0)
            for column, batch in enumerate(BATCHES)]
    text, verdict = ratio_target("", figure("tapegrad", 1), figure("numpy", 1), "the floor",
                                 at_least=1.0)
    rows.append(("for reference, not a target: batch 512 against the NumPy floor",
                 verdict.replace("NOT met", "below").replace("met", "at or above")))
    return rows


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
