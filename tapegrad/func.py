"""``tapegrad.func``: the functional transforms (``grad``, ``vjp``, ``jvp``, ``jacobian``,
``hessian``, ...), named as ``torch.func`` is. They live in ``tapegrad.autograd.functional``.

>>> import numpy as np
>>> from tapegrad import func
>>> func.grad(lambda x: (x ** 2).sum())(np.array([3.0]))
array([6.])
"""

from tapegrad.autograd.functional import (
    grad,
    hessian,
    hvp,
    jacobian,
    jvp,
    value_and_grad,
    vjp,
)

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp"]
