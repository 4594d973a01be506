"""DataLoader: a dataset served as batches of Tensors, in a fresh order each epoch, loaded in
the training process or in worker processes."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from numbers import Integral

import numpy as np

from tapegrad.data.dataset import IterableDataset, Subset, TensorDataset
from tapegrad.data.sampler import BatchSampler, RandomSampler, SequentialSampler
from tapegrad.data.worker import WorkerPool
from tapegrad.random import Generator
from tapegrad.random import generator as numpy_generator
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

    PyTorch's arguments: ``dataset`` is map-style (``__len__`` and ``__getitem__``) or an
    ``IterableDataset``. Each batch is ``collate_fn(list_of_examples)``; the default stacks
    each field into a Tensor, so a ``TensorDataset(x, y)`` gives batches ``(x_batch,
    y_batch)``. The indices come from ``sampler`` (by default in order, or a fresh permutation
    each epoch with ``shuffle``), grouped ``batch_size`` at a time, the last shorter batch left
    out with ``drop_last``; or whole batches of indices from ``batch_sampler``.
    ``batch_size=None`` gives the examples one by one, uncollated.

    Random draws (the shuffle, the workers' seeds) come from ``generator`` (a
    ``tg.Generator``), or from a generator of the loader's own with ``seed`` (the same seed
    gives the same epochs in every run), else from tapegrad's default one (``tg.manual_seed``).

    ``num_workers > 0`` loads the batches in that many worker processes, seeded as PyTorch's
    (``base_seed + worker_id``; see ``tapegrad.data.worker``), which give the same batches in
    the same order as ``num_workers=0``. ``pin_memory`` and ``persistent_workers=False`` are
    accepted for PyTorch's signature; there is no device memory to pin.

    >>> dataset = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
    >>> loader = DataLoader(dataset, batch_size=2, shuffle=True, seed=0)
    >>> [y.shape for x, y in loader], len(loader)
    ([(2,), (2,), (1,)], 3)
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers: bool = False, seed: int | None = None):
        shuffle = False if shuffle is None else shuffle
        _check_arguments(dataset, batch_size, shuffle, drop_last, seed, collate_fn)
        _check_sampling(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last,
                        generator, seed)
        _check_workers(num_workers, prefetch_factor, timeout, worker_init_fn,
                       persistent_workers)
        self.dataset, self.num_workers = dataset, int(num_workers)
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle, self.drop_last, self.collate_fn = bool(shuffle), bool(drop_last), collate_fn
        self.pin_memory, self.timeout, self.worker_init_fn = pin_memory, timeout, worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = 2 if prefetch_factor is None else int(prefetch_factor)
        self.persistent_workers = persistent_workers
        # owned, not shared: only this loader advances it, so its epochs depend on the seed alone
        self.generator = Generator().manual_seed(seed) if seed is not None else generator
        self._iterable = isinstance(dataset, IterableDataset)
        self.sampler = sampler if sampler is not None or self._iterable else (
            RandomSampler(dataset, generator=self.generator) if shuffle
            else SequentialSampler(dataset))
        self.batch_sampler = batch_sampler
        if batch_sampler is None and self.batch_size is not None and not self._iterable:
            self.batch_sampler = BatchSampler(self.sampler, self.batch_size, self.drop_last)
        if batch_sampler is not None:
            self.batch_size, self.drop_last = None, False

    def __len__(self) -> int:
        if self._iterable:
            full, rest = divmod(len(self.dataset), self.batch_size or 1)
            return full + int(rest > 0 and not self.drop_last)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self) -> Iterator:
        # The order is drawn now, not at the first batch, so iter() itself starts the epoch;
        # then the workers' base seed, which every epoch draws (as PyTorch's loader does), so
        # the generator, and the next epoch's order, are the same whatever num_workers is.
        tasks = None if self._iterable else self._index_batches()
        base_seed = int(numpy_generator(self.generator).integers(0, 2**63 - 1))
        fetcher = _Fetcher(self.dataset, self.collate_fn, self.batch_size, self.drop_last,
                           auto_collation=self.batch_sampler is not None or (
                               self._iterable and self.batch_size is not None))
        if self.num_workers == 0:
            return _serial_batches(fetcher, tasks)
        return _worker_batches(self, fetcher, tasks, base_seed)

    def _index_batches(self):
        """This epoch's tasks: lists of indices (one per batch), or single indices without
        batching. The loader's own batch sampler is read at once, as one order array."""
        if self.batch_sampler is None:
            return list(self.sampler)
        if type(self.batch_sampler) is BatchSampler and self.batch_sampler.sampler is (
                self.sampler) and type(self.sampler) in (SequentialSampler, RandomSampler):
            order = np.fromiter(iter(self.sampler), dtype=np.intp)
            stop = len(self) * self.batch_size
            return [order[start:start + self.batch_size]
                    for start in range(0, stop, self.batch_size)]
        return list(self.batch_sampler)


