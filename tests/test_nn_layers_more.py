"""The layers, activations and containers of issue 16 part 3 against PyTorch: one table row per
layer (constructor arguments, input shape), each checked on values, on the gradients of the
input and of every parameter, and on the weight round trip (PyTorch's state_dict loads into
tapegrad and tapegrad's back into PyTorch)."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn

# (layer name, positional arguments, keyword arguments, input shape, input range)
LAYERS = [
    ("Conv1d", (3, 4, 3), {"padding": 1}, (2, 3, 9), None),
    ("Conv1d", (4, 6, 3), {"stride": 2, "dilation": 2, "groups": 2}, (2, 4, 11), None),
    ("Conv1d", (2, 3, 3), {"padding": "same", "bias": False}, (1, 2, 7), None),
    ("ConvTranspose1d", (3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 3, 5),
     None),
    ("ConvTranspose2d", (3, 4, 3), {}, (2, 3, 4, 5), None),
    ("ConvTranspose2d", (4, 2, (2, 3)), {"stride": (2, 1), "padding": (0, 1), "groups": 2},
     (1, 4, 3, 3), None),
    ("ConvTranspose2d", (2, 2, 3), {"stride": 2, "output_padding": 1, "dilation": 1},
     (1, 2, 3, 3), None),
    ("ConvTranspose2d", (2, 3, 2), {"dilation": 2, "bias": False}, (1, 2, 3, 4), None),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1}, (2, 3, 10), None),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 3, 10),
     None),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10), None),
    ("AdaptiveAvgPool2d", ((3, 2),), {}, (2, 3, 7, 5), None),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 4, 4), None),
    ("AdaptiveAvgPool2d", ((None, 3),), {}, (1, 2, 5, 7), None),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 8), None),
    ("AdaptiveMaxPool2d", ((3, 2),), {}, (2, 3, 7, 5), None),
    ("AdaptiveMaxPool2d", ((None, 2),), {}, (1, 2, 3, 5), None),
    ("Upsample", (), {"scale_factor": 2}, (2, 3, 3, 4), None),
    ("Upsample", (), {"size": (5, 7)}, (1, 2, 3, 4), None),
    ("Upsample", (), {"scale_factor": 1.7, "mode": "nearest-exact"}, (1, 2, 3, 4), None),
    ("Upsample", (), {"scale_factor": 2, "mode": "bilinear"}, (2, 3, 3, 4), None),
    ("Upsample", (), {"size": (5, 3), "mode": "bilinear", "align_corners": True}, (1, 2, 3, 4),
     None),
    ("Upsample", (), {"scale_factor": 0.6, "mode": "bilinear"}, (1, 2, 5, 5), None),
    ("Upsample", (), {"scale_factor": 3, "mode": "linear"}, (2, 2, 4), None),
    ("Upsample", (), {"scale_factor": 1.5, "mode": "bicubic"}, (1, 2, 4, 3), None),
    ("Upsample", (), {"size": 9, "mode": "linear", "align_corners": True}, (2, 2, 4), None),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}, (1, 2, 3, 3), None),
    ("UpsamplingBilinear2d", (), {"size": (5, 4)}, (1, 2, 3, 3), None),
    ("GroupNorm", (2, 4), {}, (3, 4, 5), None),
    ("GroupNorm", (3, 6), {"affine": False, "eps": 1e-3}, (2, 6, 2, 3), None),
    ("InstanceNorm1d", (3,), {"affine": True}, (2, 3, 6), None),
    ("InstanceNorm2d", (3,), {}, (2, 3, 4, 5), None),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True}, (2, 3, 4, 5), None),
    ("RMSNorm", (5,), {}, (3, 4, 5), None),
    ("RMSNorm", ((4, 5),), {"eps": 1e-3}, (3, 4, 5), None),
    ("Unfold", ((2, 3),), {"padding": 1, "stride": 2}, (2, 3, 5, 6), None),
    ("Fold", ((4, 5), 2), {}, (2, 8, 12), None),
    ("Identity", (7,), {"unused": 1}, (2, 3), None),
    ("Unflatten", (1, (2, 3)), {}, (4, 6), None),
    ("Flatten", (0, 1), {}, (2, 3, 4), None),
    ("ReLU", (), {"inplace": True}, (3, 4), None),
    ("ReLU6", (), {"inplace": True}, (3, 4), (-3.0, 8.0)),
    ("LeakyReLU", (0.2,), {"inplace": True}, (3, 4), None),
    ("ELU", (0.7,), {}, (3, 4), None),
    ("CELU", (), {"alpha": 0.5}, (3, 4), None),
    ("SELU", (), {}, (3, 4), None),
    ("SiLU", (), {}, (3, 4), None),
    ("Mish", (), {}, (3, 4), None),
    ("GELU", (), {"approximate": "tanh"}, (3, 4), None),
    ("Softplus", (), {"beta": 2.0, "threshold": 1.0}, (3, 4), None),
    ("Hardtanh", (-0.5, 0.7), {}, (3, 4), None),
    ("Hardsigmoid", (), {}, (3, 4), (-5.0, 5.0)),
    ("Hardswish", (), {}, (3, 4), (-5.0, 5.0)),
    ("Softsign", (), {}, (3, 4), None),
    ("Tanhshrink", (), {}, (3, 4), None),
    ("LogSigmoid", (), {}, (3, 4), (-30.0, 30.0)),
    ("Threshold", (0.1, -2.0), {}, (3, 4), None),
    ("Softshrink", (0.3,), {}, (3, 4), None),
    ("Hardshrink", (), {"lambd": 0.3}, (3, 4), None),
    ("GLU", (), {"dim": 1}, (3, 4), None),
    ("LogSoftmax", (), {"dim": 1}, (3, 4), None),
    ("Softmax", (0,), {}, (3, 4), None),
    ("Softmin", (), {"dim": -1}, (3, 4), None),
    ("Softmax2d", (), {}, (2, 3, 2, 2), None),
    ("PReLU", (), {}, (3, 4), None),
    ("RReLU", (0.1, 0.4), {}, (3, 4), None),
    ("PReLU", (4,), {"init": 0.1}, (2, 4, 3), None),
    ("Tanh", (), {}, (3, 4), None),
    ("Sigmoid", (), {}, (3, 4), None),
]


# Layers whose training mode draws random numbers, compared in eval mode.
RANDOM = {"RReLU"}


def _ids(rows):
    return [f"{row[0]}-{index}" for index, row in enumerate(rows)]


def _input(shape, value_range, seed=0):
    low, high = value_range or (-2.0, 2.0)
    return np.random.default_rng(seed).uniform(low, high, shape)


def _twins(torch, name, args, kwargs):
    """The PyTorch layer in float64 and the tapegrad one with its weights (loaded from
    PyTorch's state_dict, which also checks names and layouts)."""
    theirs = getattr(torch.nn, name)(*args, **kwargs).double().train(name not in RANDOM)
    with torch.no_grad():
        for parameter in theirs.parameters():  # not the constant defaults (ones, 0.25...)
            parameter.add_(torch.randn_like(parameter) * 0.3)
    ours = getattr(nn, name)(*args, **kwargs).double().train(name not in RANDOM)
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    return theirs, ours


@pytest.mark.parametrize("name, args, kwargs, shape, value_range", LAYERS, ids=_ids(LAYERS))
def test_layer_matches_pytorch(torch, name, args, kwargs, shape, value_range):
    theirs, ours = _twins(torch, name, args, kwargs)
    x = _input(shape, value_range)
    their_x = torch.tensor(x, requires_grad=True)
    our_x = tg.tensor(x, requires_grad=True)
    their_out, our_out = theirs(their_x.clone()), ours(our_x)  # inplace=True needs a copy
    np.testing.assert_allclose(our_out.data, their_out.detach().numpy(), rtol=1e-6, atol=1e-9)

    upstream = np.random.default_rng(1).standard_normal(their_out.shape)
    (their_out * torch.tensor(upstream)).sum().backward()
    (our_out * tg.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(our_x.grad, their_x.grad.numpy(), rtol=1e-6, atol=1e-9)
    their_params = dict(theirs.named_parameters())
    for key, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad, their_params[key].grad.numpy(),
                                   rtol=1e-6, atol=1e-9, err_msg=key)
    # Buffers (running statistics) moved the same way.
    for (key, ours_buffer), (_, their_buffer) in zip(ours.named_buffers(),
                                                     theirs.named_buffers()):
        np.testing.assert_allclose(np.asarray(ours_buffer.data), their_buffer.numpy(),
                                   rtol=1e-6, atol=1e-9, err_msg=key)


@pytest.mark.parametrize("name, args, kwargs, shape, value_range", LAYERS, ids=_ids(LAYERS))
def test_weights_round_trip_back_to_pytorch(torch, name, args, kwargs, shape, value_range):
    _, ours = _twins(torch, name, args, kwargs)
    for parameter in ours.parameters():
        parameter.data += 0.5  # weights of tapegrad's own, now to be carried to PyTorch
    theirs = getattr(torch.nn, name)(*args, **kwargs).double().train(name not in RANDOM)
    theirs.load_state_dict({key: torch.tensor(np.asarray(value.data))
                            for key, value in ours.state_dict().items()})
    x = _input(shape, value_range, seed=2)
    np.testing.assert_allclose(ours(tg.tensor(x)).data,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("Conv1d", (2, 3, 3), {"stride": 2}, (2, 2, 7)),
    ("ConvTranspose2d", (2, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1},
     (1, 2, 3, 3)),
    ("GroupNorm", (2, 4), {}, (2, 4, 3)),
    ("Upsample", (), {"scale_factor": 1.5, "mode": "bilinear"}, (1, 1, 3, 4)),
    ("AdaptiveMaxPool2d", ((2, 3),), {}, (1, 2, 5, 5)),
    ("PReLU", (3,), {}, (2, 3, 2)),
    ("RMSNorm", (4,), {}, (2, 4)),
])
def test_layer_gradients_match_finite_differences(name, args, kwargs, shape):
    layer = getattr(nn, name)(*args, **kwargs).double()
    x = tg.tensor(_input(shape, None, seed=3), requires_grad=True)
    names = [key for key, value in layer._parameters.items() if value is not None]

    def with_weights(x, *weights):  # the layer as a function of its input and weights
        layer._parameters.update(zip(names, weights))
        return layer(x)

    weights = tuple(tg.tensor(layer._parameters[key].data + 0.1, requires_grad=True)
                    for key in names)
    assert tg.autograd.gradcheck(with_weights, x, *weights)


