"""The processes of a job and what they do together, on MPI: all_reduce, broadcast, gather.

Every process of a job started by ``mpiexec -n N`` (or Slurm's ``srun``) runs the same program;
``init()`` joins them into one group, in which each has a rank ``0 .. N-1``. A collective is
called by every rank, in the same order, with arrays of the same shape and dtype. tapegrad
asks MPI (through mpi4py) to do the communication; nothing here is a home-made network layer.

The names and arguments are ``torch.distributed``'s: ``all_reduce(tensor, op=ReduceOp.SUM)``
changes ``tensor`` in place on every rank; ``async_op=True`` returns a ``Work`` to ``wait()``
on. They take Tensors (their ``data`` changes, nothing is recorded) and NumPy arrays.

The group is the one piece of global state here, as in PyTorch: a job has one set of processes.
"""

from __future__ import annotations

import enum
import os
import sys

import numpy as np

from tapegrad.tensor_core import TensorCore

INSTALL_HINT = "pip install 'tapegrad[distributed]' (mpi4py and MPICH's mpiexec)"

# Variables that the usual launchers set in each process they start: MPICH's and Intel MPI's
# hydra (PMI_SIZE), Open MPI (OMPI_COMM_WORLD_SIZE), PMIx launchers such as Slurm's srun
# --mpi=pmix (PMIX_RANK), MVAPICH (MV2_COMM_WORLD_SIZE).
_LAUNCHER_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "MV2_COMM_WORLD_SIZE")

_WORLD = None  # the job's communicator once init() has run: one per process, as in PyTorch


class ReduceOp(enum.Enum):
    """How ``all_reduce`` and ``reduce_scatter`` combine the ranks' values (PyTorch's names;
    ``AVG`` is the mean).

    >>> ReduceOp.SUM, ReduceOp("mean") is ReduceOp.AVG
    (<ReduceOp.SUM: 'sum'>, True)
    """

    SUM = "sum"
    AVG = "mean"
    MAX = "max"
    MIN = "min"
    PRODUCT = "product"

    @classmethod
    def _missing_(cls, value):
        # "avg" is PyTorch's spelling; "sum", "mean", "max", ... are the values themselves
        return cls.AVG if value == "avg" else None


def launched_by_mpi() -> bool:
    """Whether this process was started by an MPI launcher (``mpiexec``, ``srun``), judged by
    the variables launchers set, without starting MPI.

    >>> isinstance(launched_by_mpi(), bool)
    True
    """
    return any(name in os.environ for name in _LAUNCHER_VARIABLES)


def init() -> None:
    """Join this process to the job's group, from the environment that ``mpiexec`` (or
    ``srun``) set up; a single process started without one is a group of one.

    In a group of several, an exception that nothing catches ends every process of the job
    (MPI's abort), with a line naming the rank, instead of leaving the others waiting in a
    collective. Calling ``init()`` again does nothing.

    >>> init()
    >>> is_initialized(), get_rank(), get_world_size()
    (True, 0, 1)
    """
    global _WORLD
    if _WORLD is not None:
        return
    MPI = _mpi()
    _WORLD = MPI.COMM_WORLD.Dup()  # our own channel: a user's mpi4py messages cannot mix in
    if _WORLD.Get_size() > 1:
        sys.excepthook = _abort_on_uncaught_exception


def init_process_group(backend: str = "mpi", **ignored) -> None:
    """``torch.distributed.init_process_group``: ``init()``; the backend can only be "mpi"
    (rank, world size and addresses come from the launcher, so other arguments are ignored).

    >>> init_process_group("mpi")
    >>> get_backend()
    'mpi'
    """
    if backend != "mpi":
        raise ValueError(f"init_process_group: backend {backend!r} is not available; "
                         "tapegrad.distributed runs on MPI, so use backend='mpi'")
    init()


def is_available() -> bool:
    """Whether mpi4py is installed, so that ``init()`` can work.

    >>> isinstance(is_available(), bool)
    True
    """
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def is_initialized() -> bool:
    """Whether ``init()`` has run in this process.

    >>> init(); is_initialized()
    True
    """
    return _WORLD is not None


def get_backend() -> str:
    """The communication backend: always "mpi".

    >>> get_backend()
    'mpi'
    """
    return "mpi"


def get_rank() -> int:
    """This process's rank, ``0 .. get_world_size() - 1``.

    >>> init(); get_rank()
    0
    """
    return _world("get_rank").Get_rank()


def get_world_size() -> int:
    """How many processes the job has.

    >>> init(); get_world_size()
    1
    """
    return _world("get_world_size").Get_size()


