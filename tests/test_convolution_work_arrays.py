"""Conv2d's reused work arrays and its fused bias: a buffer reused from call to call must never
be a result or a saved array, so nothing a later call writes (a second forward before the
first backward, a double backward, another thread) can change an earlier result; stale
values (NaN, inf) left in one must not reach the next call's result; the bias added in place
must give PyTorch's values and gradients, first and second order."""

import threading

import numpy as np
import pytest

import tapegrad as tg
import tapegrad.nn.functional as F
from tapegrad.ops import convolution

# Input (N, C, H, W), weight (O, C / groups, kH, kW), options: the paths through the columns
# and the fold (overlapping, padded, strided, grouped, dilated).
CASES = [
    pytest.param((2, 3, 6, 6), (4, 3, 3, 3), {}, id="plain"),
    pytest.param((2, 2, 5, 5), (3, 2, 3, 3), {"padding": 1}, id="padding-1"),
    pytest.param((2, 4, 7, 6), (4, 2, 3, 2),
                 {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1), "groups": 2},
                 id="everything-at-once"),
    pytest.param((2, 3, 7, 6), (4, 3, 2, 2), {"stride": 2}, id="non-overlapping"),
]


def arrays(rng, x_shape, w_shape, dtype=np.float64) -> list:
    """Input, weight and bias for a row."""
    return [rng.standard_normal(shape).astype(dtype) for shape in (x_shape, w_shape,
                                                                  (w_shape[0],))]


def run(arrays_, options, upstream):
    """Output, and the gradients of input, weight and bias for ``upstream``."""
    x, w, b = (tg.tensor(array, requires_grad=True) for array in arrays_)
    out = F.conv2d(x, w, b, **options)
    out.backward(upstream)
    return out.data.copy(), x.grad, w.grad, b.grad


def kept_work_arrays() -> list:
    return list(getattr(convolution._WORK_ARRAYS, "kept", {}).values())


@pytest.mark.parametrize(("x_shape", "w_shape", "options"), CASES)
def test_two_forwards_before_either_backward_keep_their_own_values(x_shape, w_shape, options,
                                                                   rng):
    first, second = arrays(rng, x_shape, w_shape), arrays(rng, x_shape, w_shape)
    out_shape = F.conv2d(tg.tensor(first[0]), tg.tensor(first[1]), **options).shape
    upstreams = [rng.standard_normal(out_shape) for _ in range(2)]
    alone = [run(first, options, upstreams[0]), run(second, options, upstreams[1])]

    leaves = [[tg.tensor(array, requires_grad=True) for array in pair]
              for pair in (first, second)]
    outs = [F.conv2d(*pair, **options) for pair in leaves]
    for out, upstream in zip(reversed(outs), reversed(upstreams)):  # backward in either order
        out.backward(upstream)
    for out, pair, expected in zip(outs, leaves, alone):
        np.testing.assert_array_equal(out.data, expected[0])
        for leaf, grad in zip(pair, expected[1:]):
            np.testing.assert_array_equal(leaf.grad, grad)


@pytest.mark.parametrize(("x_shape", "w_shape", "options"), CASES)
def test_no_result_or_saved_array_is_a_work_array(x_shape, w_shape, options, rng):
    x, w, b = (tg.tensor(array, requires_grad=True) for array in arrays(rng, x_shape, w_shape))
    out = F.conv2d(x, w, b, **options)
    saved = list(out.grad_fn.saved)
    out.backward(np.ones(out.shape))
    work = kept_work_arrays()
    assert work  # the columns, and the input gradient's, were made in work arrays
    for array in [out.data, x.grad, w.grad, b.grad, *saved]:
        assert not any(np.shares_memory(array, buffer) for buffer in work)


@pytest.mark.filterwarnings("ignore:invalid value encountered")
@pytest.mark.parametrize(("x_shape", "w_shape", "options"), CASES)
def test_stale_nan_left_in_a_work_array_does_not_reach_the_next_call(x_shape, w_shape,
                                                                     options, rng):
    finite = arrays(rng, x_shape, w_shape)
    out_shape = F.conv2d(tg.tensor(finite[0]), tg.tensor(finite[1]), **options).shape
    expected = run(finite, options, np.ones(out_shape))
    poisoned = [np.full_like(array, np.nan) for array in finite]
    run(poisoned, options, np.full(out_shape, np.nan))
    for value, reference in zip(run(finite, options, np.ones(out_shape)), expected):
        assert np.isfinite(value).all()
        np.testing.assert_array_equal(value, reference)


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_inf_in_the_input_does_not_leak_through_padding_as_pytorch(torch, rng):
    x, w, b = arrays(rng, (1, 2, 5, 5), (3, 2, 3, 3))
    x[0, 0, 0, 0], x[0, 1, 4, 2] = np.inf, np.nan
    options = {"padding": 2, "stride": 2}
    out, x_grad, w_grad, b_grad = run([x, w, b], options, np.ones((1, 3, 4, 4)))
    torch_x, torch_w, torch_b = (torch.tensor(array, requires_grad=True) for array in (x, w, b))
    torch_out = torch.nn.functional.conv2d(torch_x, torch_w, torch_b, **options)
    torch_out.backward(torch.ones_like(torch_out))
    assert np.isfinite(out).any() and not np.isfinite(out).all()
    np.testing.assert_allclose(out, torch_out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x_grad, torch_x.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w_grad, torch_w.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b_grad, torch_b.grad.numpy(), rtol=1e-12)


