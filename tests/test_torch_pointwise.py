"""PyTorch's pointwise methods where the op table can't reach: every dtype (integers, booleans),
boolean results, ops without gradients, exact ties, errors and the in-place forms."""

import numpy as np
import pytest
from op_table import derivatives, torch_derivatives
from op_table_pointwise import ROWS, TIES

import tapegrad as tg
from tapegrad.ops.rounding import IntegerDivisionByZero

torch = pytest.importorskip("torch", reason="PyTorch is not installed")

ROWS_BY_NAME = {row.name: row for row in ROWS}
DTYPES = ["float32", "float64", "int64", "int32", "bool"]
VALUES = {  # x and y per kind; y has no zeros, so integer division is defined
    "f": ([-2.5, -1.0, -0.0, 0.5, 1.5, 3.0, np.nan, np.inf, -np.inf],
          [2.0, -2.0, 1.0, 3.0, -1.5, 2.0, 1.0, -3.0, 0.5]),
    "i": ([-3, -1, 0, 1, 2, 5, 7, -8, 4], [2, -2, 1, 3, -1, 2, 3, -3, 5]),
    "b": ([True, False, True, False, True, True, False, False, True],
          [True, True, True, True, True, True, True, True, True]),
}


@pytest.fixture(autouse=True)
def same_default_dtype():
    """PyTorch on tapegrad's default float dtype, so dtypes of results can be compared."""
    saved = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, str(tg.get_default_dtype())))
    yield
    torch.set_default_dtype(saved)


# Each: (x, y) -> result, written once for both libraries (their names are the same).
OPS = {
    "floor": lambda x, y: x.floor(),
    "ceil": lambda x, y: x.ceil(),
    "trunc": lambda x, y: x.trunc(),
    "fix": lambda x, y: x.fix(),
    "round": lambda x, y: x.round(),
    "round_decimals": lambda x, y: x.round(decimals=1),
    "frac": lambda x, y: x.frac(),
    "sign": lambda x, y: x.sign(),
    "sgn": lambda x, y: x.sgn(),
    "floordiv": lambda x, y: x // y,
    "floordiv_number": lambda x, y: x // 2,
    "floordiv_float_number": lambda x, y: x // 2.5,
    "rfloordiv": lambda x, y: 7 // y,
    "floor_divide": lambda x, y: x.floor_divide(y),
    "mod": lambda x, y: x % y,
    "mod_float_number": lambda x, y: x % 2.5,
    "rmod": lambda x, y: 7 % y,
    "remainder": lambda x, y: x.remainder(y),
    "fmod": lambda x, y: x.fmod(y),
    "fmod_number": lambda x, y: x.fmod(-3),
    "div": lambda x, y: x.div(y),
    "div_trunc": lambda x, y: x.div(y, rounding_mode="trunc"),
    "div_floor": lambda x, y: x.divide(y, rounding_mode="floor"),
    "true_divide": lambda x, y: x.true_divide(y),
    "truediv_operator": lambda x, y: x / y,
    "rtruediv_operator": lambda x, y: 3 / y,
    "reciprocal": lambda x, y: x.reciprocal(),
    "rsqrt": lambda x, y: x.rsqrt(),
    "exp2": lambda x, y: x.exp2(),
    "square": lambda x, y: x.square(),
    "neg": lambda x, y: x.neg(),
    "add_alpha": lambda x, y: x.add(y, alpha=2),
    "sub_alpha": lambda x, y: x.sub(y, alpha=2),
    "add_float_alpha": lambda x, y: x.add(y, alpha=0.5),
    "mul": lambda x, y: x.mul(y),
    "pow": lambda x, y: x.pow(2),
    "clamp": lambda x, y: x.clamp(-1, 2),
    "clamp_float": lambda x, y: x.clamp(min=-0.5),
    "clamp_max_float": lambda x, y: x.clamp_max(1.5),
    "clamp_tensor": lambda x, y: x.clamp(min=y),
    "clamp_tensors": lambda x, y: x.clamp(y, y * 2),
    "nan_to_num": lambda x, y: x.nan_to_num(),
    "nan_to_num_values": lambda x, y: x.nan_to_num(nan=1.0, posinf=2.0, neginf=-2.0),
    "isnan": lambda x, y: x.isnan(),
    "isinf": lambda x, y: x.isinf(),
    "isposinf": lambda x, y: x.isposinf(),
    "isneginf": lambda x, y: x.isneginf(),
    "isfinite": lambda x, y: x.isfinite(),
    "eq": lambda x, y: x.eq(y),
    "ne": lambda x, y: x.ne(1),
    "lt": lambda x, y: x.lt(y),
    "le": lambda x, y: x.le(0.5),
    "gt": lambda x, y: x.gt(y),
    "ge": lambda x, y: x.ge(0),
    "greater_less": lambda x, y: x.greater(y) ^ x.less_equal(y) ^ x.less(0),
    "not_equal_greater_equal": lambda x, y: x.not_equal(y) & x.greater_equal(y),
    "isclose": lambda x, y: x.isclose(y, rtol=0.5),
    "logical_and": lambda x, y: x.logical_and(y),
    "logical_or": lambda x, y: x.logical_or(x),
    "logical_xor": lambda x, y: x.logical_xor(y),
    "logical_not": lambda x, y: x.logical_not(),
    "and": lambda x, y: x & y,
    "or": lambda x, y: x | y,
    "xor": lambda x, y: x ^ y,
    "invert": lambda x, y: ~x,
    "and_number": lambda x, y: x & 6,
    "where": lambda x, y: x.where(y > 1, y),
    "where_number": lambda x, y: x.where(y > 1, 2),
    "where_float_number": lambda x, y: x.where(y > 1, 0.5),
    "masked_fill": lambda x, y: x.masked_fill(y > 1, 2.5),
    "masked_fill_tensor": lambda x, y: x.masked_fill(y > 1, y[0] * 3),
}


