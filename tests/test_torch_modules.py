"""Modules, optimizers over frozen layers, ``nn.utils`` and legacy names behave as PyTorch's
(issue 13: a PyTorch user's code runs unchanged). Each test builds the same model in both
frameworks and compares what they report or compute."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import devices, dtypes, nn, optim
from tapegrad.legacy import Variable
from tapegrad.nn import utils

CUDA_ERROR = "tapegrad: the CUDA backend is not installed; tensors live on the CPU"


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _model(lib):
    """The same small model in tapegrad (lib = tg) or PyTorch (lib = torch)."""
    return lib.nn.Sequential(
        lib.nn.Linear(2, 3), lib.nn.ReLU(),
        lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4)),
        lib.nn.Linear(4, 1),
    )


def _mlp(lib):
    """A model to train in float64 in both frameworks (without BatchNorm, whose preceding bias
    gets a gradient of rounding noise only, which Adam would magnify differently)."""
    return lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Tanh(), lib.nn.Linear(3, 4),
                             lib.nn.ReLU(), lib.nn.Linear(4, 1)).double()


def _copy_weights(source, target, torch):
    """Give the PyTorch ``target`` the weights of the tapegrad ``source``."""
    for (name, ours), (their_name, theirs) in zip(source.named_parameters(),
                                                  target.named_parameters()):
        assert name == their_name
        theirs.data = torch.tensor(ours.data)


def _in_dtype_of(model, lib, array):
    """``array`` as a tensor of the dtype of ``model``'s weights (a layer's input must be)."""
    dtype = str(next(model.parameters()).dtype).replace("torch.", "")
    return lib.tensor(np.asarray(array, dtype=dtype))


def _data(lib, model):
    """Inputs and targets for ``_model``."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 2)), rng.standard_normal((8, 1))
    return _in_dtype_of(model, lib, x), _in_dtype_of(model, lib, y)


def _dtypes_of(lib):
    """Where the framework keeps its dtype names: tapegrad.dtypes, or torch."""
    return dtypes if lib is tg else lib


# ---------------------------------------------------------------------- walking the tree


def test_walking_the_tree_matches_pytorch(torch):
    ours, theirs = _model(tg), _model(torch)
    assert [name for name, _ in ours.named_modules()] == (
        [name for name, _ in theirs.named_modules()])
    assert [type(m).__name__ for m in ours.modules()] == (
        [type(m).__name__ for m in theirs.modules()])
    assert [name for name, _ in ours.named_children()] == (
        [name for name, _ in theirs.named_children()])
    assert [type(m).__name__ for m in ours.children()] == (
        [type(m).__name__ for m in theirs.children()])
    assert [name for name, _ in ours.named_parameters()] == (
        [name for name, _ in theirs.named_parameters()])
    assert [name for name, _ in ours.named_buffers()] == (
        [name for name, _ in theirs.named_buffers()])
    assert [name for name, _ in ours[2].named_parameters(recurse=False)] == (
        [name for name, _ in theirs[2].named_parameters(recurse=False)]) == []
    assert len(list(ours[0].parameters(recurse=False))) == 2
    assert len(list(ours[2].buffers(recurse=True))) == 3
    assert sum(p.data.size for p in ours.parameters()) == (
        sum(p.numel() for p in theirs.parameters()))


def test_apply_visits_children_first_then_self_and_returns_self(torch):
    def visits(lib):
        seen = []
        model = _model(lib)
        assert model.apply(lambda module: seen.append(type(module).__name__)) is model
        return seen

    assert visits(tg) == visits(torch)


def test_apply_initialises_the_weights_of_a_whole_model():
    def zero_linear(module):
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.weight)

    model = _model(tg).apply(zero_linear)
    assert all(not layer.weight.data.any() for layer in model.modules()
               if isinstance(layer, nn.Linear))


# ---------------------------------------------------------------------- registration


def test_add_module_registers_a_child_under_any_name(torch):
    for lib in (tg, torch):
        model = lib.nn.Module()
        model.add_module("block-1", lib.nn.ReLU())
        model.add_module("empty", None)
        assert [name for name, _ in model.named_children()] == ["block-1"]
        assert model.empty is None


