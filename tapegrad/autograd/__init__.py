"""Gradients as values: ``grad`` (like ``torch.autograd.grad``) and ``gradcheck``."""

from tapegrad.autograd.grad import grad
from tapegrad.autograd.gradcheck import GradcheckError, gradcheck

__all__ = ["grad", "gradcheck", "GradcheckError"]
