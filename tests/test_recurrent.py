"""Recurrent layers (issue 16): the fused per-layer ops pass gradcheck, and RNN, LSTM, GRU and
the cells match PyTorch on values and gradients with PyTorch's weights, states and packed
sequences; their state dicts move both ways."""

import math
import warnings

import numpy as np
import pytest
from module_parity import assert_round_trip, assert_same_values_and_gradients, load_torch_weights

import tapegrad as tg
from tapegrad import nn
from tapegrad.nn.utils import rnn
from tapegrad.ops.recurrent import GRULayer, LSTMLayer, RNNLayer

STEPS, BATCH, FEATURES, HIDDEN = 4, 3, 3, 2


def _parameters(rng, *shapes):
    return [tg.tensor(rng.normal(size=shape), requires_grad=True) for shape in shapes]


# (name, op, options, shapes of x, initial state(s), weights, biases, projection)
LAYER_OPS = [
    ("rnn_tanh", RNNLayer, {}, [(STEPS, BATCH, FEATURES), (BATCH, HIDDEN), (HIDDEN, FEATURES),
                                (HIDDEN, HIDDEN), (HIDDEN,), (HIDDEN,)]),
    ("rnn_relu", RNNLayer, {"nonlinearity": "relu"},
     [(STEPS, BATCH, FEATURES), (BATCH, HIDDEN), (HIDDEN, FEATURES), (HIDDEN, HIDDEN),
      (HIDDEN,), (HIDDEN,)]),
    ("gru", GRULayer, {}, [(STEPS, BATCH, FEATURES), (BATCH, HIDDEN), (3 * HIDDEN, FEATURES),
                           (3 * HIDDEN, HIDDEN), (3 * HIDDEN,), (3 * HIDDEN,)]),
    ("lstm", LSTMLayer, {}, [(STEPS, BATCH, FEATURES), (BATCH, HIDDEN), (BATCH, HIDDEN),
                             (4 * HIDDEN, FEATURES), (4 * HIDDEN, HIDDEN), (4 * HIDDEN,),
                             (4 * HIDDEN,)]),
    ("lstm_projection", LSTMLayer, {},
     [(STEPS, BATCH, FEATURES), (BATCH, 1), (BATCH, HIDDEN), (4 * HIDDEN, FEATURES),
      (4 * HIDDEN, 1), (4 * HIDDEN,), (4 * HIDDEN,), (1, HIDDEN)]),
]


@pytest.mark.parametrize("name, op, options, shapes", LAYER_OPS, ids=[r[0] for r in LAYER_OPS])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("lengths", [None, np.array([4, 1, 2])])
def test_fused_layer_gradcheck(name, op, options, shapes, reverse, lengths, rng):
    inputs = _parameters(rng, *shapes)
    assert tg.gradcheck(lambda *a: op.apply(*a, reverse=reverse, lengths=lengths, **options),
                        *inputs)


def test_fused_layer_is_one_node_per_direction():
    lstm = nn.LSTM(3, 4, num_layers=2)
    output, _ = lstm(tg.randn(6, 2, 3))
    names = [type(node).__name__ for node in _graph_nodes(output)]
    assert names.count("LSTMLayer") == 2


def _graph_nodes(tensor):
    seen, stack = set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or not hasattr(node, "_parents") or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(parent for parent in node._parents if parent is not None)


LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {}),
          ("LSTM", {"proj_size": 2}), ("LSTM", {"bias": False})]
SHAPES = [{}, {"num_layers": 2, "bidirectional": True}, {"batch_first": True}]


def _pair(torch, name, options, input_size=4, hidden=3):
    theirs = getattr(torch.nn, name)(input_size, hidden, **options).double()
    ours = getattr(nn, name)(input_size, hidden, **options, dtype=tg.float64)
    load_torch_weights(theirs, ours)
    return theirs, ours