def test_threads_each_get_their_own_work_arrays(rng):
    x_shape, w_shape, options = (4, 3, 12, 12), (5, 3, 3, 3), {"padding": 1}
    jobs = [arrays(rng, x_shape, w_shape) for _ in range(4)]
    upstream = rng.standard_normal((4, 5, 12, 12))
    expected = [run(job, options, upstream) for job in jobs]
    results, start = {}, threading.Barrier(len(jobs))

    def work(index):
        start.wait()
        results[index] = [run(jobs[index], options, upstream) for _ in range(20)]

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, reference in enumerate(expected):
        for repeat in results[index]:
            for value, wanted in zip(repeat, reference):
                np.testing.assert_array_equal(value, wanted)


def test_work_arrays_kept_stay_under_the_limit(rng, monkeypatch):
    monkeypatch.setattr(convolution, "_WORK_ARRAY_MAX_BYTES", 20_000)
    for size in range(6, 30, 2):  # columns of 9 * 8 * (size - 2)^2 bytes each
        F.conv2d(tg.tensor(rng.standard_normal((2, 1, size, size))), tg.tensor(np.ones(
            (1, 1, 3, 3))))
        assert sum(array.nbytes for array in kept_work_arrays()) <= 20_000
    assert kept_work_arrays()  # the last ones are kept
    # A convolution whose columns are over the size limit makes them afresh, and still
    # computes the same values.
    x, w, b = arrays(rng, (2, 3, 6, 6), (4, 3, 3, 3))
    expected = run([x, w, b], {}, np.ones((2, 4, 4, 4)))
    monkeypatch.setattr(convolution, "_WORK_ARRAY_MAX_BYTES", 0)
    convolution._WORK_ARRAYS.kept = {}
    for value, wanted in zip(run([x, w, b], {}, np.ones((2, 4, 4, 4))), expected):
        np.testing.assert_array_equal(value, wanted)
    assert kept_work_arrays() == []


@pytest.mark.parametrize(("x_shape", "w_shape", "options"), CASES)
def test_bias_in_float32_matches_pytorch(x_shape, w_shape, options, rng, torch):
    values = arrays(rng, x_shape, w_shape, np.float32)
    out = F.conv2d(tg.tensor(values[0]), tg.tensor(values[1]), **options)
    upstream = rng.standard_normal(out.shape).astype(np.float32)
    out, *grads = run(values, options, upstream)
    tensors = [torch.tensor(array, requires_grad=True) for array in values]
    torch_out = torch.nn.functional.conv2d(*tensors, **options)
    torch_out.backward(torch.from_numpy(upstream))
    assert out.dtype == np.float32 and all(grad.dtype == np.float32 for grad in grads)
    np.testing.assert_allclose(out, torch_out.detach().numpy(), rtol=1e-5, atol=1e-5)
    for grad, tensor in zip(grads, tensors):
        np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_second_derivatives_through_the_bias_match_pytorch(rng, torch):
    values = arrays(rng, (2, 2, 5, 5), (3, 2, 3, 3))
    options = {"padding": 1, "stride": 2}
    x, w, b = (tg.tensor(array, requires_grad=True) for array in values)
    torch_x, torch_w, torch_b = (torch.tensor(array, requires_grad=True) for array in values)
    out = F.conv2d(x, w, b, **options)
    torch_out = torch.nn.functional.conv2d(torch_x, torch_w, torch_b, **options)
    # A loss whose gradient depends on the bias: the output squared.
    grads = tg.autograd.grad((out * out).sum(), [x, w, b], create_graph=True)
    torch_grads = torch.autograd.grad((torch_out * torch_out).sum(), [torch_x, torch_w, torch_b],
                                      create_graph=True)
    second = tg.autograd.grad(sum((grad * grad).sum() for grad in grads), [x, w, b])
    torch_second = torch.autograd.grad(sum((grad * grad).sum() for grad in torch_grads),
                                       [torch_x, torch_w, torch_b])
    for value, reference in zip([*grads, *second], [*torch_grads, *torch_second]):
        np.testing.assert_allclose(value.data, reference.detach().numpy(), rtol=1e-10,
                                   atol=1e-10)


def test_bias_of_the_wrong_shape_is_refused_naming_the_shapes():
    x, w = tg.tensor(np.ones((1, 2, 4, 4))), tg.tensor(np.ones((3, 2, 3, 3)))
    bias = tg.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match=r"Conv2d: bias must have shape \(3,\).*weight "
                                         r"\(3, 2, 3, 3\), got shape \(2,\)"):
        F.conv2d(x, w, bias)
    np.testing.assert_array_equal(bias.data, np.ones(2))
    np.testing.assert_array_equal(bias.grad, np.zeros(2))


@pytest.mark.filterwarnings("ignore:invalid value encountered")
@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_input_gradient_with_a_non_finite_weight_matches_pytorch(bad, rng, torch):
    # At stride 1 the fold runs over whole rows, whose widening zeros would meet the weight:
    # 0 * inf is NaN, so a weight that is not finite takes the fold by kernel offsets.
    x, w, b = arrays(rng, (2, 2, 5, 6), (3, 2, 3, 2))
    w[1, 0, 2, 1] = bad
    options = {"padding": (1, 0), "dilation": (1, 2)}
    out, x_grad, *_ = run([x, w, b], options, np.ones((2, 3, 5, 4)))
    torch_x = torch.tensor(x, requires_grad=True)
    torch_out = torch.nn.functional.conv2d(torch_x, torch.tensor(w), torch.tensor(b), **options)
    torch_out.backward(torch.ones_like(torch_out))
    assert np.isfinite(x_grad).any() and not np.isfinite(x_grad).all()
    np.testing.assert_allclose(x_grad, torch_x.grad.numpy(), rtol=1e-12)
