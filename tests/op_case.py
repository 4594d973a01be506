"""One row of the op table: an op, its NumPy reference, its PyTorch twin and its inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass(frozen=True)
class OpCase:
    name: str
    fn: Callable  # tapegrad tensors -> tensor
    reference: Optional[Callable]  # NumPy arrays -> array (None: PyTorch is the reference)
    shapes: tuple  # one shape per input
    low: float = -2.0
    high: float = 2.0
    torch_fn: Optional[Callable] = None  # torch tensors -> tensor
    broadcast_shapes: Optional[tuple] = None  # a broadcasting variant, for binary ops
    scalar_ok: bool = True  # whether an all-0-d variant makes sense
    tags: frozenset = field(default_factory=frozenset)