@pytest.mark.parametrize("name, options", LAYERS, ids=[f"{n}{o}" for n, o in LAYERS])
@pytest.mark.parametrize("shape", SHAPES, ids=["plain", "stacked_bidirectional", "batch_first"])
def test_layer_matches_pytorch(torch, name, options, shape, rng):
    theirs, ours = _pair(torch, name, {**options, **shape})
    assert [n for n, _ in theirs.named_parameters()] == [n for n, _ in ours.named_parameters()]
    x = rng.normal(size=(5, 2, 4))
    torch_x, x_ = torch.tensor(x, requires_grad=True), tg.tensor(x, requires_grad=True)
    assert_same_values_and_gradients(torch, theirs, ours, [torch_x], [x_])
    assert_round_trip(torch, _pair(torch, name, {**options, **shape})[0], ours, [torch_x])


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_layer_with_initial_states_matches_pytorch(torch, name, rng):
    theirs, ours = _pair(torch, name, {"num_layers": 2, "bidirectional": True})
    x, h0, c0 = rng.normal(size=(5, 2, 4)), rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 3))
    torch_inputs = [torch.tensor(v, requires_grad=True) for v in (x, h0, c0)]
    inputs = [tg.tensor(v, requires_grad=True) for v in (x, h0, c0)]

    def call(lib_inputs):
        x_, h_, c_ = lib_inputs
        return [x_, (h_, c_) if name == "LSTM" else h_]

    assert_same_values_and_gradients(torch, theirs, ours, call(torch_inputs), call(inputs))
    if name == "LSTM":
        for expected, actual in zip(torch_inputs, inputs):
            np.testing.assert_allclose(actual.grad, expected.grad.numpy(), rtol=1e-9,
                                       atol=1e-12)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_unbatched_input_matches_pytorch(torch, name, rng):
    theirs, ours = _pair(torch, name, {"num_layers": 2})
    x = rng.normal(size=(5, 4))
    assert_same_values_and_gradients(torch, theirs, ours, [torch.tensor(x, requires_grad=True)],
                                     [tg.tensor(x, requires_grad=True)])


