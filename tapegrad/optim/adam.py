"""Adam and AdamW: bias-corrected moment estimates; AdamW decays weights outside the moments."""

from __future__ import annotations

from typing import Any

import numpy as np

from tapegrad import backend
from tapegrad.optim.optimizer import Optimizer, decayed_gradient
from tapegrad.tensor import Tensor


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's exact formulas, AMSGrad and L2 weight decay.

    Each step t, with g the gradient (negated when ``maximize``)::

        g ← g + weight_decay · θ           (θ ← θ · (1 − lr · weight_decay) if decoupled)
        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
        v̂ ← max(v̂, v) with amsgrad, else v
        θ ← θ − lr / (1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + eps)

    >>> import tapegrad as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not 0.0 <= group["eps"]:
            raise ValueError(f"Invalid epsilon value: {group['eps']}")
        if not 0.0 <= beta1 < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {beta1}")
        if not 0.0 <= beta2 < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {beta2}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")

    def _update(self, param: Tensor, grad, state: dict[str, Any], group: dict[str, Any]):
        lr, eps = float(group["lr"]), float(group["eps"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        xp = backend.array_module(param.data)
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(param.detach().numpy())
            state["exp_avg_sq"] = xp.zeros_like(param.detach().numpy())
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = xp.zeros_like(param.detach().numpy())
        state["step"] += 1
        step = state["step"]

        # AdamW's decoupled decay shrinks the weights directly, not rescaled by √v̂.
        grad = decayed_gradient(param, grad, group, decoupled=group["decoupled_weight_decay"])

        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)  # m lerps towards g
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad

        # Both averages start at zero, so early on they underestimate; dividing by
        # 1 − βᵗ undoes that bias.
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        second_moment = exp_avg_sq
        if group["amsgrad"]:
            # AMSGrad never lets the denominator shrink, which keeps steps from growing.
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            second_moment = state["max_exp_avg_sq"]
        # The one new array of the step. Copied then changed in place: np.sqrt of a 0-d array
        # would return a NumPy scalar, which `out=` cannot write into.
        update = second_moment.copy()
        np.sqrt(update, out=update)
        update /= bias_correction2_sqrt
        update += eps
        np.divide(exp_avg, update, out=update)
        update *= step_size
        param.data -= update


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): θ ← θ(1 − lr·wd) before Adam.

    The decay does not pass through the moment estimates, so every weight shrinks at the same
    rate whatever its gradient history. Default ``weight_decay=1e-2``, as PyTorch.

    >>> import tapegrad as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.8500, -1.8000], requires_grad=True)
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad,
            maximize=maximize, decoupled_weight_decay=True,
        )