@pytest.mark.parametrize("kwargs, call", [
    ({"mode": "mean"}, lambda bag, indices, offsets, weights: bag(indices.reshape(3, 2))),
    ({"mode": "sum"}, lambda bag, indices, offsets, weights: bag(indices, offsets, weights)),
    ({"mode": "max", "padding_idx": 2}, lambda bag, indices, offsets, weights: bag(indices,
                                                                                   offsets)),
])
def test_embedding_bag_matches_pytorch_and_round_trips(torch, kwargs, call):
    theirs = torch.nn.EmbeddingBag(5, 3, **kwargs).double()
    ours = nn.EmbeddingBag(5, 3, **kwargs).double()
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    indices, offsets = np.array([0, 2, 4, 2, 1, 3]), np.array([0, 1, 1, 4])
    weights = np.random.default_rng(0).standard_normal(6)
    our_out = call(ours, indices, offsets, tg.tensor(weights))
    their_out = call(theirs, torch.tensor(indices), torch.tensor(offsets), torch.tensor(weights))
    np.testing.assert_allclose(our_out.data, their_out.detach().numpy(), rtol=1e-12)
    our_out.sum().backward()
    their_out.sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-12)


def test_float32_layers_stay_float32():
    x = tg.randn(2, 3, 8)
    for layer in (nn.Conv1d(3, 2, 3), nn.ConvTranspose1d(3, 2, 3), nn.GroupNorm(1, 3),
                  nn.RMSNorm(8), nn.Upsample(scale_factor=2, mode="linear"),
                  nn.AdaptiveMaxPool1d(3), nn.Mish(), nn.PReLU()):
        assert layer(x).dtype == np.float32, type(layer).__name__


