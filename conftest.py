"""Doctests of the Tensor's surface (``tapegrad/surface/``) write ``Tensor(...)`` and ``np`` as
the class body they were lifted from did: give every doctest those names. The examples of
``tapegrad.distributed`` start MPI: without mpi4py they are skipped (a failure in CI)."""

import numpy as np
import pytest

import tapegrad


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace.update(np=np, tg=tapegrad, Tensor=tapegrad.Tensor)


def pytest_collection_modifyitems(items):
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        skip = pytest.mark.skip(reason="mpi4py is not installed: pip install "
                                       "'tapegrad[distributed]'")
        for item in items:
            if item.nodeid.startswith("tapegrad/distributed/"):
                item.add_marker(skip)
