"""The Tensor's core: its array, whether it requires grad, its gradient and the op that made it.

This is all the autograd machinery needs of a tensor, so ``function``, ``engine`` and every op
import this module and nothing above it. The math, shape and reduction methods, and
``backward``, are the surface: ``tapegrad.tensor.Tensor`` subclasses ``TensorCore`` and adds
them, each one applying a ``Function`` from ``tapegrad.ops``.
"""

from __future__ import annotations

import weakref

import numpy as np

from tapegrad import backend, cpython, dtypes, printing
from tapegrad.tensor_arrays import ArrayWithTensorMethods, with_tensor_methods

_INT64, _BOOL = np.dtype(np.int64), np.dtype(np.bool_)


class TensorCore:
    """A tensor's state: ``data``, ``requires_grad``, ``grad``, ``grad_fn``, ``name``.

    You use its subclass ``tapegrad.Tensor``; what you read here holds for every tensor.

    >>> import tapegrad as tg
    >>> isinstance(tg.tensor(1.0), TensorCore)
    True
    """

    # A dict of slots: the public ones get their docstrings (help() and the API reference).
    # _counter: the VersionCounter this tensor shares with every view of its storage, made
    #   when first needed (None: version 0, no views yet); _hooks: its TensorHooks, or None.
    __slots__ = {
        "_data": None, "_requires_grad": None, "_grad": None, "_counter": None, "_hooks": None,
        "__weakref__": None,
        "grad_fn": "The Function that made this tensor; None for a leaf (one you made).",
        "name": "A label shown by tapegrad.viz's draw and explain; None unless you set it.",
    }

    # In the graph a leaf is a node with no inputs, so one walk visits ops and leaves alike;
    # a backward pass does not count a leaf's consumers on it (see engine.pass_order).
    _parents = ()
    _consumers = None

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        if isinstance(data, TensorCore):
            data = data._data
        array = backend.copy_array(data, dtype)
        if dtype is None and array.dtype.kind in "fc" and _is_python_data(data):
            # Python numbers and lists take the default dtype (float32, as PyTorch's); an
            # array keeps its own.
            array = array.astype(dtypes.get_default_dtype() if array.dtype.kind == "f"
                                 else dtypes.default_complex_dtype())
        if array.dtype.kind not in "biufc":
            raise TypeError(
                f"Tensor: cannot hold data of dtype {array.dtype}; "
                "expected numbers (bool, int, float or complex)"
            )
        self._data = array
        self.grad_fn = None
        self._grad = None
        self.name = name
        self._counter = None
        self._hooks = None
        self._requires_grad = False
        self.requires_grad = requires_grad

    # ------------------------------------------------------------------ autograd state

    @property
    def data(self):
        """The array this tensor holds. Assigning one replaces it without recording anything
        (a tensor that requires grad must keep a floating dtype, as in PyTorch).

        >>> import numpy as np, tapegrad as tg
        >>> x = tg.tensor([1.0, 2.0])
        >>> x.data = np.array([3.0, 4.0])
        >>> x
        tensor([3., 4.], dtype=float64)

        It is a view with the PyTorch methods tutorials call on ``.data`` (``add_``,
        ``normal_``, ...; see ``tapegrad.tensor_arrays``), writing into this tensor.
        """
        return with_tensor_methods(self._data)

    @data.setter
    def data(self, value) -> None:
        if type(value) is ArrayWithTensorMethods and _is_view_of_all(value, self._data):
            increment_version(self)  # `t.data -= step` changed the values in place already
            return
        array = value._data if isinstance(value, TensorCore) else backend.as_array(value)
        if array.dtype.kind not in "biufc":
            raise TypeError(f"data: a tensor holds numbers, got an array of dtype {array.dtype}")
        if self._requires_grad and array.dtype.kind not in "fc":
            raise RuntimeError(
                "data: this tensor requires grad, so its data must be floating point or "
                f"complex; got dtype {array.dtype} (convert it with .astype(np.float32) first)"
            )
        self._data = array
        increment_version(self)

    @property
    def _version(self) -> int:
        """How many times this tensor's storage has been changed in place (PyTorch's name).

        >>> import tapegrad as tg
        >>> x = tg.tensor([1.0, 2.0])
        >>> x += 1
        >>> x._version
        1
        """
        return 0 if self._counter is None else self._counter.value

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow into this tensor. Only floating and complex tensors may.

        >>> import tapegrad as tg
        >>> tg.tensor([1.0]).requires_grad
        False
        """
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        flag = bool(flag)
        if flag == self._requires_grad:
            return
        if self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad: only leaf tensors can change requires_grad; "
                f"this one was made by {type(self.grad_fn).__name__}. Use .detach() first."
            )
        if flag and self._data.dtype.kind not in "fc":
            raise TypeError(
                "requires_grad: only floating point and complex tensors can require grad, "
                f"got dtype {self._data.dtype}; convert with Tensor(x, dtype=np.float64)"
            )
        self._requires_grad = flag

    @property
    def grad(self):
        """dL/d(this tensor) as an ndarray of ``data``'s shape, summed over backward calls.

        Zeros until a gradient flows in (allocated when first read); ``None`` for tensors
        that do not require grad. After ``backward(create_graph=True)`` it is a Tensor with
        the graph that computed it, so it can be differentiated again.

        >>> import tapegrad as tg
        >>> tg.tensor([1.0, 2.0], requires_grad=True).grad
        array([0., 0.], dtype=float32)
        """
        if self._grad is None and self._requires_grad:
            self._grad = backend.array_module(self._data).zeros_like(self._data)
        return with_tensor_methods(self._grad)

    @grad.setter
    def grad(self, value) -> None:
        if value is None:
            self._grad = None
            return
        value = value._data if isinstance(value, TensorCore) else value
        array = backend.copy_array(value, self._data.dtype)
        if array.shape != self._data.shape:
            raise ValueError(
                f"grad: expected a gradient of shape {self._data.shape}, got {array.shape}"
            )
        self._grad = array

    @property
    def accumulated_grad(self):
        """The gradient summed so far, or ``None`` when none has flowed in since the last
        ``zero_grad()``: what ``.grad`` holds without reading it as zeros. Optimizers use it
        to leave alone the parameters that got no gradient.

        >>> import tapegrad as tg
        >>> w = tg.tensor([1.0], requires_grad=True)
        >>> w.accumulated_grad is None
        True
        """
        return self._grad

    @property
    def _shape(self) -> tuple:
        # The engine reads the shape of every parent, node or leaf, by this one name.
        return self._data.shape

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by you rather than by an op on tensors that require grad.

        >>> import tapegrad as tg
        >>> tg.tensor(1.0, requires_grad=True).is_leaf
        True
        """
        return self.grad_fn is None

    @property
    def num_forward(self) -> int:
        """How many recorded ops consumed this tensor and have not yet run backward (the
        course exercise's counter; read-only). 0 once ``backward()`` has freed the graph.

        The engine does not need it: it counts consumers itself, at the time of each
        backward, inside the graph the root reaches. Reading it is slow (see
        ``tapegrad.cpython.consumers_of``): it is for looking, not for loops.

        >>> import tapegrad as tg
        >>> a = tg.tensor(1.0, requires_grad=True)
        >>> d = (a + 1) * a
        >>> a.num_forward
        2
        >>> d.backward()
        >>> a.num_forward
        0
        """
        if not self._requires_grad:
            return 0
        node = self if self.grad_fn is None else self.grad_fn
        return sum(consumer._saved is not None for consumer in cpython.consumers_of(node))

    def zero_grad(self) -> None:
        """Reset ``.grad`` to zeros (lazily: the zeros are made when next read or added to).

        >>> import tapegrad as tg
        >>> x = tg.tensor(2.0, requires_grad=True)
        >>> (x * x).backward()
        >>> x.zero_grad()
        >>> x.grad
        array(0., dtype=float32)
        """
        self._grad = None

    def detach(self):
        """Return a tensor sharing this data, cut off from the graph (a leaf, no grad).

        >>> import tapegrad as tg
        >>> tg.tensor(1.0, requires_grad=True).detach().requires_grad
        False

        The two share storage and its version counter: changing one in place changes the
        other, and a backward that saved the original sees the change.
        """
        return share_storage(wrap(self._data), self)

    def requires_grad_(self, requires_grad: bool = True):
        """Set ``requires_grad`` in place and return self (leaves only).

        >>> import tapegrad as tg
        >>> tg.tensor([1.0]).requires_grad_().requires_grad
        True
        """
        self.requires_grad = requires_grad
        return self

    # ------------------------------------------------------------------ array facts

    @property
    def shape(self) -> tuple:
        """The shape of ``data``.

        >>> import tapegrad as tg
        >>> tg.tensor([[1, 2, 3]]).shape
        (1, 3)
        """
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions.

        >>> import tapegrad as tg
        >>> tg.tensor(1.0).ndim
        0
        """
        return self._data.ndim

    @property
    def dtype(self):
        """The NumPy dtype of ``data``.

        >>> import tapegrad as tg
        >>> tg.tensor([1.0]).dtype
        dtype('float32')
        """
        return self._data.dtype

    def item(self):
        """Return the value of a one-element tensor as a Python number.

        >>> import tapegrad as tg
        >>> tg.tensor([2.5]).item()
        2.5
        """
        if self._data.size != 1:
            raise ValueError(
                f"item: only one-element tensors can be converted to a Python number, "
                f"got shape {self._data.shape}"
            )
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """Return ``data`` (the same array, not a copy).

        >>> import tapegrad as tg
        >>> tg.tensor([1.0, 2.0]).numpy()
        array([1., 2.], dtype=float32)
        """
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            # np.array(t), np.array([t, 2 * t]), np.mean([t, u]), np.r_[t, u]: an array has
            # no graph, so handing one out would silently cut the gradient (PyTorch raises
            # here too).
            raise RuntimeError(
                "Can't convert a Tensor that requires grad to a NumPy array implicitly: the "
                "graph would be dropped. Use tg.stack([...]) to join tensors (np.concatenate "
                "for np.r_[...], np.column_stack for np.c_[...]), or t.detach().numpy() (or "
                "t.data) when no gradient is needed."
            )
        return self._data if dtype is None else self._data.astype(dtype)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            amount = "no values" if self._data.size == 0 else "more than one value"
            raise AmbiguousTruthError(
                f"Boolean value of Tensor with {amount} is ambiguous (shape "
                f"{self._data.shape}); use .any() or .all()"
            )
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __repr__(self) -> str:
        prefix = "tensor("
        data = np.asarray(self._data)
        suffixes = []
        if data.size == 0 and data.shape != (0,):
            suffixes.append(f"size={data.shape}")
        if data.dtype not in (dtypes.get_default_dtype(), dtypes.default_complex_dtype(), _INT64,
                              _BOOL):
            suffixes.append(f"dtype={data.dtype}")
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn=<{type(self.grad_fn).__name__}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        body = printing.array_body(data, indent=len(prefix))
        return printing.with_suffixes(prefix + body, suffixes, indent=len(prefix))


def _is_view_of_all(view: np.ndarray, array: np.ndarray) -> bool:
    """Whether ``view`` shows exactly ``array``'s elements (what ``.data`` handed out)."""
    if view.shape != array.shape or view.strides != array.strides or view.dtype != array.dtype:
        return False
    if array.base is None:  # array owns its memory: a view of the same extent starts with it
        return view.base is array
    return view.__array_interface__["data"][0] == array.__array_interface__["data"][0]


