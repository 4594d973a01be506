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

__all__ = [
    "functional", "init", "utils", "Module", "Parameter", "Sequential", "ModuleList",
    "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "Embedding",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm",
    "ReLU", "Tanh", "Sigmoid", "GELU", "LeakyReLU", "Softmax",
    "CrossEntropyLoss", "MSELoss", "BCEWithLogitsLoss",
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
    "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
    "TransformerDecoderLayer", "TransformerDecoder", "Transformer",
]
