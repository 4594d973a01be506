"""What every NumPy-meaning function needs: a tensor of its argument, and a clear refusal of
the options tapegrad does not take (``out=``: a tensor's result is always a new tensor)."""

from __future__ import annotations

from tapegrad.routines import as_tensor
from tapegrad.tensor_core import TensorCore

__all__ = ["as_tensor", "refuse", "is_tensor"]

# NumPy's marker for "not given" in signatures such as sum(..., initial=<no value>)
NOT_GIVEN = object()


def refuse(name: str, **options) -> None:
    """A TypeError naming the options of ``numpy.NAME`` that were given but are not supported.

    >>> refuse("sum", out=None)
    >>> refuse("sum", out=[1])
    Traceback (most recent call last):
    ...
    TypeError: numpy.sum on tapegrad Tensors: out= is not supported (the result is a new tensor)
    """
    given = sorted(option for option, value in options.items()
                   if value is not None and value is not NOT_GIVEN)
    if given:
        raise TypeError(f"numpy.{name} on tapegrad Tensors: {'=, '.join(given)}= is not "
                        "supported (the result is a new tensor)")


def is_tensor(value) -> bool:
    """Whether ``value`` is a tapegrad Tensor.

    >>> import tapegrad as tg
    >>> is_tensor(tg.tensor(1.0)), is_tensor(1.0)
    (True, False)
    """
    return isinstance(value, TensorCore)
