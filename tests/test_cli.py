"""The app (``tapegrad.app``): ``tapegrad train``, its outputs, its one-line errors, and its
place apart from the library. Checkpoints, resuming and stopping are in test_app_checkpoint.py,
``tapegrad eval`` in test_app_eval.py.
"""

import ast
import csv
import gzip
import os
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
                 "--optimizer", "--seed", "--out", "--resume", "--no-progress"):
        assert flag in result.stdout
    assert "(default: 40)" in result.stdout  # the defaults are shown, though flags may be absent


def test_version_is_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"tapegrad {tg.__version__}"


def test_trains_on_moons_and_writes_checkpoint_metrics_and_curves(tmp_path, capsys):
    out = tmp_path / "run"
    status = cli.main(["train", "--dataset", "moons", "--epochs", "3", "--out", str(out),
                       "--no-progress", "--optimizer", "sgd"])
    assert status == 0
    printed = capsys.readouterr().out
    assert "epoch  train loss  test loss  test acc  seconds" in printed
    with open(out / "metrics.csv") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["epoch", "train_loss", "test_loss", "test_accuracy", "lr",
                             "seconds"]
    assert [int(row["epoch"]) for row in rows] == [1, 2, 3]
    assert float(rows[-1]["test_accuracy"]) > 0.75
    assert float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"])
    assert float(rows[0]["lr"]) == 0.1 > float(rows[1]["lr"]) > float(rows[2]["lr"])  # cosine
    assert 0 < float(rows[-1]["test_loss"]) < float(rows[0]["test_loss"])
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
    checkpoint = tg.load(out / "checkpoint.npz")
    assert checkpoint["config"]["dataset"] == "moons"
    assert "1.weight" in checkpoint["model"] and "param_groups" in checkpoint["optimizer"]
    assert (out / "best.npz").exists()


def test_curves_show_loss_on_a_log_scale():
    plt = pytest.importorskip("matplotlib.pyplot")
    from tapegrad.app.outputs import curves_figure

    history = [dict(epoch=e, train_loss=1 / e, test_loss=2 / e, test_accuracy=0.5)
               for e in (1, 2)]
    figure = curves_figure(history, plt)
    loss_axes, accuracy_axes = figure.axes
    assert loss_axes.get_yscale() == "log" and accuracy_axes.get_yscale() == "linear"
    assert len(loss_axes.lines) == 2  # train and test loss
    plt.close(figure)


def test_a_log_file_gets_one_line_per_epoch_and_no_progress_bar(tmp_path):
    # no --no-progress: the bar is left out because stdout and stderr are pipes, not terminals
    result = _run("train", "--dataset", "moons", "--epochs", "2", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    rows = [line for line in result.stdout.splitlines() if line.split()[0].isdigit()]
    assert [row.split()[0] for row in rows] == ["1", "2"]


def test_a_terminal_gets_a_progress_bar(tmp_path):
    pytest.importorskip("tqdm")
    pty = pytest.importorskip("pty")  # Unix only, as are the two below
    fcntl = pytest.importorskip("fcntl")
    termios = pytest.importorskip("termios")
    leader, follower = pty.openpty()
    # a new terminal is 0 columns wide, and tqdm fits its bar into that: nothing
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "tapegrad", "train", "--dataset", "moons", "--epochs", "1",
         "--out", str(tmp_path)], stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait() == 0
    assert b"epoch 1/1" in seen and b"it/s" in seen  # tqdm's bar, with its rate


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


@pytest.mark.parametrize("args, flag, message", [
    (["--dataset", "cifar"], "--dataset", "invalid choice: 'cifar'"),
    (["--epochs", "0"], "--epochs", "must be a positive integer"),
    (["--epochs", "ten"], "--epochs", "must be a positive integer, got 'ten'"),
    (["--batch-size", "1.5"], "--batch-size", "must be a positive integer"),
    (["--seed", "-1"], "--seed", "must be an integer >= 0"),
    (["--lr", "-1"], "--lr", "must be a finite positive number, got -1"),
    (["--lr", "0"], "--lr", "must be a finite positive number, got 0"),
    (["--lr", "nan"], "--lr", "must be a finite positive number, got nan"),
    (["--lr", "inf"], "--lr", "must be a finite positive number, got inf"),
    (["--lr", "fast"], "--lr", "must be a number, got 'fast'"),
    (["--dataset", "mnist", "--data-dir", "/no/such/folder"], "--data-dir",
     "train-images-idx3-ubyte"),
    (["--dataset", "mnist"], "--data-dir", "needs --data-dir"),
    (["--dataset", "moons", "--model", "cnn"], "--model", "needs image data"),
    (["--resume", "/no/such/checkpoint.npz"], "--resume", "no checkpoint file"),
])
def test_errors_are_one_line_naming_the_flag(args, flag, message, tmp_path):
    result = _run("train", *args, "--out", str(tmp_path / "run"), "--no-progress")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert message in lines[0] and flag in lines[0]
    assert not (tmp_path / "run" / "checkpoint.npz").exists()


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
