"""Tensors print as PyTorch's do, digit for digit (issue 13: a PyTorch user compares what
tapegrad prints with what PyTorch printed)."""

import numpy as np
import pytest

import tapegrad as tg

RNG = np.random.default_rng(0)
ARRAYS = {
    "fixed": np.array([0.13141026, 0.00076906, 0.6597292], np.float32),
    "whole": np.array([1.0, 2.0], np.float32),
    "sci-small": np.array([1e-5, 1.0], np.float32),
    "sci-large": np.array([1e9, 1.0], np.float32),
    "sci-both": np.array([1e-10, 1e10]),
    "0-d": np.array(3.14159, np.float32),
    "0-d-int": np.array(5),
    "nonfinite-whole": np.array([1.0, np.nan, np.inf], np.float32),
    "nonfinite-fixed": np.array([1.5, np.nan], np.float32),
    "nan-and-zero": np.array([np.nan, 0.0], np.float32),
    "negative-zero": np.array([-0.0, 2.5], np.float32),
    "zeros": np.zeros(2, np.float32),
    "ints": np.array([[1, 2], [300, 4]]),
    "int32": np.array([1, 2], np.int32),
    "bool": np.array([True, False]),
    "empty-2d": np.zeros((2, 0), np.float32),
    "empty": np.zeros((0,), np.float32),
    "float64": np.array([-1.5, 2.25]),
    "float16": np.array([0.5, 1.5], np.float16),
    "wrapped": np.arange(30, dtype=np.float32) / 7,
    "summarized-1d": np.arange(2000, dtype=np.float32),
    "summarized-2d": np.arange(2000.0).reshape(2, 1000),
    "summarized-ints": np.arange(5000).reshape(10, 500),
    "3-d": RNG.standard_normal((2, 3, 4)).astype(np.float32),
    "4-d-sci": RNG.standard_normal((2, 2, 2, 3)).astype(np.float32) * 1e5,
    "40x50": RNG.standard_normal((40, 50)).astype(np.float32),
    "3x400-float64": RNG.standard_normal((3, 400)),
    "complex-whole": np.array([[1 + 2j, 3j]]).T,
    "complex-mixed": np.array([1.5 - 2j, -0.25 + 1e-3j]),
    "complex64": np.array([1 + 1j, 2 - 2j], np.complex64),
}


@pytest.mark.parametrize("name", ARRAYS)
def test_repr_is_pytorchs(name):
    torch = pytest.importorskip("torch")
    array = ARRAYS[name]
    expected = repr(torch.from_numpy(array.copy())).replace("torch.", "")
    assert repr(tg.tensor(array)) == expected


def test_the_graph_suffixes_follow_the_values_as_in_pytorch():
    torch = pytest.importorskip("torch")
    ours = tg.tensor(np.arange(1.5, 20.5, dtype=np.float32), requires_grad=True)
    theirs = torch.arange(1.5, 20.5, requires_grad=True)
    assert repr(ours) == repr(theirs)
    assert repr(ours * 2).replace("<Mul>", "<MulBackward0>") == repr(theirs * 2)


def test_grad_stays_an_ndarray_printed_as_numpy_prints_it():
    x = tg.tensor(1.0, requires_grad=True)
    (x * 3).backward()
    assert str(x.grad) == "3.0"