@pytest.mark.parametrize("name", ["RNNCell", "GRUCell", "LSTMCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cell_matches_pytorch(torch, name, batched, rng):
    theirs, ours = _pair(torch, name, {})
    assert [n for n, _ in theirs.named_parameters()] == [n for n, _ in ours.named_parameters()]
    x = rng.normal(size=(2, 4) if batched else (4,))
    state = rng.normal(size=(2, 3) if batched else (3,))
    torch_x, torch_h = (torch.tensor(v, requires_grad=True) for v in (x, state))
    x_, h_ = (tg.tensor(v, requires_grad=True) for v in (x, state))
    torch_state, our_state = ((torch_h, torch_h * 2), (h_, h_ * 2)) if name == "LSTMCell" else (
        torch_h, h_)
    assert_same_values_and_gradients(torch, theirs, ours, [torch_x, torch_state],
                                     [x_, our_state])
    np.testing.assert_allclose(h_.grad, torch_h.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert_round_trip(torch, _pair(torch, name, {})[0], ours, [torch_x])


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequence_matches_pytorch(torch, name, enforce_sorted, rng):
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 3]
    theirs, ours = _pair(torch, name, {"num_layers": 2, "bidirectional": True})
    x, h0 = rng.normal(size=(5, 3, 4)), rng.normal(size=(4, 3, 3))
    torch_x, torch_h = (torch.tensor(v, requires_grad=True) for v in (x, h0))
    x_, h_ = (tg.tensor(v, requires_grad=True) for v in (x, h0))
    torch_packed = torch.nn.utils.rnn.pack_padded_sequence(torch_x, lengths,
                                                           enforce_sorted=enforce_sorted)
    packed = rnn.pack_padded_sequence(x_, lengths, enforce_sorted=enforce_sorted)
    np.testing.assert_allclose(packed.data.data, torch_packed.data.detach().numpy())
    assert packed.batch_sizes.tolist() == torch_packed.batch_sizes.tolist()
    torch_state = (torch_h, torch_h * 2) if name == "LSTM" else torch_h
    state = (h_, h_ * 2) if name == "LSTM" else h_
    torch_output, torch_final = theirs(torch_packed, torch_state)
    output, final = ours(packed, state)
    torch_padded, torch_lengths = torch.nn.utils.rnn.pad_packed_sequence(torch_output,
                                                                         batch_first=True)
    padded, out_lengths = rnn.pad_packed_sequence(output, batch_first=True)
    assert out_lengths.tolist() == torch_lengths.tolist() == lengths
    theirs_all = [torch_padded, *(torch_final if name == "LSTM" else [torch_final])]
    ours_all = [padded, *(final if name == "LSTM" else [final])]
    weights = [rng.normal(size=tuple(t.shape)) for t in theirs_all]
    for expected, actual in zip(theirs_all, ours_all):
        np.testing.assert_allclose(actual.data, expected.detach().numpy(), rtol=1e-9,
                                   atol=1e-12)
    sum((t * torch.tensor(w)).sum() for t, w in zip(theirs_all, weights)).backward()
    sum((t * tg.tensor(w)).sum() for t, w in zip(ours_all, weights)).backward()
    np.testing.assert_allclose(x_.grad, torch_x.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(h_.grad, torch_h.grad.numpy(), rtol=1e-9, atol=1e-12)
    ours_by_name = dict(ours.named_parameters())
    for parameter_name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(ours_by_name[parameter_name].grad, parameter.grad.numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=parameter_name)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_pytorch(torch, batch_first, padding_side, rng):
    sequences = [rng.normal(size=(length, 2)) for length in (3, 1, 2)]
    expected = torch.nn.utils.rnn.pad_sequence(
        [torch.tensor(s) for s in sequences], batch_first=batch_first, padding_value=-1.0,
        padding_side=padding_side)
    ours = [tg.tensor(s, requires_grad=True) for s in sequences]
    padded = rnn.pad_sequence(ours, batch_first=batch_first, padding_value=-1.0,
                              padding_side=padding_side)
    np.testing.assert_allclose(padded.data, expected.numpy())
    padded.sum().backward()
    assert all((s.grad == 1).all() for s in ours)


def test_pack_sequence_and_unpack_round_trip(torch, rng):
    sequences = [rng.normal(size=(length, 2)) for length in (2, 4, 1)]
    expected = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in sequences],
                                                enforce_sorted=False)
    packed = rnn.pack_sequence([tg.tensor(s) for s in sequences], enforce_sorted=False)
    np.testing.assert_allclose(packed.data.data, expected.data.numpy())
    assert packed.sorted_indices.tolist() == expected.sorted_indices.tolist()
    padded, lengths = rnn.pad_packed_sequence(packed, total_length=6)
    assert padded.shape == (6, 3, 2) and lengths.tolist() == [2, 4, 1]
    for b, sequence in enumerate(sequences):
        np.testing.assert_allclose(padded.data[:len(sequence), b], sequence)
        assert not padded.data[len(sequence):, b].any()


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_initialisation_is_uniform_in_inverse_sqrt_hidden(name):
    tg.manual_seed(0)
    layer = getattr(nn, name)(8, 16)
    bound = 1 / math.sqrt(16)
    values = np.concatenate([p.data.ravel() for p in layer.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound
    assert abs(values.mean()) < 0.1 * bound


def test_default_dtype_is_float32():
    output, (h, c) = nn.LSTM(3, 4)(tg.randn(2, 5, 3))
    assert output.dtype == h.dtype == c.dtype == np.float32


def test_dropout_between_layers_only_in_training():
    tg.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = tg.randn(6, 2, 3)
    lstm.eval()
    first, second = lstm(x)[0].data, lstm(x)[0].data
    np.testing.assert_array_equal(first, second)
    lstm.train()
    assert not np.allclose(lstm(x)[0].data, first)


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="num_layers=1"):
        nn.GRU(3, 4, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.GRU(3, 4, num_layers=2, dropout=0.2)


@pytest.mark.parametrize("make, call, message", [
    (lambda: nn.LSTM(3, 4), lambda m: m(tg.ones(5, 2, 2)), "input_size. Expected 3, got 2"),
    (lambda: nn.GRU(3, 4), lambda m: m(tg.ones(5, 2, 3), tg.zeros(1, 3, 4)),
     r"Expected hidden size \(1, 2, 4\), got \(1, 3, 4\)"),
    (lambda: nn.LSTM(3, 4), lambda m: m(tg.ones(5, 2, 3), tg.zeros(1, 2, 4)),
     r"tuple \(h_0, c_0\)"),
    (lambda: nn.RNN(3, 4), lambda m: m(tg.ones(5)), "2 .unbatched. or 3 dimensions"),
    (lambda: nn.LSTMCell(3, 4), lambda m: m(tg.ones(2, 5)), r"shape \(batch, 3\)"),
])
def test_bad_input_names_the_layer_and_shapes(make, call, message):
    with pytest.raises(ValueError, match=message):
        call(make())


@pytest.mark.parametrize("make, message", [
    (lambda: nn.LSTM(3, 4, proj_size=4), r"proj_size must be in \[0, hidden_size=4\)"),
    (lambda: nn.RNNBase("GRU", 3, 4, proj_size=2), "only supported by LSTM"),
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), "'tanh' or 'relu'"),
    (lambda: nn.LSTM(3, 4, dropout=1.5), r"dropout must be a number in \[0, 1\]"),
    (lambda: nn.LSTM(3, 0), "hidden_size and num_layers must be positive"),
])
def test_bad_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_unsorted_lengths_need_enforce_sorted_false():
    with pytest.raises(RuntimeError, match="not sorted in decreasing order"):
        rnn.pack_padded_sequence(tg.ones(3, 2, 1), [1, 3])
    with pytest.raises(ValueError, match=r"every length must be in \[1, 3\]"):
        rnn.pack_padded_sequence(tg.ones(3, 2, 1), [4, 3])


def test_utils_rnn_reachable_as_in_pytorch():
    from tapegrad.nn.utils.rnn import PackedSequence, pack_padded_sequence

    assert tg.nn.utils.rnn.pack_padded_sequence is pack_padded_sequence
    assert isinstance(pack_padded_sequence(tg.ones(2, 1, 1), [2]), PackedSequence)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_empty_batch_runs_and_empty_sequence_is_refused(name):
    layer = getattr(nn, name)(3, 4, num_layers=2)
    x = tg.ones(5, 0, 3, requires_grad=True)
    output, _ = layer(x)
    assert output.shape == (5, 0, 4)
    output.sum().backward()
    assert x.grad.shape == (5, 0, 3)
    with pytest.raises(ValueError, match=r"with T > 0 \(the sequence length\), got \(0, 2, 3\)"):
        layer(tg.ones(0, 2, 3))


@pytest.mark.parametrize("name", ["GRU", "LSTM"])
def test_float32_matches_pytorch_float32(torch, name, rng):
    theirs = getattr(torch.nn, name)(4, 3, num_layers=2, bidirectional=True)
    ours = getattr(nn, name)(4, 3, num_layers=2, bidirectional=True)
    load_torch_weights(theirs, ours)
    x = rng.normal(size=(6, 2, 4)).astype(np.float32)
    assert_same_values_and_gradients(torch, theirs, ours, [torch.tensor(x, requires_grad=True)],
                                     [tg.tensor(x, requires_grad=True)], rtol=1e-4, atol=1e-5)
    assert ours(tg.tensor(x))[0].dtype == np.float32
