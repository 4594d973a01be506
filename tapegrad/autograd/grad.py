"""``grad`` and ``backward``: gradients of outputs, returned (``grad``) or accumulated into
``.grad`` of the graph's tensors (``backward``), from one or several roots."""

from __future__ import annotations

from tapegrad import engine
from tapegrad.routines import as_tensor
from tapegrad.tensor import Tensor


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False) -> tuple:
    """Return d(outputs)/d(inputs) as a tuple of Tensors, like ``torch.autograd.grad``.

    Nothing is added to any ``.grad``. ``grad_outputs`` weights each output (needed for
    outputs with more than one element). An input the outputs do not depend on is an error
    unless ``allow_unused=True``, which gives ``None`` for it. With ``create_graph=True`` the
    gradients carry a graph of their own and can be differentiated again (to any order).

    >>> import tapegrad as tg
    >>> x = tg.tensor(3.0, requires_grad=True)
    >>> tg.grad(x * x, x)
    (tensor(6.),)
    """
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grad_outputs = _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    for position, tensor in enumerate(outputs + inputs):
        kind = "output" if position < len(outputs) else "input"
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            raise RuntimeError(f"grad: every {kind} must be a Tensor that requires grad")
    root_grads = [engine.initial_gradient(out, g) for out, g in zip(outputs, grad_outputs)]
    retain = create_graph if retain_graph is None else retain_graph
    grads = engine.run_backward(outputs, root_grads, retain_graph=retain, inputs=inputs,
                                create_graph=create_graph)
    for index, value in enumerate(grads):
        if value is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {index} was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
    return tuple(value if value is None or isinstance(value, Tensor) else as_tensor(value)
                 for value in grads)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False) -> None:
    """Accumulate the gradients of ``tensors`` into ``.grad``, like ``torch.autograd.backward``:
    one pass from several roots, each weighted by its ``grad_tensors`` entry (which may be left
    out for one-element roots).

    >>> import tapegrad as tg
    >>> x = tg.tensor(3.0, requires_grad=True)
    >>> tg.autograd.backward([x * x, x * 2])
    >>> x.grad
    array(8., dtype=float32)
    """
    tensors = _as_tuple(tensors)
    grad_tensors = (None,) * len(tensors) if grad_tensors is None else _as_tuple(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise ValueError(f"backward: got {len(grad_tensors)} grad_tensors for {len(tensors)} "
                         "tensors")
    for tensor in tensors:
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            raise RuntimeError("backward: every tensor must be a Tensor that requires grad")
    root_grads = [engine.initial_gradient(out, g) for out, g in zip(tensors, grad_tensors)]
    retain = create_graph if retain_graph is None else retain_graph
    engine.run_backward(tensors, root_grads, retain_graph=retain, create_graph=create_graph)
