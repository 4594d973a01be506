"""PyTorch's style of custom op: ``tg.autograd.Function`` with static ``forward(ctx, ...)`` and
``backward(ctx, grad)`` on Tensors, next to the course exercise's ``tg.Function`` on arrays.

Each call of ``apply`` makes one graph node, and that node is the ``ctx`` both methods get:
what ``forward`` keeps on it (``ctx.save_for_backward``, ``ctx.scale = ...``) is there for
``backward``, and freed with the node. ``forward`` runs with grad mode off, on the Tensors it
was given; ``backward`` gets dL/d(output) as a Tensor and returns one gradient per argument of
``forward`` (``None`` for the arguments that are not tensors or need none).
"""

from __future__ import annotations

import numpy as np

from tapegrad import engine, grad_mode
from tapegrad.function import Function as _SeedFunction
from tapegrad.tensor_core import TensorCore, VersionCounter, share_storage, wrap


class FunctionCtx(_SeedFunction):
    """The ``ctx`` of a ``tg.autograd.Function`` call, and its node in the graph.

    >>> import tapegrad as tg
    >>> class Triple(tg.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * 3
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         return grad * 3
    >>> Triple.apply(tg.tensor([1.0], requires_grad=True)).grad_fn
    <TripleBackward>
    """

    saved_roles = ()  # what is saved are Tensors, linked to the graph already
    definition: type = None  # the tg.autograd.Function subclass this node runs

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (inputs or the output) for ``backward``: ``ctx.saved_tensors``."""
        for tensor in tensors:
            if tensor is not None and not isinstance(tensor, TensorCore):
                raise TypeError(
                    f"{type(self).__name__}: save_for_backward takes tensors (or None), got "
                    f"{type(tensor).__name__}; keep other values as attributes of ctx"
                )
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``; the output forward returned stands for
        the node's own output, so a backward computed from it can be differentiated again."""
        returned = self.__dict__.get("_returned")
        return tuple(self._output_on_graph() if tensor is returned and tensor is not None
                     else tensor for tensor in self.saved)

    def mark_non_differentiable(self, *outputs) -> None:
        """Say that these outputs get no gradient (indices, masks): they are not linked."""
        self.__dict__["_non_differentiable"] = {id(output) for output in outputs}

    def backward(self, grad):
        # The engine's call: hand the user's backward a Tensor, take back one per argument.
        gradient = grad if isinstance(grad, TensorCore) else wrap(grad)
        return self.definition.backward(self, gradient)

    def backward_on_graph(self, grad):
        return self.backward(grad)  # grad mode is on and saved_tensors are linked already

    def version_plan(self) -> tuple:
        # What the version check covers: every tensor given to save_for_backward.
        return tuple((("saved", position), None) for position in range(len(self._versions)))

    def _output_on_graph(self) -> TensorCore:
        output = self._output()
        return output if output is not None else wrap(self.__dict__["_returned"].data, self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class Function:
    """Base class of a custom op in PyTorch's style (``torch.autograd.Function``).

    >>> import tapegrad as tg
    >>> class ScaledExp(tg.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x, scale):
    ...         y = x.exp() * scale
    ...         ctx.save_for_backward(y)
    ...         return y
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (y,) = ctx.saved_tensors
    ...         return grad * y, None          # none for the number `scale`
    >>> x = tg.tensor([0.0, 1.0], requires_grad=True)
    >>> ScaledExp.apply(x, 2.0).sum().backward()
    >>> x.grad.round(4)
    array([2.    , 5.4366], dtype=float32)
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Compute the output Tensor from the arguments (runs with grad mode off)."""
        raise NotImplementedError("a tg.autograd.Function must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad):
        """Return one gradient per argument of forward (``None`` where none is needed)."""
        raise NotImplementedError("a tg.autograd.Function must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` and, when an argument requires grad, link the graph."""
        recording = grad_mode.is_grad_enabled()
        parents = tuple(
            engine.node_of(value) if isinstance(value, TensorCore) and recording
            and value.requires_grad else None for value in args)
        ctx = _node_class(cls)()
        ctx._saved = ()
        ctx.needs_input_grad = tuple(parent is not None for parent in parents)
        with grad_mode.no_grad():
            output = cls.forward(ctx, *args, **kwargs)
        if isinstance(output, (tuple, list)):
            raise NotImplementedError(
                f"{cls.__name__}.forward returned {len(output)} outputs; a tapegrad "
                "autograd.Function returns one tensor"
            )
        if not isinstance(output, TensorCore):
            output = wrap(np.asarray(output))
        ctx.__dict__["_returned"] = output
        differentiable = id(output) not in ctx.__dict__.get("_non_differentiable", ())
        needs_graph = differentiable and True in ctx.needs_input_grad
        # The result shares the returned tensor's storage, and so its version counter.
        result = share_storage(ctx._link(output.data, (), parents, needs_graph), output)
        if result.grad_fn is ctx and ctx._saved:
            ctx._versions, ctx._clock = ctx._saved, VersionCounter.clock
        return result


def _node_class(definition: type) -> type:
    """The node class of a Function subclass, ``<Name>Backward`` as PyTorch names it; made
    once per subclass."""
    node_class = definition.__dict__.get("_node_class")
    if node_class is None:
        node_class = type(f"{definition.__name__}Backward", (FunctionCtx,),
                          {"definition": definition,
                           "__doc__": f"The ctx and graph node of {definition.__name__}."})
        definition._node_class = node_class
    return node_class
