"""Containers: Sequential runs modules in order; ModuleList and ModuleDict hold them for you
to run; ParameterList and ParameterDict hold parameters."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from tapegrad.nn.module import Module, Parameter
from tapegrad.tensor import Tensor


class Sequential(Module):
    """Modules applied one after another, each to the previous one's output.

    >>> import tapegrad as tg
    >>> from tapegrad import nn
    >>> model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    >>> model(tg.ones(4, 2)).shape
    (4, 3)
    """

    def __init__(self, *modules) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            items = modules[0].items()
        else:
            items = ((str(index), module) for index, module in enumerate(modules))
        for name, module in items:
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: {name} is a {type(module).__name__}, not a Module")
            setattr(self, name, module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add a module at the end; returns self."""
        setattr(self, str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent module sees.

    >>> from tapegrad import nn
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> len(list(layers.parameters()))
    6
    """

    def __init__(self, modules=()) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end; returns self."""
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList: {type(module).__name__} is not a Module")
        setattr(self, str(len(self)), module)
        return self

    def extend(self, modules) -> ModuleList:
        """Add several modules at the end; returns self."""
        for module in modules:
            self.append(module)
        return self

    def __getitem__(self, index):
        modules = list(self._modules.values())
        return ModuleList(modules[index]) if isinstance(index, slice) else modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward: iterate over it in yours")


class ModuleDict(Module):
    """A dict of modules, in insertion order, whose parameters the parent module sees.

    >>> from tapegrad import nn
    >>> layers = nn.ModuleDict({"encoder": nn.Linear(2, 3), "act": nn.ReLU()})
    >>> list(layers.keys()), [name for name, _ in layers.named_parameters()]
    (['encoder', 'act'], ['encoder.weight', 'encoder.bias'])
    """

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict: {key!r} is a {type(module).__name__}, not a Module")
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        """The names, in insertion order."""
        return self._modules.keys()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self):
        """(name, module) pairs, in insertion order."""
        return self._modules.items()

    def pop(self, key: str) -> Module:
        """Remove the module named ``key`` and return it."""
        module = self._modules[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def update(self, modules) -> None:
        """Add (name, module) pairs from a mapping or an iterable of pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward: look its modules up in yours")


def _as_parameter(owner: str, value) -> Parameter:
    """A Parameter as is; a Tensor or array wrapped as one, as PyTorch's containers do."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value.data)
    try:
        return Parameter(np.asarray(value))
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: cannot hold a {type(value).__name__} as a Parameter") from None


class ParameterList(Module):
    """A list of Parameters that the parent module sees (named "0", "1", ...).

    >>> import tapegrad as tg
    >>> from tapegrad import nn
    >>> weights = nn.ParameterList([nn.Parameter(tg.ones(2)) for _ in range(3)])
    >>> len(weights), [name for name, _ in weights.named_parameters()]
    (3, ['0', '1', '2'])
    """

    def __init__(self, values=None) -> None:
        super().__init__()
        for value in values or ():
            self.append(value)

    def append(self, value) -> ParameterList:
        """Add a parameter at the end (a Tensor becomes a Parameter); returns self."""
        self.register_parameter(str(len(self)), _as_parameter("ParameterList", value))
        return self

    def extend(self, values) -> ParameterList:
        """Add several parameters at the end; returns self."""
        for value in values:
            self.append(value)
        return self

    def __getitem__(self, index):
        parameters = list(self._parameters.values())
        return ParameterList(parameters[index]) if isinstance(index, slice) else (
            parameters[index])

    def __setitem__(self, index: int, value) -> None:
        name = str(range(len(self))[index])
        self._parameters[name] = _as_parameter("ParameterList", value)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterList has no forward: use its parameters in yours")


class ParameterDict(Module):
    """A dict of Parameters that the parent module sees, in insertion order.

    >>> import tapegrad as tg
    >>> from tapegrad import nn
    >>> table = nn.ParameterDict({"scale": nn.Parameter(tg.ones(1))})
    >>> table["shift"] = tg.zeros(1)
    >>> list(table.keys())
    ['scale', 'shift']
    """

    def __init__(self, parameters=None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __setitem__(self, key: str, value) -> None:
        parameter = _as_parameter("ParameterDict", value)
        if key in self._parameters:
            self._parameters[key] = parameter
        else:
            self.register_parameter(key, parameter)

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key) -> bool:
        return key in self._parameters

    def keys(self):
        """The names, in insertion order."""
        return self._parameters.keys()

    def values(self):
        """The parameters, in insertion order."""
        return self._parameters.values()

    def items(self):
        """(name, parameter) pairs, in insertion order."""
        return self._parameters.items()

    def pop(self, key: str) -> Parameter:
        """Remove the parameter named ``key`` and return it."""
        return self._parameters.pop(key)

    def update(self, parameters) -> None:
        """Add (name, parameter) pairs from a mapping or an iterable of pairs."""
        pairs = parameters.items() if hasattr(parameters, "items") else parameters
        for key, value in pairs:
            self[key] = value

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterDict has no forward: use its parameters in yours")
