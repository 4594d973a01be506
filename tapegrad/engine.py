"""The backward pass: count consumers, walk the graph in reverse topological order, sum and free.

The graph is made of ``Function`` nodes. Each node's ``_parents`` says, per input, which node
made it, or the leaf tensor itself, or ``None`` when no gradient is needed. ``backward_order``
is the one walk of a graph that tapegrad has: iterative (Kahn's algorithm), it hands out a node
once every consumer of its output inside the graph reachable from the roots has been handed
out, so a chain of a million ops needs no recursion. ``run_backward`` sends gradients along
it (``pass_order``: the same walk, its counts kept on the nodes); ``tapegrad.viz`` draws and
narrates along it.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from tapegrad import backend, cpython, function, hooks
from tapegrad.function import FREED_GRAPH_MESSAGE, Function, check_versions
from tapegrad.grad_mode import set_grad_enabled
from tapegrad.tensor_core import TensorCore, VersionCounter, wrap


def count_consumers(starts, allow_freed: bool = True, count_leaves: bool = True) -> dict:
    """Count, for each node and leaf reachable from ``starts``, the edges from the nodes
    that consume it (0 for the starts themselves, unless another start consumes them).

    With ``allow_freed=False`` a node whose saved arrays an earlier backward freed is an
    error, found before anything runs (a freed graph can still be drawn). With
    ``count_leaves=False`` leaves are left out, and ``backward_order`` will not hand them
    out: a backward pass only adds up what reaches them.

    >>> import tapegrad as tg
    >>> a = tg.tensor(1.0, requires_grad=True)
    >>> count_consumers([(a * a + a).grad_fn])[a]
    3
    """
    consumers = dict.fromkeys(starts, 0)
    stack = [start for start in starts if not isinstance(start, TensorCore)]
    while stack:
        node = stack.pop()
        if node._saved is None and not allow_freed:
            raise RuntimeError(FREED_GRAPH_MESSAGE.format(op=type(node).__name__))
        for parent in node._parents:
            if parent is None:
                continue
            if parent in consumers:
                consumers[parent] += 1
            elif not isinstance(parent, TensorCore):
                consumers[parent] = 1
                stack.append(parent)
            elif count_leaves:
                consumers[parent] = 1
    return consumers


def backward_order(starts, consumers: dict | None = None):
    """Yield each node (a Function) and leaf (a tensor) reachable from ``starts``, each one
    after every node that consumes it: the order in which a backward pass may visit them.

    ``consumers`` is ``count_consumers(starts)``, computed here when not given; the walk
    counts it down.

    >>> import tapegrad as tg
    >>> a = tg.tensor(1.0, requires_grad=True)
    >>> [type(node).__name__ for node in backward_order([(a * a + a).grad_fn])]
    ['Add', 'Mul', 'Tensor']
    """
    if consumers is None:
        consumers = count_consumers(starts)
    ready = [node for node in consumers if consumers[node] == 0]
    while ready:
        node = ready.pop()
        yield node
        for parent in node._parents:  # a leaf has none
            if parent in consumers:  # None and uncounted leaves are not
                remaining = consumers[parent] - 1
                consumers[parent] = remaining
                if remaining == 0:
                    ready.append(parent)


# One backward pass at a time keeps its consumer counts on the nodes themselves; see pass_order.
_COUNTS_ON_NODES = threading.Lock()


def pass_order(starts, walks_leaves: bool = False):
    """``backward_order`` for a backward pass: each node reachable from ``starts`` after every
    node that consumes it (the leaves too when ``walks_leaves``), having first checked that
    no node's saved arrays were freed by an earlier backward.

    A pass that has the nodes to itself counts on them, in each node's ``_consumers`` slot,
    which is 0 between passes: a dict of counts would cost about 40 bytes a node (and more
    while it grows), a chain of a million ops 40 MB at the pass's peak. Leaves have no slot;
    the few a pass hands out are counted in a dict. A pass that finds the slots in use (by a
    pass in another thread, or by the pass whose hook it runs in) counts in a dict, as
    ``count_consumers`` does. Close the generator when the pass stops early: that sets the
    counts back to 0 and gives the slots back.

    >>> import tapegrad as tg
    >>> a = tg.tensor(1.0, requires_grad=True)
    >>> [type(node).__name__ for node in pass_order([(a * a + a).grad_fn])]
    ['Add', 'Mul']
    """
    if not _COUNTS_ON_NODES.acquire(blocking=False):
        consumers = count_consumers(starts, allow_freed=False, count_leaves=walks_leaves)
        yield from backward_order(starts, consumers)
        return
    leaves = {} if walks_leaves else None  # leaf -> consumers, when leaves are handed out
    finished = False
    try:
        _count_on_nodes(starts, leaves)
        ready = [start for start in starts if start._consumers == 0]
        while ready:
            node = ready.pop()
            yield node
            for parent in node._parents:  # a leaf has none
                if parent is None:
                    continue
                if parent._consumers is not None:
                    remaining = parent._consumers - 1
                    parent._consumers = remaining
                elif leaves is not None:
                    remaining = leaves[parent] - 1
                    leaves[parent] = remaining
                else:
                    continue  # a leaf the pass does not hand out
                if remaining == 0:
                    ready.append(parent)
        finished = True  # and every count is back to 0
    finally:
        if not finished:
            for node in count_consumers(starts):
                if not isinstance(node, TensorCore):
                    node._consumers = 0
        _COUNTS_ON_NODES.release()


def _count_on_nodes(starts: list, leaves) -> None:
    """``count_consumers(starts, allow_freed=False)`` with each node's count on the node, and
    each leaf's in ``leaves`` unless that is None (leaves not counted)."""
    starting = set(starts)
    stack = list(starts)
    while stack:
        node = stack.pop()
        if node._saved is None:
            raise RuntimeError(FREED_GRAPH_MESSAGE.format(op=type(node).__name__))
        for parent in node._parents:
            if parent is None:  # no gradient wanted
                continue
            count = parent._consumers
            if count is None:  # a leaf
                if leaves is not None:
                    leaves[parent] = leaves.get(parent, 0) + 1
            else:
                if count == 0 and parent not in starting:  # reached for the first time
                    stack.append(parent)
                parent._consumers = count + 1