def barrier() -> None:
    """Wait until every rank has called ``barrier()``.

    >>> init(); barrier()
    """
    _world("barrier").Barrier()


def destroy_process_group() -> None:
    """Leave the group; ``init()`` may join it again. MPI itself ends when the process does.

    >>> init(); destroy_process_group(); is_initialized()
    False
    """
    global _WORLD
    if _WORLD is not None:
        _WORLD.Free()
        _WORLD = None


def abort(status: int = 1) -> None:
    """End every process of the job now, with exit status ``status`` (MPI's abort): for a
    failure on one rank that the others cannot know of, while they wait in a collective."""
    sys.stdout.flush()
    sys.stderr.flush()
    _world("abort").Abort(status)


class Work:
    """A collective under way (``async_op=True``): ``wait()`` finishes it, after which the
    tensor holds the result; ``is_completed()`` asks without waiting.

    >>> init()
    >>> values = np.array([1.0, 2.0])
    >>> work = all_reduce(values, async_op=True)
    >>> work.wait()
    True
    >>> values
    array([1., 2.])
    """

    def __init__(self, request, finish=None):
        self._request, self._finish, self._done = request, finish, False

    def is_completed(self) -> bool:
        """True once the communication has finished (and ``wait()`` will not block)."""
        return self._done or self._request.Test()

    def wait(self) -> bool:
        """Block until the collective is done, then leave its result in place."""
        if not self._done:
            self._request.Wait()
            if self._finish is not None:
                self._finish()
            self._done = True
        return True


def all_reduce(tensor, op: ReduceOp = ReduceOp.SUM, group=None, async_op: bool = False):
    """Combine ``tensor`` over all ranks with ``op`` (sum, mean, max, min, product) and leave
    the result in ``tensor`` on every rank.

    >>> init()
    >>> values = np.array([1.0, 4.0])
    >>> all_reduce(values, op=ReduceOp.AVG); values
    array([1., 4.])
    """
    world, op = _world("all_reduce"), _reduce_op("all_reduce", op)
    array = _array_of("all_reduce", tensor)
    _check_mean_dtype("all_reduce", op, array)
    buffer = _contiguous(array)

    def finish():
        if op is ReduceOp.AVG:
            buffer[...] = buffer / world.Get_size()
        if buffer is not array:
            array[...] = buffer

    return _run(world.Iallreduce if async_op else world.Allreduce,
                (_mpi().IN_PLACE, buffer, _mpi_op(op)), finish, async_op)


def broadcast(tensor, src: int = 0, group=None, async_op: bool = False):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank.

    >>> init()
    >>> values = np.array([3.0])
    >>> broadcast(values, src=0); values
    array([3.])
    """
    world = _world("broadcast")
    _check_rank("broadcast", "src", src, world.Get_size())
    array = _array_of("broadcast", tensor)
    buffer = _contiguous(array)

    def finish():
        if buffer is not array:
            array[...] = buffer

    return _run(world.Ibcast if async_op else world.Bcast, (buffer, src), finish, async_op)


def all_gather(tensor_list: list, tensor, group=None, async_op: bool = False):
    """Fill ``tensor_list[r]`` with rank ``r``'s ``tensor``, on every rank; the list holds
    ``get_world_size()`` tensors (or arrays) of ``tensor``'s shape and dtype.

    >>> init()
    >>> gathered = [np.zeros(2)]
    >>> all_gather(gathered, np.array([1.0, 2.0])); gathered
    [array([1., 2.])]
    """
    world = _world("all_gather")
    array = _array_of("all_gather", tensor)
    outputs = _matching_list("all_gather", "tensor_list", tensor_list, array, world.Get_size())
    received = np.empty((world.Get_size(),) + array.shape, array.dtype)

    def finish():
        for output, part in zip(outputs, received):
            output[...] = part

    return _run(world.Iallgather if async_op else world.Allgather,
                (_contiguous(array), received), finish, async_op)


def reduce_scatter(output, input_list: list, op: ReduceOp = ReduceOp.SUM, group=None,
                   async_op: bool = False):
    """Combine ``input_list[r]`` over all ranks with ``op``, and leave that result in
    ``output`` on rank ``r``: an all_reduce of which each rank keeps one part.

    >>> init()
    >>> result = np.zeros(2)
    >>> reduce_scatter(result, [np.array([5.0, 6.0])]); result
    array([5., 6.])
    """
    world, op = _world("reduce_scatter"), _reduce_op("reduce_scatter", op)
    array = _array_of("reduce_scatter", output)
    _check_mean_dtype("reduce_scatter", op, array)
    inputs = _matching_list("reduce_scatter", "input_list", input_list, array, world.Get_size())
    sent = np.stack(inputs) if inputs else np.empty((0,) + array.shape, array.dtype)
    buffer = np.empty_like(array, order="C")

    def finish():
        array[...] = buffer / world.Get_size() if op is ReduceOp.AVG else buffer

    return _run(world.Ireduce_scatter_block if async_op else world.Reduce_scatter_block,
                (sent, buffer, _mpi_op(op)), finish, async_op)


# ---------------------------------------------------------------------------- helpers

_MPI = None  # the mpi4py.MPI module, imported by the first init(): plain `import tapegrad`
# must neither need mpi4py nor start MPI


def _mpi():
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except ImportError:
            raise ImportError(f"tapegrad.distributed needs mpi4py: {INSTALL_HINT}") from None
        _MPI = MPI
    return _MPI


def _world(op: str):
    if _WORLD is None:
        raise RuntimeError(f"{op}: the process group is not initialized; call "
                           "tapegrad.distributed.init() first (in every process of the job)")
    return _WORLD


def _run(call, arguments: tuple, finish, async_op: bool):
    """Start (``async_op``) or do the MPI call; the result is final after ``finish()``."""
    if async_op:
        return Work(call(*arguments), finish)
    call(*arguments)
    finish()
    return None


def _array_of(op: str, value) -> np.ndarray:
    """The array a collective works on in place: a Tensor's ``data``, or the array itself."""
    array = value.data if isinstance(value, TensorCore) else value
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{op}: expected a Tensor or a NumPy array, got {type(value).__name__}")
    if not array.flags.writeable:
        raise ValueError(f"{op}: the array of shape {array.shape} is read-only, and the result "
                         "is written into it; pass a writable copy")
    return array


