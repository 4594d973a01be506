"""Pictures of a graph: DOT text with no dependency (``to_dot``), or a ``graphviz.Digraph``
that Jupyter shows inline and scripts render to SVG or PNG (``draw``).

One box per tensor (its name, shape, value when small, grad once computed) and one ellipse
per Function (its class name), with edges in the direction the data flows. Leaves,
parameters and the root are coloured; an intermediate tensor that no longer exists is drawn
dashed from its Function's output shape. Only the graph's links are read, which backward()
keeps, so a graph can be drawn after backward() as well as before.
"""

from __future__ import annotations

import shutil

from tapegrad.nn.module import Parameter
from tapegrad.tensor import Tensor
from tapegrad.viz.graph import array_text, backward_order, inputs_of, shape_text, tensor_of

SMALL = 6  # tensors with at most this many elements show their values

# Fill colours: blue for what you made, green for a model's weights, orange for the result.
STYLES = {
    "leaf": {"shape": "box", "style": "rounded,filled", "fillcolor": "#cfe2ff"},
    "parameter": {"shape": "box", "style": "rounded,filled", "fillcolor": "#c7ecc7"},
    "root": {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#ffd8a8"},
    "intermediate": {"shape": "box", "style": "rounded"},
    "gone": {"shape": "box", "style": "rounded,dashed", "color": "#888888"},
    "function": {"shape": "ellipse", "style": "filled", "fillcolor": "#eeeeee"},
}
ROLES = {
    "leaf": "leaf tensor",
    "parameter": "parameter",
    "root": "root: backward starts here",
    "intermediate": "intermediate tensor",
    "gone": "intermediate tensor, no longer referenced",
}
_RANKDIRS = ("LR", "RL", "TB", "BT")
_GRAPH = {"fontname": "Helvetica", "fontsize": "11"}

INSTALL = (
    "{what}. tapegrad.viz.draw needs the graphviz Python package (pip install "
    "'tapegrad[viz]', or pip install graphviz) and Graphviz's dot program (apt-get install "
    "graphviz, brew install graphviz or conda install graphviz). "
    "tapegrad.viz.to_dot(root) gives the DOT text without either."
)


def to_dot(root: Tensor, show_data: bool = True, show_grad: bool = True,
           rankdir: str = "LR") -> str:
    """The graph reachable from ``root`` as DOT text, for Graphviz or any DOT viewer.

    >>> import tapegrad as tg
    >>> a = tg.tensor(1.0, requires_grad=True, name="a")
    >>> print(to_dot(a + 1.0, show_grad=False))  # doctest: +NORMALIZE_WHITESPACE
    digraph tapegrad {
        graph [rankdir="LR"]
        node [fontname="Helvetica" fontsize="11"]
        tensor0 [label="a\\nscalar\\nvalue 1" tooltip="leaf tensor" shape="box"
                 style="rounded,filled" fillcolor="#cfe2ff"]
        op1 [label="Add" tooltip="Function Add" shape="ellipse" style="filled"
             fillcolor="#eeeeee"]
        tensor1 [label="scalar\\nvalue 2" tooltip="root: backward starts here" shape="box"
                 style="rounded,filled,bold" fillcolor="#ffd8a8"]
        tensor0 -> op1
        op1 -> tensor1
    }
    """
    nodes, edges = _describe(root, show_data, show_grad, rankdir)
    lines = ["digraph tapegrad {", f'    graph [rankdir="{rankdir}"]',
             f"    node [{_attributes(_GRAPH)}]"]
    lines += [f"    {key} [{_attributes(attributes)}]" for key, attributes in nodes]
    lines += [f"    {tail} -> {head}" for tail, head in edges]
    lines.append("}")
    return "\n".join(lines)


def draw(root: Tensor, show_data: bool = True, show_grad: bool = True, rankdir: str = "LR"):
    """The graph reachable from ``root`` as a ``graphviz.Digraph``.

    Jupyter shows it inline; a script saves it with ``.render("graph", format="svg")`` (or
    ``"png"``). Needs the graphviz Python package and Graphviz's ``dot`` program; the error
    says how to install whichever is missing.

    >>> import tapegrad as tg
    >>> a = tg.tensor(1.0, requires_grad=True, name="a")
    >>> picture = draw(a * a)  # doctest: +SKIP
    >>> picture.render("graph", format="svg")  # doctest: +SKIP
    'graph.svg'
    """
    graphviz = _graphviz()
    nodes, edges = _describe(root, show_data, show_grad, rankdir)
    picture = graphviz.Digraph("tapegrad", graph_attr={"rankdir": rankdir}, node_attr=_GRAPH)
    for key, attributes in nodes:
        picture.node(key, **attributes)
    for tail, head in edges:
        picture.edge(tail, head)
    return picture


def _graphviz():
    """The graphviz module, once both it and the dot program are known to be there."""
    try:
        import graphviz
    except ImportError as error:
        raise ImportError(INSTALL.format(what="The graphviz Python package is not installed")
                          ) from error
    if shutil.which("dot") is None:
        raise RuntimeError(INSTALL.format(what="Graphviz's dot program is not on the PATH"))
    return graphviz


def _describe(root: Tensor, show_data: bool, show_grad: bool, rankdir: str) -> tuple:
    """The picture as ``(nodes, edges)``: ``(key, DOT attributes)`` pairs and ``(tail, head)``
    pairs of keys, inputs before the nodes that use them."""
    if not isinstance(root, Tensor):
        raise TypeError(f"viz: expected a tapegrad Tensor, got {type(root).__name__}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"viz: rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    order, _ = backward_order(root)
    keys = {}
    nodes, edges = [], []
    for number, node in enumerate(reversed(order)):  # forward order: inputs first
        tensor_key = f"tensor{number}"
        if isinstance(node, Tensor):
            nodes.append((tensor_key, _tensor_attributes(node, node, root, show_data, show_grad)))
        else:
            op_key = f"op{number}"
            name = type(node).__name__
            nodes.append((op_key, {"label": _escape(name), "tooltip": f"Function {name}",
                                   **STYLES["function"]}))
            for parent in inputs_of(node):
                if parent is not None:
                    edges.append((keys[parent], op_key))
            tensor = tensor_of(node)
            nodes.append((tensor_key, _tensor_attributes(node, tensor, root, show_data,
                                                         show_grad)))
            edges.append((op_key, tensor_key))
        keys[node] = tensor_key
    return nodes, edges


def _tensor_attributes(node, tensor, root: Tensor, show_data: bool, show_grad: bool) -> dict:
    """Label and style of a tensor's box; ``tensor`` is None when the tensor is gone."""
    if tensor is None:
        role, lines = "gone", [shape_text(node._shape)]
    else:
        if tensor is root:
            role = "root"
        elif tensor.grad_fn is not None:
            role = "intermediate"
        else:
            role = "parameter" if isinstance(tensor, Parameter) else "leaf"
        lines = [str(tensor.name)] if tensor.name else []
        lines.append(shape_text(tensor.shape))
        if show_data and tensor.data.size <= SMALL:
            lines.append(f"value {array_text(tensor.data)}")
        grad = tensor._grad  # not .grad, which would allocate zeros for a picture
        if show_grad and grad is not None:
            lines.append(f"grad {array_text(grad)}" if grad.size <= SMALL else "grad computed")
    label = "\\n".join(_escape(line) for line in lines)
    return {"label": label, "tooltip": ROLES[role], **STYLES[role]}


def _escape(text: str) -> str:
    """Text safe inside a quoted DOT string (the graphviz package leaves escapes as they are)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _attributes(attributes: dict) -> str:
    return " ".join(f'{key}="{value}"' for key, value in attributes.items())
