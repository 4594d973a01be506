"""Neural networks: Module and Parameter, layers, activations, losses, containers, ``init``
and ``functional`` (imported as ``F``), with PyTorch's names, arguments and initialisation.

>>> import tapegrad as tg
>>> from tapegrad import nn
>>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
>>> model(tg.ones(2, 4)).shape
(2, 3)
"""

from tapegrad.nn import functional, init, utils
from tapegrad.nn.activations import GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from tapegrad.nn.attention import (
    MultiheadAttention,
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from tapegrad.nn.containers import ModuleList, Sequential
from tapegrad.nn.layers import (
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    LayerNorm,
    Linear,
    MaxPool2d,
)
from tapegrad.nn.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from tapegrad.nn.module import Module, Parameter
from tapegrad.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell
from tapegrad.nn.sync_batchnorm import SyncBatchNorm

__all__ = [
    "functional", "init", "utils", "Module", "Parameter", "Sequential", "ModuleList",
    "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "Embedding",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "SyncBatchNorm",
    "ReLU", "Tanh", "Sigmoid", "GELU", "LeakyReLU", "Softmax",
    "CrossEntropyLoss", "MSELoss", "BCEWithLogitsLoss",
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
    "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
    "TransformerDecoderLayer", "TransformerDecoder", "Transformer",
]

# The rest of torch.nn a user reaches for (issue 16, part 3).
from tapegrad.nn.activations import (  # noqa: E402
    CELU,
    ELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU6,
    RReLU,
    SiLU,
    Softmax2d,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from tapegrad.nn.containers import ModuleDict, ParameterDict, ParameterList  # noqa: E402
from tapegrad.nn.layers import (  # noqa: E402
    Conv1d,
    ConvTranspose1d,
    ConvTranspose2d,
    CosineSimilarity,
    Dropout1d,
    Dropout2d,
    EmbeddingBag,
    Fold,
    Identity,
    PairwiseDistance,
    Unflatten,
    Unfold,
)
from tapegrad.nn.losses import (  # noqa: E402
    BCELoss,
    CosineEmbeddingLoss,
    CTCLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MultiLabelSoftMarginLoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from tapegrad.nn.normalization import (  # noqa: E402
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    RMSNorm,
)
from tapegrad.nn.pooling import (  # noqa: E402
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    MaxPool1d,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)

__all__ += [
    "CELU", "ELU", "GLU", "SELU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh",
    "LogSigmoid", "LogSoftmax", "Mish", "PReLU", "ReLU6", "RReLU", "SiLU", "Softmax2d", "Softmin",
    "Softplus", "Softshrink", "Softsign", "Tanhshrink", "Threshold",
    "ModuleDict", "ParameterDict", "ParameterList",
    "Conv1d", "ConvTranspose1d", "ConvTranspose2d", "CosineSimilarity", "Dropout1d",
    "Dropout2d", "Identity", "PairwiseDistance", "Unflatten", "Unfold", "Fold", "EmbeddingBag",
    "BCELoss", "CosineEmbeddingLoss", "CTCLoss", "GaussianNLLLoss", "HingeEmbeddingLoss",
    "HuberLoss", "KLDivLoss", "L1Loss", "MarginRankingLoss", "MultiLabelSoftMarginLoss",
    "NLLLoss", "PoissonNLLLoss", "SmoothL1Loss", "SoftMarginLoss", "TripletMarginLoss",
    "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "RMSNorm",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AvgPool1d", "MaxPool1d", "Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d",
]
