"""Gradients as values: ``grad`` and ``backward`` (like ``torch.autograd``'s), ``gradcheck``,
``gradgradcheck``, the functional transforms of ``tapegrad.func`` (``autograd.functional``),
and ``Function``, a custom op in PyTorch's style."""

from tapegrad.autograd import functional
from tapegrad.autograd.function import Function, FunctionCtx
from tapegrad.autograd.grad import backward, grad
from tapegrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from tapegrad.legacy import Variable

__all__ = ["grad", "backward", "gradcheck", "gradgradcheck", "GradcheckError", "functional",
           "Function", "FunctionCtx", "Variable"]
