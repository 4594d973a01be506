"""The Tensor's surface: construction, dtype rules, facts, repr, factories and errors."""

import numpy as np
import pytest

import tapegrad as tg


def test_constructor_copies_like_torch_tensor():
    source = np.array([1.0, 2.0])
    t = tg.Tensor(source)
    source[0] = 99.0
    assert t.data[0] == 1.0
    assert tg.tensor is tg.Tensor


def test_python_floats_take_the_default_float32_and_arrays_keep_their_dtype():
    assert tg.Tensor(1.0).dtype == np.float32 and tg.tensor([1.0, 2]).dtype == np.float32
    assert tg.Tensor(np.array([1.0])).dtype == np.float64
    assert tg.tensor(1.5j).dtype == np.complex64
    assert tg.Tensor([1, 2]).dtype == np.int64
    assert tg.Tensor([1.0], dtype=np.float32).dtype == np.float32


def test_float32_with_python_scalars_stays_float32():
    x = tg.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    for out in (x + 1.5, 1.5 + x, x * 2, 2 - x, x / 3, 3 / x, x ** 2, 2.0 ** x):
        assert out.dtype == np.float32


def test_ndarrays_on_either_side():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    array = np.array([10.0, 20.0])
    for out in (array + x, x + array, array * x, array - x, array / x, array @ x):
        assert isinstance(out, tg.Tensor) and out.requires_grad
    (array * x).sum().backward()
    np.testing.assert_array_equal(x.grad, array)


def test_only_floating_and_complex_tensors_may_require_grad():
    with pytest.raises(TypeError, match="only floating point and complex tensors.*int64"):
        tg.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="only floating"):
        tg.tensor([1, 2]).requires_grad_()
    assert tg.tensor([1j], requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="cannot hold data of dtype"):
        tg.tensor(["a", "b"])


def test_facts():
    t = tg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and t.numel() == 6 and t.dtype == np.float64
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size().numel() == 6
    assert len(t) == 2 and t.T.shape == (3, 2)
    assert t.is_leaf and not (t * 2).is_leaf
    assert type(t.numpy()) is np.ndarray and np.shares_memory(t.numpy(), t.data)
    assert tg.tensor([2.5]).item() == 2.5
    assert np.shares_memory(np.asarray(t.detach()), t.data)  # np.asarray(t) raises: t requires grad
    with pytest.raises(ValueError, match=r"one-element.*\(2, 3\)"):
        t.item()
    with pytest.raises(TypeError, match="0-d"):
        len(tg.tensor(1.0))


def test_detach_and_requires_grad_():
    x = tg.tensor([1.0], requires_grad=True)
    y = (x * 2).detach()
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None
    assert y.requires_grad_() is y and y.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).requires_grad = False


def test_repr_looks_like_pytorch():
    assert repr(tg.tensor([1.0, 2.0], requires_grad=True)) == (
        "tensor([1., 2.], requires_grad=True)")
    assert repr(tg.tensor(1.0)) == "tensor(1.)"
    assert repr(tg.tensor([[1.0, 2.0], [3.0, 4.0]])) == (
        "tensor([[1., 2.],\n        [3., 4.]])")
    assert repr(tg.tensor([1.0], dtype=np.float64)) == "tensor([1.], dtype=float64)"
    x = tg.tensor(1.0, requires_grad=True)
    assert repr(x + x) == "tensor(2., grad_fn=<Add>)"


def test_factories():
    assert tg.zeros(2, 3).shape == (2, 3) and tg.zeros((2, 3)).dtype == np.float32
    np.testing.assert_array_equal(tg.ones(2).data, [1.0, 1.0])
    np.testing.assert_array_equal(tg.full((2,), 7.0).data, [7.0, 7.0])
    np.testing.assert_array_equal(tg.zeros_like(tg.ones(3)).data, np.zeros(3))
    np.testing.assert_array_equal(tg.ones_like(np.zeros(2)).data, np.ones(2))
    np.testing.assert_array_equal(tg.eye(2).data, np.eye(2))
    np.testing.assert_array_equal(tg.arange(1, 7, 2).data, [1, 3, 5])
    assert tg.zeros(2, dtype=np.float32).dtype == np.float32
    w = tg.randn(3, 4, requires_grad=True)
    assert w.requires_grad and w.is_leaf and w.shape == (3, 4)
    assert 0 <= tg.rand(100).data.min() and tg.rand(100).data.max() < 1
    with pytest.raises(TypeError, match="only floating"):
        tg.arange(3, requires_grad=True)


def test_manual_seed_repeats_random_tensors():
    tg.manual_seed(7)
    first = tg.randn(5).data
    tg.manual_seed(7)
    np.testing.assert_array_equal(tg.randn(5).data, first)


def test_comparisons_are_boolean_and_not_differentiable():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for out in (x > 1.5, x >= 2, x < 2, x <= 2, x == 2, x != 2):
        assert out.dtype == bool and not out.requires_grad
    np.testing.assert_array_equal((x > 1.5).data, [False, True, True])
    assert {x: 1}[x] == 1  # tensors stay hashable


def test_in_place_updates_only_outside_the_graph():
    theta = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        theta -= 1.0
    np.testing.assert_array_equal(theta.data, [1.0, 2.0])
    with tg.no_grad():
        before = theta
        theta -= 0.5 * np.ones(2)
        theta *= 2
    assert theta is before and theta.requires_grad
    np.testing.assert_array_equal(theta.data, [1.0, 3.0])


def test_setitem_refuses_tensors_that_require_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="setitem"):
        x[0] = 5.0
    y = tg.tensor([1.0, 2.0])
    y[0] = 5.0
    np.testing.assert_array_equal(y.data, [5.0, 2.0])


def test_indexing_with_a_tensor_index_and_iteration():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = x[tg.tensor([1, 1, 0])]
    rows.sum().backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 1.0], [2.0, 2.0]])
    assert [row.shape for row in x] == [(2,), (2,)]
    with pytest.raises(IndexError, match="Index"):
        x[5]


def test_transpose_and_permute_errors_name_the_op():
    x = tg.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"Permute: axes \(0, 0\)"):
        x.permute(0, 0)
    with pytest.raises(ValueError, match="transpose"):
        x.transpose(0, 5)
    with pytest.raises(ValueError, match="Reshape"):
        x.reshape(4, 2)


def test_sum_rejects_axis_and_dim_together():
    with pytest.raises(TypeError, match="axis= or dim="):
        tg.ones(2, 2).sum(axis=0, dim=1)
