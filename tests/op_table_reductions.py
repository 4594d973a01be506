"""Op-table rows for PyTorch's reductions, sorting, cumulative ops and matrix products.

See op_table.py for what each row drives.
"""

from __future__ import annotations

from op_case import OpCase  # noqa: F401 - the rows below are OpCases

ROWS: list = []
