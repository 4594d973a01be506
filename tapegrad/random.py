"""The random number generator behind ``rand``, ``randn`` and, later, init and dropout."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed tapegrad's random numbers, so runs repeat; returns the new generator.

    >>> import tapegrad as tg
    >>> _ = tg.manual_seed(0); a = tg.rand(2)
    >>> _ = tg.manual_seed(0); b = tg.rand(2)
    >>> bool((a == b).data.all())
    True
    """
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def generator() -> np.random.Generator:
    """Return the generator that ``manual_seed`` last set.

    >>> generator().random() < 1.0
    True
    """
    return _generator
