"""Grad mode: whether ops record a graph. The one piece of global state, kept per thread."""

from __future__ import annotations

import functools
import threading


class _GradState(threading.local):
    enabled = True  # each thread starts with grad mode on


_state = _GradState()


def is_grad_enabled() -> bool:
    """Return True when ops on tensors that require grad record a graph (in this thread).

    >>> is_grad_enabled()
    True
    """
    return _state.enabled


class set_grad_enabled:
    """Record a graph (``True``) or not (``False``) inside: a context manager and a decorator.

    >>> with set_grad_enabled(False):
    ...     is_grad_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._previous: list[bool] = []  # a stack, so one instance may be entered twice

    def __enter__(self) -> None:
        self._previous.append(is_grad_enabled())
        _state.enabled = self.mode

    def __exit__(self, *exc_info) -> None:
        _state.enabled = self._previous.pop()

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """Build no graph inside: a context manager and a decorator (per thread).

    >>> import tapegrad as tg
    >>> x = tg.tensor(1.0, requires_grad=True)
    >>> with tg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record a graph again inside a ``no_grad`` block: a context manager and a decorator.

    >>> import tapegrad as tg
    >>> with tg.no_grad(), tg.enable_grad():
    ...     tg.is_grad_enabled()
    True
    """

    def __init__(self) -> None:
        super().__init__(True)
