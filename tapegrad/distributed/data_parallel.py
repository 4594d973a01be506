"""DistributedDataParallel: one model per process, each on its own part of the batch, and
after every backward pass every process holds the gradient averaged over all of them.

Averaging is where the time goes, so it overlaps the backward pass. The parameters are grouped
into buckets of about ``bucket_cap_mb`` megabytes, last layer first (backward reaches the last
layers first). A hook on each parameter runs as soon as its ``.grad`` is final in the walk;
when every parameter of a bucket is done, the bucket's sum over ranks starts with a non-blocking
MPI call, and backward goes on into the earlier layers while the network carries it. The
first bucket holds 1 MB at most, as PyTorch's, so that communication starts early. When the
last parameter is done, the reducer waits for every bucket and writes the means into ``.grad``.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from tapegrad import engine
from tapegrad.distributed import collectives
from tapegrad.grad_mode import is_grad_enabled
from tapegrad.nn.module import Module
from tapegrad.tensor_core import TensorCore


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training: call it as the module; after ``backward()``
    each parameter's ``.grad`` is the mean over all ranks, so every rank's optimizer takes the
    same step. Rank 0's parameters and buffers are copied to every rank here, and its buffers
    (BatchNorm's running statistics) again before each forward in training
    (``broadcast_buffers``).

    ``no_sync()`` skips the averaging for the backward passes of the forwards inside it, to
    accumulate gradients locally; the next synchronised backward averages the sum.
    ``find_unused_parameters=True`` lets a forward leave parameters out of the graph (it walks
    the graph after each forward to find them); without it, a parameter that gets no gradient
    is an error at the next forward, as in PyTorch. ``device_ids`` is accepted, as PyTorch's
    signature has it, and unused: the processes compute on their CPUs.

    >>> import tapegrad.distributed as dist
    >>> dist.init()
    >>> model = dist.DistributedDataParallel(tg.nn.Linear(3, 1))
    >>> model(tg.ones(4, 3)).sum().backward()
    >>> model.module.weight.grad.shape
    (1, 3)
    """

    def __init__(self, module: Module, device_ids=None, bucket_cap_mb: float = 25.0,
                 find_unused_parameters: bool = False, broadcast_buffers: bool = True) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module to wrap, got "
                            f"{type(module).__name__}")
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be > 0, got "
                             f"{bucket_cap_mb!r}")
        collectives._world("DistributedDataParallel")
        self.module = module
        self.find_unused_parameters = bool(find_unused_parameters)
        self.broadcast_buffers = bool(broadcast_buffers)
        self._require_sync = True
        for tensor in list(module.parameters()) + list(module.buffers()):
            collectives.broadcast(tensor, src=0)
        named = [(name, parameter) for name, parameter in module.named_parameters()
                 if parameter.requires_grad]
        self.reducer = GradientReducer(named, int(bucket_cap_mb * 2**20))

    def forward(self, *args, **kwargs):
        self.reducer.check_previous_finished()
        if self.broadcast_buffers and self.training:
            for buffer in self.module.buffers():
                collectives.broadcast(buffer, src=0)
        output = self.module(*args, **kwargs)
        if self._require_sync and is_grad_enabled():
            unused = (self.reducer.parameters_not_reached_from(_tensors_in(output))
                      if self.find_unused_parameters else ())
            self.reducer.prepare(unused, share_used=self.find_unused_parameters)
        return output

    @contextmanager
    def no_sync(self):
        """Inside this block, forwards and their backward passes accumulate gradients locally,
        without communication.

        >>> import tapegrad.distributed as dist
        >>> dist.init()
        >>> model = dist.DistributedDataParallel(tg.nn.Linear(2, 1))
        >>> with model.no_sync():
        ...     model(tg.ones(1, 2)).sum().backward()
        >>> model.module.weight.grad
        array([[1., 1.]], dtype=float32)
        """
        previous, self._require_sync = self._require_sync, False
        try:
            yield
        finally:
            self._require_sync = previous


class Bucket:
    """Parameters whose gradients travel together: one flat array, one MPI call.

    >>> bucket = Bucket([tg.zeros(2, 3), tg.zeros(4)], np.float32)
    >>> bucket.flat.shape, bucket.slice_of(1)
    ((10,), slice(6, 10, None))
    """

    def __init__(self, parameters: list, dtype) -> None:
        self.parameters = parameters
        self.offsets = np.cumsum([0] + [parameter.data.size for parameter in parameters]).tolist()
        self.flat = np.zeros(self.offsets[-1], dtype)
        self.ready = 0
        self.work = None

    def slice_of(self, index: int) -> slice:
        return slice(self.offsets[index], self.offsets[index + 1])