def _contiguous(array: np.ndarray) -> np.ndarray:
    # MPI reads and writes one block of memory; a strided view goes through a copy
    return array if array.flags.c_contiguous else np.ascontiguousarray(array)


def _reduce_op(op_name: str, op) -> ReduceOp:
    try:
        return ReduceOp(op.value if isinstance(op, ReduceOp) else op)
    except ValueError:
        raise ValueError(f"{op_name}: unknown op {op!r}; expected a ReduceOp (SUM, AVG, MAX, "
                         "MIN, PRODUCT) or one of 'sum', 'mean', 'max', 'min', 'product'"
                         ) from None


def _mpi_op(op: ReduceOp):
    MPI = _mpi()
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.MAX: MPI.MAX,
            ReduceOp.MIN: MPI.MIN, ReduceOp.PRODUCT: MPI.PROD}[op]


def _check_mean_dtype(op_name: str, op: ReduceOp, array: np.ndarray) -> None:
    if op is ReduceOp.AVG and array.dtype.kind not in "fc":
        raise TypeError(f"{op_name}: the mean of dtype {array.dtype} values is not one; "
                        "use a floating array, or ReduceOp.SUM and divide yourself")


def _check_rank(op: str, name: str, rank, size: int) -> None:
    if not isinstance(rank, (int, np.integer)) or not 0 <= rank < size:
        raise ValueError(f"{op}: {name} must be a rank from 0 to {size - 1}, got {rank!r}")


def _matching_list(op: str, name: str, values, like: np.ndarray, size: int) -> list:
    """``values`` as arrays, checked: one per rank, each of ``like``'s shape and dtype."""
    if not isinstance(values, (list, tuple)) or len(values) != size:
        raise ValueError(f"{op}: {name} must be a list of {size} tensors (one per rank), got "
                         f"{len(values) if isinstance(values, (list, tuple)) else values!r}")
    arrays = [_array_of(op, value) for value in values]
    for index, array in enumerate(arrays):
        if array.shape != like.shape or array.dtype != like.dtype:
            raise ValueError(f"{op}: {name}[{index}] has shape {array.shape} and dtype "
                             f"{array.dtype}; expected {like.shape} and {like.dtype}")
    return arrays


def _abort_on_uncaught_exception(kind, value, traceback) -> None:
    """sys.excepthook in a job of several: print the error, then end the whole job."""
    sys.__excepthook__(kind, value, traceback)
    rank, size = _WORLD.Get_rank(), _WORLD.Get_size()
    print(f"tapegrad.distributed: rank {rank} of {size} stopped on {kind.__name__}; "
          f"aborting all {size} processes", file=sys.stderr, flush=True)
    abort(1)
