"""PyTorch's ``torch.autograd.graph`` names that tapegrad has: ``increment_version``."""

from tapegrad.tensor_core import increment_version

__all__ = ["increment_version"]
