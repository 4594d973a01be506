"""A tiny fit by gradient descent, theta <- theta - tau * grad E, with a plot of the loss.

    python examples/fit_line.py [loss.png]

Fits y = w x + b to noisy points of y = 2x + 1 with the mean squared error, printing the loss
as it falls, and saves the loss curve (needs matplotlib: ``pip install "tapegrad[plots]"``).
"""

import sys

import numpy as np

import tapegrad as tg


def fit(steps: int = 200, tau: float = 0.1, seed: int = 0):
    """Return the fitted (w, b) and the loss after each step."""
    rng = np.random.default_rng(seed)
    x = tg.tensor(rng.uniform(-1, 1, size=50))
    y = 2 * x + 1 + tg.tensor(rng.normal(0, 0.1, size=50))
    w = tg.tensor(0.0, requires_grad=True, name="w")
    b = tg.tensor(0.0, requires_grad=True, name="b")
    losses = []
    for step in range(steps):
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        with tg.no_grad():  # the update itself is not part of the graph
            w -= tau * w.grad
            b -= tau * b.grad
        w.zero_grad()  # gradients accumulate: reset them before the next backward
        b.zero_grad()
        losses.append(loss.item())
        if step % 40 == 0 or step == steps - 1:
            print(f"step {step:3d}  loss {loss.item():.5f}  w {w.item():.4f}  b {b.item():.4f}")
    return w.item(), b.item(), losses


def plot(losses, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 3))
    axes.plot(losses)
    axes.set(xlabel="step", ylabel="mean squared error", yscale="log",
             title="gradient descent on y = w x + b")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    print(f"wrote {path}")


if __name__ == "__main__":
    w, b, losses = fit()
    print(f"fitted w = {w:.3f}, b = {b:.3f} (the data came from w = 2, b = 1)")
    plot(losses, sys.argv[1] if len(sys.argv) > 1 else "loss.png")
