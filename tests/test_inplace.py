"""In-place ops as PyTorch has them: version counters, history rebased, setitem recorded.

Each scenario runs the same code on tapegrad and on PyTorch and expects the same outcome: the
same gradients, or a RuntimeError from both that says a saved value was modified in place.
"""

import numpy as np
import pytest

import tapegrad as tg

torch = pytest.importorskip("torch", reason="PyTorch is not installed")

MODIFIED = "modified by an inplace operation"


def _leaf(lib, values, requires_grad=True):
    tensor = lib.tensor(np.asarray(values, dtype=np.float64))
    return tensor.requires_grad_(requires_grad)


def _no_grad(lib):
    return lib.no_grad()


def _outcome(lib, scenario):
    """('grads', [arrays]) or ('raises', message) for one library."""
    try:
        grads = scenario(lib)
    except RuntimeError as error:
        return "raises", str(error)
    return "grads", [np.asarray(grad.detach() if hasattr(grad, "detach") else grad)
                     for grad in grads]


def _same_outcome(scenario, expect):
    ours, theirs = _outcome(tg, scenario), _outcome(torch, scenario)
    assert ours[0] == theirs[0] == expect, (ours, theirs)
    if expect == "raises":
        assert MODIFIED in ours[1] and MODIFIED in theirs[1]
    else:
        for mine, reference in zip(ours[1], theirs[1]):
            np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-12)
    return ours[1]


# ----------------------------------------------------------------- the seven scenarios


def _constant_changed_in_grad_mode(lib):
    x, c = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0], requires_grad=False)
    y = (x * c).sum()
    c += 10
    y.backward()
    return [x.grad]


def _leaf_changed_under_no_grad(lib):
    x = _leaf(lib, [1.0, 2.0])
    y = (x * x).sum()
    with _no_grad(lib):
        x += 1
    y.backward()
    return [x.grad]


def _detached_view_assigned(lib):
    x = _leaf(lib, [1.0, 2.0])
    y = (x * x).sum()
    x.detach()[0] = 5.0
    y.backward()
    return [x.grad]


def _non_leaf_changed_with_imul(lib):
    x = _leaf(lib, [1.0, 2.0])
    h = x.exp()  # exp's backward reads its output
    h *= 2
    h.sum().backward()
    return [x.grad]


def _optimizer_step_between_backwards(lib):
    w = _leaf(lib, [1.0, -2.0])
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    lib.optim.SGD([w], lr=0.1).step()
    loss.backward()
    return [w.grad]


def _write_through_a_view(lib):
    x = _leaf(lib, [1.0, 2.0, 3.0])
    c = _leaf(lib, [1.0, 2.0, 3.0], requires_grad=False)
    y = (x * c).sum()
    c[1:].add_(1)
    y.backward()
    return [x.grad]


def _assign_into_an_intermediate(lib):
    x = _leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
    h = x * 3
    h[0] = 0.0
    h.sum().backward()
    return [x.grad]


@pytest.mark.parametrize("scenario", [
    _constant_changed_in_grad_mode, _leaf_changed_under_no_grad, _detached_view_assigned,
    _non_leaf_changed_with_imul, _optimizer_step_between_backwards, _write_through_a_view,
])
def test_a_saved_value_changed_in_place_raises_as_in_pytorch(scenario):
    _same_outcome(scenario, "raises")


def test_assigning_into_an_intermediate_gives_pytorchs_gradient():
    (grad,) = _same_outcome(_assign_into_an_intermediate, "grads")
    np.testing.assert_array_equal(grad, [[0.0, 0.0], [3.0, 3.0]])


def test_the_error_names_the_op_the_shape_and_both_versions():
    x, c = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([3.0, 4.0])
    y = (x * c).sum()
    c += 10
    c += 10
    with pytest.raises(RuntimeError, match=r"\[Tensor of shape \(2,\)\].*Mul.*is at version 2; "
                                           r"expected version 0 instead"):
        y.backward()


def test_a_change_after_backward_is_harmless():
    x, c = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([3.0, 4.0])
    (x * c).sum().backward()
    c += 10
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_an_unrelated_change_of_an_unsaved_input_does_not_raise():
    # Add saves nothing: PyTorch does not complain either.
    _same_outcome(lambda lib: _add_then_change(lib), "grads")


