"""DataLoader: a dataset served as batches of Tensors, in a fresh order each epoch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from numbers import Integral

import numpy as np

from tapegrad.data.dataset import Subset, TensorDataset
from tapegrad.random import generator
from tapegrad.routines import as_tensor
from tapegrad.tensor import Tensor


def default_collate(items: list):
    """Stack a list of examples into one batch: field ``i`` of every example becomes one Tensor.

    Examples may be tuples (or lists) of fields, dicts of fields, or single arrays or numbers.
    Python ints stay integers, so class labels come out as an integer Tensor.

    >>> features, labels = default_collate([(np.zeros(2), 0), (np.ones(2), 1)])
    >>> features.shape, labels
    ((2, 2), tensor([0, 1]))
    """
    first = items[0]
    if isinstance(first, (tuple, list)):
        lengths = {len(item) for item in items}
        if len(lengths) > 1:
            raise ValueError(f"default_collate: examples have different numbers of fields, "
                             f"{sorted(lengths)}; pass a collate_fn to batch them")
        return tuple(_stack([item[field] for item in items]) for field in range(len(first)))
    if isinstance(first, dict):
        return {key: _stack([item[key] for item in items]) for key in first}
    return _stack(items)


def _stack(values: list) -> Tensor:
    """One field of every example, stacked along a new first axis into a Tensor."""
    arrays = [value.data if isinstance(value, Tensor) else np.asarray(value) for value in values]
    shapes = {array.shape for array in arrays}
    if len(shapes) > 1:
        raise ValueError(f"default_collate: cannot stack examples of shapes {sorted(shapes)} "
                         "into one batch; pad them to one shape or pass a collate_fn")
    return _batch_tensor(np.stack(arrays))


def _batch_tensor(array) -> Tensor:
    """Wrap a batch array the loader has just made, so no copy is needed."""
    if array.dtype.kind not in "biufc":
        raise TypeError(f"DataLoader: cannot make a Tensor of dtype {array.dtype}; "
                        "pass a collate_fn to batch data that is not numbers")
    return as_tensor(array)


class DataLoader:
    """Iterate over ``dataset`` in batches; each ``for`` loop over the loader is one epoch.

    ``dataset`` is anything with ``__len__`` and ``__getitem__``. Each batch is
    ``collate_fn(list_of_examples)``; the default stacks each field into a Tensor, so a
    ``TensorDataset(x, y)`` gives batches ``(x_batch, y_batch)``. The last batch is smaller
    when ``batch_size`` does not divide the length, unless ``drop_last`` leaves it out.

    With ``shuffle``, every epoch visits every example once, in a new order. ``seed`` gives
    the loader its own generator: the same seed gives the same sequence of epochs in every
    run. Without a seed the order is drawn from tapegrad's generator (see ``tg.manual_seed``).
    A ``sampler`` (an iterable of indices with a length, such as ``DistributedSampler``) gives
    the order instead; it cannot be combined with ``shuffle``.

    >>> dataset = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
    >>> loader = DataLoader(dataset, batch_size=2, shuffle=True, seed=0)
    >>> [y.shape for x, y in loader], len(loader)
    ([(2,), (2,), (1,)], 3)
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, seed: int | None = None,
                 collate_fn: Callable | None = None, sampler=None):
        _check_arguments(dataset, batch_size, shuffle, drop_last, seed, collate_fn)
        if sampler is not None and (shuffle or not hasattr(sampler, "__len__")):
            raise ValueError("DataLoader: sampler must be an iterable of indices with a "
                             "length, and cannot be combined with shuffle=True (the sampler "
                             f"gives the order), got sampler={sampler!r}, shuffle={shuffle}")
        self.sampler = sampler
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        # owned, not shared: only this loader advances it, so its epochs depend on the seed alone
        self._rng = None if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        examples = len(self.dataset) if self.sampler is None else len(self.sampler)
        full_batches, rest = divmod(examples, self.batch_size)
        return full_batches + int(rest > 0 and not self.drop_last)

    def __iter__(self) -> Iterator:
        # the order is drawn now, not at the first batch, so iter() itself starts the epoch
        return self._batches(self._epoch_order(), _fast_source(self.dataset, self.collate_fn))

    def _epoch_order(self) -> np.ndarray:
        """The indices of one epoch: the sampler's, a fresh permutation when shuffling, else
        0, 1, 2, ..."""
        if self.sampler is not None:
            return np.fromiter(self.sampler, dtype=np.int64, count=len(self.sampler))
        if not self.shuffle:
            return np.arange(len(self.dataset))
        # generator() is looked up each epoch, since manual_seed replaces it
        rng = self._rng if self._rng is not None else generator()
        return rng.permutation(len(self.dataset))

    def _batches(self, order: np.ndarray, fast_source) -> Iterator:
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start:start + self.batch_size]
            if fast_source is not None:
                yield _take_rows(fast_source, indices)
            else:
                items = [self.dataset[int(index)] for index in indices]
                yield (self.collate_fn or default_collate)(items)


def _fast_source(dataset, collate_fn):
    """``(arrays, index_map)`` when a batch can be sliced straight out of a TensorDataset's
    arrays (also through Subsets of one), else ``None``.

    Indexing each array once with the batch's indices gives exactly what collating the rows one
    by one gives, at a fraction of the cost. A subclass that changes ``__getitem__`` may
    return something else, so it takes the general path.
    """
    if collate_fn is not None:
        return None
    index_map = None
    while type(dataset).__getitem__ is Subset.__getitem__:
        indices = np.asarray(dataset.indices)
        index_map = indices if index_map is None else indices[index_map]
        dataset = dataset.dataset
    if type(dataset).__getitem__ is not TensorDataset.__getitem__:
        return None
    return dataset.arrays, index_map


def _take_rows(fast_source, indices: np.ndarray) -> tuple:
    """One batch on the fast path: each array indexed once with the batch's indices."""
    arrays, index_map = fast_source
    rows = indices if index_map is None else index_map[indices]
    return tuple(_batch_tensor(array[rows]) for array in arrays)


def _check_arguments(dataset, batch_size, shuffle, drop_last, seed, collate_fn) -> None:
    """Fail at construction, naming the argument, rather than at the first batch."""
    if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
        raise TypeError(f"DataLoader: dataset must define __len__ and __getitem__, got "
                        f"{type(dataset).__name__}")
    if not _is_int(batch_size) or batch_size < 1:
        raise ValueError(f"DataLoader: batch_size must be an integer >= 1, got {batch_size!r}")
    for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"DataLoader: {name} must be True or False, got {flag!r}")
    if seed is not None and (not _is_int(seed) or seed < 0):
        raise ValueError(f"DataLoader: seed must be None or an integer >= 0, got {seed!r}")
    if collate_fn is not None and not callable(collate_fn):
        raise ValueError(f"DataLoader: collate_fn must be callable, got {collate_fn!r}")


def _is_int(value) -> bool:
    # bool is an Integral, but batch_size=True is a mistake, not a batch of one
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))
