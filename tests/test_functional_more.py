"""The functions of ``F`` added by issue 16 part 3 against PyTorch's namesakes: one table row
per call (tapegrad's, PyTorch's, input shapes), checked on values and on the gradient of every
input, then against finite differences."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.nn import functional as F


def _bags():
    return np.array([1, 2, 4, 5, 4, 3, 2, 0]), np.array([0, 3, 3, 6])


# (id, call taking a namespace: tapegrad's F or torch.nn.functional, input shapes)
CALLS = [
    ("normalize", lambda f, x: f.normalize(x), [(3, 4)]),
    ("normalize_p1_dim0", lambda f, x: f.normalize(x, p=1.0, dim=0), [(3, 4)]),
    ("cosine_similarity", lambda f, a, b: f.cosine_similarity(a, b), [(3, 4), (3, 4)]),
    ("cosine_similarity_broadcast", lambda f, a, b: f.cosine_similarity(a, b, dim=-1),
     [(2, 3, 4), (3, 4)]),
    ("pairwise_distance", lambda f, a, b: f.pairwise_distance(a, b), [(3, 4), (3, 4)]),
    ("pairwise_distance_p3_keepdim",
     lambda f, a, b: f.pairwise_distance(a, b, p=3.0, keepdim=True), [(3, 4), (3, 4)]),
    ("unfold", lambda f, x: f.unfold(x, 2), [(2, 3, 4, 5)]),
    ("unfold_options", lambda f, x: f.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2),
     [(1, 2, 5, 6)]),
    ("fold", lambda f, x: f.fold(x, (4, 5), 2), [(2, 12, 12)]),
    ("fold_options", lambda f, x: f.fold(x, (5, 6), (2, 3), dilation=(1, 2), padding=1,
                                         stride=2), [(1, 12, 6)]),
    ("conv_transpose1d", lambda f, x, w: f.conv_transpose1d(x, w, stride=3, padding=2),
     [(2, 3, 5), (3, 2, 4)]),
    ("conv_transpose2d", lambda f, x, w, b: f.conv_transpose2d(x, w, b, stride=2, groups=2),
     [(2, 4, 3, 3), (4, 1, 3, 2), (2,)]),
    ("interpolate_nearest_1d", lambda f, x: f.interpolate(x, size=7), [(2, 3, 4)]),
    ("interpolate_bilinear_down", lambda f, x: f.interpolate(
        x, size=(3, 2), mode="bilinear", align_corners=False), [(1, 2, 7, 5)]),
    ("interpolate_bilinear_scale_recompute", lambda f, x: f.interpolate(
        x, scale_factor=1.3, mode="bilinear", recompute_scale_factor=True), [(1, 2, 4, 5)]),
    ("interpolate_linear_corners_size1", lambda f, x: f.interpolate(
        x, size=1, mode="linear", align_corners=True), [(1, 2, 4)]),
    ("interpolate_bicubic_up", lambda f, x: f.interpolate(x, scale_factor=2, mode="bicubic"),
     [(1, 2, 3, 4)]),
    ("interpolate_bicubic_down_corners", lambda f, x: f.interpolate(
        x, size=(3, 5), mode="bicubic", align_corners=True), [(2, 1, 6, 7)]),
    ("interpolate_bicubic_size", lambda f, x: f.interpolate(x, size=(5, 2), mode="bicubic"),
     [(1, 2, 4, 4)]),
    ("interpolate_area", lambda f, x: f.interpolate(x, size=(3, 2), mode="area"),
     [(1, 2, 7, 5)]),
    ("interpolate_area_1d", lambda f, x: f.interpolate(x, scale_factor=0.5, mode="area"),
     [(2, 2, 9)]),
    ("max_pool1d", lambda f, x: f.max_pool1d(x, 2), [(2, 3, 7)]),
    ("avg_pool1d", lambda f, x: f.avg_pool1d(x, 3, 1, 1), [(2, 3, 7)]),
    ("adaptive_max_pool1d", lambda f, x: f.adaptive_max_pool1d(x, 3), [(2, 3, 7)]),
    ("group_norm", lambda f, x, w, b: f.group_norm(x, 2, w, b), [(3, 4, 5), (4,), (4,)]),
    ("instance_norm", lambda f, x: f.instance_norm(x), [(2, 3, 5)]),
    ("rms_norm", lambda f, x, w: f.rms_norm(x, (3,), w), [(2, 4, 3), (3,)]),
    ("embedding_bag_mean_2d", lambda f, w: f.embedding_bag(np_or_torch(f, [[1, 2], [0, 4]]), w),
     [(6, 3)]),
    ("embedding_bag_sum_offsets", lambda f, w: f.embedding_bag(
        np_or_torch(f, _bags()[0]), w, np_or_torch(f, _bags()[1]), mode="sum"), [(6, 3)]),
    ("embedding_bag_max_last_offset", lambda f, w: f.embedding_bag(
        np_or_torch(f, _bags()[0]), w, np_or_torch(f, [0, 2, 5, 8]), mode="max",
        include_last_offset=True), [(6, 3)]),
    ("embedding_bag_padding", lambda f, w: f.embedding_bag(
        np_or_torch(f, [[1, 2, 2], [2, 2, 2]]), w, padding_idx=2), [(6, 3)]),
    ("embedding_bag_weights", lambda f, w, s: f.embedding_bag(
        np_or_torch(f, _bags()[0]), w, np_or_torch(f, _bags()[1]), mode="sum",
        per_sample_weights=s), [(6, 3), (8,)]),
    ("prelu", lambda f, x, w: f.prelu(x, w), [(2, 3, 4), (3,)]),
    ("glu", lambda f, x: f.glu(x, 0), [(4, 3)]),
    ("celu", lambda f, x: f.celu(x, 0.4), [(3, 4)]),
    ("selu", lambda f, x: f.selu(x), [(3, 4)]),
    ("relu6", lambda f, x: f.relu6(x * 4), [(3, 4)]),
    ("hardswish", lambda f, x: f.hardswish(x * 3), [(3, 4)]),
    ("mish", lambda f, x: f.mish(x), [(3, 4)]),
    ("logsigmoid", lambda f, x: f.logsigmoid(x * 20), [(3, 4)]),
    ("softmin", lambda f, x: f.softmin(x, dim=0), [(3, 4)]),
    ("threshold", lambda f, x: f.threshold(x, 0.2, 5.0), [(3, 4)]),
    ("softshrink", lambda f, x: f.softshrink(x, 0.3), [(3, 4)]),
    ("hardtanh", lambda f, x: f.hardtanh(x, -0.5, 0.5), [(3, 4)]),
]


def np_or_torch(f, value):
    """Integer indices as the namespace's functions take them."""
    value = np.asarray(value, dtype=np.int64)
    if f is F:
        return value
    import torch

    return torch.tensor(value)


