"""Pages of the site that say what the README says include its text, so the two cannot drift.

A page line ``<!-- include: README.md "## Coming from PyTorch" -->`` becomes that section of
the README (or of another Markdown file of the repository: ``benchmarks/README.md``), up to the
next heading of the same level, without the heading itself; a second quoted string,
``"- **checkpoints**"``, narrows it to the list item that starts so. The file's relative links
are rewritten for the page: into ``docs/`` they stay links, to other files
(``benchmarks/RESULTS.md``) they become the file's name in code. A section or item that is not
there fails the build, naming it.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

INCLUDE = re.compile(r'^<!-- include: (?P<file>\S+) "(?P<heading>[^"]+)"'
                     r'(?: "(?P<item>[^"]+)")? -->$', flags=re.M)
LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<target>[^)#\s]+)(?P<anchor>#[^)\s]*)?\)")
ROOT = Path(__file__).resolve().parents[2]


def section(text: str, heading: str) -> str:
    """The lines under ``heading`` up to the next heading of its level or above (the title's
    section, ``# tapegrad``, ends at the first ``##`` heading)."""
    lines = text.splitlines()
    if heading not in lines:
        raise ValueError(f"include: no line {heading!r} in the README")
    level = max(len(heading) - len(heading.lstrip("#")), 2)
    body, in_code = [], False
    for line in lines[lines.index(heading) + 1:]:
        in_code ^= line.startswith("```")
        if not in_code and re.match(rf"#{{1,{level}}} ", line):
            break
        body.append(line)
    return "\n".join(body).strip("\n")


def list_item(text: str, start: str) -> str:
    """The list item of ``text`` that starts with ``start``, with its indented lines."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith(start)), None)
    if first is None:
        raise ValueError(f"include: no list item {start!r} in that README section")
    item = [lines[first]]
    for line in lines[first + 1:]:
        if line and not line.startswith(" "):
            break
        item.append(line)
    return "\n".join(item).strip("\n")


def _relink(text: str, source: str, page_path: str) -> str:
    """Rewrite the links of ``source`` (a file of the repository, e.g. ``README.md``), which are
    relative to its folder, for a page at ``page_path`` (relative to docs/)."""

    def relink(match: re.Match) -> str:
        if "://" in match["target"]:
            return match[0]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(source), match["target"]))
        anchor = match["anchor"] or ""
        if target.startswith("docs/"):
            here = posixpath.dirname(page_path)
            return f"[{match['text']}]({posixpath.relpath(target[5:], here or '.')}{anchor})"
        text = match["text"]
        return f"`{target}`" if text.strip("`") in (match["target"], target) else \
            f"{text} (`{target}`)"

    return LINK.sub(relink, text)


def included(match: re.Match, page_path: str) -> str:
    """The README text an include line stands for."""
    text = section((ROOT / match["file"]).read_text(encoding="utf-8"), match["heading"])
    if match["item"]:
        text = list_item(text, match["item"])
    return _relink(text, match["file"], page_path)


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001 - MkDocs' hook
    """MkDocs' hook: replace each include line of a page with the README text it names."""
    return INCLUDE.sub(lambda match: included(match, page.file.src_uri), markdown)
