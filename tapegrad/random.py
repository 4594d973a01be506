"""Random numbers: ``tg.Generator`` and the default generator behind every random source of
tapegrad (``rand``, ``randn``, the other sampling factories, ``nn.init``, dropout, shuffling and
``random_split``), so one ``tg.manual_seed(n)`` makes a whole run repeat.

>>> import tapegrad as tg
>>> _ = tg.manual_seed(0); a = tg.rand(2)
>>> _ = tg.manual_seed(0); b = tg.rand(2)
>>> bool((a == b).data.all())
True

Functions that take ``generator=`` (as PyTorch's do) draw from that ``tg.Generator`` instead,
leaving the default one untouched.
"""

from __future__ import annotations

import numpy as np

from tapegrad import devices

# PyTorch takes seeds in [-2**63, 2**64) and reads a negative one modulo 2**64.
_SEED_RANGE = range(-(2**63), 2**64)


class Generator:
    """A source of random numbers with a seed of its own, as ``torch.Generator``: pass it as
    ``generator=`` to draw from it instead of from the default generator.

    >>> import tapegrad as tg
    >>> a = tg.rand(2, generator=Generator().manual_seed(3))
    >>> b = tg.rand(2, generator=Generator().manual_seed(3))
    >>> bool((a == b).data.all())
    True
    """

    def __init__(self, device: str | devices.device = "cpu") -> None:
        devices.require_cpu(device)
        self.device = devices.device("cpu")
        self.seed()

    def manual_seed(self, seed: int) -> Generator:
        """Restart from ``seed``, so what follows repeats; returns the generator.

        >>> Generator().manual_seed(7).initial_seed()
        7
        """
        seed = int(seed)
        if seed not in _SEED_RANGE:
            raise ValueError(f"manual_seed: the seed must be in [-2**63, 2**64), got {seed}")
        self._initial_seed = seed % 2**64
        self._numpy_generator = np.random.default_rng(self._initial_seed)
        return self

    def seed(self) -> int:
        """Restart from a fresh seed drawn from the operating system; returns that seed.

        >>> generator = Generator()
        >>> generator.seed() == generator.initial_seed()
        True
        """
        fresh = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(fresh)
        return fresh

    def initial_seed(self) -> int:
        """The seed this generator last started from.

        >>> Generator().manual_seed(-1).initial_seed() == 2**64 - 1
        True
        """
        return self._initial_seed

    @property
    def numpy_generator(self) -> np.random.Generator:
        """The ``numpy.random.Generator`` that draws the numbers.

        >>> Generator().numpy_generator.random() < 1.0
        True
        """
        return self._numpy_generator

    @property
    def bit_generator(self) -> np.random.BitGenerator:
        """The NumPy bit generator underneath: its ``state`` is what a checkpoint saves.

        >>> sorted(Generator().manual_seed(0).bit_generator.state)
        ['bit_generator', 'has_uint32', 'state', 'uinteger']
        """
        return self._numpy_generator.bit_generator


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed every random source of tapegrad, so runs repeat; returns the default generator.

    >>> import tapegrad as tg
    >>> tg.manual_seed(0).initial_seed()
    0
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system; returns the seed.

    >>> seed() == initial_seed()
    True
    """
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator last started from.

    >>> _ = manual_seed(5); initial_seed()
    5
    """
    return default_generator.initial_seed()


def generator(source: Generator | None = None) -> np.random.Generator:
    """The NumPy generator to draw from: ``source``'s, or the default generator's when
    ``source`` is None (what ``manual_seed`` seeds).

    >>> generator().random() < 1.0
    True
    """
    if source is None:
        return default_generator.numpy_generator
    if not isinstance(source, Generator):
        raise TypeError(f"generator: expected a tg.Generator, got {type(source).__name__}")
    return source.numpy_generator