@pytest.mark.parametrize("layer, shape", [(nn.Dropout1d(0.5), (20, 30, 4)),
                                          (nn.Dropout2d(0.5), (20, 30, 2, 2))])
def test_channel_dropout_zeroes_whole_channels(layer, shape):
    tg.manual_seed(0)
    out = layer(tg.ones(*shape)).data
    per_channel = out.reshape(shape[0], shape[1], -1)
    assert np.all(per_channel == per_channel[..., :1])  # a channel is all kept or all zero
    assert set(np.unique(out)) == {0.0, 2.0}
    assert 0.4 < (per_channel[..., 0] == 0).mean() < 0.6
    assert np.array_equal(layer.eval()(tg.ones(*shape)).data, np.ones(shape))


def test_module_dict_registers_and_forgets_modules(torch):
    layers = nn.ModuleDict({"a": nn.Linear(2, 3)})
    layers["b"] = nn.Linear(3, 1)
    assert list(layers) == ["a", "b"] and "a" in layers and len(layers) == 2
    model = nn.Sequential(layers["a"], layers["b"])
    assert [name for name, _ in layers.named_parameters()] == [
        "a.weight", "a.bias", "b.weight", "b.bias"]
    their = torch.nn.ModuleDict({"a": torch.nn.Linear(2, 3), "b": torch.nn.Linear(3, 1)})
    layers.load_state_dict({key: value.numpy() for key, value in their.state_dict().items()})
    x = np.ones((1, 2), np.float32)
    np.testing.assert_allclose(model(tg.tensor(x)).data,
                               their["b"](their["a"](torch.tensor(x))).detach().numpy(),
                               rtol=1e-6)
    layers.pop("b")
    assert list(layers.keys()) == ["a"]
    with pytest.raises(TypeError, match="ModuleDict: 'c' is a int"):
        layers["c"] = 3


