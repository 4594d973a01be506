"""What every benchmark shares: timing by median of repeats, and the BLAS environment line."""

from __future__ import annotations

import os
import statistics
import time


def median_seconds(run, repeats: int = 5) -> float:
    """Run ``run()`` ``repeats`` times (after one warm-up) and return the median wall time."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def blas_environment() -> str:
    """The OpenBLAS settings this process runs under, for the report's header."""
    names = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")
    return ", ".join(f"{name}={os.environ.get(name, '(unset)')}" for name in names)


def try_import_torch():
    """Return the torch module, or None when PyTorch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    return torch
