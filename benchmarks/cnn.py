"""W5: a small CNN's training step on 28x28 images, batch 64, float32: steps per second.

    python -m benchmarks.cnn [--steps 20] [--repeats 5]

conv 1->8 3x3, ReLU, max-pool 2, conv 8->16 3x3, ReLU, max-pool 2, flatten, linear 400->10
(no padding: 28 -> 26 -> 13 -> 11 -> 5), cross-entropy, one SGD step. Every engine starts
from the same weights. tapegrad and PyTorch use their nn modules; MyGrad its conv_nd and
max_pool (which needs the 11x11 map cropped to 10x10, as the others' pooling drops the last
row and column); HIPS autograd has no conv, so it gets one written as nine shifted products;
the NumPy floor is im2col forward and backward by hand; JAX uses ``lax.conv_general_dilated``
and ``lax.reduce_window``, jitted or op by op. micrograd works on scalars only.
"""

from __future__ import annotations

import functools
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from benchmarks.common import (
    first_figure,
    import_torch,
    jax_sgd_step,
    ratio_target,
    steps_per_second_cells,
    steps_per_second_engines,
    workload_main,
)

TITLE = "W5 CNN (conv 8, pool, conv 16, pool, linear) on 28x28, batch 64, float32: steps/s"
OPTIONS = {"steps": 20}
QUICK = {"steps": 1}
WARMUP = True
FRESH_PROCESS = False
SINGLE_RUN = ()
BATCH = 64
LR = 0.01


def initial_weights() -> list:
    """[conv1 w, b, conv2 w, b, linear w, b] in PyTorch's shapes, the same for every engine."""
    rng = np.random.default_rng(0)
    weights = []
    for shape in ((8, 1, 3, 3), (16, 8, 3, 3), (10, 400)):
        bound = 1 / np.sqrt(np.prod(shape[1:]))
        weights.append(rng.uniform(-bound, bound, shape).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, shape[0]).astype(np.float32))
    return weights


def batch_data():
    rng = np.random.default_rng(1)
    return (rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32),
            rng.integers(0, 10, BATCH))


def tapegrad_step_function():
    import tapegrad as tg
    from tapegrad import nn, optim

    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 10))
    for parameter, value in zip(model.parameters(), initial_weights()):
        parameter.data[...] = value
    optimizer = optim.SGD(model.parameters(), lr=LR)
    x, y = batch_data()
    x = tg.tensor(x)

    def step():
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def torch_step_function():
    torch = import_torch()
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 10))
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), initial_weights()):
            parameter.copy_(torch.from_numpy(value))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = (torch.from_numpy(array) for array in batch_data())

    def step():
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def mygrad_step_function():
    import mygrad as mg
    from mygrad.nnet.activations import relu
    from mygrad.nnet.layers import conv_nd, max_pool
    from mygrad.nnet.losses import softmax_crossentropy

    parameters = [mg.tensor(value) for value in initial_weights()]
    x, y = batch_data()

    def step():
        w1, b1, w2, b2, w3, b3 = parameters
        h = max_pool(relu(conv_nd(x, w1, stride=1) + b1[:, None, None]), (2, 2), 2)
        h = relu(conv_nd(h, w2, stride=1) + b2[:, None, None])
        h = max_pool(h[:, :, :10, :10], (2, 2), 2)
        loss = softmax_crossentropy(h.reshape(BATCH, 400) @ w3.T + b3, y)
        loss.backward()  # sets, rather than adds to, every .grad
        for parameter in parameters:
            parameter.data -= LR * parameter.grad

    return step


def autograd_step_function():
    import autograd.numpy as anp
    from autograd import grad
    from autograd.scipy.special import logsumexp

    parameters = initial_weights()
    x, y = batch_data()
    rows = np.arange(BATCH)

    def conv(x, w, b):
        """3x3 'valid' cross-correlation: the sum of nine shifted 1x1 convolutions."""
        height, width = x.shape[2] - 2, x.shape[3] - 2
        out = sum(anp.einsum("nchw,oc->nohw", x[:, :, i:i + height, j:j + width], w[:, :, i, j])
                  for i in range(3) for j in range(3))
        return out + b[:, None, None]

    def pool(x):
        """2x2 max-pool, stride 2: the larger of four strided slices."""
        return functools.reduce(anp.maximum, pool_corners(x))

    def loss(parameters):
        w1, b1, w2, b2, w3, b3 = parameters
        h = pool(anp.maximum(conv(x, w1, b1), 0))
        h = pool(anp.maximum(conv(h, w2, b2), 0))
        logits = anp.reshape(h, (BATCH, 400)) @ w3.T + b3
        return anp.mean(logsumexp(logits, axis=1) - logits[rows, y])

    gradient = grad(loss)

    def step():
        for parameter, grad_parameter in zip(parameters, gradient(parameters)):
            parameter -= LR * grad_parameter

    return step


