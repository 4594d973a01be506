"""The backward pass: count consumers, walk the graph in reverse topological order, sum and free.

The graph is made of ``Function`` nodes. Each node's ``_parents`` says, per input, which node
made it, or the leaf tensor itself, or ``None`` when no gradient is needed. The walk is
iterative (Kahn's algorithm): a node runs once every consumer of its output inside the graph
reachable from the roots has sent its gradient, so no gradient is ever incomplete and a chain
of a million ops needs no recursion.
"""

from __future__ import annotations

import sys

import numpy as np

from tapegrad import backend
from tapegrad.function import FREED_GRAPH_MESSAGE, Function
from tapegrad.grad_mode import set_grad_enabled
from tapegrad.tensor import Tensor, _wrap


def initial_gradient(root: Tensor, gradient):
    """Return dL/d(root) as an array of root's shape and dtype: 1 when ``gradient`` is None.

    A Tensor that requires grad is kept as it is (after checking its shape), so that under
    create_graph the gradients stay differentiable with respect to it.
    """
    if isinstance(gradient, Tensor) and gradient.requires_grad:
        if gradient.shape != root.data.shape:
            raise ValueError(
                f"backward: gradient has shape {gradient.shape} but the tensor has shape "
                f"{root.data.shape}"
            )
        return gradient
    xp = backend.array_module(root.data)
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                "backward: a gradient can be implied only for one-element tensors; this one "
                f"has shape {root.data.shape}, so pass backward(gradient) of that shape"
            )
        if root.data.ndim == 0 and xp is np:
            return root.data.dtype.type(1)  # a NumPy scalar: the fastest for 0-d arithmetic
        return xp.ones_like(root.data)
    gradient = gradient.data if isinstance(gradient, Tensor) else gradient
    gradient = xp.asarray(gradient, dtype=root.data.dtype)
    if gradient.shape == root.data.shape:
        return gradient
    if gradient.ndim == 0:
        return xp.full_like(root.data, gradient)
    raise ValueError(
        f"backward: gradient has shape {gradient.shape} but the tensor has shape "
        f"{root.data.shape}; pass an array of the tensor's shape or a scalar"
    )


def run_backward(roots, root_grads, retain_graph: bool = False, inputs=None,
                 create_graph: bool = False):
    """Propagate ``root_grads`` from ``roots`` to every tensor in their graph.

    Without ``inputs``, gradients are added to ``.grad`` of every tensor that requires grad and
    is still alive, leaves and intermediates alike, once the whole pass has succeeded (so a pass
    that raises changes no ``.grad``). With ``inputs``, nothing is written: the gradients of
    those tensors are returned instead (``None`` where no gradient reached one).

    With ``create_graph``, each backward formula runs on Tensors with grad mode on, so the
    gradients are Tensors with a graph of their own, differentiable again.
    """
    with set_grad_enabled(create_graph):
        gradients = _walk(roots, root_grads, retain_graph, inputs, create_graph)
        if inputs is not None:
            return gradients
        _write_gradients(gradients, create_graph)
        return None


def _walk(roots, root_grads, retain_graph, inputs, create_graph):
    """Run the pass; return the gradients of ``inputs``, or else the (tensor, gradient) pairs
    to write into ``.grad``. Its own references die with it, which lets them be adopted."""
    as_gradient = _as_gradient_tensor if create_graph else _as_gradient
    exact_types = _TENSOR_GRADIENT_TYPES if create_graph else _GRADIENT_TYPES
    # node or leaf -> dL/d(its output), summed over the consumers done so far
    pending = {}
    for root, grad in zip(roots, root_grads):
        grad = as_gradient(grad) if create_graph else grad
        parent = root if root.grad_fn is None else root.grad_fn
        pending[parent] = grad if parent not in pending else pending[parent] + grad

    consumers = _count_consumers(list(pending))
    ready = [node for node in consumers if consumers[node] == 0]
    wanted = {} if inputs is None else {x.grad_fn: None for x in inputs if x.grad_fn is not None}
    finished = []  # (output tensor still alive, its gradient), written to .grad at the end
    while ready:
        node = ready.pop()
        grad = pending.pop(node, None)
        parents = node._parents
        if grad is None:  # every consumer sent None: nothing flows further up
            input_grads = (None,) * len(parents)
        else:
            if inputs is not None:  # tg.grad: keep the gradients asked for, write no .grad
                if node in wanted:
                    wanted[node] = grad
            else:
                output = node._output()
                if output is not None:
                    finished.append((output, grad))
            input_grads = _backward_of(node, grad) if create_graph else node.backward(grad)
            if type(input_grads) is not tuple:
                # One input's gradient may come bare; anything else is checked out of line.
                input_grads = (input_grads,) if len(parents) == 1 and type(
                    input_grads) in exact_types else _one_per_input(node, input_grads)
            elif len(input_grads) != len(parents):
                input_grads = _one_per_input(node, input_grads)
        if not retain_graph:
            node._release()
        for parent, input_grad in zip(parents, input_grads):
            if parent is None:
                continue
            if input_grad is not None:
                if type(input_grad) not in exact_types:
                    input_grad = as_gradient(input_grad)
                shape = parent._shape
                if input_grad.shape != shape:
                    input_grad = sum_to_shape(input_grad, shape, f"{type(node).__name__}.backward")
                previous = pending.get(parent)
                # Out of place: a gradient may be a read-only view, or shared with another input.
                pending[parent] = input_grad if previous is None else previous + input_grad
            if parent in consumers:  # leaves have no consumers count: nothing waits for them
                remaining = consumers[parent] - 1
                consumers[parent] = remaining
                if remaining == 0:
                    ready.append(parent)

    if inputs is not None:
        return [_captured_gradient(x, wanted, pending, create_graph) for x in inputs]
    finished += pending.items()  # only leaves are left in pending
    return finished


