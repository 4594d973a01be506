"""The narrated backward pass: the chain rule at every node, in words and numbers.

``explain(root)`` walks the graph as the engine does (reverse topological order, no
recursion) and writes down what happens, the way the course exercise's "Solution using
backpropagation" does: the start at the root with dL/dL = 1; at each node the local
derivatives (read from the op's docstring, see ``formula.py``), the gradient that came in and
what goes to each input; at each tensor the sum of what arrived. It computes its own
gradients with the nodes' ``backward``, so it frees nothing and changes no ``.grad``.
"""

from __future__ import annotations

import textwrap

from tapegrad import backend
from tapegrad.engine import (
    as_gradient_array,
    gradients_per_input,
    initial_gradient,
    sum_to_shape,
)
from tapegrad.function import Function
from tapegrad.grad_mode import no_grad
from tapegrad.nn.module import Parameter
from tapegrad.ops.chain_rule import times_keeping_zeros
from tapegrad.tensor import Tensor
from tapegrad.viz.formula import input_variables, local_derivative, read_formula, render
from tapegrad.viz.graph import backward_order, number, shape_text, tensor_of

_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
_LINE = 96  # the walk keeps its lines within this width where it can

FREED_MESSAGE = (
    "explain: {op}'s saved arrays were freed by an earlier backward(), so the values of this "
    "graph are gone. Run the forward again to rebuild the graph, or pass retain_graph=True to "
    "backward() to keep it (tapegrad.viz.draw still draws a freed graph)."
)