# (description, what is done to a fresh Linear(2, 2), given the framework)
REFUSED_REGISTRATIONS = [
    ("module name not a string", lambda lib, m: m.add_module(3, lib.nn.ReLU())),
    ("module name with a dot", lambda lib, m: m.add_module("a.b", lib.nn.ReLU())),
    ("empty module name", lambda lib, m: m.add_module("", lib.nn.ReLU())),
    ("module name taken", lambda lib, m: m.add_module("weight", lib.nn.ReLU())),
    ("not a module", lambda lib, m: m.add_module("x", 3)),
    ("parameter not a Parameter", lambda lib, m: m.register_parameter("x", lib.zeros(2))),
    ("parameter name taken", lambda lib, m: m.register_parameter(
        "training", lib.nn.Parameter(lib.zeros(2)))),
    ("buffer name with a dot", lambda lib, m: m.register_buffer("a.b", lib.zeros(1))),
    ("buffer name taken", lambda lib, m: m.register_buffer("weight", lib.zeros(1))),
    ("tensor assigned to a parameter", lambda lib, m: setattr(m, "weight", lib.zeros(2, 2))),
    ("number assigned to a child", lambda lib, m: setattr(
        _with_child(lib), "child", 3)),
    ("training mode not a bool", lambda lib, m: m.train("yes")),
]


def _with_child(lib):
    parent = lib.nn.Module()
    parent.child = lib.nn.ReLU()
    return parent


@pytest.mark.parametrize("action", [row[1] for row in REFUSED_REGISTRATIONS],
                         ids=[row[0] for row in REFUSED_REGISTRATIONS])
def test_refused_registrations_raise_pytorchs_exception_types(torch, action):
    with pytest.raises(Exception) as theirs:  # noqa: B017 - the type is what is compared
        action(torch, torch.nn.Linear(2, 2))
    with pytest.raises(theirs.type):
        action(tg, tg.nn.Linear(2, 2))


def test_register_parameter_and_assigning_none_keep_the_name_registered(torch):
    for lib in (tg, torch):
        model = lib.nn.Linear(2, 2)
        model.register_parameter("extra", lib.nn.Parameter(lib.ones(3)))
        model.bias = None
        model.register_parameter("gate", None)
        assert [name for name, _ in model.named_parameters()] == ["weight", "extra"]
        assert model.bias is None and model.gate is None
        model.bias = lib.nn.Parameter(lib.zeros(2))
        assert [name for name, _ in model.named_parameters()] == ["weight", "bias", "extra"]


def test_non_persistent_buffers_stay_out_of_the_state_dict(torch):
    def keys(lib):
        model = lib.nn.Linear(2, 2)
        model.register_buffer("steps", lib.zeros(1))
        model.register_buffer("scratch", lib.zeros(3), persistent=False)
        model.register_buffer("nothing", None)
        model.scratch = lib.ones(3)  # assigning a tensor keeps it a (non-persistent) buffer
        buffers = [name for name, _ in model.named_buffers()]
        state = model.state_dict()
        model.load_state_dict(state)  # strict: the left-out buffer is not missing
        return buffers, list(state)

    assert keys(tg) == keys(torch) == (["steps", "scratch"], ["weight", "bias", "steps"])


def test_a_buffer_replaced_by_a_parameter_is_a_buffer_no_more(torch):
    for lib in (tg, torch):
        model = lib.nn.Module()
        model.register_buffer("scale", lib.ones(1), persistent=False)
        model.scale = lib.nn.Parameter(lib.ones(1))
        assert [name for name, _ in model.named_parameters()] == ["scale"]
        assert list(model.named_buffers()) == []
        model.register_buffer("shift", lib.ones(1), persistent=False)
        del model.shift
        model.register_buffer("shift", lib.ones(1))  # persistent again
        assert list(model.state_dict()) == ["scale", "shift"]


# ---------------------------------------------------------------------- modes and grads


def test_requires_grad_freezes_every_parameter_and_returns_self(torch):
    for lib in (tg, torch):
        model = _model(lib)
        assert model.requires_grad_(False) is model
        assert not any(p.requires_grad for p in model.parameters())
        model[0].requires_grad_()
        assert [p.requires_grad for p in model.parameters()] == [True, True] + [False] * 6


