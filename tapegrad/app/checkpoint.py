"""A training checkpoint: everything a run needs to go on exactly where it stopped.

``checkpoint.npz`` (the latest) and ``best.npz`` (the best test accuracy so far) hold the
model's weights, the optimizer's and the schedule's state, the config, how far the run got
(epoch and step within it, with the epoch's running loss), the state of tapegrad's random
generator, and the metrics of every finished epoch. The shuffling needs no saved state: each
epoch's order is drawn from the seed and the epoch number (``build.shuffle_seed``).

``load_checkpoint`` is the way back for inference: the model, in eval mode, and its config.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tapegrad as tg
from tapegrad import nn, optim
from tapegrad.app.build import build_model, build_optimizer, build_schedule, load_split
from tapegrad.app.config import TrainConfig

KIND = "tapegrad train checkpoint"


@dataclass
class Progress:
    """How far a run got: finished epochs, steps into the next one, and the metrics so far."""

    epoch: int = 0  # epochs finished
    step: int = 0  # steps finished in the epoch under way
    loss_total: float = 0.0  # the epoch's summed training loss so far, for its mean
    examples: int = 0  # examples seen in the epoch under way
    seconds: float = 0.0  # time spent on the epoch under way before an interruption
    best_accuracy: float | None = None
    history: list = field(default_factory=list)  # one metrics row per finished epoch


@dataclass
class TrainingState:
    """A run in memory: its config, its model and optimizer and schedule, and its progress."""

    config: TrainConfig
    model: nn.Module
    optimizer: optim.Optimizer
    schedule: optim.lr_scheduler.LRScheduler
    generator: object  # tapegrad's random generator (numpy.random.Generator)
    input_shape: tuple
    classes: int
    progress: Progress = field(default_factory=Progress)

    @classmethod
    def fresh(cls, config: TrainConfig, input_shape: tuple, classes: int) -> TrainingState:
        """A new run: seeded, with its model initialised and its optimizer untouched.

        >>> TrainingState.fresh(TrainConfig(dataset="moons"), (2,), 2).progress.epoch
        0
        """
        generator = tg.manual_seed(config.seed)  # the model's initial weights come from it
        model = build_model(config.model, tuple(input_shape), classes)
        optimizer = build_optimizer(config, model.parameters())
        return cls(config, model, optimizer, build_schedule(config, optimizer), generator,
                   tuple(input_shape), classes)


def save_checkpoint(state: TrainingState, path: Path) -> None:
    """Write ``state`` to ``path`` with ``tg.save`` (which replaces the file in one step).

    >>> import tempfile
    >>> state = TrainingState.fresh(TrainConfig(dataset="moons"), (2,), 2)
    >>> path = Path(tempfile.mkdtemp()) / "checkpoint.npz"
    >>> save_checkpoint(state, path)
    >>> restore_state(path).progress.epoch
    0
    """
    progress = asdict(state.progress)
    history = progress.pop("history")
    tg.save({
        "kind": KIND,
        "tapegrad_version": tg.__version__,
        "config": asdict(state.config),
        "model_spec": {"input_shape": list(state.input_shape), "classes": state.classes},
        "model": state.model.state_dict(),
        "optimizer": state.optimizer.state_dict(),
        "scheduler": state.schedule.state_dict(),
        # JSON text, since the generator's state holds 128-bit integers
        "rng": {"tapegrad": json.dumps(state.generator.bit_generator.state)},
        "progress": progress,
        "metrics": history,
    }, path)


def read_checkpoint(path: str | os.PathLike) -> dict:
    """``tg.load(path)``, checked to be a checkpoint of ``tapegrad train``."""
    checkpoint = tg.load(path)
    if not isinstance(checkpoint, dict) or not {"model", "config"} <= set(checkpoint):
        raise ValueError(f"{path} is not a checkpoint of tapegrad train (it has no model and "
                         "config); read it with tg.load")
    return checkpoint


def restore_state(path: str | os.PathLike, **overrides) -> TrainingState:
    """The run saved in ``path``, ready to go on; ``overrides`` replace config fields
    (``out``, ``progress``, ``data_dir``: where the run writes and reads, not what it does).
    """
    checkpoint = read_checkpoint(path)
    if checkpoint.get("kind") != KIND:
        raise ValueError(f"{path} was written before tapegrad train could resume; "
                         "tapegrad eval can still read it")
    config = TrainConfig.from_dict({**checkpoint["config"], **overrides})
    spec = checkpoint["model_spec"]
    state = TrainingState.fresh(config, tuple(spec["input_shape"]), spec["classes"])
    state.model.load_state_dict(checkpoint["model"])
    # the optimizer first: the schedule goes on from the rates in the optimizer's groups
    state.optimizer.load_state_dict(checkpoint["optimizer"])
    state.schedule.load_state_dict(checkpoint["scheduler"])
    state.generator.bit_generator.state = json.loads(checkpoint["rng"]["tapegrad"])
    state.progress = Progress(**checkpoint["progress"], history=checkpoint["metrics"])
    return state


def load_checkpoint(path: str | os.PathLike) -> tuple[nn.Module, TrainConfig]:
    """The model saved by ``tapegrad train`` in ``path``, in eval mode, and its config.

    >>> import tempfile
    >>> from tapegrad.app import TrainConfig, load_checkpoint, train
    >>> out = tempfile.mkdtemp()
    >>> _ = train(TrainConfig(dataset="moons", epochs=1, out=out), log=lambda line: None)
    >>> model, config = load_checkpoint(Path(out) / "checkpoint.npz")
    >>> config.dataset, model.training, model(tg.zeros((5, 2))).shape
    ('moons', False, (5, 2))
    """
    checkpoint = read_checkpoint(path)
    config = TrainConfig.from_dict(checkpoint["config"])
    if "model_spec" in checkpoint:
        input_shape = tuple(checkpoint["model_spec"]["input_shape"])
        classes = checkpoint["model_spec"]["classes"]
    else:  # written before checkpoints recorded the model's shape: the data tells it
        split = load_split(config)
        input_shape, classes = split.x_train.shape[1:], split.classes
    model = build_model(config.model, input_shape, classes)
    model.load_state_dict(checkpoint["model"])
    return model.eval(), config
