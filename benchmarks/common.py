"""What every benchmark shares: one process per engine, medians of repeats, the report's header.

Each engine runs in a process of its own, so that no engine pays for another's imports: a
graph of Python objects costs Python's cycle collector time in proportion to everything else
alive in the process, and PyTorch alone brings some 150,000 objects.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys


def medians(run, repeats: int, *args) -> list:
    """Run ``run(*args)`` once to warm up, then ``repeats`` times; the median of each figure."""
    run(*args)
    rows = [run(*args) for _ in range(repeats)]
    return [statistics.median(column) for column in zip(*rows)]


def measure_in_subprocess(module: str, engine: str, *args: str) -> list:
    """Run ``python -m module --engine engine ...`` and return the figures it printed as JSON."""
    command = [sys.executable, "-m", module, "--engine", engine, *args]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def torch_installed() -> bool:
    """Whether PyTorch can be imported (without importing it here)."""
    return importlib.util.find_spec("torch") is not None


def import_torch():
    """Import torch, using every core like the other engines' BLAS does."""
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    return torch


def blas_environment() -> str:
    """The OpenBLAS settings this process runs under, for the report's header."""
    names = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")
    return ", ".join(f"{name}={os.environ.get(name, '(unset)')}" for name in names)
