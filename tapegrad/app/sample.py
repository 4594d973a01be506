"""``tapegrad sample``: text from a character model that ``tapegrad train --task text`` saved."""

from __future__ import annotations

import os

from tapegrad.app.checkpoint import load_checkpoint
from tapegrad.app.text import CharModel, generate


def sample_checkpoint(path: str | os.PathLike, prompt: str = "The ", length: int = 300,
                      temperature: float = 0.8, seed: int = 0) -> str:
    """The prompt and ``length`` characters drawn from the text model saved in ``path``.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from tapegrad.app import TrainConfig, train
    >>> out = tempfile.mkdtemp()
    >>> _ = train(TrainConfig(dataset="moons", epochs=1, out=out), log=lambda line: None)
    >>> sample_checkpoint(Path(out) / "checkpoint.npz")
    Traceback (most recent call last):
    ValueError: ...checkpoint.npz holds a mlp trained on moons, not a text model of --task text
    """
    model, config = load_checkpoint(path)
    if not isinstance(model, CharModel):
        raise ValueError(f"{path} holds a {config.model} trained on {config.dataset}, not a "
                         "text model of --task text")
    return generate(model, prompt, length, temperature, seed)
