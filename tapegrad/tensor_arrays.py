"""The ndarrays that ``.data`` and ``.grad`` hand out: NumPy arrays that also answer the few
PyTorch methods tutorials call on them.

In the course exercise ``.data`` and ``.grad`` are ndarrays, and they stay ndarrays: they
print as NumPy prints, NumPy functions take them, ``isinstance(x.grad, np.ndarray)`` holds.
PyTorch code, though, treats both as tensors: ``p.grad.zero_()``, ``x.grad.norm()``,
``f.data.sub_(f.grad.data * lr)``, ``m.weight.data.normal_(0, 0.02)``. So ``.data`` and
``.grad`` return views of the tensor's arrays of class :class:`ArrayWithTensorMethods`:
every in-place method writes through to the tensor, and arithmetic gives plain ndarrays, so
the subclass never spreads into what you compute from it.

Like PyTorch's ``.data``, these writes are not seen by autograd: they are the escape hatch
for optimizers and initialisation, not for changing values a graph still needs.
"""

from __future__ import annotations

import numpy as np

from tapegrad import random


class ArrayWithTensorMethods(np.ndarray):
    """An ndarray view with PyTorch's in-place and inspection methods, returned by ``.data``
    and ``.grad``.

    >>> import tapegrad as tg
    >>> w = tg.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> float(w.grad.norm())
    10.0
    >>> w.data.sub_(w.grad, alpha=0.5)  # writes into w, as PyTorch's does
    array([0., 0.], dtype=float32)
    >>> w.grad.zero_(); w
    array([0., 0.], dtype=float32)
    tensor([0., 0.], requires_grad=True)
    """

    # Arithmetic and NumPy functions return plain ndarrays: only the views that ``.data``
    # and ``.grad`` hand out carry the methods. (NumPy computes into a plain array, and this
    # is where ndarray would turn it into the subclass; an in-place ``-=`` keeps its array.)
    def __array_wrap__(self, array, context=None, return_scalar=False):
        return array[()] if return_scalar else array

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    # -- PyTorch's names that let tensor code run on the array --------------------------

    @property
    def data(self):
        """The array itself (``p.grad.data`` in older PyTorch code)."""
        return self

    def detach(self):
        """The array itself: there is no graph on an ndarray."""
        return self

    def cpu(self):
        """The array itself: tapegrad computes on the CPU."""
        return self

    def numpy(self) -> np.ndarray:
        """A plain ndarray view of the same memory."""
        return self.view(np.ndarray)

    def clone(self):
        """A copy, with these methods too."""
        return self.copy()

    def numel(self) -> int:
        """The number of elements."""
        return int(self.size)

    def dim(self) -> int:
        """The number of dimensions."""
        return self.ndim

    def norm(self, p=2, dim=None, keepdim: bool = False):
        """The ``p``-norm of all elements (or along ``dim``), as ``Tensor.norm``.

        >>> import tapegrad as tg
        >>> float(tg.tensor([3.0, 4.0]).data.norm())
        5.0
        """
        plain = self.view(np.ndarray)
        if dim is None:
            return np.linalg.norm(plain.reshape(-1), ord=p)
        return np.linalg.norm(plain, ord=p, axis=dim, keepdims=keepdim)

    # -- in place: each writes into the tensor's memory and returns the array ------------

    def zero_(self):
        """Fill with zeros in place."""
        self[...] = 0
        return self

    def fill_(self, value):
        """Fill with ``value`` in place."""
        self[...] = value
        return self

    def copy_(self, source):
        """Copy ``source`` (an array, a tensor or a number, broadcast) in.

        >>> import tapegrad as tg
        >>> tg.zeros(2).data.copy_(tg.tensor([1.0, 2.0]))
        array([1., 2.], dtype=float32)
        """
        np.copyto(self, _values(source), casting="unsafe")
        return self

    def add_(self, other, alpha=1):
        """``self += alpha * other`` in place."""
        return self._update("add_", np.add, _scaled(other, alpha))

    def sub_(self, other, alpha=1):
        """``self -= alpha * other`` in place."""
        return self._update("sub_", np.subtract, _scaled(other, alpha))

    def mul_(self, other):
        """``self *= other`` in place."""
        return self._update("mul_", np.multiply, _values(other))

    def div_(self, other):
        """``self /= other`` in place."""
        return self._update("div_", np.true_divide, _values(other))

    def clamp_(self, min=None, max=None):  # noqa: A002 - PyTorch's argument names
        """Limit to [min, max] in place (either bound may be None)."""
        np.clip(self, min, max, out=self.view(np.ndarray))
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator=None):
        """Fill with draws from U(a, b), from the generator ``tg.manual_seed`` seeds."""
        self[...] = random.generator(generator).uniform(a, b, self.shape)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator=None):
        """Fill with draws from N(mean, std²), from the generator ``tg.manual_seed`` seeds.

        >>> import tapegrad as tg
        >>> tg.zeros(3).data.normal_(0.0, 0.02).shape
        (3,)
        """
        self[...] = random.generator(generator).normal(mean, std, self.shape)
        return self

    def _update(self, method: str, ufunc, values):
        try:
            ufunc(self, values, out=self.view(np.ndarray), casting="same_kind")
        except (TypeError, ValueError) as error:  # NumPy's casting and broadcasting errors
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(
                f"{method}: cannot update an array of shape {self.shape} and dtype "
                f"{self.dtype} in place with {np.shape(values)}: {error}"
            ) from None
        return self


def _scaled(value, alpha):
    return _values(value) * alpha if alpha != 1 else _values(value)


def _values(value):
    """The array of a tensor, or the value itself."""
    array = getattr(value, "_data", None)
    return value if array is None else array


def with_tensor_methods(array):
    """``array`` viewed as :class:`ArrayWithTensorMethods` (a Tensor under ``create_graph``
    or ``None`` passes through).

    >>> type(with_tensor_methods(np.zeros(2))).__name__
    'ArrayWithTensorMethods'
    """
    if type(array) is not np.ndarray:
        return array
    return array.view(ArrayWithTensorMethods)
