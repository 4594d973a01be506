"""Shared fixtures: PyTorch for parity tests (a skip becomes a failure where CI requires it)."""

import os

import numpy as np
import pytest


@pytest.fixture(scope="session")
def torch():
    """The torch module; skips without it, fails without it when TAPEGRAD_REQUIRE_TORCH=1."""
    try:
        import torch
    except ImportError:
        if os.environ.get("TAPEGRAD_REQUIRE_TORCH") == "1":
            pytest.fail("TAPEGRAD_REQUIRE_TORCH=1 but PyTorch is not installed")
        pytest.skip("PyTorch is not installed")
    return torch


@pytest.fixture
def rng():
    """A seeded NumPy generator, so every test sees the same numbers."""
    return np.random.default_rng(0)
