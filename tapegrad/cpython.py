"""What tapegrad asks of CPython's memory manager: reference counts and referrers.

Both questions are about who holds an object, which plain Python cannot say. They live here,
out of the engine's way, because they are CPython's facts rather than autodiff: on another
Python, ``held_only_by_caller`` answers False (a copy is made, nothing breaks) and
``consumers_of`` still finds every consumer, more slowly.
"""

from __future__ import annotations

import gc
import sys

import numpy as np


def held_only_by_caller(value) -> bool:
    """True when nothing but the caller's own local variable refers to ``value``.

    The engine uses this to adopt a fresh gradient as ``.grad`` without copying it: an array
    that nobody else holds cannot change behind the tensor's back. Call it in a statement of
    its own: the arguments of an enclosing call would hold references too.

    >>> def fresh():
    ...     array = np.zeros(2)
    ...     alone = held_only_by_caller(array)
    ...     shared = [array]
    ...     return alone, held_only_by_caller(array)
    >>> fresh()
    (True, False)
    """
    return _references_seen_by_callee(value) <= _ALONE


def _references_seen_by_callee(value) -> int:
    return sys.getrefcount(value) if hasattr(sys, "getrefcount") else _NEVER_ALONE


def _count_as_held_only_by_caller(value) -> int:
    # Stands where held_only_by_caller stands, so that both count the same references.
    return _references_seen_by_callee(value)


def _count_of_one_local() -> int:
    array = np.empty(0)
    return _count_as_held_only_by_caller(array)


_NEVER_ALONE = sys.maxsize
# What the count is for an object held by one local variable of held_only_by_caller's caller
# and nothing else: measured rather than assumed, since Pythons count call references
# differently.
_ALONE = _count_of_one_local()


def consumers_of(node) -> list:
    """The graph nodes whose inputs include ``node`` (a Function, or a leaf tensor).

    The graph only points backwards, from each op to its inputs, so finding an op's consumers
    means asking the garbage collector which objects refer to it: slow (it scans every
    object), meant for a learner's question, never for the engine.

    >>> consumers_of(object())
    []
    """
    consumers = []
    for holder in gc.get_referrers(node):
        if type(holder) is tuple:
            consumers += [referrer for referrer in gc.get_referrers(holder)
                          if getattr(referrer, "_parents", None) is holder]
    return consumers
