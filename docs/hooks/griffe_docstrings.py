"""Griffe extensions for the API reference: what a docstring says reaches the page as meant.

A docstring's doctest (``>>>`` lines and the output under them) is shown as a Python console
block, not read as Markdown, where ``[0, 1]`` would be a broken link and ``*`` emphasis; and a
slot's docstring (``Tensor.grad_fn``, given in ``__slots__``), which Griffe does not read, is
read from the slot itself.
"""

from __future__ import annotations

import inspect

import griffe


def fence_doctests(text: str) -> str:
    """Put each run of doctest lines (a ``>>>`` line up to the next blank line) in a
    ```` ```pycon ```` fence (tests/test_docs.py shows one: a doctest cannot show a doctest)."""
    lines, in_doctest = [], False
    for line in text.splitlines():
        if not in_doctest and line.lstrip().startswith(">>>"):
            lines.append("```pycon")
            in_doctest = True
        elif in_doctest and not line.strip():
            lines.append("```")
            in_doctest = False
        lines.append(line)
    if in_doctest:
        lines.append("```")
    return "\n".join(lines) + "\n"


class SlotDocstrings(griffe.Extension):
    """Give an attribute that is a documented slot its docstring."""

    def on_attribute_instance(self, *, node, attr: griffe.Attribute, **kwargs) -> None:  # noqa: ARG002
        runtime = getattr(node, "obj", None)
        if attr.docstring is None and inspect.ismemberdescriptor(runtime):
            text = inspect.getdoc(runtime)  # looks the slot up in its class's __slots__ dict
            if text:
                attr.docstring = griffe.Docstring(text, parent=attr)


class FenceDoctests(griffe.Extension):
    """Fence the doctests of every object mkdocstrings loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:  # noqa: ARG002
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
