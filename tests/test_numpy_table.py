"""The README's table of NumPy functions on tensors is the dispatch table's own listing."""

import re
from pathlib import Path

import numpy as np

from tapegrad import numpy_protocol

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_table_is_generated_from_the_dispatch_table():
    text = README.read_text()
    table = text.split("<!-- numpy-table:start -->\n")[1].split("<!-- numpy-table:end -->")[0]
    assert table == numpy_protocol.readme_table(), (
        "README.md's NumPy table is out of date: run python tools/numpy_table.py")


def test_every_listed_name_is_a_numpy_function_that_runs_on_a_tensor():
    text = README.read_text()
    listed = set(re.findall(r"`(np\.[\w.]+)(?::[^`]*)?`", text.split(
        "<!-- numpy-table:start -->")[1].split("<!-- numpy-table:end -->")[0]))
    assert listed == set(numpy_protocol.supported_functions())
    for name in listed:
        parts = name.split(".")[1:]
        target = np
        for part in parts:
            target = getattr(target, part)
        method = parts[-1] if parts[-1] in ("reduce", "accumulate") else None
        function = getattr(np, parts[-2]) if method else target
        assert (function, method) in numpy_protocol.UFUNC_METHODS if method else (
            function in numpy_protocol.HANDLERS), name
