"""Every op in the table: forward vs NumPy, float64 gradcheck, broadcasting, 0-d, empty,
float32, non-contiguous inputs and PyTorch parity of values and gradients."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from op_table import OPS, TIES, derivatives, make_inputs, torch_derivatives

import tapegrad as tg

BINARY = [case for case in OPS if case.broadcast_shapes is not None]
SCALAR = [case for case in OPS if case.scalar_ok]
BY_NAME = {case.name: case for case in OPS}


def _tensors(arrays):
    return [tg.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("case", [c for c in OPS if c.reference is not None],
                         ids=lambda c: c.name)
def test_forward_matches_numpy(case, rng):
    arrays = make_inputs(case, rng)
    out = case.fn(*_tensors(arrays))
    np.testing.assert_allclose(out.data, case.reference(*arrays), rtol=1e-12, atol=1e-12)
    assert isinstance(out.data, np.ndarray)


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.name)
def test_gradcheck(case, rng):
    assert tg.gradcheck(case.fn, *_tensors(make_inputs(case, rng)))


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.name)
def test_gradgradcheck(case, rng):
    assert tg.gradgradcheck(case.fn, *_tensors(make_inputs(case, rng)))


@pytest.mark.parametrize("case", BINARY, ids=lambda c: c.name)
def test_gradcheck_broadcasting(case, rng):
    tensors = _tensors(make_inputs(case, rng, case.broadcast_shapes))
    assert tg.gradcheck(case.fn, *tensors)
    case.fn(*tensors).sum().backward()
    for tensor, shape in zip(tensors, case.broadcast_shapes):
        assert tensor.grad.shape == shape


@pytest.mark.parametrize("case", SCALAR, ids=lambda c: c.name)
def test_zero_dimensional(case, rng):
    shapes = [()] * len(case.shapes)
    arrays = make_inputs(case, rng, shapes)
    tensors = _tensors(arrays)
    out = case.fn(*tensors)
    assert out.shape == () and isinstance(out.data, np.ndarray)
    out.backward()
    for tensor in tensors:
        assert isinstance(tensor.grad, np.ndarray) and tensor.grad.shape == ()
    assert tg.gradcheck(case.fn, *_tensors(arrays))


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered",
                            "ignore:divide by zero encountered in log")
@pytest.mark.parametrize("case", [c for c in OPS if c.scalar_ok and "needs_elements" not in c.tags],
                         ids=lambda c: c.name)
def test_empty_inputs(case, rng):
    shapes = [(0,) + shape[1:] if shape else shape for shape in case.shapes]
    arrays = make_inputs(case, rng, shapes)
    tensors = _tensors(arrays)
    out = case.fn(*tensors)
    if case.reference is not None:
        np.testing.assert_array_equal(out.data, case.reference(*arrays))
    out.backward(np.ones(out.shape))
    for tensor, array in zip(tensors, arrays):
        assert tensor.grad.shape == array.shape


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.name)
def test_float32_stays_float32(case, rng):
    arrays = make_inputs(case, rng, dtype=np.float32)
    tensors = _tensors(arrays)
    out = case.fn(*tensors)
    assert out.dtype == np.float32 or "casts" in case.tags
    out.sum().backward()
    for tensor in tensors:
        assert tensor.grad.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", OPS, ids=lambda c: c.name)
def test_gradients_have_their_inputs_dtype_at_first_and_second_order(case, dtype, rng):
    tensors = _tensors(make_inputs(case, rng, dtype=dtype))
    out = case.fn(*tensors)
    grads = tg.grad(out, tensors, grad_outputs=np.ones(out.shape, out.dtype), create_graph=True,
                    allow_unused=True)
    for tensor, grad in zip(tensors, grads):
        assert grad is None or grad.dtype == tensor.dtype
    differentiable = [g for g in grads if g is not None and g.requires_grad]
    if differentiable:
        seconds = tg.grad(sum((g * g).sum() for g in differentiable), tensors, allow_unused=True)
        for tensor, second in zip(tensors, seconds):
            assert second is None or second.dtype == tensor.dtype


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.name)
def test_non_contiguous_inputs(case, rng):
    # Each input is every other column of an array twice as wide.
    arrays = [_every_other_column(a) for a in make_inputs(case, rng)]
    assert all(a.flags.c_contiguous is False for a in arrays if a.ndim and a.shape[-1] > 1)
    assert tg.gradcheck(case.fn, *[tg.tensor(a, requires_grad=True) for a in arrays])


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.name)
def test_matches_pytorch(case, rng, torch):
    arrays = make_inputs(case, rng)
    tensors = _tensors(arrays)
    torch_tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = case.fn(*tensors)
    torch_out = case.torch_fn(*torch_tensors)
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=1e-6, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    torch_out.backward(torch.tensor(upstream))
    for tensor, torch_tensor in zip(tensors, torch_tensors):
        np.testing.assert_allclose(tensor.grad, torch_tensor.grad.numpy(), rtol=1e-6,
                                   atol=1e-12)


def _every_other_column(array):
    if array.ndim == 0:
        return array
    wide = np.zeros(array.shape[:-1] + (2 * array.shape[-1],), dtype=array.dtype)
    wide[..., ::2] = array
    return wide[..., ::2]


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.name)
def test_second_derivatives_match_pytorch(case, rng, torch):
    arrays = make_inputs(case, rng)
    out = case.fn(*_tensors(arrays))
    upstream, direction = rng.standard_normal(out.shape), [rng.standard_normal(a.shape)
                                                           for a in arrays]
    _, _, ours = derivatives(case, arrays, upstream, direction)
    _, _, theirs = torch_derivatives(case, arrays, upstream, direction)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine, reference, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("name", TIES)
def test_exact_ties_kinks_and_bounds_match_pytorch(name, torch):
    case, arrays = BY_NAME[name], [np.asarray(a, dtype=np.float64) for a in TIES[name]]
    out = case.fn(*_tensors(arrays))
    upstream = np.arange(1.0, out.numel() + 1).reshape(out.shape)  # a different weight per output
    value, grads, _ = derivatives(case, arrays, upstream)
    torch_value, torch_grads, _ = torch_derivatives(case, arrays, upstream)
    np.testing.assert_allclose(value, torch_value, rtol=1e-12, atol=0)
    for grad, torch_grad in zip(grads, torch_grads):
        np.testing.assert_allclose(grad, torch_grad, rtol=1e-12, atol=0)


@settings(max_examples=40, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from(["add", "sub", "mul", "div"]))
def test_broadcast_gradients_sum_back_to_input_shapes(shapes, op):
    rng = np.random.default_rng(1)
    x_shape, y_shape = shapes.input_shapes
    x = tg.tensor(rng.uniform(0.5, 2, x_shape), requires_grad=True)
    y = tg.tensor(rng.uniform(0.5, 2, y_shape), requires_grad=True)
    fn = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
          "mul": lambda a, b: a * b, "div": lambda a, b: a / b}[op]
    out = fn(x, y)
    assert out.shape == shapes.result_shape
    out.backward(np.ones(out.shape))
    assert x.grad.shape == x_shape and y.grad.shape == y_shape
    assert tg.gradcheck(fn, x, y)


def test_max_of_nothing_is_a_clear_error():
    with pytest.raises(ValueError, match="Max: zero-size"):
        tg.zeros(0).max()


def test_kink_conventions_match_pytorch():
    x = tg.tensor([0.0, -1.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    x.zero_grad()
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, -1.0, 1.0])


def test_sigmoid_is_finite_for_huge_inputs():
    x = tg.tensor([-1e4, 0.0, 1e4], requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = x.sigmoid()
        y.sum().backward()
    np.testing.assert_allclose(y.data, [0.0, 0.5, 1.0])
    assert np.all(np.isfinite(x.grad))


def test_pow_exponent_gradient_at_zero_base_is_zero_not_nan():
    base = tg.tensor([0.0, 2.0], requires_grad=True)
    exponent = tg.tensor([2.0, 3.0], requires_grad=True)
    (base ** exponent).sum().backward()
    np.testing.assert_allclose(exponent.grad, [0.0, 8.0 * np.log(2.0)])
