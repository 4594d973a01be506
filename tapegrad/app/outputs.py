"""What a run leaves in ``--out`` besides checkpoints: ``metrics.csv`` and ``curves.png``.

``--out`` is checked before any data is loaded, so a typo costs a second, not a run.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

METRICS = ("epoch", "train_loss", "test_loss", "test_accuracy", "lr", "seconds")


def prepare_out(folder: str | os.PathLike) -> Path:
    """Create ``folder`` if it is missing and check that files can be written in it.

    >>> prepare_out(Path(tempfile.mkdtemp()) / "new" / "run").is_dir()
    True
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OSError(f"--out {folder}: is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise OSError(f"--out {folder}: cannot write there ({reason})") from None
    return folder


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step, so a reader never sees half a file.

    >>> path = Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_atomically(path, "done\\n"); path.read_text()
    'done\\n'
    """
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "w", newline="") as file:
        file.write(text)
    os.replace(partial, path)


def write_metrics(history: list[dict], path: Path) -> None:
    """``metrics.csv``: one row per finished epoch, the columns of ``METRICS``.

    >>> path = Path(tempfile.mkdtemp()) / "metrics.csv"
    >>> write_metrics([dict(epoch=1, train_loss=0.5, test_loss=0.4, test_accuracy=0.9,
    ...                     lr=0.1, seconds=1.0)], path)
    >>> path.read_text().splitlines()[0]
    'epoch,train_loss,test_loss,test_accuracy,lr,seconds'
    """
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=METRICS)
    writer.writeheader()
    writer.writerows(history)
    write_atomically(path, text.getvalue())


def plot_curves(history: list[dict], path: Path) -> bool:
    """Draw the loss (log scale) and the test accuracy per epoch to ``path``; False without
    matplotlib.

    >>> plot_curves([dict(epoch=1, train_loss=0.5, test_loss=0.4, test_accuracy=0.9)],
    ...             Path(tempfile.mkdtemp()) / "curves.png")
    True
    """
    try:
        import matplotlib

        matplotlib.use("Agg")  # no window: the picture goes to a file, also on a server
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure = curves_figure(history, plt)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def curves_figure(history: list[dict], plt):
    """The figure of ``curves.png``; loss is on a log scale, where late epochs still show."""
    epochs = [row["epoch"] for row in history]
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(9, 3.5))
    loss_axes.plot(epochs, [row["train_loss"] for row in history], marker="o", label="train")
    loss_axes.plot(epochs, [row["test_loss"] for row in history], marker="o", label="test")
    loss_axes.set_yscale("log")
    loss_axes.set(xlabel="epoch", ylabel="cross-entropy loss", title="Loss")
    loss_axes.legend()
    accuracy_axes.plot(epochs, [row["test_accuracy"] for row in history], marker="o",
                       color="tab:green")
    accuracy_axes.set(xlabel="epoch", ylabel="test accuracy", title="Accuracy")
    figure.tight_layout()
    return figure
