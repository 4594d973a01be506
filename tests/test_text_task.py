"""The text task (issue 16): ``tapegrad train --task text`` trains a character model through the
same loop, checkpoints and resume as the classifiers, and ``tapegrad sample`` writes with it.
The corpus is cut to its first 30,000 characters here, so that a run takes seconds."""

import csv

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.app import cli, text
from tapegrad.app.config import TrainConfig
from tapegrad.app.sample import sample_checkpoint
from tapegrad.app.train import TrainingInterrupted, resume, train

SMALL_CORPUS = 30_000


@pytest.fixture(scope="module", autouse=True)
def small_corpus():
    corpus = text.load_corpus()[:SMALL_CORPUS]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "load_corpus", lambda: corpus)
        yield corpus


@pytest.fixture(scope="module")
def lstm_run(tmp_path_factory, small_corpus):
    """One LSTM run of two epochs through the command line, for the tests that read it."""
    out = tmp_path_factory.mktemp("lstm")
    status = cli.main(["train", "--task", "text", "--epochs", "2", "--batch-size", "16",
                       "--lr", "0.005", "--out", str(out), "--no-progress"])
    assert status == 0
    return out


def _rows(folder):
    with open(folder / "metrics.csv") as file:
        return list(csv.DictReader(file))


def test_lstm_learns_below_the_unigram_baseline(lstm_run):
    x_train, y_train, x_test, y_test, classes = text.text_split(text.CORPUS)
    baseline = text.unigram_loss(y_train, y_test, classes)
    rows = _rows(lstm_run)
    assert [int(row["epoch"]) for row in rows] == [1, 2]
    losses = [float(row["test_loss"]) for row in rows]
    assert losses[-1] < losses[0] and losses[-1] < baseline - 0.5  # about 2.4 against 3.3
    assert float(rows[-1]["test_accuracy"]) > 0.2  # next-character accuracy


def test_sample_command_continues_the_prompt(lstm_run, capsys, small_corpus):
    status = cli.main(["sample", str(lstm_run / "checkpoint.npz"), "--prompt", "The ",
                       "--length", "40", "--seed", "3"])
    assert status == 0
    written = capsys.readouterr().out[:-1]  # print's newline
    assert written.startswith("The ") and len(written) == 44
    assert set(written) <= set(small_corpus)


def test_sampling_is_seeded_and_temperature_sharpens(lstm_run):
    checkpoint = lstm_run / "checkpoint.npz"
    first = sample_checkpoint(checkpoint, "in", 60, 1.0, seed=1)
    assert first == sample_checkpoint(checkpoint, "in", 60, 1.0, seed=1)
    assert first != sample_checkpoint(checkpoint, "in", 60, 1.0, seed=2)
    hot = sample_checkpoint(checkpoint, "in", 200, 100.0, seed=1)
    cold = sample_checkpoint(checkpoint, "in", 200, 0.2, seed=1)
    assert len(set(hot)) > len(set(cold)) + 10  # near-uniform draws against likely ones


def test_checkpoint_carries_its_vocabulary(lstm_run, small_corpus):
    saved = tg.load(lstm_run / "checkpoint.npz")["model"]["vocabulary"]
    assert "".join(map(chr, saved)) == "".join(sorted(set(small_corpus)))


def test_sample_refuses_unknown_characters_and_bad_temperature(lstm_run, capsys):
    assert cli.main(["sample", str(lstm_run / "checkpoint.npz"), "--prompt", "€"]) == 2
    assert "'€' are not in the model's vocabulary" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["sample", str(lstm_run / "checkpoint.npz"), "--temperature", "0"])


class StopAfter:
    """A stop request set once ``steps`` steps have been taken."""

    def __init__(self, steps):
        self.checks_left = steps

    def is_set(self):
        self.checks_left -= 1
        return self.checks_left < 0


def test_transformer_run_resumes_to_the_uninterrupted_run(tmp_path, monkeypatch, small_corpus):
    corpus = small_corpus[:6_000]  # 84 training windows: 3 steps an epoch
    monkeypatch.setattr(text, "load_corpus", lambda: corpus)
    config = dict(model="transformer", epochs=2, batch_size=32, progress=False)
    reference = tmp_path / "reference"
    train(TrainConfig.for_task("text", **config, out=str(reference)), log=lambda line: None)
    stopped = tmp_path / "stopped"
    with pytest.raises(TrainingInterrupted):
        train(TrainConfig.for_task("text", **config, out=str(stopped)), log=lambda line: None,
              stop=StopAfter(4))  # in epoch 2
    resume(stopped / "checkpoint.npz", log=lambda line: None)
    ours, theirs = tg.load(stopped / "checkpoint.npz"), tg.load(reference / "checkpoint.npz")
    for name, weights in theirs["model"].items():
        np.testing.assert_array_equal(ours["model"][name], weights, err_msg=name)
    assert [row["test_loss"] for row in _rows(stopped)] == [
        row["test_loss"] for row in _rows(reference)]


@pytest.mark.parametrize("args, message", [
    (["train", "--task", "text", "--model", "mlp"], "--model: 'mlp' is not a text model"),
    (["train", "--model", "lstm"], "--model: lstm is a text model; train it with --task text"),
    (["train", "--task", "text", "--dataset", "digits"], "the text task trains on"),
])
def test_mismatched_task_model_and_dataset_are_one_line_errors(args, message, tmp_path,
                                                                capsys):
    assert cli.main([*args, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_unigram_baseline_is_the_entropy_of_the_frequencies():
    y = np.array([0, 0, 0, 1])
    expected = -(3 * np.log(4 / 6) + np.log(2 / 6)) / 4  # add-one counts 4 and 2
    assert text.unigram_loss(y, y, 2) == pytest.approx(expected)