def _both(op, dtype):
    """The op's result in tapegrad and PyTorch, each a (values, dtype) pair or an error."""
    results = []
    for library in (tg, torch):
        x, y = (library.tensor(np.array(values).astype(dtype)) for values in VALUES[
            np.dtype(dtype).kind])
        try:
            with np.errstate(all="ignore"):
                out = OPS[op](x, y)
            values = out.data if library is tg else out.numpy()
            results.append((values, str(out.dtype).removeprefix("torch.")))
        except (TypeError, ValueError, RuntimeError, ZeroDivisionError) as error:
            results.append(error)
    return results


# An int32 tensor with a Python int gives int64 in every op (function._operand makes the int
# an int64 array; PyTorch keeps int32): a matter of the core, left out here.
INT32_WITH_PYTHON_INTS = {"floordiv_number", "rfloordiv", "rmod", "fmod_number", "pow",
                          "add_alpha", "sub_alpha", "clamp_tensors"}


@pytest.mark.parametrize("op, dtype", [(op, dtype) for op in OPS for dtype in DTYPES if not (
    dtype == "int32" and op in INT32_WITH_PYTHON_INTS)])
def test_values_and_dtypes_match_pytorch_for_every_dtype(op, dtype):
    ours, theirs = _both(op, dtype)
    if isinstance(theirs, Exception):
        assert isinstance(ours, Exception), f"PyTorch raises {theirs!r}; tapegrad gave {ours}"
        return
    assert not isinstance(ours, Exception), f"tapegrad raises {ours!r}"
    assert ours[1] == theirs[1]
    if ours[0].dtype.kind == "f":  # PyTorch may divide by a reciprocal: 1 ulp apart
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-15, atol=0)
    else:
        np.testing.assert_array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("name", TIES)
def test_rows_at_their_kinks_and_jumps_match_pytorch(name):
    row, arrays = ROWS_BY_NAME[name], [np.asarray(a, dtype=np.float64) for a in TIES[name]]
    out = row.fn(*[tg.tensor(array) for array in arrays])
    upstream = np.arange(1.0, out.numel() + 1).reshape(out.shape)
    value, grads, _ = derivatives(row, arrays, upstream)
    torch_value, torch_grads, _ = torch_derivatives(row, arrays, upstream)
    np.testing.assert_allclose(value, torch_value, rtol=1e-12, atol=0)
    for grad, torch_grad in zip(grads, torch_grads):
        np.testing.assert_allclose(grad, torch_grad, rtol=1e-12, atol=0)


# ------------------------------------------------------------------ gradients


@pytest.mark.parametrize("method", ["floor", "ceil", "trunc", "round", "sign", "sgn"])
def test_rounding_is_not_recorded_and_passes_no_gradient(method):
    x = tg.tensor([-1.5, 0.25, 2.5], requires_grad=True)
    rounded = getattr(x, method)()
    assert rounded.grad_fn is None and not rounded.requires_grad
    (rounded * x).sum().backward()
    np.testing.assert_array_equal(x.grad, rounded.data)


