"""Reliability at the edges: threads, bad arguments, failed forwards, data assignment."""

import gc
import threading
import time

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import engine, nn
from tapegrad.nn import functional as F


def _run_in_threads(work, count: int = 8) -> None:
    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_concurrent_backward_into_one_tensor_loses_no_update():
    w = tg.tensor(np.zeros(10**5), requires_grad=True)

    def work():
        for _ in range(25):
            (w * 1.0).sum().backward()

    _run_in_threads(work)
    assert w.grad.min() == w.grad.max() == 8 * 25


def test_concurrent_backward_passes_through_shared_nodes_are_each_complete():
    # One pass at a time counts on the nodes, the others in a dict: none disturbs another.
    x = tg.tensor(np.linspace(-1, 1, 1000), requires_grad=True)
    shared = (x * 1.5).tanh() * 2  # every pass goes through these three nodes

    def work():
        for _ in range(20):
            (shared * shared).sum().backward(retain_graph=True)

    _run_in_threads(work, count=4)
    tanh = np.tanh(1.5 * x.data)
    expected = 4 * 20 * (8 * tanh * (1 - tanh ** 2) * 1.5)  # d(4 tanh^2)/dx
    np.testing.assert_allclose(x.grad, expected, rtol=1e-10)


def test_accumulation_into_grad_is_one_step_per_thread(monkeypatch):
    # Widen the read-add-write window on purpose: without a lock two threads read the same
    # old .grad and one of the two additions is lost.
    accumulate = engine._accumulate

    def slow_accumulate(tensor, grad, unshared):
        before = None if tensor._grad is None else tensor._grad.copy()
        time.sleep(0.002)
        tensor._grad = before
        accumulate(tensor, grad, False)

    monkeypatch.setattr(engine, "_accumulate", slow_accumulate)
    w = tg.tensor(np.zeros(3), requires_grad=True)

    def work():
        for _ in range(5):
            (w * 2.0).sum().backward()

    _run_in_threads(work, count=4)
    np.testing.assert_array_equal(w.grad, np.full(3, 4 * 5 * 2.0))


def test_a_failed_forward_leaves_no_reference_cycle():
    a = tg.tensor(np.ones(4), requires_grad=True)
    b = tg.tensor(np.ones(3))

    def fail():
        try:
            (a * 2) @ b
        except ValueError:
            pass

    fail()
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        for _ in range(50):
            fail()
        assert len(gc.get_objects()) - before < 50
    finally:
        gc.enable()


@pytest.mark.parametrize("call, kind, words", [
    (lambda x: x.flatten(5), IndexError, "flatten: dimension out of range"),
    (lambda x: x.flatten(0, -5), IndexError, "flatten: dimension out of range"),
    (lambda x: x.split([4, -1], 1), ValueError, "split: sizes must not be negative"),
    (lambda x: x.split(1, 5), IndexError, "split: dimension out of range"),
    (lambda x: x.chunk(0), ValueError, "chunk: chunks must be a positive int"),
    (lambda x: x.chunk(2, -3), IndexError, "chunk: dimension out of range"),
    (lambda x: x.squeeze(5), IndexError, "squeeze: dimension out of range"),
    (lambda x: x.unsqueeze(5), IndexError, "unsqueeze: dimension out of range"),
    (lambda x: tg.cat([x, x], 5), IndexError, "cat: dimension out of range"),
    (lambda x: tg.stack([x, x], -4), IndexError, "stack: dimension out of range"),
    (lambda x: x.gather(1, np.array([[-1], [0]])), IndexError, "gather: index -1 is out of"),
    (lambda x: x.gather(1, np.array([[3], [0]])), IndexError, "gather: index 3 is out of"),
    (lambda x: x.gather(1, np.array([[0.5], [0]])), TypeError, "gather: index must hold"),
])
def test_bad_shape_arguments_are_clear_errors_that_change_nothing(call, kind, words):
    x = tg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    before = x.data.copy()
    with pytest.raises(kind, match=words):
        call(x)
    np.testing.assert_array_equal(x.data, before)


def test_an_axis_error_is_both_an_index_error_and_a_value_error():
    with pytest.raises(ValueError):
        tg.zeros(2, 3).flatten(5)
    with pytest.raises(IndexError):
        tg.zeros(2, 3).flatten(5)


