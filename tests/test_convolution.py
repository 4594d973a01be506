"""conv2d, max_pool2d, avg_pool2d (and conv1d) through ``tapegrad.nn.functional``: float64
gradcheck, PyTorch parity of values and gradients, float32, non-contiguous inputs, errors."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tapegrad as tg
import tapegrad.nn.functional as F

# One row per configuration: input (N, C, H, W), weight (O, C / groups, kH, kW), options.
CONV_CASES = [
    pytest.param((2, 3, 5, 5), (4, 3, 3, 3), {}, id="plain"),
    pytest.param((2, 2, 6, 5), (3, 2, 3, 3), {"stride": 2}, id="stride-2"),
    pytest.param((2, 2, 4, 4), (3, 2, 3, 3), {"padding": 1}, id="padding-1"),
    pytest.param((2, 2, 6, 6), (2, 2, 2, 2), {"dilation": 2}, id="dilation-2"),
    pytest.param((2, 4, 5, 5), (4, 2, 3, 3), {"groups": 2}, id="groups-2"),
    pytest.param((2, 3, 5, 5), (6, 1, 3, 3), {"groups": 3, "padding": 1}, id="depthwise"),
    pytest.param((2, 2, 5, 6), (3, 2, 2, 3), {}, id="non-square-kernel"),
    pytest.param((2, 3, 7, 6), (4, 3, 2, 2), {"stride": 2}, id="non-overlapping"),
    pytest.param((2, 2, 5, 5), (2, 2, 3, 3), {"padding": "same"}, id="padding-same"),
    pytest.param((2, 4, 7, 6), (4, 2, 3, 2),
                 {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1), "groups": 2},
                 id="everything-at-once"),
]

# One row per configuration: input (N, C, H, W) and the pooling options.
POOL_CASES = [
    pytest.param((2, 3, 4, 6), {"kernel_size": 2}, id="2x2"),
    pytest.param((2, 2, 5, 5), {"kernel_size": 3, "stride": 1, "padding": 1},
                 id="overlapping-padded"),
    pytest.param((2, 2, 7, 6), {"kernel_size": 3, "stride": 2}, id="stride-2-odd-size"),
    pytest.param((2, 2, 5, 7), {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1)},
                 id="non-square"),
    pytest.param((2, 2, 7, 7), {"kernel_size": 2, "stride": 3}, id="gaps-between-windows"),
]

# The pooling functions by their name in both tapegrad and torch, with fixed options.
POOLS = [
    pytest.param("max_pool2d", {}, id="max"),
    pytest.param("avg_pool2d", {}, id="avg"),
    pytest.param("avg_pool2d", {"count_include_pad": False}, id="avg-exclude-pad"),
]


def conv_arrays(rng, x_shape, w_shape, dtype=np.float64) -> list:
    """Input, weight and bias for a conv row."""
    shapes = (x_shape, w_shape, (w_shape[0],))
    return [rng.standard_normal(shape).astype(dtype) for shape in shapes]


def pool_array(rng, shape, dtype=np.float64):
    """Distinct values 0.01 or more apart, so no window has a tie, even nudged by gradcheck."""
    size = int(np.prod(shape))
    return (rng.permutation(size).reshape(shape) / size * 4 - 2).astype(dtype)


def conv(options):
    return lambda x, w, b: F.conv2d(x, w, b, **options)


def torch_conv(torch, options):
    return lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **options)


def pool(name, fixed, options):
    return lambda x: getattr(F, name)(x, **options, **fixed)


def torch_pool(torch, name, fixed, options):
    return lambda x: getattr(torch.nn.functional, name)(x, **options, **fixed)


def leaves(arrays) -> list:
    return [tg.tensor(array, requires_grad=True) for array in arrays]


def assert_matches_pytorch(fn, torch_fn, arrays, rng, torch) -> None:
    """Same values, and the same gradients of every input for a random upstream gradient."""
    tensors = leaves(arrays)
    torch_tensors = [torch.tensor(array, requires_grad=True) for array in arrays]
    out, torch_out = fn(*tensors), torch_fn(*torch_tensors)
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=1e-6, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    torch_out.backward(torch.from_numpy(upstream))
    for tensor, torch_tensor in zip(tensors, torch_tensors):
        np.testing.assert_allclose(tensor.grad, torch_tensor.grad.numpy(), rtol=1e-6,
                                   atol=1e-12)


def gradients(fn, arrays, upstream) -> list:
    tensors = leaves(arrays)
    fn(*tensors).backward(upstream)
    return [tensor.grad for tensor in tensors]


# ---------------------------------------------------------------- conv2d


@pytest.mark.parametrize(("x_shape", "w_shape", "options"), CONV_CASES)
def test_conv2d_gradcheck(x_shape, w_shape, options, rng):
    assert tg.gradcheck(conv(options), *leaves(conv_arrays(rng, x_shape, w_shape)))


@pytest.mark.parametrize(("x_shape", "w_shape", "options"), CONV_CASES)
def test_conv2d_matches_pytorch(x_shape, w_shape, options, rng, torch):
    assert_matches_pytorch(conv(options), torch_conv(torch, options),
                           conv_arrays(rng, x_shape, w_shape), rng, torch)


@pytest.mark.parametrize(("x_shape", "w_shape", "options"), CONV_CASES)
def test_conv2d_float32_stays_float32(x_shape, w_shape, options, rng):
    tensors = leaves(conv_arrays(rng, x_shape, w_shape, np.float32))
    out = conv(options)(*tensors)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, np.float32))
    assert [tensor.grad.dtype for tensor in tensors] == [np.float32] * 3


@pytest.mark.parametrize(("x_shape", "w_shape", "options"), CONV_CASES)
def test_conv2d_non_contiguous_inputs_give_the_same_results(x_shape, w_shape, options, rng):
    arrays = conv_arrays(rng, x_shape, w_shape)
    # Input and weight as views with their last two axes swapped: same values, odd strides.
    views = [np.ascontiguousarray(a.swapaxes(-1, -2)).swapaxes(-1, -2) for a in arrays[:2]]
    assert not any(view.flags.c_contiguous for view in views)
    out = conv(options)(*leaves(arrays))
    out_of_views = conv(options)(*leaves(views + arrays[2:]))
    np.testing.assert_allclose(out_of_views.data, out.data, rtol=1e-12, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    for grad_of_views, grad in zip(gradients(conv(options), views + arrays[2:], upstream),
                                   gradients(conv(options), arrays, upstream)):
        np.testing.assert_allclose(grad_of_views, grad, rtol=1e-12, atol=1e-12)


def test_conv2d_weight_gradient_alone(rng):
    x, w, b = conv_arrays(rng, (2, 3, 5, 5), (4, 3, 3, 3))
    image, weight = tg.tensor(x), tg.tensor(w, requires_grad=True)
    F.conv2d(image, weight, padding=1).sum().backward()
    assert image.grad is None
    assert tg.gradcheck(lambda w: F.conv2d(image, w, padding=1), tg.tensor(w, requires_grad=True))


def test_conv2d_empty_batch():
    x = tg.tensor(np.zeros((0, 3, 5, 5)), requires_grad=True)
    w = tg.tensor(np.ones((2, 3, 3, 3)), requires_grad=True)
    out = F.conv2d(x, w)
    assert out.shape == (0, 2, 3, 3)
    out.backward(np.ones(out.shape))
    assert x.grad.shape == x.shape
    np.testing.assert_array_equal(w.grad, np.zeros(w.shape))


@settings(max_examples=30, deadline=None)
@given(batch=st.integers(1, 2), group_in=st.integers(1, 2), group_out=st.integers(1, 2),
       groups=st.integers(1, 3), size=st.tuples(st.integers(1, 7), st.integers(1, 7)),
       kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)))
def test_conv2d_matches_pytorch_for_random_configurations(
        batch, group_in, group_out, groups, size, kernel, stride, padding, dilation, torch):
    assume(all(s + 2 * p >= d * (k - 1) + 1
               for s, k, p, d in zip(size, kernel, padding, dilation)))
    rng = np.random.default_rng(2)
    x_shape = (batch, group_in * groups, *size)
    w_shape = (group_out * groups, group_in, *kernel)
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    assert_matches_pytorch(conv(options), torch_conv(torch, options),
                           conv_arrays(rng, x_shape, w_shape), rng, torch)


@pytest.mark.parametrize(("x_shape", "w_shape", "options", "message"), [
    ((3, 5, 5), (4, 3, 3, 3), {}, r"Conv2d: expected input \(N, C, H, W\)"),
    ((2, 3, 5, 5), (4, 3, 3), {}, r"and weight \(O, C/groups, kH, kW\), got shapes"),
    ((2, 4, 5, 5), (2, 3, 3, 3), {},
     r"Conv2d: input \(2, 4, 5, 5\) has 4 channels but weight \(2, 3, 3, 3\) expects 3 "
     r"\(groups=1\)"),
    ((2, 3, 5, 5), (4, 1, 3, 3), {"groups": 2}, r"divisible by groups=2"),
    ((2, 4, 5, 5), (3, 2, 3, 3), {"groups": 2}, r"output channels \(3\).*groups=2"),
    ((2, 3, 5, 5), (4, 3, 3, 3), {"groups": 0}, r"groups must be a positive int"),
    ((2, 3, 2, 5), (4, 3, 3, 3), {}, r"is 2x5, smaller than the kernel \(3, 3\)"),
    ((2, 3, 4, 4), (4, 3, 3, 3), {"dilation": 2}, r"with dilation \(2, 2\), which spans 5x5"),
    ((2, 3, 5, 5), (4, 3, 3, 3), {"stride": 0}, r"Conv2d: stride must be positive"),
    ((2, 3, 5, 5), (4, 3, 3, 3), {"padding": -1}, r"Conv2d: padding must be non-negative"),
])
def test_conv2d_errors_name_the_op_and_the_shapes(x_shape, w_shape, options, message):
    x, w = tg.tensor(np.zeros(x_shape)), tg.tensor(np.zeros(w_shape))
    with pytest.raises(ValueError, match=message):
        F.conv2d(x, w, **options)


def test_conv1d_matches_pytorch(rng, torch):
    arrays = conv_arrays(rng, (2, 4, 9), (6, 2, 3))
    options = {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}
    assert_matches_pytorch(
        lambda x, w, b: F.conv1d(x, w, b, **options),
        lambda x, w, b: torch.nn.functional.conv1d(x, w, b, **options),
        arrays, rng, torch)


# ---------------------------------------------------------------- max_pool2d, avg_pool2d


@pytest.mark.parametrize(("name", "fixed"), POOLS)
@pytest.mark.parametrize(("shape", "options"), POOL_CASES)
def test_pool_gradcheck(name, fixed, shape, options, rng):
    assert tg.gradcheck(pool(name, fixed, options), *leaves([pool_array(rng, shape)]))


@pytest.mark.parametrize(("name", "fixed"), POOLS)
@pytest.mark.parametrize(("shape", "options"), POOL_CASES)
def test_pool_matches_pytorch(name, fixed, shape, options, rng, torch):
    assert_matches_pytorch(pool(name, fixed, options), torch_pool(torch, name, fixed, options),
                           [pool_array(rng, shape)], rng, torch)


@pytest.mark.parametrize(("name", "fixed"), POOLS)
@pytest.mark.parametrize(("shape", "options"), POOL_CASES)
def test_pool_float32_stays_float32(name, fixed, shape, options, rng):
    (x,) = leaves([pool_array(rng, shape, np.float32)])
    out = pool(name, fixed, options)(x)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, np.float32))
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(("name", "fixed"), POOLS)
def test_pool_non_contiguous_input_gives_the_same_results(name, fixed, rng):
    fn = pool(name, fixed, {"kernel_size": 3, "stride": 2, "padding": 1})
    x = pool_array(rng, (2, 3, 7, 6))
    view = np.ascontiguousarray(x.transpose(3, 2, 1, 0)).transpose(3, 2, 1, 0)
    assert not view.flags.c_contiguous
    np.testing.assert_array_equal(fn(tg.tensor(view)).data, fn(tg.tensor(x)).data)
    upstream = rng.standard_normal(fn(tg.tensor(x)).shape)
    np.testing.assert_array_equal(gradients(fn, [view], upstream)[0],
                                  gradients(fn, [x], upstream)[0])


def test_max_pool_gradient_goes_to_the_first_maximum_as_pytorch(torch):
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, 1.0, 2.0], [2.0, 0.0, 2.0]]]])
    assert_matches_pytorch(lambda t: F.max_pool2d(t, 2, 1),
                           lambda t: torch.nn.functional.max_pool2d(t, 2, 1),
                           [x], np.random.default_rng(0), torch)
    (tensor,) = leaves([x])
    F.max_pool2d(tensor, 2, 1).sum().backward()
    np.testing.assert_array_equal(tensor.grad, [[[[1, 0, 0], [0, 0, 2], [1, 0, 0]]]])


def test_max_pool_nan_is_the_maximum_as_in_pytorch(torch):
    x = np.array([[[[1.0, np.nan, 0.0, 3.0], [np.nan, 2.0, 5.0, 4.0]]]])
    out = F.max_pool2d(tg.tensor(x), 2)
    torch_out = torch.nn.functional.max_pool2d(torch.tensor(x), 2)
    np.testing.assert_array_equal(out.data, torch_out.numpy())
    (tensor,) = leaves([x])
    torch_tensor = torch.tensor(x, requires_grad=True)
    F.max_pool2d(tensor, 2).sum().backward()
    torch.nn.functional.max_pool2d(torch_tensor, 2).sum().backward()
    np.testing.assert_array_equal(tensor.grad, torch_tensor.grad.numpy())


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, 2),
    lambda x: F.avg_pool2d(x, 2),
    lambda x: F.conv2d(x, np.ones((1, 1, 2, 2)), stride=2),
], ids=["max", "avg", "conv"])
def test_non_overlapping_windows_give_no_negative_zero_gradient_as_pytorch(fn):
    # The gradient is written, not added, where windows do not overlap: -0.0 must still
    # come out as the 0.0 that adding it to zero gives.
    (x,) = leaves([np.arange(16.0).reshape(1, 1, 4, 4)])
    fn(x).backward(np.array([[[[-0.0, -1.0], [2.0, -0.0]]]]))
    assert not np.signbit(x.grad[x.grad == 0]).any()


def test_max_pool_saves_only_the_winning_offsets(rng):
    (x,) = leaves([pool_array(rng, (2, 3, 4, 4))])
    out = F.max_pool2d(x, 2)
    (saved,) = out.grad_fn.saved
    assert saved.shape == out.shape and saved.dtype == np.uint8


@pytest.mark.parametrize(("name", "shape", "options", "message"), [
    ("max_pool2d", (3, 4, 4), {"kernel_size": 2}, r"MaxPool2d: expected input \(N, C, H, W\)"),
    ("max_pool2d", (1, 1, 5, 5), {"kernel_size": 3, "padding": 2},
     r"MaxPool2d: padding \(2, 2\) must be at most half of kernel_size \(3, 3\)"),
    ("avg_pool2d", (1, 1, 5, 5), {"kernel_size": (2, 4), "padding": (1, 3)},
     r"AvgPool2d: padding \(1, 3\) must be at most half of kernel_size \(2, 4\)"),
    ("avg_pool2d", (1, 1, 2, 5), {"kernel_size": 3},
     r"AvgPool2d: input \(1, 1, 2, 5\) padded by \(0, 0\) is 2x5, smaller than the kernel"),
    ("max_pool2d", (1, 1, 4, 4), {"kernel_size": 2, "stride": 0},
     r"MaxPool2d: stride must be positive"),
])
def test_pool_errors_name_the_op_and_the_shapes(name, shape, options, message):
    with pytest.raises(ValueError, match=message):
        getattr(F, name)(tg.tensor(np.zeros(shape)), **options)
