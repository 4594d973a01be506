"""The way back from a checkpoint: ``tapegrad eval CHECKPOINT`` and ``load_checkpoint``."""

import csv
import subprocess
import sys

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.app import TrainConfig, load_checkpoint, train
from tapegrad.app.build import load_split
from tapegrad.app.evaluate import evaluate_checkpoint


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """A short run on digits: its folder, with checkpoint.npz, best.npz and metrics.csv."""
    out = tmp_path_factory.mktemp("digits")
    train(TrainConfig(epochs=2, out=str(out), progress=False), log=lambda line: None)
    return out


def _last_metrics(folder):
    with open(folder / "metrics.csv") as file:
        return list(csv.DictReader(file))[-1]


def test_load_checkpoint_gives_the_model_ready_for_inference(digits_run):
    model, config = load_checkpoint(digits_run / "checkpoint.npz")
    assert isinstance(config, TrainConfig) and config.dataset == "digits"
    assert not any(module.training for module in model.modules())
    split = load_split(config)
    with tg.no_grad():
        predictions = model(tg.tensor(split.x_test)).data.argmax(axis=1)
    accuracy = (predictions == split.y_test).mean()
    assert accuracy == float(_last_metrics(digits_run)["test_accuracy"])


def test_eval_prints_the_numbers_and_draws_the_confusion_matrix(digits_run, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tapegrad", "eval", str(digits_run / "checkpoint.npz"),
         "--out", str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    metrics = _last_metrics(digits_run)
    assert f"accuracy {float(metrics['test_accuracy']):.2%}" in result.stdout
    assert f"loss {float(metrics['test_loss']):.4f}" in result.stdout
    table = result.stdout[result.stdout.index("class  examples  precision  recall"):]
    rows = [line.split() for line in table.splitlines()[1:11]]
    assert [row[0] for row in rows] == [str(label) for label in range(10)]
    assert sum(int(row[1]) for row in rows) == 360  # the test set: 20% of 1,797 digits
    picture = tmp_path / "checkpoint-confusion.png"
    assert picture.read_bytes()[:4] == b"\x89PNG"
    assert str(picture) in result.stdout


def test_eval_draws_next_to_the_checkpoint_by_default(digits_run):
    lines = []
    evaluate_checkpoint(digits_run / "best.npz", log=lines.append)
    assert (digits_run / "best-confusion.png").exists()


def test_without_matplotlib_eval_and_train_say_so_in_one_line(digits_run, tmp_path,
                                                             monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    lines = []
    result = evaluate_checkpoint(digits_run / "checkpoint.npz", out=tmp_path, log=lines.append)
    assert 0 < result.accuracy <= 1 and any(line.startswith("accuracy") for line in lines)
    assert [line for line in lines if "matplotlib" in line] == [
        "matplotlib is not installed, so no confusion matrix picture "
        "(pip install 'tapegrad[plots]')"]
    assert not list(tmp_path.glob("*.png"))
    lines = []
    train(TrainConfig(dataset="moons", epochs=1, out=str(tmp_path), progress=False),
          log=lines.append)
    assert sum("matplotlib is not installed" in line for line in lines) == 1
    assert not (tmp_path / "curves.png").exists()


def test_checkpoints_of_the_first_tapegrad_train_still_load(digits_run, tmp_path):
    # before issue 12 a checkpoint held only the model, the optimizer and the config
    saved = tg.load(digits_run / "checkpoint.npz")
    old = {key: saved[key] for key in ("model", "optimizer", "config")}
    tg.save(old, tmp_path / "checkpoint.npz")
    model, _ = load_checkpoint(tmp_path / "checkpoint.npz")
    new_model, _ = load_checkpoint(digits_run / "checkpoint.npz")
    x = tg.tensor(np.random.default_rng(0).random((4, 1, 8, 8), dtype=np.float32))
    np.testing.assert_array_equal(model(x).data, new_model(x).data)


def test_eval_errors_are_one_line(tmp_path):
    tg.save({"weight": np.ones(2)}, tmp_path / "weights.npz")
    for path in (tmp_path / "missing.npz", tmp_path / "weights.npz"):
        result = subprocess.run([sys.executable, "-m", "tapegrad", "eval", str(path)],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 2
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("tapegrad eval: error:") and str(path) in line
