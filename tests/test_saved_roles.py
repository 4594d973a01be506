"""Every built-in op's saved_roles declaration says what inference would find.

The built-in ops declare which saved arrays are inputs or the output only to skip the
inference that a user's Function gets; this test runs the whole op table, forward and a
create_graph backward, with every declaration removed, and checks that inference agrees.
"""

import numpy as np
import pytest
from op_table import OPS, make_inputs

import tapegrad as tg
import tapegrad.function as function_module
from tapegrad.function import Function


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


BUILT_IN = [cls for cls in _subclasses(Function) if cls.__module__.startswith("tapegrad.")]


def _resolved(node, roles):
    """What each saved value stands for: the output, a parent (by identity), or a constant."""
    resolved = []
    for role in roles:
        if role == "output":
            resolved.append("output")
        elif role is None or node._parents[role] is None:
            resolved.append(None)
        else:
            resolved.append(id(node._parents[role]))
    while resolved and resolved[-1] is None:
        resolved.pop()
    return resolved


@pytest.fixture
def inferred_nodes(monkeypatch):
    """Remove every built-in declaration and collect (node, declared, inferred roles)."""
    declared = {cls: cls.__dict__["saved_roles"] for cls in BUILT_IN
                if "saved_roles" in cls.__dict__}
    for cls in declared:
        monkeypatch.setattr(cls, "saved_roles", None)
    seen = []
    original = function_module._infer_roles

    def recording(node, operands, output):
        roles = original(node, operands, output)
        seen.append((node, roles))
        return roles

    monkeypatch.setattr(function_module, "_infer_roles", recording)
    return declared, seen


def test_every_built_in_op_declares_saved_roles():
    missing = [cls.__name__ for cls in BUILT_IN
               if cls.saved_roles is None and not cls.__name__.startswith("_")]
    assert missing == []


@pytest.mark.parametrize("case", OPS, ids=lambda case: case.name)
def test_declared_saved_roles_match_inference(case, inferred_nodes):
    declared, seen = inferred_nodes
    inputs = [tg.tensor(array, requires_grad=True)
              for array in make_inputs(case, np.random.default_rng(0))]
    output = case.fn(*inputs)
    if output.requires_grad:
        tg.grad(output.sum(), inputs, create_graph=True, allow_unused=True)
    assert seen, f"{case.name} recorded no node"
    for node, (saved_roles, attribute_roles) in seen:
        cls = type(node)
        owner = next(c for c in cls.__mro__ if c in declared)
        assert attribute_roles == {}
        assert _resolved(node, saved_roles) == _resolved(node, declared[owner]), cls.__name__
