"""NumPy's semantics for NumPy functions called on tensors: the six silently wrong results of
issue 15, NumPy's positional signatures, its defaults and errors, and no silent graph drops.

Each check calls the same NumPy function on a tensor and on its array and compares."""

import inspect

import numpy as np
import pytest

import tapegrad as tg
import tapegrad.nn.functional as F
from tapegrad import numpy_protocol


def _leaf(values, dtype=np.float64):
    return tg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def _same_as_numpy(call, *arrays, rtol=1e-12):
    """call(*tensors) has NumPy's values, shape and dtype for call(*arrays)."""
    ours = call(*[tg.tensor(a) for a in arrays])
    expected = call(*arrays)
    if isinstance(expected, (tuple, list)):
        assert len(ours) == len(expected)
        for mine, theirs in zip(ours, expected):
            _equal(mine, theirs, rtol)
    else:
        _equal(ours, expected, rtol)


def _equal(ours, expected, rtol):
    values = ours.data if isinstance(ours, tg.Tensor) else np.asarray(ours)
    assert values.shape == np.shape(expected)
    assert values.dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(values, expected, rtol=rtol, atol=1e-12)


# ------------------------------------------------------------------ the six silent bugs

def test_array_of_tensors_that_require_grad_raises_instead_of_dropping_the_graph():
    x = _leaf([1.0, 2.0])
    for convert in (lambda: np.array([x, 2 * x]), lambda: np.mean([x, x + 2]),
                    lambda: np.array(x), lambda: np.asarray(x)):
        with pytest.raises(RuntimeError, match=r"tg.stack.*t.detach\(\).numpy\(\)"):
            convert()
    assert x.grad_fn is None and np.array_equal(x.data, [1.0, 2.0])


def test_array_of_a_tensor_without_grad_is_its_data():
    x = tg.tensor([1.0, 2.0])
    assert np.shares_memory(np.asarray(x), x.data) and type(np.asarray(x)) is np.ndarray
    np.testing.assert_array_equal(np.array([x.detach(), x]), [[1.0, 2.0], [1.0, 2.0]])


@pytest.mark.parametrize("shapes", [((2, 3), (2, 3, 4)), ((2, 2, 3), (2, 3, 4)), ((3,), (2, 3, 4)),
                                    ((2, 3), (3,)), ((4,), (4,)), ((2, 3), (3, 2))])
def test_dot_has_numpys_nd_meaning(shapes, rng):
    a, b = (rng.standard_normal(shape) for shape in shapes)
    _same_as_numpy(np.dot, a, b)
    x, y = _leaf(a), _leaf(b)
    assert tg.gradcheck(np.dot, x, y)


def test_dot_with_a_scalar_multiplies():
    x = _leaf([1.0, 2.0])
    _same_as_numpy(lambda t: np.dot(t, 2.0), np.array([1.0, 2.0]))
    np.dot(2.0, x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_std_of_equal_values_has_zero_gradient():
    x = _leaf([3.0, 3.0, 3.0])
    np.std(x).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


def test_power_zero_at_zero_has_zero_gradient():
    x = _leaf([0.0, 2.0])
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    x.zero_grad()
    np.power(x, 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_concatenate_axis_none_flattens():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    _same_as_numpy(lambda t: np.concatenate([t, t], axis=None), x.data)
    np.concatenate([x, x], axis=None).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 2), 2.0))


def test_squeeze_of_an_axis_longer_than_one_raises_as_numpy():
    x = _leaf([1.0, 2.0])
    with pytest.raises(ValueError, match="cannot select an axis to squeeze"):
        np.squeeze(x, 0)
    with pytest.raises(ValueError):
        np.squeeze(x.data, 0)
    _same_as_numpy(lambda t: np.squeeze(t, (0, 2)), np.zeros((1, 3, 1)))
    assert x.squeeze(0).shape == (2,)  # the method keeps PyTorch's meaning


# ------------------------------------------------------------------ NumPy's signatures

REDUCTIONS = [np.sum, np.prod, np.mean, np.nansum, np.nanmean, np.cumsum, np.cumprod,
              np.var, np.std, np.nanvar, np.nanstd]


