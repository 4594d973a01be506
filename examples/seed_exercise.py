"""The course exercise (``exercise3-backprop``), cell by cell, on tapegrad.

    python examples/seed_exercise.py

Prints the numbers the exercise prints: the worked example's gradients, the error a second
backward gives, the gradients after accumulating twice, ``zero_grad``, a Function written in
the exercise's style, and the gradient-descent rule theta <- theta - tau * grad E.
"""

import numpy as np

import tapegrad as tg


class Add(tg.Function):
    """The exercise's Add: f = t1 + t2, so df/dt1 = df/dt2 = 1."""

    def forward(self, t1, t2):
        return t1 + t2

    def backward(self, dLdf):
        dfdt1 = 1
        dfdt2 = 1
        return dfdt1 * dLdf, dfdt2 * dLdf


def worked_example():
    print("# a + b = c, a + c = d; backward from d")
    a = tg.Tensor(1.0, requires_grad=True)
    b = tg.Tensor(2.0, requires_grad=True)
    c = Add.apply(a, b)
    d = Add.apply(c, a)
    d.backward()
    print(d.grad)
    print(c.grad)
    print(b.grad)
    print(a.grad)

    print("# can we call backward() again?")
    try:
        d.backward()
    except RuntimeError as error:
        print(f"RuntimeError: {error}")


def accumulation():
    print("# two forward/backward passes without zero_grad: gradients accumulate")
    a = tg.Tensor(1.0, requires_grad=True)
    b = tg.Tensor(2.0, requires_grad=True)
    c = a + b
    d = c + a
    d.backward()
    c = a + b
    d = c + a
    d.backward()
    print(d.grad)
    print(c.grad)
    print(b.grad)
    print(a.grad)

    print("# zero_grad resets them")
    a.zero_grad()
    b.zero_grad()
    print(b.grad)
    print(a.grad)


def gradient_descent(steps: int = 50, tau: float = 0.1):
    print("# gradient descent: theta <- theta - tau * grad E, for E = (theta - 3)^2")
    theta = tg.Tensor(0.0, requires_grad=True)
    for _ in range(steps):
        error = (theta - 3.0) ** 2
        error.backward()
        with tg.no_grad():
            theta -= tau * theta.grad
        theta.zero_grad()
    print(f"theta after {steps} steps: {theta.item():.6f}")
    print(f"gradcheck of the exercise's Add: {tg.gradcheck(Add.apply, *_two_leaves())}")


def _two_leaves():
    return tg.tensor(np.array([1.0, 2.0]), requires_grad=True), tg.tensor(
        np.array([3.0, 4.0]), requires_grad=True)


if __name__ == "__main__":
    worked_example()
    accumulation()
    gradient_descent()
