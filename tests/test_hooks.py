"""Tensor and Module hooks: PyTorch's signatures, call order and replaced gradients."""

import gc

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import hooks

torch = pytest.importorskip("torch", reason="PyTorch is not installed")


def _leaf(lib, values):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def _array(value):
    return np.asarray(value.detach() if hasattr(value, "detach") else value)


# ----------------------------------------------------------------- tensor hooks


def _hooked_graph(lib, log):
    x = _leaf(lib, [1.0, 2.0])
    h = x * 3
    h.register_hook(lambda grad: log.append(("h first", _array(grad))))
    h.register_hook(lambda grad: grad * 10)
    h.register_hook(lambda grad: log.append(("h after replace", _array(grad))))
    x.register_hook(lambda grad: log.append(("x", _array(grad))))
    (h * h).sum().backward()
    return x.grad


def test_tensor_hooks_run_in_order_and_replace_the_gradient_as_in_pytorch():
    ours, theirs = [], []
    grad = _hooked_graph(tg, ours)
    reference = _hooked_graph(torch, theirs)
    assert [name for name, _ in ours] == [name for name, _ in theirs]
    for (_, mine), (_, other) in zip(ours, theirs):
        np.testing.assert_allclose(mine, other)
    np.testing.assert_allclose(grad, _array(reference))


def test_a_leaf_hook_changes_the_leafs_grad_and_a_removed_hook_is_gone():
    for lib in (tg, torch):
        x = _leaf(lib, [1.0, 2.0])
        handle = x.register_hook(lambda grad: grad + 1)
        (x * 2).sum().backward()
        np.testing.assert_array_equal(_array(x.grad), [3.0, 3.0])
        handle.remove()
        handle.remove()  # twice is harmless
        x.grad = None
        (x * 2).sum().backward()
        np.testing.assert_array_equal(_array(x.grad), [2.0, 2.0])


def test_hooks_see_gradients_in_tg_grad_too():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda grad: grad * 0)
    (g,) = tg.grad((x * x).sum(), [x])
    np.testing.assert_array_equal(g.data, [0.0, 0.0])


def test_a_hook_returning_the_wrong_shape_is_a_clear_error():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda grad: tg.zeros(3))
    with pytest.raises(RuntimeError, match=r"shape \(3,\) for a tensor of shape \(2,\)"):
        (x * 2).sum().backward()


def test_register_hook_needs_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        tg.tensor([1.0]).register_hook(lambda grad: grad)


def test_retain_grad_is_accepted_and_the_grad_is_kept():
    x = tg.tensor(2.0, requires_grad=True)
    h = x * 3
    h.retain_grad()
    assert h.retains_grad
    (h * h).backward()
    assert float(h.grad) == 12.0


@pytest.mark.parametrize("lib", [tg, torch], ids=["tapegrad", "torch"])
def test_post_accumulate_hooks_fire_as_soon_as_the_leafs_gradient_is_complete(lib):
    """The hook on w2 fires before the backward of anything upstream of its use, and sees
    its .grad already summed over both uses."""
    events = []
    w1, w2 = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
    x = _leaf(lib, [0.5, -1.0])
    w2.register_post_accumulate_grad_hook(
        lambda tensor: events.append(("w2", _array(tensor.grad).tolist())))
    h = (x * 2).exp()  # upstream of w2's use: its backward comes after w2 is complete
    h.register_hook(lambda grad: events.append(("h", None)))
    loss = ((h * w1) * w2).sum() + (w2 * w2).sum()
    loss.backward()
    assert events[0][0] == "w2", (lib, events)
    np.testing.assert_allclose(events[0][1], _array(w2.grad))
    assert [name for name, _ in events] == ["w2", "h"]


def test_post_accumulate_hooks_accumulate_across_passes_and_can_be_removed():
    w = tg.tensor([1.0], requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(float(t.grad[0])))
    (w * 2).sum().backward()
    (w * 2).sum().backward()
    handle.remove()
    (w * 2).sum().backward()
    assert seen == [2.0, 4.0] and float(w.grad[0]) == 6.0


