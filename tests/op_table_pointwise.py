"""Op-table rows for PyTorch's pointwise methods and operators (rounding, comparisons,
logic, add/sub/mul/div with alpha, ...).

See op_table.py for what each row drives.
"""

from __future__ import annotations

from op_case import OpCase  # noqa: F401 - the rows below are OpCases

ROWS: list = []
