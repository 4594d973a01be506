"""RAdam: Adam whose adaptive step is switched on, and rectified, once the variance of the
squared-gradient average is small enough to trust (Liu et al. 2020)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tapegrad.optim.optimizer import (
    Optimizer,
    check_betas,
    check_non_negative,
    decayed_gradient,
)
from tapegrad.tensor import Tensor


class RAdam(Optimizer):
    """RAdam, with PyTorch's exact formulas.

    Each step t, with g the gradient (negated when ``maximize``)::

        g ← g + weight_decay · θ          (θ ← θ (1 − lr · weight_decay) if decoupled)
        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   m̂ = m / (1 − β₁ᵗ)
        ρ∞ = 2 / (1 − β₂) − 1,   ρₜ = ρ∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
        θ ← θ − lr m̂ r √(1 − β₂ᵗ) / (√v + eps)   if ρₜ > 5, with the rectifier
            r = √((ρₜ − 4)(ρₜ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₜ)),   else θ ← θ − lr m̂

    >>> import tapegrad as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = RAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  "maximize": maximize})

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group, "lr", "eps", "weight_decay")
        check_betas(group)

    def _update(self, param: Tensor, grad, state: dict[str, Any], group: dict[str, Any]):
        lr = float(group["lr"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(param.detach().numpy()),
                         exp_avg_sq=np.zeros_like(param.detach().numpy()))
        state["step"] += 1
        step = state["step"]
        grad = decayed_gradient(param, grad, group, decoupled=group["decoupled_weight_decay"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        corrected = exp_avg / (1 - beta1 ** step)
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho <= 5.0:  # too few steps for v to be trusted: plain momentum SGD
            param.data -= corrected * lr
            return
        rectifier = math.sqrt((rho - 4) * (rho - 2) * rho_inf
                              / ((rho_inf - 4) * (rho_inf - 2) * rho))
        adaptive = bias_correction2 ** 0.5 / (np.sqrt(exp_avg_sq) + float(group["eps"]))
        param.data -= corrected * lr * adaptive * rectifier
