"""Newton's method with tapegrad's second derivatives.

    python examples/newton.py

Minimises the Rosenbrock function f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1):
each step solves H d = -g with the gradient g and the Hessian H that tapegrad.func gives.
"""

import numpy as np

import tapegrad as tg
from tapegrad import func


def rosenbrock(point: tg.Tensor) -> tg.Tensor:
    x, y = point[0], point[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def newton(f, start, steps: int = 20, tolerance: float = 1e-12):
    """Iterate x <- x - H(x)^-1 g(x) until the gradient is tiny; returns the path."""
    point, path = np.asarray(start, dtype=float), []
    for _ in range(steps):
        gradient = func.grad(f)(point)
        path.append((point.copy(), float(f(tg.tensor(point)).item())))
        if np.linalg.norm(gradient) < tolerance:
            break
        point = point - np.linalg.solve(func.hessian(f)(point), gradient)
    return path


if __name__ == "__main__":
    for step, (point, value) in enumerate(newton(rosenbrock, [-1.2, 1.0])):
        print(f"step {step:2d}: x = {point[0]: .6f}, y = {point[1]: .6f}, f = {value:.3e}")
