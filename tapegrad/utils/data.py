"""``torch.utils.data``'s names, from ``tapegrad.data``: Dataset, TensorDataset, Subset,
random_split, DataLoader, default_collate.

>>> import numpy as np
>>> len(TensorDataset(np.zeros((3, 2))))
3
"""

from tapegrad.data import (
    DataLoader,
    Dataset,
    DistributedSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "DataLoader",
           "default_collate", "DistributedSampler"]