def test_a_leaf_that_dies_with_its_post_accumulate_hook_takes_the_hook_with_it():
    # Else every later backward pass would hand out leaves as if a hook were waiting.
    gc.collect()
    before = len(hooks._post_accumulate_leaves)
    w = tg.tensor([1.0], requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda leaf: None)
    assert hooks.any_post_accumulate_hooks()
    assert len(hooks._post_accumulate_leaves) == before + 1
    del w
    gc.collect()
    assert len(hooks._post_accumulate_leaves) == before


def test_post_accumulate_hooks_are_for_leaves_only():
    h = tg.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        h.register_post_accumulate_grad_hook(lambda t: None)


# ----------------------------------------------------------------- module hooks


def _module_log(lib):
    """Every hook of a Linear layer, logging what it saw."""
    log = []
    layer = lib.nn.Linear(3, 2).double()
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(np.arange(6.0).reshape(2, 3) / 10))
        layer.bias.copy_(lib.tensor(np.array([0.5, -0.5])))

    def pre(module, args):
        log.append(("pre", args[0].shape))
        return (args[0] * 2,)

    def forward(module, args, output):
        log.append(("forward", tuple(output.shape)))
        return output + 1

    def backward(module, grad_input, grad_output):
        log.append(("backward", [_array(g).tolist() for g in grad_input],
                    [_array(g).tolist() for g in grad_output]))
        return (grad_input[0] * 3,)

    handles = [layer.register_forward_pre_hook(pre), layer.register_forward_hook(forward),
               layer.register_full_backward_hook(backward)]
    x = _leaf(lib, np.arange(6.0).reshape(2, 3))
    out = layer(x)
    (out * out).sum().backward()
    log.append(("x.grad", _array(x.grad).tolist()))
    log.append(("weight.grad", _array(layer.weight.grad).tolist()))
    for handle in handles:
        handle.remove()
    log.append(("after remove", _array(layer(x)).tolist()))
    return log


def test_module_hooks_match_pytorch_in_order_arguments_and_replacements():
    ours, theirs = _module_log(tg), _module_log(torch)
    assert [entry[0] for entry in ours] == [entry[0] for entry in theirs]
    for mine, other in zip(ours, theirs):
        if mine[0] in ("pre", "forward"):
            assert tuple(mine[1]) == tuple(other[1])
            continue
        for part, reference in zip(mine[1:], other[1:]):
            if mine[0] == "backward":  # lists of gradients, one per input or output
                assert len(part) == len(reference)
                for grad, reference_grad in zip(part, reference):
                    np.testing.assert_allclose(grad, reference_grad, rtol=1e-12)
            else:
                np.testing.assert_allclose(part, reference, rtol=1e-12)


@pytest.mark.parametrize("lib", [tg, torch], ids=["tapegrad", "torch"])
def test_forward_hooks_with_kwargs_and_prepend_order(lib):
    order = []
    layer = lib.nn.ReLU()
    layer.register_forward_hook(lambda m, args, out: order.append("second"))
    layer.register_forward_hook(lambda m, args, out: order.append("first"), prepend=True)
    layer.register_forward_pre_hook(
        lambda m, args, kwargs: (order.append(sorted(kwargs)), None)[1], with_kwargs=True)
    layer.register_forward_hook(
        lambda m, args, kwargs, out: order.append("kwargs"), with_kwargs=True)
    layer(lib.tensor([1.0]))
    assert order == [[], "first", "second", "kwargs"], (lib, order)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("lib", [tg, torch], ids=["tapegrad", "torch"])
def test_a_backward_hook_on_a_module_whose_input_needs_no_grad_sees_none(lib):
    seen = []
    layer = lib.nn.Linear(2, 1)
    layer.register_full_backward_hook(
        lambda m, grad_input, grad_output: seen.append((grad_input, len(grad_output))))
    layer(lib.ones(4, 2)).sum().backward()
    assert seen == [((None,), 1)], (lib, seen)