def test_parameter_list_and_dict_register_parameters(torch):
    weights = nn.ParameterList([tg.ones(2), nn.Parameter(tg.zeros(3))])
    weights.append(np.full(4, 2.0))
    assert [name for name, _ in weights.named_parameters()] == ["0", "1", "2"]
    assert all(isinstance(p, nn.Parameter) for p in weights)
    table = nn.ParameterDict({"scale": tg.ones(2)})
    table.update([("shift", tg.zeros(2))])
    holder = nn.Module()
    holder.weights, holder.table = weights, table
    assert sorted(holder.state_dict()) == ["table.scale", "table.shift", "weights.0",
                                           "weights.1", "weights.2"]
    theirs = torch.nn.Module()
    theirs.weights = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)),
                                             torch.nn.Parameter(torch.zeros(3)),
                                             torch.nn.Parameter(torch.ones(4))])
    theirs.table = torch.nn.ParameterDict({"scale": torch.nn.Parameter(torch.ones(2)),
                                           "shift": torch.nn.Parameter(torch.ones(2))})
    assert sorted(theirs.state_dict()) == sorted(holder.state_dict())
    holder.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    assert table["shift"].data.tolist() == [1.0, 1.0] and weights[2].data.tolist() == [1.0] * 4
    with pytest.raises(TypeError, match="ParameterList"):
        weights.append("not a number")


@pytest.mark.parametrize("make, error", [
    (lambda: nn.Conv1d(3, 4, 3, groups=2), "divisible by groups"),
    (lambda: nn.GroupNorm(3, 4), "divisible by num_groups"),
    (lambda: nn.Dropout2d(1.5), "Dropout2d: p must be in"),
])
def test_bad_constructor_arguments_are_named(make, error):
    with pytest.raises(ValueError, match=error):
        make()


