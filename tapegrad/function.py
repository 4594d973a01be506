"""The Function base class: an op's forward and backward, and how ``apply`` links the graph.

A Function instance is one node of the graph and the context of one call, as in the course
exercise: ``forward`` may keep what ``backward`` needs on ``self``. The engine, not the
Function, orders, accumulates and frees. For higher-order gradients the node also knows which
of the values it kept are its inputs or its output, so that a backward run on Tensors can be
differentiated again.
"""

from __future__ import annotations

import weakref

import numpy as np

from tapegrad import backend, dtypes, grad_mode
from tapegrad.complex_gradients import AS_WRITTEN
from tapegrad.complex_gradients import prepare as prepare_complex
from tapegrad.tensor_core import TensorCore, VersionCounter, share_storage, wrap

# needs_input_grad for one and two inputs, made once: a tuple per op is one more object for
# Python's cycle collector to track, and it visits every object a graph keeps alive.
_NEEDS_ONE = ((False,), (True,))
_NEEDS_TWO = (((False, False), (False, True)), ((True, False), (True, True)))
_NO_OPTIONS: dict = {}
_NO_INPUTS: tuple = ()

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

    Second and higher derivatives come free when ``backward`` computes with what forward
    kept of its inputs and output (with ``save_for_backward`` or on ``self``) using NumPy
    functions or operators: under ``create_graph`` those values are handed to ``backward``
    as Tensors linked to the graph, so its result is differentiable again.

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
    array(1., dtype=float32)
    """

    # Engine-owned state has underscored names that a subclass's forward won't reuse.
    # _parents: per input, the Function that made it, the leaf tensor itself, or None when
    #   no gradient is needed; _saved: what save_for_backward kept (None once freed);
    # _output: a weak reference to the output, so the graph holds no cycle (NO_OUTPUT once that
    #   tensor has died); _shape: its shape;
    # _inferred_roles: what each kept value is, for classes that do not declare saved_roles;
    # _versions: when backward reads saved inputs or the output, the inputs (a tuple; or
    #   READS_THROUGH_PARENTS when all are found through _parents), and _clock the
    #   VersionCounter.clock at recording, for the version check; else (). A view op's node
    #   has _A_VIEW;
    # _forward_trace: where forward was called, kept in anomaly mode only;
    # _consumers: the backward pass's count of the nodes yet to send this one a gradient
    #   (0 between passes; see engine.pass_order).
    __slots__ = ("_parents", "needs_input_grad", "_saved", "_output", "_shape",
                 "_inferred_roles", "_versions", "_clock", "_forward_trace", "_consumers")

    # What each array given to save_for_backward is: an int is that input (by position),
    # "output" the output, None a constant. Left as None, apply infers it by identity (see
    # _infer_roles); the built-in ops declare it to skip that work, and a test checks that
    # each declaration says what inference would.
    saved_roles: tuple | None = None

    # For each value in saved_roles, the input whose gradient alone needs it (Mul reads x
    # only for dL/dy), or None when several do: the version check skips a value whose
    # gradient is not needed, as PyTorch, which saves such a value only when it is.
    saved_for_gradient_of: tuple | None = None

    # What backward reads, worked out from saved_roles when a subclass is made (see _plan_of).
    _reads = False

    # How the op differentiates complex values: None (it raises), HOLOMORPHIC or AS_WRITTEN
    # (see tapegrad.complex_gradients).
    complex_gradients: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.saved_roles is not None:
            cls._reads = _declared_plan(cls)[1]

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

    # ------------------------------------------------------------------ making a node

    @classmethod
    def apply(cls, *inputs, **options) -> TensorCore:
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
        arrays = [value._data if isinstance(value, TensorCore) else value for value in inputs]
        parents = tuple([
            _parent(value, recording) if isinstance(value, TensorCore) else None
            for value in inputs
        ])
        needs_input_grad = tuple([parent is not None for parent in parents])
        result = _record(cls, arrays, parents, needs_input_grad, options, inputs)
        if result._data.base is not None:  # forward may have returned a view of an input
            _share_if_view(result, inputs)
        return result

    # The Tensor's operators call these two: ``apply`` with its arguments unpacked for one and
    # two inputs, since building lists per call is a measurable share of a small op's time.

    @classmethod
    def apply_unary(cls, x: TensorCore) -> TensorCore:
        """``apply`` for one tensor and no options, as the Tensor's own methods call it.

        >>> import tapegrad as tg
        >>> from tapegrad.ops.arithmetic import Neg
        >>> Neg.apply_unary(tg.tensor(2.0))
        tensor(-2.)
        """
        data = x._data
        parent = (x if x.grad_fn is None else x.grad_fn) if (
            grad_mode._state.enabled and x._requires_grad) else None  # _parent, in line
        # No inputs passed on: the version check finds x through its parent (see _link).
        return _record(cls, (data[()] if data.ndim == 0 else data,), (parent,),
                       _NEEDS_ONE[parent is not None], _NO_OPTIONS, _NO_INPUTS)

    @classmethod
    def apply_binary(cls, x, y) -> TensorCore:
        """``apply`` for two inputs, one of them a tensor, the other a tensor, an array or a
        Python number (which takes the tensor's float dtype).

        >>> import tapegrad as tg
        >>> from tapegrad.ops.arithmetic import Add
        >>> Add.apply_binary(1.0, tg.tensor(2.0))
        tensor(3.)
        """
        recording = grad_mode._state.enabled
        # _parent and _fast_operand written in line: this is the path of every operator.
        if isinstance(x, TensorCore):
            x_data = x._data
            x_parent = (x if x.grad_fn is None else x.grad_fn) if (
                recording and x._requires_grad) else None
            if isinstance(y, TensorCore):
                y_data = y._data
                y_parent = (y if y.grad_fn is None else y.grad_fn) if (
                    recording and y._requires_grad) else None
            else:
                y_data, y_parent = _operand(y, x_data), None
        else:
            y_data, y_parent = y._data, _parent(y, recording)
            x_data, x_parent = _operand(x, y_data), None
        if x_data.dtype is not y_data.dtype:
            x_data, y_data = _promoted(x_data, y_data)
        operands = (x_data[()] if x_data.ndim == 0 else x_data,
                    y_data[()] if y_data.ndim == 0 else y_data)
        # The version check needs the inputs only when one is a constant (see _link).
        inputs = _NO_INPUTS if x_parent is not None and y_parent is not None else (x, y)
        return _record(cls, operands, (x_parent, y_parent),
                       _NEEDS_TWO[x_parent is not None][y_parent is not None], _NO_OPTIONS,
                       inputs)

    def _link(self, data, operands, parents: tuple, needs_graph: bool,
              inputs: tuple = ()) -> TensorCore:
        """Wrap forward's result; when a gradient is needed, make this node its grad_fn and
        record the versions of the input tensors (and the output) that backward will read."""
        if type(data) in _FLOAT_SCALARS:
            # NumPy ufuncs on 0-d arrays return NumPy scalars: give them back their array.
            # The hot path of small ops: the scalar's type already says it is a float.
            output = np.asarray(data)
        else:
            output = data if type(data) is np.ndarray else _as_output(self, data)
            if output.dtype.kind != "f":  # integers and booleans have no gradient
                if needs_graph and output.dtype.kind == "c":
                    prepare_complex(self, operands)  # or raise, naming the op
                else:
                    needs_graph = False
        if not needs_graph:
            return wrap(output)
        self._parents = parents
        self._consumers = 0
        self._shape = output.shape
        cls = type(self)
        if cls.saved_roles is None:
            self._inferred_roles = _infer_roles(self, operands, data)
            reads = _plan_of(self._inferred_roles[0] + tuple(self._inferred_roles[1].values()))[1]
        else:
            reads = cls._reads
        if reads:
            # The version check looks at the inputs (and the output) only if the clock has
            # moved by backward. It finds an input that requires grad through _parents; only
            # a constant input must be held here.
            self._versions = inputs if inputs and reads is _INPUTS and \
                False in self.needs_input_grad else READS_THROUGH_PARENTS
            self._clock = VersionCounter.clock
        else:
            self._versions = ()
        result = wrap(output, self)
        self.refer_to_output(result)
        return result

    def refer_to_output(self, tensor: TensorCore) -> None:
        """Make ``tensor`` the output this node writes ``.grad`` into, held weakly: the
        tensor holds the node, and a finished graph must hold no cycle. (The reference's
        callback, a method of this node, refers back to it only while the tensor lives.)

        >>> import tapegrad as tg
        >>> y = tg.tensor(1.0, requires_grad=True) * 2
        >>> y.grad_fn._output() is y
        True
        """
        self._output = weakref.ref(tensor, self._output_died)

    def _output_died(self, reference) -> None:
        # Called when the output tensor is gone: drop the dead weak reference now rather than
        # with the graph. A long graph would otherwise keep one per node (80 bytes, and one
        # more object that Python's cycle collector visits again and again).
        if self._output is reference:
            self._output = NO_OUTPUT

    @classmethod
    def forward_or_apply(cls, *inputs, **options):
        """``forward``'s result on arrays, or a graph node when an input is a Tensor.

        Backward formulas call ops this way when NumPy has no function that dispatches on
        Tensors (a scatter, say): arrays for ordinary gradients, Tensors under create_graph.

        >>> from tapegrad.ops.arithmetic import Mul
        >>> float(Mul.forward_or_apply(np.array(2.0), np.array(3.0)))
        6.0
        """
        if any(isinstance(value, TensorCore) for value in inputs):
            return cls.apply(*inputs, **options)
        function = cls()
        function._saved = ()
        function.needs_input_grad = (False,) * len(inputs)
        return function.forward(*inputs, **options)

    # ------------------------------------------------------------------ backward on Tensors

    def backward_on_graph(self, grad: TensorCore):
        """``backward`` for ``create_graph``: run with the kept inputs and output as Tensors
        linked to the graph, so the gradients it returns can be differentiated again.

        A backward marked ``@once_differentiable`` runs on arrays instead; its gradients
        raise if anything differentiates through them.
        """
        if getattr(type(self).backward, "once_differentiable", False):
            return self._backward_once(grad)
        saved_roles, attribute_roles = self._roles()
        arrays, attributes = self._saved, {name: getattr(self, name) for name in attribute_roles}
        self._saved = tuple(self._on_graph(value, role)
                            for value, role in zip(arrays, _padded(saved_roles, len(arrays))))
        for name, role in attribute_roles.items():
            setattr(self, name, self._on_graph(attributes[name], role))
        try:
            return self.backward(grad)
        finally:
            self._saved = arrays
            for name, value in attributes.items():
                setattr(self, name, value)

    def _roles(self) -> tuple:
        """(role of each saved value, {attribute name: role}) as declared or inferred."""
        declared = type(self).saved_roles
        return (declared, {}) if declared is not None else self._inferred_roles

    def _on_graph(self, value, role):
        """A kept value as a Tensor linked to the graph when it is an input that needs a
        gradient or the output; as it is otherwise (a constant of the backward formula)."""
        if role == "output":
            return wrap(backend.as_array(value), self)
        if role is None or self._parents[role] is None:
            return value
        parent = self._parents[role]
        return parent if isinstance(parent, TensorCore) else wrap(backend.as_array(value), parent)

    def _backward_once(self, grad: TensorCore):
        """Run a once_differentiable backward on arrays; what it returns can't be
        differentiated again (an error node stands between it and the graph)."""
        with grad_mode.set_grad_enabled(False):
            input_grads = self.backward(grad._data)
        single = not isinstance(input_grads, (tuple, list))
        sources = self._parents + ((_parent(grad, True),) if grad.requires_grad else ())
        wrapped = tuple(
            None if value is None else _NotDifferentiableAgain.of(
                backend.as_array(value), type(self).__name__, sources)
            for value in ((input_grads,) if single else input_grads)
        )
        return wrapped[0] if single else wrapped

    # ------------------------------------------------------------------ freeing

    def _release(self) -> None:
        """Drop the saved state (save_for_backward's and any kept on ``self`` by forward)."""
        self._saved = None
        self._versions = ()
        if type(self).__dictoffset__:  # a subclass without __slots__ keeps state in __dict__
            self.__dict__.clear()

    def version_plan(self) -> tuple:
        """What backward reads that the version check must cover (see ``check_versions``)."""
        return version_plan(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _record(cls, operands, parents: tuple, needs_input_grad: tuple, options: dict,
            inputs: tuple):
    """Make a node of ``cls``, run its forward (naming the op in any error), link the result.

    The one place where ``apply`` and its unpacked forms make a node. Anomaly mode and the
    profiler put ``_record_observed`` in its place while they are on (see ``observe``)."""
    function = cls()
    function._saved = ()
    function.needs_input_grad = needs_input_grad
    try:
        # Spelled out for one and two inputs: Python runs a call with its arguments written
        # out several times faster than one that spreads a tuple, and most ops are these.
        if options or not 0 < len(operands) <= 2:
            data = function.forward(*operands, **options)
        elif len(operands) == 2:
            data = function.forward(operands[0], operands[1])
        else:
            data = function.forward(operands[0])
    except (ValueError, TypeError, IndexError) as error:
        # No local may hold the error: its traceback holds this frame, and the cycle would
        # keep the whole failed graph alive until the cycle collector runs.
        if str(error).startswith(cls.__name__):
            raise
        raise _with_the_op_named(cls.__name__, error) from error
    return function._link(data, operands, parents, True in needs_input_grad, inputs)


# ---------------------------------------------------------------------- observers

# What watches ops being recorded and run backward: anomaly mode and the profiler. While none
# does, nothing on the hot path looks here: ``observe`` swaps ``_record`` for
# ``_record_observed``, and the engine reads this list once per backward pass.
OBSERVERS: list = []
_plain_record = _record


def observe(observer) -> None:
    """Start calling ``observer`` around every forward and backward of an op.

    An observer has ``forward(cls, run)`` and ``backward(node, run)``: each calls ``run()``
    (which records the node or computes its input gradients) and returns what it returns.

    >>> class Counting:
    ...     def __init__(self): self.calls = 0
    ...     def forward(self, cls, run):
    ...         self.calls += 1
    ...         return run()
    ...     def backward(self, node, run):
    ...         return run()
    >>> import tapegrad as tg
    >>> counting = Counting(); observe(counting)
    >>> _ = tg.tensor(1.0) + 1
    >>> stop_observing(counting); counting.calls
    1
    """
    global _record
    OBSERVERS.append(observer)
    _record = _record_observed


def stop_observing(observer) -> None:
    """Stop calling ``observer`` (see ``observe``)."""
    global _record
    if observer in OBSERVERS:
        OBSERVERS.remove(observer)
    if not OBSERVERS:
        _record = _plain_record


def _record_observed(cls, operands, parents, needs_input_grad, options, inputs):
    """``_record`` with each observer wrapped around it, innermost first."""
    def run():
        return _plain_record(cls, operands, parents, needs_input_grad, options, inputs)
    for observer in tuple(OBSERVERS):
        run = _wrapped(observer.forward, cls, run)
    return run()


def observed_backward(node: Function, grad, create_graph: bool):
    """Check ``node``'s saved versions and compute its input gradients, with each observer
    wrapped around the call."""
    def run():
        if node._versions and versions_changed(node):
            check_versions(node)
        return node.backward_on_graph(grad) if create_graph else node.backward(grad)
    for observer in tuple(OBSERVERS):
        run = _wrapped(observer.backward, node, run)
    return run()


def _wrapped(method, subject, run):
    return lambda: method(subject, run)


# ---------------------------------------------------------------------- versions


# What a node's backward reads, per class: (plan, reads). The plan is (role, the input whose
# gradient alone needs it, or None) for each saved input or output; reads is _INPUTS when
# some are inputs, _OUTPUT when only the output, and False when nothing (most ops).
_INPUTS, _OUTPUT = "inputs", "output"
READS_THROUGH_PARENTS = ("reads what its parents' outputs hold",)
_A_VIEW = ("a view: its output shares its input's storage",)
_PLANS: dict = {}


def _plan_of(roles, needed_for=None) -> tuple:
    needed_for = needed_for or (None,) * len(roles)
    plan = tuple((role, gradient) for role, gradient in zip(roles, needed_for)
                 if role is not None)
    reads = _INPUTS if any(role != "output" for role, _ in plan) else (_OUTPUT if plan
                                                                      else False)
    return plan, reads


def _declared_plan(cls) -> tuple:
    plan, reads = _plan_of(cls.saved_roles, cls.saved_for_gradient_of)
    _PLANS[cls] = plan
    return plan, reads


def version_plan(node: Function) -> tuple:
    """What ``node``'s backward reads: (role, input whose gradient alone needs it) pairs."""
    cls = type(node)
    if cls.saved_roles is None:
        return _plan_of(node._inferred_roles[0] + tuple(node._inferred_roles[1].values()))[0]
    return _PLANS[cls] if cls in _PLANS else _declared_plan(cls)[0]


def versions_changed(node: Function) -> bool:
    """Whether anything was changed in place since ``node`` was recorded (cheap)."""
    return node._clock != VersionCounter.clock


def check_versions(node: Function) -> None:
    """Raise PyTorch's error if something ``node``'s backward reads was changed in place
    after ``node`` was recorded.

    >>> import tapegrad as tg
    >>> x = tg.tensor([1.0, 2.0], requires_grad=True); c = tg.tensor([3.0, 4.0])
    >>> y = (x * c).sum()
    >>> c += 10
    >>> check_versions(y.grad_fn._parents[0])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: one of the variables needed for gradient computation has been modified ...
    """
    inputs = node._versions
    for role, gradient in node.version_plan():
        if gradient is not None and not node.needs_input_grad[gradient]:
            continue
        position = role if type(role) is int else role[1]  # ("saved", i): see FunctionCtx
        held = inputs[position] if role != "output" and position < len(inputs) else None
        if role == "output":
            counter, what, shape = _counter_of_node(node), "the output", node._shape
        elif isinstance(held, TensorCore):  # a constant input, or one held for another reason
            counter, what, shape = held._counter, "an input", held._data.shape
        elif type(role) is int and node._parents[role] is not None:
            parent = node._parents[role]
            counter, what, shape = _counter_through(parent), "an input", parent._shape
        else:
            continue
        if counter is not None and counter.changed_since(node._clock):
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by "
                f"an inplace operation: [Tensor of shape {shape}], {what} that "
                f"{type(node).__name__} saved, is at version {counter.value}; expected "
                f"version {counter.value_at(node._clock)} instead. Hint: the change came "
                f"after {type(node).__name__} saved it; compute on a copy (x.clone()) or "
                "change it after backward()"
            )


def _counter_through(parent):
    """The version counter of the tensor a parent (a leaf, or the node that made it) stands
    for. When that tensor is gone and its node made a view, the storage is the view's
    input's: look there."""
    while True:
        if isinstance(parent, TensorCore):
            return parent._counter
        counter = _counter_of_node(parent)
        if counter is not None or parent._versions is not _A_VIEW:
            return counter
        parent = parent._parents[0]
        if parent is None:
            return None


def _counter_of_node(node: Function):
    """The counter of the tensor ``node`` made, while it lives (or was retired)."""
    if type(node._output) is RetiredOutput:
        return node._output.counter
    output = node._output()
    return None if output is None else output._counter


class RetiredOutput:
    """What a node's ``_output`` becomes when an in-place op replaced the value it made: no
    tensor (its gradient is no one's ``.grad``), but the storage's counter, to check."""

    __slots__ = ("counter",)

    def __init__(self, counter: VersionCounter):
        self.counter = counter

    def __call__(self):
        return None


# A node's ``_output`` once the tensor it made has died: like a dead weak reference, calling
# it gives None (NoneType() is None), and at C speed, since the engine calls it for every node.
NO_OUTPUT = type(None)


def _share_if_view(result: TensorCore, inputs: tuple) -> None:
    """Make a result that is a view of an input's storage share that input's counter."""
    xp = backend.array_module(result._data)
    for tensor in inputs:
        if isinstance(tensor, TensorCore) and xp.may_share_memory(result._data, tensor._data):
            share_storage(result, tensor)
            node = result.grad_fn
            if node is not None and not node._versions:
                node._versions, node._clock = _A_VIEW, VersionCounter.clock
            return


def once_differentiable(backward):
    """Mark a Function's ``backward`` as differentiable once only (PyTorch's decorator).

    For a backward written with operations that cannot record a graph (an in-place NumPy
    update, a call into other code): under ``create_graph`` it runs on plain arrays, and
    differentiating the gradients it returns raises a RuntimeError naming the Function,
    rather than silently giving a wrong second derivative.

    >>> import tapegrad as tg
    >>> class Cube(tg.Function):
    ...     def forward(self, x):
    ...         self.save_for_backward(x)
    ...         return x ** 3
    ...     @once_differentiable
    ...     def backward(self, grad):
    ...         (x,) = self.saved
    ...         return 3 * x ** 2 * grad
    >>> x = tg.tensor(2.0, requires_grad=True)
    >>> (g,) = tg.grad(Cube.apply(x), [x], create_graph=True)
    >>> float(g)
    12.0
    >>> tg.grad(g, [x])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: Cube.backward is marked @once_differentiable: ...
    """
    backward.once_differentiable = True
    return backward


class _NotDifferentiableAgain(Function):
    """y = a gradient from a once_differentiable backward;  dL/dx: raises RuntimeError"""

    __slots__ = ("op",)
    saved_roles = ()
    complex_gradients = AS_WRITTEN  # its backward only raises

    @classmethod
    def of(cls, gradient, op: str, sources: tuple) -> TensorCore:
        """``gradient`` as a Tensor whose backward raises, linked to ``sources``."""
        node = cls()
        node.op = op
        node._saved = ()
        node.needs_input_grad = tuple(source is not None for source in sources)
        return node._link(gradient, (), sources, True in node.needs_input_grad)

    def backward(self, grad):
        raise RuntimeError(
            f"{self.op}.backward is marked @once_differentiable: its gradient cannot be "
            "differentiated again"
        )


def _infer_roles(function: Function, operands, output) -> tuple:
    """What each value forward kept is, told by identity with forward's inputs and result.

    Returns (one role per saved value, {attribute name: role} for the attributes a Function
    without ``__slots__`` set in forward). Identity is exact: a value computed from an input
    (``x * 2``, a copy, a view) is a different object and is taken as a constant, as PyTorch
    takes a tensor created inside forward.
    """
    saved_roles = tuple([_role_of(value, operands, output) for value in function._saved])
    attribute_roles = {}
    if type(function).__dictoffset__:
        for name, value in vars(function).items():
            role = _role_of(value, operands, output)
            if role is not None:
                attribute_roles[name] = role
    return saved_roles, attribute_roles


def _role_of(value, operands, output):
    if value is output:
        return "output"
    for position, operand in enumerate(operands):
        if value is operand:
            return position
    return None


def _padded(roles: tuple, length: int) -> tuple:
    """A declaration may stop early: the values after it are constants."""
    return tuple(roles) + (None,) * (length - len(roles))


def _parent(tensor: TensorCore, recording: bool):
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
    """A non-tensor operand as an array. A Python number takes ``other``'s float dtype, and a
    Python float next to an integer tensor the default float dtype (PyTorch's rules)."""
    if isinstance(value, (int, float)) and other.dtype.kind == "f":
        # The same dtype keeps float32 float32; a NumPy scalar is NumPy's fastest operand.
        return other.dtype.type(value)
    if type(value) is float:
        return dtypes.get_default_dtype().type(value)
    if type(value) is complex:  # complex64 next to float32 or complex64, as in PyTorch
        kind = other.dtype if other.dtype.kind in "fc" else dtypes.get_default_dtype()
        return np.result_type(kind, np.complex64).type(value)
    return backend.as_array(value)


def _promoted(x, y) -> tuple:
    """PyTorch's promotion where NumPy's differs: a floating operand keeps its dtype against
    an integer or boolean one (NumPy would widen float32 ** int64 to float64)."""
    x_float, y_float = x.dtype.kind in "fc", y.dtype.kind in "fc"
    if x_float and not y_float:
        return x, y.astype(x.dtype)
    if y_float and not x_float:
        return x.astype(y.dtype), y
    return x, y


def _with_the_op_named(op: str, error: Exception) -> Exception:
    """A new error of ``error``'s plain kind with the op's name in front, so a NumPy message
    says where it came from."""
    kind = next(kind for kind in (IndexError, TypeError, ValueError) if isinstance(error, kind))
    return kind(f"{op}: {error}")


def _as_output(function: Function, data):
    """Turn what a forward returned into an array, or say why it cannot be one."""
    if isinstance(data, np.generic):
        return np.asarray(data)
    op = type(function)
    if isinstance(data, TensorCore):
        raise TypeError(
            f"{op.__name__}.forward returned a Tensor; forward works on raw arrays and must "
            "return one"
        )
    if isinstance(data, (tuple, list)):
        raise TypeError(f"{op.__name__}.forward returned a {type(data).__name__}; return one array")
    return backend.as_array(data)
