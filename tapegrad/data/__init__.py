"""Data: datasets, random splits and the DataLoader that serves them as batches of Tensors.

>>> import numpy as np
>>> from tapegrad.data import DataLoader, TensorDataset, random_split
>>> dataset = TensorDataset(np.ones((10, 3)), np.arange(10) % 2)
>>> train, test = random_split(dataset, [8, 2], seed=0)
>>> for x, y in DataLoader(train, batch_size=4, shuffle=True, seed=0):
...     print(x.shape, y.dtype)
(4, 3) int64
(4, 3) int64
"""

from tapegrad.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from tapegrad.data.datasets import load_digits, load_mnist, make_moons
from tapegrad.data.distributed_sampler import DistributedSampler
from tapegrad.data.loader import DataLoader, default_collate
from tapegrad.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from tapegrad.data.worker import WorkerInfo, get_worker_info

__all__ = [
    "Dataset", "TensorDataset", "Subset", "random_split", "DataLoader", "default_collate",
    "load_digits", "make_moons", "load_mnist", "DistributedSampler",
]
__all__ += [  # samplers, more datasets and worker processes (issue 16, part 3)
    "ConcatDataset", "ChainDataset", "IterableDataset", "Sampler", "SequentialSampler",
    "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
    "WorkerInfo", "get_worker_info",
]
