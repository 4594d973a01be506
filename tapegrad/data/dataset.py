"""Datasets: indexable collections of examples, and ways to cut one into parts."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

from tapegrad.random import generator as numpy_generator
from tapegrad.tensor import Tensor


class Dataset:
    """A map from the indices ``0 .. len - 1`` to examples; subclass it and define both methods.

    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 3
    ...     def __getitem__(self, index):
    ...         return index * index
    >>> len(Squares()), Squares()[2]
    (3, 4)
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Arrays (or Tensors) that share their first dimension; item ``i`` is their ``i``-th rows.

    Tensors are unwrapped to their ``.data``, and nothing is copied: the dataset shares memory
    with what you pass. The arrays are kept, in order, as ``arrays``.

    >>> features, labels = np.arange(6.0).reshape(3, 2), np.array([0, 1, 0])
    >>> dataset = TensorDataset(features, labels)
    >>> row, label = dataset[1]
    >>> len(dataset), row, int(label)
    (3, array([2., 3.]), 1)
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: needs at least one array")
        self.arrays = tuple(_as_array(array) for array in arrays)
        shapes = [array.shape for array in self.arrays]
        if any(len(shape) == 0 for shape in shapes):
            raise ValueError(f"TensorDataset: 0-d arrays have no rows to index; shapes {shapes}")
        if len({shape[0] for shape in shapes}) > 1:
            raise ValueError(
                f"TensorDataset: all arrays must have the same first dimension, got shapes "
                f"{', '.join(str(shape) for shape in shapes)}"
            )

    def __getitem__(self, index) -> tuple:
        return tuple(array[index] for array in self.arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]


def _as_array(value):
    """The ndarray behind ``value``: a Tensor's ``data``, anything else through ``np.asarray``."""
    return value.data if isinstance(value, Tensor) else np.asarray(value)


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order; item ``i`` is
    ``dataset[indices[i]]``. The indices are kept as an integer array, ``indices``.

    >>> subset = Subset(TensorDataset(np.array([10, 11, 12, 13])), [3, 0])
    >>> len(subset), int(subset[0][0]), subset.indices.tolist()
    (2, 13, [3, 0])
    """

    def __init__(self, dataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = _checked_indices(indices, len(dataset))

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


def _checked_indices(indices, length: int) -> np.ndarray:
    """``indices`` as a 1-d integer array, each in ``0 .. length - 1``; raises otherwise."""
    array = np.asarray(indices)
    if array.size == 0:
        array = array.astype(np.intp)  # an empty list comes in as float64
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError(
            f"Subset: indices must be a 1-d sequence of integers, got dtype {array.dtype} and "
            f"shape {array.shape}"
        )
    outside = array[(array < 0) | (array >= length)]
    if outside.size:
        raise IndexError(
            f"Subset: index {int(outside[0])} is out of range for a dataset of length {length}"
        )
    return array.astype(np.intp, copy=False)


def random_split(dataset, lengths: Sequence, generator=None, *,
                 seed: int | None = None) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping Subsets of the given lengths.

    ``lengths`` are either integers that add up to ``len(dataset)`` or fractions that add up
    to 1; as in PyTorch, fractions are rounded down and the examples left over go one each to
    the first parts. The split draws from ``generator`` (a ``tg.Generator``, as PyTorch's
    argument) or, with ``seed``, from a generator of its own; else from tapegrad's default
    generator, so ``tg.manual_seed`` makes it repeat.

    >>> train, test = random_split(TensorDataset(np.arange(10)), [0.8, 0.2], seed=0)
    >>> len(train), len(test)
    (8, 2)
    """
    counts = _split_counts(list(lengths), len(dataset))
    if generator is not None and seed is not None:
        raise ValueError("random_split: give a generator or a seed, not both")
    rng = numpy_generator(generator) if seed is None else np.random.default_rng(seed)
    order = rng.permutation(len(dataset))
    # the parts are consecutive runs of one permutation, so no example lands in two of them
    stops = np.cumsum(counts)
    return [Subset(dataset, order[stop - count:stop]) for count, stop in zip(counts, stops)]


def _split_counts(lengths: list, total: int) -> list[int]:
    """How many examples each part gets, from integer ``lengths`` or fractions of ``total``."""
    if not lengths:
        raise ValueError("random_split: lengths is empty")
    if all(isinstance(length, Integral) and not isinstance(length, bool) for length in lengths):
        counts = [int(length) for length in lengths]
        if any(count < 0 for count in counts) or sum(counts) != total:
            raise ValueError(
                f"random_split: integer lengths {counts} must be non-negative and add up to "
                f"the dataset's length {total}, not {sum(counts)}"
            )
        return counts
    return _fraction_counts(lengths, total)


def _fraction_counts(fractions: list, total: int) -> list[int]:
    """Round each fraction of ``total`` down, then hand the leftovers out round-robin."""
    if not all(isinstance(part, Real) and 0 <= part <= 1 for part in fractions):
        raise ValueError(
            f"random_split: lengths {fractions} must be all integers or all fractions in [0, 1]"
        )
    if not math.isclose(sum(fractions), 1.0):
        raise ValueError(f"random_split: fractions {fractions} add up to {sum(fractions)}, not 1")
    counts = [math.floor(total * part) for part in fractions]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


class ConcatDataset(Dataset):
    """Several datasets one after another: item ``i`` of the whole is item ``i - start`` of
    the part it falls in. ``dataset_a + dataset_b`` makes one.

    >>> both = ConcatDataset([TensorDataset(np.arange(3)), TensorDataset(np.arange(10, 12))])
    >>> len(both), int(both[3][0]), int(both[-1][0])
    (5, 10, 11)
    """

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset; use "
                                "ChainDataset")
        self.cumulative_sizes = np.cumsum([len(dataset) for dataset in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise IndexError(f"ConcatDataset: index {index} is out of range for "
                                 f"length {len(self)}")
            index += len(self)
        part = bisect.bisect_right(self.cumulative_sizes, index)
        if part == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {index} is out of range for length "
                             f"{len(self)}")
        start = self.cumulative_sizes[part - 1] if part else 0
        return self.datasets[part][index - start]


class IterableDataset(Dataset):
    """A stream of examples: subclass it and define ``__iter__``. A DataLoader with workers
    runs a copy in each worker; use ``get_worker_info()`` there to give each a share.

    >>> class Count(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(3))
    >>> list(Count() + Count())
    [0, 1, 2, 0, 1, 2]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it, "
                        "it has no items by index")

    def __len__(self) -> int:
        # TypeError, as for any object without a length, so list() and len() hints work
        raise TypeError(f"{type(self).__name__} is an IterableDataset without a length; "
                        "define __len__ if it has one")

    def __add__(self, other) -> ChainDataset:
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several iterable datasets, one after another.

    >>> list(ChainDataset([range(2), range(5, 7)]))
    [0, 1, 5, 6]
    """

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)

    def __iter__(self):
        for dataset in self.datasets:
            yield from dataset

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self.datasets)
