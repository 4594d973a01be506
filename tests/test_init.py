"""nn.init, every function of torch.nn.init: the deterministic ones (eye_, dirac_, constants,
calculate_gain, fans) give PyTorch's exact values; the random ones give PyTorch's bounds and
spread (their numbers come from tapegrad's generator), repeat under a generator, and keep the
tensor's dtype."""

import math

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.nn import init

GAINS = [("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None),
         ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
         ("selu", None)]


@pytest.mark.parametrize("nonlinearity, param", GAINS)
def test_calculate_gain_matches_pytorch(torch, nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2), (6, 2, 3, 3), (2, 4, 3, 3, 3)])
def test_fans_match_pytorch(torch, shape):
    assert init.calculate_fan_in_and_fan_out(tg.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


@pytest.mark.parametrize("call, shape", [
    (lambda lib, t: lib.nn.init.eye_(t), (3, 5)),
    (lambda lib, t: lib.nn.init.eye_(t), (4, 2)),
    (lambda lib, t: lib.nn.init.dirac_(t), (4, 3, 5)),
    (lambda lib, t: lib.nn.init.dirac_(t, groups=2), (6, 2, 3, 3)),
    (lambda lib, t: lib.nn.init.dirac_(t), (2, 3, 3, 3, 3)),
    (lambda lib, t: lib.nn.init.constant_(t, 0.3), (2, 3)),
    (lambda lib, t: lib.nn.init.ones_(t), (2, 3)),
    (lambda lib, t: lib.nn.init.zeros_(t), (2, 3)),
])
def test_deterministic_initialisations_match_pytorch(torch, call, shape):
    ours = call(tg, tg.full(shape, 7.0))
    theirs = call(torch, torch.full(shape, 7.0))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def _sample(function, shape=(200, 300), **options):
    return function(tg.zeros(*shape), generator=tg.Generator().manual_seed(0), **options).data


@pytest.mark.parametrize("function, options, bound, std", [
    (init.uniform_, {"a": -0.5, "b": 1.5}, None, 2 / math.sqrt(12)),
    (init.normal_, {"mean": 0.0, "std": 0.3}, None, 0.3),
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(300), None),
    (init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "relu"}, None,
     math.sqrt(2 / 200)),
    (init.xavier_uniform_, {"gain": 2.0}, 2 * math.sqrt(6 / 500), None),
    (init.xavier_normal_, {}, None, math.sqrt(2 / 500)),
])
def test_random_initialisations_have_pytorchs_bounds_and_spread(function, options, bound, std):
    values = _sample(function, **options)
    if bound is not None:
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound
        std = bound / math.sqrt(3)
    np.testing.assert_allclose(values.std(), std, rtol=0.02)


def test_trunc_normal_is_truncated_with_the_truncated_spread():
    values = _sample(init.trunc_normal_, mean=0.5, std=1.0, a=0.0, b=1.0)
    assert values.min() >= 0.0 and values.max() <= 1.0
    # N(0.5, 1) cut to [0, 1] is nearly uniform there: std of U(0, 1) minus a little.
    assert 0.27 < values.std() < 0.2887 and abs(values.mean() - 0.5) < 0.005


@pytest.mark.parametrize("shape, gain", [((4, 4), 1.0), ((3, 7), 2.0), ((8, 2, 3), 0.5)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape, gain):
    values = _sample(init.orthogonal_, shape, gain=gain).reshape(shape[0], -1)
    small = min(values.shape)
    product = values @ values.T if values.shape[0] == small else values.T @ values
    np.testing.assert_allclose(product, gain ** 2 * np.eye(small), atol=1e-5)


def test_sparse_zeroes_as_many_per_column_as_pytorch(torch):
    ours = _sample(init.sparse_, (10, 6), sparsity=0.25, std=0.5)
    theirs = torch.nn.init.sparse_(torch.zeros(10, 6), sparsity=0.25, std=0.5).numpy()
    assert (ours == 0).sum(axis=0).tolist() == (theirs == 0).sum(axis=0).tolist()


@pytest.mark.parametrize("function", [init.uniform_, init.normal_, init.trunc_normal_,
                                      init.kaiming_uniform_, init.xavier_normal_,
                                      init.orthogonal_])
def test_a_generator_makes_initialisation_repeat_and_keeps_dtype(function):
    first = _sample(function, (5, 4))
    assert np.array_equal(first, _sample(function, (5, 4))) and first.dtype == np.float32
    tg.manual_seed(0)
    state = tg.rand(1).item()
    function(tg.zeros(5, 4), generator=tg.Generator().manual_seed(1))
    tg.manual_seed(0)
    assert tg.rand(1).item() == state  # the default generator was not used


@pytest.mark.parametrize("call, error", [
    (lambda: init.eye_(tg.zeros(2, 2, 2)), "eye_: only 2-d"),
    (lambda: init.dirac_(tg.zeros(2, 2)), "dirac_: only 3-, 4- and 5-d"),
    (lambda: init.dirac_(tg.zeros(3, 2, 2), groups=2), "divisible by groups"),
    (lambda: init.orthogonal_(tg.zeros(3)), "orthogonal_"),
    (lambda: init.sparse_(tg.zeros(3, 3, 3), 0.1), "sparse_: only 2-d"),
    (lambda: init.trunc_normal_(tg.zeros(3), a=1.0, b=0.0), "a \\(1.0\\) must be below"),
    (lambda: init.calculate_gain("swish"), "unsupported nonlinearity"),
    (lambda: init.calculate_gain("leaky_relu", "steep"), "not a valid number"),
])
def test_bad_arguments_are_named(call, error):
    with pytest.raises(ValueError, match=error):
        call()
