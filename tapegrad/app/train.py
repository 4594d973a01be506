"""The main job: train a small network on a bundled dataset, losing no work on the way.

``tapegrad train`` (``tapegrad.app.cli``) parses the flags; this module runs the epochs. After
every epoch it writes ``checkpoint.npz`` (and ``best.npz`` when the test accuracy is the best
so far) and ``metrics.csv``; at the end, ``curves.png``. A stop request (SIGINT, SIGTERM: see
``signals.py``) ends the run between two steps with a checkpoint that ``resume`` continues to
the very same weights; a loss that is not finite ends it with an error and keeps the last good
checkpoint. Under ``mpiexec -n N`` the N processes train one model data-parallel
(``parallel.py``), and rank 0 alone prints and writes. Like all of ``tapegrad.app`` it uses
only the public API.
"""

from __future__ import annotations

import math
import os
import shlex
import sys
import time
from itertools import islice
from pathlib import Path

import numpy as np

from tapegrad.app.build import epoch_loader, load_split
from tapegrad.app.checkpoint import TrainingState, restore_state, save_checkpoint
from tapegrad.app.config import DEFAULT_LR, TrainConfig
from tapegrad.app.outputs import plot_curves, prepare_out, write_metrics
from tapegrad.app.parallel import Processes
from tapegrad.app.text import unigram_loss

__all__ = ["DEFAULT_LR", "NonFiniteLoss", "TrainConfig", "TrainingInterrupted", "resume",
           "train"]

OUTPUTS = ("checkpoint.npz", "best.npz", "metrics.csv", "curves.png")
TABLE_HEADER = "epoch  train loss  test loss  test acc  seconds"


class TrainingInterrupted(Exception):
    """Training stopped on request, after writing the checkpoint that resumes it."""

    def __init__(self, checkpoint: Path, epoch: int, step: int):
        self.checkpoint = checkpoint
        super().__init__(
            f"interrupted in epoch {epoch} after step {step}; saved {checkpoint}; resume with: "
            f"tapegrad train --resume {shlex.quote(str(checkpoint))}")


class NonFiniteLoss(ArithmeticError):
    """The loss became inf or nan: the run stops, keeping the last good checkpoint."""


def train(config: TrainConfig, log=print, stop=None) -> list[dict]:
    """Train as ``config`` says, print a per-epoch table, and return the metrics per epoch.

    ``stop`` is anything with ``is_set()`` (a ``threading.Event``): when it is set, the run
    writes a checkpoint before its next step and raises ``TrainingInterrupted``.

    >>> import tempfile
    >>> history = train(TrainConfig(dataset="moons", epochs=2, out=tempfile.mkdtemp()),
    ...                 log=lambda line: None)
    >>> [row["epoch"] for row in history]
    [1, 2]
    """
    processes = Processes.of_this_job()
    log = log if processes.is_main else _silent
    out = prepare_out(config.out) if processes.is_main else Path(config.out)
    split = load_split(config)
    state = TrainingState.fresh(config, split.x_train.shape[1:], split.classes)
    on = f" on {processes.size} processes" if processes.size > 1 else ""
    log(f"training {config.model} on {config.dataset}{on}: {len(split.x_train)} train / "
        f"{len(split.x_test)} test examples, {config.optimizer}, {config.epochs} epochs")
    if config.task == "text":
        log(f"the test loss to beat: {unigram_loss(split.y_train, split.y_test, split.classes):.4f}"
            " (each character by its frequency, the unigram baseline)")
    return _run(state, split, out, log, stop, processes)


def resume(checkpoint: str | os.PathLike, out: str | os.PathLike | None = None, log=print,
           stop=None, **overrides) -> list[dict]:
    """Go on with the run saved in ``checkpoint``, writing to ``out`` (default: the folder the
    checkpoint is in); ``overrides`` may set ``progress`` and ``data_dir``.

    The result is the uninterrupted run's, to the last bit: the same batches in the same
    order, the optimizer's and the schedule's state as they were. It may go on with another
    number of processes than it began with: the batches are the same.
    """
    processes = Processes.of_this_job()
    log = log if processes.is_main else _silent
    out = Path(checkpoint).parent if out is None else Path(out)
    try:
        state = restore_state(checkpoint, out=str(out), **overrides)
    except (ValueError, FileNotFoundError) as error:
        raise type(error)(f"--resume {checkpoint}: {error}") from None
    if processes.is_main:
        prepare_out(out)
    split = load_split(state.config)
    done, config = state.progress, state.config
    if done.epoch < config.epochs:
        log(f"resuming {config.model} on {config.dataset} from {checkpoint}: epoch "
            f"{done.epoch + 1} of {config.epochs}, after step {done.step}")
    else:
        log(f"{checkpoint} has finished all {config.epochs} epochs; nothing left to train")
    return _run(state, split, out, log, stop, processes)


def _silent(line: str) -> None:
    """The log of every rank but 0: one table per job, not one per process."""


def _run(state: TrainingState, split, out: Path, log, stop, processes: Processes) -> list[dict]:
    """The epochs still to do, then ``curves.png``; returns the metrics of every epoch."""
    if state.progress.epoch < state.config.epochs:
        log(TABLE_HEADER)
    model = processes.wrap(state.model)
    # an overflow on the way to inf or nan is reported once, by the finiteness checks
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while state.progress.epoch < state.config.epochs:
            _train_epoch(state, model, split, out, stop, processes)
            log(_table_row(_finish_epoch(state, split, out, processes)))
    history = state.progress.history
    if not processes.is_main:
        return history
    write_metrics(history, out / "metrics.csv")  # also when a finished run moved to a new --out
    if not plot_curves(history, out / "curves.png"):
        log("matplotlib is not installed, so no curves.png (pip install 'tapegrad[plots]')")
    kept = [name for name in OUTPUTS if (out / name).exists()]
    log(f"{out} holds {', '.join(kept)}")
    return history