def test_rounded_division_is_not_recorded():
    x = tg.tensor([-7.0, 7.0], requires_grad=True)
    for result in (x // 2, 7 // x, x.div(2, rounding_mode="trunc"),
                   x.div(2, rounding_mode="floor"), x.floor_divide(x)):
        assert result.grad_fn is None
    assert (x % 2).grad_fn is not None and x.fmod(2).grad_fn is not None


def test_nan_to_num_passes_no_gradient_where_x_is_not_finite():
    values = [np.nan, np.inf, -np.inf, 1.5, -2.0]
    x, x_torch = tg.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, y_torch = x.nan_to_num(nan=1.0, neginf=-5.0), x_torch.nan_to_num(nan=1.0, neginf=-5.0)
    np.testing.assert_array_equal(y.data, y_torch.detach().numpy())
    upstream = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    y.backward(upstream)
    y_torch.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(x.grad, x_torch.grad.numpy())
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0, 4.0, 5.0])


def test_fmod_and_remainder_by_zero_match_pytorch():
    x_values, y_values = [1.5, -1.5, 0.0, 2.0], [0.0, 0.0, 0.0, -0.0]
    for method in ("fmod", "remainder"):
        x, y = tg.tensor(x_values, requires_grad=True), tg.tensor(y_values, requires_grad=True)
        x_torch = torch.tensor(x_values, requires_grad=True)
        y_torch = torch.tensor(y_values, requires_grad=True)
        out, out_torch = getattr(x, method)(y), getattr(x_torch, method)(y_torch)
        np.testing.assert_array_equal(out.data, out_torch.detach().numpy())
        out.backward(np.ones(4))
        out_torch.backward(torch.ones(4, dtype=torch.float64))
        np.testing.assert_array_equal(x.grad, x_torch.grad.numpy())
        np.testing.assert_array_equal(y.grad, y_torch.grad.numpy())


def test_rsqrt_at_zero_matches_pytorch():
    x, x_torch = tg.tensor([0.0, 4.0], requires_grad=True), torch.tensor([0.0, 4.0],
                                                                        requires_grad=True)
    x.rsqrt().sum().backward()
    x_torch.rsqrt().sum().backward()
    np.testing.assert_array_equal(x.grad, x_torch.grad.numpy())


def test_masked_fill_sends_the_filled_places_gradient_to_a_tensor_value():
    mask = np.array([[True, False], [True, True]])
    x, value = tg.tensor(np.ones((2, 2)), requires_grad=True), tg.tensor(2.0, requires_grad=True)
    x_torch = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    value_torch = torch.tensor(2.0, requires_grad=True)
    upstream = np.array([[1.0, 2.0], [3.0, 4.0]])
    x.masked_fill(tg.tensor(mask), value).backward(upstream)
    x_torch.masked_fill(torch.tensor(mask), value_torch).backward(torch.tensor(upstream))
    np.testing.assert_array_equal(x.grad, x_torch.grad.numpy())
    np.testing.assert_array_equal(value.grad, value_torch.grad.numpy())
    assert value.grad == 8.0


def test_masked_fill_keeps_self_dtype_and_refuses_what_pytorch_refuses():
    x = tg.tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    filled = x.masked_fill(np.array([True, False]), tg.tensor(5.0, dtype=np.float64))
    assert filled.dtype == np.float32
    with pytest.raises(TypeError, match="masked_fill: expected a boolean mask"):
        x.masked_fill(np.array([1, 0]), 1.0)
    with pytest.raises(ValueError, match="0-dimensional"):
        x.masked_fill(np.array([True, False]), tg.tensor([1.0, 2.0]))


def test_where_refuses_a_condition_that_is_not_boolean():
    with pytest.raises(TypeError, match="where: expected a boolean mask"):
        tg.tensor([1.0, 2.0]).where(tg.tensor([1, 0]), 0.0)


