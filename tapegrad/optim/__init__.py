"""Optimizers, learning-rate schedules and gradient clipping, with ``torch.optim``'s API.

An optimizer updates parameters in place from their ``.grad``; the training loop is the one
you would write for PyTorch:

>>> import tapegrad as tg
>>> import tapegrad.optim as optim
>>> w = tg.tensor([0.0, 0.0], requires_grad=True)
>>> optimizer = optim.SGD([w], lr=0.1, momentum=0.5)
>>> scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=50, gamma=0.1)
>>> for _ in range(100):
...     optimizer.zero_grad()
...     loss = ((w - tg.tensor([1.0, -2.0])) ** 2).sum()
...     loss.backward()
...     optimizer.step()
...     scheduler.step()
>>> w.data.round(6)
array([ 1., -2.], dtype=float32)
"""

from tapegrad.optim import lr_scheduler
from tapegrad.optim.adagrad import Adagrad
from tapegrad.optim.adam import Adam, AdamW
from tapegrad.optim.clip import clip_grad_norm_
from tapegrad.optim.optimizer import Optimizer
from tapegrad.optim.rmsprop import RMSprop
from tapegrad.optim.sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler",
    "clip_grad_norm_",
]

# More of torch.optim (issue 16, part 3).
from tapegrad.optim.adadelta import Adadelta  # noqa: E402
from tapegrad.optim.adamax import Adamax  # noqa: E402
from tapegrad.optim.lbfgs import LBFGS  # noqa: E402
from tapegrad.optim.nadam import NAdam  # noqa: E402
from tapegrad.optim.radam import RAdam  # noqa: E402

__all__ += ["Adadelta", "Adamax", "LBFGS", "NAdam", "RAdam"]