def _train_epoch(state: TrainingState, model, split, out: Path, stop,
                 processes: Processes) -> None:
    """The steps of the epoch under way that are still to do (all of them, unless resumed)."""
    progress = state.progress
    epoch = progress.epoch + 1
    loader = epoch_loader(split, state.config, epoch)
    started = time.perf_counter() - progress.seconds
    # a resumed epoch skips the batches it already took: same order, so the same batches
    batches = islice(loader, progress.step, None)
    if processes.is_main:
        batches = _with_progress_bar(batches, state, len(loader))
    for x, y in batches:
        if _stop_requested(stop, processes):
            progress.seconds = time.perf_counter() - started
            if hasattr(batches, "close"):
                batches.close()  # clear the bar, so the one line about resuming stands alone
            if processes.is_main:
                save_checkpoint(state, out / "checkpoint.npz")
            raise TrainingInterrupted(out / "checkpoint.npz", epoch, progress.step)
        _step(state, model, x, y, out, processes)
        if hasattr(batches, "set_postfix"):
            batches.set_postfix(loss=f"{progress.loss_total / progress.examples:.4f}")
    progress.seconds = time.perf_counter() - started


def _stop_requested(stop, processes: Processes) -> bool:
    """A stop asked for (on any rank: all ranks stop at the same step)."""
    asked = stop is not None and stop.is_set()
    return asked if processes.size == 1 else bool(processes.total(asked)[0])


def _step(state: TrainingState, model, x, y, out: Path, processes: Processes) -> None:
    """One gradient step on the batch (this rank's slice of it), refused before the update
    when the loss over the whole batch is not finite."""
    loss, summed = processes.loss(model(processes.shard(x)), processes.shard(y), len(y))
    if processes.size > 1:
        summed = float(processes.total(summed)[0])
    value = summed / len(y)
    if not math.isfinite(value):
        raise _non_finite(f"the training loss became {value}",
                          f"in epoch {state.progress.epoch + 1} at step {state.progress.step + 1}",
                          state, out)
    state.optimizer.zero_grad()
    loss.backward()
    state.optimizer.step()
    progress = state.progress
    progress.step += 1
    progress.loss_total += summed
    progress.examples += len(y)


def _finish_epoch(state: TrainingState, split, out: Path, processes: Processes) -> dict:
    """Measure the test set, step the schedule, write the checkpoints and metrics.csv."""
    progress = state.progress
    result = processes.evaluate(state.model, split.x_test, split.y_test)
    when = f"after epoch {progress.epoch + 1} (step {progress.step})"
    if not math.isfinite(result.loss):
        raise _non_finite(f"the test loss became {result.loss}", when, state, out)
    if not _weights_are_finite(state.model):
        raise _non_finite("the weights became inf or nan", when, state, out)
    row = {"epoch": progress.epoch + 1, "train_loss": progress.loss_total / progress.examples,
           "test_loss": result.loss, "test_accuracy": result.accuracy,
           "lr": state.optimizer.param_groups[0]["lr"], "seconds": progress.seconds}
    state.schedule.step()
    progress.history.append(row)
    progress.epoch += 1
    progress.step = progress.examples = 0
    progress.loss_total = progress.seconds = 0.0
    is_best = progress.best_accuracy is None or result.accuracy > progress.best_accuracy
    if is_best:
        progress.best_accuracy = result.accuracy
    if processes.is_main:
        save_checkpoint(state, out / "checkpoint.npz")
        if is_best:
            save_checkpoint(state, out / "best.npz")
        write_metrics(progress.history, out / "metrics.csv")
    return row


def _weights_are_finite(model) -> bool:
    return all(np.isfinite(parameter.data).all() for parameter in model.parameters())


def _non_finite(what: str, when: str, state: TrainingState, out: Path) -> NonFiniteLoss:
    """The one-line error for a loss that is inf or nan, with what to try instead."""
    progress, lr = state.progress, state.config.learning_rate
    kept = (f"the last good checkpoint is {out / 'checkpoint.npz'} (epoch {progress.epoch})"
            if progress.epoch else "no checkpoint was written")
    return NonFiniteLoss(
        f"{what} {when}; the learning rate is probably too high: try a lower --lr than "
        f"{lr:g} (e.g. --lr {lr / 10:g}); {kept}")


def _table_row(row: dict) -> str:
    return (f"{row['epoch']:>5}  {row['train_loss']:>10.4f}  {row['test_loss']:>9.4f}  "
            f"{row['test_accuracy']:>8.2%}  {row['seconds']:>7.2f}")


def _with_progress_bar(batches, state: TrainingState, total: int):
    """``batches`` in a tqdm bar, on a terminal only: in a log file, a bar's redraws are noise
    and the table already has one line per epoch."""
    if not wants_progress_bar(state.config.progress, sys.stdout, sys.stderr):
        return batches
    try:
        from tqdm import tqdm
    except ImportError:
        return batches
    epoch = state.progress.epoch + 1
    return tqdm(batches, desc=f"epoch {epoch}/{state.config.epochs}", total=total,
                initial=state.progress.step, leave=False, file=sys.stderr)


def wants_progress_bar(asked: bool, *streams) -> bool:
    """A bar only when asked for and every one of ``streams`` is a terminal.

    >>> import io
    >>> wants_progress_bar(True, io.StringIO())
    False
    """
    return asked and all(stream.isatty() for stream in streams)
