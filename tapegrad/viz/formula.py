"""An op's math, read from the one-line docstring that every op in ``tapegrad.ops`` carries.

The convention (STYLE.md): the forward formula, a semicolon, then one rule per input::

    z = x * y;  dL/dx = dL/dz * y,  dL/dy = dL/dz * x

A rule of the form ``dL/dx = dL/dz * f`` has the local derivative ``d(z)/d(x) = f``; any other
rule (``dL/dx = dL/dz @ y^T``) is shown as it is. Text after three spaces is a note, and a
piece that does not start with ``dL/d`` (``s = sigmoid(x)``) belongs to the rule before it.
A Function without such a docstring (a user's, say) has no formula: ``read_formula`` gives
``None`` and the narration says the formula is unknown.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

_OUTPUT = re.compile(r"\s*([A-Za-z]\w*)[^=]*=")
_RULE_START = re.compile(r"dL/d(\w+)")
_FACTOR = r"(-?)dL/d{output}(?:\s*([*/])\s*(.+))?"
_SQUARE = re.compile(r"\s*(?:\*\*|\^)\s*2(?![\d.(])")  # y**2 and x^2, not x ** (y - 1)
_OPENING, _CLOSING = "([{", ")]}"


@dataclass(frozen=True)
class Rule:
    """How dL/d(one input) is made: ``lhs = rhs``, or only ``lhs`` when the rule is words.

    ``extra`` is what the docstring adds after the rule (``s = sigmoid(x)``, ``else 0``).

    >>> Rule("x", "dL/dx", "dL/dz * y").rhs
    'dL/dz * y'
    """

    variable: str
    lhs: str
    rhs: str | None
    extra: str = ""


@dataclass(frozen=True)
class Formula:
    """An op's forward formula (``z = x * y``), its output's name, one rule per input, a note.

    >>> from tapegrad.ops.arithmetic import Mul
    >>> read_formula(Mul).output, list(read_formula(Mul).rules)
    ('z', ['x', 'y'])
    """

    output: str
    forward: str
    rules: dict
    note: str = ""


def read_formula(op: type) -> Formula | None:
    """Read the math from ``op``'s own docstring (its first paragraph), or give ``None``.

    >>> from tapegrad.ops.elementwise import Tanh
    >>> formula = read_formula(Tanh)
    >>> formula.forward, formula.rules["x"].rhs
    ('y = tanh(x)', 'dL/dy * (1 - y**2)')
    """
    doc = op.__dict__.get("__doc__")
    if not isinstance(doc, str):
        return None
    paragraph = " ".join(inspect.cleandoc(doc).split("\n\n")[0].splitlines())
    forward, semicolon, backward = paragraph.partition(";")
    output = _OUTPUT.match(forward)
    if not semicolon or output is None or "dL/d" not in backward:
        return None
    backward, *note = re.split(r"\s{3,}", backward.strip(), maxsplit=1)  # "   (a note)"
    rules, last = {}, None
    for piece in _split_top_level(backward):
        start = _RULE_START.match(piece)
        if start is None:
            if last is not None:  # "s = sigmoid(x)" or "else 0": part of the rule before
                rule = rules[last]
                extra = f"{rule.extra}, {piece}" if rule.extra else piece
                rules[last] = Rule(rule.variable, rule.lhs, rule.rhs, extra)
            continue
        last = start.group(1)
        lhs, equals, rhs = piece.partition(" = ")
        rules[last] = Rule(last, lhs, rhs) if equals else Rule(last, piece, None)
    if not rules:
        return None
    return Formula(output.group(1), forward.strip(), rules, note[0] if note else "")


def input_variables(op: type, formula: Formula, count: int) -> list:
    """Which rule variable stands for each of ``count`` forward inputs (``None``: no rule).

    A variable named like ``forward``'s parameter is that input; the rules left over go, in
    order, to the inputs left over (Linear's ``forward(x, weight, bias)`` has rules for x, w
    and b), and one left-over rule covers all of a ``*arrays`` forward's inputs.

    >>> from tapegrad.ops.linalg import Linear
    >>> input_variables(Linear, read_formula(Linear), 3)
    ['x', 'w', 'b']
    """
    parameters = list(inspect.signature(op.forward).parameters.values())[1:]
    named = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    has_varargs = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    variables = [
        named[i] if i < len(named) and named[i] in formula.rules else None for i in range(count)
    ]
    left_over = [variable for variable in formula.rules if variable not in variables]
    for i in range(count):
        if variables[i] is not None or not left_over:
            continue
        if has_varargs and i >= len(named) and len(left_over) == 1:
            variables[i] = left_over[0]
        else:
            variables[i] = left_over.pop(0)
    return variables


def local_derivative(rule: Rule, output: str) -> str | None:
    """The local derivative ``f`` of a rule ``dL/dx = dL/dz * f`` (or ``/ f``, or ``dL/dz``).

    ``None`` when the rule is not the incoming gradient times something (a matmul, a sum).

    >>> local_derivative(Rule("x", "dL/dx", "dL/dy * (1 - y**2)"), "y")
    '1 - y**2'
    >>> local_derivative(Rule("y", "dL/dy", "-dL/dz"), "z")
    '-1'
    >>> local_derivative(Rule("x", "dL/dx", "dL/dz @ y^T"), "z") is None
    True
    """
    if rule.rhs is None:
        return None
    match = re.fullmatch(_FACTOR.format(output=re.escape(output)), rule.rhs)
    if match is None:
        return None
    sign, operator, factor = match.groups()
    if operator is None:
        return f"{sign}1"
    if "dL/d" in factor or _has_top_level_sum(factor):
        return None
    if operator == "/":
        return f"{sign}1 / {factor}"
    if _is_wrapped(factor) and not re.search(r"[<>=]| if ", factor):
        factor = factor[1:-1]
    if sign and _has_top_level_sum(factor):
        factor = f"({factor})"
    return f"{sign}{factor}"


def render(text: str, names: dict, loss: str) -> str:
    """Write a docstring's formula with the graph's names: ``dL/dx`` becomes ``d(loss)/d(a)``
    and each variable in ``names`` its tensor's name; ``y**2`` and ``y^2`` become ``y²``.

    >>> render("dL/dx = dL/dz * y", {"x": "a", "y": "b", "z": "c"}, "L")
    'd(L)/d(a) = d(L)/d(c) * b'
    """
    variables = sorted(names, key=len, reverse=True)
    alternatives = "|".join(re.escape(variable) for variable in variables) or "(?!)"
    pattern = re.compile(rf"dL/d(\w+)|\b({alternatives})\b")

    def name(match: re.Match) -> str:
        if match.group(1) is not None:
            return f"d({loss})/d({names.get(match.group(1), match.group(1))})"
        return names[match.group(2)]

    return _SQUARE.sub("²", pattern.sub(name, text))


def _split_top_level(text: str) -> list:
    """Split at commas outside brackets: ``dL/dx = a(b, c),  dL/dy = d`` gives two pieces."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append(text[start:i].strip())
            start = i + 1
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _has_top_level_sum(text: str) -> bool:
    """Whether ``text`` adds or subtracts outside brackets (``1 - y`` does, ``(1 - y)`` not)."""
    depth = 0
    for i, char in enumerate(text):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
        elif depth == 0 and text[i - 1 : i + 2] in (" + ", " - "):
            return True
    return False


def _is_wrapped(text: str) -> bool:
    """Whether one pair of parentheses encloses all of ``text``: ``(1 - y)``, not ``(a) (b)``."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, char in enumerate(text):
        depth += char in _OPENING
        depth -= char in _CLOSING
        if depth == 0 and i < len(text) - 1:
            return False
    return True
