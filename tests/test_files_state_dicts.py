"""Module.load_state_dict from checkpoint files: all checked before anything is copied."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.factor = nn.Parameter(np.array(1.0, np.float32))


class Net(nn.Module):
    """Float32 weights, an int64 buffer (BatchNorm's count), and a 0-d parameter last."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.norm = nn.BatchNorm1d(4)
        self.out = nn.Linear(4, 2)
        self.scale = Scale()


def _tensors(model):
    return [*model.named_parameters(), *model.named_buffers()]


def _snapshot(model):
    return {name: (tensor, tensor.data, tensor.data.copy()) for name, tensor in _tensors(model)}


def _assert_unchanged(model, snapshot):
    assert len(_tensors(model)) == len(snapshot) == 10
    for name, tensor in _tensors(model):
        before_tensor, before_data, before_values = snapshot[name]
        assert tensor is before_tensor and np.shares_memory(tensor.data, before_data), name
        assert tensor.data.dtype == before_values.dtype, name
        np.testing.assert_array_equal(tensor.data, before_values, err_msg=name)


def _checkpoint():
    """Another Net's state, through a file, so every entry differs from a fresh Net's."""
    tg.manual_seed(1)
    source = Net()
    source.norm.num_batches_tracked.data += 7
    return dict(source.state_dict())


@pytest.mark.parametrize("name, value, match", [
    pytest.param("scale.factor", None, r"invalid value for scale.factor: expected an array of "
                 r"shape \(\) and dtype float32 from the checkpoint, got NoneType", id="None"),
    pytest.param("scale.factor", "abc", "invalid value for scale.factor: .* got str",
                 id="text"),
    pytest.param("scale.factor", np.array("1.5"), "dtype mismatch for scale.factor: the "
                 "checkpoint has dtype <U3, which does not convert to the model's float32",
                 id="text-array"),
    pytest.param("scale.factor", np.array(object()), "dtype mismatch for scale.factor: .* "
                 "dtype object", id="object-array"),
    pytest.param("scale.factor", np.array(1 + 2j), "dtype mismatch .* complex128",
                 id="complex"),
    pytest.param("scale.factor", np.array(1e300), r"value out of range for scale.factor: the "
                 r"checkpoint's 1e\+300 \(float64\) does not fit in the model's float32",
                 id="overflow"),
    pytest.param("scale.factor", {}, "invalid value for scale.factor: .* got dict", id="dict"),
    pytest.param("out.bias", np.array(["a", "b"]), "dtype mismatch for out.bias: .* <U1",
                 id="text-array-(2,)"),
    pytest.param("out.bias", np.array([None, None]), "dtype mismatch for out.bias: .* object",
                 id="object-array-(2,)"),
    pytest.param("out.bias", [[1.0], [2.0, 3.0]], "invalid value for out.bias: expected an "
                 r"array of shape \(2,\) and dtype float32 from the checkpoint \(", id="ragged"),
    pytest.param("norm.num_batches_tracked", np.array(7.5), "dtype mismatch for "
                 "norm.num_batches_tracked: the checkpoint has dtype float64, which does not "
                 "convert to the model's int64", id="float-into-int"),
    pytest.param("out.bias", np.zeros(3, np.float32), r"size mismatch for out.bias: copying a "
                 r"param with shape \(3,\) from the checkpoint, the shape in the current model "
                 r"is \(2,\)", id="shape"),
])
def test_a_bad_last_entry_leaves_every_tensor_as_it_was(tmp_path, name, value, match):
    state = _checkpoint()
    tg.save(state, tmp_path / "net.npz")
    state = tg.load(tmp_path / "net.npz")
    state[name] = value
    state[name] = state.pop(name)  # last, so every other entry would be copied before it
    model = Net()
    snapshot = _snapshot(model)
    with pytest.raises(RuntimeError, match=match):
        model.load_state_dict(state)
    _assert_unchanged(model, snapshot)


def test_every_problem_is_reported_at_once():
    state = _checkpoint()
    state["hidden.bias"] = None
    state["out.weight"] = np.zeros((3, 3))
    del state["out.bias"]
    with pytest.raises(RuntimeError) as caught:
        Net().load_state_dict(state)
    message = str(caught.value)
    assert "Missing key(s) in state_dict: 'out.bias'" in message
    assert "invalid value for hidden.bias" in message and "size mismatch for out.weight" in message


def test_checkpoint_values_convert_to_the_models_dtypes():
    state = {name: np.asarray(value, np.float64 if value.dtype.kind == "f" else np.int32)
             for name, value in _checkpoint().items()}
    state["out.bias"] = [1, 2]  # a list of ints: NumPy reads it as an array
    state["scale.factor"] = 0.5
    model = Net()
    model.load_state_dict(state)
    for name, tensor in _tensors(model):
        assert tensor.data.dtype == (np.int64 if "num_batches" in name else np.float32), name
    np.testing.assert_array_equal(model.out.bias.data, [1.0, 2.0])
    assert model.norm.num_batches_tracked.data == 7 and model.scale.factor.data == 0.5


def test_non_finite_weights_load_as_in_pytorch():
    # A diverged run's checkpoint must be loadable to be inspected.
    state = _checkpoint()
    state["hidden.weight"] = state["hidden.weight"].copy()
    state["hidden.weight"][0, :] = [np.nan, np.inf, -np.inf]
    model = Net()
    model.load_state_dict(state)
    np.testing.assert_array_equal(model.hidden.weight.data[0], [np.nan, np.inf, -np.inf])


def test_the_models_own_arrays_swapped_between_layers_load_swapped():
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    first, second = model[0].weight.data.copy(), model[1].weight.data.copy()
    state = model.state_dict()  # the arrays themselves, not copies
    swapped = {"0.weight": state["1.weight"], "1.weight": state["0.weight"],
               "0.bias": state["0.bias"], "1.bias": state["1.bias"]}
    model.load_state_dict(swapped)
    np.testing.assert_array_equal(model[0].weight.data, second)
    np.testing.assert_array_equal(model[1].weight.data, first)


def test_a_state_dict_that_is_not_a_mapping_is_a_type_error():
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got list"):
        Net().load_state_dict([("out.bias", np.zeros(2))])
