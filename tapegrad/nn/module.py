"""Module and Parameter: the containers a model is built from, and how they find their weights.

Assigning a Parameter or a Module to an attribute registers it (as in PyTorch), so
``parameters()``, ``state_dict()`` and ``train()``/``eval()`` reach everything a model holds.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping

import numpy as np

from tapegrad.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module's weight: it requires grad unless told otherwise, and
    assigning it to a Module's attribute registers it.

    >>> Parameter(np.zeros(2))
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True) -> None:
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer and model: subclass it, assign layers and Parameters in
    ``__init__``, and compute in ``forward``; call the module to run ``forward``.

    >>> import tapegrad as tg
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.factor = Parameter(np.ones(1))
    ...     def forward(self, x):
    ...         return x * self.factor
    >>> Scale()(tg.tensor([2.0]))
    tensor([2.], grad_fn=<Mul>)
    """

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    def forward(self, *args, **kwargs):
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ registration

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() is called; "
                "call super().__init__() first"
            )
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)
            return
        self.__dict__.pop(name, None)

    def __getattr__(self, name: str):
        # Called only when normal lookup fails: registered things live in the tables.
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor) -> None:
        """Keep a tensor that is state but not a weight (BatchNorm's running mean): it is
        saved in ``state_dict`` but not returned by ``parameters()``.

        >>> m = Module(); m.register_buffer("count", Tensor(0)); list(m.state_dict())
        ['count']
        """
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor if tensor is None or isinstance(tensor, Tensor) else (
            Tensor(tensor))

    # ------------------------------------------------------------------ walking the tree

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module inside it, with dotted names ('' for this one).

        >>> [name for name, _ in Module().named_modules()]
        ['']
        """
        stack = [(prefix, self)]
        seen = set()
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child}" if name else child, sub)
                        for child, sub in module._modules.items() if sub is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it.

        >>> len(list(Module().modules()))
        1
        """
        return (module for _, module in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The modules assigned directly to this one, with their attribute names."""
        return ((name, module) for name, module in self._modules.items() if module is not None)

    def children(self) -> Iterator[Module]:
        """The modules assigned directly to this one.

        >>> list(Module().children())
        []
        """
        return (module for _, module in self.named_children())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every Parameter in the tree, each once, with dotted names like ``'0.weight'``."""
        return self._named_tensors("_parameters", prefix)

    def parameters(self) -> Iterator[Parameter]:
        """Every Parameter in the tree, each once: what an optimizer updates.

        >>> list(Module().parameters())
        []
        """
        return (parameter for _, parameter in self.named_parameters())

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Every buffer in the tree, with dotted names."""
        return self._named_tensors("_buffers", prefix)

    def buffers(self) -> Iterator[Tensor]:
        """Every buffer in the tree.

        >>> list(Module().buffers())
        []
        """
        return (buffer for _, buffer in self.named_buffers())

    def _named_tensors(self, table: str, prefix: str):
        seen = set()
        for module_name, module in self.named_modules(prefix):
            for name, tensor in getattr(module, table).items():
                if tensor is None or id(tensor) in seen:
                    continue
                seen.add(id(tensor))
                yield (f"{module_name}.{name}" if module_name else name), tensor

    # ------------------------------------------------------------------ modes and grads

    def train(self, mode: bool = True) -> Module:
        """Put the whole tree in training mode (dropout on, batch statistics); returns self.

        >>> Module().train().training
        True
        """
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Put the whole tree in evaluation mode; returns self.

        >>> Module().eval().training
        False
        """
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradient of every parameter (to zeros when next read).

        >>> Module().zero_grad()
        """
        for parameter in self.parameters():
            if set_to_none:
                parameter.grad = None
            else:
                parameter.grad = np.zeros_like(parameter.data)

    # ------------------------------------------------------------------ state

    def state_dict(self) -> OrderedDict:
        """Every parameter and buffer by dotted name, as the arrays themselves (not copies),
        module by module, each module's parameters before its buffers (PyTorch's order).

        >>> Module().state_dict()
        OrderedDict()
        """
        return OrderedDict((name, tensor.data) for name, tensor in self._state_tensors())

    def _state_tensors(self) -> Iterator[tuple[str, Tensor]]:
        for module_name, module in self.named_modules():
            for table in (module._parameters, module._buffers):
                for name, tensor in table.items():
                    if tensor is not None:
                        yield (f"{module_name}.{name}" if module_name else name), tensor

    def load_state_dict(self, state_dict, strict: bool = True):
        """Copy arrays from ``state_dict`` into this module's parameters and buffers.

        Everything is checked before anything is copied, so on an error the module is as it
        was: with ``strict``, missing and unexpected keys are errors; a value always is when
        it is not numbers (None, text, objects), has another shape, or has numbers of another
        kind than the tensor's (complex into float, float into int) or too large for its
        dtype. Floats and ints convert to a float tensor's dtype, as in PyTorch; NaN and
        infinity load as they are (PyTorch's rule: a diverged run's weights can be inspected).
        Returns the missing and unexpected keys, as PyTorch does.

        >>> Module().load_state_dict({})
        ([], [])
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = dict(self._state_tensors())
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        problems = []
        if strict and missing:
            problems.append("Missing key(s) in state_dict: " + ", ".join(map(repr, missing)))
        if strict and unexpected:
            problems.append(
                "Unexpected key(s) in state_dict: " + ", ".join(map(repr, unexpected)))
        sources = {}
        for name, tensor in own.items():
            if name in state_dict:
                try:
                    sources[name] = _converted_for(name, state_dict[name], tensor.data)
                except ValueError as problem:
                    problems.append(str(problem))
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(problems)
            )
        # Each source is a fresh array of its tensor's shape and dtype, so no copy can fail
        # half-way, and a state dict of this module's own arrays (swapped) loads correctly.
        for name, source in sources.items():
            np.copyto(own[name].data, source)
        return missing, unexpected

    # ------------------------------------------------------------------ printing

    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(module).replace("\n", "\n  ")
                 for name, module in self._modules.items()]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        extra = [self.extra_repr()] if self.extra_repr() else []
        body = "\n  ".join(extra + lines)
        return f"{type(self).__name__}(\n  {body}\n)"


