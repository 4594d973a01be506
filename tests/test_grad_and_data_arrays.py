"""``.grad`` and ``.data`` stay ndarrays (the course exercise's meaning) and also answer the
PyTorch methods tutorials call on them, writing through to the tensor (issue 13, part 6)."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _pair(torch, values=(1.0, -2.0, 3.0)):
    """The same leaf in both frameworks, after backward of sum(x³)."""
    ours = tg.tensor(np.array(values), requires_grad=True)
    theirs = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    (ours ** 3).sum().backward()
    (theirs ** 3).sum().backward()
    return ours, theirs


# Each row: what a tutorial does to a leaf x (in either framework), then reads back.
TUTORIAL_CALLS = {
    "grad.zero_": lambda x: x.grad.zero_(),
    "grad.data.zero_": lambda x: x.grad.data.zero_(),
    "data.sub_(grad.data * lr)": lambda x: x.data.sub_(x.grad.data * 0.1),
    "data.add_(grad, alpha)": lambda x: x.data.add_(x.grad, alpha=-0.5),
    "data.mul_": lambda x: x.data.mul_(3.0),
    "data.div_": lambda x: x.data.div_(4.0),
    "data.clamp_": lambda x: x.data.clamp_(-1.5, 1.5),
    "data.fill_": lambda x: x.data.fill_(0.25),
    "grad.clone().add_": lambda x: x.grad.clone().add_(1.0),
    "data.copy_": lambda x: x.data.copy_(x.grad),
}


@pytest.mark.parametrize("call", TUTORIAL_CALLS)
def test_methods_on_grad_and_data_write_through_as_pytorchs_do(torch, call):
    ours, theirs = _pair(torch)
    result = TUTORIAL_CALLS[call](ours)
    expected = TUTORIAL_CALLS[call](theirs)
    np.testing.assert_allclose(result, expected.numpy())
    np.testing.assert_allclose(ours.data, theirs.detach().numpy())
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy())


def test_norm_of_grad_and_data_matches_pytorch(torch):
    ours, theirs = _pair(torch)
    for p in (2, 1, float("inf")):
        assert float(ours.grad.norm(p)) == pytest.approx(float(theirs.grad.norm(p)))
    assert float(ours.data.norm()) == pytest.approx(float(theirs.data.norm()))
    matrix = tg.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(matrix.data.norm(dim=1),
                               torch.arange(6.0, dtype=torch.float64).reshape(2, 3).norm(dim=1))


def test_they_stay_ndarrays_and_what_you_compute_from_them_is_a_plain_ndarray():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    for array in (x.grad, x.data):
        assert isinstance(array, np.ndarray)
        for result in (array * 2, np.exp(array), array + array, array.sum(axis=0, keepdims=True)):
            assert type(result) is np.ndarray
    assert str(x.grad) == "[2. 4.]" and repr(x.grad) == "array([2., 4.], dtype=float32)"
    assert type(x.numpy()) is np.ndarray and type(x.grad.numpy()) is np.ndarray
    assert type(tg.tensor(x.data)._data) is np.ndarray


def test_the_blitz_update_loop_trains_as_in_pytorch(torch):
    """The 60-minute blitz's manual update: ``f.data.sub_(f.grad.data * learning_rate)``."""
    ours, theirs = nn.Linear(3, 2).double(), torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data.copy()))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data.copy()))
    inputs = np.random.default_rng(0).standard_normal((4, 3))
    for model, x in ((ours, tg.tensor(inputs)), (theirs, torch.from_numpy(inputs))):
        for _ in range(3):
            model.zero_grad()
            (model(x) ** 2).sum().backward()
            for f in model.parameters():
                f.data.sub_(f.grad.data * 0.01)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy())


def test_init_through_data_uses_the_seeded_generator():
    tg.manual_seed(3)
    layer = nn.Linear(50, 40)
    layer.weight.data.normal_(0.0, 0.02)
    layer.bias.data.uniform_(-0.5, 0.5)
    assert abs(layer.weight.data.std() - 0.02) < 0.002
    assert -0.5 <= layer.bias.data.min() and layer.bias.data.max() <= 0.5
    tg.manual_seed(3)
    again = nn.Linear(50, 40)
    again.weight.data.normal_(0.0, 0.02)
    np.testing.assert_array_equal(again.weight.data, layer.weight.data)


def test_a_bad_in_place_update_names_the_method_and_changes_nothing():
    x = tg.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"add_: cannot update an array of shape \(2,\)"):
        x.data.add_(np.ones(3))
    counts = tg.tensor([1, 2])
    with pytest.raises(TypeError, match="mul_: cannot update an array of shape"):
        counts.data.mul_(1.5)
    np.testing.assert_array_equal(x.data, [1.0, 2.0])
    np.testing.assert_array_equal(counts.data, [1, 2])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax",
                                  "NAdam", "RAdam", "Adadelta"])
def test_optimizer_state_holds_plain_ndarrays(name):
    """The arrays an optimizer keeps are its own, not views that carry tensor methods."""
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    options = {"momentum": 0.9} if name == "SGD" else {}  # plain SGD keeps no state
    optimizer = getattr(tg.optim, name)([w], lr=0.1, **options)
    for _ in range(2):
        optimizer.zero_grad()
        (w * w).sum().backward()
        optimizer.step()
    arrays = [v for v in optimizer.state_dict()["state"][0].values() if isinstance(v, np.ndarray)]
    assert arrays and all(type(array) is np.ndarray for array in arrays)


def test_an_update_through_data_keeps_the_tensors_array():
    """``w.data -= step`` changes the tensor's own array in place: the tensor keeps it (so
    views and optimizers made before see the change) and counts a version."""
    for w in (tg.tensor(np.ones(4), requires_grad=True), tg.tensor(np.ones(8))[2:6]):
        array, version = w._data, w._version
        w.data -= 0.5
        assert w._data is array and w._version == version + 1
        np.testing.assert_array_equal(w.data, [0.5] * 4)
