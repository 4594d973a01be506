"""Rewrite the README's table of NumPy functions that run on tensors, from the dispatch table.

    python tools/numpy_table.py          # rewrite README.md
    python tools/numpy_table.py --check  # exit 1 when README.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tapegrad.numpy_protocol import readme_table  # noqa: E402 - after the path

START, END = "<!-- numpy-table:start -->\n", "<!-- numpy-table:end -->"


def with_table(readme: str) -> str:
    """The README text with the table between its two markers replaced by the current one."""
    before, rest = readme.split(START)
    _, after = rest.split(END)
    return before + START + readme_table() + END + after


def main() -> int:
    path = ROOT / "README.md"
    current = path.read_text()
    updated = with_table(current)
    if "--check" in sys.argv:
        return int(updated != current)
    path.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
