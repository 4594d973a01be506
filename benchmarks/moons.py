"""W3: micrograd's demo. An MLP 2-16-16-1 on make_moons, SVM max-margin loss + L2, 100 steps.

    python -m benchmarks.moons [--steps 100] [--repeats 5]

As in micrograd's ``demo.ipynb``: ReLU hidden layers and a linear output, labels -1 and 1,
loss = mean(relu(1 - y * score)) + 1e-4 * sum(p * p) over every weight and bias, plain SGD on
the whole batch with learning rate 1.0 - 0.9 * k / 100 at step k. The 100 points are
``make_moons(100, noise=0.1, random_state=0)``; every engine starts from the same float64
weights (uniform in [-1, 1], biases 0, as micrograd draws them); JAX runs in float64 too
(``jax_enable_x64``). Reports seconds for the whole run and the last step's loss, which every
engine should agree on. micrograd takes
minutes: the runner times it once (no warmup, no repeats) and says so.
"""

from __future__ import annotations

import functools
import sys
import time

import numpy as np

from benchmarks.common import cell, import_torch, ratio, ratio_target, workload_main
from benchmarks.overhead import import_jax

TITLE = "W3 micrograd's demo: MLP 2-16-16-1 on make_moons(100), SVM loss + L2, SGD: seconds"
OPTIONS = {"steps": 100}
QUICK = {"steps": 3}
WARMUP = True
FRESH_PROCESS = False
SINGLE_RUN = ("micrograd",)
SIZES = (2, 16, 16, 1)
ALPHA = 1e-4


def learning_rate(step: int) -> float:
    """The demo's schedule, written for its 100 steps."""
    return 1.0 - 0.9 * step / 100


def problem() -> tuple:
    """(points (100, 2), labels -1/1 (100, 1), [w1, b1, w2, b2, w3, b3]), all float64."""
    from sklearn.datasets import make_moons

    points, labels = make_moons(n_samples=100, noise=0.1, random_state=0)
    rng = np.random.default_rng(1337)
    weights = []
    for fan_in, fan_out in zip(SIZES, SIZES[1:]):
        weights += [rng.uniform(-1, 1, (fan_out, fan_in)), np.zeros(fan_out)]
    return points, (2.0 * labels - 1).reshape(-1, 1), weights


