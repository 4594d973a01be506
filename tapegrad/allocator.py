"""Whether the C allocator keeps the memory a training step frees, for the next step.

A step makes and frees the same large arrays every time. glibc's malloc, the allocator NumPy's
arrays come from on Linux, gives large blocks back to the kernel when they are freed: a block
above its mmap threshold is unmapped at once, and free space at the top of the heap above its
trim threshold is handed back. The next step then asks for the memory again and the kernel
faults every page of it in, zeroed. glibc starts the mmap threshold at 128 KiB and raises it
as large blocks are freed, but trims the heap whenever 2× that lies free at its top, which a
step's backward leaves there every time: the Transformer benchmark (W6) took 9,900 page faults
a step that way, and ran 1.4× as many steps a second without them.

So on glibc, when tapegrad is imported, ``keep_freed_memory()`` sets both thresholds higher:
blocks up to ``MMAP_THRESHOLD_BYTES`` come from the heap, and up to ``TRIM_THRESHOLD_BYTES``
of free heap is kept for the next step. Nothing numerical changes, nor a step's peak memory
(the next step reuses what was kept); what changes is that memory a step has freed stays
with the process, up to that limit, instead of going back to the kernel in between steps,
and a peak can rise where nothing reuses it (docs/architecture.md, "Freed memory").

It is a process-wide setting, so tapegrad leaves it alone where someone has chosen already:
when any ``MALLOC_*_`` variable or a ``glibc.malloc`` tunable is set in the environment, or
``TAPEGRAD_KEEP_FREED_MEMORY=0``. ``keep_freed_memory(False)`` sets glibc's starting
thresholds back and returns the free memory now (glibc's own raising of the mmap threshold
does not come back: once a threshold is set, glibc keeps it fixed). Off glibc (macOS,
Windows, musl) nothing is done.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["keep_freed_memory", "is_keeping_freed_memory", "MMAP_THRESHOLD_BYTES",
           "TRIM_THRESHOLD_BYTES"]

MMAP_THRESHOLD_BYTES = 32 * 2**20  # the largest glibc accepts on 64-bit machines
TRIM_THRESHOLD_BYTES = 256 * 2**20
OPT_OUT_VARIABLE = "TAPEGRAD_KEEP_FREED_MEMORY"

# mallopt's parameters (glibc's malloc.h) and its starting thresholds.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_GLIBC_STARTING_THRESHOLD = 128 * 2**10

_keeping = False


def keep_freed_memory(enabled: bool = True) -> bool:
    """Have glibc's malloc keep freed memory for reuse (``True``, tapegrad's default) or give
    it back to the kernel as it starts out doing (``False``). Returns whether the allocator
    is glibc's, which is the only one this changes.

    >>> import tapegrad as tg
    >>> on_glibc = tg.allocator.keep_freed_memory(False)
    >>> tg.allocator.is_keeping_freed_memory()
    False
    >>> tg.allocator.keep_freed_memory() == on_glibc
    True
    """
    global _keeping
    library = _glibc()
    if library is None:
        return False
    mmap_threshold, trim_threshold = (
        (MMAP_THRESHOLD_BYTES, TRIM_THRESHOLD_BYTES) if enabled
        else (_GLIBC_STARTING_THRESHOLD, _GLIBC_STARTING_THRESHOLD))
    library.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
    library.mallopt(_M_TRIM_THRESHOLD, trim_threshold)
    if not enabled:
        library.malloc_trim(0)
    _keeping = enabled
    return True


def is_keeping_freed_memory() -> bool:
    """Whether ``keep_freed_memory`` is in force (as it is by default on glibc).

    >>> import tapegrad as tg
    >>> isinstance(tg.allocator.is_keeping_freed_memory(), bool)
    True
    """
    return _keeping


def chosen_elsewhere(environment=os.environ) -> bool:
    """Whether the environment already says how malloc should behave, or opts out.

    >>> chosen_elsewhere({"MALLOC_TRIM_THRESHOLD_": "1000000"}), chosen_elsewhere({})
    (True, False)
    """
    if environment.get(OPT_OUT_VARIABLE, "1") == "0":
        return True
    return "glibc.malloc" in environment.get("GLIBC_TUNABLES", "") or any(
        name.startswith("MALLOC_") and name.endswith("_") for name in environment)


def keep_by_default() -> None:
    """What importing tapegrad does: keep freed memory unless it was chosen elsewhere.

    >>> keep_by_default()  # again: it only sets the same thresholds once more
    """
    if not chosen_elsewhere():
        keep_freed_memory()


def _glibc():
    """The C library, when it is glibc (the one whose thresholds these are); else None."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
    except (AttributeError, ValueError, OSError):  # no confstr, or not glibc
        return None
    return ctypes.CDLL(None)
