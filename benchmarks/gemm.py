"""GEMM peak: float32 matrix products at W2's shapes and a big square one, GFLOP/s.

    python -m benchmarks.gemm [--calls 20] [--repeats 5]

The limit W2's step runs against: how many GFLOP/s this machine's BLAS reaches on one product
``x @ w.T``, at W2's first layer (64 and 512 rows of 784 -> 256) and on a square of side n
(``--square``, 2048), with every thread the library starts by default and, for the square,
with one thread. NumPy
is the BLAS tapegrad calls; tapegrad's row is the same product through ``tg.matmul`` under
``no_grad`` (its overhead per call on top of NumPy's), PyTorch's its own kernels. A figure
counts 2 x rows x inner x columns operations per product.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from benchmarks.common import cell, import_torch, ratio, workload_main

TITLE = "GEMM peak: float32 x @ w.T, GFLOP/s"
OPTIONS = {"calls": 20, "square": 2048}
QUICK = {"calls": 1, "square": 128}
WARMUP = True
FRESH_PROCESS = False
SINGLE_RUN = ()
# (rows, inner, columns) of x @ w.T, then the square's side (2048 but in --quick runs)
SHAPES = ((64, 784, 256), (512, 784, 256))
LABELS = ("64×784×256", "512×784×256", "square n³", "square n³, 1 thread")


def operands(rows: int, inner: int, columns: int):
    rng = np.random.default_rng(0)
    return (rng.standard_normal((rows, inner), dtype=np.float32),
            rng.standard_normal((columns, inner), dtype=np.float32))


def gflops(product, shape: tuple, calls: int) -> float:
    """GFLOP/s of ``calls`` calls of ``product()``, which multiplies at ``shape``."""
    rows, inner, columns = shape
    start = time.perf_counter()
    for _ in range(calls):
        product()
    return 2 * rows * inner * columns * calls / (time.perf_counter() - start) / 1e9


def all_shapes(make_product, set_one_thread, calls: int, square: int) -> tuple:
    """GFLOP/s at W2's shapes, on the square (a tenth of the calls), and on the square with
    one thread."""
    figures = [gflops(make_product(*operands(*shape)), shape, calls) for shape in SHAPES]
    square_shape, square_calls = (square, square, square), max(1, calls // 10)
    square_product = make_product(*operands(*square_shape))
    figures.append(gflops(square_product, square_shape, square_calls))
    restore = set_one_thread()
    try:
        figures.append(gflops(square_product, square_shape, square_calls))
    finally:
        restore()
    return tuple(figures)


def numpy_gflops(calls: int, square: int) -> tuple:
    from threadpoolctl import threadpool_limits

    def one_thread():
        return threadpool_limits(1, user_api="blas").restore_original_limits

    return all_shapes(lambda x, w: lambda: x @ w.T, one_thread, calls, square)


def tapegrad_gflops(calls: int, square: int) -> tuple:
    import tapegrad as tg

    def make_product(x, w):
        x, w = tg.tensor(x), tg.tensor(w)

        def product():
            with tg.no_grad():
                return x @ w.T

        return product

    def one_thread():
        tg.set_num_threads(1)
        return tg.threads.restore_automatic

    return all_shapes(make_product, one_thread, calls, square)


def torch_gflops(calls: int, square: int) -> tuple:
    torch = import_torch()

    def make_product(x, w):
        x, w = torch.from_numpy(x), torch.from_numpy(w)
        return lambda: x @ w.T

    def one_thread():
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        return lambda: torch.set_num_threads(threads)

    return all_shapes(make_product, one_thread, calls, square)


ENGINES = {"tapegrad": tapegrad_gflops, "torch": torch_gflops, "numpy": numpy_gflops}
HEADERS = [f"{label} GFLOP/s" for label in LABELS]  # the table's text says what n was


def cells(figures: dict, engine: str, options: dict) -> list:
    """This engine's GFLOP/s at each shape."""
    if isinstance(figures[engine], str):
        return [figures[engine]] + [""] * (len(HEADERS) - 1)
    return [cell(value, 1) for value in figures[engine]]


def targets(figures: dict, options: dict) -> list:
    """No target: a reference row, PyTorch's GEMM against NumPy's at W2's batch 512."""
    def speed(engine):
        values = figures.get(engine)
        return values[1] if isinstance(values, list) else None

    value = ratio(speed("numpy"), speed("torch"))
    return [("for reference, not a target: NumPy's GEMM at 512×784×256 against PyTorch's",
             "n/a (PyTorch not measured)" if value is None else f"{value:.2f}× PyTorch's")]


if __name__ == "__main__":
    workload_main(sys.modules[__name__])
