"""Differential fuzzing against PyTorch over the op table.

For every row of ``op_table.OPS``, Hypothesis draws the inputs (anywhere in the row's range,
and, being Hypothesis, often exact zeros, the range's ends and repeated values: ties), an
output gradient and a direction; the value, the gradients and the second derivatives along
the direction must match PyTorch's. Derandomized, so every run draws the same examples.

Where tapegrad deliberately differs from PyTorch, the difference is a convention, listed in
CONVENTIONS with its reason, and the fuzz skips exactly the entries it covers.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import OPS, derivatives, make_inputs, torch_derivatives

import tapegrad as tg

pytest.importorskip("torch", reason="PyTorch is not installed")

EXAMPLES_PER_OP = 24

# Rows whose second derivatives follow a convention of tapegrad's at some inputs, each with
# its reason: row -> the entries of input 0's second derivative it covers (the row's input
# shape); the fuzz compares all the others.
CONVENTIONS = {
    # ELU's first derivative at 0 is the left side's, alpha, in both; PyTorch's second
    # derivative there is the right side's, 0, and tapegrad's the left side's, alpha: the
    # derivative of its own first derivative.
    "F.elu": lambda x, ours, theirs: x == 0,
    # d²/dx² x ** [0, 1, 2, 3] = [0, 0, 2, 6x]. Where x ** -2 overflows (|x| < 1e-154, and 0)
    # PyTorch gives nan: its pow backward masks that inf with a where, whose unselected side
    # then gets 0 * inf. tapegrad's chain rule takes 0 * inf = 0 there (ops/chain_rule.py),
    # since no gradient flowed through that side, and gets the true value.
    "pow_powers": lambda x, ours, theirs: np.isnan(theirs) & np.isfinite(ours),
    # PyTorch differentiates prod's gradient as y / x_i (for x without zeros): its Hessian
    # subtracts two terms of size |y / x_i**2| that cancel, leaving ~1e-16 / |x_i| of rounding
    # (an entry of 5e132 at [3e-151, 1, 1, 1]) in x_i's group, past the tolerance where a
    # nonzero |x_i| < 1e-6. tapegrad's product of the others is exact there too.
    # At beta * x exactly at the threshold the value and the first derivative are softplus's
    # in both (the linear branch starts past it); PyTorch's second derivative there is the
    # linear branch's, 0, tapegrad's the derivative of its own first derivative.
    "F.softplus": lambda x, ours, theirs: x * 2.0 == 3.0,
    "prod_axis_signed": lambda x, ours, theirs: np.broadcast_to(
        np.any((x != 0) & (np.abs(x) < 1e-6), axis=1, keepdims=True), x.shape),
}


def _arrays(shape, low: float, high: float):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_subnormal=False))


def _assert_close(ours, theirs, what: str) -> None:
    for position, (mine, reference) in enumerate(zip(ours, theirs)):
        # relative to the largest entry: entries that cancel to ~0 differ by rounding only
        scale = max(1.0, float(np.max(np.abs(reference), initial=0.0)))
        np.testing.assert_allclose(mine, reference, rtol=1e-6, atol=1e-9 * scale,
                                   err_msg=f"{what} of input {position}")


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.name)
def test_values_gradients_and_second_derivatives_match_pytorch(case):
    out_shape = case.fn(*map(tg.tensor, make_inputs(case, np.random.default_rng(0)))).shape

    @settings(max_examples=EXAMPLES_PER_OP, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def check(data):
        arrays = [data.draw(_arrays(shape, case.low, case.high), label=f"input {i}")
                  for i, shape in enumerate(case.shapes)]
        # The output gradient and the direction need no shrinking: seeded normals.
        rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
        upstream = rng.standard_normal(out_shape)
        direction = [rng.standard_normal(a.shape) for a in arrays]
        ours = derivatives(case, arrays, upstream, direction)
        theirs = torch_derivatives(case, arrays, upstream, direction)
        _assert_close([ours[0]], [theirs[0]], "value")
        _assert_close(ours[1], theirs[1], "gradient")
        if case.name in CONVENTIONS:
            covered = CONVENTIONS[case.name](arrays[0], ours[2][0], theirs[2][0])
            ours[2][0][covered] = theirs[2][0][covered] = 0.0
        _assert_close(ours[2], theirs[2], "second derivative")

    check()
