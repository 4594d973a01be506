"""Finite gradients where the true gradient is finite: at points where a formula written the
obvious way computes 0 * inf or 0 / 0 (a constant group's std, 0 ** 0, every target ignored,
a nan among the values a max picks from). Each is compared with PyTorch."""

import numpy as np
import pytest

import tapegrad as tg
import tapegrad.nn.functional as F

LOGITS = np.random.default_rng(0).normal(size=(3, 4))
ALL_IGNORED = np.array([-100, -100, -100])
CLASS_WEIGHTS = np.array([0.5, 1.0, 2.0, 1.5])

# nn.functional loss -> torch's, each given (logits, targets) and the same options
IGNORING_LOSSES = {
    "cross_entropy": ({}, "cross_entropy"),
    "cross_entropy_weighted": ({"weight": CLASS_WEIGHTS}, "cross_entropy"),
    "cross_entropy_smoothed": ({"label_smoothing": 0.1}, "cross_entropy"),
    "cross_entropy_weighted_smoothed": ({"weight": CLASS_WEIGHTS, "label_smoothing": 0.2},
                                        "cross_entropy"),
    "nll_loss": ({}, "nll_loss"),
    "nll_loss_weighted": ({"weight": CLASS_WEIGHTS}, "nll_loss"),
}


@pytest.mark.filterwarnings("ignore:invalid value encountered")
@pytest.mark.parametrize("name", IGNORING_LOSSES)
def test_every_target_ignored_gives_a_nan_mean_and_zero_gradients(name, torch):
    options, function = IGNORING_LOSSES[name]
    logits = tg.tensor(LOGITS, requires_grad=True)
    loss = getattr(F, function)(logits, ALL_IGNORED, **options)
    (grad,) = tg.grad(loss, logits, create_graph=True)
    torch_options = {key: torch.as_tensor(value) if isinstance(value, np.ndarray) else value
                     for key, value in options.items()}
    torch_logits = torch.tensor(LOGITS, requires_grad=True)
    torch_loss = getattr(torch.nn.functional, function)(
        torch_logits, torch.as_tensor(ALL_IGNORED), **torch_options)
    torch_loss.backward()
    assert np.isnan(loss.item()) and np.isnan(torch_loss.item())
    np.testing.assert_array_equal(grad.data, torch_logits.grad.numpy())
    np.testing.assert_array_equal(grad.data, np.zeros_like(LOGITS))
    if grad.requires_grad:  # nll_loss's gradient is a constant: no second derivative
        (second,) = tg.grad((grad * grad).sum() + grad.sum(), logits)
        np.testing.assert_array_equal(second.data, np.zeros_like(LOGITS))


