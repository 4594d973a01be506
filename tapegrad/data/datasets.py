"""Ready-made data sets as NumPy arrays: scikit-learn's digits and moons, and MNIST from disk.

Nothing here downloads anything: digits ship inside scikit-learn, moons are generated, and
MNIST is read from IDX files you already have.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tapegrad.data.idx import read_idx
from tapegrad.random import generator

_MNIST_PREFIXES = {"train": "train", "test": "t10k"}
_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions: (count, rows, columns)
_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension: (count,)


def _sklearn_datasets(caller: str):
    """``sklearn.datasets``, or an ImportError that says how to install it."""
    try:
        from sklearn import datasets
    except ImportError as error:
        raise ImportError(
            f"{caller} needs scikit-learn, an optional dependency of tapegrad: "
            'pip install "tapegrad[data]" (or pip install scikit-learn)'
        ) from error
    return datasets


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten digits, 8×8 pixels: ``(images, labels)``.

    ``images`` is float32 of shape (1797, 64), scaled from 0..16 to [0, 1]; ``labels`` is
    int64, 0 to 9. The data ships inside scikit-learn, so nothing is downloaded.

    >>> images, labels = load_digits()
    >>> images.shape, images.dtype, labels[:5]
    ((1797, 64), dtype('float32'), array([0, 1, 2, 3, 4]))
    """
    digits = _sklearn_datasets("load_digits").load_digits()
    # pixel counts run 0..16 (a 4×4 block of a 32×32 bitmap); [0, 1] suits a network's inputs
    images = (digits.data / 16.0).astype(np.float32)
    return images, digits.target.astype(np.int64)


def make_moons(n_samples: int = 100, noise: float | None = None,
               seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half-circles, by ``sklearn.datasets.make_moons``: ``(X, y)``.

    ``X`` is float64 of shape (n_samples, 2), ``y`` int64 labels 0 or 1; ``noise`` is the
    standard deviation of Gaussian noise added to ``X``. ``seed`` fixes the points; without it
    they are drawn from tapegrad's generator, so ``tg.manual_seed`` makes them repeat.

    >>> X, y = make_moons(6, noise=0.1, seed=0)
    >>> X.shape, X.dtype, sorted(set(y.tolist()))
    ((6, 2), dtype('float64'), [0, 1])
    """
    datasets = _sklearn_datasets("make_moons")
    if seed is None:
        seed = int(generator().integers(2**31))
    X, y = datasets.make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return X.astype(np.float64), y.astype(np.int64)


def load_mnist(path: str | os.PathLike, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST from the IDX files in the folder ``path``: ``(images, labels)``.

    ``kind="train"`` reads ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``,
    ``kind="test"`` the ``t10k-`` pair; each may also be gzipped, with a ``.gz`` suffix.
    ``images`` is uint8 of shape (count, 28, 28) (the dimensions the file stores), ``labels``
    is int64. It never downloads: a missing file is a FileNotFoundError naming the files it
    looked for; a damaged one, or counts that disagree, a ValueError naming the file.

    For example, with the four files in ``~/data/mnist``::

        images, labels = load_mnist("~/data/mnist", kind="test")
        images.shape, images.dtype, labels.dtype
        # ((10000, 28, 28), dtype('uint8'), dtype('int64'))
    """
    if kind not in _MNIST_PREFIXES:
        raise ValueError(f"load_mnist: kind must be 'train' or 'test', got {kind!r}")
    prefix = _MNIST_PREFIXES[kind]
    image_file, label_file = _find_files(
        Path(path).expanduser(), [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"]
    )
    images = read_idx(image_file, magic=_IMAGES_MAGIC)
    labels = read_idx(label_file, magic=_LABELS_MAGIC)
    if len(images) != len(labels):
        raise ValueError(f"load_mnist: {image_file} holds {len(images)} images but "
                         f"{label_file} holds {len(labels)} labels")
    return images, labels.astype(np.int64)


def _find_files(folder: Path, names: list[str]) -> list[Path]:
    """Each name in ``folder``, plain or with ``.gz``; raises naming every file not found."""
    found, missing = [], []
    for name in names:
        plain, gzipped = folder / name, folder / f"{name}.gz"
        if plain.is_file() or gzipped.is_file():
            found.append(plain if plain.is_file() else gzipped)
        else:
            missing.append(f"{plain} (or {gzipped.name})")
    if missing:
        no_folder = "" if folder.is_dir() else f"; the folder {folder} does not exist"
        raise FileNotFoundError(
            f"load_mnist: not found: {', '.join(missing)}{no_folder}. tapegrad never downloads "
            "data: put the MNIST IDX files (plain or .gz) in that folder yourself"
        )
    return found
