"""Second and third derivatives at the points where they are easiest to get wrong: zero
logits (where every network starts), and products with zeros or tiny factors."""

import numpy as np
import pytest

import tapegrad as tg
import tapegrad.nn.functional as F

AROUND_ZERO = np.array([0.0, -0.0, 1e-9, -0.5, 2.0])
TARGETS = np.array([0.3, 1.0, 0.0, 0.5, 0.9])

# name -> (tapegrad function, torch function, its second derivative at 0 by hand)
SMOOTH_AT_ZERO = {
    "silu": (F.silu, lambda torch, t: torch.nn.functional.silu(t), 0.5),
    "softplus": (F.softplus, lambda torch, t: torch.nn.functional.softplus(t), 0.25),
    "softplus_beta": (lambda t: F.softplus(t, beta=3.0),
                      lambda torch, t: torch.nn.functional.softplus(t, beta=3.0), 0.75),
    "sigmoid": (lambda t: t.sigmoid(), lambda torch, t: t.sigmoid(), 0.0),
    "bce_with_logits": (
        lambda t: F.binary_cross_entropy_with_logits(t, TARGETS, reduction="none"),
        lambda torch, t: torch.nn.functional.binary_cross_entropy_with_logits(
            t, torch.as_tensor(TARGETS), reduction="none"), 0.25),
    "bce_with_logits_pos_weight": (
        lambda t: F.binary_cross_entropy_with_logits(t, TARGETS, reduction="none",
                                                     pos_weight=np.array(2.0)),
        lambda torch, t: torch.nn.functional.binary_cross_entropy_with_logits(
            t, torch.as_tensor(TARGETS), reduction="none",
            pos_weight=torch.tensor(2.0, dtype=torch.float64)), None),
}


def _derivatives(grad, fn, x, order: int):
    """fn's first ``order`` derivatives at x, elementwise (fn acts on each element alone)."""
    results, value = [], fn(x)
    for _ in range(order):
        (value,) = grad(value.sum(), x, create_graph=True)
        results.append(value)
    return results


@pytest.mark.parametrize("name", SMOOTH_AT_ZERO)
def test_derivatives_up_to_the_third_match_pytorch_at_zero(name, torch):
    ours_fn, torch_fn, second_at_zero = SMOOTH_AT_ZERO[name]
    ours = _derivatives(tg.grad, ours_fn, tg.tensor(AROUND_ZERO, requires_grad=True), 3)
    theirs = _derivatives(torch.autograd.grad, lambda t: torch_fn(torch, t),
                          torch.tensor(AROUND_ZERO, requires_grad=True), 3)
    for order, (mine, reference) in enumerate(zip(ours, theirs), start=1):
        np.testing.assert_allclose(mine.data, reference.detach().numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=f"derivative of order {order}")
    if second_at_zero is not None:
        assert ours[1].data[0] == pytest.approx(second_at_zero, rel=1e-12)


def test_bce_with_logits_mixed_second_derivative_at_zero(torch):
    logits, targets = np.zeros(4), np.array([0.0, 0.25, 0.5, 1.0])
    ours = [tg.tensor(logits, requires_grad=True), tg.tensor(targets, requires_grad=True)]
    (grad_target,) = tg.grad(F.binary_cross_entropy_with_logits(*ours, reduction="sum"),
                             ours[1], create_graph=True)
    (mixed,) = tg.grad(grad_target.sum(), ours[0])
    theirs = [torch.tensor(logits, requires_grad=True), torch.tensor(targets, requires_grad=True)]
    (torch_grad_target,) = torch.autograd.grad(
        torch.nn.functional.binary_cross_entropy_with_logits(*theirs, reduction="sum"),
        theirs[1], create_graph=True)
    (torch_mixed,) = torch.autograd.grad(torch_grad_target.sum(), theirs[0])
    np.testing.assert_allclose(mixed.data, torch_mixed.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mixed.data, -np.ones(4))  # d/dx (softplus(-x) - softplus(x))


PRODUCTS = {
    "no zero": [1.5, -2.0, 0.5, 3.0],
    "one zero": [1.5, 0.0, 0.5, 3.0],
    "two zeros": [0.0, -2.0, 0.0, 3.0],
    "three zeros": [0.0, 0.0, 0.5, 0.0],
    "all zeros": [0.0, 0.0, 0.0, 0.0],
}


@pytest.mark.parametrize("values", PRODUCTS.values(), ids=PRODUCTS.keys())
def test_prod_hessian_is_exact_with_zeros(values, torch):
    x = np.array(values)
    hessian = tg.func.hessian(lambda v: v.prod())(x)
    # d²/dx_i dx_j prod(x) = the product of all but x_i and x_j (0 on the diagonal)
    expected = np.array([[0.0 if i == j else np.prod(np.delete(x, [i, j]))
                          for j in range(4)] for i in range(4)])
    np.testing.assert_array_equal(hessian, expected)
    np.testing.assert_allclose(hessian, torch.func.hessian(torch.prod)(torch.tensor(x)).numpy(),
                               rtol=1e-12)


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
def test_prod_gradgradcheck_with_zeros_along_any_axes(axis):
    x = np.random.default_rng(0).uniform(0.5, 1.5, size=(3, 2, 4))
    x[0, 1, 2] = x[2, 0, 0] = x[2, 0, 3] = 0.0
    assert tg.gradgradcheck(lambda v: v.prod(axis=axis), tg.tensor(x, requires_grad=True))


def test_prod_third_derivative():
    x = tg.tensor([2.0, 0.0, 3.0], requires_grad=True)
    (first,) = tg.grad(x.prod(), x, create_graph=True)
    (second,) = tg.grad(first[0], x, create_graph=True)  # d/dx (x1 x2) = (0, x2, x1)
    (third,) = tg.grad(second[1], x)  # d/dx x2 = (0, 0, 1)
    np.testing.assert_array_equal(first.data, [0.0, 6.0, 0.0])
    np.testing.assert_array_equal(second.data, [0.0, 3.0, 0.0])
    np.testing.assert_array_equal(third.data, [0.0, 0.0, 1.0])


def test_prod_of_tiny_factors_has_exact_derivatives():
    # The product 1e-432 underflows to 0, but each product of the others (1e-288) and of
    # all but two (1e-144) is a normal number: no y / x, and no overflow or 0 / 0 on the way.
    tiny = 1e-144
    x = tg.tensor(np.full(3, tiny), requires_grad=True)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        out = x.prod()
        (first,) = tg.grad(out, x, create_graph=True)
        (second,) = tg.grad(first.sum(), x)
    assert out.item() == 0.0
    np.testing.assert_allclose(first.data, np.full(3, tiny * tiny), rtol=1e-14)
    np.testing.assert_allclose(second.data, np.full(3, 2 * tiny), rtol=1e-14)


def test_prod_of_huge_and_tiny_factors_has_an_exact_hessian():
    # Through y / x_i the diagonal would be y / x_i - y / x_i**2 * x_i, and 1e-160 ** 2
    # underflows: inf - inf = nan. The products of the others never leave the float range.
    x = np.array([1e-160, 1e160, 2.0])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        hessian = tg.func.hessian(lambda v: v.prod())(x)
    expected = np.array([[0.0, 2.0, 1e160], [2.0, 0.0, 1e-160], [1e160, 1e-160, 0.0]])
    np.testing.assert_allclose(hessian, expected, rtol=1e-14)
