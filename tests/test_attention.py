"""Attention (issue 16): the fused scaled-dot-product op passes gradcheck, and
F.scaled_dot_product_attention, MultiheadAttention and the Transformer layers match PyTorch
on values and gradients with PyTorch's weights; their state dicts move both ways."""

import numpy as np
import pytest
from module_parity import assert_round_trip, assert_same_values_and_gradients, load_torch_weights

import tapegrad as tg
from tapegrad import nn
from tapegrad.nn import functional as F
from tapegrad.ops.attention import ScaledDotProductAttention

# a float key_padding_mask with a bool attn_mask is tested on purpose (PyTorch still runs it)
pytestmark = pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")


def _leaf(value):
    return tg.tensor(value, requires_grad=True)


@pytest.mark.parametrize("with_mask", [False, True])
@pytest.mark.parametrize("with_dropout", [False, True])
def test_fused_attention_gradcheck(with_mask, with_dropout, rng):
    q, k, v = (_leaf(rng.normal(size=shape)) for shape in ((2, 3, 4), (2, 5, 4), (2, 5, 2)))
    mask = _leaf(rng.normal(size=(3, 5))) if with_mask else None
    keep = (rng.random((2, 3, 5)) > 0.3) / 0.7 if with_dropout else None
    inputs = (q, k, v) + ((mask,) if with_mask else ())

    def attention(*args):
        return ScaledDotProductAttention.apply(*args[:3], args[3] if with_mask else None, keep,
                                               scale=0.7)
    assert tg.gradcheck(attention, *inputs)


def _pair_of_tensors(torch, value):
    return torch.tensor(value, requires_grad=True), _leaf(value)


@pytest.mark.parametrize("options", [
    {}, {"is_causal": True}, {"scale": 0.3}, {"mask": "bool"}, {"mask": "float"},
    {"mask": "broadcast_bool"},
], ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()) or "plain")
def test_scaled_dot_product_attention_matches_pytorch(torch, options, rng):
    shapes = ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7))
    pairs = [_pair_of_tensors(torch, rng.normal(size=shape)) for shape in shapes]
    options = dict(options)
    mask = options.pop("mask", None)
    if mask is not None:
        values = {"bool": rng.random((4, 6)) > 0.3, "float": rng.normal(size=(2, 3, 4, 6)),
                  "broadcast_bool": rng.random((2, 1, 4, 6)) > 0.3}[mask]
        values[..., 0] = True if values.dtype == bool else values[..., 0]  # no empty row
        torch_mask, mask = torch.tensor(values), values
        options_torch, options_ours = dict(options, attn_mask=torch_mask), dict(options,
                                                                              attn_mask=mask)
    else:
        options_torch = options_ours = options
    expected = torch.nn.functional.scaled_dot_product_attention(*[p[0] for p in pairs],
                                                                **options_torch)
    actual = F.scaled_dot_product_attention(*[p[1] for p in pairs], **options_ours)
    np.testing.assert_allclose(actual.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = rng.normal(size=expected.shape)
    (expected * torch.tensor(weights)).sum().backward()
    (actual * tg.tensor(weights)).sum().backward()
    for theirs, ours in pairs:
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_query_that_sees_no_key_gets_zero_as_in_pytorch(torch, rng):
    q = rng.normal(size=(1, 3, 4))
    mask = np.ones((3, 3), dtype=bool)
    mask[1] = False
    expected = torch.nn.functional.scaled_dot_product_attention(
        *(torch.tensor(q),) * 3, attn_mask=torch.tensor(mask))
    actual = F.scaled_dot_product_attention(q, q, q, attn_mask=mask)
    np.testing.assert_allclose(actual.data, expected.numpy(), rtol=1e-10)
    assert not actual.data[0, 1].any()


def test_grouped_query_attention_matches_pytorch(torch, rng):
    q, k = rng.normal(size=(1, 4, 3, 2)), rng.normal(size=(1, 2, 5, 2))
    expected = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(q), torch.tensor(k), torch.tensor(k), enable_gqa=True)
    actual = F.scaled_dot_product_attention(q, k, k, enable_gqa=True)
    np.testing.assert_allclose(actual.data, expected.numpy(), rtol=1e-10)


