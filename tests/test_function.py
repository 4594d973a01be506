"""Writing your own Function, as the course exercise does."""

import numpy as np
import pytest

import tapegrad as tg


class Exp(tg.Function):
    def forward(self, x):
        self.out = np.exp(x)
        return self.out

    def backward(self, grad):
        return grad * self.out


class MulSaved(tg.Function):
    def forward(self, x, y):
        self.save_for_backward(x, y)
        return x * y

    def backward(self, grad):
        x, y = self.saved
        return grad * y, grad * x


def test_the_design_docs_exp_function():
    t = tg.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(t)
    assert isinstance(y.grad_fn, Exp)
    y.sum().backward()
    np.testing.assert_allclose(t.grad, np.exp([0.0, 1.0]))
    assert tg.gradcheck(Exp.apply, tg.tensor([0.3, -0.2], requires_grad=True))


def test_save_for_backward_and_scalars_as_inputs():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    out = MulSaved.apply(x, 3.0)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    assert tg.gradcheck(MulSaved.apply, x, tg.tensor([0.5, 2.0], requires_grad=True))


def test_saved_is_gone_after_backward():
    x = tg.tensor(2.0, requires_grad=True)
    out = MulSaved.apply(x, x)
    out.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        out.grad_fn.saved


def test_forward_returning_a_tensor_is_a_clear_error():
    class Wrong(tg.Function):
        def forward(self, x):
            return tg.tensor(x)

    with pytest.raises(TypeError, match="Wrong.forward returned a Tensor"):
        Wrong.apply(tg.tensor(1.0))


def test_keyword_options_go_to_forward():
    class Scale(tg.Function):
        def forward(self, x, factor=1.0):
            self.factor = factor
            return x * factor

        def backward(self, grad):
            return grad * self.factor

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    Scale.apply(x, factor=4.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])


def test_no_graph_when_no_input_requires_grad():
    out = Exp.apply(tg.tensor([1.0]))
    assert out.grad_fn is None and not out.requires_grad


def test_integer_outputs_are_not_differentiable():
    class Floor(tg.Function):
        def forward(self, x):
            return np.floor(x).astype(np.int64)

    out = Floor.apply(tg.tensor([1.5], requires_grad=True))
    assert out.dtype == np.int64 and not out.requires_grad
