"""Reading a graph for pictures and narration: its nodes in backward order, and its numbers.

A graph is reached from a root tensor through ``grad_fn`` and each node's ``_parents``: the
Function that made an input, the leaf tensor itself, or ``None`` for an input that needs no
gradient. Only those links, ``_shape`` and the weak ``_output`` are read here, and they
outlive the saved arrays that ``backward()`` frees, so a finished graph can still be drawn.
"""

from __future__ import annotations

import numpy as np

from tapegrad import engine
from tapegrad.tensor_core import TensorCore


def backward_order(root: TensorCore) -> tuple[list, dict]:
    """The graph from ``root`` in the order a backward pass visits it: the engine's own walk.

    Returns ``(order, consumers)``: ``order`` lists each node (a Function, or a leaf tensor)
    once, every one after all the nodes that consume it, starting at the root's; ``consumers``
    counts the edges into each node from the nodes that use it.

    >>> import tapegrad as tg
    >>> a = tg.tensor(1.0, requires_grad=True)
    >>> order, consumers = backward_order(a * a + a)
    >>> [type(node).__name__ for node in order], consumers[a]
    (['Add', 'Mul', 'Tensor'], 3)
    """
    start = engine.node_of(root)
    consumers = engine.count_consumers([start])
    order = list(engine.backward_order([start], dict(consumers)))
    return order, consumers


def inputs_of(node) -> tuple:
    """The parents of a Function node (one per forward input); a leaf tensor has none.

    >>> import tapegrad as tg
    >>> inputs_of(tg.tensor(1.0))
    ()
    """
    return () if isinstance(node, TensorCore) else node._parents


def tensor_of(node):
    """The tensor a node stands for: a leaf itself, or a Function's output if it is alive.

    >>> import tapegrad as tg
    >>> x = tg.tensor(2.0, requires_grad=True)
    >>> y = x * x
    >>> tensor_of(y.grad_fn) is y, tensor_of(x) is x
    (True, True)
    """
    return node if isinstance(node, TensorCore) else node._output()


def number(value, digits: int = 6) -> str:
    """A number as a learner would write it: ``1`` not ``1.0``, ``0.419974`` not 17 digits.

    >>> number(2.0), number(np.float64(0.41997434161402614)), number(1e-9)
    ('2', '0.419974', '1e-09')
    """
    value = np.asarray(value)
    if value.dtype.kind == "c":
        return str(value.item())
    if value.dtype.kind == "b":
        return str(bool(value.item()))
    text = f"{float(value.item()):.{digits}g}"
    return "0" if text == "-0" else text


def array_text(array, digits: int = 4) -> str:
    """An array's values on one line, each written by ``number``.

    >>> array_text(np.array([[1.0, 2.5], [3.0, 4.0]]))
    '[[1, 2.5], [3, 4]]'
    """
    array = np.asarray(array)
    if array.ndim == 0 or array.size == 1:
        return number(array.reshape(()), digits)
    text = np.array2string(
        array,
        separator=", ",
        formatter={"float_kind": lambda value: number(value, digits)},
        max_line_width=10_000,
    )
    return " ".join(line.strip() for line in text.splitlines())


def shape_text(shape: tuple) -> str:
    """A shape as the pictures and the narration write it.

    >>> shape_text(()), shape_text((2, 3))
    ('scalar', 'shape (2, 3)')
    """
    return "scalar" if shape == () else f"shape {tuple(shape)}"