def test_every_pixel_ignored_in_a_spatial_cross_entropy(torch):
    logits = np.random.default_rng(1).normal(size=(2, 3, 2, 2))
    targets = np.full((2, 2, 2), 7)
    ours = tg.tensor(logits, requires_grad=True)
    F.cross_entropy(ours, targets, ignore_index=7, reduction="sum").backward()
    with np.errstate(invalid="ignore"):
        mean = F.cross_entropy(ours, targets, ignore_index=7)
    mean.backward()
    theirs = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.cross_entropy(theirs, torch.as_tensor(targets), ignore_index=7).backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_some_targets_ignored_still_divide_by_the_kept_weight(torch):
    targets = np.array([1, -100, 3])
    ours = tg.tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(ours, targets, weight=CLASS_WEIGHTS)
    loss.backward()
    theirs = torch.tensor(LOGITS, requires_grad=True)
    torch_loss = torch.nn.functional.cross_entropy(theirs, torch.as_tensor(targets),
                                                   weight=torch.as_tensor(CLASS_WEIGHTS))
    torch_loss.backward()
    np.testing.assert_allclose(loss.item(), torch_loss.item(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


# A group of equal values: var's gradient 2 (x - mean) / (n - ddof) is 0 there; std's is
# var's times 1 / (2 std) = inf, which PyTorch (and so tapegrad) takes as 0.
CONSTANT_GROUPS = {
    "var": (lambda t: t.var(axis=1, correction=0), lambda t: t.var(dim=1, unbiased=False)),
    "var_unbiased": (lambda t: t.var(axis=0, ddof=1), lambda t: t.var(dim=0)),
    "std": (lambda t: t.std(axis=1, correction=0), lambda t: t.std(dim=1, unbiased=False)),
    "std_unbiased": (lambda t: t.std(dim=0, unbiased=True), lambda t: t.std(dim=0)),
    "np.std": (lambda t: np.std(t, axis=1), lambda t: t.std(dim=1, unbiased=False)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", CONSTANT_GROUPS)
def test_var_and_std_of_a_constant_group_have_finite_gradients(name, dtype, torch):
    ours_fn, torch_fn = CONSTANT_GROUPS[name]
    data = np.array([[0.1, 0.1, 0.1], [0.1, 2.0, -1.0]], dtype=dtype)
    ours = tg.tensor(data, requires_grad=True)
    out = ours_fn(ours)
    (grad,) = tg.grad(out.sum(), ours, create_graph=True)
    (second,) = tg.grad((grad * grad).sum(), ours)
    theirs = torch.tensor(data, requires_grad=True)
    torch_out = torch_fn(theirs)
    (torch_grad,) = torch.autograd.grad(torch_out.sum(), theirs, create_graph=True)
    (torch_second,) = torch.autograd.grad((torch_grad * torch_grad).sum(), theirs)
    assert np.all(np.isfinite(grad.data)) and np.all(np.isfinite(second.data))
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=tolerance)
    np.testing.assert_allclose(grad.data, torch_grad.detach().numpy(), rtol=tolerance,
                               atol=tolerance)
    np.testing.assert_allclose(second.data, torch_second.numpy(), rtol=tolerance, atol=tolerance)


SPREADS = {"std": lambda t: t.std(), "std_axes_ddof": lambda t: t.std(axis=(0, 1), ddof=1),
           "var": lambda t: t.var(), "np.std": np.std}


@pytest.mark.parametrize("value", [0.1, 0.7, 1 / 3])
@pytest.mark.parametrize("name", SPREADS)
def test_equal_values_have_exactly_zero_spread_and_gradient(name, value):
    reduce = SPREADS[name]
    # A plain mean of six 0.7s is off in the last bit, and a std of 1e-16 follows, with a
    # gradient of +-1/6 (PyTorch's full std gives just that); the spread of equal values is 0.
    x = tg.tensor(np.full((2, 3), value), requires_grad=True)
    out = reduce(x)
    (grad,) = tg.grad(out, x, create_graph=True)
    (second,) = tg.grad((grad * grad).sum(), x)
    assert out.item() == 0.0
    np.testing.assert_array_equal(grad.data, np.zeros((2, 3)))
    np.testing.assert_array_equal(second.data, np.zeros((2, 3)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_polynomial_features_have_finite_gradients_at_zero(dtype):
    # 1e-45 is a subnormal float32, whose x ** -1 overflows: x ** 0's slope is still 0 there.
    x = tg.tensor(np.array([[0.0], [1e-45], [0.5], [-2.0]], dtype=dtype), requires_grad=True)
    features = x ** np.array([0.0, 1.0, 2.0], dtype=dtype)  # 1, x, x**2
    (grad,) = tg.grad(features.sum(), x, create_graph=True)
    (second,) = tg.grad(grad.sum(), x)
    np.testing.assert_allclose(grad.data, 1 + 2 * x.data)
    np.testing.assert_allclose(second.data, np.full((4, 1), 2.0))
    assert grad.dtype == second.dtype == dtype


def test_power_zero_and_zero_to_the_zero_match_pytorch(torch):
    base, exponent = np.array([0.0, 0.0, 3.0, -2.0]), np.array([0.0, 2.0, 0.0, 0.0])
    ours = [tg.tensor(base, requires_grad=True), tg.tensor(exponent, requires_grad=True)]
    (ours[0] ** ours[1]).sum().backward()
    (ours[0] ** 0).sum().backward()  # a scalar exponent: x's gradient is 0 for every x
    theirs = [torch.tensor(base, requires_grad=True), torch.tensor(exponent, requires_grad=True)]
    (theirs[0] ** theirs[1]).sum().backward()
    (theirs[0] ** 0).sum().backward()
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.grad, reference.grad.numpy())


NAN = float("nan")
WITH_NANS = [np.array([[1.0, NAN, 3.0], [5.0, 2.0, 0.0]]),
             np.array([[NAN, 1.0, NAN], [5.0, 2.0, 0.0]])]


@pytest.mark.parametrize("reduce", ["max", "min"])
@pytest.mark.parametrize("data", WITH_NANS, ids=["one nan", "two nans"])
def test_full_max_and_min_send_the_gradient_to_the_nans(data, reduce, torch):
    ours = tg.tensor(data, requires_grad=True)
    getattr(ours, reduce)().backward()
    theirs = torch.tensor(data, requires_grad=True)
    getattr(theirs, reduce)().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    # Over all axes named one by one: PyTorch's amax gives nan here; the nans take it as above.
    ours.zero_grad()
    getattr(ours, "a" + reduce)(axis=(0, 1)).backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_max_along_one_axis_picks_the_first_nan(torch):
    data = WITH_NANS[1]
    ours = tg.tensor(data, requires_grad=True)
    ours.max(axis=1).values.sum().backward()
    theirs = torch.tensor(data, requires_grad=True)
    theirs.max(dim=1).values.sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_abs_at_nan_has_gradient_zero(torch):
    data = np.array([NAN, 0.0, -2.0, 3.0])
    ours = tg.tensor(data, requires_grad=True)
    (grad,) = tg.grad(ours.abs().sum(), ours, create_graph=True)
    theirs = torch.tensor(data, requires_grad=True)
    theirs.abs().sum().backward()
    np.testing.assert_array_equal(grad.data, theirs.grad.numpy())
    np.testing.assert_array_equal(grad.data, [0.0, 0.0, -1.0, 1.0])
