"""Writing your own Function, as the exercise does, and checking it with gradcheck.

    python examples/own_function.py

A Function's ``forward`` gets arrays and returns one; its ``backward`` gets dL/d(output) and
returns one dL/d(input) per input. A one-line math docstring (the convention of tapegrad's own
ops) lets ``tapegrad.viz.explain`` show its local derivatives.
"""

import numpy as np

import tapegrad as tg
from tapegrad import viz


class Mul(tg.Function):
    """z = x * y;  dL/dx = dL/dz * y,  dL/dy = dL/dz * x"""

    def forward(self, x, y):
        self.x, self.y = x, y  # the instance is the context: keep what backward needs
        return x * y

    def backward(self, grad):
        return grad * self.y, grad * self.x


class Exp(tg.Function):
    """y = exp(x);  dL/dx = dL/dy * y"""

    def forward(self, x):
        self.out = np.exp(x)  # exp' = exp: keep the output, the cheapest thing
        return self.out

    def backward(self, grad):
        return grad * self.out


class WrongSquare(tg.Function):
    """y = x**2, with a mistake in backward that gradcheck finds."""

    def forward(self, x):
        self.x = x
        return x**2

    def backward(self, grad):
        return grad * self.x  # should be grad * 2 * x


def main() -> None:
    print("# gradcheck compares backward with central differences")
    x = tg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = tg.tensor([1.5, 3.0, -0.5], requires_grad=True)
    print("Mul:", tg.gradcheck(Mul.apply, x, y))
    print("Exp:", tg.gradcheck(Exp.apply, x))
    try:
        tg.gradcheck(WrongSquare.apply, x)
    except tg.GradcheckError as error:
        print("WrongSquare:", error)

    print("# your Functions in a graph, explained: L = exp(a * b)")
    a = tg.tensor(0.5, requires_grad=True, name="a")
    b = tg.tensor(2.0, requires_grad=True, name="b")
    product = Mul.apply(a, b)
    product.name = "p"
    loss = Exp.apply(product)
    loss.name = "L"
    viz.explain(loss)
    loss.backward()
    print("grads:", a.grad, b.grad)


if __name__ == "__main__":
    main()