def tapegrad_seconds(steps: int) -> tuple:
    import tapegrad as tg
    from tapegrad import nn, optim

    points, labels, weights = problem()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 1))
    for parameter, value in zip(model.parameters(), weights):
        parameter.data = value.copy()  # float64, like micrograd's Python floats
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    x = tg.tensor(points)
    start = time.perf_counter()
    for step in range(steps):
        scores = model(x)
        loss = (1 - labels * scores).relu().mean()
        loss = loss + ALPHA * sum((p * p).sum() for p in model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.param_groups[0]["lr"] = learning_rate(step)
        optimizer.step()
    return time.perf_counter() - start, loss.item()


def torch_seconds(steps: int) -> tuple:
    torch = import_torch()
    points, labels, weights = problem()
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16),
                                torch.nn.ReLU(), torch.nn.Linear(16, 1)).double()
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), weights):
            parameter.copy_(torch.from_numpy(value))
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    x, labels = torch.from_numpy(points), torch.from_numpy(labels)
    start = time.perf_counter()
    for step in range(steps):
        scores = model(x)
        loss = (1 - labels * scores).relu().mean()
        loss = loss + ALPHA * sum((p * p).sum() for p in model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.param_groups[0]["lr"] = learning_rate(step)
        optimizer.step()
    return time.perf_counter() - start, loss.item()


def mygrad_seconds(steps: int) -> tuple:
    import mygrad as mg
    from mygrad.nnet.activations import relu

    x, labels, weights = problem()
    parameters = [mg.tensor(value) for value in weights]
    start = time.perf_counter()
    for step in range(steps):
        w1, b1, w2, b2, w3, b3 = parameters
        scores = relu(relu(x @ w1.T + b1) @ w2.T + b2) @ w3.T + b3
        loss = mg.mean(relu(1 - labels * scores))
        loss = loss + ALPHA * sum(mg.sum(p * p) for p in parameters)
        loss.backward()  # sets, rather than adds to, every .grad
        for parameter in parameters:
            parameter.data -= learning_rate(step) * parameter.grad
    return time.perf_counter() - start, loss.item()


def autograd_seconds(steps: int) -> tuple:
    import autograd.numpy as anp
    from autograd import value_and_grad

    x, labels, parameters = problem()

    def total_loss(parameters):
        w1, b1, w2, b2, w3, b3 = parameters
        hidden = anp.maximum(anp.maximum(x @ w1.T + b1, 0) @ w2.T + b2, 0)
        scores = hidden @ w3.T + b3
        loss = anp.mean(anp.maximum(1 - labels * scores, 0))
        return loss + ALPHA * sum(anp.sum(p * p) for p in parameters)

    loss_and_gradient = value_and_grad(total_loss)
    start = time.perf_counter()
    for step in range(steps):
        loss, gradient = loss_and_gradient(parameters)
        for parameter, grad_parameter in zip(parameters, gradient):
            parameter -= learning_rate(step) * grad_parameter
    return time.perf_counter() - start, float(loss)


def jax_seconds(steps: int, jit: bool = True) -> tuple:
    """JAX: ``jax.value_and_grad`` of the same loss and the SGD update, compiled as one
    function (``jit``, compiled in the untimed warmup run) or op by op."""
    import jax.numpy as jnp

    x, labels, weights = problem()
    x, labels = jnp.asarray(x), jnp.asarray(labels)
    parameters = [jnp.asarray(value) for value in weights]
    update = _jax_update(jit)
    start = time.perf_counter()
    for step in range(steps):
        parameters, loss = update(parameters, x, labels, learning_rate(step))
    loss = float(loss)  # waits for the last step
    return time.perf_counter() - start, loss


@functools.cache
def _jax_update(jit: bool):
    jax, jnp = import_jax()

    def total_loss(parameters, x, labels):
        w1, b1, w2, b2, w3, b3 = parameters
        hidden = jax.nn.relu(jax.nn.relu(x @ w1.T + b1) @ w2.T + b2)
        loss = jnp.mean(jax.nn.relu(1 - labels * (hidden @ w3.T + b3)))
        return loss + ALPHA * sum(jnp.sum(p * p) for p in parameters)

    def update(parameters, x, labels, rate):
        loss, gradient = jax.value_and_grad(total_loss)(parameters, x, labels)
        return [p - rate * g for p, g in zip(parameters, gradient)], loss

    return jax.jit(update) if jit else update


def micrograd_seconds(steps: int) -> tuple:
    """The demo notebook's loop, as it is written there."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    points, labels, weights = problem()
    model = MLP(2, [16, 16, 1])
    for layer, (weight, bias) in zip(model.layers, zip(weights[::2], weights[1::2])):
        for neuron, row, value in zip(layer.neurons, weight, bias):
            for w, w_value in zip(neuron.w, row):
                w.data = float(w_value)
            neuron.b.data = float(value)
    start = time.perf_counter()
    for step in range(steps):
        inputs = [list(map(Value, row)) for row in points.tolist()]
        scores = list(map(model, inputs))
        losses = [(1 + -label * score).relu()
                  for label, score in zip(labels[:, 0].tolist(), scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        loss = data_loss + ALPHA * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= learning_rate(step) * p.grad
    return time.perf_counter() - start, loss.data


def numpy_seconds(steps: int) -> tuple:
    """The floor: forward and backward by hand."""
    x, labels, parameters = problem()
    w1, b1, w2, b2, w3, b3 = parameters
    start = time.perf_counter()
    for step in range(steps):
        h1 = np.maximum(x @ w1.T + b1, 0)
        h2 = np.maximum(h1 @ w2.T + b2, 0)
        margins = 1 - labels * (h2 @ w3.T + b3)
        loss = np.maximum(margins, 0).mean() + ALPHA * sum((p * p).sum() for p in parameters)
        grad_scores = -labels * (margins > 0) / len(x)
        grad_h2 = (grad_scores @ w3) * (h2 > 0)
        grad_h1 = (grad_h2 @ w2) * (h1 > 0)
        rate = learning_rate(step)
        for weight, bias, grad, inputs in ((w3, b3, grad_scores, h2), (w2, b2, grad_h2, h1),
                                           (w1, b1, grad_h1, x)):
            weight -= rate * (grad.T @ inputs + 2 * ALPHA * weight)
            bias -= rate * (grad.sum(axis=0) + 2 * ALPHA * bias)
    return time.perf_counter() - start, float(loss)


ENGINES = {"tapegrad": tapegrad_seconds, "torch": torch_seconds,
           "jax_jit": jax_seconds, "jax_eager": functools.partial(jax_seconds, jit=False),
           "autograd": autograd_seconds, "mygrad": mygrad_seconds,
           "micrograd": micrograd_seconds, "numpy": numpy_seconds}
HEADERS = ["seconds", "× tapegrad", "last loss"]


def cells(figures: dict, engine: str, options: dict) -> list:
    """This engine's row: seconds, the ratio to tapegrad's, and the last step's loss."""
    if isinstance(figures[engine], str):
        return [figures[engine], "", ""]
    seconds, loss = figures[engine]
    base = figures.get("tapegrad")
    label = " (1 run)" if engine in SINGLE_RUN else ""
    return [cell(seconds, 4) + label, cell(ratio(seconds, base[0] if base else None)),
            f"{loss:.6f}"]


def targets(figures: dict, options: dict) -> list:
    """W3: at most 0.7× PyTorch's time; micrograd's, for reference."""
    def seconds(engine):
        values = figures.get(engine)
        return values[0] if isinstance(values, list) else None

    speedup = ratio(seconds("micrograd"), seconds("tapegrad"))
    return [ratio_target("tapegrad's time ≤ 0.7× PyTorch's", seconds("tapegrad"),
                         seconds("torch"), "PyTorch", at_most=0.7),
            ("for reference, not a target: micrograd",
             "n/a (micrograd not measured)" if speedup is None else
             f"micrograd takes {speedup:,.0f}× tapegrad's time")]


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