def node_of(tensor: TensorCore):
    """The graph node a tensor stands for: the Function that made it, or the leaf itself.

    >>> import tapegrad as tg
    >>> x = tg.tensor(1.0, requires_grad=True)
    >>> node_of(x) is x, type(node_of(x * 2)).__name__
    (True, 'Mul')
    """
    return tensor if tensor.grad_fn is None else tensor.grad_fn


def initial_gradient(root: TensorCore, gradient):
    """Return dL/d(root) as an array of root's shape and dtype: 1 when ``gradient`` is None.

    A Tensor that requires grad is kept as it is (after checking its shape), so that under
    create_graph the gradients stay differentiable with respect to it.

    >>> import tapegrad as tg
    >>> initial_gradient(tg.tensor([1.0, 2.0]), 3.0)
    array([3., 3.], dtype=float32)
    """
    if isinstance(gradient, TensorCore) and gradient.requires_grad:
        if gradient.shape != root._data.shape:
            raise ValueError(
                f"backward: gradient has shape {gradient.shape} but the tensor has shape "
                f"{root._data.shape}"
            )
        return gradient
    xp = backend.array_module(root._data)
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError(
                "backward: a gradient can be implied only for one-element tensors; this one "
                f"has shape {root._data.shape}, so pass backward(gradient) of that shape"
            )
        if root._data.dtype.kind == "c":
            raise RuntimeError(
                "backward: grad can be implicitly created only for real scalar outputs but got "
                f"{root._data.dtype}; pass backward(gradient) (PyTorch's rule: the loss must "
                "be real, e.g. z.abs() or z.real of a complex z)"
            )
        if root._data.ndim == 0 and xp is np:
            return root._data.dtype.type(1)  # a NumPy scalar: the fastest for 0-d arithmetic
        return xp.ones_like(root._data)
    gradient = gradient._data if isinstance(gradient, TensorCore) else gradient
    gradient = xp.asarray(gradient, dtype=root._data.dtype)
    if gradient.shape == root._data.shape:
        return gradient
    if gradient.ndim == 0:
        return xp.full_like(root._data, gradient)
    raise ValueError(
        f"backward: gradient has shape {gradient.shape} but the tensor has shape "
        f"{root._data.shape}; pass an array of the tensor's shape or a scalar"
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

    >>> import tapegrad as tg
    >>> x = tg.tensor(3.0, requires_grad=True)
    >>> run_backward([x * x], [1.0], inputs=[x])
    [array(6., dtype=float32)]
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
        node = node_of(root)
        pending[node] = grad if node not in pending else pending[node] + grad

    starts = [node for node in pending if not isinstance(node, TensorCore)]  # a leaf root: done
    # A leaf with a post-accumulate hook must get its .grad as soon as it is complete, so
    # then the walk hands out leaves too; otherwise they are summed up at the end.
    walks_leaves = hooks.any_post_accumulate_hooks()
    observed = bool(function.OBSERVERS)  # anomaly mode or the profiler: read once a pass
    # In-place changes so far: a node recorded at this clock saved nothing changed since.
    # (A hook that changes a tensor in place during the pass is not checked against.)
    clock = VersionCounter.clock
    wanted = None if inputs is None else {node_of(tensor): None for tensor in inputs}
    finished = []  # (tensor still alive, its gradient), written to .grad at the end
    with contextlib.closing(pass_order(starts, walks_leaves)) as order:
        for node in order:
            grad = pending.pop(node, None)
            if walks_leaves and isinstance(node, TensorCore):
                if grad is not None:
                    _finish_leaf(node, grad, wanted, finished, create_graph)
                continue
            if grad is None:  # every consumer sent None: nothing flows further up
                if not retain_graph:
                    node._release()
                continue
            output = node._output()
            if output is not None and output._hooks is not None:
                grad = output._hooks.run_on_grad(output, grad)
            if wanted is None:
                if output is not None:
                    finished.append((output, grad))
            elif node in wanted:
                wanted[node] = grad
            parents = node._parents
            if observed:
                input_grads = function.observed_backward(node, grad, create_graph)
            else:
                if node._versions and node._clock != clock:
                    check_versions(node)  # something was changed in place since node was made
                input_grads = node.backward_on_graph(grad) if create_graph else node.backward(grad)
            if type(input_grads) is not tuple:
                # One input's gradient may come bare; anything else is checked out of line.
                input_grads = (input_grads,) if len(parents) == 1 and type(
                    input_grads) in exact_types else gradients_per_input(node, input_grads)
            elif len(input_grads) != len(parents):
                input_grads = gradients_per_input(node, input_grads)
            if not retain_graph:
                node._release()
            for parent, input_grad in zip(parents, input_grads):
                if parent is None or input_grad is None:
                    continue
                if type(input_grad) not in exact_types:
                    input_grad = as_gradient(input_grad)
                shape = parent._shape
                if input_grad.shape != shape:
                    input_grad = sum_to_shape(input_grad, shape, f"{type(node).__name__}.backward")
                previous = pending.get(parent)
                # Out of place: a gradient may be a read-only view, or shared with another input.
                pending[parent] = input_grad if previous is None else previous + input_grad

    # What is left in pending are the leaves' gradients, complete now.
    for leaf, grad in pending.items():
        if leaf._hooks is not None:
            grad = leaf._hooks.run_on_grad(leaf, grad)
        if wanted is None:
            finished.append((leaf, grad))
        elif leaf in wanted:
            wanted[leaf] = grad
    if wanted is None:
        return finished
    return [_captured_gradient(tensor, wanted, create_graph) for tensor in inputs]


def _finish_leaf(leaf: TensorCore, grad, wanted, finished: list, create_graph: bool) -> None:
    """A leaf's gradient is complete: run its hooks; with post-accumulate hooks, add it into
    ``.grad`` now and call them (PyTorch's order), else leave it for the end of the pass."""
    if leaf._hooks is not None:
        grad = leaf._hooks.run_on_grad(leaf, grad)
    if wanted is not None:
        if leaf in wanted:
            wanted[leaf] = grad
    elif leaf._hooks is not None and leaf._hooks.after_accumulate:
        _write_gradients([(leaf, grad)], create_graph)
        leaf._hooks.run_after_accumulate(leaf)
    else:
        finished.append((leaf, grad))


# Threads may run backward passes into one tensor at once, and adding into ``.grad`` reads,
# adds and writes (NumPy lets go of the GIL in between), so each addition holds a lock. The
# locks are striped by the tensor's id: unrelated tensors rarely share one, so independent
# graphs do not wait for each other.
_ACCUMULATION_LOCKS = tuple(threading.Lock() for _ in range(64))


def _accumulation_lock(tensor: TensorCore) -> threading.Lock:
    return _ACCUMULATION_LOCKS[(id(tensor) >> 4) % len(_ACCUMULATION_LOCKS)]


def _write_gradients(gradients: list, create_graph: bool) -> None:
    """Add each (tensor, gradient) pair into the tensor's ``.grad``, emptying the list."""
    while gradients:
        tensor, grad = gradients.pop()
        if create_graph:
            with _accumulation_lock(tensor):
                tensor._grad = grad if tensor._grad is None else tensor._grad + grad
        else:
            unshared = cpython.held_only_by_caller(grad)
            with _accumulation_lock(tensor):
                _accumulate(tensor, grad, unshared)


def gradients_per_input(node: Function, input_grads) -> tuple:
    """What ``node.backward`` returned as one gradient (or None) per input, or a clear error.

    >>> from tapegrad.ops.arithmetic import Neg
    >>> node = Neg()
    >>> node._parents = (None,)
    >>> gradients_per_input(node, 1.0)
    (1.0,)
    """
    if not isinstance(input_grads, (tuple, list)):
        input_grads = (input_grads,)
    if len(input_grads) != len(node._parents):
        name = type(node).__name__
        raise ValueError(
            f"{name}.backward returned {len(input_grads)} gradient(s) but {name}.forward took "
            f"{len(node._parents)} input(s); return one per input (None where none is needed)"
        )
    return tuple(input_grads)


# Gradient types the backward loop takes as they are; anything else is converted.
_GRADIENT_TYPES = frozenset({np.ndarray, np.float64, np.float32})
_TENSOR_GRADIENT_TYPES = frozenset({TensorCore})


def _as_gradient_tensor(grad) -> TensorCore:
    """Under create_graph, every gradient is a Tensor (arrays become constants)."""
    return grad if isinstance(grad, TensorCore) else wrap(backend.as_array(grad))


def _as_gradient(grad):
    """Accept NumPy scalars as they are, and tensors or Python numbers as arrays."""
    if isinstance(grad, np.generic):
        return grad
    if isinstance(grad, TensorCore):
        return grad._data
    return backend.as_array(grad)


def as_gradient_array(grad):
    """A gradient a ``backward`` returned (array, NumPy scalar, number or tensor) as an array.

    >>> as_gradient_array(2.0)
    array(2.)
    """
    return backend.as_array(_as_gradient(grad))


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


def _accumulate(tensor: TensorCore, grad, unshared: bool) -> None:
    """Add a finished gradient into ``tensor.grad``. The first gradient becomes ``.grad`` as it
    is when nothing else holds it and it is a whole array laid out like ``data`` (so updates
    like ``w -= lr * w.grad`` walk both arrays in the same order); otherwise ``.grad`` starts as
    a copy, since the gradient may be a view, or shared with another tensor or the caller."""
    if tensor._grad is not None:
        tensor._grad += grad
    elif unshared and _is_whole_array_like(grad, tensor._data):
        tensor._grad = grad
    else:
        tensor._grad = backend.array_module(tensor._data).empty_like(tensor._data)
        tensor._grad[...] = grad


def _is_whole_array_like(grad, data) -> bool:
    return (type(grad) is type(data) and grad.base is None and grad.dtype == data.dtype
            and grad.strides == data.strides and grad.shape == data.shape)


def _captured_gradient(tensor: TensorCore, wanted: dict, create_graph: bool):
    grad = wanted.get(node_of(tensor))
    if grad is None or create_graph:
        return grad
    return backend.copy_array(grad, tensor._data.dtype)
