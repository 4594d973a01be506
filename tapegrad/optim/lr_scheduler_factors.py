"""Schedules that multiply the rate by a factor: LambdaLR, MultiplicativeLR, MultiStepLR,
ConstantLR, LinearLR and PolynomialLR, with PyTorch's formulas, recursive ones included (so a
rate edited between steps persists, as in PyTorch). ``optim.lr_scheduler`` re-exports them.

>>> import tapegrad as tg
>>> from tapegrad.optim import SGD
>>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
>>> scheduler = LambdaLR(optimizer, lambda epoch: 0.5 ** epoch)
>>> for _ in range(2):
...     optimizer.step()
...     scheduler.step()
>>> scheduler.get_last_lr()
[0.25]
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from tapegrad.optim.lr_scheduler_base import LRScheduler
from tapegrad.optim.optimizer import Optimizer


def _current(scheduler: LRScheduler) -> list[float]:
    return [group["lr"] for group in scheduler.optimizer.param_groups]


def _lambdas(name: str, optimizer: Optimizer, lr_lambda) -> list[Callable]:
    groups = len(optimizer.param_groups)
    lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
    if len(lambdas) != groups:
        raise ValueError(f"{name}: expected {groups} lr_lambdas (one per param group), got "
                         f"{len(lambdas)}")
    if not all(callable(function) for function in lambdas):
        raise TypeError(f"{name}: lr_lambda must be a function of the epoch (or one per group)")
    return lambdas


class _WithLambdas(LRScheduler):
    """A schedule driven by functions of the epoch, which state_dict leaves out (functions are
    code, not state, as in PyTorch)."""

    def state_dict(self) -> dict[str, Any]:
        """The attributes but the optimizer and the functions.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> "lr_lambdas" in LambdaLR(optimizer, lambda epoch: 1.0).state_dict()
        False
        """
        state = super().state_dict()
        del state["lr_lambdas"]
        return state


class LambdaLR(_WithLambdas):
    """lr = initial_lr * lr_lambda(epoch), one function for all groups or one per group.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=2.0)
    >>> LambdaLR(optimizer, lambda epoch: 0.1).get_last_lr()
    [0.2]
    """

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """initial_lr * lr_lambda(last_epoch) per group."""
        return [base * function(self.last_epoch)
                for function, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_WithLambdas):
    """lr ← lr * lr_lambda(epoch) at every step after the first.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
    >>> scheduler = MultiplicativeLR(optimizer, lambda epoch: 0.9)
    >>> optimizer.step(); scheduler.step(); optimizer.step(); scheduler.step()
    >>> round(scheduler.get_last_lr()[0], 6)
    0.81
    """

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """lr * lr_lambda(last_epoch) per group (unchanged on the constructor's step)."""
        if self._is_initial:
            return _current(self)
        return [group["lr"] * function(self.last_epoch)
                for function, group in zip(self.lr_lambdas, self.optimizer.param_groups)]


class MultiStepLR(LRScheduler):
    """lr ← lr * gamma at each milestone epoch (twice at a milestone listed twice).

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
    >>> scheduler = MultiStepLR(optimizer, milestones=[1, 3], gamma=0.5)
    >>> rates = []
    >>> for _ in range(4):
    ...     optimizer.step(); scheduler.step(); rates.append(scheduler.get_last_lr()[0])
    >>> rates
    [0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """lr * gamma ** (times last_epoch is listed) at a milestone, else lr."""
        if self.last_epoch not in self.milestones:
            return _current(self)
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [rate * factor for rate in _current(self)]


class ConstantLR(LRScheduler):
    """lr = initial_lr * factor for the first ``total_iters`` epochs, then initial_lr.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
    >>> scheduler = ConstantLR(optimizer, factor=0.5, total_iters=1)
    >>> first = scheduler.get_last_lr()
    >>> optimizer.step(); scheduler.step()
    >>> first, scheduler.get_last_lr()
    ([0.5], [1.0])
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if not 0 <= factor <= 1:
            raise ValueError(f"ConstantLR: factor must be in [0, 1], got {factor}")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """lr * factor at epoch 0, lr / factor at total_iters, else lr."""
        if self.last_epoch == 0:
            return [rate * self.factor for rate in _current(self)]
        if self.last_epoch != self.total_iters:
            return _current(self)
        return [rate * (1.0 / self.factor) for rate in _current(self)]

    def _closed_form(self) -> list[float]:
        after = self.last_epoch >= self.total_iters
        return [base * (self.factor + after * (1 - self.factor)) for base in self.base_lrs]


class LinearLR(LRScheduler):
    """The factor goes linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    epochs, then stays.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
    >>> scheduler = LinearLR(optimizer, start_factor=0.5, total_iters=2)
    >>> rates = [scheduler.get_last_lr()[0]]
    >>> for _ in range(3):
    ...     optimizer.step(); scheduler.step(); rates.append(scheduler.get_last_lr()[0])
    >>> rates
    [0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor}")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The ratio of this epoch's factor to the last one's, applied to lr."""
        if self.last_epoch == 0:
            return [rate * self.start_factor for rate in _current(self)]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _current(self)
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor
                                + (self.last_epoch - 1) * change)
        return [rate * ratio for rate in _current(self)]

    def _closed_form(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (self.start_factor + (self.end_factor - self.start_factor) * done)
                for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr = initial_lr * (1 - epoch / total_iters) ** power, reaching 0 at ``total_iters``.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
    >>> scheduler = PolynomialLR(optimizer, total_iters=2, power=2.0)
    >>> optimizer.step(); scheduler.step()
    >>> scheduler.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """lr times the ratio of consecutive closed-form factors."""
        if self._is_initial or self.last_epoch > self.total_iters:
            return _current(self)
        factor = ((1.0 - self.last_epoch / self.total_iters)
                  / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [rate * factor for rate in _current(self)]

    def _closed_form(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (1.0 - done) ** self.power for base in self.base_lrs]