def test_zero_grad_drops_or_zeroes_the_gradients_as_pytorch_does(torch):
    def gradients_after(lib, set_to_none):
        model = _model(lib)
        model[3].requires_grad_(False)
        x, y = _data(lib, model)
        ((model(x) - y) ** 2).mean().backward()
        model.zero_grad(set_to_none=set_to_none)
        # tapegrad's .grad reads as zeros when there is none; accumulated_grad tells
        gradients = [p.accumulated_grad if lib is tg else p.grad for p in model.parameters()]
        return [None if grad is None else float(abs(grad).sum()) for grad in gradients]

    for set_to_none in (True, False):
        assert gradients_after(tg, set_to_none) == gradients_after(torch, set_to_none)


def test_train_and_eval_return_self_and_reach_the_whole_tree():
    model = _model(tg)
    assert model.eval() is model and not any(m.training for m in model.modules())
    assert model.train() is model and all(m.training for m in model.modules())


# ---------------------------------------------------------------------- printing


class _Scaled:
    """A module with a two-line extra_repr, defined alike in both frameworks."""

    @staticmethod
    def make(lib, children: bool):
        class Scaled(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = lib.nn.Parameter(lib.ones(2))
                if children:
                    self.inner = lib.nn.Linear(2, 2)

            def extra_repr(self):
                return "scale=2\nshift=0"

        return Scaled()


class _Tagged:
    @staticmethod
    def make(lib):
        class Tagged(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = lib.nn.Sequential(lib.nn.Linear(1, 2), lib.nn.Tanh())

            def extra_repr(self):
                return "tag=1"

        return Tagged()


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Module(),
    lambda lib: lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(),
                                  lib.nn.Sequential(lib.nn.Linear(3, 1), lib.nn.Sigmoid())),
    lambda lib: _Scaled.make(lib, children=False),
    lambda lib: _Scaled.make(lib, children=True),
    _Tagged.make,
], ids=["empty", "nested", "extra lines", "extra lines and children", "extra and children"])
def test_repr_is_pytorchs(torch, make):
    assert repr(make(tg)) == repr(make(torch))


# ---------------------------------------------------------------------- dtypes and devices


@pytest.mark.parametrize("convert", [
    lambda m, lib, names: m.to(names.float32), lambda m, lib, names: m.to(dtype=names.float16),
    lambda m, lib, names: m.float(), lambda m, lib, names: m.double(),
    lambda m, lib, names: m.half(), lambda m, lib, names: m.to("cpu", names.float32),
    lambda m, lib, names: m.to(lib.zeros(1, dtype=names.half)),
], ids=["to(float32)", "to(dtype=float16)", "float", "double", "half", "to(cpu, float32)",
        "to(tensor)"])
def test_to_converts_floating_parameters_and_buffers_in_place(torch, convert):
    def dtypes_after(lib):
        model = _model(lib)
        before = list(model.parameters())
        x, y = _data(lib, model)
        ((model(x) - y) ** 2).mean().backward()
        assert convert(model, lib, _dtypes_of(lib)) is model
        assert all(a is b for a, b in zip(before, model.parameters()))  # the same objects
        grads = [str(p.grad.dtype).replace("torch.", "") for p in model.parameters()]
        tensors = [str(t.dtype).replace("torch.", "")
                   for t in [*model.parameters(), *model.buffers()]]
        return tensors, grads

    assert dtypes_after(tg) == dtypes_after(torch)


def test_to_the_cpu_changes_nothing_and_returns_self():
    model = _model(tg)
    weights = [p.data for p in model.parameters()]
    for place in ("cpu", "cpu:0", devices.device("cpu")):
        assert model.to(place) is model
        assert model.to(device=place) is model
    assert model.cpu() is model
    assert all(np.shares_memory(a, p.data) for a, p in zip(weights, model.parameters()))


def test_cuda_is_a_clear_error():
    model = _model(tg)
    for move in (model.cuda, lambda: model.to("cuda"), lambda: model.to(device="cuda:0"),
                 lambda: model.to(devices.device("mps"))):
        with pytest.raises(RuntimeError, match="backend is not installed; tensors live on"):
            move()
    with pytest.raises(RuntimeError, match=f"^{CUDA_ERROR}$"):
        model.cuda()


