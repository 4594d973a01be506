"""``out=`` on ``tg.*`` functions, as PyTorch's (the 60-minute blitz writes
``torch.matmul(tensor, tensor.T, out=y3)``)."""

import numpy as np
import pytest

import tapegrad as tg


def test_out_receives_the_result_and_is_returned_as_in_pytorch():
    torch = pytest.importorskip("torch")
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    ours, theirs = tg.zeros(2, 2), torch.zeros(2, 2)
    assert tg.matmul(tg.tensor(a), tg.tensor(a.T), out=ours) is ours
    torch.matmul(torch.from_numpy(a), torch.from_numpy(a.T), out=theirs)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    resized = tg.zeros(5)
    tg.mul(tg.tensor(a), 2.0, out=resized)  # PyTorch resizes out to the result's shape
    np.testing.assert_array_equal(resized.data, a * 2)


def test_out_is_refused_where_a_gradient_would_be_needed():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    out = tg.zeros(2)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        tg.exp(w, out=out)
    np.testing.assert_array_equal(out.data, [0.0, 0.0])
    with tg.no_grad():
        tg.exp(w, out=out)
    np.testing.assert_allclose(out.data, np.exp([1.0, 2.0]), rtol=1e-6)
    with pytest.raises(TypeError, match="can't be cast to the desired output type int64"):
        tg.exp(tg.tensor([1.0]), out=tg.tensor([0]))
    with pytest.raises(TypeError, match="out= must be a Tensor"):
        tg.exp(tg.tensor([1.0]), out=np.zeros(1))


def test_accelerator_and_default_device_answer_as_on_a_machine_without_one():
    assert tg.accelerator.is_available() is False
    assert tg.accelerator.current_accelerator() is None
    tg.set_default_device("cpu")
    assert tg.get_default_device() == tg.device("cpu")
    with pytest.raises(RuntimeError, match="CUDA backend is not installed"):
        tg.set_default_device("cuda")
