"""DistributedSampler: each process of a data-parallel job gets its own share of an epoch."""

from __future__ import annotations

import math
from collections.abc import Iterator
from numbers import Integral

import numpy as np


class DistributedSampler:
    """The indices of one epoch for rank ``rank`` of ``num_replicas`` processes, as PyTorch's.

    The epoch's order (a permutation drawn from ``seed + epoch`` with ``shuffle``, else
    0, 1, 2, ...) is dealt out like cards: rank r gets positions r, r + N, r + 2N, ... So the
    ranks' shares never overlap and together are the whole epoch. Every rank gets the same
    number of indices, so every rank runs the same number of batches: the order is padded by
    repeating its start, or with ``drop_last`` cut to a multiple of N. Call ``set_epoch`` at
    the start of each epoch for a new order; all ranks must pass the same ``seed``.
    ``num_replicas`` and ``rank`` default to ``tapegrad.distributed``'s world size and rank.
    Pass it to ``DataLoader(dataset, sampler=...)``.

    >>> sampler = DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False)
    >>> list(sampler), len(sampler)
    ([1, 3, 0], 3)
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from tapegrad.distributed import collectives  # the job's group, when asked for

            num_replicas = collectives.get_world_size() if num_replicas is None else num_replicas
            rank = collectives.get_rank() if rank is None else rank
        _check_arguments(num_replicas, rank, seed)
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last = bool(shuffle), int(seed), bool(drop_last)
        self.epoch = 0
        length = len(dataset)
        if self.drop_last and length % self.num_replicas:
            self.num_samples = length // self.num_replicas  # the rest is left out
        else:
            self.num_samples = math.ceil(length / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Use epoch ``epoch``'s order from now on (the same on every rank for one seed)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.num_samples

    def __iter__(self) -> Iterator[int]:
        length = len(self.dataset)
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(length)
        else:
            order = np.arange(length)
        if self.total_size > length:  # pad with the order's start, as often as needed
            order = np.resize(order, self.total_size)
        order = order[:self.total_size]
        return iter(order[self.rank:self.total_size:self.num_replicas].tolist())


def _check_arguments(num_replicas, rank, seed) -> None:
    if not isinstance(num_replicas, Integral) or num_replicas < 1:
        raise ValueError(f"DistributedSampler: num_replicas must be an integer >= 1, got "
                         f"{num_replicas!r}")
    if not isinstance(rank, Integral) or not 0 <= rank < num_replicas:
        raise ValueError(f"DistributedSampler: rank must be in [0, {num_replicas - 1}] for "
                         f"{num_replicas} replicas, got {rank!r}")
    if not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f"DistributedSampler: seed must be an integer >= 0, got {seed!r}")
