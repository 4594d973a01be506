"""tapegrad.viz: graph pictures (to_dot, draw) and the narrated backward pass (explain)."""

import importlib
import inspect
import pkgutil
import re
import shutil
import sys
import types
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest

import tapegrad as tg
import tapegrad.ops
from tapegrad import viz
from tapegrad.nn import Parameter
from tapegrad.viz import formula, picture

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


def seed_graph():
    """The exercise's compute graph: a + b = c, c + a = d."""
    a = tg.tensor(1.0, requires_grad=True, name="a")
    b = tg.tensor(2.0, requires_grad=True, name="b")
    c = a + b
    c.name = "c"
    d = c + a
    d.name = "d"
    return a, b, c, d


def dot_node_list(dot: str) -> list:
    """DOT text -> the attributes of every node line of to_dot's output, in order."""
    nodes = []
    for line in dot.splitlines():
        match = re.fullmatch(r"\s*(\w+) \[(.*)\]", line)
        if match and match.group(1) not in ("graph", "node"):
            nodes.append(dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2))))
    return nodes


def dot_nodes(dot: str) -> dict:
    """DOT text -> {label: attributes} (nodes with the same label, like two Adds, share one)."""
    return {attributes["label"]: attributes for attributes in dot_node_list(dot)}


def needs_graphviz():
    pytest.importorskip("graphviz", reason="the graphviz Python package is not installed")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")


# ------------------------------------------------------------------------------ to_dot


def test_to_dot_labels_the_seed_graph_with_names_and_values():
    *_, d = seed_graph()
    nodes = dot_nodes(viz.to_dot(d))
    assert set(nodes) == {
        r"a\nscalar\nvalue 1", r"b\nscalar\nvalue 2", r"c\nscalar\nvalue 3",
        r"d\nscalar\nvalue 4", "Add",
    }  # the two Add nodes share a label


def test_to_dot_edges_follow_the_data():
    *_, d = seed_graph()
    dot = viz.to_dot(d)
    keys = {label.split("\\n")[0]: key for key, label in re.findall(r'(\w+) \[label="([^"]*)"', dot)
            if label != "Add"}
    edges = re.findall(r"(\w+) -> (\w+)", dot)
    assert len(edges) == 6  # a, b -> Add -> c; c, a -> Add -> d
    into = {tail for tail, head in edges if head.startswith("op")}
    assert into == {keys["a"], keys["b"], keys["c"]}
    assert {tail for tail, head in edges if head == keys["d"]} <= {k for k, _ in edges}


def test_to_dot_shows_grads_once_backward_ran():
    *_, d = seed_graph()
    assert r"\ngrad" not in viz.to_dot(d)
    d.backward()
    nodes = dot_nodes(viz.to_dot(d))
    for label in [r"a\nscalar\nvalue 1\ngrad 2", r"b\nscalar\nvalue 2\ngrad 1",
                  r"c\nscalar\nvalue 3\ngrad 1", r"d\nscalar\nvalue 4\ngrad 1"]:
        assert label in nodes
    assert r"\ngrad" not in viz.to_dot(d, show_grad=False)
    assert "value" not in viz.to_dot(d, show_data=False)


def test_to_dot_styles_leaves_parameters_intermediates_and_the_root():
    x = tg.tensor([1.0, 2.0], requires_grad=True, name="x")
    w = Parameter(np.array([3.0, 4.0]))
    w.name = "w"
    h = x * w
    h.name = "h"
    loss = h.sum()
    loss.name = "loss"
    nodes = {label.split("\\n")[0]: attributes
             for label, attributes in dot_nodes(viz.to_dot(loss)).items()}
    assert nodes["x"]["fillcolor"] == picture.STYLES["leaf"]["fillcolor"]
    assert nodes["w"]["fillcolor"] == picture.STYLES["parameter"]["fillcolor"]
    assert nodes["loss"]["fillcolor"] == picture.STYLES["root"]["fillcolor"]
    assert "fillcolor" not in nodes["h"]
    assert {nodes[name]["tooltip"] for name in ("x", "w", "h", "loss")} == {
        "leaf tensor", "parameter", "intermediate tensor", "root: backward starts here"}
    assert len({nodes[name]["fillcolor"] for name in ("x", "w", "loss")}) == 3
    assert nodes["Mul"]["shape"] == "ellipse" and nodes["x"]["shape"] == "box"


