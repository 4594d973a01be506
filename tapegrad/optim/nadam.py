"""NAdam: Adam with Nesterov momentum, whose β₁ warms up by PyTorch's momentum schedule."""

from __future__ import annotations

from typing import Any

import numpy as np

from tapegrad.dtypes import get_default_dtype
from tapegrad.optim.optimizer import (
    Optimizer,
    check_betas,
    check_non_negative,
    decayed_gradient,
)
from tapegrad.tensor import Tensor


class NAdam(Optimizer):
    """NAdam (Dozat 2016), with PyTorch's exact formulas and momentum schedule.

    Each step t, with g the gradient (negated when ``maximize``)::

        g ← g + weight_decay · θ          (θ ← θ (1 − lr · weight_decay) if decoupled)
        μₜ = β₁ (1 − 0.96^(t ψ) / 2),     ψ = momentum_decay;   Πₜ = μ₁ ⋯ μₜ
        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   d = √(v / (1 − β₂ᵗ)) + eps
        θ ← θ − lr (1 − μₜ) / (1 − Πₜ) · g / d − lr μₜ₊₁ / (1 − Πₜ μₜ₊₁) · m / d

    >>> import tapegrad as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = NAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w.data.round(3)
    array([ 0.894, -1.894], dtype=float32)
    """

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "momentum_decay": momentum_decay,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  "maximize": maximize})

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group, "lr", "eps", "weight_decay", "momentum_decay")
        check_betas(group)

    def _update(self, param: Tensor, grad, state: dict[str, Any], group: dict[str, Any]):
        lr = float(group["lr"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        if not state:
            state.update(step=0, mu_product=1.0, exp_avg=np.zeros_like(param.detach().numpy()),
                         exp_avg_sq=np.zeros_like(param.detach().numpy()))
        state["step"] += 1
        step, decay = state["step"], float(group["momentum_decay"])
        grad = decayed_gradient(param, grad, group, decoupled=group["decoupled_weight_decay"])
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        # The product of the momentum schedule, rounded to the default dtype as PyTorch
        # keeps it (a float32 tensor), so trajectories agree to the last digits.
        mu_product = float(np.dtype(get_default_dtype()).type(state["mu_product"]) * mu)
        state["mu_product"] = mu_product
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        denom = np.sqrt(exp_avg_sq / (1 - beta2 ** step)) + float(group["eps"])
        # The Nesterov look-ahead: this step's gradient and next step's momentum, each with
        # its own bias correction.
        param.data -= lr * (1.0 - mu) / (1.0 - mu_product) * grad / denom
        param.data -= lr * mu_next / (1.0 - mu_product * mu_next) * exp_avg / denom