def test_integer_division_by_zero_is_an_error_as_in_pytorch_and_python():
    x = tg.tensor([4, 5])
    for divide in (lambda: x // 0, lambda: x % tg.tensor([1, 0]), lambda: x.fmod(0),
                   lambda: 7 // tg.tensor([0, 1]), lambda: x.div(0, rounding_mode="trunc")):
        with pytest.raises(ZeroDivisionError, match="integer division by zero"):
            divide()
        with pytest.raises(RuntimeError):
            divide()
    assert issubclass(IntegerDivisionByZero, ZeroDivisionError)


def test_div_refuses_an_unknown_rounding_mode():
    with pytest.raises(ValueError, match="rounding_mode must be None, 'trunc' or 'floor'"):
        tg.tensor([1.0]).div(2.0, rounding_mode="round")


def test_a_float_alpha_cannot_scale_integers():
    with pytest.raises(TypeError, match="alpha must not be a float"):
        tg.tensor([1, 2]).add(tg.tensor([1, 1]), alpha=0.5)
    with pytest.raises(TypeError, match="alpha must be a number"):
        tg.tensor([1.0]).sub(1.0, alpha="2")


def test_bits_are_for_booleans_and_integers_only():
    x = tg.tensor([1.0, 0.0])
    for operate in (lambda: x & x, lambda: x | True, lambda: 1 ^ x, lambda: ~x):
        with pytest.raises(TypeError, match="logical_"):
            operate()
    np.testing.assert_array_equal((x > 0).logical_and(x).data, [True, False])


def test_comparisons_of_whole_tensors_give_python_bools():
    x = tg.tensor([1.0, 2.0, np.nan])
    assert x.equal(x) is False  # nan is not equal to nan
    assert x[:2].equal(tg.tensor([1, 2])) is True
    assert x[:2].equal(x[:1]) is False
    assert x.allclose(x, equal_nan=True) is True
    assert x.allclose(x + 1e-3) is False and x.allclose(x + 1e-3, atol=1e-2, equal_nan=True)
    close = x.isclose(x, equal_nan=True)
    assert close.dtype == np.bool_ and close.data.all()


# ------------------------------------------------------------------ in place

IN_PLACE = {
    "add_": lambda t, lib: t.add_(lib.tensor([1.0, 2.0, 3.0]), alpha=2),
    "sub_": lambda t, lib: t.sub_(1.5, alpha=-1),
    "mul_": lambda t, lib: t.mul_(lib.tensor(3.0)),
    "div_": lambda t, lib: t.div_(lib.tensor([2.0, -2.0, 4.0])),
    "div_floor": lambda t, lib: t.div_(2.0, rounding_mode="floor"),
    "div_trunc": lambda t, lib: t.div_(-2.0, rounding_mode="trunc"),
    "clamp_": lambda t, lib: t.clamp_(-1.0, 1.0),
    "clamp_tensor": lambda t, lib: t.clamp_(min=lib.tensor([0.0, 5.0, -5.0])),
    "zero_": lambda t, lib: t.zero_(),
    "fill_": lambda t, lib: t.fill_(2.5),
    "fill_tensor": lambda t, lib: t.fill_(lib.tensor(-1.0)),
    "copy_": lambda t, lib: t.copy_(lib.tensor([7, 8, 9])),
    "copy_broadcast": lambda t, lib: t.copy_(lib.tensor(4.0)),
}


@pytest.mark.parametrize("op", IN_PLACE)
def test_in_place_updates_match_pytorch_and_return_the_tensor(op):
    ours = tg.tensor([-2.5, 0.5, 3.0])
    theirs = torch.tensor([-2.5, 0.5, 3.0])
    assert IN_PLACE[op](ours, tg) is ours
    IN_PLACE[op](theirs, torch)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("op", IN_PLACE)
def test_in_place_updates_of_a_leaf_that_requires_grad_need_no_grad_as_in_pytorch(op):
    x = tg.tensor([-2.5, 0.5, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        IN_PLACE[op](x, tg)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        IN_PLACE[op](torch.tensor([-2.5, 0.5, 3.0], requires_grad=True), torch)
    np.testing.assert_array_equal(x.data, [-2.5, 0.5, 3.0])
    with tg.no_grad():
        assert IN_PLACE[op](x, tg) is x


@pytest.mark.parametrize("update", [
    lambda t: t.add_(1.5), lambda t: t.mul_(0.5), lambda t: t.div_(2),
    lambda t: t.clamp_(0.5), lambda t: t.div_(2.5, rounding_mode="floor"),
    lambda t: t.add_(tg.tensor([1, 1]), alpha=0.5),
])
def test_in_place_updates_refuse_a_result_an_integer_tensor_cannot_hold(update):
    x = tg.tensor([3, 4])
    with pytest.raises(TypeError):
        update(x)
    np.testing.assert_array_equal(x.data, [3, 4])


def test_in_place_updates_refuse_other_shapes():
    x = tg.zeros(2, 1)
    with pytest.raises(ValueError, match="add_"):
        x.add_(tg.ones(3))
    with pytest.raises(ValueError, match="copy_"):
        x.copy_(tg.ones(3))
    with pytest.raises(ValueError, match="fill_"):
        x.fill_(tg.ones(1))
    np.testing.assert_array_equal(x.data, np.zeros((2, 1)))
