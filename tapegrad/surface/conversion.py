"""Conversions on tensors, as PyTorch spells them: dtypes (``.to``, ``.float()``), devices
(``.cpu()``, ``.device``), Python values (``.tolist()``, ``f"{t:.4f}"``) and new tensors like
an existing one (``new_zeros``, ``clone``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tapegrad import devices, dtypes
from tapegrad.ops.elementwise import Cast
from tapegrad.tensor_core import TensorCore, wrap

if TYPE_CHECKING:  # for annotations only: tensor.py builds Tensor from this class
    from tapegrad.tensor import Tensor

# PyTorch's legacy type names, for ``t.type()`` and ``t.type("torch.FloatTensor")``.
_TYPE_NAMES = {
    np.dtype(np.float16): "HalfTensor", np.dtype(np.float32): "FloatTensor",
    np.dtype(np.float64): "DoubleTensor", np.dtype(np.uint8): "ByteTensor",
    np.dtype(np.int8): "CharTensor", np.dtype(np.int16): "ShortTensor",
    np.dtype(np.int32): "IntTensor", np.dtype(np.int64): "LongTensor",
    np.dtype(np.bool_): "BoolTensor",
}


class ConversionMethods:
    """dtype and device conversions, Python values, and new tensors made like this one."""

    __slots__ = ()

    # ------------------------------------------------------------------ dtype and device

    @property
    def device(self) -> devices.device:
        """Where the data lives: always the CPU.

        >>> tg.tensor([1.0]).device
        device(type='cpu')
        """
        return devices.device("cpu")

    @property
    def is_cuda(self) -> bool:
        """False: tapegrad's tensors live on the CPU.

        >>> tg.tensor([1.0]).is_cuda
        False
        """
        return False

    def to(self, *args, **kwargs) -> Tensor:
        """This tensor with another dtype or device, as PyTorch's ``to``: ``to(dtype)``,
        ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``, or by keyword; itself
        when nothing changes (unless ``copy=True``). Differentiable between float dtypes.

        >>> tg.tensor([1.5]).to(tg.float32).dtype
        dtype('float32')
        >>> t = tg.tensor([1.0]); t.to("cpu") is t
        True
        """
        dtype, place, copy = _to_arguments(args, kwargs)
        devices.require_cpu(place)
        if dtype is None or np.dtype(dtype) == self.dtype:
            return self.clone() if copy else self
        return Cast.apply(self, dtype=np.dtype(dtype))

    def type(self, dtype=None) -> Tensor | str:
        """With no argument, the type's name as PyTorch gives it (``'tapegrad.FloatTensor'``);
        with a dtype (or such a name), this tensor converted to it.

        >>> tg.tensor([1.0], dtype=tg.float32).type()
        'tapegrad.FloatTensor'
        >>> tg.tensor([1.5]).type("torch.LongTensor")
        tensor([1])
        """
        if dtype is None:
            return "tapegrad." + _TYPE_NAMES.get(self.dtype, f"{self.dtype}Tensor")
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            name = dtype.rpartition(".")[2]
            matches = [known for known, type_name in _TYPE_NAMES.items() if type_name == name]
            if not matches:
                raise ValueError(f"type: unknown tensor type {dtype!r}")
            dtype = matches[0]
        return self.to(dtype)

    def type_as(self, other) -> Tensor:
        """This tensor with ``other``'s dtype.

        >>> tg.tensor([1.5]).type_as(tg.tensor([1])).dtype
        dtype('int64')
        """
        return self.to(other.dtype)

    def float(self) -> Tensor:
        """As float32 (PyTorch's ``float``), differentiably.

        >>> tg.tensor([1]).float().dtype
        dtype('float32')
        """
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """As float64.

        >>> tg.tensor([1]).double().dtype
        dtype('float64')
        """
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        """As float16.

        >>> tg.tensor([1]).half().dtype
        dtype('float16')
        """
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        """As int64 (no gradient flows through an integer tensor).

        >>> tg.tensor([1.7]).long()
        tensor([1])
        """
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """As int32.

        >>> tg.tensor([1.7]).int().dtype
        dtype('int32')
        """
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        """As booleans (nonzero is True).

        >>> tg.tensor([0.0, 2.0]).bool()
        tensor([False,  True])
        """
        return self.to(dtypes.bool)

    def cpu(self) -> Tensor:
        """Itself: tapegrad's tensors live on the CPU.

        >>> t = tg.tensor([1.0]); t.cpu() is t
        True
        """
        return self

    def cuda(self, device=None) -> Tensor:
        """A clear error: tapegrad has no CUDA backend installed."""
        devices.require_cpu("cuda")
        return self

    # ------------------------------------------------------------------ sizes

    def numel(self) -> int:
        """The number of elements.

        >>> tg.zeros(2, 3).numel()
        6
        """
        return self._data.size

    nelement = numel

    def dim(self) -> int:
        """The number of dimensions (``ndimension`` too).

        >>> tg.zeros(2, 3).dim()
        2
        """
        return self._data.ndim

    ndimension = dim

    def element_size(self) -> int:
        """Bytes per element.

        >>> tg.zeros(2, dtype=tg.float32).element_size()
        4
        """
        return self._data.itemsize

    # ------------------------------------------------------------------ Python values

    def tolist(self):
        """The values as (nested) Python lists, or a number for a 0-d tensor.

        >>> tg.tensor([[1, 2], [3, 4]]).tolist()
        [[1, 2], [3, 4]]
        """
        return self._data.tolist()

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" formats a one-element tensor's value, as in PyTorch.
        if not spec:
            return str(self)
        if self._data.size != 1:
            raise TypeError(f"unsupported format string passed to Tensor.__format__: a "
                            f"tensor of shape {self._data.shape} has no single value to format")
        return format(self._data.item(), spec)

    def __index__(self) -> int:
        if self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an "
                            f"index; this one has dtype {self._data.dtype} and shape "
                            f"{self._data.shape}")
        return int(self._data.item())

    def __round__(self, ndigits=None):
        if ndigits is None:
            return round(self.item())
        return wrap(np.round(self._data, ndigits))

    # ------------------------------------------------------------------ new tensors like this one

    def clone(self) -> Tensor:
        """A copy of the data, still in the graph (the gradient passes through).

        >>> a = tg.tensor([1.0]); b = a.clone(); b.data[0] = 5.0; a
        tensor([1.])
        """
        return Cast.apply(self, dtype=self.dtype)

    def contiguous(self) -> Tensor:
        """Itself when its data is laid out in C order, else a contiguous copy (``clone``).

        >>> t = tg.zeros(2, 3); t.contiguous() is t
        True
        """
        return self if self._data.flags.c_contiguous else self.clone()

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """Zeros of ``size``, with this tensor's dtype unless ``dtype`` says otherwise.

        >>> tg.zeros(1, dtype=tg.float32).new_zeros(2).dtype
        dtype('float32')
        """
        return self._new(np.zeros, size, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """Ones of ``size``, with this tensor's dtype unless ``dtype`` says otherwise.

        >>> tg.zeros(1).new_ones(2)
        tensor([1., 1.])
        """
        return self._new(np.ones, size, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """An uninitialised tensor of ``size`` (its values are whatever memory held).

        >>> tg.zeros(1).new_empty(2, 3).shape
        (2, 3)
        """
        return self._new(np.empty, size, dtype, device, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None,
                 requires_grad: bool = False) -> Tensor:
        """``fill_value`` everywhere in ``size``, with this tensor's dtype by default.

        >>> tg.zeros(1).new_full((2,), 7.0)
        tensor([7., 7.])
        """
        return self._new(lambda shape, dtype: np.full(shape, fill_value, dtype), (size,),
                         dtype, device, requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """A new leaf holding a copy of ``data``, with this tensor's dtype by default.

        >>> tg.zeros(1, dtype=tg.float32).new_tensor([1, 2]).dtype
        dtype('float32')
        """
        devices.require_cpu(device)
        return type(self)(data, requires_grad=requires_grad,
                          dtype=self.dtype if dtype is None else dtype)

    def _new(self, make, size, dtype, device, requires_grad: bool) -> Tensor:
        devices.require_cpu(device)
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        result = wrap(make(shape, self.dtype if dtype is None else np.dtype(dtype)))
        result.requires_grad = requires_grad
        return result


def _to_arguments(args: tuple, kwargs: dict) -> tuple:
    """(dtype, device, copy) from PyTorch's ways of calling ``to``."""
    unknown = set(kwargs) - {"dtype", "device", "copy", "non_blocking", "memory_format"}
    if unknown:
        raise TypeError(f"to: unexpected keyword argument {sorted(unknown)[0]!r}")
    dtype, place = kwargs.get("dtype"), kwargs.get("device")
    for value in args:
        if isinstance(value, TensorCore):
            dtype, place = value.dtype, "cpu"
        elif isinstance(value, (str, devices.device)) and not _names_a_dtype(value):
            place = value
        else:
            dtype = value
    return dtype, place, bool(kwargs.get("copy", False))


def _names_a_dtype(value) -> bool:
    if isinstance(value, devices.device):
        return False
    try:
        np.dtype(value)
    except TypeError:
        return False
    return not value.startswith(("cpu", "cuda", "mps"))