def test_attention_dropout_drops_and_rescales():
    tg.manual_seed(0)
    q = tg.zeros(1, 200, 4)  # uniform attention: each output is the mean of the values
    v = tg.ones(1, 50, 4)
    out = F.scaled_dot_product_attention(q, tg.zeros(1, 50, 4), v, dropout_p=0.5)
    assert 0.9 < out.data.mean() < 1.1 and out.data.std() > 0.05
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(q, tg.zeros(1, 50, 4), v, dropout_p=0.0).data, 1.0,
        rtol=1e-6)


def test_scaled_dot_product_attention_refuses_bad_input():
    q = tg.ones(2, 3, 4)
    with pytest.raises(ValueError, match=r"query \(2, 3, 4\), key \(2, 3, 5\)"):
        F.scaled_dot_product_attention(q, tg.ones(2, 3, 5), q)
    with pytest.raises(ValueError, match="either attn_mask or is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), bool),
                                       is_causal=True)
    with pytest.raises(TypeError, match="bool or floating point"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), int))


def _pair(torch, name, *args, **options):
    theirs = getattr(torch.nn, name)(*args, **options).double()
    ours = getattr(nn, name)(*args, **options, dtype=tg.float64)
    assert list(theirs.state_dict()) == list(ours.state_dict())
    load_torch_weights(theirs, ours)
    return theirs, ours


def _masks(torch, kind, batch, length, keys, heads, rng):
    """Keyword arguments with the same masks for torch and tapegrad."""
    if kind is None:
        return {}, {}
    padding = np.zeros((batch, keys), dtype=bool)
    padding[0, keys - 2:] = True
    masks = {
        "padding": {"key_padding_mask": padding},
        "bool": {"attn_mask": np.triu(np.ones((length, keys), dtype=bool), 1)},
        "float": {"attn_mask": rng.normal(size=(batch * heads, length, keys))},
        "both": {"key_padding_mask": rng.normal(size=(batch, keys)),
                 "attn_mask": np.triu(np.ones((length, keys), dtype=bool), 1)},
    }[kind]
    return {k: torch.tensor(v) for k, v in masks.items()}, masks


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("mask", [None, "padding", "bool", "float", "both"])
@pytest.mark.parametrize("need_weights, average", [(True, True), (True, False), (False, True)])
def test_multihead_attention_matches_pytorch(torch, batch_first, mask, need_weights, average,
                                             rng):
    theirs, ours = _pair(torch, "MultiheadAttention", 8, 2, batch_first=batch_first)
    batch, length, keys = 3, 4, 5
    shapes = [(length, batch, 8), (keys, batch, 8), (keys, batch, 8)]
    if batch_first:
        shapes = [(batch, s[0], 8) for s in shapes]
    pairs = [_pair_of_tensors(torch, rng.normal(size=shape)) for shape in shapes]
    torch_masks, masks = _masks(torch, mask, batch, length, keys, 2, rng)
    options = {"need_weights": need_weights, "average_attn_weights": average}
    assert_same_values_and_gradients(
        torch, theirs, ours, [p[0] for p in pairs], [p[1] for p in pairs],
        kwargs={"torch": {**options, **torch_masks}, "tapegrad": {**options, **masks}})


@pytest.mark.parametrize("options", [
    {"kdim": 3, "vdim": 5}, {"add_bias_kv": True}, {"add_zero_attn": True}, {"bias": False},
    {"kdim": 3, "vdim": 5, "add_bias_kv": True, "add_zero_attn": True},
], ids=lambda o: "-".join(o))
def test_multihead_attention_variants_match_pytorch(torch, options, rng):
    theirs, ours = _pair(torch, "MultiheadAttention", 8, 2, **options)
    shapes = [(4, 3, 8), (5, 3, options.get("kdim", 8)), (5, 3, options.get("vdim", 8))]
    pairs = [_pair_of_tensors(torch, rng.normal(size=shape)) for shape in shapes]
    torch_masks, masks = _masks(torch, "both", 3, 4, 5, 2, rng)
    assert_same_values_and_gradients(torch, theirs, ours, [p[0] for p in pairs],
                                     [p[1] for p in pairs],
                                     kwargs={"torch": torch_masks, "tapegrad": masks})
    fresh = torch.nn.MultiheadAttention(8, 2, **options).double()
    assert_round_trip(torch, fresh, ours, [p[0] for p in pairs])


