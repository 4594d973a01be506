"""Gradients as values: ``grad`` (like ``torch.autograd.grad``), ``gradcheck``,
``gradgradcheck``, and the functional transforms of ``tapegrad.func``
(``autograd.functional``)."""

from tapegrad.autograd import functional
from tapegrad.autograd.grad import grad
from tapegrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["grad", "gradcheck", "gradgradcheck", "GradcheckError", "functional"]
