"""PyTorch's own beginner tutorials run with their imports switched to tapegrad and print
PyTorch's numbers (issue 13). Each program in tests/tutorials/ is a tutorial as PyTorch
publishes it, with ``import torch`` written ``import tapegrad as torch``; the test runs it
with tapegrad, switches the imports back, runs it with PyTorch, and compares what the two
printed: the same text, and numbers equal to float32 rounding. Random draws (``randn``,
``rand``, ``rand_like``) come from one NumPy generator in both runs, so they are the same."""

import contextlib
import io
import random
import re
from pathlib import Path

import numpy as np
import pytest

import tapegrad as tg

TUTORIALS = sorted(Path(__file__).parent.joinpath("tutorials").glob("*.py"))
TO_PYTORCH = [
    ("import tapegrad.nn.functional as F", "import torch.nn.functional as F"),
    ("import tapegrad as torch", "import torch"),
    ("from tapegrad.utils.data import", "from torch.utils.data import"),
    ("from tapegrad import", "from torch import"),
]
NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")


def _shared_random(monkeypatch, lib):
    """Give ``lib``'s randn, rand and rand_like draws from one seeded NumPy generator."""
    rng = np.random.default_rng(0)

    def made(draw, size, dtype, requires_grad):
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        values = np.asarray(draw(shape))
        return lib.tensor(values, dtype=dtype or lib.get_default_dtype(),
                          requires_grad=requires_grad)

    def randn(*size, dtype=None, requires_grad=False, device=None):
        return made(rng.standard_normal, size, dtype, requires_grad)

    def rand(*size, dtype=None, requires_grad=False, device=None):
        return made(rng.random, size, dtype, requires_grad)

    def rand_like(like, dtype=None):
        return made(rng.random, (tuple(like.shape),), dtype or like.dtype, False)

    for name, function in (("randn", randn), ("rand", rand), ("rand_like", rand_like)):
        monkeypatch.setattr(lib, name, function)


def _printed(source: str, path: Path) -> str:
    random.seed(0)  # dynamic_net draws its depth from Python's generator
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(source, str(path), "exec"), {"__name__": "__main__"})
    return output.getvalue()


def _text_and_numbers(printed: str) -> tuple[str, list[float]]:
    text = printed.replace("torch.", "").replace("tg.", "")
    text = re.sub(r"grad_fn=<\w+>", "grad_fn=<>", text)
    # The one difference in print: t.shape is a tuple here (t.size() is a tg.Size).
    text = re.sub(r"Size\(\[(\d+)\]\)", r"(\1,)", text)
    text = re.sub(r"Size\(\[([\d, ]+)\]\)", r"(\1)", text)
    return NUMBER.sub("#", text), [float(number) for number in NUMBER.findall(text)]


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda path: path.stem)
def test_a_pytorch_tutorial_prints_pytorchs_numbers(path, monkeypatch):
    torch = pytest.importorskip("torch")
    source = path.read_text()
    assert "import tapegrad as torch" in source
    _shared_random(monkeypatch, tg)
    ours = _printed(source, path)
    for tapegrad_line, pytorch_line in TO_PYTORCH:
        source = source.replace(tapegrad_line, pytorch_line)
    assert "tapegrad" not in source.replace("# ", "")
    _shared_random(monkeypatch, torch)
    theirs = _printed(source, path)
    our_text, our_numbers = _text_and_numbers(ours)
    their_text, their_numbers = _text_and_numbers(theirs)
    assert our_text == their_text
    np.testing.assert_allclose(our_numbers, their_numbers, rtol=2e-3, atol=1e-5)