def test_multihead_self_attention_unbatched_matches_pytorch(torch, rng):
    theirs, ours = _pair(torch, "MultiheadAttention", 6, 3)
    torch_x, x = _pair_of_tensors(torch, rng.normal(size=(4, 6)))
    assert_same_values_and_gradients(torch, theirs, ours, [torch_x] * 3, [x] * 3)


def test_multihead_attention_initialisation_as_pytorch():
    attention = nn.MultiheadAttention(16, 4)
    bound = np.sqrt(6 / (16 + 48))  # xavier_uniform over (3 * 16, 16)
    assert np.abs(attention.in_proj_weight.data).max() <= bound
    assert np.abs(attention.in_proj_weight.data).max() > 0.9 * bound
    assert not attention.in_proj_bias.data.any() and not attention.out_proj.bias.data.any()
    assert attention.in_proj_weight.dtype == np.float32


def test_multihead_attention_refuses_bad_input():
    with pytest.raises(ValueError, match=r"embed_dim \(6\) must be a positive multiple"):
        nn.MultiheadAttention(6, 4)
    attention = nn.MultiheadAttention(4, 2)
    x = tg.ones(3, 2, 4)
    with pytest.raises(ValueError, match=r"attn_mask of shape \(2, 2\), expected \(3, 3\)"):
        attention(x, x, x, attn_mask=np.zeros((2, 2), bool))
    with pytest.raises(ValueError, match=r"key_padding_mask of shape \(3, 3\), expected"):
        attention(x, x, x, key_padding_mask=np.zeros((3, 3), bool))
    with pytest.raises(ValueError, match="query has 5 features, expected embed_dim=4"):
        attention(tg.ones(3, 2, 5), x, x)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
def test_encoder_layer_matches_pytorch(torch, norm_first, activation, rng):
    options = {"dim_feedforward": 16, "dropout": 0.0, "norm_first": norm_first,
               "batch_first": True}
    theirs = torch.nn.TransformerEncoderLayer(
        8, 2, activation=torch.tanh if activation == "callable" else activation,
        **options).double()
    ours = nn.TransformerEncoderLayer(
        8, 2, activation=tg.tanh if activation == "callable" else activation, **options,
        dtype=tg.float64)
    assert list(theirs.state_dict()) == list(ours.state_dict())
    load_torch_weights(theirs, ours)
    torch_x, x = _pair_of_tensors(torch, rng.normal(size=(3, 5, 8)))
    padding = np.zeros((3, 5), dtype=bool)
    padding[1, 3:] = True
    mask = np.triu(np.ones((5, 5), dtype=bool), 1)
    kwargs = {"torch": {"src_key_padding_mask": torch.tensor(padding),
                        "src_mask": torch.tensor(mask)},
              "tapegrad": {"src_key_padding_mask": padding, "src_mask": mask}}
    assert_same_values_and_gradients(torch, theirs, ours, [torch_x], [x], kwargs=kwargs)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_pytorch(torch, norm_first, rng):
    theirs, ours = _pair(torch, "TransformerDecoderLayer", 8, 2, dim_feedforward=16,
                         dropout=0.0, norm_first=norm_first, activation="gelu")
    pairs = [_pair_of_tensors(torch, rng.normal(size=shape)) for shape in ((4, 3, 8), (5, 3, 8))]
    causal = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    padding = np.zeros((3, 5), dtype=bool)
    padding[2, 4:] = True
    kwargs = {"torch": {"tgt_mask": causal, "memory_key_padding_mask": torch.tensor(padding)},
              "tapegrad": {"tgt_mask": causal.numpy(), "memory_key_padding_mask": padding}}
    assert_same_values_and_gradients(torch, theirs, ours, [p[0] for p in pairs],
                                     [p[1] for p in pairs], kwargs=kwargs)