def _is_python_data(data) -> bool:
    """Whether ``data`` is Python numbers (or lists of them) rather than an array of a dtype."""
    return not hasattr(data, "dtype")


class AmbiguousTruthError(RuntimeError, ValueError):
    """``if t:`` on a tensor of several values (or none): a RuntimeError, as PyTorch raises,
    and a ValueError, as NumPy raises for an array.

    >>> import tapegrad as tg
    >>> bool(tg.tensor([1.0, 2.0]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tapegrad.tensor_core.AmbiguousTruthError: Boolean value of Tensor with more than one ...
    """


# The class of every tensor that ops and ``wrap`` make: tapegrad.Tensor, once the surface has
# defined it. The core cannot import the surface (the surface imports the ops, which import
# the core), so the surface names its class here with ``@tensor_class``.
_tensor_class = TensorCore
_new_object = object.__new__


def tensor_class(cls: type) -> type:
    """Class decorator: make ``cls`` (a subclass of TensorCore) the class of every tensor
    that an op returns. ``tapegrad.Tensor`` is declared with it.

    >>> import tapegrad as tg
    >>> type(tg.tensor(1.0) + 1) is tg.Tensor
    True
    """
    global _tensor_class
    if not issubclass(cls, TensorCore):
        raise TypeError(f"tensor_class: {cls.__name__} must subclass TensorCore")
    _tensor_class = cls
    return cls


