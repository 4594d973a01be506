"""What ``tapegrad train`` can be told: one dataclass, saved in every checkpoint."""

from __future__ import annotations

from dataclasses import dataclass, fields

from tapegrad.app.text import CORPUS

DEFAULT_LR = {"adam": 2e-3, "sgd": 0.1}
TASKS = ("classify", "text")
# What a task changes of the defaults below, which are the classifier's.
TASK_DEFAULTS = {"classify": {}, "text": {"dataset": CORPUS, "model": "lstm", "epochs": 6}}


@dataclass
class TrainConfig:
    """Everything ``tapegrad train`` can be told; the defaults train an MLP on digits.

    >>> TrainConfig().model
    'mlp'
    >>> TrainConfig(optimizer="sgd").learning_rate
    0.1
    """

    task: str = "classify"
    dataset: str = "digits"
    model: str = "mlp"
    data_dir: str | None = None
    epochs: int = 40
    batch_size: int = 32
    lr: float | None = None  # None: the optimizer's usual rate (see learning_rate)
    optimizer: str = "adam"
    seed: int = 0
    out: str = "runs/latest"
    progress: bool = True

    @property
    def learning_rate(self) -> float:
        """The starting learning rate: ``lr``, or the optimizer's usual one."""
        return DEFAULT_LR[self.optimizer] if self.lr is None else self.lr

    @classmethod
    def for_task(cls, task: str, **given) -> TrainConfig:
        """A config with ``task``'s defaults for whatever ``given`` leaves out.

        >>> config = TrainConfig.for_task("text")
        >>> config.dataset, config.model
        ('python-docs', 'lstm')
        """
        if task not in TASK_DEFAULTS:
            raise ValueError(f"--task: unknown task {task!r}; choose {' or '.join(TASKS)}")
        return cls(task=task, **{**TASK_DEFAULTS[task], **given})

    @classmethod
    def from_dict(cls, saved: dict) -> TrainConfig:
        """The config a checkpoint saved; keys this version does not know are left out.

        >>> TrainConfig.from_dict({"dataset": "moons", "colour": "blue"}).dataset
        'moons'
        """
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in saved.items() if key in known})
