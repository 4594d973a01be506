"""How good a model is on a labelled set: loss, accuracy, a per-class table, a confusion matrix.

``tapegrad train`` measures the test set with ``evaluate`` after every epoch, and ``tapegrad
eval CHECKPOINT`` prints all of it and draws the confusion matrix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import tapegrad as tg
from tapegrad import nn
from tapegrad.app.build import load_split
from tapegrad.app.checkpoint import load_checkpoint
from tapegrad.app.outputs import prepare_out
from tapegrad.nn import functional as F


@dataclass
class Evaluation:
    """The mean cross-entropy loss, the accuracy and the predicted class of every example."""

    loss: float
    accuracy: float
    predictions: np.ndarray


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray, batch_size: int = 512) -> Evaluation:
    """Run ``model`` on ``x`` in eval mode without a graph, and score it against ``y``.

    The model's mode (train or eval) is as it was afterwards.

    >>> model = nn.Linear(2, 2)
    >>> result = evaluate(model, np.zeros((3, 2), np.float32), np.array([0, 1, 1]))
    >>> len(result.predictions), 0 <= result.accuracy <= 1, model.training
    (3, True, True)
    """
    was_training = model.training
    model.eval()
    total_loss, predictions = 0.0, []
    with tg.no_grad():
        for start in range(0, len(x), batch_size):
            logits = model(tg.tensor(x[start:start + batch_size]))
            labels = y[start:start + batch_size]
            total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
            predictions.append(logits.data.argmax(axis=1))
    model.train(was_training)
    predicted = np.concatenate(predictions)
    # per label: a text model has one per position, a classifier one per example
    return Evaluation(total_loss / y.size, float((predicted == y).mean()), predicted)


def evaluate_checkpoint(path: str | os.PathLike, out=None, data_dir: str | None = None,
                        log=print) -> Evaluation:
    """``tapegrad eval``: score a checkpoint on its run's test set, print the numbers, and draw
    the confusion matrix next to the checkpoint (or into ``out``).

    ``data_dir`` says where the MNIST files are now, if they moved since training.

    >>> import tempfile
    >>> from tapegrad.app import TrainConfig, train
    >>> run = Path(tempfile.mkdtemp())
    >>> _ = train(TrainConfig(dataset="moons", epochs=1, out=str(run)), log=lambda line: None)
    >>> result = evaluate_checkpoint(run / "checkpoint.npz", log=lambda line: None)
    >>> result.accuracy > 0.5, (run / "checkpoint-confusion.png").exists()
    (True, True)
    """
    folder = prepare_out(Path(path).parent if out is None else out)
    model, config = load_checkpoint(path)
    if data_dir is not None:
        config.data_dir = data_dir
    split = load_split(config)
    result = evaluate(model, split.x_test, split.y_test)
    log(f"{path}: {config.model} trained on {config.dataset}, scored on its "
        f"{len(split.x_test)} test examples")
    log(f"accuracy {result.accuracy:.2%}   loss {result.loss:.4f}")
    classes = max(split.classes, int(result.predictions.max()) + 1)
    matrix = confusion_matrix(split.y_test, result.predictions, classes)
    log(per_class_table(matrix))
    picture = folder / f"{Path(path).stem}-confusion.png"
    if plot_confusion(matrix, picture, f"{config.model} on {config.dataset}: confusion"):
        log(f"wrote {picture}")
    else:
        log("matplotlib is not installed, so no confusion matrix picture "
            "(pip install 'tapegrad[plots]')")
    return result


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int) -> np.ndarray:
    """Counts of (true class, predicted class): row i is the examples of class i.

    >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 0, 1]), 2)
    array([[1, 0],
           [1, 1]])
    """
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def per_class_table(matrix: np.ndarray) -> str:
    """One row per class: how many examples it has, its precision and its recall.

    A class never predicted has no precision; it shows as "-".

    >>> print(per_class_table(np.array([[1, 0], [1, 1]])))
    class  examples  precision  recall
        0         1     50.00%  100.00%
        1         2    100.00%   50.00%
    """
    rows = ["class  examples  precision  recall"]
    examples, predicted = matrix.sum(axis=1), matrix.sum(axis=0)
    for label in range(len(matrix)):
        correct = matrix[label, label]
        precision = f"{correct / predicted[label]:.2%}" if predicted[label] else "-"
        recall = f"{correct / examples[label]:.2%}" if examples[label] else "-"
        rows.append(f"{label:>5}  {examples[label]:>8}  {precision:>9}  {recall:>7}")
    return "\n".join(rows)


def plot_confusion(matrix: np.ndarray, path: Path, title: str) -> bool:
    """Draw the confusion matrix, with its counts, to ``path``; False without matplotlib.

    >>> import tempfile
    >>> plot_confusion(np.eye(2, dtype=int), Path(tempfile.mkdtemp()) / "c.png", "test")
    True
    """
    try:
        import matplotlib

        matplotlib.use("Agg")  # no window: the picture goes to a file, also on a server
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    size = 1.5 + 0.45 * len(matrix)
    figure, axes = plt.subplots(figsize=(size + 1, size))
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes)
    for (row, column), count in np.ndenumerate(matrix):
        dark = count > matrix.max() / 2
        axes.text(column, row, str(count), ha="center", va="center", fontsize=8,
                  color="white" if dark else "black")
    ticks = range(len(matrix))
    axes.set(xticks=ticks, yticks=ticks, xlabel="predicted class", ylabel="true class",
             title=title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True
