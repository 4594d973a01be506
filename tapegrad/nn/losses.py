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


class _Loss(Module):
    """A loss with fixed options: ``function`` of ``F`` on (input, target, ...), with the
    constructor's options (PyTorch's names and order) passed on by keyword; a class
    ``weight`` is a buffer, as in PyTorch."""

    function = None
    options: tuple = ()  # the option names, in PyTorch's constructor order
    defaults: dict = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()
        if len(args) > len(self.options):
            raise TypeError(f"{type(self).__name__} takes at most {len(self.options)} "
                            f"arguments ({', '.join(self.options)}), got {len(args)}")
        values = dict(self.defaults, **dict(zip(self.options, args)), **kwargs)
        unknown = set(values) - set(self.options)
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(unknown)}")
        for name in self.options:
            if name == "weight":  # a buffer, as PyTorch's, so state_dict carries it
                self.register_buffer(name, values[name])
            else:
                setattr(self, name, values[name])

    def forward(self, *inputs):
        return type(self).function(*inputs, **{name: getattr(self, name)
                                               for name in self.options})

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)!r}" for name in self.options
                         if name != "weight")


class NLLLoss(_Loss):
    """``F.nll_loss``: negative log-likelihood of class indices under log-probabilities.

    >>> import tapegrad as tg, numpy as np
    >>> NLLLoss()(tg.tensor([[-1.0, -2.0]]), np.array([1]))
    tensor(2.)
    """

    function, options = F.nll_loss, ("weight", "ignore_index", "reduction")
    defaults = {"weight": None, "ignore_index": -100, "reduction": "mean"}


class BCELoss(_Loss):
    """``F.binary_cross_entropy`` on probabilities.

    >>> import tapegrad as tg
    >>> BCELoss()(tg.tensor([0.5]), tg.tensor([1.0]))
    tensor(0.6931)
    """

    function, options = F.binary_cross_entropy, ("weight", "reduction")
    defaults = {"weight": None, "reduction": "mean"}


class L1Loss(_Loss):
    """``F.l1_loss``: mean absolute error.

    >>> import tapegrad as tg
    >>> L1Loss()(tg.tensor([1.0, -3.0]), tg.tensor([0.0, 0.0]))
    tensor(2.)
    """

    function, options, defaults = F.l1_loss, ("reduction",), {"reduction": "mean"}


class HuberLoss(_Loss):
    """``F.huber_loss``: quadratic within ``delta``, linear beyond.

    >>> import tapegrad as tg
    >>> HuberLoss()(tg.tensor([3.0]), tg.tensor([0.0]))
    tensor(2.5000)
    """

    function, options = F.huber_loss, ("reduction", "delta")
    defaults = {"reduction": "mean", "delta": 1.0}


class SmoothL1Loss(_Loss):
    """``F.smooth_l1_loss``: Huber loss over ``beta``.

    >>> import tapegrad as tg
    >>> SmoothL1Loss()(tg.tensor([2.0]), tg.tensor([0.0]))
    tensor(1.5000)
    """

    function, options = F.smooth_l1_loss, ("reduction", "beta")
    defaults = {"reduction": "mean", "beta": 1.0}


class KLDivLoss(_Loss):
    """``F.kl_div``: KL divergence of ``target`` from log-probabilities ``input``.

    >>> import tapegrad as tg
    >>> KLDivLoss(reduction="batchmean")(tg.tensor([[0.5, 0.5]]).log(), tg.tensor([[0.5, 0.5]]))
    tensor(0.)
    """

    function, options = F.kl_div, ("reduction", "log_target")
    defaults = {"reduction": "mean", "log_target": False}


class MarginRankingLoss(_Loss):
    """``F.margin_ranking_loss`` on (input1, input2, target).

    >>> import tapegrad as tg
    >>> MarginRankingLoss()(tg.tensor([1.0]), tg.tensor([2.0]), tg.tensor([-1.0]))
    tensor(0.)
    """

    function, options = F.margin_ranking_loss, ("margin", "reduction")
    defaults = {"margin": 0.0, "reduction": "mean"}