def wrap(data, grad_fn=None):
    """Wrap an array as a tensor without copying it; it requires grad when it has a grad_fn.

    For arrays an op made, or that you hand over: a later change to the array shows in the
    tensor. (``tg.tensor(data)`` copies.)

    >>> import numpy as np
    >>> wrap(np.array([1.0, 2.0]))
    tensor([1., 2.], dtype=float64)
    """
    result = _new_object(_tensor_class)
    result._data = data
    result._requires_grad = grad_fn is not None
    result.grad_fn = grad_fn
    result._grad = None
    result.name = None
    result._counter = None
    result._hooks = None
    return result


# ---------------------------------------------------------------------- versions of storage


class VersionCounter:
    """How many in-place changes a storage has had; one object shared by a tensor and all
    its views, so that a change through any of them is a change to all (PyTorch's design).

    ``VersionCounter.clock`` counts every change of every storage: a graph node notes the
    clock when it is recorded, and if the clock has not moved by its backward, nothing it
    saved can have changed, which is the one comparison backward usually makes. ``owner``
    is a weak reference to the tensor whose storage this counts (the others are views).

    >>> import tapegrad as tg
    >>> x = tg.tensor([1.0])
    >>> counter_of(x).value
    0
    """

    __slots__ = ("value", "owner", "changes")

    clock = 0  # changes of any storage so far
    _REMEMBERED = 16  # the clock times of a storage's last changes that are kept

    def __init__(self, owner: TensorCore):
        self.value = 0
        self.owner = weakref.ref(owner)
        self.changes: list = []  # the clock at each of the last changes, oldest first

    def bump(self) -> None:
        """Count one change, now."""
        VersionCounter.clock += 1
        self.value += 1
        self.changes.append(VersionCounter.clock)
        if len(self.changes) > self._REMEMBERED:
            del self.changes[0]

    def changed_since(self, clock: int) -> bool:
        """Whether this storage changed after the clock read ``clock``."""
        return bool(self.changes) and self.changes[-1] > clock

    def value_at(self, clock: int) -> str:
        """The version the storage had when the clock read ``clock`` (for messages)."""
        later = sum(1 for change in self.changes if change > clock)
        if later == len(self.changes) == self._REMEMBERED:
            return f"at most {self.value - later}"
        return str(self.value - later)