def explain(root: Tensor, gradient=None, *, quiet: bool = False) -> str:
    """Print the backward pass from ``root``, node by node, and return the text.

    ``gradient`` is dL/d(root), as for ``root.backward(gradient)`` (1 for a one-element
    root). Values are shown for one-element tensors, shapes for the others. Nothing is freed
    and no ``.grad`` changes; a graph already freed by ``backward()`` is refused.
    ``quiet=True`` only returns the text.

    >>> import tapegrad as tg
    >>> a = tg.tensor(1.0, requires_grad=True, name="a")
    >>> b = tg.tensor(2.0, requires_grad=True, name="b")
    >>> c = a + b
    >>> c.name = "c"
    >>> text = explain(c * a)
    Backward pass from L: start with d(L)/d(L) = 1. At each node, multiply the gradient that
    came in by the local derivative for each input and send the product to that input; a
    tensor used several times adds up what it receives.
    <BLANKLINE>
    At L = c * a  (Mul):
      start: d(L)/d(L) = 1  (nothing comes after L)
      local derivatives: d(L)/d(c) = a = 1,  d(L)/d(a) = c = 3
      send to c: d(L)/d(c) * d(L)/d(L) = 1 * 1 = 1
      send to a: d(L)/d(a) * d(L)/d(L) = 3 * 1 = 3
    At c = a + b  (Add):
      one incoming gradient (from L): d(L)/d(c) = 1
      local derivatives: d(c)/d(a) = 1,  d(c)/d(b) = 1
      send to a: d(c)/d(a) * d(L)/d(c) = 1 * 1 = 1
      send to b: d(c)/d(b) * d(L)/d(c) = 1 * 1 = 1
    At b  (leaf):
      one incoming gradient (from c): d(L)/d(b) = 1
      b has no inputs; backpropagation ends here
    At a  (leaf):
      a has two incoming gradients (from L and c): d(L)/d(a) = 3 + 1 = 4
      (a.num_forward = 2: a waits for every op that consumed it)
      a has no inputs; backpropagation ends here
    <BLANKLINE>
    So: d(L)/d(L) = 1,  d(L)/d(c) = 1,  d(L)/d(b) = 1,  d(L)/d(a) = 4
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"explain: expected a tapegrad Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError(
            "explain: this tensor does not require grad, so there is no backward pass to "
            "explain; create its inputs with requires_grad=True"
        )
    order, _ = backward_order(root)
    for node in order:
        if isinstance(node, Function) and node._saved is None:
            raise RuntimeError(FREED_MESSAGE.format(op=type(node).__name__))
    root_grad = initial_gradient(root, gradient)
    labels = _labels(order)
    loss = labels[order[0]]

    start = ("the gradient given" if gradient is not None
             else f"d({loss})/d({loss}) = 1")
    lines = textwrap.wrap(
        f"Backward pass from {loss}: start with {start}. At each node, multiply the gradient "
        "that came in by the local derivative for each input and send the product to that "
        "input; a tensor used several times adds up what it receives.", width=_LINE - 6
    ) + [""]
    arrivals = {order[0]: []}  # node -> [(label of the sender, gradient)], in arrival order
    totals = {}
    with no_grad():  # a user's backward may use tensor ops: it must record nothing
        for node in order:
            label = labels[node]
            if isinstance(node, Tensor):
                lines.append(f"At {label}  ({_leaf_kind(node)}):")
            else:
                lines.append(f"At {_header(node, labels)}:")
            if node is order[0]:
                grad = root_grad
                lines.append(_start_line(loss, root_grad, gradient is not None))
            else:
                arrived = arrivals.pop(node, [])
                grad = _sum_line(label, loss, arrived, lines)
                if len(arrived) > 1:
                    lines += _num_forward_lines(label, tensor_of(node))
            totals[node] = grad
            if isinstance(node, Tensor):
                lines.append(f"  {label} has no inputs; backpropagation ends here")
                continue
            sent = _node_lines(node, grad, labels, loss, lines)
            for parent, input_grad in zip(node._parents, sent):
                if parent is not None:
                    arrivals.setdefault(parent, []).append((label, input_grad))

    results = [_gradient(f"d({loss})/d({labels[node]})", totals[node]) for node in order]
    lines.append("")
    if all(total is None or total.size == 1 for total in totals.values()):
        lines += _one_line_or_many("So:", results)
    else:
        lines += ["So:"] + [f"  {result}" for result in results]
    text = "\n".join(lines)
    if not quiet:
        print(text)
    return text


def _labels(order: list) -> dict:
    """A name for every node's tensor: its ``name``, else L for the root and t1, t2, ... for
    the others, numbered in forward order."""
    names = {}
    for node in order:
        tensor = tensor_of(node)
        if tensor is not None and tensor.name:
            names[node] = str(tensor.name)
    used = set(names.values())
    if order[0] not in names and "L" not in used:
        names[order[0]] = "L"
        used.add("L")
    count = 0
    for node in reversed(order):
        while node not in names:
            count += 1
            if f"t{count}" not in used:
                names[node] = f"t{count}"
    return names


def _leaf_kind(tensor: Tensor) -> str:
    return "parameter" if isinstance(tensor, Parameter) else "leaf"


def _header(node: Function, labels: dict) -> str:
    """``d = c + a  (Add)``: the op's forward formula, written with the graph's names."""
    op = type(node).__name__
    formula = read_formula(type(node))
    if formula is None:
        inputs = ", ".join(labels[p] if p is not None else "·" for p in node._parents)
        return f"{labels[node]} = {op}({inputs})  ({op}: formula unknown)"
    names = _names(node, formula, labels)
    return f"{render(formula.forward, names, labels[node])}  ({op})"


def _names(node: Function, formula, labels: dict) -> dict:
    """Docstring variable -> the graph's name, for the output and each input that has one."""
    names = {formula.output: labels[node]}
    variables = input_variables(type(node), formula, len(node._parents))
    for parent, variable in zip(node._parents, variables):
        if parent is not None and variable is not None:
            names[variable] = labels[parent]
    return names


def _start_line(loss: str, grad, given: bool) -> str:
    if given:
        return f"  start: {_gradient(f'd({loss})/d({loss})', grad)}  (the gradient given)"
    return f"  start: d({loss})/d({loss}) = 1  (nothing comes after {loss})"


