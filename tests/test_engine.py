"""The backward engine: the seed's semantics, ordering, freeing, errors and grad mode."""

import gc
import threading
import tracemalloc
import weakref

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import engine


def _seed_graph():
    a = tg.Tensor(1.0, requires_grad=True)
    b = tg.Tensor(2.0, requires_grad=True)
    c = a + b
    d = c + a
    return a, b, c, d


def test_worked_example_gives_the_seeds_numbers():
    a, b, c, d = _seed_graph()
    d.backward()
    assert [float(t.grad) for t in (d, c, b, a)] == [1.0, 1.0, 1.0, 2.0]
    assert all(isinstance(t.grad, np.ndarray) for t in (a, b, c, d))


def test_second_backward_raises_and_mentions_retain_graph():
    a, b, c, d = _seed_graph()
    d.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        d.backward()
    assert float(a.grad) == 2.0  # the failed call changed nothing


def test_retain_graph_allows_a_second_backward_that_accumulates():
    a, b, c, d = _seed_graph()
    d.backward(retain_graph=True)
    d.backward()
    assert [float(t.grad) for t in (d, c, b, a)] == [2.0, 2.0, 2.0, 4.0]


def test_gradients_accumulate_across_graphs_until_zero_grad():
    a = tg.Tensor(1.0, requires_grad=True)
    b = tg.Tensor(2.0, requires_grad=True)
    c = a + b
    d = c + a
    d.backward()
    c = a + b
    d = c + a
    d.backward()
    assert [float(t.grad) for t in (d, c, b, a)] == [1.0, 1.0, 2.0, 4.0]
    a.zero_grad()
    np.testing.assert_array_equal(a.grad, np.zeros(()))


def test_zero_grad_gives_zeros_of_the_datas_shape():
    x = tg.tensor(np.ones((2, 3)), requires_grad=True)
    (x * 3).sum().backward()
    x.zero_grad()
    np.testing.assert_array_equal(x.grad, np.zeros((2, 3)))


def test_grad_is_zeros_before_backward_and_none_without_requires_grad():
    np.testing.assert_array_equal(tg.tensor([1.0, 2.0], requires_grad=True).grad, [0.0, 0.0])
    assert tg.tensor([1.0, 2.0]).grad is None


def test_unused_branch_does_not_stall():
    a = tg.Tensor(1.0, requires_grad=True)
    b = tg.Tensor(2.0, requires_grad=True)
    c = a + b
    e = c + c  # computed, never used by the root
    d = c + a
    d.backward()
    assert float(a.grad) == 2.0 and float(b.grad) == 1.0 and float(c.grad) == 1.0
    assert float(e.grad) == 0.0


def test_diamond_sums_both_paths():
    x = tg.tensor(3.0, requires_grad=True)
    top = x * 2
    left, right = top * top, top.exp()
    (left + right).backward()
    assert x.grad == pytest.approx(2 * (2 * 6.0 + np.exp(6.0)))


def test_million_op_chain_needs_no_recursion():
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert float(x.grad) == 1.0


def test_leaf_root_backward_adds_the_gradient():
    x = tg.tensor(2.0, requires_grad=True)
    x.backward()
    x.backward()
    assert float(x.grad) == 2.0


def test_a_fresh_gradient_becomes_grad_without_a_copy_and_shared_ones_are_copied():
    made = []

    class Twice(tg.Function):
        def forward(self, x):
            return 2 * x

        def backward(self, grad):
            fresh = 2 * grad
            made.append(id(fresh))  # its identity only: a reference would make it shared
            return fresh

    w = tg.tensor(np.ones((3, 2)), requires_grad=True)
    Twice.apply(w).sum().backward()
    assert id(w.accumulated_grad) == made[0]  # alive as w.grad, so no copy was made
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    total = a + b  # Add hands its gradient to both inputs as it is, and total keeps it too
    total.backward(np.array([1.0, 1.0]))
    assert not np.shares_memory(a.grad, b.grad)
    a.grad += 1  # one tensor's gradient is its own: changing it leaves the other alone
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([1.0, 2.0])
    x.backward(seed)
    seed[0] = 100.0  # the caller's array is not adopted
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])
    hidden = x * 1.0
    view = hidden.reshape(2, 1)  # Reshape's backward returns a view: copied, never adopted
    view.backward(np.ones((2, 1)))
    assert not np.shares_memory(hidden.grad, x.grad)


def test_intermediate_gradients_are_kept():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    (hidden * hidden).sum().backward()
    np.testing.assert_allclose(hidden.grad, 2 * hidden.data)


def test_a_node_lets_go_of_the_reference_to_its_output_when_the_output_dies():
    # Not a dead weak reference per node for the graph's life: 80 bytes and one more object
    # for the cycle collector, in every op of a long chain.
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    node = hidden.grad_fn
    assert node._output() is hidden
    root = (hidden * hidden).sum()
    del hidden
    assert node._output() is None
    assert not any(isinstance(held, weakref.ref) for held in gc.get_referents(node))
    root.backward()
    np.testing.assert_allclose(x.grad, 18 * x.data)


