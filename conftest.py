"""Doctests of the Tensor's surface (``tapegrad/surface/``) write ``Tensor(...)`` and ``np`` as
the class body they were lifted from did: give every doctest those names."""

import numpy as np
import pytest

import tapegrad


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace.update(np=np, tg=tapegrad, Tensor=tapegrad.Tensor)
