"""Samplers: the order in which a DataLoader visits a dataset's indices, as
``torch.utils.data``'s: in sequence, shuffled, a random subset, weighted draws, and batches of
any of them.

The random ones draw from the ``generator=`` they are given (a ``tg.Generator``), else from
tapegrad's default generator (``tg.manual_seed``), each time an iteration starts.

>>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from numbers import Integral

import numpy as np

from tapegrad.random import generator as numpy_generator


class Sampler:
    """Base class: an iterable of dataset indices (or of batches of them); subclasses define
    ``__iter__`` and, when they know it, ``__len__``.

    >>> class Backwards(Sampler):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def __iter__(self):
    ...         return iter(range(self.n - 1, -1, -1))
    >>> list(Backwards(3))
    [2, 1, 0]
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


def _count(name: str, value, minimum: int = 1) -> int:
    if not isinstance(value, Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1.

    >>> list(SequentialSampler([10, 20, 30]))
    [0, 1, 2]
    """

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices each iteration; with ``replacement``,
    ``num_samples`` independent uniform draws instead.

    >>> import tapegrad as tg
    >>> sampler = RandomSampler(range(5), generator=tg.Generator().manual_seed(0))
    >>> sorted(sampler)
    [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, replacement: bool = False, num_samples=None,
                 generator=None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be True or False, got "
                            f"{replacement!r}")
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator
        if num_samples is not None:
            _count("RandomSampler: num_samples", num_samples)

    @property
    def num_samples(self) -> int:
        """How many indices an iteration gives (the dataset's length by default).

        >>> RandomSampler(range(4)).num_samples
        4
        """
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        rng, size = numpy_generator(self.generator), len(self.data_source)
        if self.replacement:
            return iter(rng.integers(0, size, self.num_samples).tolist())
        # Whole permutations, as many as num_samples needs, the last one cut short.
        rounds = -(-self.num_samples // size) if size else 0
        order = np.concatenate([rng.permutation(size) for _ in range(rounds)] or [[]])
        return iter(order[:self.num_samples].astype(np.int64).tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices``, in a random order each iteration.

    >>> sorted(SubsetRandomSampler([7, 3, 5]))
    [3, 5, 7]
    """

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices, self.generator = indices, generator

    def __iter__(self) -> Iterator[int]:
        order = numpy_generator(self.generator).permutation(len(self.indices))
        return iter([self.indices[i] for i in order.tolist()])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``, with
    or without replacement.

    >>> import tapegrad as tg
    >>> draws = list(WeightedRandomSampler([0.0, 1.0, 0.0], 4))
    >>> draws
    [1, 1, 1, 1]
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True,
                 generator=None) -> None:
        _count("WeightedRandomSampler: num_samples", num_samples)
        if not isinstance(replacement, bool):
            raise TypeError(f"WeightedRandomSampler: replacement must be True or False, got "
                            f"{replacement!r}")
        weights = np.asarray(getattr(weights, "data", weights), dtype=np.float64)
        if weights.ndim != 1 or weights.size == 0 or np.any(weights < 0) or not np.all(
                np.isfinite(weights)) or weights.sum() <= 0:
            raise ValueError(f"WeightedRandomSampler: weights must be a non-empty 1-d sequence "
                             f"of finite non-negative numbers, not all 0; got {weights}")
        if not replacement and num_samples > np.count_nonzero(weights):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples without "
                             f"replacement from {np.count_nonzero(weights)} non-zero weights")
        self.weights, self.num_samples = weights, num_samples
        self.replacement, self.generator = replacement, generator

    def __iter__(self) -> Iterator[int]:
        draws = numpy_generator(self.generator).choice(
            self.weights.size, self.num_samples, replace=self.replacement,
            p=self.weights / self.weights.sum())
        return iter(draws.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``; the last, shorter
    one is left out with ``drop_last``.

    >>> list(BatchSampler(range(5), 2, drop_last=True))
    [[0, 1], [2, 3]]
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        self.batch_size = _count("BatchSampler: batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last must be True or False, got "
                             f"{drop_last!r}")
        self.sampler, self.drop_last = sampler, drop_last

    def __iter__(self) -> Iterator[list]:
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        full, rest = divmod(len(self.sampler), self.batch_size)
        return full + int(rest > 0 and not self.drop_last)