def _inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-2, 2, shape) for shape in shapes]


@pytest.mark.parametrize("name, call, shapes", CALLS, ids=[row[0] for row in CALLS])
def test_function_matches_pytorch(torch, name, call, shapes):
    arrays = _inputs(shapes)
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    our_out, their_out = call(F, *ours), call(torch.nn.functional, *theirs)
    np.testing.assert_allclose(our_out.data, their_out.detach().numpy(), rtol=1e-6,
                               atol=1e-10)
    upstream = np.random.default_rng(1).standard_normal(their_out.shape)
    (our_out * tg.tensor(upstream)).sum().backward()
    (their_out * torch.tensor(upstream)).sum().backward()
    for index, (mine, other) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(mine.grad, other.grad.numpy(), rtol=1e-6, atol=1e-10,
                                   err_msg=f"input {index}")


# A max's gradient is checked against PyTorch above; finite differences would need inputs
# far from ties, which these random ones do not promise.
SMOOTH = [row for row in CALLS if not row[0].startswith(("max_pool", "adaptive_max",
                                                         "embedding_bag_max"))]


@pytest.mark.parametrize("name, call, shapes", SMOOTH, ids=[row[0] for row in SMOOTH])
def test_function_gradients_match_finite_differences(name, call, shapes):
    inputs = [tg.tensor(a, requires_grad=True) for a in _inputs(shapes, seed=5)]
    assert tg.gradcheck(lambda *values: call(F, *values), *inputs)


