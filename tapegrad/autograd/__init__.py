"""Gradients as values: ``grad`` (like ``torch.autograd.grad``), ``gradcheck`` and
``gradgradcheck``."""

from tapegrad.autograd.grad import grad
from tapegrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["grad", "gradcheck", "gradgradcheck", "GradcheckError"]
