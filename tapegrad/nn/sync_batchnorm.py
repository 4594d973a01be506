"""SyncBatchNorm: batch normalization whose statistics are those of the whole global batch,
over every process of a data-parallel job, rather than of each process's share."""

from __future__ import annotations

import numpy as np

from tapegrad.distributed import collectives, functional
from tapegrad.nn import functional as F
from tapegrad.nn.layers import _BatchNorm
from tapegrad.nn.module import Module


class SyncBatchNorm(_BatchNorm):
    """Batch normalization of (N, C, ...) input with the mean and variance of the batch over
    all ranks (``tapegrad.distributed``); gradients flow back through those statistics to every
    rank. In eval mode, or in a single process, it is ``BatchNorm``. Make one from a model's
    BatchNorm layers with ``SyncBatchNorm.convert_sync_batchnorm(model)``.

    >>> import tapegrad as tg
    >>> SyncBatchNorm(3)(tg.randn(4, 3, 2)).shape
    (4, 3, 2)
    """

    expected_ndims = (2, 3, 4, 5)

    def forward(self, x):
        if not (self.training and collectives.is_initialized()
                and collectives.get_world_size() > 1):
            return super().forward(x)
        if x.ndim not in self.expected_ndims or x.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm: expected input with {self.num_features} channels "
                             f"and 2 to 5 dimensions, got shape {x.shape}")
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        count = np.array(x.numel() // self.num_features, np.int64)
        collectives.all_reduce(count)
        if count <= 1:
            raise ValueError("SyncBatchNorm: Expected more than 1 value per channel when "
                             f"training, got {int(count)} over all ranks")
        # two passes (mean, then the mean square around it): no cancellation in float32
        mean = functional.all_reduce(x.sum(axis=axes)) / float(count)
        centered = x - mean.reshape(shape)
        var = functional.all_reduce((centered * centered).sum(axis=axes)) / float(count)
        if self.track_running_stats:
            self.num_batches_tracked.data += 1
            F._update_running_stats(self.running_mean, self.running_var, mean, var,
                                    self.momentum, int(count))
        out = centered / (var.reshape(shape) + self.eps).sqrt()
        if self.weight is not None:
            out = out * self.weight.reshape(shape) + self.bias.reshape(shape)
        return out

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """``module`` with every BatchNorm layer in it replaced by a SyncBatchNorm holding the
        same weights and running statistics (``module`` itself, if it is one).
        ``process_group`` is accepted, as PyTorch's signature has it: the group is the job's.

        >>> from tapegrad import nn
        >>> model = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4))
        >>> type(SyncBatchNorm.convert_sync_batchnorm(model)[1]).__name__
        'SyncBatchNorm'
        """
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            return _synchronised(module)
        for name, child in list(module.named_children()):
            setattr(module, name, cls.convert_sync_batchnorm(child, process_group))
        return module


def _synchronised(layer: _BatchNorm) -> SyncBatchNorm:
    """A SyncBatchNorm with ``layer``'s settings, sharing its weights and statistics."""
    synced = SyncBatchNorm(layer.num_features, eps=layer.eps, momentum=layer.momentum,
                           affine=layer.affine, track_running_stats=layer.track_running_stats)
    if layer.affine:
        synced.weight, synced.bias = layer.weight, layer.bias
    if layer.track_running_stats:
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            setattr(synced, name, getattr(layer, name))
    synced.train(layer.training)
    return synced


