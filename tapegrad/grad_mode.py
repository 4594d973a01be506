"""Grad mode: whether ops record a graph. The one piece of global state, kept per thread.

``no_grad``, ``enable_grad``, ``inference_mode`` and ``set_grad_enabled`` switch it as
PyTorch's do: each is a context manager and a decorator, ``no_grad``, ``enable_grad`` and
``inference_mode`` with or without parentheses (``@no_grad`` or ``@no_grad()``).

>>> @no_grad
... def evaluate():
...     return is_grad_enabled()
>>> evaluate(), is_grad_enabled()
(False, True)
"""

from __future__ import annotations

import functools
import inspect
import threading


class _GradState(threading.local):
    enabled = True  # each thread starts with grad mode on ...
    inference = False  # ... and inference mode off


_state = _GradState()


def is_grad_enabled() -> bool:
    """Return True when ops on tensors that require grad record a graph (in this thread).

    >>> is_grad_enabled()
    True
    """
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Return True inside ``inference_mode()`` (in this thread).

    >>> with inference_mode():
    ...     is_inference_mode_enabled()
    True
    """
    return _state.inference


def _decorated(make_switch, func):
    """``func`` run inside a fresh switch from ``make_switch()`` at every call; for a generator
    function, at every step of the generator, since its body runs only as it is iterated."""
    if not callable(func):
        raise TypeError(f"expected a function to decorate, got {type(func).__name__}")
    if inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def generator_wrapper(*args, **kwargs):
            generator = func(*args, **kwargs)
            sent = None
            while True:
                with make_switch():
                    try:
                        value = generator.send(sent)
                    except StopIteration as stop:
                        return stop.value
                sent = yield value

        return generator_wrapper

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with make_switch():
            return func(*args, **kwargs)

    return wrapper


class _GradModeSwitch:
    """Set grad mode (and inference mode) inside a ``with`` block or a decorated function, and
    restore both after. Subclasses say what to set in ``_enabled`` and ``_inference`` (None:
    leave as it is)."""

    _enabled: bool | None = None
    _inference: bool | None = None

    def __init__(self) -> None:
        self._saved: list[tuple[bool, bool]] = []  # a stack: one instance may be re-entered

    def __enter__(self) -> None:
        self._saved.append((_state.enabled, _state.inference))
        if self._enabled is not None:
            _state.enabled = self._enabled
        if self._inference is not None:
            _state.inference = self._inference

    def __exit__(self, *exc_info) -> None:
        _state.enabled, _state.inference = self._saved.pop()

    def __call__(self, func):
        return _decorated(self.clone, func)

    def clone(self) -> _GradModeSwitch:
        """A new switch that sets the same modes (each decorated call enters its own)."""
        return type(self)()


class _SwitchWithoutArguments(_GradModeSwitch):
    def __new__(cls, func=None):
        if func is None:
            return super().__new__(cls)
        return cls()(func)  # used bare, as @no_grad: decorate at once


class no_grad(_SwitchWithoutArguments):
    """Build no graph inside: a context manager and a decorator, ``@no_grad`` or
    ``@no_grad()`` (per thread).

    >>> import tapegrad as tg
    >>> x = tg.tensor(1.0, requires_grad=True)
    >>> with tg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    _enabled = False


class enable_grad(_SwitchWithoutArguments):
    """Record a graph again inside a ``no_grad`` block: a context manager and a decorator,
    ``@enable_grad`` or ``@enable_grad()``.

    >>> import tapegrad as tg
    >>> with tg.no_grad(), tg.enable_grad():
    ...     tg.is_grad_enabled()
    True
    """

    _enabled = True


class inference_mode(_GradModeSwitch):
    """``no_grad`` that also says it is inference (``is_inference_mode_enabled()``); with
    ``mode=False``, grad mode on and inference mode off, as in PyTorch. A context manager and
    a decorator: ``@inference_mode``, ``@inference_mode()``, ``@inference_mode(False)``.

    >>> with inference_mode():
    ...     is_grad_enabled(), is_inference_mode_enabled()
    (False, True)
    """

    def __new__(cls, mode=True):
        if callable(mode):  # used bare, as @inference_mode: decorate at once
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._enabled = not self.mode
        self._inference = self.mode

    def clone(self) -> inference_mode:
        """A new switch to the same mode."""
        return inference_mode(self.mode)


class set_grad_enabled(_GradModeSwitch):
    """Turn grad mode on (``True``) or off (``False``). As in PyTorch it takes effect at once,
    so it works as a plain call; as a context manager or decorator, the mode from before it
    comes back at the end.

    >>> with set_grad_enabled(False):
    ...     is_grad_enabled()
    False
    >>> _ = set_grad_enabled(False); is_grad_enabled()
    False
    >>> _ = set_grad_enabled(True)
    """

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._previous = _state.enabled
        _state.enabled = self.mode

    def __enter__(self) -> None:
        _state.enabled = self.mode

    def __exit__(self, *exc_info) -> None:
        _state.enabled = self._previous

    def __call__(self, func):
        # As a decorator it changes nothing until the function runs.
        _state.enabled = self._previous
        return super().__call__(func)

    def clone(self) -> set_grad_enabled:
        """A new switch to the same mode (made when a decorated function is called)."""
        return set_grad_enabled(self.mode)
