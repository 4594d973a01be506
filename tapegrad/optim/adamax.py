"""Adamax: Adam with the infinity norm, max(β₂ u, |g|), in place of the squared average."""

from __future__ import annotations

from typing import Any

import numpy as np

from tapegrad.optim.optimizer import (
    Optimizer,
    check_betas,
    check_non_negative,
    decayed_gradient,
)
from tapegrad.tensor import Tensor


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7), with PyTorch's exact formulas.

    Each step t, with g the gradient (negated when ``maximize``)::

        g ← g + weight_decay · θ
        m ← β₁ m + (1 − β₁) g,   u ← max(β₂ u, |g| + eps)
        θ ← θ − lr / (1 − β₁ᵗ) · m / u

    >>> import tapegrad as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = Adamax([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, *, maximize: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize})

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group, "lr", "eps", "weight_decay")
        check_betas(group)

    def _update(self, param: Tensor, grad, state: dict[str, Any], group: dict[str, Any]):
        beta1, beta2 = (float(beta) for beta in group["betas"])
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(param.detach().numpy()),
                         exp_inf=np.zeros_like(param.detach().numpy()))
        state["step"] += 1
        grad = decayed_gradient(param, grad, group)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_inf *= beta2
        # The infinity norm decays like the average's, but a large new gradient resets it.
        np.maximum(exp_inf, np.abs(grad) + float(group["eps"]), out=exp_inf)
        step_size = float(group["lr"]) / (1 - beta1 ** state["step"])
        param.data -= step_size * exp_avg / exp_inf