def test_to_dot_draws_a_freed_graph_and_tensors_that_are_gone():
    x = tg.tensor(np.ones((2, 3)), requires_grad=True, name="x")
    loss = (x * 2.0).tanh().sum()  # the Mul and Tanh outputs are dropped at once
    loss.backward()  # frees the saved arrays, keeps the links
    nodes = dot_node_list(viz.to_dot(loss))
    gone = [node for node in nodes
            if node["tooltip"] == "intermediate tensor, no longer referenced"]
    assert [node["label"] for node in gone] == ["shape (2, 3)", "shape (2, 3)"]
    assert all("dashed" in node["style"] for node in gone)
    assert [node["label"] for node in nodes if node["shape"] == "ellipse"] == [
        "Mul", "Tanh", "Sum"]
    dot = viz.to_dot(loss)
    assert r"x\nshape (2, 3)\nvalue [[1, 1, 1], [1, 1, 1]]\ngrad [[" in dot


def test_to_dot_shows_shapes_not_values_for_big_tensors():
    x = tg.ones(10, 10, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    dot = viz.to_dot(y)
    assert r'label="shape (10, 10)\ngrad computed"' in dot
    assert "value 100" in dot


def test_to_dot_escapes_quotes_and_backslashes_in_names():
    x = tg.tensor(1.0, requires_grad=True, name='say "hi" \\o/')
    dot = viz.to_dot(x * 2.0)
    assert r'label="say \"hi\" \\o/\nscalar\nvalue 1"' in dot


def test_to_dot_of_a_lone_leaf_and_its_arguments():
    dot = viz.to_dot(tg.tensor(1.0, requires_grad=True), rankdir="TB")
    assert 'rankdir="TB"' in dot and "->" not in dot
    with pytest.raises(ValueError, match="rankdir must be one of LR, RL, TB, BT"):
        viz.to_dot(tg.tensor(1.0), rankdir="sideways")
    with pytest.raises(TypeError, match="expected a tapegrad Tensor, got ndarray"):
        viz.to_dot(np.ones(2))


def test_to_dot_walks_a_long_chain_without_recursion():
    x = tg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    assert viz.to_dot(y).count("->") == 6000


# ------------------------------------------------------------------------------ draw


def test_draw_renders_an_svg_whose_nodes_carry_the_labels(tmp_path):
    needs_graphviz()
    *_, d = seed_graph()
    d.backward()
    graph = viz.draw(d)
    import graphviz

    assert isinstance(graph, graphviz.Digraph)
    path = graph.render(str(tmp_path / "graph"), format="svg")
    svg = ElementTree.parse(path).getroot()
    texts = []
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == "node":
            texts.append([text.text for text in group.iter(f"{SVG}text")])
    assert sorted(texts) == sorted([
        ["a", "scalar", "value 1", "grad 2"], ["b", "scalar", "value 2", "grad 1"],
        ["c", "scalar", "value 3", "grad 1"], ["d", "scalar", "value 4", "grad 1"],
        ["Add"], ["Add"],
    ])
    edges = [group for group in svg.iter(f"{SVG}g") if group.get("class") == "edge"]
    assert len(edges) == 6


def test_draw_shows_inline_in_jupyter_and_renders_png(tmp_path):
    needs_graphviz()
    x = tg.tensor([1.0, 2.0], requires_grad=True, name="x")
    graph = viz.draw((x * x).sum(), rankdir="TB")
    bundle = graph._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"] and ">x</text>" in bundle["image/svg+xml"]
    path = graph.render(str(tmp_path / "graph"), format="png")
    assert Path(path).read_bytes().startswith(b"\x89PNG")


def test_draw_without_the_graphviz_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    with pytest.raises(ImportError) as error:
        viz.draw(tg.tensor(1.0, requires_grad=True) * 2.0)
    message = str(error.value)
    assert "graphviz Python package is not installed" in message
    assert "pip install 'tapegrad[viz]'" in message and "apt-get install graphviz" in message
    assert "to_dot" in message


def test_draw_without_the_dot_program_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", types.ModuleType("graphviz"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError) as error:
        viz.draw(tg.tensor(1.0, requires_grad=True) * 2.0)
    message = str(error.value)
    assert "dot program is not on the PATH" in message
    assert "apt-get install graphviz" in message and "pip install 'tapegrad[viz]'" in message


# ------------------------------------------------------------------------------ explain


def test_explain_walks_the_seed_example_as_the_seed_does(capsys):
    *_, d = seed_graph()
    text = viz.explain(d)
    assert capsys.readouterr().out == text + "\n"
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("At ")] == [
        "At d = c + a  (Add):", "At c = a + b  (Add):", "At b  (leaf):", "At a  (leaf):"]
    for line in [
        "  start: d(d)/d(d) = 1  (nothing comes after d)",
        "  local derivatives: d(d)/d(c) = 1,  d(d)/d(a) = 1",
        "  send to c: d(d)/d(c) * d(d)/d(d) = 1 * 1 = 1",
        "  send to a: d(d)/d(a) * d(d)/d(d) = 1 * 1 = 1",
        "  one incoming gradient (from d): d(d)/d(c) = 1",
        "  local derivatives: d(c)/d(a) = 1,  d(c)/d(b) = 1",
        "  one incoming gradient (from c): d(d)/d(b) = 1",
        "  a has two incoming gradients (from d and c): d(d)/d(a) = 1 + 1 = 2",
        "  (a.num_forward = 2: a waits for every op that consumed it)",
        "  a has no inputs; backpropagation ends here",
        "So: d(d)/d(d) = 1,  d(d)/d(c) = 1,  d(d)/d(b) = 1,  d(d)/d(a) = 2",
    ]:
        assert line in lines


