"""nn: Module registration and state, layers against PyTorch, initialisation."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)
        self.scale = nn.Parameter(np.ones(1, dtype=np.float32))
        self.note = "not registered"

    def forward(self, x):
        return self.out(self.hidden(x).relu()) * self.scale


def test_attribute_assignment_registers_parameters_and_modules():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert [name for name, _ in model.named_children()] == ["hidden", "out"]
    assert len(list(model.modules())) == 3
    assert all(p.requires_grad and p.is_leaf for p in model.parameters())
    assert model.note == "not registered"
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        model.missing


def test_assigning_before_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"call super\(\)\.__init__\(\) first"):
        Broken()


def test_train_eval_reach_every_module():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Sequential(nn.Dropout(0.1)))
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_resets_every_parameter():
    model = TwoLayer()
    model(tg.ones(3, 4)).sum().backward()
    assert any(p.grad.any() for p in model.parameters())
    model.zero_grad()
    assert not any(p.grad.any() for p in model.parameters())


def test_state_dict_round_trip_and_errors():
    source, target = TwoLayer(), TwoLayer()
    state = source.state_dict()
    assert list(state) == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert target.load_state_dict(state) == ([], [])
    for (_, a), (_, b) in zip(source.named_parameters(), target.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data)

    before = target.hidden.weight.data.copy()
    broken = dict(state)
    broken.pop("out.bias")
    broken["extra"] = np.zeros(1)
    broken["hidden.weight"] = np.zeros((3, 3))
    with pytest.raises(RuntimeError) as error:
        target.load_state_dict(broken)
    message = str(error.value)
    assert "Missing key(s) in state_dict: 'out.bias'" in message
    assert "Unexpected key(s) in state_dict: 'extra'" in message
    assert "size mismatch for hidden.weight" in message and "(3, 3)" in message
    np.testing.assert_array_equal(target.hidden.weight.data, before)  # nothing copied
    missing, unexpected = target.load_state_dict(
        {k: v for k, v in state.items() if k != "scale"} | {"extra": 1}, strict=False)
    assert missing == ["scale"] and unexpected == ["extra"]


def test_repr_looks_like_pytorch():
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Sequential(nn.Dropout(0.1)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=64, out_features=32, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.1)\n"
        "  )\n"
        ")"
    )


def test_sequential_and_module_list_containers():
    layers = nn.ModuleList([nn.Linear(2, 2)]).extend([nn.Linear(2, 2)])
    assert len(layers) == 2 and len(list(layers.parameters())) == 4
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    assert isinstance(model[0], nn.Linear) and len(model[1:]) == 2
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.Linear(2, 2), "relu")


def test_default_initialisation_is_float32_and_seeded():
    tg.manual_seed(0)
    first = nn.Linear(100, 50)
    tg.manual_seed(0)
    second = nn.Linear(100, 50)
    np.testing.assert_array_equal(first.weight.data, second.weight.data)
    assert first.weight.dtype == np.float32 and first.bias.dtype == np.float32
    bound = 1 / np.sqrt(100)
    assert np.abs(first.weight.data).max() <= bound and np.abs(first.bias.data).max() <= bound
    assert np.abs(first.weight.data).max() > 0.9 * bound  # spread over the whole range
    conv = nn.Conv2d(4, 8, 3)
    assert np.abs(conv.weight.data).max() <= 1 / np.sqrt(4 * 9)


def test_init_functions_follow_pytorchs_formulas():
    tg.manual_seed(1)
    w = tg.zeros(200, 300)
    nn.init.xavier_uniform_(w, gain=2.0)
    assert np.abs(w.data).max() <= 2.0 * np.sqrt(6 / 500)
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert np.std(w.data) == pytest.approx(np.sqrt(2 / 300), rel=0.05)
    nn.init.zeros_(w)
    assert not w.data.any()
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.xavier_uniform_(tg.zeros(3))


def _copy_to_torch(module, torch_module, torch):
    with torch.no_grad():
        for name, tensor in torch_module.named_parameters():
            tensor.copy_(torch.tensor(module.state_dict()[name]))


@pytest.mark.parametrize("build", [
    lambda nn_: nn_.Linear(5, 3),
    lambda nn_: nn_.Conv2d(2, 4, 3, stride=2, padding=1),
    lambda nn_: nn_.LayerNorm(5),
    lambda nn_: nn_.Sequential(nn_.Linear(5, 4), nn_.GELU(), nn_.Linear(4, 2), nn_.Softmax(-1)),
], ids=["linear", "conv2d", "layer_norm", "sequential"])
def test_layers_match_pytorch(build, torch):
    ours, theirs = build(nn), build(torch.nn)
    _copy_to_torch(ours, theirs, torch)
    shape = (2, 2, 6, 6) if isinstance(ours, nn.Conv2d) else (3, 5)
    data = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    x, torch_x = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out, torch_out = ours(x), theirs(torch_x)
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    torch_out.sum().backward()
    np.testing.assert_allclose(x.grad, torch_x.grad.numpy(), rtol=1e-4, atol=1e-5)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_batch_norm_modules_track_statistics_like_pytorch(torch):
    data = np.random.default_rng(0).normal(1.0, 2.0, size=(6, 3, 4, 4)).astype(np.float32)
    ours, theirs = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    for _ in range(3):
        ours(tg.tensor(data))
        theirs(torch.tensor(data))
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-5,
                                   err_msg=name)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(tg.tensor(data)).data,
                               theirs(torch.tensor(data)).detach().numpy(), rtol=1e-4,
                               atol=1e-5)
    with pytest.raises(ValueError, match="BatchNorm2d: expected input with 3 channels"):
        ours(tg.ones(2, 3))
    assert nn.BatchNorm1d(3)(tg.randn(4, 3)).shape == (4, 3)


def test_embedding_dropout_pooling_flatten_and_losses():
    embedding = nn.Embedding(10, 4, padding_idx=0)
    assert not embedding.weight.data[0].any()
    assert embedding(np.array([[0, 3]])).shape == (1, 2, 4)
    assert nn.Flatten()(tg.ones(2, 3, 4)).shape == (2, 12)
    assert nn.MaxPool2d(2)(tg.ones(1, 1, 4, 4)).shape == (1, 1, 2, 2)
    assert nn.AvgPool2d(2, stride=1)(tg.ones(1, 1, 4, 4)).shape == (1, 1, 3, 3)
    dropout = nn.Dropout(0.5)
    assert dropout.eval()(tg.ones(4)).data.tolist() == [1.0] * 4
    logits = tg.tensor(np.zeros((2, 3)), requires_grad=True)
    assert nn.CrossEntropyLoss()(logits, np.array([0, 2])).item() == pytest.approx(np.log(3))
    assert nn.MSELoss(reduction="sum")(tg.ones(2), tg.zeros(2)).item() == 2.0
    assert nn.BCEWithLogitsLoss()(tg.zeros(2), tg.ones(2)).item() == pytest.approx(np.log(2))
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"


def test_parameters_follow_an_overridden_named_parameters_as_pytorchs_do():
    class FirstLayerFrozen(nn.Sequential):
        def named_parameters(self, prefix="", recurse=True):
            return ((name, p) for name, p in super().named_parameters(prefix, recurse)
                    if not name.startswith("0."))

    model = FirstLayerFrozen(nn.Linear(2, 3), nn.Linear(3, 1))
    assert [p.shape for p in model.parameters()] == [(1, 3), (1,)]
    assert len(list(nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1)).parameters())) == 4
