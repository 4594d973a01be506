"""The README's performance table is benchmarks/RESULTS.md's targets, as the tool writes them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `pytest` alone puts tests/, not the root, on the path
    sys.path.insert(0, str(ROOT))

from benchmarks.summary import readme_table  # noqa: E402

START, END = "<!-- performance-table:start -->\n", "<!-- performance-table:end -->"

RESULTS = """# Benchmark results

## W1 overhead: a chain, µs per op

| engine | µs/op (as set) | µs/op (unset) |
| --- | ---: | ---: |
| tapegrad | 4.40 | 6.51 |

| target | as set | unset |
| --- | ---: | ---: |
| tapegrad ≤ 0.5× PyTorch's µs/op | met (0.49× PyTorch) | NOT met (0.51× PyTorch) |
| for reference, not a target: micrograd | 1.70× | 2.63× |

## Where tapegrad's time goes

### W2

```text
| target | not | a table |
```
"""


def test_readme_table_is_generated_from_results():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split(START)[1].split(END)[0]
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    assert table == readme_table(results), (
        "README.md's performance table is out of date: run python tools/performance_table.py")


def test_the_table_has_every_target_row_and_no_reference_row():
    assert readme_table(RESULTS).splitlines() == [
        "| workload | target | as set | unset |",
        "| --- | ---: | ---: | ---: |",
        "| W1 overhead | tapegrad ≤ 0.5× PyTorch's µs/op | met (0.49× PyTorch) "
        "| NOT met (0.51× PyTorch) |"]


def test_the_tool_checks_and_rewrites_the_readme(tmp_path):
    tool = ROOT / "tools" / "performance_table.py"
    result = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import performance_table
    finally:
        sys.path.remove(str(ROOT / "tools"))
    stale = f"intro\n{START}| old |\n{END}\noutro\n"
    assert performance_table.with_table(stale, RESULTS) == (
        f"intro\n{START}{readme_table(RESULTS)}{END}\noutro\n")