def test_a_value_replaced_in_place_keeps_its_counter_for_the_check_after_the_tensor_dies():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp's backward reads its output
    z = y * 1
    y.mul_(2)
    del y  # the old node's output was retired by mul_: its counter must stay for the check
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_a_backward_pass_counts_consumers_on_the_nodes_not_in_a_dict_the_size_of_the_graph():
    x = tg.tensor(0.5, dtype=tg.float64, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = (y * 0.999).tanh()
    tracemalloc.start()  # traces what is allocated from here on
    y.backward()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # A dict of 40,000 nodes' counts would take about 40 bytes a node at its peak.
    assert peak / 40_000 < 10


def _nodes_of(root) -> list:
    return [node for node in engine.count_consumers([root.grad_fn])
            if not isinstance(node, tg.Tensor)]


class FailingBackward(tg.Function):
    def forward(self, x):
        return x * 1

    def backward(self, grad):
        raise ArithmeticError("boom")


def test_a_pass_that_raises_midway_leaves_every_count_at_zero_and_the_counts_free():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2
    root = (FailingBackward.apply(hidden * 3) + hidden).sum()
    with pytest.raises(ArithmeticError, match="boom"):
        root.backward(retain_graph=True)
    assert all(node._consumers == 0 for node in _nodes_of(root))
    assert engine._COUNTS_ON_NODES.acquire(blocking=False)  # the next pass may count on nodes
    engine._COUNTS_ON_NODES.release()


def test_a_pass_run_by_a_hook_through_the_nodes_of_the_running_pass_counts_on_its_own():
    x = tg.tensor([0.5, 1.0], requires_grad=True)
    h = x.exp()  # two consumers: the outer pass is waiting for both when the hook runs
    inner = []

    def hook(grad):
        with tg.enable_grad():  # a backward pass records nothing, hooks included
            inner.append(tg.grad((h * h).sum(), [x], retain_graph=True)[0])
        return grad

    y = h * 3
    y.register_hook(hook)
    (y.sum() + h.sum()).backward()
    np.testing.assert_allclose(x.grad, 4 * np.exp(x.data), rtol=1e-6)
    np.testing.assert_allclose(inner[0], 2 * np.exp(2 * x.data), rtol=1e-6)
    assert all(node._consumers == 0 for node in _nodes_of(y))


def test_saved_arrays_are_freed_after_backward():
    saved = []

    class Keep(tg.Function):
        def forward(self, x):
            array = x * 2
            saved.append(weakref.ref(array))
            self.save_for_backward(array)
            self.extra = array.copy()
            saved.append(weakref.ref(self.extra))
            return array + 0

        def backward(self, grad):
            return grad * 2

    x = tg.tensor(np.ones(3), requires_grad=True)
    root = Keep.apply(x).sum()
    assert all(ref() is not None for ref in saved)
    root.backward()
    assert all(ref() is None for ref in saved)


def test_backward_releases_saved_arrays_while_the_root_is_alive():
    x = tg.tensor(np.ones(250_000), requires_grad=True)  # 2 MB per array
    tracemalloc.start()
    root = x
    for _ in range(10):
        root = root.tanh()
    root = root.sum()
    held_before = tracemalloc.get_traced_memory()[0]
    root.backward()
    held_after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert root.requires_grad  # the root is still alive
    assert held_before - held_after > 10 * 2_000_000 * 0.9


def test_graph_has_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        w = tg.tensor(np.ones((3, 3)), requires_grad=True)
        for _ in range(20):
            x = tg.tensor(np.ones((4, 3)))
            loss = ((x @ w).tanh() * 2).mean()
            loss.backward()
        del x, loss
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_no_grad_builds_no_graph_and_works_as_decorator():
    x = tg.tensor(1.0, requires_grad=True)
    with tg.no_grad():
        y = x * 2
        with tg.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None

    @tg.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad and tg.is_grad_enabled()
    with tg.set_grad_enabled(False):
        assert not (x * 2).requires_grad


def test_no_grad_is_thread_local():
    seen = {}
    inside, release = threading.Event(), threading.Event()

    def other_thread():
        with tg.no_grad():
            inside.set()
            release.wait(5)
            seen["other"] = tg.is_grad_enabled()

    thread = threading.Thread(target=other_thread)
    thread.start()
    inside.wait(5)
    seen["main"] = (tg.tensor(1.0, requires_grad=True) * 2).requires_grad
    release.set()
    thread.join()
    assert seen == {"main": True, "other": False}


def test_wrong_shaped_custom_gradient_names_the_function_and_both_shapes():
    class BadGrad(tg.Function):
        def forward(self, x):
            return x * 1

        def backward(self, grad):
            return np.ones((5,))

    x = tg.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"BadGrad\.backward.*\(5,\).*\(2, 3\)"):
        BadGrad.apply(x).sum().backward()