class GradientReducer:
    """Averages the gradients of ``named_parameters`` over all ranks, bucket by bucket, while
    the backward pass runs; ``prepare`` arms it for the backward of one forward.

    >>> import tapegrad.distributed as dist
    >>> dist.init()
    >>> weight = tg.tensor([1.0, 2.0], requires_grad=True)
    >>> reducer = GradientReducer([("weight", weight)], cap_bytes=2**20)
    >>> reducer.prepare(unused=(), share_used=False)
    >>> (weight * weight).sum().backward()
    >>> reducer.active, weight.grad
    (False, array([2., 4.], dtype=float32))
    """

    def __init__(self, named_parameters: list, cap_bytes: int) -> None:
        self.names = [name for name, _ in named_parameters]
        self.position = {id(parameter): position for position, (_, parameter)
                         in enumerate(named_parameters)}
        self.buckets = _buckets([parameter for _, parameter in named_parameters], cap_bytes)
        self.place = {id(parameter): (bucket, index) for bucket in self.buckets
                      for index, parameter in enumerate(bucket.parameters)}
        self.ready = np.zeros(len(named_parameters), bool)  # gradient final, this pass
        self.used = np.zeros(len(named_parameters), np.int32)  # got a gradient, this pass
        self.active = self.share_used = False
        self.handles = [parameter.register_post_accumulate_grad_hook(self.gradient_ready)
                        for _, parameter in named_parameters]

    def prepare(self, unused, share_used: bool) -> None:
        """Expect every parameter's gradient in the next backward; ``unused`` ones get none,
        so they are counted as ready now (contributing what they hold: zeros or nothing)."""
        for bucket in self.buckets:
            bucket.ready, bucket.work = 0, None
        self.ready[:], self.used[:] = False, 1
        self.active, self.share_used = True, share_used
        for parameter in unused:
            self.used[self.position[id(parameter)]] = 0
            self.mark_ready(parameter)

    def gradient_ready(self, parameter) -> None:
        """The hook: ``parameter.grad`` is final for this backward pass."""
        if self.active:
            self.mark_ready(parameter)

    def mark_ready(self, parameter) -> None:
        position = self.position[id(parameter)]
        if self.ready[position]:
            return
        self.ready[position] = True
        bucket, index = self.place[id(parameter)]
        grad = parameter.accumulated_grad
        part = bucket.flat[bucket.slice_of(index)]
        part[...] = 0 if grad is None else np.ravel(grad)
        bucket.ready += 1
        if bucket.ready == len(bucket.parameters):
            bucket.work = collectives.all_reduce(bucket.flat, async_op=True)
        else:
            self._let_mpi_progress()
        if self.ready.all():
            self.finish()

    def _let_mpi_progress(self) -> None:
        # MPI moves a non-blocking call along when it is asked about it
        for bucket in self.buckets:
            if bucket.work is not None and not bucket.work.is_completed():
                return

    def finish(self) -> None:
        """Wait for every bucket and write the mean gradients into ``.grad``."""
        self.active = False
        used_anywhere = self.used.copy()
        if self.share_used:
            collectives.all_reduce(used_anywhere)
        scale = 1.0 / collectives.get_world_size()
        for bucket in self.buckets:
            bucket.work.wait()
            bucket.flat *= bucket.flat.dtype.type(scale)
            for index, parameter in enumerate(bucket.parameters):
                if used_anywhere[self.position[id(parameter)]]:  # else .grad stays as it is
                    mean = bucket.flat[bucket.slice_of(index)].reshape(parameter.data.shape)
                    np.copyto(parameter.grad, mean)

    def check_previous_finished(self) -> None:
        """A backward that began averaging but left parameters without a gradient: the
        forward after it says which, as PyTorch's does."""
        if self.active and self.ready.any():
            self.active = False
            missing = [name for name, ready in zip(self.names, self.ready) if not ready]
            raise RuntimeError(
                "DistributedDataParallel: the last backward pass gave no gradient to "
                f"{', '.join(missing)}, so their averaging never finished; pass "
                "find_unused_parameters=True if a forward may leave parameters unused")

    def parameters_not_reached_from(self, outputs: list) -> list:
        """The parameters no gradient can reach from ``outputs``: a walk of their graph."""
        starts = [engine.node_of(output) for output in outputs if output.requires_grad]
        reached = {id(node) for node in engine.count_consumers(starts)
                   if isinstance(node, TensorCore)}
        return [parameter for bucket in self.buckets for parameter in bucket.parameters
                if id(parameter) not in reached]


FIRST_BUCKET_BYTES = 2**20


def _buckets(parameters: list, cap_bytes: int) -> list:
    """Parameters in buckets of at most ``cap_bytes`` (the first: 1 MB; a larger parameter
    alone in one), one dtype per bucket, last parameter first: the order in which backward
    finishes them."""
    buckets, filling = [], {}  # dtype -> (parameters, bytes) of the bucket being filled
    for parameter in reversed(parameters):
        members, size = filling.get(parameter.dtype, ([], 0))
        cap = min(cap_bytes, FIRST_BUCKET_BYTES) if not buckets else cap_bytes
        if members and size + parameter.data.nbytes > cap:
            buckets.append(Bucket(members, parameter.dtype))
            members, size = [], 0
        filling[parameter.dtype] = (members + [parameter], size + parameter.data.nbytes)
    buckets += [Bucket(members, dtype) for dtype, (members, _) in filling.items()]
    return buckets


def _tensors_in(output) -> list:
    """Every tensor in a forward's output: a tensor, or tuples, lists and dicts of them."""
    if isinstance(output, TensorCore):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (list, tuple)):
        return [tensor for item in output for tensor in _tensors_in(item)]
    return []
