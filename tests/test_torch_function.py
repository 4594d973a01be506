"""tg.autograd.Function: custom ops in PyTorch's style, checked against torch.autograd.Function."""

import numpy as np
import pytest

import tapegrad as tg


def _scaled_exp(base):
    class ScaledExp(base):
        @staticmethod
        def forward(ctx, x, scale):
            y = x.exp() * scale
            ctx.save_for_backward(y)
            ctx.scale = scale
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y, None

    return ScaledExp


def _clamped_product(base):
    class ClampedProduct(base):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return (x * w).clamp(min=0)

        @staticmethod
        def backward(ctx, grad):
            x, w = ctx.saved_tensors
            passes = ((x * w) > 0) * 1.0
            grad_x = grad * w * passes if ctx.needs_input_grad[0] else None
            grad_w = grad * x * passes if ctx.needs_input_grad[1] else None
            return grad_x, grad_w

    return ClampedProduct


def test_values_and_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    data = np.array([-1.0, 0.5, 2.0])
    ours = tg.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    out = _scaled_exp(tg.autograd.Function).apply(ours, 3.0)
    expected = _scaled_exp(torch.autograd.Function).apply(theirs, 3.0)
    np.testing.assert_allclose(out.data, expected.detach().numpy())
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy())
    assert repr(out.grad_fn) == "<ScaledExpBackward>"


def test_needs_input_grad_and_two_tensor_arguments_match_pytorch():
    torch = pytest.importorskip("torch")
    x_data, w_data = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.5, -1.0])
    x = tg.tensor(x_data, requires_grad=True)
    w = tg.tensor(w_data)
    tx, tw = torch.tensor(x_data, requires_grad=True), torch.tensor(w_data)
    _clamped_product(tg.autograd.Function).apply(x, w).sum().backward()
    _clamped_product(torch.autograd.Function).apply(tx, tw).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy())
    assert w.grad is None


def test_second_derivatives_flow_through_saved_inputs_and_output():
    x = tg.tensor([0.3, -0.7], requires_grad=True)
    scaled_exp = _scaled_exp(tg.autograd.Function)
    assert tg.gradgradcheck(lambda v: scaled_exp.apply(v, 2.0), x)
    (first,) = tg.grad(scaled_exp.apply(x, 2.0).sum(), x, create_graph=True)
    (second,) = tg.grad(first.sum(), x)
    np.testing.assert_allclose(second.data, 2 * np.exp(x.data))


def test_forward_runs_without_recording_and_ctx_is_freed_after_backward():
    seen = {}

    class Probe(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen["grad mode in forward"] = tg.is_grad_enabled()
            ctx.note = "kept"
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            seen["note"] = ctx.note
            return grad * 2

    x = tg.tensor([1.0], requires_grad=True)
    y = Probe.apply(x)
    node = y.grad_fn
    y.backward()
    assert seen == {"grad mode in forward": False, "note": "kept"}
    assert not hasattr(node, "note")  # the ctx's state went with the graph
    np.testing.assert_allclose(x.grad, [2.0])


def test_mark_non_differentiable_gives_an_output_without_grad():
    class Positive(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            mask = x > 0
            mask = mask * 1.0
            ctx.mark_non_differentiable(mask)
            return mask

        @staticmethod
        def backward(ctx, grad):
            return None

    out = Positive.apply(tg.tensor([1.0, -1.0], requires_grad=True))
    assert not out.requires_grad and out.grad_fn is None


def test_clear_errors_for_what_is_not_supported():
    class TwoOutputs(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x, x

    with pytest.raises(NotImplementedError, match="TwoOutputs.forward returned 2 outputs"):
        TwoOutputs.apply(tg.tensor([1.0], requires_grad=True))

    class SavesANumber(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3.0)
            return x

    with pytest.raises(TypeError, match="save_for_backward takes tensors"):
        SavesANumber.apply(tg.tensor([1.0], requires_grad=True))


def test_autograd_backward_sums_several_roots():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    tg.autograd.backward([(x * x).sum(), x], [None, np.array([1.0, 1.0])])
    np.testing.assert_allclose(x.grad, 2 * x.data + 1)
