"""The ``tapegrad`` command, kept apart from the library: ``tapegrad train`` and its flags.

``train.py`` runs the job (data, model, optimizer, epochs, outputs) and ``cli.py`` parses the
command line. Both use only tapegrad's public API (``import tapegrad as tg``, ``tg.nn``,
``tg.optim``, ``tg.data``), as a user's own script would, and the library never imports them.

>>> from tapegrad.app.train import TrainConfig
>>> TrainConfig(dataset="moons").optimizer
'adam'
"""
