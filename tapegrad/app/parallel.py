"""The processes a run trains on: one, or several started by ``mpiexec -n N tapegrad train``.

Data parallelism that does not change the run: every process sees the same sequence of
global batches (the shuffled order comes from the seed and the epoch alone), takes its own
slice of each, and ``DistributedDataParallel`` averages the gradients so that each step is
the step of the whole batch. A step is therefore the same step on any number of processes
(to float rounding), and a checkpoint resumes on any number of them. Rank 0 alone prints and
writes files; the losses and test scores are summed over the ranks first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tapegrad import distributed as dist
from tapegrad.app.evaluate import Evaluation, evaluate
from tapegrad.nn import functional as F


@dataclass(frozen=True)
class Processes:
    """This process's rank among ``size`` processes; one process is rank 0 of 1.

    >>> Processes().is_main, Processes().shard(np.arange(5))
    (True, array([0, 1, 2, 3, 4]))
    """

    rank: int = 0
    size: int = 1

    @classmethod
    def of_this_job(cls) -> Processes:
        """Rank and size from MPI when an MPI launcher started this process, else one.

        >>> Processes.of_this_job().size >= 1
        True
        """
        if not dist.launched_by_mpi():
            return cls()
        dist.init()
        return cls(dist.get_rank(), dist.get_world_size())

    @property
    def is_main(self) -> bool:
        """Rank 0: the one that prints and writes."""
        return self.rank == 0

    def shard(self, rows):
        """This rank's contiguous part of ``rows`` (sizes differ by one at most).

        >>> Processes(rank=1, size=2).shard(np.arange(5))
        array([2, 3, 4])
        """
        bounds = np.linspace(0, len(rows), self.size + 1).round().astype(int)
        return rows[bounds[self.rank]:bounds[self.rank + 1]]

    def total(self, *values: float) -> np.ndarray:
        """The sum of ``values`` over all ranks, on every rank.

        >>> Processes().total(1.5, 2.0)
        array([1.5, 2. ])
        """
        totals = np.array(values, np.float64)
        if self.size > 1:
            dist.all_reduce(totals)
        return totals

    def wrap(self, model):
        """The model to call in training: itself, or a DistributedDataParallel around it.

        >>> from tapegrad import nn
        >>> model = nn.Linear(2, 1)
        >>> Processes().wrap(model) is model
        True
        """
        return model if self.size == 1 else dist.DistributedDataParallel(model)

    def loss(self, logits, labels, batch_size: int):
        """This rank's share of the batch's mean cross-entropy, and its summed loss value.

        Each rank's share is its summed loss over the whole batch's size, times the number of
        ranks, which DistributedDataParallel's averaging divides out again.

        >>> import tapegrad as tg
        >>> loss, summed = Processes().loss(tg.zeros(4, 2), tg.tensor([0, 1, 0, 1]), 4)
        >>> round(loss.item(), 4), round(summed, 4)
        (0.6931, 2.7726)
        """
        if self.size == 1:
            loss = F.cross_entropy(logits, labels)
            return loss, loss.item() * batch_size
        summed = F.cross_entropy(logits, labels, reduction="sum")
        return summed * (self.size / batch_size), summed.item()

    def evaluate(self, model, x: np.ndarray, y: np.ndarray) -> Evaluation:
        """``evaluate`` on all of ``x``, each rank scoring its own part.

        >>> from tapegrad import nn
        >>> Processes().evaluate(nn.Linear(2, 2), np.zeros((3, 2), np.float32),
        ...                      np.array([0, 1, 1])).loss > 0
        True
        """
        if self.size == 1:
            return evaluate(model, x, y)
        x_part, y_part = self.shard(x), self.shard(y)
        loss_total = correct = 0.0
        if len(x_part):
            part = evaluate(model, x_part, y_part)
            loss_total, correct = part.loss * len(x_part), float(part.accuracy * len(x_part))
        loss_total, correct = self.total(loss_total, round(correct))
        return Evaluation(loss_total / len(x), correct / len(x), predictions=None)