def test_encoder_stack_matches_pytorch_and_round_trips(torch, rng):
    layer = dict(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0)
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**layer), 2,
                                         norm=torch.nn.LayerNorm(8),
                                         enable_nested_tensor=False).double()
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(**layer, dtype=tg.float64), 2,
                                 norm=nn.LayerNorm(8, dtype=tg.float64))
    assert list(theirs.state_dict()) == list(ours.state_dict())
    load_torch_weights(theirs, ours)
    torch_x, x = _pair_of_tensors(torch, rng.normal(size=(5, 3, 8)))
    assert_same_values_and_gradients(torch, theirs, ours, [torch_x], [x],
                                     kwargs={"torch": {"mask": torch.nn.Transformer.
                                                       generate_square_subsequent_mask(5)
                                                       .double()},
                                             "tapegrad": {"is_causal": True}})
    fresh = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**layer), 2,
                                        norm=torch.nn.LayerNorm(8),
                                        enable_nested_tensor=False).double()
    assert_round_trip(torch, fresh, ours, [torch_x])


def test_decoder_stack_matches_pytorch(torch, rng):
    layer = dict(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0)
    theirs = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(**layer), 2).double()
    ours = nn.TransformerDecoder(nn.TransformerDecoderLayer(**layer, dtype=tg.float64), 2)
    load_torch_weights(theirs, ours)
    pairs = [_pair_of_tensors(torch, rng.normal(size=shape)) for shape in ((4, 3, 8), (5, 3, 8))]
    assert_same_values_and_gradients(torch, theirs, ours, [p[0] for p in pairs],
                                     [p[1] for p in pairs])


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_pytorch_and_round_trips(torch, batch_first, rng):
    options = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
                   dim_feedforward=16, dropout=0.0, batch_first=batch_first)
    theirs, ours = _pair(torch, "Transformer", **options)
    shapes = [(3, 5, 8), (3, 4, 8)] if batch_first else [(5, 3, 8), (4, 3, 8)]
    pairs = [_pair_of_tensors(torch, rng.normal(size=shape)) for shape in shapes]
    causal = nn.Transformer.generate_square_subsequent_mask(4, dtype=tg.float64)
    np.testing.assert_array_equal(
        causal.data, torch.nn.Transformer.generate_square_subsequent_mask(4).double().numpy())
    kwargs = {"torch": {"tgt_mask": torch.tensor(causal.data)}, "tapegrad": {"tgt_mask": causal}}
    assert_same_values_and_gradients(torch, theirs, ours, [p[0] for p in pairs],
                                     [p[1] for p in pairs], kwargs=kwargs)
    fresh = torch.nn.Transformer(**options).double()
    assert_round_trip(torch, fresh, ours, [p[0] for p in pairs], kwargs=kwargs)


def test_transformer_weights_are_xavier_uniform():
    model = nn.Transformer(16, 2, 1, 1, dim_feedforward=32)
    weight = model.encoder.layers[0].linear1.weight.data
    assert np.abs(weight).max() <= np.sqrt(6 / (16 + 32))
    assert weight.dtype == np.float32


def test_transformer_refuses_mismatched_batches():
    model = nn.Transformer(8, 2, 1, 1, dim_feedforward=16)
    with pytest.raises(ValueError, match="batch number of src"):
        model(tg.ones(5, 3, 8), tg.ones(4, 2, 8))
    with pytest.raises(ValueError, match="activation should be 'relu', 'gelu'"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")


def test_layers_train_with_dropout_and_differ_from_eval():
    tg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.5)
    x = tg.randn(4, 2, 8)
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, layer(x).data)
    evaluated = layer(x).data
    layer.train()
    assert not np.allclose(layer(x).data, evaluated)


def test_float32_encoder_layer_matches_pytorch_float32(torch, rng):
    options = dict(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, batch_first=True)
    theirs = torch.nn.TransformerEncoderLayer(**options)
    ours = nn.TransformerEncoderLayer(**options)
    load_torch_weights(theirs, ours)
    x = rng.normal(size=(2, 5, 8)).astype(np.float32)
    assert_same_values_and_gradients(torch, theirs, ours, [torch.tensor(x, requires_grad=True)],
                                     [tg.tensor(x, requires_grad=True)], rtol=1e-4, atol=1e-5)
    assert ours(tg.tensor(x)).dtype == np.float32
