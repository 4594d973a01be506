"""Metrics of a data-parallel job: each rank measures its share, the job wants the whole."""

from __future__ import annotations

import numpy as np

from tapegrad.distributed import collectives


def reduce_metrics(metrics: dict, op: collectives.ReduceOp = collectives.ReduceOp.SUM) -> dict:
    """``metrics`` (names to numbers) combined over all ranks with ``op``, on every rank, in
    one collective. Sum counts and totals, then divide: the mean of the ranks' means is not
    the mean when their shares differ in size.

    >>> import tapegrad.distributed as dist
    >>> dist.init()
    >>> totals = reduce_metrics({"loss_sum": 12.5, "correct": 40, "examples": 50})
    >>> totals["correct"] / totals["examples"]
    0.8
    """
    values = np.array([float(value) for value in metrics.values()], np.float64)
    collectives.all_reduce(values, op=op)
    return {name: value.item() for name, value in zip(metrics, values)}