def test_fold_is_the_adjoint_of_unfold():
    x = tg.tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 6)))
    columns = tg.tensor(np.random.default_rng(1).standard_normal((2, 3 * 4, 42)))
    options = {"kernel_size": 2, "padding": 1, "stride": 1}
    left = (F.unfold(x, **options) * columns).sum()
    right = (x * F.fold(columns, (5, 6), **options)).sum()
    np.testing.assert_allclose(left.item(), right.item(), rtol=1e-12)


def test_gumbel_softmax_samples_like_pytorch():
    tg.manual_seed(0)
    logits = tg.tensor(np.log([[0.7, 0.2, 0.1]]).repeat(4000, 0), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(dim=-1).data, 1.0, rtol=1e-12)
    hard = F.gumbel_softmax(logits, hard=True)
    assert set(np.unique(hard.data)) == {0.0, 1.0}
    # The argmax of logits + Gumbel noise is a sample of softmax(logits).
    np.testing.assert_allclose(hard.data.mean(axis=0), [0.7, 0.2, 0.1], atol=0.03)
    (hard * tg.tensor(np.arange(3.0))).sum().backward()  # straight through: the soft gradient
    assert np.abs(logits.grad).sum() > 0


@pytest.mark.parametrize("call, error", [
    (lambda: F.interpolate(tg.ones(1, 1, 3, 3)), "exactly one of size and scale_factor"),
    (lambda: F.interpolate(tg.ones(1, 1, 3, 3), size=2, mode="nearest", align_corners=True),
     "align_corners"),
    (lambda: F.fold(tg.ones(1, 5, 4), (3, 3), 2), "fold: input"),
    (lambda: F.unfold(tg.ones(3, 3), 2), "unfold: expected input"),
    (lambda: F.embedding_bag(np.array([0, 1]), tg.eye(3)), "offsets"),
    (lambda: F.embedding_bag(np.array([[0, 1]]), tg.eye(3), mode="max",
                             per_sample_weights=tg.ones(2)), "per_sample_weights"),
    (lambda: F.group_norm(tg.ones(2, 3, 4), 2), "group_norm"),
    (lambda: F.max_pool1d(tg.ones(1, 1, 4), 2, ceil_mode=True), "ceil_mode"),
    (lambda: F.conv_transpose2d(tg.ones(1, 2, 3, 3), tg.ones(2, 1, 3, 3), stride=2,
                                output_padding=2), "output_padding"),
    (lambda: F.gumbel_softmax(tg.ones(3), tau=0.0), "tau"),
])
def test_bad_arguments_are_named(call, error):
    with pytest.raises((ValueError, NotImplementedError), match=error):
        call()


ELEMENTWISE = ["hardtanh", "relu6", "selu", "celu", "hardsigmoid", "hardswish", "mish",
               "softsign", "tanhshrink", "logsigmoid", "softshrink", "hardshrink"]


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)])
def test_activations_take_0d_and_empty_input_as_pytorch(torch, name, shape):
    value = np.full(shape, -0.7)
    ours = tg.tensor(value, requires_grad=True)
    theirs = torch.tensor(value, requires_grad=True)
    our_out = getattr(F, name)(ours)
    their_out = getattr(torch.nn.functional, name)(theirs)
    assert our_out.shape == tuple(their_out.shape)
    np.testing.assert_allclose(our_out.data, their_out.detach().numpy(), rtol=1e-12)
    our_out.sum().backward()
    their_out.sum().backward()
    # PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32, also for float64
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-7)


@pytest.mark.parametrize("name", ["smooth_l1_loss", "kl_div", "soft_margin_loss"])
def test_losses_of_empty_batches_are_as_pytorch(torch, name):
    for reduction in ("sum", "none"):
        ours = getattr(F, name)(tg.zeros(0, 3), tg.zeros(0, 3), reduction=reduction)
        theirs = getattr(torch.nn.functional, name)(torch.zeros(0, 3), torch.zeros(0, 3),
                                                    reduction=reduction)
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_rrelu_in_training_draws_slopes_between_its_bounds():
    tg.manual_seed(0)
    x = tg.full((2000,), -1.0, requires_grad=True)
    out = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -out.data
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and abs(slopes.mean() - 0.2) < 0.005
    out.sum().backward()
    np.testing.assert_allclose(x.grad, slopes, rtol=1e-6)  # each element's own slope
