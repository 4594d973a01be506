"""The op library's conventions: ties, kinks, stability, NumPy interop and nn.functional
behaviour beyond what the op table checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import tapegrad as tg
import tapegrad.nn.functional as F
from tapegrad.ops import activation


@pytest.mark.filterwarnings("ignore:divide by zero encountered")
def test_where_does_not_leak_nan_from_the_unselected_branch():
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    tg.where(x > 0, x.sqrt(), 0.0).sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.25])
    x.zero_grad()
    tg.where(x > 0, x.log(), 0.0).sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.25])
    x.zero_grad()
    tg.where(x > 0, x ** 0.5, 0.0).sum().backward()  # Pow: 0 * (0.5 * 0 ** -0.5) = 0
    np.testing.assert_allclose(x.grad, [0.0, 0.25])
    x.zero_grad()
    tg.where(x > 0, 1 / x, 0.0).sum().backward()  # Div: 0 * (-inf / 0) = 0
    np.testing.assert_allclose(x.grad, [0.0, -1 / 16])


def test_maximum_and_minimum_split_ties_evenly():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = tg.tensor([1.0, 5.0, 0.0], requires_grad=True)
    tg.maximum(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(y.grad, [0.5, 1.0, 0.0])
    x.zero_grad()
    tg.minimum(x, 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.5, 0.0])


def test_max_ties_follow_pytorch(torch):
    data = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 0.0]])
    for reduce in (lambda t: t.max(), lambda t: t.max(dim=1), lambda t: t.min(dim=0)):
        ours = tg.tensor(data, requires_grad=True)
        theirs = torch.tensor(data, requires_grad=True)
        mine = reduce(ours)
        (mine[0] if isinstance(mine, tuple) else mine).sum().backward()
        result = reduce(theirs)
        (result[0] if isinstance(result, tuple) else result).sum().backward()
        np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


@pytest.mark.parametrize("values", [[2.0, 0.0, 3.0], [0.0, 4.0, 0.0], [1.5, 2.0, -1.0]])
def test_prod_gradient_is_exact_with_zeros(values, torch):
    ours = tg.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    ours.prod().backward()
    theirs.prod().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy())


STABLE_CASES = {
    "softmax": (lambda t: F.softmax(t, dim=1), lambda torch, t: torch.softmax(t, 1)),
    "log_softmax": (lambda t: F.log_softmax(t, dim=1), lambda torch, t: torch.log_softmax(t, 1)),
    "logsumexp": (lambda t: t.logsumexp(axis=1), lambda torch, t: t.logsumexp(1)),
    "cross_entropy": (lambda t: F.cross_entropy(t, np.array([0, 2])),
                      lambda torch, t: torch.nn.functional.cross_entropy(
                          t, torch.tensor([0, 2]))),
    "bce_with_logits": (lambda t: F.binary_cross_entropy_with_logits(t, np.full((2, 3), 0.3)),
                        lambda torch, t: torch.nn.functional.binary_cross_entropy_with_logits(
                            t, torch.full((2, 3), 0.3, dtype=torch.float64))),
}


@pytest.mark.parametrize("name", sorted(STABLE_CASES))
def test_stable_at_huge_logits_and_equal_to_pytorch(name, torch):
    ours_fn, torch_fn = STABLE_CASES[name]
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]])
    ours = tg.tensor(logits, requires_grad=True)
    theirs = torch.tensor(logits, requires_grad=True)
    out, torch_out = ours_fn(ours), torch_fn(torch, theirs)
    upstream = np.ones(out.shape)
    out.backward(upstream)
    torch_out.backward(torch.tensor(upstream))
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(ours.grad))
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-6, atol=1e-12)


def test_numpy_functions_on_tensors_keep_the_graph():
    x = tg.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    y = np.sum(np.exp(x), axis=0) + np.matmul(x, np.ones(2)) + np.maximum(x, 0).mean()
    assert isinstance(y, tg.Tensor) and y.requires_grad
    y.sum().backward()
    expected = np.exp(x.data) + 1.0 + (x.data > 0) / 2  # the mean is added to both entries
    np.testing.assert_allclose(x.grad, expected)
    assert np.shares_memory(np.asarray(x.detach()), x.data)  # np.asarray(x) raises
    assert isinstance(np.ones(2) * x, tg.Tensor)


def test_unsupported_numpy_function_names_itself():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="numpy.correlate is not supported"):
        np.correlate(x, x)
    with pytest.raises(TypeError, match="numpy.ldexp is not supported"):
        np.ldexp(x, 2)
    with pytest.raises(TypeError, match=r"numpy.add.reduceat is not supported"):
        np.add.reduceat(x, [0])


def test_setitem_on_a_leaf_that_requires_grad_is_refused_as_in_pytorch():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        x[0] = 3.0
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_shape_helpers_follow_pytorch(torch):
    data = np.arange(24.0).reshape(2, 1, 3, 4)
    ours, theirs = tg.tensor(data), torch.tensor(data)
    assert ours.squeeze(0).shape == tuple(theirs.squeeze(0).shape)  # size 2: left alone
    assert ours.squeeze(1).shape == tuple(theirs.squeeze(1).shape)
    assert ours.flatten(1, 2).shape == tuple(theirs.flatten(1, 2).shape)
    assert ours.unsqueeze(-5).shape == tuple(theirs.unsqueeze(-5).shape)
    assert [p.shape for p in ours.split(3, dim=3)] == [tuple(p.shape) for p in theirs.split(3, 3)]
    assert [p.shape for p in ours.chunk(3, axis=2)] == [
        tuple(p.shape) for p in theirs.chunk(3, 2)]
    with pytest.raises(ValueError, match="unsqueeze"):
        ours.unsqueeze(7)


def test_cross_entropy_accepts_integer_tensors_and_checks_shapes():
    logits = tg.tensor(np.zeros((3, 4)), requires_grad=True)
    loss = F.cross_entropy(logits, tg.tensor([0, 1, 3]))
    assert loss.item() == pytest.approx(np.log(4))
    with pytest.raises(ValueError, match=r"targets of shape \(3,\)"):
        F.cross_entropy(logits, np.array([0, 1]))
    with pytest.raises(TypeError, match="integers"):
        F.nll_loss(logits, np.array(["a", "b", "c"]))
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(logits, np.zeros((3, 4)), reduction="avg")
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(2,\)"):
        F.mse_loss(logits, np.zeros(2))


def test_dropout_is_seeded_scaled_and_off_in_eval():
    x = tg.ones(1000)
    tg.manual_seed(5)
    first = F.dropout(x, 0.25).data
    tg.manual_seed(5)
    np.testing.assert_array_equal(F.dropout(x, 0.25).data, first)
    assert set(np.unique(first)) == {0.0, np.float32(1 / 0.75)}
    assert 0.15 < np.mean(first == 0) < 0.35
    assert F.dropout(x, 0.25, training=False) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).data, np.zeros(1000))


def test_batch_norm_running_statistics_match_pytorch(torch):
    data = np.random.default_rng(0).normal(2.0, 3.0, size=(8, 3, 5))
    mean, var = np.zeros(3), np.ones(3)
    torch_mean, torch_var = torch.zeros(3, dtype=torch.float64), torch.ones(3,
                                                                             dtype=torch.float64)
    F.batch_norm(tg.tensor(data), mean, var, training=True, momentum=0.2)
    torch.nn.functional.batch_norm(torch.tensor(data), torch_mean, torch_var, training=True,
                                   momentum=0.2)
    np.testing.assert_allclose(mean, torch_mean.numpy())
    np.testing.assert_allclose(var, torch_var.numpy())
    ours = F.batch_norm(tg.tensor(data), mean, var, training=False)
    theirs = torch.nn.functional.batch_norm(torch.tensor(data), torch_mean, torch_var)
    np.testing.assert_allclose(ours.data, theirs.numpy())
    with pytest.raises(ValueError, match="running_mean"):
        F.batch_norm(tg.tensor(data), None, None, training=False)


def test_embedding_padding_row_gets_no_gradient(torch):
    weight = np.random.default_rng(1).normal(size=(4, 3))
    tokens = np.array([[0, 2, 2], [1, 0, 3]])
    ours = tg.tensor(weight, requires_grad=True)
    theirs = torch.tensor(weight, requires_grad=True)
    F.embedding(tokens, ours, padding_idx=2).sum().backward()
    torch.nn.functional.embedding(torch.tensor(tokens), theirs, padding_idx=2).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    with pytest.raises(IndexError, match="embedding"):
        F.embedding(np.array([4]), ours)


def test_one_hot_matches_pytorch(torch):
    labels = np.array([[0, 3], [2, 1]])
    np.testing.assert_array_equal(
        F.one_hot(labels).data, torch.nn.functional.one_hot(torch.tensor(labels)).numpy())
    assert F.one_hot(tg.tensor([1]), num_classes=3).dtype == np.int64


def test_gelu_without_scipy_matches(monkeypatch):
    x = np.linspace(-3, 3, 7)
    expected = activation.erf(x)
    monkeypatch.setattr(activation, "_erf", None)
    np.testing.assert_allclose(activation.erf(x), expected, rtol=1e-15)
    assert activation.erf(x.astype(np.float32)).dtype == np.float32


@settings(max_examples=30, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from(["maximum", "minimum", "where"]))
def test_selection_ops_broadcast(shapes, op):
    rng = np.random.default_rng(2)
    x_shape, y_shape = shapes.input_shapes
    x = tg.tensor(rng.uniform(-1, 1, x_shape), requires_grad=True)
    y = tg.tensor(rng.uniform(-1, 1, y_shape), requires_grad=True)
    fn = {"maximum": tg.maximum, "minimum": tg.minimum,
          "where": lambda a, b: tg.where(a > 0, a, b)}[op]
    assert fn(x, y).shape == shapes.result_shape
    assert tg.gradcheck(fn, x, y)
