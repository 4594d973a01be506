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

from tapegrad.data.dataset import Dataset, Subset, TensorDataset, random_split
from tapegrad.data.datasets import load_digits, load_mnist, make_moons
from tapegrad.data.loader import DataLoader, default_collate
from tapegrad.data.sampler import DistributedSampler

__all__ = [
    "Dataset", "TensorDataset", "Subset", "random_split", "DataLoader", "default_collate",
    "load_digits", "make_moons", "load_mnist", "DistributedSampler",
]