def _write_gradients(gradients: list, create_graph: bool) -> None:
    """Add each (tensor, gradient) pair into the tensor's ``.grad``, emptying the list."""
    while gradients:
        tensor, grad = gradients.pop()
        if create_graph:
            _accumulate_tensor(tensor, grad)
        else:
            # A gradient that only this local variable holds can become .grad without a copy.
            # (Counted in a statement of its own: a call's arguments hold references too.)
            unshared = _reference_count(grad) <= _ALONE
            _accumulate(tensor, grad, unshared)


def _count_consumers(starts) -> dict:
    """Count, for each node reachable from ``starts``, the edges from nodes that consume it."""
    starts = [start for start in starts if not isinstance(start, Tensor)]
    consumers = dict.fromkeys(starts, 0)
    stack = list(starts)
    while stack:
        node = stack.pop()
        if node._saved is None:
            raise RuntimeError(FREED_GRAPH_MESSAGE.format(op=type(node).__name__))
        for parent in node._parents:
            if parent is None or isinstance(parent, Tensor):
                continue
            if parent in consumers:
                consumers[parent] += 1
            else:
                consumers[parent] = 1
                stack.append(parent)
    return consumers


def _one_per_input(node: Function, input_grads) -> tuple:
    """What ``node.backward`` returned as one gradient (or None) per input, or a clear error."""
    if not isinstance(input_grads, (tuple, list)):
        input_grads = (input_grads,)
    if len(input_grads) != len(node._parents):
        name = type(node).__name__
        raise ValueError(
            f"{name}.backward returned {len(input_grads)} gradient(s) but {name}.forward took "
            f"{len(node._parents)} input(s); return one per input (None where none is needed)"
        )
    return tuple(input_grads)


def _backward_of(node: Function, grad):
    """``node.backward`` on Tensors: its saved inputs and output linked to the graph."""
    saved = node._saved
    node._saved = node._saved_as_tensors()
    try:
        return node.backward(grad)
    finally:
        node._saved = saved


# Gradient types the backward loop takes as they are; anything else is converted.
_GRADIENT_TYPES = frozenset({np.ndarray, np.float64, np.float32})
_TENSOR_GRADIENT_TYPES = frozenset({Tensor})


def _as_gradient_tensor(grad) -> Tensor:
    """Under create_graph, every gradient is a Tensor (arrays become constants)."""
    return grad if isinstance(grad, Tensor) else _wrap(backend.as_array(grad))


def _as_gradient(grad):
    """Accept NumPy scalars as they are, and tensors or Python numbers as arrays."""
    if isinstance(grad, np.generic):
        return grad
    if isinstance(grad, Tensor):
        return grad.data
    return backend.as_array(grad)


def sum_to_shape(grad, shape: tuple, op: str = "sum_to_shape"):
    """Sum ``grad`` down to ``shape``: the adjoint of broadcasting ``shape`` up to grad's shape.

    Extra leading axes are summed away and axes that were 1 are summed with keepdims.

    >>> sum_to_shape(np.ones((4, 2, 3)), (2, 1)).tolist()
    [[12.0], [12.0]]
    """
    extra = grad.ndim - len(shape)
    if extra < 0 or any(
        size != 1 and size != grad_size for size, grad_size in zip(shape, grad.shape[extra:])
    ):
        raise ValueError(
            f"{op}: gradient of shape {grad.shape} does not match its input of shape {shape} "
            "(and is not a broadcast of it)"
        )
    stretched = tuple(
        extra + axis
        for axis, size in enumerate(shape)
        if size == 1 and grad.shape[extra + axis] != 1
    )
    summed = grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True)
    return summed.reshape(shape)


def _accumulate(tensor: Tensor, grad, unshared: bool) -> None:
    """Add a finished gradient into ``tensor.grad``. The first gradient becomes ``.grad`` as it
    is when nothing else holds it and it is a whole array laid out like ``data`` (so updates
    like ``w -= lr * w.grad`` walk both arrays in the same order); otherwise ``.grad`` starts as
    a copy, since the gradient may be a view, or shared with another tensor or the caller."""
    if tensor._grad is not None:
        tensor._grad += grad
    elif unshared and _is_whole_array_like(grad, tensor.data):
        tensor._grad = grad
    else:
        tensor._grad = backend.array_module(tensor.data).empty_like(tensor.data)
        tensor._grad[...] = grad


def _is_whole_array_like(grad, data) -> bool:
    return (type(grad) is type(data) and grad.base is None and grad.dtype == data.dtype
            and grad.strides == data.strides and grad.shape == data.shape)


def _reference_count(array) -> int:
    return sys.getrefcount(array)


def _count_for_one_local() -> int:
    array = np.empty(0)
    return _reference_count(array)


# What _reference_count says of an array held by its caller's local variable and nothing
# else. Measured rather than assumed: how calls count references differs between Pythons.
_ALONE = _count_for_one_local()


def _accumulate_tensor(tensor: Tensor, grad: Tensor) -> None:
    """Under create_graph, ``.grad`` becomes a Tensor with the graph that computed it."""
    tensor._grad = grad if tensor._grad is None else tensor._grad + grad


def _captured_gradient(tensor: Tensor, wanted: dict, leaf_grads: dict, create_graph: bool):
    if tensor.grad_fn is not None:
        grad = wanted.get(tensor.grad_fn)
    else:
        grad = leaf_grads.get(tensor)
    if grad is None or create_graph:
        return grad
    return backend.copy_array(grad, tensor.data.dtype)
