"""Type promotion as PyTorch's: a floating tensor keeps its dtype against integers."""

import numpy as np
import pytest

import tapegrad as tg

DTYPES = ["float32", "float64", "int64", "int32", "bool"]
OPERATORS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "pow": lambda a, b: a ** b,
}


# PyTorch refuses to subtract booleans, and NumPy to raise them to powers: left out.
CASES = [(op, left, right) for op in OPERATORS for left in DTYPES for right in DTYPES
         if not ("bool" in (left, right) and op in ("sub", "pow"))]


@pytest.mark.parametrize("op, left, right", CASES)
def test_tensor_with_tensor_promotes_as_pytorch(torch, op, left, right):
    a, b = np.array([1, 2]).astype(left), np.array([2, 1]).astype(right)
    ours = OPERATORS[op](tg.tensor(a), tg.tensor(b))
    theirs = OPERATORS[op](torch.tensor(a), torch.tensor(b))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


@pytest.mark.parametrize("number", [2, 2.5, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_tensor_with_a_python_number_promotes_as_pytorch(torch, number, dtype):
    with _same_default_dtype(torch):
        ours = tg.tensor(np.array([1, 2]).astype(dtype)) * number
        theirs = torch.tensor(np.array([1, 2]).astype(dtype)) * number
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


class _same_default_dtype:
    """Both libraries on one default float dtype for the duration."""

    def __init__(self, torch):
        self.torch = torch

    def __enter__(self):
        self.saved = self.torch.get_default_dtype()
        self.torch.set_default_dtype(getattr(self.torch, str(tg.get_default_dtype())))

    def __exit__(self, *exc):
        self.torch.set_default_dtype(self.saved)


def test_gradient_of_a_float32_tensor_raised_to_integer_powers_stays_float32():
    x = tg.tensor(np.array([1.5, 2.0], np.float32), requires_grad=True)
    (x ** tg.tensor([2, 3])).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [3.0, 12.0])
