"""How a tensor prints: PyTorch's layout, digit for digit.

A PyTorch user compares what tapegrad prints with what PyTorch printed, so ``repr`` follows
``torch/_tensor_str.py``: four decimals (``0.1314``), scientific notation when the values span
more than three orders of magnitude or leave [1e-4, 1e8), whole numbers as ``1.``, one width
for every element, 80 columns, and the first and last three of each dimension (``...``
between) once a tensor has more than 1000 elements. ``.grad`` stays an ndarray and prints as
NumPy prints it (the course exercise's meaning).
"""

from __future__ import annotations

import math

import numpy as np

PRECISION = 4
LINE_WIDTH = 80
SUMMARY_THRESHOLD = 1000
EDGE_ITEMS = 3


def array_body(array: np.ndarray, indent: int) -> str:
    """The bracketed values of ``array`` as PyTorch prints them, continuation lines indented
    by ``indent`` (the length of ``"tensor("``).

    >>> array_body(np.array([0.13141026, 1e-5]), indent=7)
    '[1.3141e-01, 1.0000e-05]'
    >>> array_body(np.array([[1, 2], [300, 4]]), indent=7)
    '[[  1,   2],\\n        [300,   4]]'
    """
    if array.size == 0:
        return "[]"
    if array.dtype == np.float16:
        array = array.astype(np.float32)  # PyTorch formats half precision as float
    summarize = array.size > SUMMARY_THRESHOLD
    shown = _summarized(array) if summarize else array
    formatter = _ComplexFormatter(shown) if array.dtype.kind == "c" else _Formatter(shown)
    return _nested(array, indent, summarize, formatter)


class _Formatter:
    """One format for every element of a tensor: PyTorch's integer, fixed or scientific mode,
    and the width of the widest element."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        flat = values.reshape(-1)
        if not self.floating:
            self.width = max((len(str(value)) for value in flat.tolist()), default=1)
            return
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        magnitudes = np.abs(finite).astype(np.float64)
        smallest, largest = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        spread = largest / smallest > 1000.0 or largest > 1.0e8
        self.sci_mode = spread if self.int_mode else spread or smallest < 1.0e-4
        if self.sci_mode:
            texts = (f"{value:.{PRECISION}e}" for value in finite.tolist())
        elif self.int_mode:
            texts = (f"{value:.0f}." for value in finite.tolist())
        else:
            texts = (f"{value:.{PRECISION}f}" for value in finite.tolist())
        self.width = max(len(text) for text in texts)

    def format(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{PRECISION}f}"
        return text.rjust(self.width)


class _ComplexFormatter:
    """PyTorch's complex layout: real and imaginary parts each with a formatter of its own,
    joined as ``1.+2.j``."""

    def __init__(self, values: np.ndarray):
        self.real, self.imag = _Formatter(values.real), _Formatter(values.imag)
        self.width = self.real.width + self.imag.width + 2

    def format(self, value) -> str:
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return real + imag if imag[0] in "+-" else real + "+" + imag


def _summarized(array: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows: the first and last EDGE_ITEMS of each dimension
    (the formatter's widths come from these alone, as in PyTorch)."""
    if array.ndim == 0:
        return array
    if len(array) > 2 * EDGE_ITEMS:
        rows = list(range(EDGE_ITEMS)) + list(range(len(array) - EDGE_ITEMS, len(array)))
    else:
        rows = range(len(array))
    if array.ndim == 1:
        return array[list(rows)]
    return np.stack([_summarized(array[i]) for i in rows])


def _nested(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, formatter)
    rows = ["..." if row is None else _nested(row, indent + 1, summarize, formatter)
            for row in _edge_rows(array, summarize)]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(rows) + "]"


def _edge_rows(array: np.ndarray, summarize: bool) -> list:
    """The rows of ``array`` to print, with "..." standing for the middle ones."""
    if summarize and len(array) > 2 * EDGE_ITEMS:
        return list(array[:EDGE_ITEMS]) + [None] + list(array[-EDGE_ITEMS:])
    return list(array)


def _vector(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    per_line = max(1, (LINE_WIDTH - indent) // (formatter.width + 2))
    if summarize and len(array) > 2 * EDGE_ITEMS:
        texts = ([formatter.format(v) for v in array[:EDGE_ITEMS].tolist()] + [" ..."]
                 + [formatter.format(v) for v in array[-EDGE_ITEMS:].tolist()])
    else:
        texts = [formatter.format(value) for value in array.tolist()]
    lines = [", ".join(texts[i:i + per_line]) for i in range(0, len(texts), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def with_suffixes(text: str, suffixes: list, indent: int) -> str:
    """``text`` (which starts with ``tensor(``) closed with ``, dtype=...`` and the like, each
    moved to a line of its own where it would pass 80 columns, as PyTorch does."""
    parts = [text]
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > LINE_WIDTH:
            parts.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_length += len(suffix) + 2
    return "".join(parts) + ")"
