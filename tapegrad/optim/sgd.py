"""SGD: the course's θ ← θ − τ∇E, with PyTorch's momentum, dampening, Nesterov and decay."""

from __future__ import annotations

from typing import Any

from tapegrad import backend
from tapegrad.optim.optimizer import Optimizer
from tapegrad.tensor import Tensor


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum; PyTorch's exact rule.

    Each step, with g the gradient (negated when ``maximize``)::

        g ← g + weight_decay · θ
        b ← g on the first step, else momentum · b + (1 − dampening) · g
        g ← g + momentum · b  (nesterov)   or   g ← b  (momentum > 0)
        θ ← θ − lr · g

    >>> import tapegrad as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = SGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not 0.0 <= group["momentum"]:
            raise ValueError(f"Invalid momentum value: {group['momentum']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _update(self, param: Tensor, grad, state: dict[str, Any], group: dict[str, Any]):
        # Hyperparameters as Python floats, so float32 arithmetic stays float32.
        lr, momentum = float(group["lr"]), float(group["momentum"])
        weight_decay = float(group["weight_decay"])
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param.data  # L2 penalty's gradient, not in .grad
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                # The first step starts the buffer at the gradient itself, undamped (PyTorch).
                # copy_array, not grad.copy(): -grad of a 0-d array is a NumPy scalar.
                buffer = backend.copy_array(grad, param.data.dtype)
                state["momentum_buffer"] = buffer
            else:
                buffer *= momentum
                buffer += (1 - float(group["dampening"])) * grad
            # Nesterov looks one momentum step ahead; plain momentum steps along the buffer.
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        # On the array itself: .data's view would cost a few µs a parameter, a step.
        param._data -= lr * grad
