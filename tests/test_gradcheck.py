"""gradcheck finds wrong gradients and says where."""

import numpy as np
import pytest

import tapegrad as tg


class WrongSquare(tg.Function):
    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, grad):
        (x,) = self.saved
        return grad * 3 * x  # should be 2 * x


def test_passes_on_correct_gradients():
    x = tg.tensor(np.array([[0.2, -0.4], [1.1, 0.7]]), requires_grad=True)
    assert tg.gradcheck(lambda t: (t @ t).tanh(), x)


def test_names_input_element_and_both_values():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(tg.GradcheckError,
                       match=r"input 0 at element \(0,\).*analytic 3\.0.*numeric 2\.0"):
        tg.gradcheck(WrongSquare.apply, x)


def test_checks_in_float64_and_leaves_inputs_unchanged():
    x = tg.tensor([0.5, 1.5], dtype=np.float32, requires_grad=True)
    before = x.data.copy()
    assert tg.gradcheck(lambda t: t.exp(), x)
    np.testing.assert_array_equal(x.data, before)
    assert x.dtype == np.float32 and not x.grad.any()


def test_only_inputs_that_require_grad_are_checked():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    constant = tg.tensor([3.0, 4.0])
    assert tg.gradcheck(lambda a, b: a * b, x, constant)
    with pytest.raises(ValueError, match="no input requires grad"):
        tg.gradcheck(lambda a: a * 2, constant)