@pytest.mark.parametrize("reduction", REDUCTIONS, ids=lambda f: f.__name__)
def test_positional_dtype_is_honoured(reduction, rng):
    """``np.sum(t, 0, np.float64)``: NumPy's third positional argument is the dtype."""
    array = rng.uniform(0.5, 1.5, (3, 4)).astype(np.float32)
    # (NumPy's nanvar keeps its deviations in float32 whatever the dtype: float32's precision)
    _same_as_numpy(lambda t: reduction(t, 0, np.float64), array, rtol=1e-6)


@pytest.mark.parametrize("reduction", [np.sum, np.prod, np.mean, np.max, np.min, np.all, np.any,
                                       np.nansum, np.nanmean, np.nanmax, np.nanmin, np.var,
                                       np.std, np.ptp, np.median, np.argmax, np.argmin],
                         ids=lambda f: f.__name__)
def test_every_reduction_takes_numpys_positional_order(reduction, rng):
    array = rng.uniform(-1.5, 1.5, (3, 4))
    signature = inspect.signature(reduction)
    names = list(signature.parameters)
    arguments = {"axis": 1, "dtype": None, "out": None, "keepdims": True,
                 "overwrite_input": False}
    positional = []
    for name in names[1:]:
        keyword_only = signature.parameters[name].kind == inspect.Parameter.KEYWORD_ONLY
        if name not in arguments or keyword_only:
            break
        positional.append(arguments[name])
    _same_as_numpy(lambda t: reduction(t, *positional), array)


def test_handlers_accept_numpys_keyword_names():
    """Every handler written for NumPy's meaning accepts each keyword its NumPy function has
    (those it supports, or refuses by name with a TypeError)."""
    missing = []
    for function, handler in numpy_protocol.NUMPY_MEANINGS.items():
        if handler.__module__ in ("tapegrad.routines",) or handler.__name__ == "<lambda>":
            continue
        try:
            ours = inspect.signature(handler).parameters
            theirs = inspect.signature(function).parameters
        except (TypeError, ValueError):
            continue
        for name, parameter in theirs.items():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if name not in ours and not any(p.kind == p.VAR_KEYWORD for p in ours.values()):
                missing.append(f"{function.__name__}({name}=)")
    assert missing == []


# ------------------------------------------------------------------ defaults and results

CALLS = {
    "var ddof 0": lambda t: np.var(t), "std axis": lambda t: np.std(t, axis=1),
    "mean of ints": lambda t: np.mean(t.astype(np.int64) if isinstance(t, tg.Tensor)
                                      else t.astype(np.int64)),
    "max initial": lambda t: np.max(t, axis=0, initial=5.0),
    "sum where": lambda t: np.sum(t, where=np.array([True, False, True, False])),
    "median even": lambda t: np.median(t), "quantile q list": lambda t: np.quantile(t, [0.1, 0.9]),
    "percentile keepdims": lambda t: np.percentile(t, 40, axis=0, keepdims=True),
    "average returned": lambda t: np.average(t, axis=1, weights=[1.0, 2.0, 3.0, 4.0],
                                             returned=True),
    "cumsum flat": lambda t: np.cumsum(t), "diff n": lambda t: np.diff(t, n=2),
    "gradient both axes": lambda t: np.gradient(t, 2.0),
    "count_nonzero axis": lambda t: np.count_nonzero(t > 0, axis=1),
    "transpose": lambda t: np.transpose(t), "swapaxes": lambda t: np.swapaxes(t, 0, 1),
    "flip default": lambda t: np.flip(t), "rot90": lambda t: np.rot90(t),
    "roll flat": lambda t: np.roll(t, 3), "repeat flat": lambda t: np.repeat(t, 2),
    "tile": lambda t: np.tile(t, (2, 1)), "resize": lambda t: np.resize(t, (5, 3)),
    "split unequal list": lambda t: np.array_split(t, 3, axis=1),
    "split indices": lambda t: np.split(t, [1, 3], axis=1),
    "hstack": lambda t: np.hstack([t, t]), "vstack": lambda t: np.vstack([t, t]),
    "dstack": lambda t: np.dstack([t, t]), "column_stack": lambda t: np.column_stack([t, t]),
    "append flat": lambda t: np.append(t, t), "insert list": lambda t: np.insert(t, [1, 3], 0.5),
    "insert axis": lambda t: np.insert(t, 2, [7.0, 8.0, 9.0], axis=1),
    "delete": lambda t: np.delete(t, 1, axis=0), "take clip": lambda t: np.take(t, [0, 99],
                                                                                 mode="clip"),
    "sort flat": lambda t: np.sort(t, axis=None), "argsort": lambda t: np.argsort(t),
    "unique all": lambda t: np.unique(np.round(t), return_index=True, return_inverse=True,
                                      return_counts=True),
    "searchsorted": lambda t: np.searchsorted(np.sort(t, axis=None), [0.0, 1.0], side="right"),
    "atleast_3d": lambda t: np.atleast_3d(t[0]), "tril vector": lambda t: np.tril(t[0]),
    "diag build": lambda t: np.diag(t[0], -1), "trace offset": lambda t: np.trace(t, -1),
    "kron": lambda t: np.kron(t, t[:2, :2]), "einsum diag": lambda t: np.einsum("ii->i", t[:, :3]),
    "einsum implicit": lambda t: np.einsum("ij,kj", t, t),
    "tensordot int": lambda t: np.tensordot(t, t.T, 1), "inner": lambda t: np.inner(t, t),
    "norm matrix -inf": lambda t: np.linalg.norm(t, -np.inf),
    "norm vector 0": lambda t: np.linalg.norm(t[0], 0),
    "norm keepdims": lambda t: np.linalg.norm(t, keepdims=True),
    "zeros_like": lambda t: np.zeros_like(t), "full_like dtype": lambda t: np.full_like(
        t, 2, dtype=np.int32), "linspace no endpoint": lambda t: np.linspace(t[0, 0], t[1, 1], 4,
                                                                          endpoint=False),
    "meshgrid sparse": lambda t: np.meshgrid(t[0], t[1], sparse=True),
    "pad int width": lambda t: np.pad(t, 1, mode="symmetric"),
    "pad stat_length": lambda t: np.pad(t, 2, mode="mean", stat_length=2),
    "isclose": lambda t: np.isclose(t, t + 1e-9), "allclose": lambda t: np.allclose(t, t),
    "array_equal": lambda t: np.array_equal(t, t),
    "exp where": lambda t: np.exp(t, where=np.ones((3, 4), bool)),
}


