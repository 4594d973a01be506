"""Module and Parameter: the containers a model is built from, and how they find their weights.

Assigning a Parameter or a Module to an attribute registers it (as in PyTorch), so
``parameters()``, ``state_dict()`` and ``train()``/``eval()`` reach everything a model holds.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping

import numpy as np

from tapegrad import devices
from tapegrad.nn.hooks import ModuleHooks, RemovableHandle, add_to
from tapegrad.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module's weight: it requires grad unless told otherwise, and
    assigning it to a Module's attribute registers it.

    >>> Parameter(np.zeros(2))
    Parameter containing:
    tensor([0., 0.], dtype=float64, requires_grad=True)
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
    tensor([2.], dtype=float64, grad_fn=<Mul>)
    """

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        # Buffers left out of state_dict (register_buffer(..., persistent=False)).
        object.__setattr__(self, "_non_persistent_buffers", set())

    def forward(self, *args, **kwargs):
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        hooks = self.__dict__.get("_hooks")
        if hooks is None or hooks.empty():
            return self.forward(*args, **kwargs)
        return hooks.call(self, args, kwargs)

    # ------------------------------------------------------------------ hooks

    def _module_hooks(self) -> ModuleHooks:
        hooks = self.__dict__.get("_hooks")
        if hooks is None:
            hooks = ModuleHooks()
            object.__setattr__(self, "_hooks", hooks)
        return hooks

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before each ``forward``; a non-None result replaces
        the positional arguments (a tuple, or one value). With ``with_kwargs=True`` it is
        ``hook(module, args, kwargs)`` and may return ``(args, kwargs)``. Returns a handle
        whose ``.remove()`` unregisters it.

        >>> import tapegrad as tg
        >>> relu = tg.nn.ReLU()
        >>> handle = relu.register_forward_pre_hook(lambda module, args: args[0] * 2)
        >>> relu(tg.tensor([1.0]))
        tensor([2.])
        >>> handle.remove()
        """
        return add_to(self._module_hooks().forward_pre, (hook, with_kwargs), prepend=prepend)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each ``forward``; a non-None result
        replaces the output. With ``with_kwargs=True`` it is ``hook(module, args, kwargs,
        output)``; with ``always_call=True`` it runs even when forward raised. Returns a
        handle.

        >>> import tapegrad as tg
        >>> shapes = []
        >>> layer = tg.nn.Linear(3, 2)
        >>> handle = layer.register_forward_hook(lambda m, args, out: shapes.append(out.shape))
        >>> _ = layer(tg.zeros(4, 3)); shapes
        [(4, 2)]
        """
        return add_to(self._module_hooks().forward, (hook, with_kwargs, always_call),
                      prepend=prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` during backward, once the gradients
        with respect to the module's inputs are computed: tuples with one entry per positional
        input and per output (a Tensor, or None where no gradient flows). A non-None result
        replaces ``grad_input``. Returns a handle.

        With several inputs that require grad, the hook sees them all but cannot replace
        them (a RuntimeError says so): tapegrad's graph nodes have one output each.

        >>> import tapegrad as tg
        >>> layer = tg.nn.Linear(2, 1)
        >>> seen = []
        >>> handle = layer.register_full_backward_hook(
        ...     lambda m, grad_in, grad_out: seen.append((grad_in[0].shape, grad_out[0].shape)))
        >>> layer(tg.ones(5, 2, requires_grad=True)).sum().backward(); seen
        [((5, 2), (5, 1))]
        """
        return add_to(self._module_hooks().backward, hook, prepend=prepend)

    # ------------------------------------------------------------------ registration

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() is called; "
                "call super().__init__() first"
            )
        if isinstance(value, (Parameter, Module)):
            table = self._parameters if isinstance(value, Parameter) else self._modules
            self._forget(name, keep=table)
            table[name] = value
        elif name in self._parameters or name in self._modules:
            # A registered weight or layer may be emptied, but not quietly turned into a
            # plain attribute by assigning something else (PyTorch's rule).
            kind = "parameter" if name in self._parameters else "child module"
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as {kind} {name!r} "
                                f"(a {'Parameter' if kind == 'parameter' else 'Module'} "
                                "or None expected)")
            (self._parameters if kind == "parameter" else self._modules)[name] = None
        elif name in self._buffers:
            self._buffers[name] = _as_buffer(value)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: dict) -> None:
        """Unregister ``name`` from every table but ``keep``, where it is about to be set
        (so a weight replaced keeps its place in ``parameters()``, as in PyTorch)."""
        for table in (self._parameters, self._buffers, self._modules):
            if table is not keep:
                table.pop(name, None)
        self._non_persistent_buffers.discard(name)
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
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def _check_new_name(self, kind: str, name, table: dict) -> None:
        """Refuse a name that cannot be registered as a ``kind``, with PyTorch's reasons."""
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if not name:
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
        if hasattr(self, name) and name not in table:
            raise KeyError(f"attribute '{name}' already exists")

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Keep a tensor that is state but not a weight (BatchNorm's running mean): it is
        saved in ``state_dict`` (unless ``persistent=False``) but not returned by
        ``parameters()``; ``to()`` converts it with the parameters.

        >>> m = Module()
        >>> m.register_buffer("count", Tensor(0))
        >>> m.register_buffer("scratch", Tensor(0.0), persistent=False)
        >>> list(m.state_dict()), [name for name, _ in m.named_buffers()]
        (['count'], ['count', 'scratch'])
        """
        self._check_new_name("buffer", name, self._buffers)
        self._buffers[name] = _as_buffer(tensor)
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name``, as assigning it does; None keeps the name
        registered with no weight (a layer built without a bias).

        >>> m = Module()
        >>> m.register_parameter("bias", None)
        >>> m.register_parameter("weight", Parameter(np.ones(2)))
        >>> [name for name, _ in m.named_parameters()], m.bias is None
        (['weight'], True)
        """
        self._check_new_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter "
                            f"'{name}' (nn.Parameter or None required)")
        self._parameters[name] = param

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a child named ``name``, as assigning it does (for names
        that are not identifiers, such as ``"0"``).

        >>> m = Module()
        >>> m.add_module("block-1", Module())
        >>> [name for name, _ in m.named_children()]
        ['block-1']
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_new_name("module", name, self._modules)
        self._modules[name] = module

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
        if type(self).named_modules is not Module.named_modules:  # PyTorch follows an override
            yield from (module for _, module in self.named_modules())
            return
        stack, seen = [self], set()
        while stack:  # named_modules' walk, without building a name for every module
            module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield module
            stack.extend(reversed([sub for sub in module._modules.values() if sub is not None]))

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The modules assigned directly to this one, with their attribute names.

        >>> list(Module().named_children())
        []
        """
        return ((name, module) for name, module in self._modules.items() if module is not None)

    def children(self) -> Iterator[Module]:
        """The modules assigned directly to this one.

        >>> list(Module().children())
        []
        """
        return (module for _, module in self.named_children())

    def apply(self, fn) -> Module:
        """Call ``fn`` on every submodule, then on this module (children first, as PyTorch
        does, so ``fn`` can initialise the weights of a whole model); returns self.

        >>> visited = []
        >>> _ = Module().apply(visited.append)
        >>> len(visited)
        1
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def named_parameters(self, prefix: str = "", recurse: bool = True
                         ) -> Iterator[tuple[str, Parameter]]:
        """Every Parameter in the tree (only this module's with ``recurse=False``), each
        once, with dotted names like ``'0.weight'``.

        >>> list(Module().named_parameters())
        []
        """
        return self._named_tensors("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every Parameter in the tree, each once: what an optimizer updates.

        >>> list(Module().parameters())
        []
        """
        if type(self).named_parameters is not Module.named_parameters:  # as PyTorch, follow it
            return (parameter for _, parameter in self.named_parameters(recurse=recurse))
        return self._tensors("_parameters", recurse)

    def named_buffers(self, prefix: str = "", recurse: bool = True
                      ) -> Iterator[tuple[str, Tensor]]:
        """Every buffer in the tree (only this module's with ``recurse=False``), with dotted
        names.

        >>> list(Module().named_buffers())
        []
        """
        return self._named_tensors("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer in the tree.

        >>> list(Module().buffers())
        []
        """
        if type(self).named_buffers is not Module.named_buffers:  # as PyTorch, follow it
            return (buffer for _, buffer in self.named_buffers(recurse=recurse))
        return self._tensors("_buffers", recurse)

    def _tensors(self, table: str, recurse: bool):
        # What _named_tensors yields, without the names: optimizers and training loops ask
        # for parameters() every step.
        seen = set()
        for module in self.modules() if recurse else (self,):
            for tensor in getattr(module, table).values():
                if tensor is not None and id(tensor) not in seen:
                    seen.add(id(tensor))
                    yield tensor

    def _named_tensors(self, table: str, prefix: str, recurse: bool):
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
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
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Put the whole tree in evaluation mode; returns self.

        >>> Module().eval().training
        False
        """
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Make every parameter require grad, or not (to freeze a layer); returns self.

        >>> m = Module(); m.weight = Parameter(np.ones(2))
        >>> m.requires_grad_(False).weight.requires_grad
        False
        """
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradient of every parameter: drop it (``.grad`` reads as zeros again),
        or with ``set_to_none=False`` fill the gradients that exist with zeros.

        >>> Module().zero_grad()
        """
        for parameter in self.parameters():
            if set_to_none:
                parameter.grad = None
            elif parameter.accumulated_grad is not None:
                parameter.grad = np.zeros_like(parameter.data)

    # ------------------------------------------------------------------ devices and dtypes

    def to(self, *args, **kwargs) -> Module:
        """Convert the floating parameters and buffers in place to a dtype, keep them on a
        device (the CPU), or both; returns self. As PyTorch's: ``to(dtype)``, ``to(device)``,
        ``to(device, dtype)``, ``to(tensor)`` (its dtype), ``to(device=..., dtype=...)``.
        The Parameter objects stay the same (an optimizer holding them keeps working); their
        arrays, and their gradients, are converted. Integer buffers keep their dtype.

        >>> m = Module(); m.weight = Parameter(np.ones(2))
        >>> m.to(np.float32).weight.dtype
        dtype('float32')
        """
        device, dtype = _to_arguments(args, kwargs)
        devices.require_cpu(device)
        if dtype is not None:
            self._convert_floating(np.dtype(dtype))
        return self

    def _convert_floating(self, dtype: np.dtype) -> None:
        if dtype.kind != "f":
            raise TypeError("nn.Module.to only accepts floating point dtypes, but got "
                            f"desired dtype={dtype}")
        for tensor in [*self.parameters(), *self.buffers()]:
            if tensor.dtype.kind == "f":
                tensor.data = tensor.data.astype(dtype, copy=False)
                if tensor.accumulated_grad is not None:
                    tensor.grad = tensor.accumulated_grad  # the setter converts it too

    def float(self) -> Module:
        """Convert floating parameters and buffers to float32; returns self.

        >>> m = Module(); m.weight = Parameter(np.ones(2))
        >>> m.float().weight.dtype
        dtype('float32')
        """
        return self.to(np.float32)

    def double(self) -> Module:
        """Convert floating parameters and buffers to float64; returns self.

        >>> m = Module(); m.weight = Parameter(np.ones(2, np.float32))
        >>> m.double().weight.dtype
        dtype('float64')
        """
        return self.to(np.float64)

    def half(self) -> Module:
        """Convert floating parameters and buffers to float16; returns self.

        >>> m = Module(); m.weight = Parameter(np.ones(2))
        >>> m.half().weight.dtype
        dtype('float16')
        """
        return self.to(np.float16)

    def cpu(self) -> Module:
        """Keep the module on the CPU, where tapegrad computes; returns self.

        >>> m = Module(); m.cpu() is m
        True
        """
        return self

    def cuda(self, device=None) -> Module:
        """Refuse: tapegrad has no CUDA backend (a RuntimeError that says so)."""
        devices.require_cpu("cuda")
        return self

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
            buffers = {name: buffer for name, buffer in module._buffers.items()
                       if name not in module._non_persistent_buffers}
            for table in (module._parameters, buffers):
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
        """The arguments shown between the parentheses of this module's repr; override it.

        >>> Module().extra_repr()
        ''
        """
        return ""

    def __repr__(self) -> str:
        # PyTorch's layout: one line when there is one line of extra_repr and no children,
        # else the extra lines and then each child, indented.
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(module).replace("\n", "\n  ")
                       for name, module in self._modules.items()]
        if not child_lines and len(extra_lines) <= 1:
            return f"{type(self).__name__}({extra})"
        body = "\n  ".join(extra_lines + child_lines)
        return f"{type(self).__name__}(\n  {body}\n)"


def _to_arguments(args: tuple, kwargs: dict) -> tuple:
    """The device and dtype that ``Module.to`` is given, in any of PyTorch's spellings."""
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)  # nothing is asynchronous on the CPU
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument {next(iter(kwargs))!r}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, (str, devices.device)):
            device = arg
        elif isinstance(arg, np.dtype) or (isinstance(arg, type) and
                                           issubclass(arg, np.generic)):
            dtype = arg
        elif not isinstance(arg, bool):  # a bool is non_blocking, given by position
            raise TypeError(f"to() expects a device, a dtype or a tensor, got "
                            f"{type(arg).__name__} {arg!r}")
    return device, dtype


def _as_buffer(value) -> Tensor | None:
    """A buffer's value: a Tensor or None as it is, arrays and numbers as a new Tensor (a
    convenience PyTorch, which takes only tensors, lacks)."""
    return value if value is None or isinstance(value, Tensor) else Tensor(value)


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
