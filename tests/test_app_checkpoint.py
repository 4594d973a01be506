"""``tapegrad train`` loses no work: checkpoints every epoch, a clean stop on SIGINT/SIGTERM,
``--resume`` to the very same weights, a non-finite loss caught, ``--out`` checked first.
"""

import csv
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.app.checkpoint import KIND
from tapegrad.app.train import (
    NonFiniteLoss,
    TrainConfig,
    TrainingInterrupted,
    resume,
    train,
)


def _quiet(line):
    pass


class StopAfter:
    """A stop request that is set once ``steps`` steps have been taken (checked before each)."""

    def __init__(self, steps):
        self.checks_left = steps

    def is_set(self):
        self.checks_left -= 1
        return self.checks_left < 0


def _metrics(folder):
    """metrics.csv's rows without the wall time, which no two runs share."""
    with open(folder / "metrics.csv") as file:
        return [{key: value for key, value in row.items() if key != "seconds"}
                for row in csv.DictReader(file)]


def assert_same_run(folder, reference):
    """The two runs' final checkpoints and metrics are equal, bit for bit."""
    ours, theirs = tg.load(folder / "checkpoint.npz"), tg.load(reference / "checkpoint.npz")
    assert ours["model"].keys() == theirs["model"].keys()
    for name, weights in theirs["model"].items():
        np.testing.assert_array_equal(ours["model"][name], weights, err_msg=name)
    for index, state in theirs["optimizer"]["state"].items():
        for key, value in state.items():
            np.testing.assert_array_equal(ours["optimizer"]["state"][index][key], value)
    assert ours["optimizer"]["param_groups"] == theirs["optimizer"]["param_groups"]
    assert ours["scheduler"] == theirs["scheduler"]
    assert _metrics(folder) == _metrics(reference)


@pytest.fixture(scope="module")
def reference_runs(tmp_path_factory):
    """Uninterrupted runs to compare resumed ones with, by optimizer."""
    runs = {}
    for optimizer in ("adam", "sgd"):
        out = tmp_path_factory.mktemp(f"uninterrupted-{optimizer}")
        train(TrainConfig(dataset="moons", epochs=4, optimizer=optimizer, out=str(out),
                          progress=False), log=_quiet)
        runs[optimizer] = out
    return runs


# moons: 800 training examples in batches of 32, so 25 steps per epoch
@pytest.mark.parametrize("optimizer, steps", [
    ("adam", 37),  # in the middle of epoch 2
    ("sgd", 50),  # at the end of epoch 2, before epoch 3's first step
    ("adam", 0),  # before the first step
])
def test_resume_gives_the_uninterrupted_run(optimizer, steps, reference_runs, tmp_path):
    config = TrainConfig(dataset="moons", epochs=4, optimizer=optimizer, out=str(tmp_path),
                         progress=False)
    with pytest.raises(TrainingInterrupted) as stopped:
        train(config, log=_quiet, stop=StopAfter(steps))
    saved = tg.load(stopped.value.checkpoint)["progress"]
    assert saved["epoch"] * 25 + saved["step"] == steps
    resume(tmp_path / "checkpoint.npz", log=_quiet)
    assert_same_run(tmp_path, reference_runs[optimizer])


def test_a_checkpoint_after_every_epoch_and_the_best_one(tmp_path):
    seen = []

    def check_files(line):  # called after each epoch's checkpoint is written
        if line.split()[0].isdigit():
            seen.append((tg.load(tmp_path / "checkpoint.npz")["progress"]["epoch"],
                         tg.load(tmp_path / "best.npz")["progress"]["best_accuracy"]))

    history = train(TrainConfig(dataset="moons", epochs=3, out=str(tmp_path), progress=False),
                    log=check_files)
    assert [epoch for epoch, _ in seen] == [1, 2, 3]
    best_so_far = np.maximum.accumulate([row["test_accuracy"] for row in history])
    assert [best for _, best in seen] == list(best_so_far)
    checkpoint = tg.load(tmp_path / "checkpoint.npz")
    assert checkpoint["kind"] == KIND
    assert {"model", "optimizer", "scheduler", "config", "progress", "rng", "metrics"} \
        <= set(checkpoint)
    assert checkpoint["config"]["epochs"] == 3 and checkpoint["scheduler"]["last_epoch"] == 3
    assert [row["epoch"] for row in checkpoint["metrics"]] == [1, 2, 3]
    best = tg.load(tmp_path / "best.npz")
    best_epoch = int(np.argmax([row["test_accuracy"] for row in history])) + 1
    assert best["progress"]["epoch"] == best_epoch


def test_checkpoints_are_written_by_tg_save(tmp_path, monkeypatch):
    # tg.save writes to a temporary file and renames it, so a checkpoint is never half written
    written = []
    save = tg.save
    monkeypatch.setattr(tg, "save", lambda obj, path: (written.append(path.name), save(obj, path)))
    train(TrainConfig(dataset="moons", epochs=2, out=str(tmp_path), progress=False), log=_quiet)
    assert written.count("checkpoint.npz") == 2 and "best.npz" in written


def _command(*args):
    return [sys.executable, "-m", "tapegrad", "train", *args]


def _wait_for(path, process, seconds=15):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"no {path} after {seconds} s"
        time.sleep(0.01)


