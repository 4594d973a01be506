"""The sequence models' faster layouts (issue 19): MultiheadAttention reads batch-first
inputs in place, with every variant (extra key bias, zero attention, other key sizes, causal
self-attention), and the feature-major LSTM keeps a projection with packed sequences in both
directions; all as PyTorch, on values and gradients."""

import numpy as np
import pytest
from module_parity import assert_same_values_and_gradients, load_torch_weights

import tapegrad as tg
from tapegrad import nn
from tapegrad.nn.utils import rnn


def _pair(torch, name, *args, **options):
    theirs = getattr(torch.nn, name)(*args, **options).double()
    ours = getattr(nn, name)(*args, **options, dtype=tg.float64)
    load_torch_weights(theirs, ours)
    return theirs, ours


@pytest.mark.parametrize("options", [
    {"add_bias_kv": True}, {"add_zero_attn": True},
    {"kdim": 3, "vdim": 5, "add_bias_kv": True, "add_zero_attn": True},
], ids=lambda o: "-".join(o))
def test_batch_first_attention_variants_match_pytorch(torch, options, rng):
    theirs, ours = _pair(torch, "MultiheadAttention", 8, 2, batch_first=True, **options)
    shapes = [(3, 4, 8), (3, 5, options.get("kdim", 8)), (3, 5, options.get("vdim", 8))]
    values = [rng.normal(size=shape) for shape in shapes]
    padding = np.zeros((3, 5), dtype=bool)
    padding[1, 3:] = True
    kwargs = {"key_padding_mask": padding}
    assert_same_values_and_gradients(
        torch, theirs, ours, [torch.tensor(v, requires_grad=True) for v in values],
        [tg.tensor(v, requires_grad=True) for v in values],
        kwargs={"torch": {"key_padding_mask": torch.tensor(padding)}, "tapegrad": kwargs})


def test_batch_first_causal_self_attention_matches_pytorch(torch, rng):
    theirs, ours = _pair(torch, "MultiheadAttention", 8, 2, batch_first=True)
    x = rng.normal(size=(3, 4, 8))
    torch_x, x_ = torch.tensor(x, requires_grad=True), tg.tensor(x, requires_grad=True)
    causal = np.triu(np.ones((4, 4), dtype=bool), 1)
    expected, _ = theirs(torch_x, torch_x, torch_x, attn_mask=torch.tensor(causal),
                         is_causal=True, need_weights=False)
    actual, _ = ours(x_, x_, x_, is_causal=True, need_weights=False)
    np.testing.assert_allclose(actual.data, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    weights = rng.normal(size=x.shape)
    (expected * torch.tensor(weights)).sum().backward()
    (actual * tg.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x_.grad, torch_x.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_projected_lstm_on_packed_sequences_matches_pytorch(torch, rng):
    theirs, ours = _pair(torch, "LSTM", 4, 5, proj_size=2, bidirectional=True, num_layers=2)
    x = rng.normal(size=(6, 3, 4))
    torch_x, x_ = torch.tensor(x, requires_grad=True), tg.tensor(x, requires_grad=True)
    lengths = [3, 6, 1]
    torch_out, (torch_h, torch_c) = theirs(torch.nn.utils.rnn.pack_padded_sequence(
        torch_x, lengths, enforce_sorted=False))
    out, (h, c) = ours(rnn.pack_padded_sequence(x_, lengths, enforce_sorted=False))
    torch_padded, _ = torch.nn.utils.rnn.pad_packed_sequence(torch_out)
    padded, _ = rnn.pad_packed_sequence(out)
    pairs = [(torch_padded, padded), (torch_h, h), (torch_c, c)]
    for expected, actual in pairs:
        np.testing.assert_allclose(actual.data, expected.detach().numpy(), rtol=1e-9,
                                   atol=1e-12)
    weights = [rng.normal(size=tuple(t.shape)) for t, _ in pairs]
    sum((t * torch.tensor(w)).sum() for (t, _), w in zip(pairs, weights)).backward()
    sum((t * tg.tensor(w)).sum() for (_, t), w in zip(pairs, weights)).backward()
    np.testing.assert_allclose(x_.grad, torch_x.grad.numpy(), rtol=1e-9, atol=1e-12)
    ours_by_name = dict(ours.named_parameters())
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(ours_by_name[name].grad, parameter.grad.numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=name)


def test_lstm_float32_batch_of_one_keeps_its_dtype_and_matches_pytorch(torch, rng):
    theirs, ours = torch.nn.LSTM(3, 8), nn.LSTM(3, 8)
    load_torch_weights(theirs, ours)
    x = rng.normal(size=(5, 1, 3)).astype(np.float32)
    expected, _ = theirs(torch.tensor(x))
    actual, _ = ours(tg.tensor(x))
    assert actual.dtype == np.float32
    np.testing.assert_allclose(actual.data, expected.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_fused_layer_norm_has_second_derivatives_over_two_axes(rng):
    x, weight, bias = (tg.tensor(rng.normal(size=shape), requires_grad=True)
                       for shape in [(3, 2, 4), (2, 4), (2, 4)])
    layer_norm = lambda x, w, b: nn.functional.layer_norm(x, (2, 4), w, b)  # noqa: E731
    assert tg.autograd.gradcheck(layer_norm, x, weight, bias)
    assert tg.autograd.gradgradcheck(layer_norm, x, weight, bias)


def test_fused_layer_norm_matches_pytorch_in_float32(torch, rng):
    x, weight, bias = (rng.normal(size=shape).astype(np.float32) for shape in
                       [(2, 5, 8), (8,), (8,)])
    expected = torch.nn.functional.layer_norm(torch.tensor(x), (8,), torch.tensor(weight),
                                              torch.tensor(bias))
    actual = nn.functional.layer_norm(tg.tensor(x), (8,), tg.tensor(weight), tg.tensor(bias))
    assert actual.dtype == np.float32
    np.testing.assert_allclose(actual.data, expected.numpy(), rtol=1e-5, atol=1e-5)


def test_layer_norm_refuses_a_weight_not_of_the_normalized_shape():
    x = tg.ones(2, 4)
    with pytest.raises(ValueError, match=r"layer_norm: expected weight of the normalized "
                                         r"shape \(4,\), got \(3,\)"):
        nn.functional.layer_norm(x, (4,), tg.ones(3))
    assert x.data.tolist() == [[1.0] * 4] * 2