def test_explain_changes_no_grad_and_frees_nothing():
    a, b, c, d = seed_graph()
    first = viz.explain(d, quiet=True)
    assert viz.explain(d, quiet=True) == first
    assert all(t._grad is None for t in (a, b, c, d))
    d.backward()  # the graph is still whole
    assert [float(t.grad) for t in (d, c, b, a)] == [1.0, 1.0, 1.0, 2.0]


def test_explain_tanh_and_mul_gives_formulas_values_and_backwards_numbers():
    x = tg.tensor(0.5, requires_grad=True, name="x")
    w = tg.tensor(2.0, requires_grad=True, name="w")
    h = x * w
    h.name = "h"
    y = h.tanh()
    y.name = "y"
    lines = viz.explain(y, quiet=True).splitlines()
    assert "At y = tanh(h)  (Tanh):" in lines
    assert "  local derivative: d(y)/d(h) = 1 - y² = 0.419974" in lines
    assert "  local derivatives: d(h)/d(x) = w = 2,  d(h)/d(w) = x = 0.5" in lines
    assert "  send to x: d(h)/d(x) * d(y)/d(h) = 2 * 0.419974 = 0.839949" in lines
    explained = dict(re.findall(r"d\(y\)/d\((\w+)\) = ([-\d.e]+)", lines[-1]))
    y.backward()
    for name, tensor in {"x": x, "w": w, "h": h, "y": y}.items():
        np.testing.assert_allclose(float(explained[name]), tensor.grad, rtol=1e-5)


