"""Changing a tensor in place (``x.add_(y)``, ``x += y``, ``x[i] = v``), as PyTorch does.

Every in-place method computes its result out of place, with the ordinary op, from a
stand-in for the tensor's value before the change, and then writes the result into the
tensor's storage and counts one more version of it. So there is one rule for the graph:

- under ``no_grad``, or when nothing involved requires grad, only the values change (this is
  how optimizers and initializers update parameters);
- on a leaf that requires grad, in grad mode, it is PyTorch's error (the leaf's gradient
  would be the gradient of a value that no longer exists);
- otherwise the tensor's history is rebased: its ``grad_fn`` becomes the op just recorded,
  whose input is the value before the change (a copy); the node that made that value no
  longer writes the tensor's ``.grad``, and if its backward reads that value, the version
  check raises PyTorch's error at backward.
"""

from __future__ import annotations

import numpy as np

from tapegrad.function import READS_THROUGH_PARENTS, RetiredOutput
from tapegrad.grad_mode import is_grad_enabled, no_grad
from tapegrad.ops.indexing import Index
from tapegrad.tensor_core import (
    TensorCore,
    VersionCounter,
    counter_of,
    increment_version,
    is_view,
    wrap,
)


def change_in_place(tensor: TensorCore, name: str, compute, others=()) -> TensorCore:
    """Make ``tensor`` hold ``compute(before)`` in place, where ``before`` is its value now
    (``compute`` applies one op with ``before`` as its first tensor input that requires
    grad); ``others`` are the other tensors ``compute`` reads. Returns ``tensor``.

    >>> import tapegrad as tg
    >>> x = tg.tensor([1.0, 2.0], requires_grad=True)
    >>> h = x * 1
    >>> change_in_place(h, "mul_", lambda before: before * before)
    tensor([1., 4.], grad_fn=<Mul>)
    """
    if not is_recorded(tensor, name, others):
        with no_grad():
            write_values(tensor, name, compute(tensor))
        increment_version(tensor)
        return tensor
    if is_view(tensor):
        return _change_through_base(tensor, name, compute)
    # A copy: the op about to be recorded may keep its input for backward, and the storage
    # is about to be overwritten.
    before = wrap(tensor._data.copy(), tensor.grad_fn)
    result = compute(before)
    write_values(tensor, name, result)
    increment_version(tensor)
    if result.grad_fn is not None:
        _hold_the_copy(result.grad_fn, before)
        _rebase(tensor, result.grad_fn)
    return tensor


def is_recorded(tensor: TensorCore, name: str, others=()) -> bool:
    """Whether an in-place change of ``tensor`` that reads ``others`` goes into the graph;
    PyTorch's error for a leaf that requires grad, in grad mode.

    >>> import tapegrad as tg
    >>> is_recorded(tg.tensor([1.0]), "add_", (tg.tensor(1.0, requires_grad=True),))
    True
    """
    if not is_grad_enabled():
        return False
    if tensor._requires_grad and tensor.grad_fn is None:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad is being used in an in-place "
            "operation. (Change it under `with tg.no_grad():`, as optimizers do, or work on "
            "a copy: x.clone().)"
        )
    return tensor._requires_grad or _any_requires_grad(others)


def _change_through_base(view: TensorCore, name: str, compute) -> TensorCore:
    """Change a view made by indexing, as PyTorch does: assign the new values into the base
    (recorded, so the base's history is rebased), then make the view's history a fresh
    indexing of the new base. (``h[i] += 1`` is Python's ``t = h[i]; t += 1; h[i] = t``.)"""
    base, index = _indexed_base(view, name)
    before = wrap(view._data.copy(), view.grad_fn)
    values = compute(before)
    if values.grad_fn is not None:
        _hold_the_copy(values.grad_fn, before)
    base[index] = values  # writes the view's memory too, and counts a version of both
    node = Index.apply(base, index=index).grad_fn
    view.grad_fn._output = RetiredOutput(counter_of(view))
    view.grad_fn = node
    view._requires_grad = True
    node.refer_to_output(view)
    return view


def _indexed_base(view: TensorCore, name: str) -> tuple:
    """The live tensor ``view`` indexes, and the index; or PyTorch's error for a leaf's view,
    or a clear one where tapegrad cannot rebase."""
    node = view.grad_fn
    parent = node._parents[0] if isinstance(node, Index) else None  # complex: a subclass
    if isinstance(parent, TensorCore):
        raise RuntimeError(
            f"{name}: a view of a leaf Variable that requires grad is being used in an "
            "in-place operation. (Change the leaf under `with tg.no_grad():`.)"
        )
    base = parent._output() if parent is not None else None
    if base is None:
        raise RuntimeError(
            f"{name}: this tensor is a view of another one's storage, made by "
            f"{'indexing' if isinstance(node, Index) else 'an op other than indexing'}"
            " of a tensor that tapegrad cannot rebase (reshape, transpose, detach, or a "
            "tensor outside the graph): changing it in place while grad mode records it is "
            "not supported. Assign through the base instead (base[index] = value), or "
            "change a copy (view.clone())."
        )
    return base, node.index


def write_values(tensor: TensorCore, name: str, result) -> None:
    """Copy ``result``'s values into ``tensor``'s storage, or raise leaving it unchanged."""
    values = result._data if isinstance(result, TensorCore) else np.asarray(result)
    target = tensor._data
    if values.shape != target.shape:
        raise RuntimeError(
            f"{name}: the result has shape {values.shape}, which does not fit the tensor's "
            f"shape {target.shape} (an in-place op cannot change the shape)"
        )
    if not target.flags.writeable:
        raise RuntimeError(
            f"{name}: this tensor's memory is read-only: it is a view made by expand or "
            "broadcast_to, where one element stands for several; change a copy (clone())"
        )
    if not np.can_cast(values.dtype, target.dtype, "same_kind"):
        raise TypeError(
            f"{name}: result type {values.dtype} can't be cast to the desired output type "
            f"{target.dtype} of the tensor changed in place"
        )
    target[...] = values


def _hold_the_copy(node, before: TensorCore) -> None:
    """Let ``node``'s version check find ``before`` itself, a copy no one changes, not the
    tensor whose old value it copies (found through the same parent, and about to change)."""
    if node._versions is not READS_THROUGH_PARENTS or before.grad_fn is None:
        return
    for position, parent in enumerate(node._parents):
        if parent is before.grad_fn:  # the first such input is ``before``: see compute
            node._versions = (None,) * position + (before,)
            return


def _rebase(tensor: TensorCore, node) -> None:
    """Make ``node`` (just recorded, from the value before the change) the tensor's grad_fn."""
    previous = tensor.grad_fn
    if previous is not None:
        # The value the old node made is gone: that node no longer writes the tensor's .grad,
        # and if its backward reads that value, the version check finds the change.
        previous._output = RetiredOutput(counter_of(tensor))
    tensor.grad_fn = node
    tensor._requires_grad = True
    node.refer_to_output(tensor)
    if node._versions:
        node._clock = VersionCounter.clock  # the change just made is the one it records


def _any_requires_grad(others) -> bool:
    return any(isinstance(other, TensorCore) and other._requires_grad for other in others)
