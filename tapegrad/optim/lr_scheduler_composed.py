"""Schedules that react or combine: ReduceLROnPlateau (lower the rate when a metric stops
improving), SequentialLR (one schedule after another) and ChainedScheduler (several at once),
as PyTorch's. ``optim.lr_scheduler`` re-exports them.

>>> import tapegrad as tg
>>> from tapegrad.optim import SGD
>>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
>>> scheduler = ReduceLROnPlateau(optimizer, patience=0, factor=0.5)
>>> for loss in (3.0, 2.0, 2.0):
...     scheduler.step(loss)
>>> scheduler.get_last_lr()
[0.5]
"""

from __future__ import annotations

import copy
import math
from bisect import bisect_right
from typing import Any, Optional

from tapegrad.optim.lr_scheduler_base import LRScheduler, _per_group
from tapegrad.optim.optimizer import Optimizer


def _rates(optimizer: Optimizer) -> list[float]:
    return [group["lr"] for group in optimizer.param_groups]


class ReduceLROnPlateau:
    """Multiply the rate by ``factor`` once a metric has not improved for ``patience`` steps
    (improved: by more than ``threshold``, relative or absolute; in ``mode`` "min" or "max"),
    then wait ``cooldown`` steps; never below ``min_lr``. Call ``step(metric)``.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
    >>> scheduler = ReduceLROnPlateau(optimizer, mode="max", patience=1)
    >>> for accuracy in (0.5, 0.4, 0.4):
    ...     scheduler.step(accuracy)
    >>> scheduler.get_last_lr()
    [0.1]
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr=0, eps: float = 1e-8) -> None:
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1, got {factor}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau: {type(optimizer).__name__} is not an "
                            "Optimizer")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        self.optimizer, self.factor, self.patience = optimizer, factor, patience
        self.min_lrs = _per_group("min_lr", optimizer, min_lr)
        self.cooldown, self.eps = cooldown, eps
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self.best, self.num_bad_epochs, self.cooldown_counter = self.mode_worse, 0, 0
        self._last_lr = _rates(optimizer)

    def is_better(self, value: float, best: float) -> bool:
        """Whether ``value`` improves on ``best`` by more than the threshold.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> ReduceLROnPlateau(optimizer, threshold=0.1).is_better(0.95, 1.0)
        False
        """
        if self.mode == "min":
            return value < (best * (1 - self.threshold) if self.threshold_mode == "rel"
                            else best - self.threshold)
        return value > (best * (1 + self.threshold) if self.threshold_mode == "rel"
                        else best + self.threshold)

    @property
    def in_cooldown(self) -> bool:
        """Whether the scheduler is waiting after a reduction.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> ReduceLROnPlateau(optimizer).in_cooldown
        False
        """
        return self.cooldown_counter > 0

    def step(self, metrics) -> None:
        """Record this step's metric; lower the rates if it has plateaued.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> scheduler = ReduceLROnPlateau(optimizer)
        >>> scheduler.step(1.0)
        >>> scheduler.best
        1.0
        """
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, floor in zip(self.optimizer.param_groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, floor)
                if old - new > self.eps:  # a change too small to matter is not made
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = _rates(self.optimizer)

    def get_last_lr(self) -> list[float]:
        """The rates after the last ``step``, one per group.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> ReduceLROnPlateau(optimizer).get_last_lr()
        [1.0]
        """
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """A copy of the attributes except the optimizer.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> ReduceLROnPlateau(optimizer).state_dict()["patience"]
        10
        """
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` saved.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> scheduler = ReduceLROnPlateau(optimizer)
        >>> scheduler.load_state_dict({**scheduler.state_dict(), "num_bad_epochs": 3})
        >>> scheduler.num_bad_epochs
        3
        """
        unknown = sorted(set(state_dict) - set(self.__dict__) | {"optimizer"} & set(state_dict))
        if unknown:
            raise ValueError(f"ReduceLROnPlateau.load_state_dict: unexpected keys {unknown}")
        self.__dict__.update(copy.deepcopy(state_dict))


def _check_schedulers(name: str, optimizer: Optional[Optimizer], schedulers) -> Optimizer:
    if len(schedulers) < 1:
        raise ValueError(f"{name} expects at least one scheduler, got none")
    optimizer = optimizer or schedulers[0].optimizer
    for index, scheduler in enumerate(schedulers):
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{name} cannot hold ReduceLROnPlateau (index {index}): its step "
                             "needs a metric")
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(f"{name}: schedulers[{index}] is a {type(scheduler).__name__}, "
                            "not a learning-rate scheduler")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{name}: schedulers[{index}] ({type(scheduler).__name__}) "
                             "belongs to another optimizer")
    return optimizer


