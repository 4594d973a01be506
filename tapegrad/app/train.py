"""The main job: train a small network on a bundled dataset, and report how it went.

``tapegrad train`` (``tapegrad.app.cli``) parses the flags; this module builds the data, the
model and the optimizer, runs the epochs, and writes the checkpoint, ``metrics.csv`` and
``curves.png``. Like all of ``tapegrad.app`` it uses only the public API.
"""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

import tapegrad as tg
from tapegrad import data, nn, optim
from tapegrad.nn import functional as F


@dataclass
class TrainConfig:
    """Everything ``tapegrad train`` can be told; the defaults train an MLP on digits.

    >>> TrainConfig().model
    'mlp'
    """

    dataset: str = "digits"
    model: str = "mlp"
    data_dir: str | None = None
    epochs: int = 40
    batch_size: int = 32
    lr: float | None = None  # None: the optimizer's usual rate (see default_lr)
    optimizer: str = "adam"
    seed: int = 0
    out: str = "runs/latest"
    progress: bool = True


DEFAULT_LR = {"adam": 2e-3, "sgd": 0.1}


@dataclass
class Split:
    """Train and test arrays; images keep their (channels, height, width) shape."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def load_split(config: TrainConfig) -> Split:
    """The dataset as train/test arrays: digits and moons split 80/20 by the seed."""
    if config.dataset == "mnist":
        if config.data_dir is None:
            raise ValueError("--dataset mnist needs --data-dir DIR with the MNIST IDX files")
        x_train, y_train = data.load_mnist(config.data_dir, kind="train")
        x_test, y_test = data.load_mnist(config.data_dir, kind="test")
        scale = np.float32(1 / 255)
        return Split(x_train[:, None].astype(np.float32) * scale, y_train,
                     x_test[:, None].astype(np.float32) * scale, y_test)
    if config.dataset == "digits":
        x, y = data.load_digits()
        x = x.reshape(-1, 1, 8, 8)
    elif config.dataset == "moons":
        x, y = data.make_moons(1000, noise=0.2, seed=config.seed)
        x = x.astype(np.float32)
    else:
        raise ValueError(f"unknown dataset {config.dataset!r}; choose digits, moons or mnist")
    order = np.random.default_rng(config.seed).permutation(len(x))
    cut = int(0.8 * len(x))
    return Split(x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]])


def build_model(name: str, input_shape: tuple, classes: int) -> nn.Module:
    """An MLP for any input, or a small CNN for (1, H, W) images.

    >>> build_model("mlp", (1, 8, 8), 10)[0]
    Flatten(start_dim=1, end_dim=-1)
    """
    features = int(np.prod(input_shape))
    if name == "mlp":
        return nn.Sequential(
            nn.Flatten(), nn.Linear(features, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, classes),
        )
    if name == "cnn":
        if len(input_shape) != 3:
            raise ValueError("--model cnn needs image data (digits or mnist), not points")
        height, width = input_shape[1:]
        return nn.Sequential(
            nn.Conv2d(input_shape[0], 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * (height // 4) * (width // 4), 64), nn.ReLU(),
            nn.Linear(64, classes),
        )
    raise ValueError(f"unknown model {name!r}; choose mlp or cnn")


def build_optimizer(config: TrainConfig, parameters) -> optim.Optimizer:
    """Adam or SGD (with momentum 0.9) at ``config.lr`` or the optimizer's usual rate."""
    lr = DEFAULT_LR[config.optimizer] if config.lr is None else config.lr
    if config.optimizer == "adam":
        return optim.Adam(parameters, lr=lr)
    if config.optimizer == "sgd":
        return optim.SGD(parameters, lr=lr, momentum=0.9)
    raise ValueError(f"unknown optimizer {config.optimizer!r}; choose sgd or adam")


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray, batch_size: int = 512) -> float:
    """The fraction of ``x`` the model classifies as ``y`` (in eval mode, without a graph)."""
    model.eval()
    correct = 0
    with tg.no_grad():
        for start in range(0, len(x), batch_size):
            logits = model(tg.tensor(x[start:start + batch_size]))
            correct += int((logits.data.argmax(axis=1) == y[start:start + batch_size]).sum())
    model.train()
    return correct / len(x)


def train(config: TrainConfig, log=print) -> list[dict]:
    """Train as ``config`` says; print a per-epoch table; return the metrics per epoch."""
    tg.manual_seed(config.seed)
    split = load_split(config)
    model = build_model(config.model, split.x_train.shape[1:], split.classes)
    optimizer = build_optimizer(config, model.parameters())
    # Annealing the rate to ~0 over the run settles the weights, so the last epoch is a good one.
    schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs)
    loader = data.DataLoader(data.TensorDataset(split.x_train, split.y_train),
                             batch_size=config.batch_size, shuffle=True, seed=config.seed)
    log(f"training {config.model} on {config.dataset}: {len(split.x_train)} train / "
        f"{len(split.x_test)} test examples, {config.optimizer}, {config.epochs} epochs")
    log(f"{'epoch':>5}  {'train loss':>10}  {'test acc':>8}  {'seconds':>7}")
    history = []
    for epoch in range(1, config.epochs + 1):
        start = time.perf_counter()
        loss = _run_epoch(model, optimizer, loader, epoch, config)
        schedule.step()
        row = {"epoch": epoch, "train_loss": loss,
               "test_accuracy": accuracy(model, split.x_test, split.y_test),
               "seconds": time.perf_counter() - start}
        history.append(row)
        log(f"{epoch:>5}  {row['train_loss']:>10.4f}  {row['test_accuracy']:>8.2%}  "
            f"{row['seconds']:>7.2f}")
    _write_outputs(Path(config.out), config, model, optimizer, history, log)
    return history


def _run_epoch(model, optimizer, loader, epoch: int, config: TrainConfig) -> float:
    """One pass over the training data; returns the mean training loss."""
    total, count = 0.0, 0
    batches = _progress(loader, epoch, config)
    for x, y in batches:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
        if hasattr(batches, "set_postfix"):
            batches.set_postfix(loss=f"{total / count:.4f}")
    return total / count


def _progress(loader, epoch: int, config: TrainConfig):
    """The loader wrapped in a tqdm bar (when tqdm is installed and progress is wanted)."""
    if not config.progress:
        return loader
    try:
        from tqdm import tqdm
    except ImportError:
        return loader
    return tqdm(loader, desc=f"epoch {epoch}/{config.epochs}", leave=False, file=sys.stderr)


def _write_outputs(out: Path, config, model, optimizer, history, log) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "config": asdict(config)}, out / "checkpoint.npz")
    with open(out / "metrics.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(history[0]))
        writer.writeheader()
        writer.writerows(history)
    written = ["checkpoint.npz", "metrics.csv"]
    if plot_curves(history, out / "curves.png"):
        written.append("curves.png")
    else:
        log("matplotlib is not installed, so no curves.png (pip install 'tapegrad[plots]')")
    log(f"wrote {', '.join(written)} to {out}")


def plot_curves(history: list[dict], path: Path) -> bool:
    """Plot training loss and test accuracy per epoch to ``path``; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    epochs = [row["epoch"] for row in history]
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(9, 3.5))
    loss_axes.plot(epochs, [row["train_loss"] for row in history], marker="o")
    loss_axes.set(xlabel="epoch", ylabel="training loss", title="Loss")
    accuracy_axes.plot(epochs, [row["test_accuracy"] for row in history], marker="o",
                       color="tab:green")
    accuracy_axes.set(xlabel="epoch", ylabel="test accuracy", title="Accuracy")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True