def counter_of(tensor: TensorCore) -> VersionCounter:
    """The tensor's VersionCounter, made now if it had none.

    >>> import tapegrad as tg
    >>> counter_of(tg.tensor(1.0)).value
    0
    """
    counter = tensor._counter
    if counter is None:
        counter = tensor._counter = VersionCounter(tensor)
    return counter


def is_view(tensor: TensorCore) -> bool:
    """Whether ``tensor`` was made as a view of another tensor's storage (by indexing,
    reshape, transpose, ``detach``...).

    >>> import tapegrad as tg
    >>> x = tg.tensor([1.0, 2.0])
    >>> is_view(x), is_view(x[:1])
    (False, True)
    """
    counter = tensor._counter
    return counter is not None and counter.owner() is not tensor


def increment_version(tensor: TensorCore) -> None:
    """Count one in-place change of ``tensor``'s storage (and so of all its views).

    Every in-place op calls it; so do optimizers after changing ``param._data``. A change
    made to ``tensor._data`` or ``tensor.numpy()`` with NumPy is invisible to tapegrad: call
    this after it if a graph saved the tensor (PyTorch's ``torch.autograd.graph`` name).

    >>> import tapegrad as tg
    >>> x = tg.tensor([1.0])
    >>> increment_version(x)
    >>> x._version
    1
    """
    counter_of(tensor).bump()


def share_storage(view: TensorCore, base: TensorCore) -> TensorCore:
    """Make ``view`` (whose data is a view of ``base``'s) share base's version counter;
    return ``view``.

    >>> import tapegrad as tg
    >>> x = tg.tensor([1.0, 2.0])
    >>> v = share_storage(wrap(x.data), x)
    >>> x.add_(1)._version, v._version
    (1, 1)
    """
    view._counter = counter_of(base)
    return view
