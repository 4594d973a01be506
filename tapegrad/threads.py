"""How many threads NumPy's BLAS (its matrix products) uses: PyTorch's ``set_num_threads`` and
``get_num_threads``, and ``follow_load()``, which follows the machine's load on request.

tapegrad's array work is NumPy's, and the only part of it that runs on several threads is the
BLAS library NumPy links (OpenBLAS in NumPy's wheels), which starts one thread per core.
Those threads wait for each other at the end of every product, so when another process keeps
a core busy, a product waits for a partner the kernel has descheduled: on a 2-core machine
with one busy neighbour, W2's MLP step at batch 512 fell from ~200 steps/s (one thread) to
~12 (two threads). ``follow_load()`` therefore gives the BLAS only the cores nobody else is
running on: when an optimizer steps or zeroes gradients, at most every
``CHECK_INTERVAL_SECONDS``, it counts the runnable tasks that are not this process's
(``/proc/loadavg`` less this process's running threads) and limits the BLAS to the cores
left, at least one. It lowers the count at once and raises it only after ``QUIET_CHECKS``
checks in a row found the cores free, so a short-lived neighbour does not make it flap.
It is off by default: a float32 product rounds differently on one thread and on two, so a
count that changes with the load makes runs differ in the last bit, and changing OpenBLAS's
count while a program runs was followed once by a heap corruption in an MPI test run that
could not be pinned down. docs/architecture.md has the measurements behind this.

``set_num_threads(n)`` fixes the count instead (and ends the automatic choice), as
``torch.set_num_threads`` does; ``restore_automatic()`` brings back the BLAS's own count (and
the load-following, if ``follow_load()`` turned it on). The counts are
set through threadpoolctl (``pip install threadpoolctl``, or the ``threads`` extra); without
it, ``set_num_threads`` raises ImportError, and the default leaves the BLAS as it started.
"""

from __future__ import annotations

import collections
import os
import time
from typing import Optional

__all__ = ["set_num_threads", "get_num_threads", "restore_automatic", "follow_load",
           "follow_machine_load"]

CHECK_INTERVAL_SECONDS = 0.5
QUIET_CHECKS = 3
_BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class _BlasThreads:
    """The process's BLAS libraries, as threadpoolctl found them, and the choice in force."""

    def __init__(self):
        self.libraries = None  # threadpoolctl's controller of the BLAS libraries, once found
        self.fixed: Optional[int] = None  # set by set_num_threads; None: automatic
        self.following = False  # whether follow_load() turned the load-following on
        self.ceiling: Optional[int] = None  # the BLAS's own count when first seen
        self.applied: Optional[int] = None  # the count last set
        self.next_check = 0.0
        self.recent_choices: collections.deque = collections.deque(maxlen=QUIET_CHECKS)

    def controller(self, required: bool):
        """threadpoolctl's controller of NumPy's BLAS; None (or, if ``required``, an
        ImportError saying what to install) without threadpoolctl."""
        if self.libraries is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:
                if required:
                    raise ImportError(
                        "tapegrad.set_num_threads needs threadpoolctl to set the number of "
                        "threads NumPy's BLAS uses: pip install threadpoolctl (or install "
                        "tapegrad[threads])") from None
                return None
            self.libraries = ThreadpoolController().select(user_api="blas")
            self.ceiling = max([library.get_num_threads() or 1
                                for library in self.libraries.lib_controllers] or [1])
        return self.libraries

    def apply(self, count: int) -> None:
        """Give every BLAS library loaded now ``count`` threads. The libraries are looked up
        again (about 2 ms) only when the count changes: one loaded since the last change (SciPy
        brings its own OpenBLAS) gets the count then."""
        if count != self.applied:
            from threadpoolctl import ThreadpoolController

            self.libraries = ThreadpoolController().select(user_api="blas")
        for library in self.libraries.lib_controllers:
            if library.get_num_threads() != count:
                library.set_num_threads(count)
        self.applied = count


_state = _BlasThreads()