@pytest.mark.parametrize("call, error", [
    (lambda: nn.Conv1d(3, 4, 3)(tg.ones(2, 3)), "conv1d"),
    (lambda: nn.InstanceNorm2d(3)(tg.ones(2, 3)), "InstanceNorm2d: expected 4-d"),
    (lambda: nn.Upsample(scale_factor=2, mode="bilinear")(tg.ones(1, 1, 3)), "bilinear"),
    (lambda: nn.Upsample(scale_factor=2, mode="trilinear")(tg.ones(1, 1, 3, 3)), "trilinear"),
    (lambda: nn.PReLU(3)(tg.ones(2, 4)), "prelu: weight has 3 slopes"),
    (lambda: nn.RMSNorm(3)(tg.ones(2, 4)), "rms_norm: normalized_shape"),
    (lambda: nn.GLU()(tg.ones(2, 3)), "glu"),
    (lambda: nn.ConvTranspose2d(2, 3, 3)(tg.ones(1, 3, 4, 4)), "conv_transpose2d"),
])
def test_bad_input_is_named(call, error):
    with pytest.raises((ValueError, NotImplementedError), match=error):
        call()


ISSUE_16_NAMES = [
    "Conv1d", "ConvTranspose1d", "ConvTranspose2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d", "MaxPool1d", "AvgPool1d", "Upsample", "GroupNorm", "InstanceNorm2d",
    "RMSNorm", "Dropout1d", "Dropout2d", "Identity", "Unflatten", "ModuleDict", "ParameterList",
    "ParameterDict", "SiLU", "ELU", "Softplus", "LogSoftmax", "Hardtanh", "Mish", "PReLU",
    "GELU", "LeakyReLU", "Softmax", "Softsign", "Tanhshrink", "Hardswish", "Hardsigmoid",
    "ReLU6", "SELU", "CELU", "LogSigmoid", "Threshold", "NLLLoss", "BCELoss", "L1Loss",
    "HuberLoss", "SmoothL1Loss", "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss",
    "TripletMarginLoss", "CTCLoss",
]


@pytest.mark.parametrize("name", ISSUE_16_NAMES)
def test_every_module_of_issue_16_exists_with_pytorchs_parameter_names(torch, name):
    assert issubclass(getattr(nn, name), nn.Module)
    assert issubclass(getattr(torch.nn, name), torch.nn.Module)


@pytest.mark.parametrize("name, args", [("ReLU", ()), ("ELU", ()), ("Hardtanh", ()),
                                        ("Dropout", ()), ("Threshold", (0.1, 0.0)),
                                        ("SiLU", ()), ("Mish", ()), ("Hardswish", ())])
def test_inplace_is_accepted_where_pytorch_has_it(name, args):
    x = tg.tensor([-1.0, 2.0])
    layer = getattr(nn, name)(*args, inplace=True).eval()
    out = layer(x)
    assert x.tolist() == [-1.0, 2.0]  # computed out of place: the input is as it was
    assert out.tolist() == getattr(nn, name)(*args).eval()(x).tolist()


def test_instance_norm_with_running_stats_evaluates_by_them_as_pytorch(torch):
    theirs = torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True).double()
    ours = nn.InstanceNorm2d(3, affine=True, track_running_stats=True).double()
    for seed in range(3):  # train: the running statistics follow the batches'
        x = _input((2, 3, 4, 5), None, seed=seed)
        ours(tg.tensor(x))
        theirs(torch.tensor(x))
    ours.eval()
    theirs.eval()
    x = _input((2, 3, 4, 5), None, seed=9)
    np.testing.assert_allclose(ours(tg.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name, shape, output_size", [
    ("ConvTranspose2d", (1, 2, 4, 5), (8, 9)),
    ("ConvTranspose2d", (1, 2, 4, 5), (1, 3, 7, 10)),
    ("ConvTranspose1d", (2, 2, 5), (10,)),
])
def test_transposed_convolution_reaches_output_size_as_pytorch(torch, name, shape, output_size):
    theirs, ours = _twins(torch, name, (2, 3, 3), {"stride": 2, "padding": 1})
    x = _input(shape, None)
    their_out = theirs(torch.tensor(x), output_size=list(output_size))
    our_out = ours(tg.tensor(x), output_size=output_size)
    np.testing.assert_allclose(our_out.data, their_out.detach().numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="out of reach"):
        ours(tg.tensor(x), output_size=(50,) * (len(shape) - 2))
