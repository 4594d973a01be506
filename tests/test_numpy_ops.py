"""The NumPy op table (op_table_numpy.py): every ``np.*`` call on tensors computes what NumPy
computes on the arrays, passes gradcheck and gradgradcheck, and matches PyTorch's values,
gradients and second derivatives where PyTorch has the function."""

import numpy as np
import pytest
from op_table import derivatives, make_inputs, torch_derivatives
from op_table_numpy import ROWS
from test_saved_roles import _resolved, inferred_nodes  # noqa: F401 - inferred_nodes: a fixture

import tapegrad as tg

WITH_TORCH = [row for row in ROWS if row.torch_fn is not None]


def _tensors(arrays):
    return [tg.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("case", [row for row in ROWS if row.reference is not None],
                         ids=lambda c: c.name)
def test_numpy_call_on_tensors_equals_numpy_on_arrays(case, rng):
    arrays = make_inputs(case, rng)
    out = case.fn(*_tensors(arrays))
    expected = case.reference(*arrays)
    assert isinstance(out, tg.Tensor)
    assert out.shape == np.shape(expected)
    assert out.dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", ROWS, ids=lambda c: c.name)
def test_gradcheck_and_gradgradcheck(case, rng):
    tensors = _tensors(make_inputs(case, rng))
    assert tg.gradcheck(case.fn, *tensors)
    assert tg.gradgradcheck(case.fn, *tensors)


@pytest.mark.parametrize("case", [row for row in ROWS if row.broadcast_shapes],
                         ids=lambda c: c.name)
def test_broadcasting(case, rng):
    tensors = _tensors(make_inputs(case, rng, case.broadcast_shapes))
    assert tg.gradcheck(case.fn, *tensors)


@pytest.mark.parametrize("case", [row for row in ROWS if row.scalar_ok], ids=lambda c: c.name)
def test_zero_dimensional(case, rng):
    arrays = make_inputs(case, rng, [()] * len(case.shapes))
    out = case.fn(*_tensors(arrays))
    if case.reference is not None:
        np.testing.assert_allclose(out.data, case.reference(*arrays), rtol=1e-10)
    assert tg.gradcheck(case.fn, *_tensors(arrays))


@pytest.mark.parametrize("case", [row for row in ROWS if "casts" not in row.tags],
                         ids=lambda c: c.name)
def test_float32_stays_float32(case, rng):
    arrays = make_inputs(case, rng, dtype=np.float32)
    tensors = _tensors(arrays)
    out = case.fn(*tensors)
    if case.reference is not None:
        assert out.dtype == np.asarray(case.reference(*arrays)).dtype
    else:
        assert out.dtype == np.float32
    out.sum().backward()
    assert all(t.grad.dtype == np.float32 for t in tensors)


@pytest.mark.parametrize("case", WITH_TORCH, ids=lambda c: c.name)
def test_matches_pytorch_to_second_order(case, rng, torch):
    arrays = make_inputs(case, rng)
    out = case.fn(*_tensors(arrays))
    upstream = rng.standard_normal(out.shape)
    direction = [rng.standard_normal(a.shape) for a in arrays]
    value, grads, seconds = derivatives(case, arrays, upstream, direction)
    torch_value, torch_grads, torch_seconds = torch_derivatives(case, arrays, upstream,
                                                                direction)
    np.testing.assert_allclose(value, torch_value, rtol=1e-7, atol=1e-10)
    for ours, theirs in zip(grads + seconds, torch_grads + torch_seconds):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("case", ROWS, ids=lambda c: c.name)
def test_declared_saved_roles_match_inference(case, inferred_nodes):  # noqa: F811
    declared, seen = inferred_nodes
    inputs = _tensors(make_inputs(case, np.random.default_rng(0)))
    output = case.fn(*inputs)
    if output.requires_grad:
        tg.grad(output.sum(), inputs, create_graph=True, allow_unused=True)
    for node, (saved_roles, attribute_roles) in seen:
        owner = next(c for c in type(node).__mro__ if c in declared)
        assert attribute_roles == {}
        assert _resolved(node, saved_roles) == _resolved(node, declared[owner]), owner.__name__


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered")
@pytest.mark.parametrize("case", [row for row in ROWS if row.scalar_ok and row.reference
                                  and "needs_elements" not in row.tags], ids=lambda c: c.name)
def test_empty_inputs(case, rng):
    arrays = make_inputs(case, rng, [(0,) + shape[1:] for shape in case.shapes])
    tensors = _tensors(arrays)
    out = case.fn(*tensors)
    np.testing.assert_array_equal(out.data, case.reference(*arrays))
    out.backward(np.ones(out.shape, out.dtype))
    assert all(t.grad.shape == a.shape for t, a in zip(tensors, arrays))