def test_sigint_saves_a_checkpoint_that_resumes_to_the_uninterrupted_run(tmp_path):
    # batches of 4 make an epoch last long enough (~0.05 s) to be interrupted part-way
    flags = ["--dataset", "moons", "--epochs", "12", "--batch-size", "4", "--no-progress"]
    interrupted, reference = tmp_path / "interrupted", tmp_path / "reference"
    process = subprocess.Popen(_command(*flags, "--out", str(interrupted)),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(interrupted / "checkpoint.npz", process)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=20)
    checkpoint = interrupted / "checkpoint.npz"
    assert process.returncode == 130, errors
    assert errors.splitlines() == [errors.strip()] and "Traceback" not in errors
    assert f"tapegrad train --resume {checkpoint}" in errors
    assert tg.load(checkpoint)["progress"]["epoch"] < 12

    resumed = subprocess.run(_command("--resume", str(checkpoint), "--no-progress"),
                             capture_output=True, text=True, timeout=30)
    assert resumed.returncode == 0, resumed.stderr
    train(TrainConfig(dataset="moons", epochs=12, batch_size=4, out=str(reference),
                      progress=False), log=_quiet)
    assert_same_run(interrupted, reference)


def test_sigterm_stops_the_same_way(tmp_path):
    process = subprocess.Popen(
        _command("--dataset", "moons", "--epochs", "1000", "--out", str(tmp_path)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(tmp_path / "checkpoint.npz", process)
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=20)
    assert process.returncode == 130, errors
    assert len(errors.strip().splitlines()) == 1 and "--resume" in errors
    assert tg.load(tmp_path / "checkpoint.npz")["progress"]["epoch"] < 1000


def _nan_from_call(calls, monkeypatch, on_test_set=False):
    """Make the training loss (or the test set's) nan from its ``calls``-th computation on."""
    from tapegrad.nn import functional as F

    cross_entropy, count = F.cross_entropy, [0]

    def poisoned(logits, labels, **options):
        loss = cross_entropy(logits, labels, **options)
        if bool(options) != on_test_set:  # the test set's loss is the one summed
            return loss
        count[0] += 1
        return loss * float("nan") if count[0] >= calls else loss

    monkeypatch.setattr(F, "cross_entropy", poisoned)


def test_a_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    _nan_from_call(2 * 25 + 5, monkeypatch)  # epoch 3, step 5
    config = TrainConfig(dataset="moons", epochs=4, lr=0.01, out=str(tmp_path), progress=False)
    with pytest.raises(NonFiniteLoss) as error:
        train(config, log=_quiet)
    message = str(error.value)
    assert "\n" not in message
    assert "nan in epoch 3 at step 5" in message and "lower --lr" in message
    assert f"{tmp_path / 'checkpoint.npz'} (epoch 2)" in message
    assert tg.load(tmp_path / "checkpoint.npz")["progress"]["epoch"] == 2
    assert len(_metrics(tmp_path)) == 2
    for weights in tg.load(tmp_path / "checkpoint.npz")["model"].values():
        assert np.isfinite(weights).all()


def test_a_nan_test_loss_writes_no_checkpoint_for_its_epoch(tmp_path, monkeypatch):
    _nan_from_call(2, monkeypatch, on_test_set=True)  # the test set holds 200 < 512 points
    with pytest.raises(NonFiniteLoss, match=r"test loss became nan after epoch 2 \(step 25\)"):
        train(TrainConfig(dataset="moons", epochs=3, out=str(tmp_path), progress=False),
              log=_quiet)
    assert tg.load(tmp_path / "checkpoint.npz")["progress"]["epoch"] == 1


def test_a_huge_lr_passes_the_parser_and_is_stopped_by_the_loss_check(tmp_path):
    result = subprocess.run(_command("--dataset", "moons", "--lr", "1e300", "--out",
                                     str(tmp_path), "--no-progress"),
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "in epoch 1 at step" in line and "--lr" in line and "no checkpoint" in line
    assert not (tmp_path / "checkpoint.npz").exists()


def test_out_is_checked_before_any_epoch(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for out in (blocker, blocker / "run"):
        result = subprocess.run(_command("--dataset", "moons", "--out", str(out)),
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 2
        (line,) = result.stderr.strip().splitlines()
        assert f"--out {out}" in line
        assert "epoch" not in result.stdout  # failed before training started


def test_out_is_created_when_missing(tmp_path):
    out = tmp_path / "new" / "folder"
    train(TrainConfig(dataset="moons", epochs=1, out=str(out), progress=False), log=_quiet)
    assert (out / "checkpoint.npz").exists()


def test_resume_takes_only_the_flags_that_say_where(tmp_path, capsys):
    from tapegrad.app import cli

    with pytest.raises(TrainingInterrupted):
        train(TrainConfig(dataset="moons", epochs=2, out=str(tmp_path), progress=False),
              log=_quiet, stop=StopAfter(30))
    assert cli.main(["train", "--resume", str(tmp_path / "checkpoint.npz"), "--lr", "1"]) == 2
    assert "argument --lr: not allowed with --resume" in capsys.readouterr().err
    moved = tmp_path / "moved"
    assert cli.main(["train", "--resume", str(tmp_path / "checkpoint.npz"), "--out",
                     str(moved), "--no-progress"]) == 0
    assert (moved / "checkpoint.npz").exists()


def test_resuming_a_finished_run_trains_nothing(tmp_path):
    history = train(TrainConfig(dataset="moons", epochs=1, out=str(tmp_path),
                                progress=False), log=_quiet)
    lines = []
    assert resume(tmp_path / "checkpoint.npz", log=lines.append) == history
    assert "nothing left to train" in lines[0]


def test_a_file_that_is_not_a_training_checkpoint_is_refused(tmp_path):
    tg.save({"weight": np.ones(2)}, tmp_path / "weights.npz")
    with pytest.raises(ValueError, match="--resume .* is not a checkpoint of tapegrad train"):
        resume(tmp_path / "weights.npz", log=_quiet)
