"""PyTorch's ``torch.utils`` spelling of tapegrad's modules: ``tg.utils.data`` is
``tapegrad.data``, so ``from tapegrad.utils.data import DataLoader`` works as in PyTorch.

>>> import tapegrad.utils.data
>>> import tapegrad.data
>>> tapegrad.utils.data.DataLoader is tapegrad.data.DataLoader
True
"""

from tapegrad.utils import data

__all__ = ["data"]