def _converted_for(name: str, value, target) -> np.ndarray:
    """A new array holding ``value`` in ``target``'s shape and dtype; a ValueError saying what
    is wrong with ``value`` when it cannot be one without losing what it means."""
    expected = f"an array of shape {target.shape} and dtype {target.dtype}"
    if isinstance(value, Tensor):
        value = value.data
    if value is None or isinstance(value, (str, bytes, Mapping)):
        raise ValueError(f"invalid value for {name}: expected {expected} from the "
                         f"checkpoint, got {type(value).__name__}")
    try:  # an array of NumPy's or CuPy's stays as it is; numbers and lists become one
        array = value if hasattr(value, "dtype") and not np.isscalar(value) else (
            np.asarray(value))
    except ValueError as error:  # a ragged list
        raise ValueError(f"invalid value for {name}: expected {expected} from the "
                         f"checkpoint ({error})") from None
    if array.shape != target.shape:
        raise ValueError(
            f"size mismatch for {name}: copying a param with shape {array.shape} from "
            f"the checkpoint, the shape in the current model is {target.shape}"
        )
    if array.dtype.kind not in "biuf" or not np.can_cast(array.dtype, target.dtype, "same_kind"):
        raise ValueError(f"dtype mismatch for {name}: the checkpoint has dtype {array.dtype}, "
                         f"which does not convert to the model's {target.dtype}")
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked just below
        converted = array.astype(target.dtype)
    changed = (np.isfinite(array) & ~np.isfinite(converted) if target.dtype.kind == "f"
               else converted != array)
    if changed.any():
        raise ValueError(f"value out of range for {name}: the checkpoint's "
                         f"{array[changed].flat[0]} ({array.dtype}) does not fit in the "
                         f"model's {target.dtype}")
    return converted
