"""Shared fixtures: PyTorch for parity tests; under CI every skip is a failure."""

import os

import numpy as np
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With TAPEGRAD_REQUIRE_ALL=1 (CI sets it), a skipped test fails: CI installs every
    optional dependency, so a skip there means a test did not run."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("TAPEGRAD_REQUIRE_ALL") == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped under TAPEGRAD_REQUIRE_ALL=1: {report.longrepr}"


@pytest.fixture(scope="session")
def torch():
    """The torch module; the test is skipped without it (a failure under CI)."""
    return pytest.importorskip("torch", reason="PyTorch is not installed")


@pytest.fixture
def rng():
    """A seeded NumPy generator, so every test sees the same numbers."""
    return np.random.default_rng(0)
