"""Training through a gradient: a gradient penalty (as in WGAN-GP) with create_graph=True.

    python examples/gradient_penalty.py

Fits a small network to sin(3x) while pushing the norm of d(output)/d(input) towards 1:
the penalty's own gradient flows back through the first backward pass into the weights.
"""

import numpy as np

import tapegrad as tg
from tapegrad import nn, optim


def train(steps: int = 300, penalty_weight: float = 0.1, seed: int = 0):
    tg.manual_seed(seed)
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(-1, 1, (64, 1))
    targets = np.sin(3 * inputs)
    model = nn.Sequential(nn.Linear(1, 32, dtype=np.float64), nn.Tanh(),
                          nn.Linear(32, 1, dtype=np.float64))
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    history = []
    for _ in range(steps):
        x = tg.tensor(inputs, requires_grad=True)
        prediction = model(x)
        fit = ((prediction - targets) ** 2).mean()
        (slope,) = tg.grad(prediction.sum(), x, create_graph=True)
        penalty = ((slope.abs() - 1) ** 2).mean()
        loss = fit + penalty_weight * penalty
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append((fit.item(), penalty.item()))
    return history


if __name__ == "__main__":
    history = train()
    for step in (0, 99, 199, 299):
        fit, penalty = history[step]
        print(f"step {step + 1:3d}: fit {fit:.4f}, gradient penalty {penalty:.4f}")
