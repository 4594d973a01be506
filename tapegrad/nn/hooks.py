"""Module hooks: what ``register_forward_pre_hook``, ``register_forward_hook`` and
``register_full_backward_hook`` keep, and the call of a module that has some.

A full backward hook needs the gradients at the module's boundary, so a call of a module
with such hooks puts identity ops around its forward: one on each output (which notes
dL/d(output) as it passes) and one on each positional input that requires grad (which calls
the hooks with dL/d(input), and passes on what they return).
"""

from __future__ import annotations

from tapegrad.function import Function
from tapegrad.grad_mode import is_grad_enabled
from tapegrad.hooks import RemovableHandle, add_to
from tapegrad.tensor import Tensor

__all__ = ["ModuleHooks", "RemovableHandle", "add_to"]


class ModuleHooks:
    """The hooks of one module, each table in call order (PyTorch's: pre-hooks, forward,
    forward hooks; backward hooks when the inputs' gradients are known).

    >>> ModuleHooks().empty()
    True
    """

    def __init__(self):
        self.forward_pre: dict = {}
        self.forward: dict = {}
        self.backward: dict = {}

    def empty(self) -> bool:
        return not (self.forward_pre or self.forward or self.backward)

    def call(self, module, args: tuple, kwargs: dict):
        """Run ``module.forward(*args, **kwargs)`` with the hooks around it."""
        for hook, with_kwargs in tuple(self.forward_pre.values()):
            if with_kwargs:
                result = hook(module, args, kwargs)
                if result is not None:
                    args, kwargs = result
                    args = args if isinstance(args, tuple) else (args,)
            else:
                result = hook(module, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        boundary = None
        if self.backward and is_grad_enabled():
            boundary = _Boundary(module, self)
            args = boundary.enter(args)
        try:
            output = module.forward(*args, **kwargs)
        except Exception:
            for hook, with_kwargs, always_call in tuple(self.forward.values()):
                if always_call:
                    hook(module, args, kwargs, None) if with_kwargs else hook(module, args, None)
            raise
        for hook, with_kwargs, _ in tuple(self.forward.values()):
            result = hook(module, args, kwargs, output) if with_kwargs else hook(
                module, args, output)
            if result is not None:
                output = result
        return boundary.leave(output) if boundary is not None else output


class _Boundary:
    """One call of a module with backward hooks: its inputs' and outputs' gradients."""

    def __init__(self, module, hooks: ModuleHooks):
        self.module, self.hooks = module, hooks
        self.grad_outputs: list = []
        self.inputs_waiting = 0
        self.grad_inputs: list = []
        self.positions: list = []

    def enter(self, args: tuple) -> tuple:
        wrapped = list(args)
        self.grad_inputs = [None] * len(args)
        for position, value in enumerate(args):
            if isinstance(value, Tensor) and value.requires_grad:
                wrapped[position] = _InputGradient.apply(value, boundary=self,
                                                         position=position)
                self.positions.append(position)
        self.inputs_waiting = len(self.positions)
        return tuple(wrapped)

    def leave(self, output):
        outputs = output if isinstance(output, tuple) else (output,)
        self.grad_outputs = [None] * len(outputs)
        wrapped = tuple(
            _OutputGradient.apply(value, boundary=self, position=position)
            if isinstance(value, Tensor) and value.requires_grad else value
            for position, value in enumerate(outputs))
        return wrapped if isinstance(output, tuple) else wrapped[0]

    def output_done(self) -> None:
        """Every output's gradient is in; with no input that needs one, call the hooks."""
        if not self.positions:
            self.call_hooks()

    def call_hooks(self) -> None:
        grad_input = tuple(self.grad_inputs)
        for hook in tuple(self.hooks.backward.values()):
            result = hook(self.module, grad_input, tuple(self.grad_outputs))
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(grad_input):
                raise RuntimeError(
                    f"backward hook of {type(self.module).__name__} returned {len(result)} "
                    f"gradient(s) for {len(grad_input)} input(s)")
            if len(self.positions) > 1:
                raise RuntimeError(
                    f"backward hook of {type(self.module).__name__}: replacing grad_input "
                    "is supported for modules with one input that requires grad")
            grad_input = result
        self.grad_inputs = list(grad_input)


def _as_tensor(grad):
    return grad if isinstance(grad, Tensor) else Tensor(grad)


class _OutputGradient(Function):
    """y = x;  dL/dx = dL/dy (noted as a module's grad_output on the way)"""

    saved_roles = ()

    def forward(self, x, boundary, position):
        self.boundary, self.position = boundary, position
        return x.view()

    def backward(self, grad):
        boundary = self.boundary
        boundary.grad_outputs[self.position] = _as_tensor(grad)
        if all(value is not None for value in boundary.grad_outputs):
            boundary.output_done()
        return grad


class _InputGradient(Function):
    """y = x;  dL/dx = dL/dy, or what the module's backward hooks return for it"""

    saved_roles = ()

    def forward(self, x, boundary, position):
        self.boundary, self.position = boundary, position
        return x.view()

    def backward(self, grad):
        boundary = self.boundary
        boundary.grad_inputs[self.position] = _as_tensor(grad)
        boundary.inputs_waiting -= 1
        if boundary.inputs_waiting == 0:
            boundary.call_hooks()
        replaced = boundary.grad_inputs[self.position]
        if replaced is None:
            return None
        return replaced.data if isinstance(replaced, Tensor) and not isinstance(
            grad, Tensor) else replaced
