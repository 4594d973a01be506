"""Neural-network building blocks: ``tapegrad.nn.functional`` (imported as ``F``)."""

from tapegrad.nn import functional

__all__ = ["functional"]
