"""Rewrite the README's performance table from benchmarks/RESULTS.md (every target, met or not).

    python tools/performance_table.py          # rewrite README.md
    python tools/performance_table.py --check  # exit 1 when README.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.summary import readme_table  # noqa: E402 - after the path

START, END = "<!-- performance-table:start -->\n", "<!-- performance-table:end -->"


def with_table(readme: str, results: str) -> str:
    """The README text with the table between its two markers replaced by RESULTS.md's."""
    before, rest = readme.split(START)
    _, after = rest.split(END)
    return before + START + readme_table(results) + END + after


def main() -> int:
    path = ROOT / "README.md"
    current = path.read_text(encoding="utf-8")
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    updated = with_table(current, results)
    if "--check" in sys.argv[1:]:
        if updated != current:
            print("README.md's performance table is out of date: run "
                  "python tools/performance_table.py", file=sys.stderr)
            return 1
        return 0
    path.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