def test_to_refuses_integer_dtypes_and_strange_arguments(torch):
    with pytest.raises(TypeError, match="floating point"):
        _model(tg).to(np.int64)
    with pytest.raises(TypeError):
        _model(torch).to(torch.int64)
    with pytest.raises(TypeError, match="device, a dtype or a tensor"):
        _model(tg).to(3.5)
    with pytest.raises(TypeError, match="unexpected keyword"):
        _model(tg).to(memory="pinned")


@pytest.mark.parametrize("make_layer, shape", [
    (lambda lib: lib.nn.Linear(2, 3), (4, 2)),
    (lambda lib: lib.nn.Conv2d(1, 2, 3), (1, 1, 5, 5)),
    (lambda lib: lib.nn.Conv1d(1, 2, 3), (1, 1, 5)),
    (lambda lib: lib.nn.ConvTranspose2d(1, 2, 3), (1, 1, 5, 5)),
])
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_a_float32_layer_fed_other_data_raises_as_pytorchs_does(torch, make_layer, shape, dtype):
    """NumPy would widen the float32 model to float64 silently; PyTorch refuses, so do we."""
    with pytest.raises(RuntimeError):
        make_layer(torch)(torch.ones(shape, dtype=getattr(torch, dtype)))
    layer = make_layer(tg)
    weights = [p.data.copy() for p in layer.parameters()]
    for data in (np.ones(shape, dtype=dtype), tg.ones(shape, dtype=getattr(tg, dtype))):
        with pytest.raises(RuntimeError, match=f"input has dtype {dtype} but weight has "
                                               "dtype float32; they must be the same"):
            layer(data)
    assert all(np.array_equal(w, p.data) for w, p in zip(weights, layer.parameters()))
    assert layer.double()(np.ones(shape)).dtype == np.float64


def test_an_optimizer_keeps_working_after_to():
    model = nn.Linear(2, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    model.double()
    x, y = _data(tg, model)
    ((model(x) - y) ** 2).mean().backward()
    before = model.weight.data.copy()
    optimizer.step()
    assert model.weight.dtype == np.float64 and not np.array_equal(before, model.weight.data)


# ---------------------------------------------------------------------- frozen layers


@pytest.mark.parametrize("make_optimizer", [
    lambda lib, params: lib.optim.SGD(params, lr=0.1, momentum=0.9),
    lambda lib, params: lib.optim.Adam(params, lr=0.01),
    lambda lib, params: lib.optim.AdamW(params, lr=0.01, weight_decay=0.1),
], ids=["SGD", "Adam", "AdamW"])
def test_fine_tuning_with_a_frozen_layer_matches_pytorch(torch, make_optimizer):
    ours, theirs = _mlp(tg), _mlp(torch)
    _copy_weights(ours, theirs, torch)
    frozen = ours[0].weight.data.copy()
    for model, lib in ((ours, tg), (theirs, torch)):
        model[0].requires_grad_(False)  # the first layer is frozen, as when fine-tuning
        optimizer = make_optimizer(lib, model.parameters())
        x, y = _data(lib, model)
        for _ in range(3):
            optimizer.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            optimizer.step()
    np.testing.assert_array_equal(ours[0].weight.data, frozen)
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)


def test_parameter_groups_with_their_own_options_match_pytorch(torch):
    ours, theirs = _mlp(tg), _mlp(torch)
    _copy_weights(ours, theirs, torch)
    for model, lib in ((ours, tg), (theirs, torch)):
        model[4].requires_grad_(False)
        optimizer = lib.optim.SGD([
            {"params": model[0].parameters(), "lr": 0.5, "momentum": 0.5},
            {"params": model[2].parameters(), "weight_decay": 0.1},
            {"params": model[4].parameters()},  # frozen: listed, and left alone
        ], lr=0.05)
        x, y = _data(lib, model)
        for _ in range(3):
            optimizer.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            optimizer.step()
        assert [group["lr"] for group in optimizer.param_groups] == [0.5, 0.05, 0.05]
    for a, b in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_a_frozen_parameter_gets_no_state_and_starts_moving_when_unfrozen():
    w = tg.tensor([1.0, 2.0])
    b = tg.tensor(0.5, requires_grad=True)
    optimizer = optim.Adam([w, b], lr=0.1)
    (w * b).sum().backward()
    optimizer.step()
    assert w.data.tolist() == [1.0, 2.0] and optimizer.state[w] == {}
    w.requires_grad_()
    optimizer.zero_grad()
    (w * b).sum().backward()
    optimizer.step()
    assert w.data.tolist() != [1.0, 2.0] and "exp_avg" in optimizer.state[w]