def test_wrong_number_of_gradients_is_a_clear_error():
    class TwoInputs(tg.Function):
        def forward(self, x, y):
            return x + y

        def backward(self, grad):
            return grad

    x = tg.tensor(1.0, requires_grad=True)
    with pytest.raises(ValueError, match="TwoInputs.backward returned 1 gradient"):
        TwoInputs.apply(x, x).backward()


def test_a_backward_that_raises_midway_changes_no_grad():
    x = tg.tensor(1.0, requires_grad=True)
    y = tg.tensor(2.0, requires_grad=True)
    out = FailingBackward.apply(x) + y * 3
    with pytest.raises(ArithmeticError):
        out.backward()
    assert float(x.grad) == 0.0 and float(y.grad) == 0.0 and float(out.grad) == 0.0


def test_backward_gradient_argument():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * 2).backward(np.array([1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 4.0])
    x.zero_grad()
    (x * 2).backward(0.5)  # a scalar is broadcast
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])
    with pytest.raises(RuntimeError, match=r"one-element.*\(3,\)"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        (x * 2).backward(np.ones(2))
    y = tg.tensor([[2.0]], requires_grad=True)
    (y * 3).backward()  # one element, any shape
    np.testing.assert_array_equal(y.grad, [[3.0]])


def test_backward_on_a_tensor_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (tg.tensor(1.0) * 2).backward()


def test_forward_shape_error_names_the_op_and_leaves_tensors_unchanged():
    x = tg.tensor(np.ones((2, 3)), requires_grad=True)
    y = tg.tensor(np.ones((4, 5)), requires_grad=True)
    with pytest.raises(ValueError, match=r"Matmul: cannot multiply \(2, 3\) by \(4, 5\)"):
        x @ y
    with pytest.raises(ValueError, match=r"Add: .*\(2,3\).*\(4,5\)"):
        x + y
    assert x.is_leaf and y.is_leaf
    np.testing.assert_array_equal(x.grad, np.zeros((2, 3)))
    np.testing.assert_array_equal(x.data, np.ones((2, 3)))


def test_needs_input_grad_lets_an_op_skip_work():
    calls = []

    class Spy(tg.Function):
        def forward(self, x, y):
            return x * y

        def backward(self, grad):
            calls.append(self.needs_input_grad)
            return None, grad

    x = tg.tensor(2.0)
    y = tg.tensor(3.0, requires_grad=True)
    Spy.apply(x, y).backward()
    assert calls == [(False, True)] and float(y.grad) == 1.0


def test_float32_leaf_keeps_float32_gradients_from_float64_consumers():
    x = tg.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    (x * np.ones(3)).sum().backward()
    assert x.grad.dtype == np.float32


def test_grad_returns_gradients_without_touching_dot_grad():
    x = tg.tensor(3.0, requires_grad=True)
    y = tg.tensor(4.0, requires_grad=True)
    hidden = x * y
    (grad_x, grad_hidden) = tg.grad(hidden * hidden, [x, hidden])
    assert float(grad_x.data) == pytest.approx(2 * 12 * 4)
    assert float(grad_hidden.data) == pytest.approx(24)
    assert float(x.grad) == 0.0
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.grad(x * 2, [x, y])
    assert tg.grad(x * 2, [x, y], allow_unused=True)[1] is None


def test_grad_with_grad_outputs_and_several_outputs():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (grad_x,) = tg.grad([x * 2, x * x], x, grad_outputs=[np.ones(2), np.array([1.0, 0.0])])
    np.testing.assert_allclose(grad_x.data, [2.0 + 2.0, 2.0])


def test_num_forward_counts_the_recorded_consumers_until_backward_frees_them():
    a = tg.tensor(1.0, requires_grad=True)
    b = tg.tensor(2.0, requires_grad=True)
    c = a + b
    d = c * a
    assert (a.num_forward, b.num_forward, c.num_forward, d.num_forward) == (2, 1, 1, 0)
    d.backward(retain_graph=True)
    assert a.num_forward == 2  # the graph is kept, so its ops can run backward again
    d.backward()
    assert (a.num_forward, b.num_forward, c.num_forward) == (0, 0, 0)


def test_num_forward_is_zero_without_a_graph_and_read_only():
    x = tg.tensor(1.0)
    y = x * 2
    assert x.num_forward == 0 and y.num_forward == 0
    with tg.no_grad():
        w = tg.tensor(1.0, requires_grad=True)
        w * 2
    assert w.num_forward == 0
    with pytest.raises(AttributeError):
        x.num_forward = 3


def test_num_forward_forgets_a_graph_that_was_dropped():
    a = tg.tensor(1.0, requires_grad=True)
    unused = a * 3
    assert a.num_forward == 1
    del unused
    gc.collect()
    assert a.num_forward == 0
