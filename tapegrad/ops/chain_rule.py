"""The chain rule's product for ops with singular derivatives, taking 0 × ∞ = 0.

``where(x > 0, sqrt(x), 0)`` at x = 0 sends sqrt a zero gradient; sqrt's local derivative
there is infinite, and a plain ``0 * inf`` would leak nan into x's gradient. An input whose
incoming gradient is exactly zero had no influence on the loss, so it gets zero.
"""

from __future__ import annotations

import numpy as np

from tapegrad.tensor_core import TensorCore


def _values(value):
    """The numbers to inspect: a Tensor's data (under create_graph), or the array itself."""
    return value._data if isinstance(value, TensorCore) else value


def times_keeping_zeros(grad, factor):
    """grad * factor, with 0 wherever grad is 0 (even where factor is infinite).

    >>> times_keeping_zeros(np.array([0.0, 2.0]), np.array([np.inf, 3.0]))
    array([0., 6.])
    """
    if np.isfinite(_values(factor)).all():  # the usual case: one cheap check, no copy
        return grad * factor
    with np.errstate(invalid="ignore"):
        return np.where(_values(grad) == 0, 0, grad * factor)


def over_keeping_zeros(grad, divisor):
    """grad / divisor, with 0 wherever grad is 0 (even where divisor is 0).

    >>> over_keeping_zeros(np.array([0.0, 2.0]), np.array([0.0, 4.0]))
    array([0. , 0.5])
    """
    if _values(divisor).all():  # the usual case: no zero divisor, one cheap check
        return grad / divisor
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(_values(grad) == 0, 0, grad / divisor)
