"""Names from older PyTorch that tutorials still use, kept working: ``Variable``.

Since PyTorch 0.4 a tensor is its own ``Variable``; ``Variable(tensor, requires_grad=True)``
is how older code asked for gradients, and it runs here as it does there.
"""

from __future__ import annotations

import warnings

from tapegrad.tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor)  # every tensor is a Variable, as in PyTorch


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)``: a new tensor sharing ``tensor``'s data, a
    leaf that requires grad when asked (PyTorch's ``torch.autograd.Variable``). Every
    tensor counts as a Variable for ``isinstance``.

    >>> import tapegrad as tg
    >>> x = Variable(tg.tensor([1.0, 2.0]), requires_grad=True)
    >>> x, isinstance(x, Variable)
    (tensor([1., 2.], requires_grad=True), True)
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = False,
                volatile: bool = False) -> Tensor:
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use "
                          "`with tg.no_grad():` instead.", UserWarning, stacklevel=2)
        if data is None:
            data = Tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)
