"""Adagrad: per-coordinate steps that shrink with the sum of that coordinate's squared grads."""

from __future__ import annotations

from typing import Any

import numpy as np

from tapegrad import backend
from tapegrad.optim.optimizer import Optimizer
from tapegrad.tensor import Tensor


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), with PyTorch's exact formulas and learning-rate decay.

    Each step t, with g the gradient (negated when ``maximize``)::

        g ← g + weight_decay · θ
        s ← s + g²                   (s starts at initial_accumulator_value)
        θ ← θ − lr / (1 + (t − 1) · lr_decay) · g / (√s + eps)

    As in PyTorch the accumulator ``state[p]["sum"]`` exists from construction on.
    ``maximize`` is keyword-only, as in PyTorch.

    >>> import tapegrad as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = Adagrad([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group and start its accumulators (see ``Optimizer.add_param_group``).

        >>> import tapegrad as tg
        >>> w = tg.tensor([1.0], requires_grad=True)
        >>> optimizer = Adagrad([w], initial_accumulator_value=0.5)
        >>> optimizer.state[w]["sum"]
        array([0.5], dtype=float32)
        """
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for param in group["params"]:
            self._init_state(param, self.state[param], group)

    @staticmethod
    def _init_state(param: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        xp = backend.array_module(param.data)
        state["step"] = 0
        start = float(group["initial_accumulator_value"])
        state["sum"] = xp.full_like(param.detach().numpy(), start)

    def _validate_group(self, group: dict[str, Any]) -> None:
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not 0.0 <= group["lr_decay"]:
            raise ValueError(f"Invalid lr_decay value: {group['lr_decay']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if not 0.0 <= group["initial_accumulator_value"]:
            raise ValueError(
                "Invalid initial_accumulator_value value: "
                f"{group['initial_accumulator_value']}"
            )
        if not 0.0 <= group["eps"]:
            raise ValueError(f"Invalid epsilon value: {group['eps']}")

    def _update(self, param: Tensor, grad, state: dict[str, Any], group: dict[str, Any]):
        if not state:  # a checkpoint without this parameter's state was loaded
            self._init_state(param, state, group)
        lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        state["step"] += 1
        step = state["step"]

        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param.data

        step_size = lr / (1 + (step - 1) * lr_decay)
        state_sum = state["sum"]
        state_sum += grad * grad
        # Coordinates that have seen large gradients take small steps, and vice versa.
        update = state_sum.copy()  # a copy stays an array even when 0-d, so out= works
        np.sqrt(update, out=update)
        update += eps
        np.divide(grad, update, out=update)
        update *= step_size
        param.data -= update
