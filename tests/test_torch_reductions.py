"""PyTorch's reductions, sorting, cumulative ops and products: the named tuples, the indices,
the errors, and the inputs the op table cannot express (ties, nans, zeros, integers).

The op table (tests/op_table_reductions.py) checks every op's values, gradients and second
derivatives on random inputs; each test here names the one thing it proves.
"""

import numpy as np
import pytest
from op_case import OpCase
from op_table import derivatives, torch_derivatives

import tapegrad as tg

INF = float("inf")
NAN = float("nan")


def _matches_torch(fn, torch_fn, *arrays, second: bool = True, rtol: float = 1e-10):
    """fn and torch_fn agree at ``arrays``: values, gradients and (with ``second``) second
    derivatives, for a random output gradient and direction."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    case = OpCase("check", fn, None, tuple(a.shape for a in arrays), torch_fn=torch_fn)
    rng = np.random.default_rng(0)
    shape = fn(*map(tg.tensor, arrays)).shape
    upstream = rng.standard_normal(shape)
    direction = [rng.standard_normal(a.shape) for a in arrays] if second else None
    ours = derivatives(case, arrays, upstream, direction)
    theirs = torch_derivatives(case, arrays, upstream, direction)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=rtol, atol=1e-12, err_msg="value")
    for what, mine, reference in [("gradient", ours[1], theirs[1]),
                                  ("second derivative", ours[2] or [], theirs[2] or [])]:
        for position, (a, b) in enumerate(zip(mine, reference)):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12,
                                       err_msg=f"{what} of input {position}")


def _same(ours, theirs):
    """A tapegrad result equals a torch result: values (to rounding; nan where nan), shape
    and dtype."""
    expected = theirs.detach().numpy()
    assert ours.shape == expected.shape and ours.dtype == expected.dtype, (ours, theirs)
    np.testing.assert_allclose(ours.data, expected, rtol=1e-14, atol=0)


# ---------------------------------------------------------------------- named tuples

def test_max_along_a_dim_is_a_named_tuple_of_values_and_indices():
    x = tg.tensor([[1.0, 5.0, 2.0], [3.0, 2.0, 4.0]], requires_grad=True)
    result = x.max(dim=1)
    values, indices = result
    assert isinstance(result, tuple) and isinstance(result, tg.return_types.max)
    assert result.values is values and result.indices is indices and result[1] is indices
    np.testing.assert_array_equal(values.data, [5.0, 4.0])
    assert indices.dtype == np.int64 and indices.tolist() == [1, 2]
    assert repr(result) == ("tg.return_types.max(values=tensor([5., 4.], grad_fn=<Max>), "
                            "indices=tensor([1, 2]))")
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert x.max(1, True).values.shape == (2, 1) and x.max(1, keepdim=True).indices.shape == (2, 1)
    assert x.max(axis=-1, keepdims=True).indices.shape == (2, 1)  # NumPy's spelling
    assert tg.max(x, dim=0).indices.tolist() == [1, 0, 1]


SELECTING = [
    ("max", lambda x: x.max(1)), ("min", lambda x: x.min(0, keepdim=True)),
    ("sort", lambda x: x.sort(dim=0, descending=True)), ("sort", lambda x: x.sort()),
    ("topk", lambda x: x.topk(2)), ("topk", lambda x: x.topk(3, dim=0, largest=False)),
    ("kthvalue", lambda x: x.kthvalue(3, 0, True)), ("median", lambda x: x.median(dim=1)),
    ("nanmedian", lambda x: x.nanmedian(0)), ("mode", lambda x: x.mode(0)),
]


@pytest.mark.parametrize("name, call", SELECTING)
def test_each_selecting_op_returns_pytorchs_named_tuple(name, call, torch):
    array = np.random.default_rng(1).standard_normal((4, 5))  # no ties
    ours, theirs = call(tg.tensor(array)), call(torch.tensor(array))
    assert type(ours).__name__ == type(theirs).__name__ == name
    assert ours._fields == ("values", "indices")
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)


def test_aminmax_is_a_named_tuple_of_min_and_max(torch):
    array = np.random.default_rng(2).standard_normal((3, 4))
    ours, theirs = tg.tensor(array).aminmax(dim=1), torch.tensor(array).aminmax(dim=1)
    assert ours._fields == ("min", "max")
    _same(ours.min, theirs.min)
    _same(ours.max, theirs.max)
    low, high = tg.tensor(array).aminmax()
    assert low.shape == high.shape == () and float(low) == array.min()


def test_full_max_is_a_tensor_and_max_of_a_tensor_is_elementwise(torch):
    x = tg.tensor([[1.0, 5.0], [3.0, 2.0]])
    assert isinstance(x.max(), tg.Tensor) and float(x.max()) == 5.0
    np.testing.assert_array_equal(x.max(tg.tensor([2.0, 4.0])).data, [[2.0, 5.0], [3.0, 4.0]])
    np.testing.assert_array_equal(x.min(np.array(2.5)).data, [[1.0, 2.5], [2.5, 2.0]])
    _matches_torch(lambda a, b: a.max(b) * 3 + a.min(b), lambda a, b: a.max(b) * 3 + a.min(b),
                   [[1.0, 0.0, 2.0]], [[1.0, 3.0, -1.0]])  # ties split the gradient


@pytest.mark.parametrize("call", [
    lambda x: x.max(0), lambda x: x.min(-1), lambda x: x.sort(), lambda x: x.topk(1),
    lambda x: x.kthvalue(1), lambda x: x.median(0), lambda x: x.mode(), lambda x: x.argsort(),
    lambda x: x.cumsum(0), lambda x: x.cumprod(-1), lambda x: x.amax(0), lambda x: x.argmax(0),
    lambda x: x.logcumsumexp(0), lambda x: x.sum(0, keepdim=True), lambda x: x.all(0),
])
def test_a_zero_dimensional_tensor_is_a_line_of_one(call, torch):
    ours = call(tg.tensor(3.0, dtype=tg.float64))
    theirs = call(torch.tensor(3.0, dtype=torch.float64))
    for mine, reference in zip(*[r if isinstance(r, tuple) else (r,) for r in (ours, theirs)]):
        _same(mine, reference)


def test_selecting_along_an_empty_or_a_missing_dim_is_a_clear_error():
    with pytest.raises(TypeError, match="max: dim must be an int.*amax"):
        tg.zeros(2, 3).max(dim=(0, 1))
    with pytest.raises(ValueError, match="max: cannot reduce over dimension 1 of size 0"):
        tg.zeros(2, 0).max(1)
    for call in (lambda x: x.median(1), lambda x: x.mode(1), lambda x: x.min(1)):
        with pytest.raises(ValueError, match="dimension 1 of size 0"):
            call(tg.zeros(2, 0))
    with pytest.raises(IndexError, match="dimension out of range"):
        tg.zeros(2, 3).sort(dim=2)
    assert tg.zeros(2, 0).sort(1).values.shape == (2, 0)  # nothing to sort: as PyTorch
    assert tg.zeros(2, 3).topk(0).indices.shape == (2, 0)
    for k in (4, -1, 1.5):
        with pytest.raises(ValueError, match=f"topk: k={k} is out of range for dimension 1"):
            tg.zeros(2, 3).topk(k)
    for k in (0, 4):
        with pytest.raises(ValueError, match="kthvalue: k=.* counts from 1"):
            tg.zeros(2, 3).kthvalue(k)


# ---------------------------------------------------------------------- ties and nans

def test_sort_keeps_equal_values_in_order_as_pytorch_does(torch):
    # PyTorch's CPU sort is stable for lines of up to 16 elements; tapegrad's always is
    array = np.random.default_rng(3).integers(0, 3, size=(6, 16)).astype(float)
    for dim in (0, 1):
        for descending in (False, True):
            ours = tg.tensor(array).sort(dim, descending)
            theirs = torch.tensor(array).sort(dim, descending)
            _same(ours.indices, theirs.indices)
            _same(tg.tensor(array).argsort(dim, descending), theirs.indices)
    _matches_torch(lambda x: x.sort(1).values * x.argsort(1), lambda x: x.sort(1).values
                   * x.argsort(1), array[:, :5])


def test_topk_and_kthvalue_among_ties_give_pytorchs_values_and_the_index_its_gradient(torch):
    array = np.array([[1.0, 3.0, 3.0, 2.0, 3.0, 1.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    for call in (lambda x: x.topk(2), lambda x: x.topk(4, largest=False),
                 lambda x: x.kthvalue(2, keepdim=True), lambda x: x.kthvalue(5)):
        x = tg.tensor(array, requires_grad=True)
        ours, theirs = call(x), call(torch.tensor(array))
        _same(ours.values, theirs.values)
        picked = np.take_along_axis(array, ours.indices.data.reshape(2, -1), 1)
        np.testing.assert_array_equal(picked.reshape(ours.values.shape), ours.values.data)
        ours.values.sum().backward()
        expected = np.zeros_like(array)
        np.put_along_axis(expected, ours.indices.data.reshape(2, -1), 1.0, 1)
        np.testing.assert_array_equal(x.grad, expected)
    assert tg.tensor(array).topk(2).indices.tolist() == [[1, 2], [0, 1]]  # the first ones


def test_max_along_a_dim_gives_ties_to_the_first_and_amax_splits_them(torch):
    array = [[2.0, 5.0, 5.0, 1.0], [3.0, 3.0, 3.0, 3.0]]
    _matches_torch(lambda x: x.max(1).values, lambda x: x.max(1).values, array)
    _matches_torch(lambda x: x.min(0).values, lambda x: x.min(0).values, array)
    _matches_torch(lambda x: x.amax(1), lambda x: x.amax(1), array)
    _matches_torch(lambda x: x.amin((0, 1)), lambda x: x.amin((0, 1)), array)
    _matches_torch(lambda x: x.aminmax(dim=1).max, lambda x: x.aminmax(dim=1).max, array)


def test_the_median_of_all_elements_splits_its_gradient_among_equal_medians(torch):
    _matches_torch(lambda x: x.median(), lambda x: x.median(), [[2.0, 1.0, 2.0], [2.0, 9.0, 0.0]])
    _matches_torch(lambda x: x.nanmedian(), lambda x: x.nanmedian(), [NAN, 1.0, 4.0, 1.0, NAN],
                   second=False)


def test_median_and_mode_along_a_dim_pick_pytorchs_indices_among_ties(torch):
    array = np.random.default_rng(4).integers(0, 4, size=(16, 9)).astype(float)
    for call in (lambda x: x.median(1), lambda x: x.mode(1), lambda x: x.median(0),
                 lambda x: x.mode(0, keepdim=True)):  # lines of up to 16: PyTorch's sort order
        ours, theirs = call(tg.tensor(array)), call(torch.tensor(array))
        _same(ours.values, theirs.values)
        _same(ours.indices, theirs.indices)
    _matches_torch(lambda x: x.mode(1).values, lambda x: x.mode(1).values, array[:5])


def test_nans_are_selected_and_sorted_as_pytorch_does(torch):
    array = np.array([[1.0, NAN, 3.0, NAN], [2.0, 5.0, 7.0, 1.0], [4.0, NAN, NAN, 0.0]])
    for call in (lambda x: x.max(1), lambda x: x.min(0), lambda x: x.median(1),
                 lambda x: x.sort(1), lambda x: x.sort(1, descending=True),
                 lambda x: x.nanmedian(1)):
        ours, theirs = call(tg.tensor(array)), call(torch.tensor(array))
        _same(ours.values, theirs.values)
        _same(ours.indices, theirs.indices)
    for call in (lambda x: x.median(), lambda x: x.nanmedian(), lambda x: x.amax(1),
                 lambda x: x.nansum(1), lambda x: x.nanmean(0), lambda x: x.argsort(1)):
        _same(call(tg.tensor(array)), call(torch.tensor(array)))
    _matches_torch(lambda x: x.nansum(1) + x.nanmean(), lambda x: x.nansum(1) + x.nanmean(),
                   array)  # nans get a gradient of 0


# ---------------------------------------------------------------------- var and std

@pytest.mark.parametrize("call", [
    lambda x: x.var(), lambda x: x.var(1), lambda x: x.var(1, False),
    lambda x: x.var(1, True, True), lambda x: x.var(True), lambda x: x.var(False),
    lambda x: x.var(dim=(0, 1), correction=0),
    lambda x: x.var(0, unbiased=False, keepdim=True), lambda x: x.std(), lambda x: x.std(0),
    lambda x: x.std(dim=1, correction=2), lambda x: x.std(False), lambda x: x.std(1, keepdim=True),
])
def test_var_and_std_are_unbiased_by_default_and_take_pytorchs_arguments(call, torch):
    array = np.random.default_rng(5).standard_normal((3, 4))
    _same(call(tg.tensor(array)), call(torch.tensor(array)))


def test_var_and_std_take_numpys_ddof_as_the_correction():
    x = tg.tensor([1.0, 2.0, 3.0, 4.0])
    assert float(x.var(ddof=0)) == 1.25 and float(x.var(axis=0, ddof=2)) == 2.5
    assert float(x.std(ddof=0)) == pytest.approx(np.std([1.0, 2.0, 3.0, 4.0]))


def test_var_refuses_two_corrections_a_numpy_positional_ddof_and_integers():
    x = tg.tensor([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="var: pass one of unbiased=, correction= or ddof="):
        x.var(unbiased=True, correction=1)
    with pytest.raises(TypeError, match="std: unbiased must be a bool.*correction="):
        x.std(0, 1)  # NumPy's std(axis, ddof) would mean ddof=1: say so instead of guessing
    with pytest.raises(TypeError, match="var: expected a floating tensor"):
        tg.tensor([1, 2, 3]).var()


# ---------------------------------------------------------------------- sums, truth, counts

def test_sums_and_means_take_a_dtype_and_an_integer_mean_needs_one(torch):
    integers = np.array([[1, 0, 2], [0, 0, 3]])
    for call in (lambda x: x.sum(), lambda x: x.sum(1), lambda x: x.int().sum(0),
                 lambda x: x.bool().sum(), lambda x: x.prod(1), lambda x: x.nansum(0)):
        _same(call(tg.tensor(integers)), call(torch.tensor(integers)))
    _same(tg.tensor(integers).mean(dtype=tg.float64), torch.tensor(integers).mean(
        dtype=torch.float64))
    with pytest.raises(TypeError, match="mean: expected a floating tensor, got dtype int64; "
                                        "pass dtype="):
        tg.tensor(integers).mean()
    x = tg.tensor([1.0, 2.0], dtype=tg.float32, requires_grad=True)
    total = x.sum(dtype=tg.float64)
    assert total.dtype == np.float64
    total.backward()
    assert x.grad.dtype == np.float32


def test_unsigned_integers_sum_in_int64_as_pytorch_and_in_uint64_under_numpy(torch):
    # NumPy sums uint8 into uint64, where ``t.sum() - 5`` becomes a float or wraps around.
    pixels = np.array([[1, 0, 2], [0, 0, 3]], dtype=np.uint8)
    for call in (lambda x: x.sum(), lambda x: x.sum(1), lambda x: x.nansum(),
                 lambda x: x.prod(0), lambda x: x.cumsum(1), lambda x: x.cumprod(0),
                 lambda x: x.sum() - 7):
        _same(call(tg.tensor(pixels)), call(torch.from_numpy(pixels)))
    for numpy_call in (np.sum, np.prod, np.cumsum, np.cumprod, np.nansum, np.add.reduce):
        assert numpy_call(tg.tensor(pixels)).dtype == numpy_call(pixels).dtype


@pytest.mark.parametrize("call", [
    lambda x: x.all(), lambda x: x.any(), lambda x: x.all(1), lambda x: x.any(0, keepdim=True),
    lambda x: x.all(dim=(0, 1)), lambda x: x.count_nonzero(), lambda x: x.count_nonzero(0),
    lambda x: x.count_nonzero(dim=(0, 1)), lambda x: x.bool().all(1), lambda x: (x > 1).int().any(),
])
def test_all_any_and_count_nonzero_are_pytorchs(call, torch):
    array = np.array([[1.0, 0.0, 2.0], [0.0, NAN, 3.0]])
    _same(call(tg.tensor(array)), call(torch.tensor(array)))


# ---------------------------------------------------------------------- cumulative

@pytest.mark.parametrize("array", [
    [2.0, 0.0, 3.0, 0.5], [0.0, 2.0, 3.0, 0.5], [2.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0],
    [1.5, -2.0, 0.5, 3.0],
])
def test_cumprod_is_exact_at_zeros_to_the_second_derivative(array, torch):
    matrix = np.array([array, array[::-1]])
    _matches_torch(lambda x: x.cumprod(1), lambda x: x.cumprod(1), matrix, rtol=1e-12)
    _matches_torch(lambda x: x.cumprod(0), lambda x: x.cumprod(0), matrix.T, rtol=1e-12)


def test_logcumsumexp_is_finite_for_huge_logits(torch):
    array = [[1e4, -1e4, 1e4, 0.0], [-1e4, -1e4, 5.0, 1e4]]
    x = tg.tensor(array, requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        y = x.logcumsumexp(1)
        y.sum().backward()
    assert np.isfinite(y.data).all() and np.isfinite(x.grad).all()
    _matches_torch(lambda x: x.logcumsumexp(1), lambda x: x.logcumsumexp(1), array)


def test_cumulative_ops_of_integers_are_int64_and_need_a_dim(torch):
    integers = np.array([[1, 2], [3, 4]], dtype=np.int32)
    for call in (lambda x: x.cumsum(0), lambda x: x.cumprod(1), lambda x: x.bool().cumsum(1),
                 lambda x: x.cumsum(1, dtype=tg.float64 if isinstance(x, tg.Tensor)
                                    else torch.float64)):
        _same(call(tg.tensor(integers)), call(torch.tensor(integers)))
    with pytest.raises(TypeError, match="cumsum: dim must be an int, got None"):
        tg.zeros(3).cumsum()
    with pytest.raises(IndexError, match="cumprod: dimension out of range"):
        tg.zeros(3).cumprod(1)


# ---------------------------------------------------------------------- norms

@pytest.mark.parametrize("p", ["fro", 2, 1, 3, 0.5, INF, -INF, 0, -1.5])
@pytest.mark.parametrize("dim", [None, 1, (0, 1)])
def test_norm_of_each_order_matches_pytorch(p, dim, torch):
    if p == "fro" and dim == 1:
        dim = (1,)
    array = np.random.default_rng(6).uniform(0.5, 2.0, (3, 4)) * [1, -1, 1, -1]
    _matches_torch(lambda x: x.norm(p, dim), lambda x: x.norm(p, dim), array,
                   second=p not in (INF, -INF, 0))


@pytest.mark.parametrize("p", [2, 1, 3, INF])
def test_norm_of_a_zero_vector_has_gradient_zero_as_in_pytorch(p, torch):
    array = [[0.0, 0.0, 0.0], [3.0, 0.0, -4.0]]
    _matches_torch(lambda x: x.norm(p, 1), lambda x: x.norm(p, 1), array, second=False)


def test_the_second_derivative_of_the_norm_at_a_zero_vector_is_zero():
    # PyTorch's is nan for p = 2 (0 / 0 inside its backward); the norm has none there, and
    # tapegrad gives 0, the subgradient of least norm, as it does for the first derivative
    for p in (2, 3):
        x = tg.tensor([0.0, 0.0], requires_grad=True)
        (grad,) = tg.grad(x.norm(p), [x], create_graph=True)
        (second,) = tg.grad(grad.sum(), [x])
        np.testing.assert_array_equal(second.data, [0.0, 0.0])


def test_norm_refuses_the_nuclear_norm_and_integer_tensors():
    with pytest.raises(ValueError, match="norm: p='nuc' is not supported"):
        tg.ones(2, 2).norm("nuc")
    with pytest.raises(TypeError, match="norm: expected a floating tensor"):
        tg.tensor([1, 2]).norm()
    with pytest.raises(ValueError, match="Norm: the inf norm of no elements is undefined"):
        tg.zeros(0).norm(INF)
    assert float(tg.zeros(0).norm()) == 0.0 and tg.tensor([1, 2]).norm(dtype=tg.float64) > 2


@pytest.mark.parametrize("p", [1, 3, INF])
def test_dist_of_other_orders_matches_pytorch(p, torch):
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4,))
    _matches_torch(lambda x, y: x.dist(y, p), lambda x, y: x.dist(y, p), a, b, second=p != INF)


@pytest.mark.parametrize("p, dim, maxnorm", [(1, 1, 3.0), (INF, -1, 1.5), (3, 0, 2.0)])
def test_renorm_of_other_orders_matches_pytorch(p, dim, maxnorm, torch):
    rng = np.random.default_rng(7)
    array = rng.uniform(0.5, 2.0, (2, 3, 4)) * rng.choice([-1, 1], (2, 3, 4))
    _matches_torch(lambda x: x.renorm(p, dim, maxnorm), lambda x: x.renorm(p, dim, maxnorm),
                   array)


def test_renorm_refuses_what_pytorch_refuses():
    with pytest.raises(ValueError, match="renorm: input needs at least 2 dimensions"):
        tg.ones(3).renorm(2, 0, 1.0)
    with pytest.raises(ValueError, match="renorm: p must be > 0"):
        tg.ones(2, 2).renorm(0, 0, 1.0)
    with pytest.raises(ValueError, match="renorm: maxnorm must be >= 0"):
        tg.ones(2, 2).renorm(2, 0, -1.0)


# ---------------------------------------------------------------------- matrix products

@pytest.mark.parametrize("call, message", [
    (lambda: tg.ones(3).mm(tg.ones(3, 2)), r"mm: expected matrices, got shapes \(3,\)"),
    (lambda: tg.ones(3, 2).mm(tg.ones(3, 2)), r"mm: cannot multiply shapes \(3, 2\) and \(3, 2"),
    (lambda: tg.ones(2, 3, 2).bmm(tg.ones(3, 2, 2)), "bmm: batch sizes differ"),
    (lambda: tg.ones(3, 2).bmm(tg.ones(2, 2)), "bmm: expected 3-d tensors"),
    (lambda: tg.ones(3, 2).mv(tg.ones(3)), "mv: cannot multiply"),
    (lambda: tg.ones(3, 2).dot(tg.ones(3, 2)), "dot: expected 1-d tensors"),
    (lambda: tg.ones(3).dot(tg.ones(2)), "dot: cannot multiply"),
    (lambda: tg.ones(3, 2).outer(tg.ones(3)), "outer: expected 1-d tensors"),
    (lambda: tg.ones(2, 2).addmm(tg.ones(2, 3), tg.ones(3, 3)), "addmm: self of shape"),
    (lambda: tg.ones(2, 2, 2).trace(), "Trace: expected a matrix"),
])
def test_matrix_products_refuse_the_shapes_pytorch_refuses(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_addmm_with_beta_zero_ignores_self_and_trace_takes_any_matrix(torch):
    nan_self = tg.full((2, 2), NAN)
    np.testing.assert_array_equal(nan_self.addmm(tg.eye(2), tg.ones(2, 2), beta=0).data,
                                  np.ones((2, 2)))
    _matches_torch(lambda x: x.trace(), lambda x: x.trace(), np.arange(6.0).reshape(2, 3))
    _same(tg.tensor([[1, 2], [3, 4]], dtype=tg.int32).trace(),
          torch.tensor([[1, 2], [3, 4]], dtype=torch.int32).trace())
    _same(tg.ger(np.array([1.0, 2.0]), tg.tensor(np.array([3.0]))), torch.ger(
        torch.tensor([1.0, 2.0], dtype=torch.float64), torch.tensor([3.0], dtype=torch.float64)))


EINSUMS = [
    ("i,i->", [(4,), (4,)]), ("i,j->ij", [(3,), (4,)]), ("ij->ji", [(3, 4)]), ("ij->", [(3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]), ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ijk,ik->j", [(2, 3, 4), (2, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ba", [(2, 3)]),
    ("ij,ij->i", [(3, 1), (3, 4)]), ("i,j,k->ijk", [(2,), (3,), (2,)]),
    ("ab , bc -> ca", [(2, 3), (3, 2)]),
]


@pytest.mark.parametrize("equation, shapes", EINSUMS, ids=[e for e, _ in EINSUMS])
def test_einsum_matches_pytorch(equation, shapes, torch):
    rng = np.random.default_rng(8)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    _matches_torch(lambda *x: tg.einsum(equation, *x),
                   lambda *x: torch.einsum(equation, *x), *arrays)


def test_einsum_takes_its_operands_as_a_list_and_arrays():
    a, b = np.ones((2, 3)), np.ones((3,))
    np.testing.assert_array_equal(tg.einsum("ij,j->i", [tg.tensor(a), b]).data, [3.0, 3.0])


@pytest.mark.parametrize("equation, shapes, message", [
    ("...ij->ij", [(2, 3)], r"ellipsis \('...'\) is not supported"),
    ("ii->i", [(3, 3)], "a letter repeated within one operand"),
    ("ij,jk->ik", [(2, 3)], "'ij,jk->ik' has subscripts for 2 operands but 1 were given"),
    ("ijk->i", [(2, 3)], "operand 0 has 2 dimensions"),
    ("ij,jk->ik", [(2, 3), (4, 5)], "subscript 'j' has size 4 in one operand and 3"),
    ("ij->k", [(2, 3)], "output subscript 'k' appears in no operand"),
    ("i1->i", [(2, 3)], "subscripts must be letters"),
])
def test_einsum_says_what_it_does_not_support(equation, shapes, message):
    with pytest.raises(ValueError, match=f"einsum: {message}"):
        tg.einsum(equation, *[tg.ones(*shape) for shape in shapes])


@pytest.mark.parametrize("p", [0, 1, 2, 3, 0.5, INF])
def test_cdist_matches_pytorch(p, torch):
    rng = np.random.default_rng(9)
    x1, x2 = rng.standard_normal((2, 3, 4)), rng.standard_normal((1, 5, 4))
    _matches_torch(lambda a, b: tg.cdist(a, b, p=p), lambda a, b: torch.cdist(a, b, p=p),
                   x1, x2, second=False)


def test_cdist_has_gradient_zero_at_distance_zero(torch):
    points = [[0.0, 1.0], [2.0, 2.0]]
    _matches_torch(lambda a, b: tg.cdist(a, b), lambda a, b: torch.cdist(a, b), points, points,
                   second=False)
    with pytest.raises(ValueError, match=r"Cdist: expected \(\.\.\., P, M\)"):
        tg.cdist(tg.ones(3, 2), tg.ones(3, 4))
    with pytest.raises(ValueError, match="Cdist: p must be >= 0"):
        tg.cdist(tg.ones(3, 2), tg.ones(3, 2), p=-1)


# ---------------------------------------------------------------------- NumPy's meanings

def test_numpy_functions_on_tensors_keep_numpys_meanings():
    array = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    x = tg.tensor(array, requires_grad=True)
    for ours, expected in [
        (np.max(x, axis=1), np.max(array, axis=1)), (np.amin(x, axis=(0, 1)), 0.0),
        (np.var(x), np.var(array)), (np.std(x, axis=0, ddof=1), np.std(array, 0, ddof=1)),
        (np.sort(x), np.sort(array)), (np.sort(x, axis=None), np.sort(array, axis=None)),
        (np.cumsum(x), np.cumsum(array)), (np.cumprod(x, axis=0), np.cumprod(array, 0)),
        (np.einsum("ij->j", x), array.sum(0)), (np.nansum(x, axis=1), array.sum(1)),
        (np.trace(x[:, :2]), 8.0),
    ]:
        assert isinstance(ours, tg.Tensor) and ours.requires_grad
        np.testing.assert_allclose(ours.data, expected)
    np.testing.assert_array_equal(np.argsort(x, axis=0).data, np.argsort(array, axis=0))
    assert np.all(x > -1).item() is True
    assert float(np.mean(tg.tensor([1, 2]))) == 1.5  # NumPy averages integers; t.mean() refuses
