"""The app (``tapegrad.app``): ``tapegrad train``, its outputs, its one-line errors, and its
place apart from the library.
"""

import ast
import csv
import gzip
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.app import cli
from tapegrad.app.train import TrainConfig, train


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tapegrad", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_help_explains_every_flag():
    result = _run("train", "--help")
    assert result.returncode == 0
    for flag in ("--dataset", "--data-dir", "--model", "--epochs", "--batch-size", "--lr",
                 "--optimizer", "--seed", "--out", "--no-progress"):
        assert flag in result.stdout


def test_trains_on_moons_and_writes_checkpoint_metrics_and_curves(tmp_path, capsys):
    out = tmp_path / "run"
    status = cli.main(["train", "--dataset", "moons", "--epochs", "3", "--out", str(out),
                       "--no-progress", "--optimizer", "sgd"])
    assert status == 0
    printed = capsys.readouterr().out
    assert "epoch  train loss  test acc  seconds" in printed
    with open(out / "metrics.csv") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["epoch"]) for row in rows] == [1, 2, 3]
    assert float(rows[-1]["test_accuracy"]) > 0.75
    assert float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"])
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
    checkpoint = tg.load(out / "checkpoint.npz")
    assert checkpoint["config"]["dataset"] == "moons"
    assert "1.weight" in checkpoint["model"] and "param_groups" in checkpoint["optimizer"]


def test_mlp_learns_digits(tmp_path, capsys):
    history = train(TrainConfig(epochs=4, out=str(tmp_path), progress=False))
    assert history[-1]["test_accuracy"] > 0.9


def _write_idx(path, array, magic):
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in array.shape)
    with gzip.open(path, "wb") as file:
        file.write(header + array.astype(np.uint8).tobytes())


def test_trains_a_cnn_on_mnist_files(tmp_path):
    rng = np.random.default_rng(0)
    for kind, count in (("train", 40), ("t10k", 20)):
        _write_idx(tmp_path / f"{kind}-images-idx3-ubyte.gz",
                   rng.integers(0, 256, (count, 28, 28)), 0x803)
        _write_idx(tmp_path / f"{kind}-labels-idx1-ubyte.gz", rng.integers(0, 10, count), 0x801)
    result = _run("train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--model", "cnn",
                  "--epochs", "1", "--out", str(tmp_path / "run"), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "run" / "checkpoint.npz").exists()


@pytest.mark.parametrize("args, message", [
    (["--dataset", "cifar"], "invalid choice: 'cifar'"),
    (["--epochs", "0"], "must be a positive integer"),
    (["--lr", "-1"], "must be a positive number"),
    (["--dataset", "mnist", "--data-dir", "/no/such/folder"], "train-images-idx3-ubyte"),
    (["--dataset", "mnist"], "needs --data-dir"),
    (["--dataset", "moons", "--model", "cnn"], "needs image data"),
])
def test_errors_are_one_line(args, message, tmp_path):
    result = _run("train", *args, "--out", str(tmp_path), "--no-progress")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr


PACKAGE = Path(tg.__file__).parent
# The library's inner workings: the app reaches them only through ``tg`` and its subpackages.
INTERNALS = ("tapegrad.tensor", "tapegrad.engine", "tapegrad.function", "tapegrad.ops")


def _imported_modules(path):
    """(module, names) for each import in ``path``; ``names`` is empty for ``import module``."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, tuple(alias.name for alias in node.names)


def test_app_uses_only_the_public_api():
    for path in sorted((PACKAGE / "app").glob("*.py")):
        for module, names in _imported_modules(path):
            if module.split(".")[0] != "tapegrad" or module.startswith("tapegrad.app"):
                continue
            where = f"{path.name} imports {module} {names or ''}"
            assert not any(part.startswith("_") for part in module.split(".")), where
            assert not any(name.startswith("_") for name in names), where
            assert not module.startswith(INTERNALS), where
            if module == "tapegrad":
                assert set(names) <= set(tg.__all__), where


def test_the_library_does_not_import_the_app():
    # __main__.py is the one door from ``python -m tapegrad`` into the app.
    library = [path for path in PACKAGE.rglob("*.py")
               if "app" not in path.relative_to(PACKAGE).parts and path.name != "__main__.py"]
    for path in library:
        for module, names in _imported_modules(path):
            assert not module.startswith("tapegrad.app"), f"{path} imports {module}"
            assert not (module == "tapegrad" and "app" in names), f"{path} imports the app"
