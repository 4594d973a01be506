"""The ``tapegrad`` command, kept apart from the library: ``tapegrad train`` and ``tapegrad eval``.

``cli.py`` parses the command line; ``train.py`` runs the job, from the pieces ``build.py``
makes out of a ``TrainConfig`` (``config.py``); ``checkpoint.py`` saves and restores a run;
``evaluate.py`` scores a model; ``outputs.py`` writes ``metrics.csv`` and ``curves.png``;
``signals.py`` turns Ctrl-C into a stop between two steps; ``text.py`` is the text task
(corpus, character models, generation), ``sample.py`` the ``tapegrad sample`` command. All of
it uses only tapegrad's public API (``import tapegrad as tg``, ``tg.nn``, ``tg.optim``,
``tg.data``, ``tg.save``), as a user's own script would, and the library never imports it.

``load_checkpoint`` is the way back from a run to a model:

>>> from tapegrad.app import TrainConfig, load_checkpoint
>>> TrainConfig(dataset="moons").optimizer
'adam'
"""

from tapegrad.app.checkpoint import load_checkpoint
from tapegrad.app.config import TrainConfig
from tapegrad.app.train import resume, train

__all__ = ["TrainConfig", "load_checkpoint", "resume", "train"]
