"""The Optimizer base: parameter groups, per-parameter state, zero_grad, step and checkpoints.

An optimizer owns no math of its own here: each subclass (``SGD``, ``Adam``, ...) supplies one
``_update(param, grad, state, group)`` that changes ``param.data`` in place, and this class
walks the groups, skips parameters that received no gradient, and saves or loads the state in
PyTorch's ``state_dict`` layout.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections import defaultdict
from typing import Any, Callable, Optional

import numpy as np

from tapegrad import backend, threads
from tapegrad.grad_mode import enable_grad
from tapegrad.tensor import Tensor
from tapegrad.tensor_core import increment_version, wrap


def _describe(param: Tensor, index: int, group_index: int) -> str:
    """Name a parameter in an error: its position, shape and name (when it has one)."""
    name = f" '{param.name}'" if getattr(param, "name", None) else ""
    return f"parameter {index}{name} of group {group_index} (shape {param.shape})"


def _snapshot(value):
    """A copy of one state value for a checkpoint: arrays as NumPy arrays, scalars as numbers."""
    if isinstance(value, np.generic):
        return value.item()
    if backend.array_module(value) is not np:
        return value.get()  # a CuPy array: checkpoints hold host (NumPy) arrays
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)


class Optimizer:
    """Base class of all optimizers: updates ``params`` from their ``.grad`` on ``step()``.

    ``params`` is an iterable of Tensors, or of dicts (parameter groups) each with a
    ``"params"`` entry and any hyperparameters that override ``defaults`` for that group.
    ``state[param]`` is a dict of what the optimizer remembers about a parameter (momentum
    buffers, running averages); ``param_groups`` is the list of groups. Parameters that do
    not require grad (a frozen layer) are accepted, as in PyTorch: they get no gradient, so
    ``step()`` leaves them alone until they are unfrozen.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> w = tg.tensor([1.0, 2.0], requires_grad=True)
    >>> b = tg.tensor(0.5, requires_grad=True)
    >>> optimizer = SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    >>> [group["lr"] for group in optimizer.param_groups]
    [0.1, 0.5]
    """

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params should be an iterable of Tensors or dicts, "
                "got a single Tensor; wrap it in a list: [tensor]"
            )
        self.defaults = dict(defaults)
        # A defaultdict, as in PyTorch, so `optimizer.state[param]` is {} before the first step.
        # Tensors hash by identity, so each parameter is its own key.
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines + [")"])

    # ------------------------------------------------------------------ parameter groups

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with its own hyperparameters, to ``param_groups``.

        Hyperparameters the group leaves out are taken from the optimizer's ``defaults``.
        Useful to unfreeze layers part-way through training.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=0.1)
        >>> optimizer.add_param_group({"params": [tg.tensor(2.0, requires_grad=True)],
        ...                            "lr": 0.01})
        >>> [group["lr"] for group in optimizer.param_groups]
        [0.1, 0.01]
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a param group must be a dict, got {type(param_group)}")
        group = dict(param_group)
        params = group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{name}: parameters must be given in an ordered collection (a list), not a "
                "set: a set's order changes between runs, and state_dict relies on the order"
            )
        elif params is None:
            raise ValueError(f"{name}: a param group needs a 'params' entry")
        group["params"] = params = list(params)
        group_index = len(self.param_groups)
        for index, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"{name}: optimizer can only optimize Tensors, but parameter {index} of "
                    f"group {group_index} is a {type(param).__name__}"
                )
            if not param.is_leaf:
                raise ValueError(
                    f"{name}: can't optimize a non-leaf Tensor: "
                    f"{_describe(param, index, group_index)} was made by "
                    f"{type(param.grad_fn).__name__}; optimize the leaves it was computed from"
                )
        # Membership by id(): `param in list` would call Tensor.__eq__, which is elementwise.
        seen = {id(param) for param in params}
        if len(seen) != len(params):
            raise ValueError(f"{name}: group {group_index} lists a parameter more than once")
        for other in self.param_groups:
            if any(id(param) in seen for param in other["params"]):
                raise ValueError(
                    f"{name}: some parameters appear in more than one parameter group"
                )
        for key, default in self.defaults.items():
            group.setdefault(key, default)
        self._validate_group(group)
        self.param_groups.append(group)

    def _validate_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError for a hyperparameter out of range; subclasses check their own."""

    # ------------------------------------------------------------------ gradients and steps

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters, before the next backward.

        ``set_to_none=True`` (the default) drops each gradient: ``.grad`` then reads as zeros
        again and, until a backward reaches the parameter, ``step()`` skips it. With
        ``set_to_none=False`` the gradients are filled with zeros in place and ``step()`` does
        update with a zero gradient (which moves parameters under momentum or weight decay).

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> w = tg.tensor([1.0, 2.0], requires_grad=True)
        >>> optimizer = SGD([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> optimizer.zero_grad()
        >>> w.grad
        array([0., 0.], dtype=float32)
        """
        threads.follow_machine_load()  # between steps: the BLAS is idle, the check is cheap
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                else:
                    gradient = param.accumulated_grad
                    if gradient is not None:
                        gradient.fill(0)

    def step(self, closure: Optional[Callable[[], Any]] = None):
        """Update every parameter that has a gradient, once; return the closure's loss.

        ``closure`` (optional) recomputes the loss and its gradients; it runs with grad mode
        on, before the update, and its result is returned. Parameters that received no
        gradient since the last ``zero_grad()`` are left alone, with their state.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
        >>> optimizer = SGD([w], lr=0.1)
        >>> def closure():
        ...     optimizer.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     return loss
        >>> optimizer.step(closure)
        tensor(5., grad_fn=<Sum>)
        >>> w
        tensor([ 0.8000, -1.6000], requires_grad=True)
        """
        threads.follow_machine_load()
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                gradient = param.accumulated_grad
                if gradient is None:
                    continue
                if param._data.dtype.kind == "c":
                    self._update_complex(param, gradient, self.state[param], group)
                else:
                    self._update(param, gradient, self.state[param], group)
                increment_version(param)  # a graph that saved param must see the change
        return loss

    def _update_complex(self, param: Tensor, grad, state: dict[str, Any],
                        group: dict[str, Any]) -> None:
        """``_update`` of a complex parameter as PyTorch's optimizers do it, through
        ``view_as_real``: the real and imaginary parts are two reals to the update rule (so
        Adam squares each, not the complex number). The state stays complex, of the
        parameter's shape, as PyTorch's."""
        real_dtype = np.empty(0, param._data.dtype).real.dtype
        pairs, grad_pairs = as_real_pairs(param, grad, real_dtype)
        state_pairs = {key: value.view(real_dtype) if _is_complex_array(value) else value
                       for key, value in state.items()}
        self._update(pairs, grad_pairs, state_pairs, group)
        for key, value in state_pairs.items():
            paired = isinstance(value, np.ndarray) and value.shape == pairs.shape and \
                value.dtype == real_dtype
            state[key] = value.view(param._data.dtype) if paired else value

    def _update(self, param: Tensor, grad, state: dict[str, Any], group: dict[str, Any]):
        """Change ``param.data`` in place from ``grad`` (never modify ``grad`` itself)."""
        raise NotImplementedError(
            f"{type(self).__name__}: an Optimizer subclass must implement "
            "_update(param, grad, state, group), or override step()"
        )

    # ------------------------------------------------------------------ checkpoints

    def state_dict(self) -> dict[str, Any]:
        """Return a snapshot of the optimizer, in PyTorch's layout, for checkpoints.

        ``{"state": {index: {name: value}}, "param_groups": [{..., "params": [index, ...]}]}``:
        parameters are numbered in order across groups; the parameters themselves are not
        saved. Arrays are NumPy copies and scalars Python numbers, so training on does not
        change a saved dict (PyTorch returns references instead).

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> w = tg.tensor([1.0], requires_grad=True)
        >>> optimizer = SGD([w], lr=0.1, momentum=0.9)
        >>> (w * 2).sum().backward()
        >>> optimizer.step()
        >>> saved = optimizer.state_dict()
        >>> saved["state"], saved["param_groups"][0]["params"]
        ({0: {'momentum_buffer': array([2.], dtype=float32)}}, [0])
        """
        index_of: dict[int, int] = {}
        param_groups = []
        for group in self.param_groups:
            packed = {key: _snapshot(value) for key, value in group.items() if key != "params"}
            packed["params"] = [index_of.setdefault(id(param), len(index_of))
                                for param in group["params"]]
            param_groups.append(packed)
        state = {}
        for group in self.param_groups:
            for param in group["params"]:
                entry = self.state.get(param)
                if entry:
                    state[index_of[id(param)]] = {key: _snapshot(value)
                                                  for key, value in entry.items()}
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore state and hyperparameters saved by ``state_dict()`` onto these parameters.

        The groups must match in number and size (parameters are matched by position).
        Everything is checked before anything changes, so on an error the optimizer is as it
        was: each saved group must hold this optimizer's hyperparameters, each of the kind it
        has here (a bool, a number, finite where this one is, a tuple of the same length) and
        in the range the constructor accepts; each state value must be a finite number, or an
        array of its parameter's shape holding numbers. The arrays are copied, floating ones
        in the parameter's dtype (NaN and infinity load as they are, as in PyTorch), so the
        saved dict stays untouched.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> w = tg.tensor([1.0], requires_grad=True)
        >>> saved = SGD([w], lr=0.5).state_dict()
        >>> optimizer = SGD([w], lr=0.1)
        >>> optimizer.load_state_dict(saved)
        >>> optimizer.param_groups[0]["lr"]
        0.5
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not (isinstance(state_dict, dict) and isinstance(state_dict.get("state"), dict)
                and isinstance(state_dict.get("param_groups"), (list, tuple))):
            raise ValueError(
                f"{where}: expected a dict with 'state' and 'param_groups', as state_dict() "
                "returns"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: the state dict has {len(saved_groups)} parameter group(s), this "
                f"optimizer has {len(self.param_groups)}"
            )
        # Build everything first, so a bad entry leaves the optimizer as it was.
        new_groups = [self._loaded_group(index, group, saved) for index, (group, saved)
                      in enumerate(zip(self.param_groups, saved_groups))]
        params_by_index = self._params_by_index(saved_groups)
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for index, entry in state_dict["state"].items():
            if index not in params_by_index:
                raise ValueError(
                    f"{where}: the state dict has state for parameter {index!r}, which none of "
                    "its param_groups lists"
                )
            if not isinstance(entry, dict):
                raise ValueError(f"{where}: the state of parameter {index} is "
                                 f"{type(entry).__name__}, not a dict")
            param = params_by_index[index]
            state[param] = {key: self._load_state_value(param, index, key, value)
                            for key, value in entry.items()}

        self.state = state
        for group, new_group in zip(self.param_groups, new_groups):
            # Updated in place, so anyone holding a group (a scheduler) sees the loaded values.
            group.clear()
            group.update(new_group)

    def _loaded_group(self, index: int, group: dict[str, Any], saved) -> dict[str, Any]:
        """A copy of the ``saved`` group, checked against this optimizer's ``group``, with its
        parameters."""
        where = f"{type(self).__name__}.load_state_dict: parameter group {index}"
        if not (isinstance(saved, dict) and isinstance(saved.get("params"), (list, tuple))):
            raise ValueError(f"{where} of the state dict is not a dict with a 'params' list")
        if len(saved["params"]) != len(group["params"]):
            raise ValueError(
                f"{where} has {len(saved['params'])} parameter(s) in the state dict, "
                f"{len(group['params'])} in this optimizer"
            )
        missing = [key for key in self.defaults if key not in saved]
        if missing:
            raise ValueError(f"{where} of the state dict has no {', '.join(map(repr, missing))}; "
                             "was it saved by another optimizer?")
        new_group = {key: copy.deepcopy(value) for key, value in saved.items() if key != "params"}
        for key, value in new_group.items():
            mismatch = _layout_mismatch(group[key], value, repr(key)) if key in group else None
            if mismatch:
                raise ValueError(f"{where} of the state dict: {mismatch}")
        new_group["params"] = group["params"]
        try:
            self._validate_group(new_group)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where} of the state dict: {error}") from None
        return new_group

    def _params_by_index(self, saved_groups) -> dict[int, Tensor]:
        """The parameter each index of the saved groups stands for, matched by position."""
        params_by_index: dict[int, Tensor] = {}
        for saved, group in zip(saved_groups, self.param_groups):
            for index, param in zip(saved["params"], group["params"]):
                where = f"{type(self).__name__}.load_state_dict: the state dict's param_groups"
                if not isinstance(index, int) or isinstance(index, bool):
                    raise ValueError(f"{where} name parameter {index!r}; parameters are named "
                                     "by integer index")
                if index in params_by_index:
                    raise ValueError(f"{where} list parameter {index} more than once")
                params_by_index[index] = param
        return params_by_index

    def _load_state_value(self, param: Tensor, index: int, key: str, value):
        """Copy one saved value for ``param``: a finite number, or an array of its shape, on its
        array module, floating ones in its dtype."""
        where = f"{type(self).__name__}.load_state_dict: state {key!r} of parameter {index}"
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise ValueError(f"{where} is {value}, expected a finite number")
            return value
        if not hasattr(value, "shape") or not hasattr(value, "dtype"):
            raise ValueError(f"{where} is {_short(value)}, expected a number or an array of "
                             f"the parameter's shape {param.shape}")
        if value.shape != param.shape:
            raise ValueError(f"{where} has shape {value.shape}, the parameter has shape "
                             f"{param.shape}")
        kind = np.dtype(value.dtype).kind
        floating = "fc" if param.dtype.kind == "c" else "f"  # complex state: complex params
        if kind not in "biu" + floating:
            raise ValueError(f"{where} has dtype {value.dtype}, expected numbers (bools, "
                             f"integers, or floats, which become {param.dtype})")
        # Floating state follows the parameter's dtype, as in PyTorch.
        with np.errstate(over="ignore"):  # overflow is checked just below
            array = backend.array_module(param.data).array(
                value, dtype=param.dtype if kind in floating else None)
        if kind in floating and _count_finite(array) != _count_finite(value):
            raise ValueError(f"{where} holds values too large for the parameter's "
                             f"{param.dtype}")
        return array


def as_real_pairs(param: Tensor, grad, real_dtype) -> tuple:
    """A complex parameter (as a tensor) and its gradient as real arrays of interleaved
    (real, imaginary) pairs sharing their memory, the last axis twice as long."""
    if not param._data.flags.c_contiguous:  # the update must write into param's own memory
        raise ValueError(f"optimizer: a complex parameter must be contiguous to be updated in "
                         f"place; this one of shape {tuple(param.shape)} is not")
    return wrap(param._data.view(real_dtype)), np.ascontiguousarray(grad).view(real_dtype)


def _is_complex_array(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "c"


def check_non_negative(group: dict[str, Any], *names: str) -> None:
    """Raise PyTorch's ValueError for a hyperparameter of ``group`` below 0.

    >>> check_non_negative({"lr": -1.0}, "lr")
    Traceback (most recent call last):
    ...
    ValueError: Invalid lr value: -1.0
    """
    for name in names:
        if not 0.0 <= group[name]:
            raise ValueError(f"Invalid {name} value: {group[name]}")


def check_betas(group: dict[str, Any]) -> None:
    """Raise PyTorch's ValueError for a beta of ``group`` outside [0, 1).

    >>> check_betas({"betas": (0.9, 1.0)})
    Traceback (most recent call last):
    ...
    ValueError: Invalid beta parameter at index 1: 1.0
    """
    for index, beta in enumerate(group["betas"]):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")


def _count_finite(array) -> int:
    # A cast never makes a non-finite value finite, so a lower count after one means overflow.
    return int(np.count_nonzero(np.isfinite(array)))


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value) -> Optional[str]:
    """The kind of a plain value a checkpoint must keep: a bool, a number or a string."""
    if isinstance(value, (bool, np.bool_)):
        return "a bool"
    if isinstance(value, numbers.Real):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return None


def _layout_mismatch(expected, value, where: str) -> Optional[str]:
    """How ``value`` departs from the layout of ``expected``, or None where it does not.

    The layout is the kind of each plain value (a bool, a number, finite where ``expected``
    is, a string) and the length and keys of each list, tuple and dict; where ``expected``
    holds anything else (None, an object), any value will do.

    >>> _layout_mismatch((0.9, 0.999), (0.9, "fast"), "'betas'")
    "'betas'[1] is 'fast', expected a number"
    """
    if isinstance(expected, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(expected):
            return f"{where} is {_short(value)}, expected a sequence of {len(expected)}"
        found = (_layout_mismatch(item, other, f"{where}[{position}]")
                 for position, (item, other) in enumerate(zip(expected, value)))
        return next((mismatch for mismatch in found if mismatch), None)
    if isinstance(expected, dict):
        if not isinstance(value, dict) or value.keys() != expected.keys():
            return f"{where} is {_short(value)}, expected a dict with keys {list(expected)}"
        found = (_layout_mismatch(expected[key], value[key], f"{where}[{key!r}]")
                 for key in expected)
        return next((mismatch for mismatch in found if mismatch), None)
    kind = _kind(expected)
    if kind is not None and _kind(value) != kind:
        return f"{where} is {_short(value)}, expected {kind}"
    if kind == "a number" and math.isfinite(expected) and not math.isfinite(value):
        return f"{where} is {value}, expected a finite number"
    return None


def decayed_gradient(param: Tensor, grad, group: dict[str, Any], decoupled: bool = False):
    """``grad`` negated when the group maximizes, with its weight decay applied: added as
    the L2 penalty's gradient, or, ``decoupled`` (AdamW's way), by shrinking the weights now.

    >>> import tapegrad as tg
    >>> w = tg.tensor([2.0], requires_grad=True)
    >>> decayed_gradient(w, np.array([1.0]), {"maximize": True, "weight_decay": 0.5, "lr": 0.1})
    array([0.])
    """
    if group["maximize"]:
        grad = -grad
    weight_decay = float(group["weight_decay"])
    if weight_decay != 0:
        if decoupled:
            param.data *= 1 - float(group["lr"]) * weight_decay
        else:
            grad = grad + weight_decay * param.data
    return grad
