"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from tapegrad import backend
from tapegrad.optim.optimizer import Optimizer
from tapegrad.tensor import Tensor


class RMSprop(Optimizer):
    """RMSprop (Hinton), with PyTorch's exact formulas, centering and momentum.

    Each step, with g the gradient (negated when ``maximize``)::

        g ← g + weight_decay · θ
        v ← α v + (1 − α) g²
        d ← √(v − ḡ²) + eps with ḡ ← α ḡ + (1 − α) g  (centered),  else √v + eps
        b ← momentum · b + g / d,  θ ← θ − lr · b     (momentum > 0)
        θ ← θ − lr · g / d                           (otherwise)

    ``maximize`` is keyword-only here (PyTorch also takes it by position, after two options
    tapegrad does not have).

    >>> import tapegrad as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = RMSprop([w], lr=0.01, alpha=0.75)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.9800, -1.9800], requires_grad=True)
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not 0.0 <= group["eps"]:
            raise ValueError(f"Invalid epsilon value: {group['eps']}")
        if not 0.0 <= group["momentum"]:
            raise ValueError(f"Invalid momentum value: {group['momentum']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if not 0.0 <= group["alpha"]:
            raise ValueError(f"Invalid alpha value: {group['alpha']}")

    def _update(self, param: Tensor, grad, state: dict[str, Any], group: dict[str, Any]):
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        momentum, weight_decay = float(group["momentum"]), float(group["weight_decay"])
        xp = backend.array_module(param.data)
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(param.detach().numpy())
            if momentum > 0:
                state["momentum_buffer"] = xp.zeros_like(param.detach().numpy())
            if group["centered"]:
                state["grad_avg"] = xp.zeros_like(param.detach().numpy())
        state["step"] += 1

        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param.data

        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            # Subtracting the mean's square turns the second moment into a variance, so a
            # gradient that is large but steady is not damped as if it were noisy.
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (grad - grad_avg)
            denominator = square_avg.copy()  # a copy stays an array even when 0-d
            denominator -= grad_avg * grad_avg
        else:
            denominator = square_avg.copy()
        np.sqrt(denominator, out=denominator)
        denominator += eps

        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += grad / denominator
            param.data -= lr * buffer
        else:
            np.divide(grad, denominator, out=denominator)
            denominator *= lr
            param.data -= denominator