@pytest.mark.filterwarnings("ignore:'where' used without 'out'")  # NumPy's, on the array
@pytest.mark.parametrize("name", sorted(CALLS))
def test_numpy_calls_on_tensors_give_numpys_results(name, rng):
    _same_as_numpy(CALLS[name], rng.uniform(-2, 2, (3, 4)))


ERRORS = {
    "split unequal": lambda t: np.split(t, 3, axis=1),
    "vsplit 1-d": lambda t: np.vsplit(t[0], 2),
    "concatenate ndim": lambda t: np.concatenate([t, t[0]]),
    "stack shapes": lambda t: np.stack([t, t[0]]),
    "quantile range": lambda t: np.quantile(t, 1.5),
    "cross size": lambda t: np.cross(t, t),
    "inv not square": lambda t: np.linalg.inv(t),
    "solve shapes": lambda t: np.linalg.solve(t[:, :3], t[0]),
    "pad negative": lambda t: np.pad(t, -1),
    "select lengths": lambda t: np.select([t > 0], [t, t]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_arguments_raise_as_numpy(name, rng):
    array = rng.uniform(-2, 2, (3, 4))
    with pytest.raises((ValueError, TypeError, np.linalg.LinAlgError)):
        ERRORS[name](array)
    x = tg.tensor(array, requires_grad=True)
    with pytest.raises((ValueError, TypeError, np.linalg.LinAlgError)):
        ERRORS[name](x)
    assert np.array_equal(x.data, array) and x.grad_fn is None


# ------------------------------------------------------------------ no silent drops

def test_unknown_numpy_function_names_itself_and_the_way_to_an_array():
    x = _leaf([1.0, 2.0])
    with pytest.raises(TypeError, match=r"numpy.correlate is not supported.*t.detach\(\)"):
        np.correlate(x, x)
    with pytest.raises(TypeError, match="numpy.ldexp is not supported"):
        np.ldexp(x, 2)
    with pytest.raises(TypeError, match="numpy.add.outer is not supported"):
        np.add.outer(x, x)


def test_ufunc_out_is_refused_by_name_and_dtype_where_are_supported():
    x = _leaf([1.0, 2.0], np.float32)
    with pytest.raises(TypeError, match="numpy.exp on tapegrad Tensors: out="):
        np.exp(x, out=np.empty(2))
    with pytest.raises(TypeError, match="casting= is not supported"):
        np.exp(x, casting="unsafe")
    assert np.exp(x, dtype=np.float64).dtype == np.float64
    y = np.exp(x, where=np.array([True, False]))
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [np.e, 0.0], rtol=1e-6)


def test_reductions_refuse_out_by_name():
    x = _leaf([1.0, 2.0])
    for reduction in (np.sum, np.mean, np.max, np.std, np.cumsum):
        with pytest.raises(TypeError, match=f"numpy.{reduction.__name__} on tapegrad Tensors: "
                                            "out="):
            reduction(x, out=np.empty(()))


def test_all_of_a_comparison_is_an_ordinary_assertion():
    o = tg.ones(3, requires_grad=True) * 1
    assert np.all(o == 1)
    assert not np.any(o > 1)
    assert np.allclose(o, 1.0) is True


def test_put_along_axis_is_functional():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    values = _leaf([[10.0], [20.0]])
    result = np.put_along_axis(x, np.array([[1], [0]]), values, 1)
    np.testing.assert_array_equal(result.data, [[1.0, 10.0], [20.0, 4.0]])
    np.testing.assert_array_equal(x.data, [[1.0, 2.0], [3.0, 4.0]])  # arr is left as it was
    result.sum().backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(values.grad, [[1.0], [1.0]])


def test_unique_values_are_differentiable():
    x = _leaf([2.0, 1.0, 2.0])
    values, counts = np.unique(x, return_counts=True)
    (values * np.array([1.0, 10.0])).sum().backward()
    np.testing.assert_array_equal(counts.data, [1, 2])
    np.testing.assert_array_equal(x.grad, [10.0, 1.0, 0.0])


def test_linspace_is_differentiable_in_its_endpoints():
    start, stop = _leaf(0.0), _leaf(1.0)
    assert tg.gradcheck(lambda a, b: np.linspace(a, b, 5), start, stop)
    assert tg.gradcheck(lambda a, b: np.geomspace(a + 1, b + 2, 4), start, stop)


def test_svd_full_matrices_completes_the_basis(rng):
    array = rng.standard_normal((4, 2))
    u, s, vh = np.linalg.svd(tg.tensor(array))
    assert u.shape == (4, 4) and s.shape == (2,) and vh.shape == (2, 2)
    np.testing.assert_allclose(u.data.T @ u.data, np.eye(4), atol=1e-12)


def test_eigh_upper_reads_the_upper_triangle(rng):
    array = rng.standard_normal((3, 3))
    values, vectors = np.linalg.eigh(tg.tensor(array), UPLO="U")
    expected = np.linalg.eigh(array, UPLO="U")
    np.testing.assert_allclose(values.data, expected.eigenvalues)


# ------------------------------------------------------------------ F.pad's modes

@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_functional_pad_modes_match_pytorch(mode, rng, torch):
    array = rng.standard_normal((2, 3, 4, 5))
    widths = (2, 1, 3, 0)
    x = tg.tensor(array, requires_grad=True)
    theirs = torch.tensor(array, requires_grad=True)
    out = F.pad(x, widths, mode=mode)
    torch_out = torch.nn.functional.pad(theirs, widths, mode=mode)
    np.testing.assert_allclose(out.data, torch_out.detach().numpy())
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    torch_out.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, theirs.grad.numpy(), rtol=1e-12)
    assert tg.gradgradcheck(lambda t: F.pad(t, widths, mode=mode), tg.tensor(
        array[:1, :1], requires_grad=True))


def test_functional_pad_bad_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="pad: mode 'mirror'"):
        F.pad(tg.zeros(1, 2, 3), (1, 1), mode="mirror")


INTEGER_CALLS = {
    "var": lambda t: np.var(t), "std axis": lambda t: np.std(t, 1),
    "nanvar": lambda t: np.nanvar(t), "mean": lambda t: np.mean(t, 0),
    "median": lambda t: np.median(t),
    "quantile": lambda t: np.quantile(t, 0.3), "copysign": lambda t: np.copysign(t, -1),
    "pad mean": lambda t: np.pad(t, 1, "mean"), "pad median": lambda t: np.pad(t, (1, 2), "median"),
    "tan": lambda t: np.tan(t), "sum bool": lambda t: np.sum(t > 0, 1),
}


@pytest.mark.parametrize("name", sorted(INTEGER_CALLS))
def test_integer_tensors_follow_numpys_dtype_rules(name):
    _same_as_numpy(INTEGER_CALLS[name], np.arange(12).reshape(3, 4) - 5)