class _Composite:
    """What SequentialLR and ChainedScheduler share: a list of schedulers, saved and restored
    together, and the rates the last step set."""

    _schedulers: list

    def get_last_lr(self) -> list[float]:
        """The rates after the last ``step``, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The attributes, with each inner scheduler's own state dict."""
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` saved, the inner schedulers' states included."""
        inner = state_dict.get("_schedulers", [])
        if len(inner) != len(self._schedulers):
            raise ValueError(f"{type(self).__name__}.load_state_dict: {len(inner)} inner "
                             f"states for {len(self._schedulers)} schedulers")
        for scheduler, state in zip(self._schedulers, inner):
            scheduler.load_state_dict(state)
        self.__dict__.update(copy.deepcopy({key: value for key, value in state_dict.items()
                                            if key != "_schedulers"}))


class SequentialLR(_Composite):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]`` (restarted at
    its epoch 0), and so on, as PyTorch: a warm-up then a decay, say.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> from tapegrad.optim.lr_scheduler import ConstantLR, ExponentialLR
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
    >>> warm_up = ConstantLR(optimizer, factor=0.1, total_iters=2)
    >>> decay = ExponentialLR(optimizer, gamma=0.5)
    >>> scheduler = SequentialLR(optimizer, [warm_up, decay], milestones=[2])
    >>> rates = []
    >>> for _ in range(4):
    ...     rates.append(scheduler.get_last_lr()[0])
    ...     optimizer.step(); scheduler.step()
    >>> rates
    [0.1, 0.1, 1.0, 0.5]
    """

    def __init__(self, optimizer: Optimizer, schedulers: list, milestones: list,
                 last_epoch: int = -1) -> None:
        _check_schedulers("SequentialLR", optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expected {len(schedulers) - 1} milestones for "
                             f"{len(schedulers)} schedulers, got {len(milestones)}")
        self._schedulers, self._milestones = list(schedulers), list(milestones)
        self.last_epoch, self.optimizer = last_epoch + 1, optimizer
        # Building each scheduler stepped it once; undo that, and start the first afresh.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in self._schedulers:
            scheduler.last_epoch -= 1
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:
        """Step the current scheduler, or restart the next one at its milestone.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> from tapegrad.optim.lr_scheduler import ExponentialLR
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> scheduler = SequentialLR(optimizer, [ExponentialLR(optimizer, 0.5)], [])
        >>> optimizer.step(); scheduler.step()
        >>> scheduler.get_last_lr()
        [0.5]
        """
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            _restart(scheduler)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


def _restart(scheduler: LRScheduler) -> None:
    """Put ``scheduler`` at its epoch 0 (PyTorch's ``_update_lr(0)``): its closed form where
    it has one, else its recursive rule at epoch 0."""
    scheduler.last_epoch = 0
    closed_form = getattr(scheduler, "_closed_form", None)
    rates = closed_form() if closed_form is not None else scheduler.get_lr()
    for group, rate in zip(scheduler.optimizer.param_groups, rates):
        group["lr"] = rate
    scheduler._last_lr = _rates(scheduler.optimizer)


class ChainedScheduler(_Composite):
    """Step several schedulers of one optimizer together, each applying its change to the
    rate the previous one left (recursive schedules compose by multiplication).

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> from tapegrad.optim.lr_scheduler import ConstantLR, ExponentialLR
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
    >>> scheduler = ChainedScheduler([ConstantLR(optimizer, factor=0.5, total_iters=1),
    ...                               ExponentialLR(optimizer, gamma=0.9)])
    >>> optimizer.step(); scheduler.step()
    >>> round(scheduler.get_last_lr()[0], 6)
    0.9
    """

    def __init__(self, schedulers, optimizer: Optional[Optimizer] = None) -> None:
        self.optimizer = _check_schedulers("ChainedScheduler", optimizer, schedulers)
        self._schedulers = list(schedulers)
        self._last_lr = _rates(self.optimizer)

    def step(self) -> None:
        """Step every scheduler, in order.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> from tapegrad.optim.lr_scheduler import ExponentialLR
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> scheduler = ChainedScheduler([ExponentialLR(optimizer, 0.5)])
        >>> optimizer.step(); scheduler.step()
        >>> scheduler.get_last_lr()
        [0.5]
        """
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _rates(self.optimizer)
