"""Adadelta: steps scaled by the ratio of two running RMS values, of past steps and of
gradients, so the units of the update match the parameters' (Zeiler 2012)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tapegrad.optim.optimizer import Optimizer, check_non_negative, decayed_gradient
from tapegrad.tensor import Tensor


class Adadelta(Optimizer):
    """Adadelta, with PyTorch's exact formulas.

    Each step, with g the gradient (negated when ``maximize``)::

        g ← g + weight_decay · θ
        s ← ρ s + (1 − ρ) g²,   Δ = √(a + eps) / √(s + eps) · g,   a ← ρ a + (1 − ρ) Δ²
        θ ← θ − lr Δ

    >>> import tapegrad as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = Adadelta([w], lr=1.0)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w.data.round(4)
    array([ 0.9968, -1.9968], dtype=float32)
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, *, maximize: bool = False) -> None:
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize})

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group, "lr", "eps", "weight_decay")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}")

    def _update(self, param: Tensor, grad, state: dict[str, Any], group: dict[str, Any]):
        rho, eps = float(group["rho"]), float(group["eps"])
        if not state:
            state.update(step=0, square_avg=np.zeros_like(param.detach().numpy()),
                         acc_delta=np.zeros_like(param.detach().numpy()))
        state["step"] += 1
        grad = decayed_gradient(param, grad, group)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param.data -= float(group["lr"]) * delta
