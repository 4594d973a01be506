"""``python -m benchmarks``: the whole suite, written to benchmarks/RESULTS.md (see run.py)."""

from benchmarks.run import main

main()
