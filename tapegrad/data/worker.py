"""Worker processes for ``DataLoader(num_workers=n)``: each loads and collates whole batches,
so a slow ``__getitem__`` runs in parallel while the training loop consumes batches in order.

Batch k of an epoch goes to worker k mod n, and each worker answers its tasks in the order it
got them, so the loader reads batch k from worker k mod n's queue: the same batches in the same
order as ``num_workers=0``. Each worker is seeded as PyTorch seeds its workers: tapegrad's and
Python's generators with ``base_seed + worker_id`` (``base_seed`` drawn from the loader's
generator each epoch), NumPy's legacy global one from both, so random augmentations differ
between workers and repeat between runs.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

_worker_info: Optional[WorkerInfo] = None

# How long the loader waits for a batch before it checks that the workers are alive.
_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker knows about itself: ``id`` (0 .. num_workers - 1), ``num_workers``, the
    ``seed`` it was given and its copy of the ``dataset``.

    >>> WorkerInfo(id=0, num_workers=2, seed=7, dataset=None).num_workers
    2
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> Optional[WorkerInfo]:
    """This worker's WorkerInfo inside a DataLoader worker process, None elsewhere; an
    IterableDataset reads it to give each worker its own share of the stream.

    >>> get_worker_info() is None
    True
    """
    return _worker_info


def _seed_worker(seed: int, worker_id: int, base_seed: int) -> None:
    from tapegrad import random as tg_random

    tg_random.manual_seed(seed)
    random.seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))


def _worker_loop(worker_id: int, num_workers: int, base_seed: int, fetcher, tasks, results,
                 worker_init_fn: Optional[Callable]) -> None:
    """Answer tasks (a batch's indices, or None for the next batch of a stream) until told to
    stop (a task of False); send ("batch", value), ("end", None) or ("error", traceback)."""
    global _worker_info
    seed = base_seed + worker_id
    _seed_worker(seed, worker_id, base_seed)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, fetcher.dataset)
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception:  # reported to the loader, which raises it in the training process
        results.put(("error", traceback.format_exc()))
        return
    while True:
        task = tasks.get()
        if task is False:
            # Batches still queued for a loop that stopped early are not wanted: exit without
            # waiting for the pipe to take them.
            results.cancel_join_thread()
            return
        try:
            results.put(("batch", fetcher(task)))
        except StopIteration:
            results.put(("end", None))
        except Exception:
            results.put(("error", traceback.format_exc()))


class WorkerPool:
    """The worker processes of one epoch and their queues (the DataLoader makes one per
    epoch): ``map_batches`` or ``stream_batches`` gives the batches, ``close`` ends it."""

    def __init__(self, fetcher, num_workers: int, base_seed: int, worker_init_fn,
                 prefetch_factor: int, timeout: float, context) -> None:
        context = multiprocessing.get_context(context) if isinstance(context, (str, type(
            None))) else context
        self.timeout, self.prefetch = timeout, prefetch_factor
        self.tasks = [context.Queue() for _ in range(num_workers)]
        self.results = [context.Queue() for _ in range(num_workers)]
        self.workers = [
            context.Process(target=_worker_loop, daemon=True,
                            args=(worker_id, num_workers, base_seed, fetcher,
                                  self.tasks[worker_id], self.results[worker_id],
                                  worker_init_fn))
            for worker_id in range(num_workers)]
        for worker in self.workers:
            worker.start()

    def map_batches(self, index_batches):
        """The batches for ``index_batches``, in order, batch k fetched by worker k mod n."""
        count = len(self.workers)
        pending = iter(enumerate(index_batches))
        outstanding = 0
        for _ in range(self.prefetch * count):  # fill every worker's pipeline
            outstanding += self._send_next(pending, count)
        position = 0
        while outstanding:
            kind, value = self._receive(position % count)
            outstanding -= 1
            self._raise_if_error(kind, value, position % count)
            yield value
            position += 1
            outstanding += self._send_next(pending, count)

    def _send_next(self, pending, count: int) -> int:
        task = next(pending, None)
        if task is None:
            return 0
        number, indices = task
        self.tasks[number % count].put(list(indices))
        return 1

    def stream_batches(self):
        """The batches of every worker's copy of an IterableDataset, taken in turn from each
        worker that has not run out, as PyTorch does."""
        active = list(range(len(self.workers)))
        for worker_id in active:
            for _ in range(self.prefetch):
                self.tasks[worker_id].put(None)
        turn = 0
        while active:
            worker_id = active[turn % len(active)]
            kind, value = self._receive(worker_id)
            self._raise_if_error(kind, value, worker_id)
            if kind == "end":
                active.remove(worker_id)
                continue
            self.tasks[worker_id].put(None)
            turn += 1
            yield value

    def _receive(self, worker_id: int) -> tuple:
        waited = 0.0
        while True:
            try:
                return self.results[worker_id].get(timeout=_POLL_SECONDS)
            except queue.Empty:
                waited += _POLL_SECONDS
                if not self.workers[worker_id].is_alive():
                    raise RuntimeError(
                        f"DataLoader worker {worker_id} (pid {self.workers[worker_id].pid}) "
                        f"exited unexpectedly with code {self.workers[worker_id].exitcode}"
                    ) from None
                if self.timeout and waited >= self.timeout:
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} s waiting "
                                       f"for worker {worker_id}") from None

    @staticmethod
    def _raise_if_error(kind: str, value, worker_id: int) -> None:
        if kind == "error":
            raise RuntimeError(f"DataLoader worker {worker_id} failed:\n{value}")

    def close(self) -> None:
        """Stop the workers: ask each to finish, and end those that do not in time."""
        for tasks in self.tasks:
            tasks.put(False)
        for worker in self.workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
        for channel in self.tasks + self.results:
            channel.cancel_join_thread()
            channel.close()
