"""The base of every learning-rate schedule, ``LRScheduler``, and what schedules share;
``optim.lr_scheduler`` holds the schedules and re-exports it."""

from __future__ import annotations

import copy
from typing import Any

from tapegrad.optim.optimizer import Optimizer, _layout_mismatch


class LRScheduler:
    """Base class of schedules: ``step()`` sets each group's ``lr`` to ``get_lr()``.

    Constructing a scheduler records each group's starting rate as ``group["initial_lr"]``
    (``base_lrs``) and performs the first step, so ``last_epoch`` is 0 and the rates are the
    schedule's first. ``last_epoch`` counts the calls to ``step()`` since; pass a value other
    than -1 only to resume, with ``initial_lr`` already in the groups.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=0.1)
    >>> scheduler = ExponentialLR(optimizer, gamma=0.5)
    >>> scheduler.last_epoch, scheduler.base_lrs
    (0, [0.1])
    """

    _is_initial = False  # True only during the first step, made by the constructor

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: {type(optimizer).__name__} is not an Optimizer"
            )
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{type(self).__name__}: param 'initial_lr' is not specified in "
                        f"param_groups[{index}] when resuming with last_epoch={last_epoch}; "
                        "load the optimizer's state_dict first"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        # Recursive schedules (lr ← lr · γ) must not apply a factor on this first step.
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for the current ``last_epoch``, one per group (no side effects
        on ``lr``; ``step()`` applies them).

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
    >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=0.1)
        >>> StepLR(optimizer, step_size=1, gamma=0.5).get_lr()
        [0.1]
        """
        raise NotImplementedError(f"{type(self).__name__}: a scheduler must implement get_lr()")

    def step(self) -> None:
        """Advance the schedule by one and write the new rates into the optimizer's groups.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
    >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=0.1)
        >>> scheduler = ExponentialLR(optimizer, gamma=0.5)
        >>> optimizer.step()
        >>> scheduler.step()
        >>> optimizer.param_groups[0]["lr"]
        0.05
        """
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per group.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
    >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=0.1)
        >>> ExponentialLR(optimizer, gamma=0.5).get_last_lr()
        [0.1]
        """
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """A copy of the scheduler's attributes except the optimizer, for checkpoints.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
    >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=0.1)
        >>> ExponentialLR(optimizer, gamma=0.5).state_dict()["last_epoch"]
        0
        """
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore attributes saved by ``state_dict()``; load the optimizer's state too, since
        recursive schedules continue from the groups' current ``lr``.

        Every entry is checked before any is set, so on an error the scheduler is as it was:
        each must be one of this scheduler's attributes (never ``optimizer``) and have the
        layout of its current value (a number for a number, finite where that one is; a list
        of one rate per param group; the same keys in a dict).

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
    >>> from tapegrad.optim.lr_scheduler import ExponentialLR, StepLR
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=0.1)
        >>> scheduler = ExponentialLR(optimizer, gamma=0.5)
        >>> scheduler.load_state_dict({**scheduler.state_dict(), "last_epoch": 7})
        >>> scheduler.last_epoch
        7
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise ValueError(f"{name}.load_state_dict: expected a dict, as state_dict() "
                             f"returns, got {type(state_dict).__name__}")
        own = {key: value for key, value in self.__dict__.items() if key != "optimizer"}
        unknown = [key for key in state_dict if key not in own]
        if unknown:
            raise ValueError(
                f"{name}.load_state_dict: the state dict has {', '.join(map(repr, unknown))}, "
                f"which a {name} state dict does not hold; is it another scheduler's?"
            )
        for key, value in state_dict.items():
            mismatch = _layout_mismatch(own[key], value, repr(key))
            if mismatch:
                raise ValueError(f"{name}.load_state_dict: {mismatch}")
        self.__dict__.update(copy.deepcopy(state_dict))


def _per_group(name: str, optimizer: Optimizer, value) -> list:
    """One value per param group: a list/tuple is checked for length, a scalar repeated."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has {groups}."
            )
        return list(value)
    return [value] * groups
