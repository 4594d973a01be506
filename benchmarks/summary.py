"""The README's performance table: every target row of RESULTS.md, one table.

``tools/performance_table.py`` writes it into README.md between its two markers, and
``tests/test_performance_table.py`` checks that the README's table is what RESULTS.md gives.
Rows marked "for reference, not a target" stay in RESULTS.md only.
"""

from __future__ import annotations

import re

from benchmarks.common import markdown_table

HEADING = re.compile(r"^#{2,3} (.+)$")
SHORT_NAME = 20  # a heading's text before ":" up to this long names its workload


def workload_name(heading: str) -> str:
    """The table's name for a section: the heading before its colon where that is short, else
    its first word.

    >>> workload_name("W1 overhead: a chain of add/mul/tanh, µs per op")
    'W1 overhead'
    >>> workload_name("W2 MLP 784-256-256-10, float32, cross-entropy + SGD step: steps per second")
    'W2'
    """
    before_colon = heading.split(":")[0]
    return before_colon if len(before_colon) <= SHORT_NAME else heading.split()[0]


def target_rows(results: str) -> list:
    """(workload, target, verdicts...) for every target row of every section of ``results``,
    and the environments' names (the target tables' columns after "target")."""
    rows, environments, name, in_targets, in_code = [], [], None, False, False
    for line in results.splitlines():
        heading = HEADING.match(line)
        if line.startswith("```"):  # profiles: their text is no table
            in_code, in_targets = not in_code, False
        elif in_code:
            continue
        elif heading:
            name, in_targets = workload_name(heading.group(1)), False
        elif line.startswith("| target |"):
            in_targets = True
            environments = [cell.strip() for cell in line.strip("|").split("|")][1:]
        elif in_targets and line.startswith("| ") and not line.startswith("| ---"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not cells[0].startswith("for reference"):
                rows.append([name, *cells])
        elif not line.startswith("|"):
            in_targets = False
    return rows, environments


def readme_table(results: str) -> str:
    """The Markdown table of every target in ``results`` (RESULTS.md's text).

    >>> print(readme_table('''## W9 toy: speed
    ... | target | as set |
    ... | --- | ---: |
    ... | fast | met (0.40× PyTorch) |
    ... | for reference, not a target: slow | 2× |'''))
    | workload | target | as set |
    | --- | ---: | ---: |
    | W9 toy | fast | met (0.40× PyTorch) |
    <BLANKLINE>
    """
    rows, environments = target_rows(results)
    return markdown_table(["workload", "target", *environments], rows) + "\n"
