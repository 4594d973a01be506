"""Cyclic schedules: CyclicLR (triangular waves, with momentum moving the other way) and
CosineAnnealingWarmRestarts (SGDR), with PyTorch's formulas. ``optim.lr_scheduler``
re-exports them.

>>> import tapegrad as tg
>>> from tapegrad.optim import SGD
>>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
>>> scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=2)
>>> rates = []
>>> for _ in range(4):
...     rates.append(round(scheduler.get_last_lr()[0], 6))
...     optimizer.step(); scheduler.step()
>>> rates
[1.0, 0.5, 1.0, 0.5]
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from tapegrad.optim.lr_scheduler_base import LRScheduler, _per_group
from tapegrad.optim.optimizer import Optimizer


class CyclicLR(LRScheduler):
    """The rate cycles between ``base_lr`` and ``max_lr``: up for ``step_size_up`` steps, down
    for ``step_size_down``; ``"triangular2"`` halves the height each cycle, ``"exp_range"``
    scales it by gamma ** step, or ``scale_fn`` by your function. With ``cycle_momentum`` the
    momentum (β₁ for Adam) moves the other way. Step it after every batch.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0, momentum=0.9)
    >>> scheduler = CyclicLR(optimizer, base_lr=0.1, max_lr=0.5, step_size_up=2)
    >>> rates = []
    >>> for _ in range(5):
    ...     rates.append(round(scheduler.get_last_lr()[0], 6))
    ...     optimizer.step(); scheduler.step()
    >>> rates
    [0.1, 0.3, 0.5, 0.3, 0.1]
    """

    def __init__(self, optimizer: Optimizer, base_lr, max_lr, step_size_up: int = 2000,
                 step_size_down: Optional[int] = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Optional[Callable[[float], float]] = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum=0.8, max_momentum=0.9, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"CyclicLR: {type(optimizer).__name__} is not an Optimizer")
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"CyclicLR: mode {mode!r} is not 'triangular', 'triangular2' or "
                             "'exp_range', and no scale_fn is given")
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for rate, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = rate
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size, self.step_ratio = up + down, up / (up + down)
        self.mode, self.gamma, self.custom_scale_fn = mode, gamma, scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else (
            "iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._set_up_momentum(optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _set_up_momentum(self, optimizer, base_momentum, max_momentum, last_epoch) -> None:
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError("CyclicLR: cycle_momentum needs an optimizer with momentum or "
                             "betas; pass cycle_momentum=False")
        self.use_beta1 = "betas" in optimizer.defaults
        self.base_momentums = _per_group("base_momentum", optimizer, base_momentum)
        self.max_momentums = _per_group("max_momentum", optimizer, max_momentum)
        if last_epoch == -1:
            for top, bottom, group in zip(self.max_momentums, self.base_momentums,
                                          optimizer.param_groups):
                _set_momentum(group, top, self.use_beta1)
                group["max_momentum"], group["base_momentum"] = top, bottom

    def scale_fn(self, x: float) -> float:
        """The height factor of cycle (or step) x: 1, 1 / 2 ** (x - 1), gamma ** x, or yours.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> CyclicLR(optimizer, 0.1, 1.0, mode="triangular2", cycle_momentum=False).scale_fn(3)
        0.25
        """
        if self.custom_scale_fn is not None:
            return self.custom_scale_fn(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self) -> list[float]:
        """base + (max - base) * height * scale; sets the momentum (max - ... likewise)."""
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        height = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (
            self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        rates = [base + (top - base) * height * scale
                 for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for bottom, top, group in zip(self.base_momentums, self.max_momentums,
                                          self.optimizer.param_groups):
                _set_momentum(group, top - (top - bottom) * height * scale, self.use_beta1)
        return rates

    def state_dict(self) -> dict[str, Any]:
        """The attributes but the optimizer and a custom scale_fn (code, not state).

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> CyclicLR(optimizer, 0.1, 1.0, cycle_momentum=False).state_dict()["mode"]
        'triangular'
        """
        state = super().state_dict()
        del state["custom_scale_fn"]
        return state


def _set_momentum(group: dict, momentum: float, use_beta1: bool) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: a cosine from initial_lr down to ``eta_min`` over T_i steps, then a restart;
    the first period is ``T_0`` and each next one ``T_mult`` times longer.

    >>> import tapegrad as tg
    >>> from tapegrad.optim import SGD
    >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
    >>> scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=1, T_mult=2)
    >>> optimizer.step(); scheduler.step(); optimizer.step(); scheduler.step()
    >>> round(scheduler.get_last_lr()[0], 6)
    0.5
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: T_0 must be a positive int, got "
                             f"{T_0!r}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"CosineAnnealingWarmRestarts: T_mult must be an int >= 1, got "
                             f"{T_mult!r}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """eta_min + (base - eta_min)(1 + cos(π T_cur / T_i)) / 2."""
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2 for base in self.base_lrs]

    def step(self) -> None:
        """Advance T_cur by one, restarting (and lengthening the period) at T_i.

        >>> import tapegrad as tg
        >>> from tapegrad.optim import SGD
        >>> optimizer = SGD([tg.tensor(1.0, requires_grad=True)], lr=1.0)
        >>> scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=3)
        >>> optimizer.step(); scheduler.step()
        >>> scheduler.T_cur
        1
        """
        self._step_count += 1
        if self.last_epoch < 0:  # the constructor's step: the start of the first period
            self.last_epoch, self.T_cur, self.T_i = 0, 0, self.T_0
        else:
            self.last_epoch += 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        for group, rate in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = rate
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
