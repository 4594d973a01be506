"""Training on several processes or machines: ``torch.distributed``'s names, on MPI.

Start the same script in N processes with ``mpiexec -n N python train.py`` (or Slurm's
``srun``); in it, ``init()`` joins them, ``DistributedDataParallel`` keeps their models in
step and ``tapegrad.data.DistributedSampler`` gives each its share of the data. Needs the
``distributed`` extra (``pip install 'tapegrad[distributed]'``: mpi4py, and MPICH with its
``mpiexec``).

>>> import tapegrad.distributed as dist
>>> dist.init()
>>> values = np.array([1.0, 2.0])
>>> dist.all_reduce(values, op=dist.ReduceOp.SUM)   # the sum over the 1 process here
>>> values, dist.get_rank(), dist.get_world_size()
(array([1., 2.]), 0, 1)
"""

from tapegrad.distributed import functional
from tapegrad.distributed.collectives import (
    ReduceOp,
    Work,
    abort,
    all_gather,
    all_reduce,
    barrier,
    broadcast,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init,
    init_process_group,
    is_available,
    is_initialized,
    launched_by_mpi,
    reduce_scatter,
)
from tapegrad.distributed.data_parallel import DistributedDataParallel
from tapegrad.distributed.metrics import reduce_metrics

__all__ = [
    "init", "init_process_group", "destroy_process_group", "is_available", "is_initialized",
    "launched_by_mpi", "get_backend", "get_rank", "get_world_size", "barrier", "abort",
    "ReduceOp", "Work", "all_reduce", "broadcast", "all_gather", "reduce_scatter",
    "functional", "DistributedDataParallel", "reduce_metrics",
]
