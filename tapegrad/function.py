"""The Function base class: an op's forward and backward, and how ``apply`` links the graph.

A Function instance is one node of the graph and the context of one call, as in the course
exercise: ``forward`` may keep what ``backward`` needs on ``self``. The engine, not the
Function, orders, accumulates and frees.
"""

from __future__ import annotations

import weakref

import numpy as np

from tapegrad import backend, grad_mode
from tapegrad.tensor import Tensor, _wrap

# needs_input_grad for one and two inputs, made once: a tuple per op is one more object for
# Python's cycle collector to track, and it visits every object a graph keeps alive.
_NEEDS_ONE = ((False,), (True,))
_NEEDS_TWO = (((False, False), (False, True)), ((True, False), (True, True)))

_FLOAT_SCALARS = frozenset({np.float64, np.float32, np.float16})

FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time: {op}'s saved arrays were freed by "
    "an earlier backward(). Pass retain_graph=True to the first backward() to keep them."
)


class Function:
    """Base class of every differentiable op; subclass it to write your own.

    ``forward(self, *arrays)`` gets raw arrays and returns one array; ``backward(self, grad)``
    gets dL/d(output) and returns one dL/d(input) per input (a tuple when there are several,
    ``None`` where ``self.needs_input_grad`` says none is needed). Call ``MyOp.apply(...)``
    with tensors, arrays or numbers; keyword arguments go to ``forward`` unchanged.

    >>> import numpy as np, tapegrad as tg
    >>> class Exp(tg.Function):
    ...     def forward(self, x):
    ...         self.out = np.exp(x)
    ...         return self.out
    ...     def backward(self, grad):
    ...         return grad * self.out
    >>> x = tg.tensor(0.0, requires_grad=True)
    >>> Exp.apply(x).backward()
    >>> x.grad
    array(1.)
    """

    # Engine-owned state has underscored names that a subclass's forward won't reuse.
    # _parents: per input, the Function that made it, the leaf tensor itself, or None when
    #   no gradient is needed; _saved: what save_for_backward kept (None once freed);
    # _output: a weak reference to the output, so the graph holds no cycle; _shape: its shape.
    __slots__ = ("_parents", "needs_input_grad", "_saved", "_output", "_shape")

    # What each array given to save_for_backward is, for higher-order gradients: an int is
    # that input (by position), "output" is the output, None (or no declaration) a constant.
    # backward(create_graph=True) then hands backward those inputs and that output as Tensors
    # still linked to the graph, so the gradient it computes can be differentiated again.
    saved_roles: tuple | None = None

    def forward(self, *arrays):
        """Compute the op on raw arrays and return one array."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, *arrays)")

    def backward(self, grad):
        """Given dL/d(output), return one dL/d(input) per input (``None`` where not needed)."""
        raise NotImplementedError(f"{type(self).__name__} must define backward(self, grad)")

    def save_for_backward(self, *arrays) -> None:
        """Keep arrays for ``backward``; the engine frees them once backward has run.

        >>> class Square(Function):
        ...     def forward(self, x):
        ...         self.save_for_backward(x)
        ...         return x * x
        ...     def backward(self, grad):
        ...         (x,) = self.saved
        ...         return 2 * x * grad
        """
        self._saved = arrays

    @property
    def saved(self) -> tuple:
        """The arrays given to ``save_for_backward``, in order.

        >>> class Identity(Function):
        ...     def forward(self, x):
        ...         self.save_for_backward(x)
        ...         return x
        """
        if self._saved is None:
            raise RuntimeError(FREED_GRAPH_MESSAGE.format(op=type(self).__name__))
        return self._saved

    saved_tensors = saved  # PyTorch's name

    @classmethod
    def apply(cls, *inputs, **options) -> Tensor:
        """Run ``forward`` on the inputs' arrays and, when a gradient is needed, link the graph.

        >>> import tapegrad as tg
        >>> class Double(tg.Function):
        ...     def forward(self, x):
        ...         return 2 * x
        ...     def backward(self, grad):
        ...         return 2 * grad
        >>> Double.apply(tg.tensor([1.0, 2.0], requires_grad=True))
        tensor([2., 4.], grad_fn=<Double>)
        """
        recording = grad_mode._state.enabled  # is_grad_enabled(), without the call: hot path
        arrays = [value.data if isinstance(value, Tensor) else value for value in inputs]
        parents = tuple([
            _parent(value, recording) if isinstance(value, Tensor) else None for value in inputs
        ])
        function = cls()
        function._saved = ()
        function.needs_input_grad = tuple([parent is not None for parent in parents])
        try:
            data = function.forward(*arrays, **options)
        except (ValueError, TypeError, IndexError) as error:
            raise _name_the_op(cls.__name__, error) from error
        return function._link(data, parents, True in function.needs_input_grad)

    # Tensor's own methods call these two: ``apply`` spelled out for one and two inputs, since
    # building lists per call is a measurable share of a small op's time.

    @classmethod
    def _apply_unary(cls, x: Tensor) -> Tensor:
        parent = _parent(x, grad_mode._state.enabled)
        function = cls()
        function._saved = ()
        function.needs_input_grad = _NEEDS_ONE[parent is not None]
        try:
            data = function.forward(_fast_operand(x.data))
        except (ValueError, TypeError, IndexError) as error:
            raise _name_the_op(cls.__name__, error) from error
        return function._link(data, (parent,), parent is not None)

    @classmethod
    def _apply_binary(cls, x, y) -> Tensor:
        """One of x and y is a Tensor; the other may be a Tensor, an array or a Python number."""
        recording = grad_mode._state.enabled
        if isinstance(x, Tensor):
            x_data, x_parent = x.data, _parent(x, recording)
            if isinstance(y, Tensor):
                y_data, y_parent = y.data, _parent(y, recording)
            else:
                y_data, y_parent = _operand(y, x_data), None
        else:
            y_data, y_parent = y.data, _parent(y, recording)
            x_data, x_parent = _operand(x, y_data), None
        function = cls()
        function._saved = ()
        function.needs_input_grad = _NEEDS_TWO[x_parent is not None][y_parent is not None]
        try:
            data = function.forward(_fast_operand(x_data), _fast_operand(y_data))
        except (ValueError, TypeError, IndexError) as error:
            raise _name_the_op(cls.__name__, error) from error
        return function._link(data, (x_parent, y_parent),
                              x_parent is not None or y_parent is not None)

    def _link(self, data, parents: tuple, needs_graph: bool) -> Tensor:
        """Wrap forward's result; when a gradient is needed, make this node its grad_fn."""
        if type(data) in _FLOAT_SCALARS:
            # NumPy ufuncs on 0-d arrays return NumPy scalars: give them back their array.
            # The hot path of small ops: the scalar's type already says it is a float.
            data = np.asarray(data)
        else:
            if type(data) is not np.ndarray:
                data = _as_output(self, data)
            needs_graph = needs_graph and data.dtype.kind == "f"  # integers have no gradient
        if not needs_graph:
            return _wrap(data)
        self._parents = parents
        self._shape = data.shape
        output = _wrap(data, self)
        self._output = weakref.ref(output)
        return output

    @classmethod
    def compute(cls, *inputs, **options):
        """``forward``'s result on arrays, or a graph node when an input is a Tensor.

        Backward formulas call ops this way when NumPy has no function that dispatches on
        Tensors (a scatter, say): arrays for ordinary gradients, Tensors under create_graph.

        >>> from tapegrad.ops.arithmetic import Mul
        >>> float(Mul.compute(np.array(2.0), np.array(3.0)))
        6.0
        """
        if any(isinstance(value, Tensor) for value in inputs):
            return cls.apply(*inputs, **options)
        function = cls()
        function._saved = ()
        function.needs_input_grad = (False,) * len(inputs)
        return function.forward(*inputs, **options)

    def _saved_as_tensors(self) -> tuple:
        """The saved arrays as ``saved_roles`` says: inputs and output as Tensors linked to
        the graph (so a backward computed from them is differentiable), the rest as they are."""
        roles = type(self).saved_roles or ()
        values = []
        for position, value in enumerate(self._saved):
            role = roles[position] if position < len(roles) else None
            if role == "output":
                values.append(_wrap(backend.as_array(value), self))
            elif isinstance(role, int) and self._parents[role] is not None:
                parent = self._parents[role]
                values.append(parent if isinstance(parent, Tensor) else _wrap(
                    backend.as_array(value), parent))
            else:
                values.append(value)
        return tuple(values)

    def _release(self) -> None:
        """Drop the saved state (save_for_backward's and any kept on ``self`` by forward)."""
        self._saved = None
        if type(self).__dictoffset__:  # a subclass without __slots__ keeps state in __dict__
            self.__dict__.clear()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _parent(tensor: Tensor, recording: bool):
    """Where a tensor's gradient goes: its grad_fn, the leaf itself, or None (no gradient)."""
    if not (recording and tensor._requires_grad):
        return None
    return tensor if tensor.grad_fn is None else tensor.grad_fn


