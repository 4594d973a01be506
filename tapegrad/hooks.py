"""Hooks: functions the backward pass calls with a tensor's gradient, and their handles.

A tensor keeps its hooks in ``tensor._hooks`` (``None`` until the first is registered, so a
tensor without hooks costs the backward pass one attribute read). ``register_hook`` functions
see the gradient flowing into the tensor and may replace it; ``register_post_accumulate_grad_hook``
functions run on a leaf as soon as its ``.grad`` holds the pass's gradient, while the rest of
the graph is still being walked (data-parallel training starts sending it then).
"""

from __future__ import annotations

import itertools
import weakref

from tapegrad import backend
from tapegrad.tensor_core import TensorCore, wrap

# The live leaves that have had a post-accumulate hook. While none has one now, the backward
# pass leaves leaves out of its walk and writes every .grad at the end, which is cheaper. (A
# set of the leaves, not a count of the hooks: a leaf that dies takes its hooks with it.)
_post_accumulate_leaves = weakref.WeakSet()
_ids = itertools.count()


class RemovableHandle:
    """What registering a hook returns: ``handle.remove()`` unregisters it (PyTorch's name).

    >>> import tapegrad as tg
    >>> x = tg.tensor(1.0, requires_grad=True)
    >>> handle = x.register_hook(lambda grad: grad * 2)
    >>> handle.remove()
    >>> (x * 3).backward(); x.grad
    array(3., dtype=float32)
    """

    __slots__ = ("_table", "_key")

    def __init__(self, table: dict, key):
        self._table, self._key = table, key

    def remove(self) -> None:
        """Unregister the hook; removing twice does nothing."""
        self._table.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def add_to(table: dict, hook, prepend: bool = False) -> RemovableHandle:
    """Put ``hook`` last (or first) in ``table``, an insertion-ordered dict, and return its
    handle. ``hook`` is a callable, or a tuple whose first item is one.

    >>> table = {}
    >>> handle = add_to(table, print); len(table)
    1
    """
    function = hook[0] if isinstance(hook, tuple) else hook
    if not callable(function):
        raise TypeError(f"register hook: expected a callable, got {type(function).__name__}")
    key = next(_ids)
    table[key] = hook
    if prepend:
        table.update({other: table.pop(other) for other in list(table) if other != key})
    return RemovableHandle(table, key)


class TensorHooks:
    """The hooks of one tensor: on its gradient, and (leaves) after its ``.grad`` is written."""

    __slots__ = ("on_grad", "after_accumulate")

    def __init__(self):
        self.on_grad: dict = {}
        self.after_accumulate: dict = {}

    def run_on_grad(self, tensor: TensorCore, grad):
        """Call each gradient hook in order; a hook's non-None result replaces the gradient."""
        for hook in tuple(self.on_grad.values()):
            as_tensor = grad if isinstance(grad, TensorCore) else wrap(backend.as_array(grad))
            replaced = hook(as_tensor)
            if replaced is None:
                continue
            replaced_data = replaced._data if isinstance(replaced, TensorCore) else replaced
            shape = backend.as_array(replaced_data).shape
            if shape != tensor._data.shape:
                raise RuntimeError(
                    f"hook {getattr(hook, '__name__', hook)!s} returned a gradient of shape "
                    f"{shape} for a tensor of shape {tensor._data.shape}; a hook must return "
                    "a gradient of the tensor's shape, or None"
                )
            grad = replaced if isinstance(grad, TensorCore) else backend.as_array(replaced_data)
        return grad

    def run_after_accumulate(self, tensor: TensorCore) -> None:
        for hook in tuple(self.after_accumulate.values()):
            hook(tensor)


def hooks_of(tensor: TensorCore) -> TensorHooks:
    hooks = tensor._hooks
    if hooks is None:
        hooks = tensor._hooks = TensorHooks()
    return hooks


def register_hook(tensor: TensorCore, hook) -> RemovableHandle:
    """``tensor.register_hook(hook)``: see the Tensor method."""
    if not tensor._requires_grad:
        raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't "
                           "require gradient")
    return add_to(hooks_of(tensor).on_grad, hook)


def register_post_accumulate_grad_hook(tensor: TensorCore, hook) -> RemovableHandle:
    """``tensor.register_post_accumulate_grad_hook(hook)``: see the Tensor method."""
    if not tensor._requires_grad or tensor.grad_fn is not None:
        raise RuntimeError("register_post_accumulate_grad_hook: post accumulate grad hooks "
                           "cannot be registered on non-leaf tensors or tensors that don't "
                           "require grad")
    handle = add_to(hooks_of(tensor).after_accumulate, hook)
    _post_accumulate_leaves.add(tensor)
    return handle


def any_post_accumulate_hooks() -> bool:
    """Whether some live leaf has a post-accumulate hook, so that the walk must count leaves.

    >>> import tapegrad as tg
    >>> w = tg.tensor(1.0, requires_grad=True)
    >>> handle = w.register_post_accumulate_grad_hook(print)
    >>> any_post_accumulate_hooks()
    True
    >>> handle.remove(); any_post_accumulate_hooks()
    False
    """
    # The emptiness test first: it is what every backward pass asks, and it costs 0.06 µs.
    return bool(_post_accumulate_leaves) and any(
        leaf._hooks.after_accumulate for leaf in _post_accumulate_leaves)