def _serial_batches(fetcher, tasks) -> Iterator:
    if tasks is None:  # a stream: batches until it runs out
        while True:
            try:
                yield fetcher(None)
            except StopIteration:
                return
    for task in tasks:
        yield fetcher(task)


def _worker_batches(loader: DataLoader, fetcher, tasks, base_seed: int) -> Iterator:
    pool = WorkerPool(fetcher, loader.num_workers, base_seed, loader.worker_init_fn,
                      loader.prefetch_factor, loader.timeout, loader.multiprocessing_context)
    try:
        yield from (pool.stream_batches() if tasks is None else pool.map_batches(tasks))
    finally:  # also when the loop over the loader stops early
        pool.close()


class _Fetcher:
    """Makes one batch from one task (a batch's indices, one index, or None for the next
    batch of a stream), in the training process or in a worker; picklable, for workers."""

    def __init__(self, dataset, collate_fn, batch_size, drop_last, auto_collation) -> None:
        self.dataset, self.collate_fn = dataset, collate_fn
        self.batch_size, self.drop_last = batch_size, drop_last
        self.auto_collation = auto_collation
        self.fast_source = None if isinstance(dataset, IterableDataset) else _fast_source(
            dataset, collate_fn)
        self._stream = None

    def __call__(self, task):
        if isinstance(self.dataset, IterableDataset):
            return self._next_from_stream()
        if not self.auto_collation:
            example = self.dataset[int(task)]
            return example if self.collate_fn is None else self.collate_fn(example)
        indices = np.asarray(task, dtype=np.intp)
        if self.fast_source is not None:
            return _take_rows(self.fast_source, indices)
        items = [self.dataset[int(index)] for index in indices]
        return (self.collate_fn or default_collate)(items)

    def _next_from_stream(self):
        if self._stream is None:
            self._stream = iter(self.dataset)
        if not self.auto_collation:
            example = next(self._stream)
            return example if self.collate_fn is None else self.collate_fn(example)
        items = list(itertools.islice(self._stream, self.batch_size))
        if not items or (self.drop_last and len(items) < self.batch_size):
            raise StopIteration
        return (self.collate_fn or default_collate)(items)


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
    if not isinstance(dataset, IterableDataset) and not (
            hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
        raise TypeError(f"DataLoader: dataset must define __len__ and __getitem__, or be an "
                        f"IterableDataset; got {type(dataset).__name__}")
    if batch_size is not None and (not _is_int(batch_size) or batch_size < 1):
        raise ValueError(f"DataLoader: batch_size must be an integer >= 1, got {batch_size!r}")
    for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"DataLoader: {name} must be True or False, got {flag!r}")
    if seed is not None and (not _is_int(seed) or seed < 0):
        raise ValueError(f"DataLoader: seed must be None or an integer >= 0, got {seed!r}")
    if collate_fn is not None and not callable(collate_fn):
        raise ValueError(f"DataLoader: collate_fn must be callable, got {collate_fn!r}")


def _check_sampling(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last,
                    generator, seed) -> None:
    """The combinations PyTorch rejects, rejected with its reasons."""
    if isinstance(dataset, IterableDataset) and (shuffle or sampler is not None
                                                 or batch_sampler is not None):
        raise ValueError("DataLoader: an IterableDataset decides its own order; shuffle, "
                         "sampler and batch_sampler must be left unset")
    if sampler is not None and shuffle:
        raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                      or drop_last):
        raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                         "batch_size, shuffle, sampler, and drop_last")
    if batch_size is None and drop_last:
        raise ValueError("DataLoader: batch_size=None option disables auto-batching and is "
                         "mutually exclusive with drop_last")
    if generator is not None and seed is not None:
        raise ValueError("DataLoader: give a generator or a seed, not both")


def _check_workers(num_workers, prefetch_factor, timeout, worker_init_fn,
                   persistent_workers) -> None:
    if not _is_int(num_workers) or num_workers < 0:
        raise ValueError(f"DataLoader: num_workers must be an integer >= 0, got "
                         f"{num_workers!r}")
    if prefetch_factor is not None and (num_workers == 0 or not _is_int(prefetch_factor)
                                        or prefetch_factor < 1):
        raise ValueError("DataLoader: prefetch_factor must be an integer >= 1, and only with "
                         f"num_workers > 0; got {prefetch_factor!r}")
    if timeout < 0:
        raise ValueError(f"DataLoader: timeout must be >= 0, got {timeout!r}")
    if worker_init_fn is not None and not callable(worker_init_fn):
        raise ValueError(f"DataLoader: worker_init_fn must be callable, got {worker_init_fn!r}")
    if persistent_workers:
        raise NotImplementedError("DataLoader: persistent_workers=True is not supported; "
                                  "workers start afresh each epoch")


def _is_int(value) -> bool:
    # bool is an Integral, but batch_size=True is a mistake, not a batch of one
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))