def _fast_operand(array):
    """A 0-d array as a NumPy scalar (a CuPy one stays as it is); larger arrays pass through.

    NumPy does arithmetic on scalars several times faster than on 0-d arrays, and the
    built-in ops treat both alike; their 0-d results are made arrays again by ``_link``.
    """
    return array[()] if array.ndim == 0 else array


def _operand(value, other):
    """A non-tensor operand as an array; a Python number takes ``other``'s float dtype."""
    if isinstance(value, (int, float)) and other.dtype.kind == "f":
        # The same dtype keeps float32 float32; a NumPy scalar is NumPy's fastest operand.
        return other.dtype.type(value)
    return backend.as_array(value)


def _name_the_op(op: str, error: Exception) -> Exception:
    """Return ``error`` with the op's name in front, so a NumPy message says where it came from."""
    message = str(error)
    if message.startswith(op):
        return error
    for kind in (ValueError, TypeError, IndexError):
        if isinstance(error, kind):
            return kind(f"{op}: {message}")
    return error


def _as_output(function: Function, data):
    """Turn what a forward returned into an array, or say why it cannot be one."""
    if isinstance(data, np.generic):
        return np.asarray(data)
    op = type(function)
    if isinstance(data, Tensor):
        raise TypeError(
            f"{op.__name__}.forward returned a Tensor; forward works on raw arrays and must "
            "return one"
        )
    if isinstance(data, (tuple, list)):
        raise TypeError(f"{op.__name__}.forward returned a {type(data).__name__}; return one array")
    return backend.as_array(data)
