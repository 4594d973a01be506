"""The package's layout: no import cycle among tapegrad's modules, and the core below the rest.

docs/architecture.md draws the layers; these tests keep the code to the drawing.
"""

import ast
from pathlib import Path

import tapegrad

PACKAGE = Path(tapegrad.__file__).parent
CORE = {"tapegrad.backend", "tapegrad.grad_mode", "tapegrad.cpython", "tapegrad.dtypes",
        "tapegrad.hooks", "tapegrad.devices", "tapegrad.random", "tapegrad.printing",
        "tapegrad.tensor_arrays", "tapegrad.tensor_core", "tapegrad.function",
        "tapegrad.engine", "tapegrad.complex_gradients"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _runtime_statements(tree: ast.AST):
    """Every statement of a file but those under ``if TYPE_CHECKING:`` (annotations only)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_statements(node)


def _imported_modules(path: Path) -> set:
    """The tapegrad modules a file imports when it runs, at any depth of its code (``from
    tapegrad import nn`` names the module tapegrad.nn; ``from tapegrad.ops.shape import Pad``,
    the module)."""
    found = set()
    for statement in _runtime_statements(ast.parse(path.read_text())):
        if isinstance(statement, ast.Import):
            found |= {alias.name for alias in statement.names}
        elif isinstance(statement, ast.ImportFrom) and statement.module:
            for alias in statement.names:
                submodule = f"{statement.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else statement.module)
    return {name for name in found if name in MODULES}


IMPORTS = {name: _imported_modules(path) for name, path in MODULES.items()}


def _cycles(graph: dict) -> list:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1 or module in graph[module]:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycle_among_tapegrad_modules():
    # The package's __init__ gathers the public names and nothing imports it back.
    assert _cycles(IMPORTS) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_core_imports_nothing_above_it():
    for module in CORE:
        assert IMPORTS[module] <= CORE, module


def test_ops_import_only_the_core_and_other_ops():
    for module, imported in IMPORTS.items():
        if module.startswith("tapegrad.ops."):
            allowed = {name for name in imported if name.startswith("tapegrad.ops.")} | CORE
            assert imported <= allowed, module


def test_library_surface_uses_no_private_names_of_other_rooms():
    """nn, optim, data, viz, autograd and the app import only public names across rooms."""
    for module, path in MODULES.items():
        room = module.split(".")[1] if module.count(".") else ""
        if room not in {"nn", "optim", "data", "viz", "autograd", "app"}:
            continue
        for statement in ast.walk(ast.parse(path.read_text())):
            if isinstance(statement, ast.ImportFrom) and statement.module and \
                    not statement.module.startswith(f"tapegrad.{room}"):
                private = [alias.name for alias in statement.names if alias.name.startswith("_")]
                assert private == [], f"{module} imports {private} from {statement.module}"
