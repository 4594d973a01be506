"""Loss functions as modules."""

from __future__ import annotations

from tapegrad.nn import functional as F
from tapegrad.nn.module import Module


class CrossEntropyLoss(Module):
    """``F.cross_entropy`` with its options fixed at construction.

    >>> import tapegrad as tg, numpy as np
    >>> CrossEntropyLoss()(tg.tensor([[0.0, 0.0]]), np.array([1]))
    tensor(0.6931)
    """

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__()
        self.weight, self.ignore_index = weight, ignore_index
        self.reduction, self.label_smoothing = reduction, label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction,
                               self.label_smoothing)


class MSELoss(Module):
    """``F.mse_loss``: mean squared error.

    >>> import tapegrad as tg
    >>> MSELoss()(tg.tensor([1.0, 3.0]), tg.tensor([1.0, 1.0]))
    tensor(2.)
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)


class BCEWithLogitsLoss(Module):
    """``F.binary_cross_entropy_with_logits``: stable binary cross-entropy on logits.

    >>> import tapegrad as tg
    >>> BCEWithLogitsLoss()(tg.tensor([0.0]), tg.tensor([1.0]))
    tensor(0.6931)
    """

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None) -> None:
        super().__init__()
        self.weight, self.reduction, self.pos_weight = weight, reduction, pos_weight

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                  self.pos_weight)