def test_in_place_update_of_an_integer_tensor_with_a_float_is_a_clear_error():
    x = tg.tensor([1, 2])
    with pytest.raises(TypeError, match=r"\+=: cannot update a tensor of shape \(2,\) and "
                                        "dtype int64"):
        x += 0.5
    np.testing.assert_array_equal(x.data, [1, 2])


def test_assigning_integer_data_to_a_tensor_that_requires_grad_is_refused():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="data must be floating point"):
        x.data = np.array([1, 2])
    assert x.data.dtype == np.float32
    with pytest.raises(TypeError, match="a tensor holds numbers"):
        x.data = np.array(["a", "b"])
    x.data = np.array([3.0, 4.0])
    np.testing.assert_array_equal(x.data, [3.0, 4.0])


@pytest.mark.parametrize("call, kind, words", [
    (lambda: tg.full((2,), "x"), TypeError, "full: fill_value must be a number"),
    (lambda: tg.arange(0, 3, 0), ValueError, "arange: step must not be 0"),
    (lambda: nn.Conv2d(1, 1, 0), ValueError, "Conv2d: kernel_size must be positive"),
    (lambda: nn.Conv2d(1, 1, 3, groups=0), ValueError, "Conv2d: groups must be a positive"),
    (lambda: F.adaptive_avg_pool2d(tg.zeros(1, 1, 4, 4), 0), ValueError,
     "adaptive_avg_pool2d: output_size must be positive"),
    (lambda: F.embedding(np.array([-1]), tg.zeros(3, 2)), IndexError,
     "embedding: index -1 is out of range for 3 embeddings"),
    (lambda: F.embedding(np.array([3]), tg.zeros(3, 2)), IndexError,
     "embedding: index 3 is out of range for 3 embeddings"),
    (lambda: F.cross_entropy(tg.zeros(2, 3), np.array([0, 1]), weight=tg.ones(5)), ValueError,
     r"cross_entropy: weight must have one entry per class \(3\), got shape \(5,\)"),
    (lambda: F.nll_loss(tg.zeros(2, 3), np.array([0, 1]), weight=tg.ones(2)), ValueError,
     r"nll_loss: weight must have one entry per class \(3\), got shape \(2,\)"),
])
def test_bad_arguments_are_clear_errors_naming_them(call, kind, words):
    with pytest.raises(kind, match=words):
        call()


def test_batch_norm_refuses_to_train_on_one_value_per_channel():
    layer = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        layer(tg.zeros(1, 3))
    layer.eval()
    assert layer(tg.zeros(1, 3)).shape == (1, 3)  # evaluation uses the running statistics


def test_a_linear_layer_with_no_inputs_is_valid_as_in_pytorch():
    layer = nn.Linear(0, 4)
    out = layer(tg.zeros(2, 0))
    assert out.shape == (2, 4)
    out.sum().backward()
    assert layer.weight.grad.shape == (4, 0)


def test_the_truth_of_several_values_is_pytorchs_error_and_numpys():
    for values in ([1.0, 2.0], []):
        with pytest.raises(RuntimeError, match="Boolean value of Tensor with"):
            bool(tg.tensor(values))
        with pytest.raises(ValueError, match="is ambiguous"):
            bool(tg.tensor(values))
    assert bool(tg.tensor([[2.0]]))


@pytest.mark.parametrize("make", [
    lambda x: x * 1j,
    lambda x: x + np.array([1j, 2j]),
    lambda x: np.exp(x * 1.0 + 0j),
    lambda x: x.to(np.complex128),
], ids=["times-1j", "plus-complex-array", "numpy-exp", "to-complex"])
def test_a_complex_result_on_the_graph_keeps_the_gradient(make):
    """A complex result on the graph is differentiated (PyTorch's convention, see
    tests/test_complex.py): its part of a loss sends a real gradient to the real input,
    never silently none."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    result = make(x)
    assert result.dtype.kind == "c" and result.grad_fn is not None
    (result.abs() ** 2).sum().backward()
    assert x.grad.dtype.kind == "f" and np.all(x.grad != 0)
    with tg.no_grad():
        assert make(x).grad_fn is None
