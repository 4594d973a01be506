"""Shared fixtures: PyTorch for parity tests; under CI every skip is a failure."""

import os

import numpy as np
import pytest

import tapegrad as tg

try:
    import threadpoolctl  # noqa: F401
except ImportError:  # the BLAS keeps its own count, which nothing changes then
    BLAS_STARTING_THREADS = None
else:
    BLAS_STARTING_THREADS = tg.get_num_threads()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With TAPEGRAD_REQUIRE_ALL=1 (CI sets it), a skipped test fails: CI installs every
    optional dependency, so a skip there means a test did not run."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("TAPEGRAD_REQUIRE_ALL") == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped under TAPEGRAD_REQUIRE_ALL=1: {report.longrepr}"


@pytest.fixture(autouse=True)
def fixed_blas_threads():
    """Many tests compare results bit for bit, and float32 matrix products round differently
    on one and two BLAS threads, so the suite keeps the count the BLAS started with rather
    than the default that follows the machine's load (tapegrad.threads; tests/test_threads.py
    checks that on a state of its own). A test that restored the automatic choice gets the
    fixed count back here, before the next test."""
    if BLAS_STARTING_THREADS is not None and tg.threads._state.fixed is None:
        tg.set_num_threads(BLAS_STARTING_THREADS)


@pytest.fixture(scope="session")
def torch():
    """The torch module; the test is skipped without it (a failure under CI)."""
    return pytest.importorskip("torch", reason="PyTorch is not installed")


@pytest.fixture
def rng():
    """A seeded NumPy generator, so every test sees the same numbers."""
    return np.random.default_rng(0)