def test_explain_a_matrix_graph_shows_shapes_rules_and_broadcasting():
    x = tg.tensor(np.ones((2, 3)), requires_grad=True, name="X")
    w = Parameter(np.full((3, 4), 0.5))
    w.name = "W"
    bias = tg.tensor(np.zeros(4), requires_grad=True, name="bias")
    z = x @ w + bias
    loss = z.mean()
    text = viz.explain(loss, quiet=True)
    lines = text.splitlines()
    assert "At t1 = X @ W  (Matmul):" in lines
    assert "    d(L)/d(X) = d(L)/d(t1) @ W^T" in lines
    assert "    d(L)/d(W) = X^T @ d(L)/d(t1)   (on the last two axes)" in lines
    assert "  send to bias: shape (2, 4), summed over the broadcast axes to shape (4,)" in lines
    assert "  one incoming gradient (from t1): d(L)/d(W), shape (3, 4)" in lines
    assert "At W  (parameter):" in lines and "At X  (leaf):" in lines
    assert lines[-1] == "  d(L)/d(X), shape (2, 3)"


def test_explain_sums_a_tensor_used_twice_by_one_node():
    x = tg.tensor(3.0, requires_grad=True, name="x")
    text = viz.explain(x * x, quiet=True)
    assert "x has two incoming gradients (from L twice): d(L)/d(x) = 3 + 3 = 6" in text


def test_explain_names_each_input_of_an_op_with_many():
    v = tg.tensor([1.0, 2.0, 3.0], requires_grad=True, name="v")
    u = tg.tensor([4.0, 5.0], requires_grad=True, name="u")
    text = viz.explain(tg.concatenate([v, u]).sum(), quiet=True)
    assert "    d(L)/d(v) = the slice of d(L)/d(t1) where v went" in text
    assert "    d(L)/d(u) = the slice of d(L)/d(t1) where u went" in text


def test_explain_says_which_inputs_need_no_gradient():
    x = tg.tensor(3.0, requires_grad=True, name="x")
    text = viz.explain(x ** 2.0, quiet=True)
    assert "  local derivative: d(L)/d(x) = y * x ** (y - 1) = 6" in text
    assert "  (y is an input that needs no gradient: nothing goes to it)" in text


def test_explain_a_users_function_with_and_without_a_formula():
    class Cube(tg.Function):
        def forward(self, x):
            self.x = x
            return x ** 3

        def backward(self, grad):
            return grad * 3 * self.x ** 2

    class Square(tg.Function):
        """y = x**2;  dL/dx = dL/dy * 2 * x"""

        def forward(self, x):
            self.x = x
            return x ** 2

        def backward(self, grad):
            return grad * 2 * self.x

    x = tg.tensor(2.0, requires_grad=True, name="x")
    text = viz.explain(Square.apply(Cube.apply(x)), quiet=True)
    assert "At t1 = Cube(x)  (Cube: formula unknown):" in text
    assert "  local derivative: d(t1)/d(x) = 12" in text
    assert 'a docstring like "y = f(x);  dL/dx = dL/dy * df/dx" on Cube' in text
    assert "At L = t1²  (Square):" in text
    assert "  local derivative: d(L)/d(t1) = 2 * t1 = 16" in text
    assert text.endswith("d(L)/d(x) = 192")  # d(x^6)/dx = 6 x^5


def test_explain_takes_the_gradient_of_a_non_scalar_root():
    x = tg.tensor([1.0, 2.0], requires_grad=True, name="x")
    y = x * 3.0
    text = viz.explain(y, gradient=np.array([1.0, 1.0]), quiet=True)
    assert "  start: d(L)/d(L), shape (2,)  (the gradient given)" in text
    with pytest.raises(RuntimeError, match="only for one-element tensors"):
        viz.explain(y)