class CosineEmbeddingLoss(_Loss):
    """``F.cosine_embedding_loss`` on (input1, input2, target).

    >>> import tapegrad as tg
    >>> CosineEmbeddingLoss()(tg.ones(1, 2), tg.ones(1, 2), tg.tensor([1.0])).abs() < 1e-6
    tensor(True)
    """

    function, options = F.cosine_embedding_loss, ("margin", "reduction")
    defaults = {"margin": 0.0, "reduction": "mean"}


class TripletMarginLoss(_Loss):
    """``F.triplet_margin_loss`` on (anchor, positive, negative).

    >>> import tapegrad as tg
    >>> TripletMarginLoss(margin=0.5)(tg.zeros(1, 2), tg.zeros(1, 2), tg.ones(1, 2))
    tensor(0.)
    """

    function, options = F.triplet_margin_loss, ("margin", "p", "eps", "swap", "reduction")
    defaults = {"margin": 1.0, "p": 2.0, "eps": 1e-6, "swap": False, "reduction": "mean"}


class HingeEmbeddingLoss(_Loss):
    """``F.hinge_embedding_loss``.

    >>> import tapegrad as tg
    >>> HingeEmbeddingLoss()(tg.tensor([0.3]), tg.tensor([-1.0]))
    tensor(0.7000)
    """

    function, options = F.hinge_embedding_loss, ("margin", "reduction")
    defaults = {"margin": 1.0, "reduction": "mean"}


class SoftMarginLoss(_Loss):
    """``F.soft_margin_loss``: log(1 + exp(-y x)).

    >>> import tapegrad as tg
    >>> SoftMarginLoss()(tg.tensor([0.0]), tg.tensor([1.0])).exp()
    tensor(2.)
    """

    function, options, defaults = F.soft_margin_loss, ("reduction",), {"reduction": "mean"}


class PoissonNLLLoss(_Loss):
    """``F.poisson_nll_loss``.

    >>> import tapegrad as tg
    >>> PoissonNLLLoss()(tg.tensor([0.0]), tg.tensor([1.0]))
    tensor(1.)
    """

    function, options = F.poisson_nll_loss, ("log_input", "full", "eps", "reduction")
    defaults = {"log_input": True, "full": False, "eps": 1e-8, "reduction": "mean"}


class GaussianNLLLoss(_Loss):
    """``F.gaussian_nll_loss`` on (input, target, var).

    >>> import tapegrad as tg
    >>> GaussianNLLLoss()(tg.tensor([1.0]), tg.tensor([1.0]), tg.tensor([1.0]))
    tensor(0.)
    """

    function, options = F.gaussian_nll_loss, ("full", "eps", "reduction")
    defaults = {"full": False, "eps": 1e-6, "reduction": "mean"}


class MultiLabelSoftMarginLoss(_Loss):
    """``F.multilabel_soft_margin_loss``.

    >>> import tapegrad as tg
    >>> MultiLabelSoftMarginLoss()(tg.zeros(1, 2), tg.tensor([[1.0, 0.0]])).exp()
    tensor(2.)
    """

    function, options = F.multilabel_soft_margin_loss, ("weight", "reduction")
    defaults = {"weight": None, "reduction": "mean"}


class CTCLoss(_Loss):
    """``F.ctc_loss`` on (log_probs, targets, input_lengths, target_lengths).

    >>> import tapegrad as tg, numpy as np
    >>> CTCLoss(reduction="sum")(tg.full((1, 1, 2), 0.5).log(), np.array([[1]]), [1], [1]).exp()
    tensor(2.)
    """

    function, options = F.ctc_loss, ("blank", "reduction", "zero_infinity")
    defaults = {"blank": 0, "reduction": "mean", "zero_infinity": False}
