"""Activation functions as modules, for use in Sequential."""

from __future__ import annotations

from tapegrad.nn import functional as F
from tapegrad.nn.module import Module


class ReLU(Module):
    """max(x, 0). ``nn.ReLU()(tg.tensor([-1.0, 2.0]))`` is ``tensor([0., 2.])``."""

    def forward(self, x):
        return F.relu(x)


class Tanh(Module):
    """Hyperbolic tangent. ``nn.Tanh()(tg.tensor(0.0))`` is ``tensor(0.)``."""

    def forward(self, x):
        return F.tanh(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x)). ``nn.Sigmoid()(tg.tensor(0.0))`` is ``tensor(0.5)``."""

    def forward(self, x):
        return F.sigmoid(x)


class GELU(Module):
    """x * Phi(x), exact or ``approximate="tanh"``. ``nn.GELU()(tg.tensor(0.0))`` is 0."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x.

    >>> import tapegrad as tg
    >>> LeakyReLU(0.5)(tg.tensor([-2.0]))
    tensor([-1.])
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``dim``.

    >>> import tapegrad as tg
    >>> Softmax(dim=-1)(tg.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    """

    def __init__(self, dim=None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
