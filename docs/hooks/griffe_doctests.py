"""A Griffe extension for the API reference: a docstring's doctest (``>>>`` lines and the
output under them) is shown as a Python console block, not read as Markdown, where
``[0, 1]`` would be a broken link and ``*`` emphasis."""

from __future__ import annotations

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


class FenceDoctests(griffe.Extension):
    """Fence the doctests of every object mkdocstrings loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:  # noqa: ARG002
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