def _add_then_change(lib):
    x, c = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0], requires_grad=False)
    y = (x + c).sum()
    c += 1
    y.backward()
    return [x.grad]


# ----------------------------------------------------------------- micrograd's own tests


def _micrograd_sanity(lib):
    x = lib.tensor(-4.0, dtype=lib.float64, requires_grad=True)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return [y, x.grad]


def _micrograd_more_ops(lib):
    a = lib.tensor(-4.0, dtype=lib.float64, requires_grad=True)
    b = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return [g, a.grad, b.grad]


@pytest.mark.parametrize("test", [_micrograd_sanity, _micrograd_more_ops])
def test_micrograds_engine_tests_give_pytorchs_values(test):
    ours = [float(value) for value in test(tg)]
    theirs = [float(value.detach()) for value in test(torch)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ----------------------------------------------------------------- every in-place op


def _pair(lib, rng_values):
    """A leaf and a non-leaf made from it, for an in-place op to change."""
    x = _leaf(lib, rng_values)
    return x, x * 1.5


MASK = np.array([[True, False, True], [False, False, True]])
INDEX = np.array([[0, 1, 1], [1, 0, 0]])

IN_PLACE = {
    "add_": lambda lib, h, o: h.add_(o, alpha=2),
    "sub_": lambda lib, h, o: h.sub_(o),
    "mul_": lambda lib, h, o: h.mul_(o),
    "div_": lambda lib, h, o: h.div_(o),
    "iadd": lambda lib, h, o: h.__iadd__(o),
    "isub": lambda lib, h, o: h.__isub__(o),
    "imul": lambda lib, h, o: h.__imul__(o),
    "itruediv": lambda lib, h, o: h.__itruediv__(o),
    "pow_": lambda lib, h, o: h.pow_(2),
    "neg_": lambda lib, h, o: h.neg_(),
    "clamp_": lambda lib, h, o: h.clamp_(-0.5, 0.5),
    "exp_": lambda lib, h, o: h.exp_(),
    "relu_": lambda lib, h, o: h.relu_(),
    "sigmoid_": lambda lib, h, o: h.sigmoid_(),
    "tanh_": lambda lib, h, o: h.tanh_(),
    "zero_": lambda lib, h, o: h.zero_(),
    "fill_": lambda lib, h, o: h.fill_(o[0, 0]),
    "copy_": lambda lib, h, o: h.copy_(o[0]),
    "masked_fill_": lambda lib, h, o: h.masked_fill_(lib.tensor(MASK), o[1, 2]),
    "index_add_": lambda lib, h, o: h.index_add_(1, lib.tensor(np.array([2, 0])), o[:, :2],
                                                 alpha=3),
    "scatter_": lambda lib, h, o: h.scatter_(1, lib.tensor(INDEX), o),
    "scatter_add_": lambda lib, h, o: h.scatter_add_(1, lib.tensor(INDEX), o),
}


@pytest.mark.parametrize("name", list(IN_PLACE))
def test_an_in_place_op_on_a_non_leaf_rebases_its_history_as_in_pytorch(name, rng):
    values, other_values = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)) + 3.0
    weights = rng.normal(size=(2, 3))
    results = {}
    for lib in (tg, torch):
        x, h = _pair(lib, values)
        other = _leaf(lib, other_values)
        returned = IN_PLACE[name](lib, h, other)
        assert returned is h
        (h * lib.tensor(weights)).sum().backward()
        grad_other = other.grad if other.grad is not None else np.zeros((2, 3))
        results[lib] = [np.asarray(h.detach()), np.asarray(x.grad), np.asarray(grad_other)]
        if lib is tg:
            assert h._version == 1 and h.grad_fn is not None
    for ours, theirs in zip(results[tg], results[torch]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_an_in_place_op_on_a_leaf_that_requires_grad_raises_as_in_pytorch():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation"):
        x.add_(1)
    np.testing.assert_array_equal(x.data, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x[0] = 5.0


def test_under_no_grad_an_in_place_op_on_a_leaf_only_changes_values_and_version():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        x.mul_(3)
        x[1] = 0.0
    assert x.is_leaf and x._version == 2
    np.testing.assert_array_equal(x.data, [3.0, 0.0])


def test_a_constant_changed_by_a_tensor_that_requires_grad_joins_the_graph():
    for lib in (tg, torch):
        w = _leaf(lib, [1.0, 2.0])
        c = _leaf(lib, [3.0, 4.0], requires_grad=False)
        c.mul_(w)
        assert c.requires_grad and not c.is_leaf
        c.sum().backward()
        np.testing.assert_array_equal(np.asarray(w.grad), [3.0, 4.0])


def test_views_share_the_version_of_their_base():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    views = [x[0], x.T, x.reshape(4), x.detach(), x[:, 1:], x.unsqueeze(0)]
    x.add_(1)
    views[0].mul_(2)
    assert [view._version for view in views] == [2] * len(views)
    assert x._version == 2
    assert x.sum()._version == 0  # a new storage


def test_changing_a_reshaped_view_of_a_graph_tensor_in_grad_mode_is_a_clear_error():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    with pytest.raises(RuntimeError, match="view.*reshape"):
        h.reshape(1, 2).mul_(2)
    np.testing.assert_array_equal(h.data, [2.0, 4.0])


def _augmented_assignment_into_an_intermediate(lib):
    x = _leaf(lib, np.arange(6.0).reshape(2, 3))
    h = x * 2
    h[0] += 1
    h[1, 1:] *= h[0, :2].clone()
    h[:, 0].mul_(3)
    h[1].clamp_(max=10.0)
    (h * lib.tensor(np.linspace(-1, 1, 6).reshape(2, 3))).sum().backward()
    return [h, x.grad]


def _augmented_assignment_with_a_view_that_was_saved(lib):
    x = _leaf(lib, np.arange(6.0).reshape(2, 3))
    h = x * 2
    h[1, 1:] *= h[0, :2]  # Mul saved a view of h, which this very line changes
    h.sum().backward()
    return [x.grad]


def _augmented_assignment_into_a_leaf(lib):
    x = _leaf(lib, [1.0, 2.0])
    x[0] += 1
    return [x]


def test_changing_an_indexed_view_in_place_rebases_the_base_as_in_pytorch():
    ours = _same_outcome(_augmented_assignment_into_an_intermediate, "grads")
    assert len(ours) == 2


def test_a_view_changed_after_it_was_saved_raises_as_in_pytorch():
    _same_outcome(_augmented_assignment_with_a_view_that_was_saved, "raises")


def test_changing_a_view_of_a_leaf_that_requires_grad_raises_as_in_pytorch():
    for lib in (tg, torch):
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad "
                                               "is being used in an in-place operation"):
            _augmented_assignment_into_a_leaf(lib)


def test_a_result_the_tensor_cannot_hold_leaves_it_unchanged():
    counts = tg.tensor([1, 2])
    with pytest.raises(TypeError):
        counts.add_(1.5)
    np.testing.assert_array_equal(counts.data, [1, 2])
    h = tg.tensor([1.0, 2.0], requires_grad=True) * 1
    with pytest.raises(RuntimeError, match="shape"):
        h.add_(tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(h.data, [1.0, 2.0])


# ----------------------------------------------------------------- setitem, index kinds


SETITEM = {
    "int": (1, (4,)),
    "negative int": (-1, ()),
    "slice": (slice(1, 3), (2, 4)),
    "step slice": (slice(None, None, 2), (1, 4)),
    "ellipsis": ((Ellipsis, 1), (3,)),
    "None": ((None, 0), (1, 4)),
    "int arrays": ((np.array([0, 2]), np.array([1, 3])), (2,)),
    "bool mask": (np.array([True, False, True]), (4,)),
    "elementwise mask": ("mask", ()),
    "tuple of int and slice": ((2, slice(1, None)), (1,)),
    "scalar value": (slice(0, 2), "scalar"),
}


@pytest.mark.parametrize("kind", list(SETITEM))
def test_setitem_gradients_reach_the_tensor_and_the_value_as_in_pytorch(kind, rng):
    index, value_shape = SETITEM[kind]
    values, weights = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    value_values = rng.normal(size=value_shape) if value_shape != "scalar" else 2.5
    if isinstance(index, str):
        index = values > 0
    results = {}
    for lib in (tg, torch):
        x = _leaf(lib, values)
        h = x * 2.0
        lib_index = tuple(lib.tensor(i) if isinstance(i, np.ndarray) else i for i in index) \
            if isinstance(index, tuple) else (lib.tensor(index) if isinstance(
                index, np.ndarray) else index)
        if value_shape == "scalar":
            h[lib_index] = value_values
            value = None
        else:
            value = _leaf(lib, value_values)
            h[lib_index] = value
        (h * lib.tensor(weights)).sum().backward()
        results[lib] = [np.asarray(h.detach()), np.asarray(x.grad)] + (
            [np.asarray(value.grad)] if value is not None else [])
    for ours, theirs in zip(results[tg], results[torch]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_setitem_gradients_are_right_by_finite_differences():
    def assign(base, value):
        h = base * 1.0
        h[1:, ::2] = value
        return (h * h).sum()
    base = tg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    value = tg.tensor(np.array([0.5, -1.5]), requires_grad=True)
    assert tg.gradcheck(assign, base, value)


def test_setitem_with_a_value_of_the_wrong_shape_names_the_shapes_and_changes_nothing():
    h = tg.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1
    with pytest.raises(ValueError, match=r"setitem: cannot assign \(2,\)"):
        h[:] = tg.tensor([1.0, 2.0])
    np.testing.assert_array_equal(h.data, [1.0, 2.0, 3.0])


def test_a_base_changed_after_a_view_of_it_was_saved_raises_even_when_the_view_is_gone():
    for lib in (tg, torch):
        x = _leaf(lib, [1.0, 2.0, 3.0, 4.0])
        w = _leaf(lib, [1.0, 1.0, 1.0, 1.0])
        h = x * 2
        y = (h.reshape(2, 2) * w.reshape(2, 2)).sum()  # the reshaped view is not kept
        with _no_grad(lib):
            h += 1
        with pytest.raises(RuntimeError, match=MODIFIED):
            y.backward()


def test_a_tensor_saved_by_a_pytorch_style_function_is_checked():
    class Square(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = Square.apply(h).sum()
    with tg.no_grad():
        h.mul_(5)
    with pytest.raises(RuntimeError, match=MODIFIED + r".*SquareBackward"):
        y.backward()


def test_changing_an_expanded_view_is_a_clear_error():
    expanded = tg.tensor([1.0, 2.0]).expand(3, 2)
    with pytest.raises(RuntimeError, match="read-only"):
        expanded.fill_(0.0)
    with pytest.raises(ValueError, match="read-only"):
        expanded += 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_ops_keep_the_dtype_and_work_on_0d_tensors(dtype):
    x = tg.tensor(np.array(2.0, dtype=dtype), requires_grad=True)
    h = x * 1
    h += 1.5
    h.mul_(x)
    assert h.dtype == dtype and h.shape == ()
    h.backward()
    assert x.grad.dtype == dtype
    np.testing.assert_allclose(x.grad, 2 * 2.0 + 1.5)  # d/dx (x + 1.5) * x


def test_setitem_on_an_empty_selection_records_nothing_wrong():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h[np.array([False, False])] = 7.0
    h.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def _chain_of_in_place_ops(lib, x, v):
    h = x * 1.0
    h.mul_(x)
    h[0] = v
    h.sub_(x, alpha=0.5)
    h.tanh_()
    return (h * h).sum()


def test_a_chain_of_in_place_ops_passes_gradcheck():
    x = tg.tensor([0.3, -0.7, 1.1], requires_grad=True)
    v = tg.tensor(0.4, requires_grad=True)
    assert tg.gradcheck(lambda a, b: _chain_of_in_place_ops(tg, a, b), x, v)


def test_second_derivatives_through_in_place_ops_match_pytorch():
    results = []
    for lib in (tg, torch):
        x = _leaf(lib, [0.3, -0.7, 1.1])
        v = _leaf(lib, 0.4)
        loss = _chain_of_in_place_ops(lib, x, v)
        (grad_x,) = (tg.grad if lib is tg else torch.autograd.grad)(loss, [x], create_graph=True)
        (second,) = (tg.grad if lib is tg else torch.autograd.grad)(grad_x.sum(), [v])
        results.append((np.asarray(grad_x.detach()), np.asarray(second.detach())))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)