def numpy_step_function():
    """The floor: im2col convolution and block max-pooling, forward and backward by hand."""
    w1, b1, w2, b2, w3, b3 = initial_weights()
    x, y = batch_data()
    rows = np.arange(BATCH)

    def conv(x, w, b):
        """(output, columns): the 3x3 windows as columns of one (C*9, N*H'*W') matrix."""
        n, height, width = x.shape[0], x.shape[2] - 2, x.shape[3] - 2
        windows = sliding_window_view(x, (3, 3), axis=(2, 3))  # (N, C, H', W', 3, 3)
        columns = windows.transpose(1, 4, 5, 0, 2, 3).reshape(w[0].size, -1)
        out = (w.reshape(len(w), -1) @ columns).reshape(len(w), n, height, width)
        return out.transpose(1, 0, 2, 3) + b[:, None, None], columns

    def conv_backward(grad, columns, w, input_shape=None):
        """(dL/dw, dL/db, dL/dx or None); dL/dx adds each kernel offset's share back."""
        grad_rows = grad.transpose(1, 0, 2, 3).reshape(len(w), -1)  # (O, N*H'*W')
        grad_w = (grad_rows @ columns.T).reshape(w.shape)
        grad_x = None
        if input_shape is not None:
            n, channels, height, width = grad.shape[0], w.shape[1], *grad.shape[2:]
            grad_columns = (w.reshape(len(w), -1).T @ grad_rows).reshape(
                channels, 3, 3, n, height, width)
            grad_x = np.zeros(input_shape, grad.dtype)
            for i in range(3):
                for j in range(3):
                    grad_x[:, :, i:i + height, j:j + width] += (
                        grad_columns[:, i, j].transpose(1, 0, 2, 3))
        return grad_w, grad.sum(axis=(0, 2, 3)), grad_x

    def pool(x):
        """2x2 max-pool, stride 2: the larger of four strided slices, and those slices."""
        corners = pool_corners(x)
        return functools.reduce(np.maximum, corners), corners

    def pool_backward(grad, out, corners, input_shape):
        # ties all get the gradient; they only arise among ReLU's zeros, which drop it
        grad_x = np.zeros(input_shape, grad.dtype)
        for corner, into in zip(corners, pool_corners(grad_x)):
            into[...] = grad * (corner == out)
        return grad_x

    def step():
        a1, columns1 = conv(x, w1, b1)
        h1 = np.maximum(a1, 0)
        p1, corners1 = pool(h1)
        a2, columns2 = conv(p1, w2, b2)
        h2 = np.maximum(a2, 0)
        p2, corners2 = pool(h2)
        flat = p2.reshape(BATCH, 400)
        logits = flat @ w3.T + b3
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        grad_logits = probabilities
        grad_logits[rows, y] -= 1
        grad_logits /= BATCH
        grad_a2 = pool_backward((grad_logits @ w3).reshape(p2.shape), p2, corners2, h2.shape)
        grad_a2 *= h2 > 0
        grad_w2, grad_b2, grad_p1 = conv_backward(grad_a2, columns2, w2, p1.shape)
        grad_a1 = pool_backward(grad_p1, p1, corners1, h1.shape) * (h1 > 0)
        grad_w1, grad_b1, _ = conv_backward(grad_a1, columns1, w1)
        for parameter, grad_parameter in ((w3, grad_logits.T @ flat), (b3, grad_logits.sum(0)),
                                          (w2, grad_w2), (b2, grad_b2), (w1, grad_w1),
                                          (b1, grad_b1)):
            parameter -= LR * grad_parameter

    return step


def jax_step_function(jit: bool = True):
    """JAX: ``lax.conv_general_dilated`` and ``lax.reduce_window`` (max over 2x2 windows,
    stride 2, the last odd row and column dropped as everywhere), the gradient by
    ``jax.value_and_grad`` and the SGD update, as one compiled function (``jit``) or op by op;
    each step waits for its result."""
    import jax
    import jax.numpy as jnp

    parameters = [jnp.asarray(value) for value in initial_weights()]
    x, y = (jnp.asarray(array) for array in batch_data())

    def conv_relu_pool(x, weight, bias):
        x = jax.lax.conv_general_dilated(x, weight, (1, 1), "VALID",
                                         dimension_numbers=("NCHW", "OIHW", "NCHW"))
        x = jax.nn.relu(x + bias[None, :, None, None])
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2),
                                     "VALID")

    def loss(parameters):
        w1, b1, w2, b2, w3, b3 = parameters
        hidden = conv_relu_pool(conv_relu_pool(x, w1, b1), w2, b2)
        logits = hidden.reshape(len(hidden), -1) @ w3.T + b3
        picked = jnp.take_along_axis(logits, y[:, None], axis=1)[:, 0]
        return jnp.mean(jax.nn.logsumexp(logits, axis=1) - picked)

    return jax_sgd_step(loss, parameters, LR, jit)


def pool_corners(x) -> list:
    """The four strided slices of x that a 2x2, stride-2 max-pool compares (an odd last row
    or column is dropped, as PyTorch does)."""
    height, width = x.shape[2] // 2 * 2, x.shape[3] // 2 * 2
    return [x[:, :, i:height:2, j:width:2] for i in (0, 1) for j in (0, 1)]


STEP_FUNCTIONS = {"tapegrad": tapegrad_step_function, "torch": torch_step_function,
                  "jax_jit": jax_step_function,
                  "jax_eager": functools.partial(jax_step_function, jit=False),
                  "autograd": autograd_step_function, "mygrad": mygrad_step_function,
                  "numpy": numpy_step_function}

ENGINES = steps_per_second_engines(STEP_FUNCTIONS)
HEADERS = ["steps/s", "× tapegrad"]
cells = steps_per_second_cells


def targets(figures: dict, options: dict) -> list:
    """W5: at least 0.9× PyTorch's steps/s, and twice every other NumPy engine's."""
    def speed(engine):
        return first_figure(figures, engine)

    rows = [ratio_target("tapegrad ≥ 0.9× PyTorch's steps/s", speed("tapegrad"),
                         speed("torch"), "PyTorch", at_least=0.9)]
    for peer, name in (("autograd", "HIPS autograd"), ("mygrad", "MyGrad")):
        rows.append(ratio_target(f"tapegrad ≥ 2× {name}'s steps/s", speed("tapegrad"),
                                 speed(peer), name, at_least=2.0))
    return rows


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
