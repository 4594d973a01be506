"""The API reference writes itself: a page says which module it documents, this hook lists
the module's public names, grouped by the file that defines them, one mkdocstrings entry each.

A page of ``docs/reference/`` holds a line ``<!-- api: tapegrad.nn -->``; before MkDocs turns
the page into HTML, the line becomes a section per defining module ("Layers", "Losses", ...)
with a ``::: tapegrad.nn.Linear`` directive per name. A name added to a module's ``__all__``
(or, where a module has none, defined in it) therefore appears without touching the docs, and
``tests/test_docs.py`` checks, with ``public_names`` below, that every one of them did.
"""

from __future__ import annotations

import importlib
import inspect
import re
from types import ModuleType

MARKER = re.compile(r"^<!-- api: (?P<module>[\w.]+) -->$", flags=re.M)
TENSOR_FAMILIES = "<!-- api: Tensor's method families -->"

# Section titles for the files that define public names; a file not listed gets its own name.
TITLES = {
    "tapegrad.tensor": "Tensor",
    "tapegrad.function": "Writing your own op",
    "tapegrad.autograd.grad": "Gradients",
    "tapegrad.autograd.gradcheck": "Checking gradients",
    "tapegrad.autograd.function": "Writing your own op",
    "tapegrad.autograd.functional": "Functional transforms",
    "tapegrad.grad_mode": "Grad mode",
    "tapegrad.creation": "Creating tensors",
    "tapegrad.random": "Random numbers",
    "tapegrad.routines": "Functions on tensors",
    "tapegrad.dtypes": "dtypes",
    "tapegrad.devices": "Devices",
    "tapegrad.serialization": "Checkpoints",
    "tapegrad.legacy": "Older PyTorch names",
    "tapegrad.nn.module": "Modules and parameters",
    "tapegrad.nn.containers": "Containers",
    "tapegrad.nn.layers": "Layers",
    "tapegrad.nn.activations": "Activations",
    "tapegrad.nn.losses": "Losses",
    "tapegrad.optim.optimizer": "The Optimizer base class",
    "tapegrad.optim.clip": "Gradient clipping",
    "tapegrad.data.dataset": "Datasets",
    "tapegrad.data.loader": "Loading batches",
    "tapegrad.data.datasets": "Bundled data sets",
}


def public_names(module: ModuleType) -> list[str]:
    """The names a user may import from ``module``: its ``__all__``, or where it has none,
    the functions and classes it defines itself whose names do not start with ``_``."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [name for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__]


def documented_names(module: ModuleType) -> list[str]:
    """The public names that get an entry on the module's page: submodules get pages of their
    own, so they are linked, not repeated."""
    return [name for name in public_names(module)
            if not inspect.ismodule(getattr(module, name))]


def public_module_paths(path: str = "tapegrad") -> list[str]:
    """The public dotted paths of ``path`` and of the modules reachable from it through
    ``__all__`` (``tapegrad.nn.functional``, ``tapegrad.return_types``), depth first."""
    found = [path]
    module = resolve(path)
    for name in public_names(module):
        if inspect.ismodule(getattr(module, name)):
            found += public_module_paths(f"{path}.{name}")
    return found


def resolve(path: str):
    """The object at a public dotted path, attribute by attribute (``tapegrad.return_types``
    is the module ``tapegrad.surface.return_types``; ``tapegrad.tensor`` is the class)."""
    root, *names = path.split(".")
    value = importlib.import_module(root)
    for name in names:
        value = getattr(value, name)
    return value


def _home(module: ModuleType, name: str) -> str:
    """The module that defines ``module.name``; the module itself for plain values."""
    value = getattr(module, name)
    home = getattr(value, "__module__", None)
    if not isinstance(home, str) or not home.startswith("tapegrad"):
        return module.__name__
    return home


# Classes documented on a page of their own; the module's page links there instead.
OWN_PAGE = {"tapegrad.Tensor": "tensor.md"}


def _entry(path: str, value, own_pages: dict) -> list[str]:
    """One mkdocstrings directive, or, for a class with a page of its own (also under a second
    name: ``tg.tensor`` is ``tg.Tensor``), a heading with the same anchor and a link."""
    if id(value) in own_pages:
        page, name = own_pages[id(value)]
        return [f"### `{path}` {{#{path}}}", "", f"See [`{name}`]({page}).", ""]
    return [f"::: {path}", ""]


def reference_markdown(module_name: str) -> str:
    """The Markdown of one module's reference: a section per defining file, an entry a name."""
    module = resolve(module_name)
    groups: dict[str, list[str]] = {}
    for name in documented_names(module):
        groups.setdefault(_home(module, name), []).append(name)
    own_pages = {id(resolve(path)): (page, path) for path, page in OWN_PAGE.items()}
    lines = []
    for home, names in groups.items():
        if len(groups) > 1:  # one file's names need no section of their own
            lines += [f"## {TITLES.get(home, home.rsplit('.', 1)[-1].capitalize())}", ""]
        for name in sorted(names, key=str.lower):
            lines += _entry(f"{module_name}.{name}", getattr(module, name), own_pages)
    submodules = [name for name in public_names(module)
                  if inspect.ismodule(getattr(module, name))]
    if submodules:
        lines += ["## Submodules", "", *(f"- `{module_name}.{name}`" for name in submodules), ""]
    return "\n".join(lines)


def _first_paragraph(value) -> str:
    return " ".join(inspect.getdoc(value).split("\n\n")[0].split())


def _method_link(name: str) -> str:
    """A link to the entry of ``Tensor.name`` further down the page."""
    return f"[`{name}`][tapegrad.Tensor.{name}]"


def tensor_method_families() -> str:
    """A table of Tensor's public methods by family (the classes Tensor is made from: core,
    operators, pointwise math, reductions, ...), each linked to its entry below it."""
    tensor = importlib.import_module("tapegrad").Tensor
    rows = ["| family | methods |", "| --- | --- |"]
    for family in tensor.__mro__[:-1]:
        names = sorted(name for name in vars(family) if not name.startswith("_"))
        if names:
            summary = _first_paragraph(family).replace("``", "`").replace("|", "\\|")
            links = ", ".join(_method_link(name) for name in names)
            rows.append(f"| {summary} | {links} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001 - MkDocs' hook
    """MkDocs' hook: expand each ``<!-- api: ... -->`` line of a page."""
    markdown = markdown.replace(TENSOR_FAMILIES, tensor_method_families())
    return MARKER.sub(lambda match: reference_markdown(match["module"]), markdown)