def test_explain_refuses_a_freed_graph_and_says_what_to_do():
    *_, d = seed_graph()
    d.backward()
    with pytest.raises(RuntimeError) as error:
        viz.explain(d)
    assert "freed by an earlier backward()" in str(error.value)
    assert "retain_graph=True" in str(error.value) and "forward again" in str(error.value)

    *_, d = seed_graph()
    d.backward(retain_graph=True)
    assert "= 1 + 1 = 2" in viz.explain(d, quiet=True)


def test_explain_refuses_what_has_no_backward_pass():
    with pytest.raises(RuntimeError, match="does not require grad"):
        viz.explain(tg.tensor(1.0))
    with pytest.raises(TypeError, match="expected a tapegrad Tensor"):
        viz.explain(1.0)
    leaf = tg.tensor(1.0, requires_grad=True, name="a")
    assert "a has no inputs; backpropagation ends here" in viz.explain(leaf, quiet=True)


def test_explain_walks_a_long_chain_without_recursion():
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(2000):
        y = y + 1.0
    assert viz.explain(y, quiet=True).endswith("d(L)/d(t1) = 1")


# ------------------------------------------------------------------------------ formulas


def all_ops():
    """Every Function subclass defined in tapegrad.ops."""
    ops = []
    for module_info in pkgutil.iter_modules(tapegrad.ops.__path__):
        module = importlib.import_module(f"tapegrad.ops.{module_info.name}")
        ops += [value for value in vars(module).values()
                if inspect.isclass(value) and issubclass(value, tg.Function)
                and value.__module__ == module.__name__]
    return ops


@pytest.mark.parametrize("op", all_ops(), ids=lambda op: op.__name__)
def test_every_op_docstring_gives_explain_a_formula(op):
    math = formula.read_formula(op)
    assert math is not None, f"{op.__name__}'s docstring has no 'y = ...;  dL/dx = ...' line"
    assert math.output and "=" in math.forward and math.rules
    parameters = [p for p in inspect.signature(op.forward).parameters.values()][1:]
    tensors = sum(p.kind == p.POSITIONAL_OR_KEYWORD for p in parameters) or 1
    variables = formula.input_variables(op, math, tensors)
    assert variables[0] is not None, f"no rule for {op.__name__}'s first input"


@pytest.mark.parametrize("rhs, output, local", [
    ("dL/dz", "z", "1"),
    ("-dL/dz", "z", "-1"),
    ("dL/dz * y", "z", "y"),
    ("dL/dz / y", "z", "1 / y"),
    ("-dL/dz * z / y", "z", "-z / y"),
    ("dL/dy * (1 - y**2)", "y", "1 - y**2"),
    ("-dL/dy * sin(x)", "y", "-sin(x)"),
    ("dL/dy * (x > 0)", "y", "(x > 0)"),
    ("dL/dz @ y^T", "z", None),
    ("dL/dy - exp(y) * sum(dL/dy)", "y", None),
    ("dL/dy * a + b", "y", None),
])
def test_local_derivative_of_a_rule(rhs, output, local):
    assert formula.local_derivative(formula.Rule("x", "dL/dx", rhs), output) == local


def test_read_formula_of_functions_without_the_convention():
    class Plain(tg.Function):
        """Doubles its input."""

    class Bare(tg.Function):
        pass

    assert formula.read_formula(Plain) is None
    assert formula.read_formula(Bare) is None  # a class's docstring is not inherited


# ------------------------------------------------------------------------------ docs


def test_readme_shows_the_current_explain_output_and_picture():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Learn backprop with tapegrad")[1].split("\n## ")[0]
    shown = re.search(r"```text\n(.*?)```", section, flags=re.S).group(1)
    *_, d = seed_graph()
    assert shown.rstrip("\n") == viz.explain(d, quiet=True)
    assert "docs/seed_graph.svg" in section
    svg = ElementTree.parse(ROOT / "docs" / "seed_graph.svg").getroot()
    texts = {text.text for text in svg.iter(f"{SVG}text")}
    assert {"a", "b", "c", "d", "Add", "grad 2"} <= texts