def set_num_threads(count: int) -> None:
    """Use ``count`` threads for NumPy's BLAS (matrix products) in this process, from now on.

    As ``torch.set_num_threads``: the count stays until set again, and replaces tapegrad's
    automatic choice (see :mod:`tapegrad.threads`). Needs threadpoolctl.

    >>> tg.set_num_threads(1)
    >>> tg.get_num_threads()
    1
    >>> tg.threads.restore_automatic()
    """
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"set_num_threads: expected an int number of threads, got "
                        f"{type(count).__name__} {count!r}")
    if count < 1:
        raise ValueError(f"set_num_threads: the number of threads must be at least 1, "
                         f"got {count}")
    _state.controller(required=True)
    _state.apply(count)
    _state.fixed = count


def get_num_threads() -> int:
    """The number of threads NumPy's BLAS uses now in this process, as ``torch.get_num_threads``.

    Without threadpoolctl, what the BLAS starts with: ``OPENBLAS_NUM_THREADS`` (or
    ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``) if set, else the cores this process may use.

    >>> tg.get_num_threads() >= 1
    True
    """
    if _state.fixed is not None:
        return _state.fixed
    libraries = _state.controller(required=False)
    if libraries is not None and libraries.lib_controllers:
        return max(library.get_num_threads() or 1 for library in libraries.lib_controllers)
    for name in _BLAS_THREAD_VARIABLES:
        if os.environ.get(name, "").strip().isdigit():
            return max(1, int(os.environ[name]))
    return _usable_cores()


def restore_automatic() -> None:
    """End a ``set_num_threads`` choice: the BLAS goes back to its starting count, and from the
    next optimizer step on follows the machine's load again.

    >>> tg.threads.restore_automatic()
    """
    _state.fixed = None
    _state.recent_choices.clear()
    _state.next_check = 0.0
    if _state.controller(required=False) is not None:
        _state.apply(_state.ceiling)


def follow_load(enabled: bool = True) -> None:
    """Let the BLAS's thread count follow the machine's load from the next optimizer step on
    (see the module's text), or stop it with ``enabled=False`` (the BLAS keeps the count it
    has then). Off by default: runs then differ in the last bit with the load.

    >>> tg.threads.follow_load()
    >>> tg.threads.follow_load(False)
    """
    _state.following = bool(enabled)
    _state.recent_choices.clear()
    _state.next_check = 0.0


def follow_machine_load() -> None:
    """The automatic choice, made at most every ``CHECK_INTERVAL_SECONDS`` (optimizers call
    this in ``step`` and ``zero_grad``): the BLAS gets the cores that no other process is
    running on, at least one, at most its starting count. Does nothing unless
    ``follow_load()`` turned it on, after ``set_num_threads``, without threadpoolctl, or
    where ``/proc/loadavg`` is missing.

    >>> tg.threads.follow_machine_load()
    """
    if not _state.following:
        return
    now = time.monotonic()
    if _state.fixed is not None or now < _state.next_check:
        return
    _state.next_check = now + CHECK_INTERVAL_SECONDS
    libraries = _state.controller(required=False)
    others = None if libraries is None else _runnable_elsewhere(_state.applied or _state.ceiling)
    if others is None:
        _state.next_check = float("inf")  # nothing to follow here: never look again
        return
    _state.recent_choices.append(min(_state.ceiling, max(1, _usable_cores() - others)))
    # down at once, up only when the last QUIET_CHECKS checks all found the cores free
    _state.apply(min(_state.recent_choices))


def _runnable_elsewhere(blas_threads: int) -> Optional[int]:
    """How many tasks are running or waiting for a core now (Linux), less up to
    ``blas_threads`` of this process's own: the caller and the BLAS's workers (which spin a
    while after each product). Any other busy thread of this process counts as a neighbour."""
    try:
        with open("/proc/loadavg", "rb") as loadavg:
            runnable = int(loadavg.read().split()[3].split(b"/")[0])
        threads = os.listdir("/proc/self/task")
    except (OSError, ValueError, IndexError):
        return None
    own = sum(_is_running(thread) for thread in threads)
    return max(0, runnable - min(own, blas_threads))


def _is_running(thread: str) -> bool:
    """Whether this process's thread ``thread`` is running or runnable (state R)."""
    try:
        with open(f"/proc/self/task/{thread}/stat", "rb") as stat:
            text = stat.read()
    except OSError:  # the thread has just ended
        return False
    return text[text.rindex(b")") + 2:text.rindex(b")") + 3] == b"R"


def _usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
