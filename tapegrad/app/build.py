"""The pieces of a training run, built from a ``TrainConfig``: data, model, optimizer, schedule.

Everything here is a function of the config alone, so a resumed run (or ``tapegrad eval``)
rebuilds exactly the pieces the first run had, and then loads their saved state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tapegrad import data, nn, optim
from tapegrad.app import text
from tapegrad.app.config import TrainConfig


@dataclass
class Split:
    """Train and test arrays; images keep their (channels, height, width) shape. The number
    of classes is the largest label's plus one unless given (a text's vocabulary size)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int | None = None

    @property
    def classes(self) -> int:
        if self.num_classes is not None:
            return self.num_classes
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def load_split(config: TrainConfig) -> Split:
    """The dataset as train/test arrays: digits and moons split 80/20 by the seed.

    >>> split = load_split(TrainConfig(dataset="moons"))
    >>> split.x_train.shape, split.x_test.shape, split.classes
    ((800, 2), (200, 2), 2)
    """
    _check_task(config)
    if config.task == "text":
        return Split(*text.text_split(config.dataset))
    if config.dataset == "mnist":
        return _load_mnist(config.data_dir)
    if config.dataset == "digits":
        x, y = data.load_digits()
        x = x.reshape(-1, 1, 8, 8)
    elif config.dataset == "moons":
        x, y = data.make_moons(1000, noise=0.2, seed=config.seed)
        x = x.astype(np.float32)
    else:
        raise ValueError(f"--dataset: unknown dataset {config.dataset!r}; "
                         "choose digits, moons or mnist")
    order = np.random.default_rng(config.seed).permutation(len(x))
    cut = int(0.8 * len(x))
    return Split(x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]])


def _check_task(config: TrainConfig) -> None:
    """The model fits the task: a text model for --task text, a classifier otherwise."""
    if config.task == "text" and config.model not in text.MODELS:
        raise ValueError(f"--model: {config.model!r} is not a text model; with --task text "
                         f"choose {' or '.join(text.MODELS)}")
    if config.task != "text" and config.model in text.MODELS:
        raise ValueError(f"--model: {config.model} is a text model; train it with --task text")


def _load_mnist(folder: str | None) -> Split:
    if folder is None:
        raise ValueError("--dataset mnist needs --data-dir DIR with the MNIST IDX files")
    try:
        x_train, y_train = data.load_mnist(folder, kind="train")
        x_test, y_test = data.load_mnist(folder, kind="test")
    except FileNotFoundError as error:
        raise FileNotFoundError(f"--data-dir {folder}: {error}") from None
    scale = np.float32(1 / 255)
    return Split(x_train[:, None].astype(np.float32) * scale, y_train,
                 x_test[:, None].astype(np.float32) * scale, y_test)


def build_model(name: str, input_shape: tuple, classes: int) -> nn.Module:
    """An MLP for any input, a small CNN for (1, H, W) images, or a character model
    (``lstm``, ``transformer``: see ``text.py``) whose ``classes`` are its vocabulary.

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
    if name in text.MODELS:
        return text.build_text_model(name, classes)
    raise ValueError(f"--model: unknown model {name!r}; choose mlp or cnn")


def build_optimizer(config: TrainConfig, parameters) -> optim.Optimizer:
    """Adam or SGD (with momentum 0.9) at ``config.learning_rate``.

    >>> import tapegrad as tg
    >>> build_optimizer(TrainConfig(), [tg.zeros(2, requires_grad=True)]).defaults["lr"]
    0.002
    """
    if config.optimizer == "adam":
        return optim.Adam(parameters, lr=config.learning_rate)
    if config.optimizer == "sgd":
        return optim.SGD(parameters, lr=config.learning_rate, momentum=0.9)
    raise ValueError(f"--optimizer: unknown optimizer {config.optimizer!r}; choose sgd or adam")


def build_schedule(config: TrainConfig, optimizer: optim.Optimizer):
    """Cosine annealing over the run, stepped once per epoch.

    Annealing the rate to ~0 over the run settles the weights, so the last epoch is a good one.

    >>> import tapegrad as tg
    >>> optimizer = build_optimizer(TrainConfig(), [tg.zeros(2, requires_grad=True)])
    >>> build_schedule(TrainConfig(epochs=4), optimizer).T_max
    4
    """
    return optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs)


def shuffle_seed(seed: int, epoch: int) -> int:
    """The seed of epoch ``epoch``'s shuffling, from the run's seed and the epoch alone.

    No generator carries over from one epoch to the next, so a run resumed at any epoch
    shuffles the epochs after it exactly as the uninterrupted run does.

    >>> shuffle_seed(0, 3) == shuffle_seed(0, 3) != shuffle_seed(0, 4)
    True
    """
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1)[0])


def epoch_loader(split: Split, config: TrainConfig, epoch: int) -> data.DataLoader:
    """The training batches of one epoch, in that epoch's shuffled order.

    >>> split = load_split(TrainConfig(dataset="moons"))
    >>> len(epoch_loader(split, TrainConfig(batch_size=100), epoch=1))
    8
    """
    dataset = data.TensorDataset(split.x_train, split.y_train)
    return data.DataLoader(dataset, batch_size=config.batch_size, shuffle=True,
                           seed=shuffle_seed(config.seed, epoch))
