"""Recurrent layers: RNN, LSTM, GRU and their one-step cells, with PyTorch's arguments,
parameter names, layouts and initialisation, so that state dicts move between the two.

Each direction of each layer is one fused op of ``tapegrad.ops.recurrent`` (a loop over time
in forward, backpropagation through time in backward), not a graph of small ops per step.
A PackedSequence input runs every sequence for its own length only.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from tapegrad.creation import zeros
from tapegrad.dtypes import get_default_dtype
from tapegrad.nn import functional as F
from tapegrad.nn import init
from tapegrad.nn.module import Module, Parameter
from tapegrad.nn.utils.rnn import PackedSequence, packed_rows, pad_packed_sequence
from tapegrad.ops.recurrent import GRULayer, LSTMLayer, RNNLayer
from tapegrad.routines import as_tensor, cat, stack
from tapegrad.tensor import Tensor

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _uniform_like_pytorch(module: Module, hidden_size: int) -> None:
    """Every weight and bias uniform in ±1/sqrt(hidden_size), as PyTorch's recurrent layers."""
    bound = 1 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


def _parameter(*shape, dtype) -> Parameter:
    return Parameter(np.zeros(shape, dtype=get_default_dtype() if dtype is None else dtype))


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the stack of layers and directions, the parameters named
    as PyTorch's (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, and
    ``_reverse`` for the backward direction; ``weight_hr_l0`` with ``proj_size``), inputs of
    shape (T, B, I) (or (B, T, I) with ``batch_first``, or (T, I) unbatched, or a
    PackedSequence) and initial states of shape (layers * directions, B, hidden).

    >>> RNNBase("GRU", 3, 4).weight_hh_l0.shape
    (12, 4)
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        name = type(self).__name__
        if mode not in _GATES:
            raise ValueError(f"{name}: unknown mode {mode!r}, expected one of {list(_GATES)}")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(f"{name}: dropout must be a number in [0, 1], got {dropout!r}")
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError(f"{name}: hidden_size and num_layers must be positive, got "
                             f"hidden_size={hidden_size}, num_layers={num_layers}")
        if proj_size < 0 or (proj_size and proj_size >= hidden_size):
            raise ValueError(f"{name}: proj_size must be in [0, hidden_size={hidden_size}), "
                             f"got {proj_size}")
        if proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size is only supported by LSTM")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout={dropout} acts between layers, so with "
                          "num_layers=1 it does nothing", UserWarning, stacklevel=2)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        gate_size = _GATES[mode] * hidden_size
        output_size = proj_size or hidden_size
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else output_size * self.directions
            for suffix in self._suffixes(layer):
                setattr(self, f"weight_ih{suffix}", _parameter(gate_size, layer_input,
                                                               dtype=dtype))
                setattr(self, f"weight_hh{suffix}", _parameter(gate_size, output_size,
                                                               dtype=dtype))
                if bias:
                    setattr(self, f"bias_ih{suffix}", _parameter(gate_size, dtype=dtype))
                    setattr(self, f"bias_hh{suffix}", _parameter(gate_size, dtype=dtype))
                if proj_size:
                    setattr(self, f"weight_hr{suffix}", _parameter(proj_size, hidden_size,
                                                                   dtype=dtype))
        _uniform_like_pytorch(self, hidden_size)

    @property
    def directions(self) -> int:
        """2 for a bidirectional layer, else 1.

        >>> LSTM(2, 3, bidirectional=True).directions
        2
        """
        return 2 if self.bidirectional else 1

    @property
    def all_weights(self) -> list:
        """Per layer and direction, its parameters in PyTorch's order (w_ih, w_hh, b_ih, b_hh,
        w_hr), as PyTorch's ``all_weights``.

        >>> [w.shape for w in GRU(2, 3).all_weights[0]]
        [(9, 2), (9, 3), (9,), (9,)]
        """
        return [[weight for weight in self._weights(suffix) if weight is not None]
                for layer in range(self.num_layers) for suffix in self._suffixes(layer)]

    def flatten_parameters(self) -> None:
        """Nothing to do: PyTorch packs its weights into one buffer for cuDNN; tapegrad's
        fused ops read them where they are. Kept so that PyTorch code runs unchanged.

        >>> LSTM(2, 3).flatten_parameters()
        """

    def _suffixes(self, layer: int) -> list:
        return [f"_l{layer}", f"_l{layer}_reverse"][:self.directions]

    def _weights(self, suffix: str) -> list:
        """This direction's parameters in the order the fused op takes them."""
        names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
        if self.mode == "LSTM":
            names.append("weight_hr")
        return [getattr(self, name + suffix, None) for name in names]

    def forward(self, input, hx=None):
        packed = isinstance(input, PackedSequence)
        lengths = None
        if packed:
            x, lengths = pad_packed_sequence(input)
            lengths = lengths.data
        else:
            x = as_tensor(input)
            if x.ndim not in (2, 3):
                raise ValueError(f"{type(self).__name__}: expected input of 2 (unbatched) or "
                                 f"3 dimensions, got shape {x.shape}")
        unbatched = x.ndim == 2
        if unbatched:
            x = x.unsqueeze(1)
        elif self.batch_first and not packed:
            x = x.transpose(0, 1)
        if x.shape[2] != self.input_size:
            raise ValueError(f"{type(self).__name__}: input.size(-1) must be equal to "
                             f"input_size. Expected {self.input_size}, got {x.shape[2]}")
        states = self._initial_states(hx, x, unbatched)
        output, final_states = self._run_layers(x, states, lengths)
        if packed:
            rows = packed_rows(input.batch_sizes, input.sorted_indices, output.shape[1])
            flat = output.reshape((output.shape[0] * output.shape[1], output.shape[2]))
            output = PackedSequence(flat[rows], *input[1:])
        elif unbatched:
            output, final_states = output.squeeze(1), [s.squeeze(1) for s in final_states]
        elif self.batch_first:
            output = output.transpose(0, 1)
        if self.mode == "LSTM":
            return output, tuple(final_states)
        return output, final_states[0]

    def _state_shapes(self, batch: int) -> list:
        layers = self.num_layers * self.directions
        shapes = [(layers, batch, self.proj_size or self.hidden_size)]
        if self.mode == "LSTM":
            shapes.append((layers, batch, self.hidden_size))
        return shapes

    def _initial_states(self, hx, x: Tensor, unbatched: bool) -> list:
        shapes = self._state_shapes(x.shape[1])
        if hx is None:
            return [zeros(*shape, dtype=x.dtype) for shape in shapes]
        given = list(hx) if self.mode == "LSTM" else [hx]
        if len(given) != len(shapes):
            raise ValueError(f"{type(self).__name__}: expected hx as a tuple (h_0, c_0), "
                             f"got {type(hx).__name__}")
        states = []
        for state, shape in zip(given, shapes):
            state = as_tensor(state)
            if unbatched:
                state = state.unsqueeze(1)
            if state.shape != shape:
                expected = shape[:1] + shape[2:] if unbatched else shape
                got = state.shape[:1] + state.shape[2:] if unbatched else state.shape
                raise ValueError(f"{type(self).__name__}: Expected hidden size {expected}, "
                                 f"got {got}")
            states.append(state)
        return states

    def _run_layers(self, x: Tensor, states: list, lengths) -> tuple:
        steps = x.shape[0]
        output_size = self.proj_size or self.hidden_size
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                index = layer * self.directions + direction
                layer_states = [state[index] for state in states]
                y = self._run_direction(x, layer_states, self._weights(suffix),
                                        reverse=direction == 1, lengths=lengths)
                outputs.append(y[:steps, :, :output_size])
                finals[0].append(y[steps, :, :output_size])
                if self.mode == "LSTM":
                    finals[1].append(y[steps, :, output_size:])
            x = outputs[0] if len(outputs) == 1 else cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout)
        return x, [stack(final, dim=0) for final in finals]

    def _run_direction(self, x, layer_states, weights, reverse, lengths) -> Tensor:
        options = {"reverse": reverse, "lengths": lengths}
        if self.mode == "LSTM":
            return LSTMLayer.apply(x, *layer_states, *weights, **options)
        if self.mode == "GRU":
            return GRULayer.apply(x, *layer_states, *weights, **options)
        nonlinearity = "relu" if self.mode == "RNN_RELU" else "tanh"
        return RNNLayer.apply(x, *layer_states, *weights, nonlinearity=nonlinearity, **options)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), returning
    ``(output, h_n)``.

    >>> import tapegrad as tg
    >>> output, h_n = RNN(3, 5, num_layers=2)(tg.randn(7, 2, 3))
    >>> output.shape, h_n.shape
    ((7, 2, 5), (2, 2, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', "
                             f"got {nonlinearity!r}")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory, returning ``(output, (h_n, c_n))``; ``proj_size`` projects
    each hidden state through ``weight_hr``.

    >>> import tapegrad as tg
    >>> output, (h_n, c_n) = LSTM(3, 5, batch_first=True)(tg.randn(2, 7, 3))
    >>> output.shape, h_n.shape, c_n.shape
    ((2, 7, 5), (1, 2, 5), (1, 2, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit, returning ``(output, h_n)``; gates in PyTorch's order r, z, n.

    >>> import tapegrad as tg
    >>> output, h_n = GRU(3, 5, bidirectional=True)(tg.randn(7, 2, 3))
    >>> output.shape, h_n.shape
    ((7, 2, 10), (2, 2, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)


class RNNCellBase(Module):
    """What the one-step cells share: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``
    as PyTorch's, and input (B, I) or (I,) unbatched. A cell is its layer's op run for one step.

    >>> RNNCellBase(3, 4, True, gates=4).weight_ih.shape
    (16, 3)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool, gates: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        if hidden_size <= 0:
            raise ValueError(f"{type(self).__name__}: hidden_size must be positive, "
                             f"got {hidden_size}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = _parameter(gates * hidden_size, input_size, dtype=dtype)
        self.weight_hh = _parameter(gates * hidden_size, hidden_size, dtype=dtype)
        self.bias_ih = _parameter(gates * hidden_size, dtype=dtype) if bias else None
        self.bias_hh = _parameter(gates * hidden_size, dtype=dtype) if bias else None
        _uniform_like_pytorch(self, hidden_size)

    def _step_input(self, input) -> tuple:
        """The input as one step of a batch, (1, B, I), and whether it came unbatched."""
        x = as_tensor(input)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{type(self).__name__}: expected input of shape (batch, "
                             f"{self.input_size}) or ({self.input_size},), got {x.shape}")
        unbatched = x.ndim == 1
        return (x.reshape((1, 1, -1)) if unbatched else x.unsqueeze(0)), unbatched

    def _state(self, state, x: Tensor, unbatched: bool) -> Tensor:
        shape = (x.shape[1], self.hidden_size)
        if state is None:
            return zeros(*shape, dtype=x.dtype)
        state = as_tensor(state)
        if unbatched:
            state = state.unsqueeze(0)
        if state.shape != shape:
            raise ValueError(f"{type(self).__name__}: hidden state of shape {state.shape}, "
                             f"expected {shape}")
        return state

    def _weights(self) -> tuple:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


def _last_step(y: Tensor, unbatched: bool) -> Tensor:
    return y[1, 0] if unbatched else y[1]


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    >>> import tapegrad as tg
    >>> RNNCell(3, 5)(tg.randn(2, 3)).shape
    (2, 5)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', "
                             f"got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, 1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None) -> Tensor:
        x, unbatched = self._step_input(input)
        h = self._state(hx, x, unbatched)
        y = RNNLayer.apply(x, h, *self._weights(), nonlinearity=self.nonlinearity)
        return _last_step(y, unbatched)


class LSTMCell(RNNCellBase):
    """One step of an LSTM: ``(h', c')`` from input and ``(h, c)``.

    >>> import tapegrad as tg
    >>> h, c = LSTMCell(3, 5)(tg.randn(2, 3))
    >>> h.shape, c.shape
    ((2, 5), (2, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, dtype=dtype)

    def forward(self, input, hx=None) -> tuple:
        x, unbatched = self._step_input(input)
        h, c = (None, None) if hx is None else hx
        y = LSTMLayer.apply(x, self._state(h, x, unbatched), self._state(c, x, unbatched),
                            *self._weights())
        state = _last_step(y, unbatched)
        return state[..., :self.hidden_size], state[..., self.hidden_size:]


class GRUCell(RNNCellBase):
    """One step of a GRU: h' from input and h.

    >>> import tapegrad as tg
    >>> GRUCell(3, 5)(tg.randn(3)).shape
    (5,)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, dtype=dtype)

    def forward(self, input, hx=None) -> Tensor:
        x, unbatched = self._step_input(input)
        y = GRULayer.apply(x, self._state(hx, x, unbatched), *self._weights())
        return _last_step(y, unbatched)