# ---------------------------------------------------------------------- nn.utils


def test_clip_grad_norm_is_optims_one():
    assert utils.clip_grad_norm_ is optim.clip_grad_norm_
    assert nn.utils is utils


def test_clip_grad_value_matches_pytorch(torch):
    ours, theirs = nn.Linear(3, 2).double(), torch.nn.Linear(3, 2).double()
    # weights whose gradients go past 1.5 and a bias whose gradient does not
    ours.weight.data[...] = (np.arange(6.0).reshape(2, 3) - 2.5) * 0.2
    ours.bias.data[...] = 0.0
    _copy_weights(ours, theirs, torch)
    for model, lib in ((ours, tg), (theirs, torch)):
        x = lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3))
        (model(x) ** 2).sum().backward()
        lib.nn.utils.clip_grad_value_(model.parameters(), 1.5)
    for a, b in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12)
    assert abs(ours.weight.grad).min() == 1.5 and abs(ours.bias.grad).max() < 1.5
    w = tg.tensor([3.0], requires_grad=True)
    utils.clip_grad_value_(w, 1.0)  # no gradient yet: nothing to clip
    assert w.accumulated_grad is None


def test_parameters_to_vector_matches_pytorch_and_carries_the_gradient(torch):
    ours, theirs = _model(tg), _model(torch)
    _copy_weights(ours, theirs, torch)
    vector = utils.parameters_to_vector(ours.parameters())
    expected = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(vector.data, expected.detach().numpy())
    (vector * vector).sum().backward()
    (expected * expected).sum().backward()
    for a, b in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12)


def test_vector_to_parameters_matches_pytorch_and_shares_the_vectors_memory(torch):
    ours, theirs = _model(tg), _model(torch)
    size = sum(p.data.size for p in ours.parameters())
    values = np.linspace(-1, 1, size)
    vector = tg.tensor(values)
    utils.vector_to_parameters(vector, ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(values), theirs.parameters())
    for a, b in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_array_equal(a.data, b.detach().numpy())
    vector.data[0] = 100.0
    assert ours[0].weight.data.flat[0] == 100.0


def test_vector_to_parameters_refuses_what_does_not_fit():
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="expected a Tensor"):
        utils.vector_to_parameters(np.zeros(6), model.parameters())
    with pytest.raises(ValueError, match="has 5 elements, the parameters need 6"):
        utils.vector_to_parameters(tg.zeros(5), model.parameters())
    with pytest.raises(ValueError, match="1-d"):
        utils.vector_to_parameters(tg.zeros(2, 3), model.parameters())


# ---------------------------------------------------------------------- legacy names


def test_variable_wraps_a_tensor_as_pytorchs_does(torch):
    for lib, variable in ((tg, Variable), (torch, torch.autograd.Variable)):
        data = lib.tensor([1.0, 2.0])
        wrapped = variable(data, requires_grad=True)
        assert wrapped is not data and wrapped.requires_grad and not data.requires_grad
        assert isinstance(data, variable) and wrapped.is_leaf
        (wrapped * 2).sum().backward()
        assert wrapped.grad.tolist() == [2.0, 2.0]
        assert variable(data).requires_grad is False
        with pytest.raises(TypeError, match="has to be a tensor"):
            variable([1.0, 2.0])
    plain = Variable(tg.tensor([3.0]))
    plain.data[0] = 4.0  # shares the data, as PyTorch's does
    with pytest.warns(UserWarning, match="volatile"):
        Variable(tg.tensor([1.0]), volatile=True)
    assert Variable().shape == (0,)


def test_utils_data_is_tapegrads_data():
    import tapegrad.data
    from tapegrad.utils.data import DataLoader, TensorDataset

    assert DataLoader is tapegrad.data.DataLoader
    batches = list(DataLoader(TensorDataset(np.arange(6.0)), batch_size=4))
    assert [batch[0].shape for batch in batches] == [(4,), (2,)]
    import tapegrad.utils

    assert tapegrad.utils.data.random_split is tapegrad.data.random_split