def _sum_line(label: str, loss: str, arrived: list, lines: list):
    """Add up what arrived at a tensor, say so in ``lines``, and return the sum (or None)."""
    grads = [grad for _, grad in arrived if grad is not None]
    senders = _senders([sender for sender, grad in arrived if grad is not None])
    if not grads:
        lines.append(f"  no gradient reaches {label}, so nothing flows on from it")
        return None
    total = grads[0]
    for grad in grads[1:]:
        total = total + grad
    gradient = f"d({loss})/d({label})"
    if len(grads) == 1:
        lines.append(f"  one incoming gradient (from {senders}): {_gradient(gradient, total)}")
    elif total.size == 1:
        terms = " + ".join(number(grad) for grad in grads)
        count = _COUNTS.get(len(grads), str(len(grads)))
        lines.append(f"  {label} has {count} incoming gradients (from {senders}): "
                     f"{gradient} = {terms} = {number(total)}")
    else:
        count = _COUNTS.get(len(grads), str(len(grads)))
        lines.append(f"  {label} has {count} incoming gradients (from {senders}): "
                     f"{gradient} = their sum, {shape_text(total.shape)}")
    return total


def _num_forward_lines(label: str, tensor) -> list:
    """The course exercise's counter, for a tensor that several ops consumed (if it is alive)."""
    if tensor is None:
        return []
    return [f"  ({label}.num_forward = {tensor.num_forward}: {label} waits for every op that "
            "consumed it)"]


def _node_lines(node: Function, grad, labels: dict, loss: str, lines: list) -> tuple:
    """Write a node's local derivatives and what it sends; return one gradient per input."""
    parents = node._parents
    if grad is None:
        return (None,) * len(parents)
    locals_, sent = _run_backward(node, grad)
    lines += _derivative_lines(node, labels, loss, locals_)
    label, op = labels[node], type(node).__name__
    for parent, local, input_grad in zip(parents, locals_, sent):
        if parent is None:
            continue
        target = labels[parent]
        if input_grad is None:
            lines.append(f"  send to {target}: nothing ({op}.backward returned None for it)")
        elif local is not None and local.size == 1:
            lines.append(f"  send to {target}: d({label})/d({target}) * d({loss})/d({label}) = "
                         f"{number(local)} * {number(grad)} = {number(input_grad)}")
        elif input_grad.size == 1 and input_grad.shape == parent._shape:
            lines.append(f"  send to {target}: {number(input_grad)}")
        else:
            lines.append(f"  send to {target}: {shape_text(input_grad.shape)}"
                         + _summed_note(input_grad, parent._shape))
    return tuple(
        None if input_grad is None or parent is None else _to_shape(input_grad, parent, op)
        for parent, input_grad in zip(parents, sent)
    )


def _run_backward(node: Function, grad) -> tuple:
    """``(local derivatives, gradients sent)``, one per input, from one call of ``backward``.

    When the node's output is one number, ``backward(1)`` gives the local derivatives
    themselves, and what is sent is each one times the incoming gradient (the chain rule,
    with 0 x inf = 0 as the engine's ops take it); otherwise ``backward(grad)`` gives what is
    sent, and the local derivatives are left to the formulas.
    """
    if grad.size == 1:
        one = backend.array_module(grad).ones(node._shape, dtype=grad.dtype)
        locals_ = _per_input(node, node.backward(one))
        sent = tuple(None if local is None else times_keeping_zeros(grad, local)
                     for local in locals_)
        return locals_, sent
    return (None,) * len(node._parents), _per_input(node, node.backward(grad))


