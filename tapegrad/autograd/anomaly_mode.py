"""Anomaly detection: PyTorch's ``detect_anomaly`` and ``set_detect_anomaly``.

While it is on, every op recorded keeps the traceback of the forward call that made it, and
every backward formula's result is checked: a NaN or an infinity raises a RuntimeError that
names the Function and shows that traceback, and any error raised in a backward gets the
traceback as a note. Off, it costs nothing: the recording and the backward pass go back to
their plain paths (see ``tapegrad.function.observe``).
"""

from __future__ import annotations

import functools
import os
import traceback

import numpy as np

from tapegrad import function
from tapegrad.tensor_core import TensorCore

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Anomaly:
    """The observer anomaly mode puts around every op's forward and backward."""

    def __init__(self, check_nan: bool):
        self.check_nan = check_nan

    def forward(self, cls, run):
        result = run()
        node = result.grad_fn
        if node is not None and isinstance(node, cls):  # a complex node is a subclass
            node._forward_trace = _user_stack()
        return result

    def backward(self, node, run):
        try:
            input_grads = run()
        except Exception as error:
            error.add_note(_trace_note(node))
            raise
        if self.check_nan:
            _check_finite(node, input_grads)
        return input_grads


_state = {"observer": None}


def set_detect_anomaly(mode: bool, check_nan: bool = True) -> None:
    """Turn anomaly detection on or off for the whole process (as PyTorch's, not per thread).

    >>> import tapegrad as tg
    >>> set_detect_anomaly(True); is_anomaly_enabled()
    True
    >>> set_detect_anomaly(False); is_anomaly_enabled()
    False
    """
    observer = _state["observer"]
    if observer is not None:
        function.stop_observing(observer)
        _state["observer"] = None
    if mode:
        _state["observer"] = _Anomaly(bool(check_nan))
        function.observe(_state["observer"])


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on.

    >>> is_anomaly_enabled()
    False
    """
    return _state["observer"] is not None


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks backward results for NaN and infinity.

    >>> is_anomaly_check_nan_enabled()
    False
    """
    return _state["observer"] is not None and _state["observer"].check_nan


class detect_anomaly:
    """Context manager and decorator that turns anomaly detection on inside it, and back to
    what it was after.

    >>> import tapegrad as tg
    >>> x = tg.tensor([0.0], requires_grad=True)
    >>> with detect_anomaly():
    ...     y = x.sqrt()          # its gradient at 0 is infinite
    ...     y.sum().backward()    # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: Function 'Sqrt' returned inf values in its 0th output...
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        self.previous: list = []

    def __enter__(self) -> detect_anomaly:
        self.previous.append((is_anomaly_enabled(), is_anomaly_check_nan_enabled()))
        set_detect_anomaly(True, self.check_nan)
        return self

    def __exit__(self, *exc_info) -> None:
        set_detect_anomaly(*self.previous.pop())

    def __call__(self, func):
        @functools.wraps(func)
        def with_anomaly_detection(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return with_anomaly_detection


def _user_stack() -> str:
    """The stack of the current call, without tapegrad's own frames."""
    frames = [frame for frame in traceback.extract_stack()[:-1]
              if not frame.filename.startswith(_PACKAGE)]
    return "".join(traceback.format_list(frames))


def _trace_note(node) -> str:
    trace = getattr(node, "_forward_trace", None)
    if trace is None:
        return (f"(anomaly mode: {type(node).__name__} was recorded before anomaly "
                "detection was on, so its forward traceback is unknown)")
    return (f"Traceback of forward call that created {type(node).__name__} "
            f"(anomaly mode):\n{trace}")


def _check_finite(node, input_grads) -> None:
    grads = input_grads if isinstance(input_grads, (tuple, list)) else (input_grads,)
    for position, grad in enumerate(grads):
        if grad is None:
            continue
        values = np.asarray(grad.data if isinstance(grad, TensorCore) else grad)
        if values.dtype.kind not in "fc":
            continue
        for kind, test in (("nan", np.isnan), ("inf", np.isinf)):
            if test(values).any():
                raise RuntimeError(
                    f"Function '{type(node).__name__}' returned {kind} values in its "
                    f"{position}th output.\n{_trace_note(node)}")
