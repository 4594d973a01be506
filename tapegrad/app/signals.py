"""Ctrl-C and ``kill`` as a polite request: the training loop stops between two steps.

Python turns SIGINT into a KeyboardInterrupt wherever the program happens to be, possibly
inside an optimizer's update, and SIGTERM simply ends the process. Either way the run's last
minutes are lost. Here both only set a flag that the loop reads before each step; a second
signal means "now" and raises KeyboardInterrupt.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_requests(signals=STOP_SIGNALS) -> Iterator[threading.Event]:
    """An Event that ``signals`` set while the block runs; the old handlers come back after.

    >>> import os
    >>> with stop_requests() as stop:
    ...     os.kill(os.getpid(), signal.SIGINT)
    ...     stop.is_set()
    True
    """
    requested = threading.Event()

    def request_stop(signum, frame):
        if requested.is_set():
            raise KeyboardInterrupt
        requested.set()

    if threading.current_thread() is not threading.main_thread():
        yield requested  # Python delivers signals to the main thread only
        return
    previous = {number: signal.signal(number, request_stop) for number in signals}
    try:
        yield requested
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