def _derivative_lines(node: Function, labels: dict, loss: str, locals_: tuple) -> list:
    """``local derivatives: d(d)/d(c) = 1,  d(d)/d(a) = 1``, from the op's docstring."""
    op = type(node).__name__
    formula = read_formula(type(node))
    if formula is None:
        derivatives = [f"d({labels[node]})/d({labels[parent]})"
                       + (f" = {number(local)}" if local is not None and local.size == 1 else "")
                       for parent, local in zip(node._parents, locals_) if parent is not None]
        notes = [f'  (a docstring like "y = f(x);  dL/dx = dL/dy * df/dx" on {op} '
                 "would show its formula)"]
    else:
        names = _names(node, formula, labels)
        variables = input_variables(type(node), formula, len(node._parents))
        derivatives, notes = [], []
        for parent, variable, local in zip(node._parents, variables, locals_):
            rule = formula.rules.get(variable)
            if parent is not None:  # a *arrays op's "x_i" is a different input each time
                names_here = {**names, variable: labels[parent]} if rule else names
                derivatives.append(_derivative(labels[node], labels[parent], loss, formula,
                                               rule, names_here, local))
            elif rule is not None:
                notes.append(f"  ({variable} is an input that needs no gradient: "
                             "nothing goes to it)")
        if formula.note and derivatives:
            derivatives[-1] += f"   {render(formula.note, names, loss)}"
    title = "  local derivative:" if len(derivatives) == 1 else "  local derivatives:"
    return (_one_line_or_many(title, derivatives) if derivatives else []) + notes


def _derivative(label, target, loss, formula, rule, names, local) -> str:
    """One input's local derivative, ``d(h)/d(x) = w = 2``; or its rule,
    ``d(L)/d(X) = d(L)/d(Z) @ W^T``, when that is not the incoming gradient times a factor."""
    if rule is None:
        return f"d({label})/d({target}) (not in the docstring)"
    extra = f", {render(rule.extra, names, loss)}" if rule.extra else ""
    factor = local_derivative(rule, formula.output)
    if factor is None:
        rhs = "" if rule.rhs is None else f" = {render(rule.rhs, names, loss)}"
        return f"{render(rule.lhs, names, loss)}{rhs}{extra}"
    factor = render(factor, names, loss)
    value = "" if local is None or local.size != 1 else number(local)
    shown = f" = {value}" if value and value != factor else ""
    return f"d({label})/d({target}) = {factor}{extra}{shown}"


def _per_input(node: Function, input_grads) -> tuple:
    """What ``backward`` returned, as one array (or None) per input, as the engine reads it."""
    if type(input_grads) is not tuple or len(input_grads) != len(node._parents):
        input_grads = gradients_per_input(node, input_grads)
    return tuple(None if grad is None else as_gradient_array(grad) for grad in input_grads)


def _to_shape(grad, parent, op: str):
    """Sum a gradient back over the axes its input was broadcast along, as the engine does."""
    if grad.shape == parent._shape:
        return grad
    return backend.as_array(sum_to_shape(grad, parent._shape, f"{op}.backward"))


def _summed_note(grad, shape: tuple) -> str:
    if grad.shape == tuple(shape):
        return ""
    return f", summed over the broadcast axes to {shape_text(tuple(shape))}"


def _senders(names: list) -> str:
    """``d and c``; a sender that used the tensor twice (``x * x``) is named once: ``y twice``."""
    counts = {name: names.count(name) for name in names}
    times_ = {1: "", 2: " twice"}
    return " and ".join(name + times_.get(count, f" {count} times")
                        for name, count in counts.items())


def _gradient(name: str, grad) -> str:
    """``d(L)/d(a) = 2`` for one number, ``d(L)/d(W), shape (3, 4)`` for an array."""
    if grad is None:
        return f"{name}: none reached it"
    return f"{name} = {number(grad)}" if grad.size == 1 else f"{name}, {shape_text(grad.shape)}"


def _one_line_or_many(title: str, items: list) -> list:
    """``title a,  b`` when that fits on a line, else the title and one indented line each."""
    line = f"{title} " + ",  ".join(items)
    if len(line) <= _LINE:
        return [line]
    indent = " " * (len(title) - len(title.lstrip()) + 2)
    return [title] + [indent + item for item in items]
