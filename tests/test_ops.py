"""Every op in the table: forward vs NumPy, float64 gradcheck, broadcasting, 0-d, empty,
float32, non-contiguous inputs and PyTorch parity of values and gradients."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from op_table import OPS, make_inputs

import tapegrad as tg

BINARY = [case for case in OPS if case.broadcast_shapes is not None]
SCALAR = [case for case in OPS if case.scalar_ok]


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
    assert out.dtype == np.float32
    out.sum().backward()
    for tensor in tensors:
        assert tensor.grad.dtype == np.float32


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
    tensors = _tensors(arrays)
    torch_tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, torch_out = case.fn(*tensors), case.torch_fn(*torch_tensors)
    upstream, direction = rng.standard_normal(out.shape), [rng.standard_normal(a.shape)
                                                           for a in arrays]
    grads = tg.grad(out, tensors, grad_outputs=upstream, create_graph=True, allow_unused=True)
    torch_grads = torch.autograd.grad(torch_out, torch_tensors, torch.tensor(upstream),
                                      create_graph=True, allow_unused=True)
    # Second derivatives along a direction: d/dx <grad, v> for both engines.
    pairs = [(g, tg.tensor(v)) for g, v in zip(grads, direction) if g is not None and
             g.requires_grad]
    torch_pairs = [(g, torch.tensor(v)) for g, v in zip(torch_grads, direction)
                   if g is not None and g.requires_grad]
    # A gradient with no graph has a zero second derivative; compare that as zeros.
    ours = tg.grad(sum((g * v).sum() for g, v in pairs), tensors, allow_unused=True) if (
        pairs) else [None] * len(tensors)
    theirs = torch.autograd.grad(sum((g * v).sum() for g, v in torch_pairs), torch_tensors,
                                 allow_unused=True) if torch_pairs else [None] * len(tensors)
    for mine, reference, array in zip(ours, theirs, arrays):
        mine = np.zeros_like(array) if mine is None else mine.data
        reference = np.zeros_like(array) if reference is None else reference.numpy(force=True)
        np.testing.assert_allclose(mine, reference, rtol=1e-6, atol=1e-10)


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
