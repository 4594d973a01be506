"""Anomaly detection: a NaN or inf from a backward formula names the Function and the line of
the forward call that made it; errors in backward get that traceback; off, nothing changes."""

import numpy as np
import pytest

import tapegrad as tg

torch = pytest.importorskip("torch", reason="PyTorch is not installed")

# sqrt(-1) is the NaN these tests are about: NumPy's warning about it is expected.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")


def _nan_in_backward(lib):
    x = lib.tensor(np.array([-1.0, 1.0]), requires_grad=True)
    y = x.sqrt()  # nan at -1, and so is its slope
    y.sum().backward()  # the forward line is the line above; backward raises here


@pytest.mark.filterwarnings("ignore:Error detected in SqrtBackward0")
@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled")
@pytest.mark.parametrize("lib, name", [(tg, "Sqrt"), (torch, "SqrtBackward0")])
def test_a_nan_in_backward_raises_naming_the_function_as_in_pytorch(lib, name):
    with lib.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match=f"Function '{name}' returned nan values in its "
                                               "0th output"):
            _nan_in_backward(lib)


def test_the_error_shows_the_users_forward_line():
    with tg.autograd.detect_anomaly(), pytest.raises(RuntimeError) as raised:
        _nan_in_backward(tg)
    message = str(raised.value)
    assert "test_anomaly.py" in message and "y = x.sqrt()" in message
    assert "tapegrad/" not in message.split("(anomaly mode):")[1]  # the user's frames only


def test_without_anomaly_mode_the_nan_flows_through_silently():
    _nan_in_backward(tg)  # no error: as PyTorch, NaNs are not checked by default
    assert not tg.autograd.is_anomaly_enabled()


def test_check_nan_false_keeps_the_traceback_without_the_check():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    c = tg.tensor([3.0, 4.0])
    with tg.autograd.detect_anomaly(check_nan=False):
        assert tg.autograd.is_anomaly_enabled()
        assert not tg.autograd.is_anomaly_check_nan_enabled()
        _nan_in_backward(tg)  # not checked
        y = (x * c).sum()  # the line the note points to
        c += 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation") as raised:
            y.backward()
    assert any("y = (x * c).sum()" in note for note in raised.value.__notes__)


def test_an_infinity_also_raises():
    x = tg.tensor([0.0], requires_grad=True)
    with tg.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="returned inf values"):
        x.sqrt().sum().backward()


def test_set_detect_anomaly_and_the_decorator_restore_the_previous_mode():
    @tg.autograd.detect_anomaly()
    def inside():
        return tg.autograd.is_anomaly_enabled()

    assert inside() and not tg.autograd.is_anomaly_enabled()
    tg.autograd.set_detect_anomaly(True)
    try:
        assert inside() and tg.autograd.is_anomaly_enabled()
    finally:
        tg.autograd.set_detect_anomaly(False)
    assert not tg.autograd.is_anomaly_enabled()


def test_gradients_are_the_same_with_anomaly_mode_on():
    def grads():
        x = tg.tensor([0.5, 2.0], requires_grad=True)
        ((x * x).exp() / (x + 1)).sum().backward()
        return x.grad.copy()
    plain = grads()
    with tg.autograd.detect_anomaly():
        checked = grads()
    np.testing.assert_array_equal(plain, checked)
