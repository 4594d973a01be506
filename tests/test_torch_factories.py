"""Factories, dtypes, devices and generators behave as PyTorch's (issue 13: a PyTorch user's
code runs unchanged): the same arguments, the same dtypes, the same values where they are
determined, the same errors."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import creation, devices, dtypes
from tapegrad import random as tg_random
from tapegrad.creation import (
    arange,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    zeros,
)
from tapegrad.random import Generator

CUDA_ERROR = "tapegrad: the CUDA backend is not installed; tensors live on the CPU"


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(params=["float64", "float32"])
def default_dtype(request, torch):
    """Run a test under each default float dtype, the same in tapegrad and in PyTorch."""
    ours, theirs = dtypes.get_default_dtype(), torch.get_default_dtype()
    dtypes.set_default_dtype(request.param)
    torch.set_default_dtype(getattr(torch, request.param))
    yield np.dtype(request.param)
    dtypes.set_default_dtype(ours)
    torch.set_default_dtype(theirs)


def _numpy_dtype(torch, torch_dtype):
    return torch.empty(0, dtype=torch_dtype).numpy().dtype


# ---------------------------------------------------------------------- dtypes

DTYPE_NAMES = ["float16", "float32", "float64", "complex64", "complex128", "int8", "int16",
               "int32", "int64", "uint8", "bool", "half", "float", "double", "short", "int",
               "long"]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_names_are_pytorchs(torch, name):
    assert getattr(dtypes, name) == _numpy_dtype(torch, getattr(torch, name))
    assert isinstance(getattr(dtypes, name), np.dtype)


def test_float_is_float32_and_long_is_int64_as_in_pytorch():
    assert dtypes.float == np.float32 and dtypes.double == np.float64
    assert dtypes.int == np.int32 and dtypes.long == np.int64
    assert not hasattr(dtypes, "bfloat16")


def test_set_default_dtype_accepts_floating_dtypes_only(torch):
    before = dtypes.get_default_dtype()
    try:
        dtypes.set_default_dtype(dtypes.float16)
        assert dtypes.get_default_dtype() == np.float16
        for refused in (dtypes.int64, dtypes.bool, dtypes.complex64, None):
            with pytest.raises(TypeError, match="set_default_dtype"):
                dtypes.set_default_dtype(refused)
            assert dtypes.get_default_dtype() == np.float16
    finally:
        dtypes.set_default_dtype(before)
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)


# ---------------------------------------------------------------------- the same dtypes

# (description, our call, PyTorch's call): results whose values are fully determined.
DETERMINED = [
    ("zeros", lambda: zeros(2, 3), lambda t: t.zeros(2, 3)),
    ("zeros tuple", lambda: zeros((2, 3)), lambda t: t.zeros((2, 3))),
    ("zeros size=", lambda: zeros(size=(2, 3)), lambda t: t.zeros(size=(2, 3))),
    ("zeros 0-d", lambda: zeros(()), lambda t: t.zeros(())),
    ("zeros int32", lambda: zeros(2, dtype=dtypes.int32), lambda t: t.zeros(2, dtype=t.int32)),
    ("ones list", lambda: ones([2, 1]), lambda t: t.ones([2, 1])),
    ("ones float16", lambda: ones(3, dtype=dtypes.half), lambda t: t.ones(3, dtype=t.half)),
    ("full float", lambda: full((2,), 7.5), lambda t: t.full((2,), 7.5)),
    ("full int", lambda: full((2,), 7), lambda t: t.full((2,), 7)),
    ("full bool", lambda: full((2,), True), lambda t: t.full((2,), True)),
    ("full complex", lambda: full((2,), 1 + 2j), lambda t: t.full((2,), 1 + 2j)),
    ("full dtype", lambda: full((2,), 7, dtype=dtypes.float32),
     lambda t: t.full((2,), 7, dtype=t.float32)),
    ("eye", lambda: eye(3), lambda t: t.eye(3)),
    ("eye n m", lambda: eye(2, 3), lambda t: t.eye(2, 3)),
    ("eye long", lambda: eye(2, dtype=dtypes.long), lambda t: t.eye(2, dtype=t.long)),
    ("arange end", lambda: arange(5), lambda t: t.arange(5)),
    ("arange end=", lambda: arange(end=4), lambda t: t.arange(end=4)),
    ("arange start end", lambda: arange(1, 7, 2), lambda t: t.arange(1, 7, 2)),
    ("arange float start", lambda: arange(0.0, 3), lambda t: t.arange(0.0, 3)),
    ("arange float step", lambda: arange(0, 1, 0.1), lambda t: t.arange(0, 1, 0.1)),
    ("arange negative", lambda: arange(3, -2, -1.5), lambda t: t.arange(3, -2, -1.5)),
    ("arange int dtype, float bounds", lambda: arange(-2.5, 3.7, 1.5, dtype=dtypes.int64),
     lambda t: t.arange(-2.5, 3.7, 1.5, dtype=t.int64)),
    ("arange float32", lambda: arange(0, 2, 0.25, dtype=dtypes.float32),
     lambda t: t.arange(0, 2, 0.25, dtype=t.float32)),
    ("arange empty", lambda: arange(2, 2), lambda t: t.arange(2, 2)),
    ("linspace", lambda: linspace(0, 1, 5), lambda t: t.linspace(0, 1, 5)),
    ("linspace one", lambda: linspace(-2, 3, 1), lambda t: t.linspace(-2, 3, 1)),
    ("linspace none", lambda: linspace(0, 1, 0), lambda t: t.linspace(0, 1, 0)),
    ("linspace reversed", lambda: linspace(3, -1.5, 7), lambda t: t.linspace(3, -1.5, 7)),
    ("linspace int", lambda: linspace(-10, 10, 7, dtype=dtypes.int64),
     lambda t: t.linspace(-10, 10, 7, dtype=t.int64)),
    ("logspace", lambda: logspace(0, 2, 3), lambda t: t.logspace(0, 2, 3)),
    ("logspace base 2", lambda: logspace(-1, 3, 9, base=2),
     lambda t: t.logspace(-1, 3, 9, base=2)),
    ("zeros_like int", lambda: creation.zeros_like(tg.tensor([1, 2])),
     lambda t: t.zeros_like(t.tensor([1, 2]))),
    ("ones_like dtype", lambda: creation.ones_like(tg.tensor([1, 2]), dtype=dtypes.float32),
     lambda t: t.ones_like(t.tensor([1, 2]), dtype=t.float32)),
    ("full_like int", lambda: full_like(tg.tensor([1, 2]), 2.7),
     lambda t: t.full_like(t.tensor([1, 2]), 2.7)),
    ("full_like float32", lambda: full_like(zeros(2, dtype=dtypes.float32), 3),
     lambda t: t.full_like(t.zeros(2, dtype=t.float32), 3)),
]


@pytest.mark.parametrize("ours, theirs", [row[1:] for row in DETERMINED],
                         ids=[row[0] for row in DETERMINED])
def test_factories_match_pytorch(default_dtype, torch, ours, theirs):
    result, expected = ours(), theirs(torch)
    assert result.dtype == _numpy_dtype(torch, expected.dtype)
    assert result.shape == tuple(expected.shape)
    np.testing.assert_allclose(result.data, expected.numpy(), rtol=1e-6, atol=1e-7)
    assert not result.requires_grad and result.is_leaf


# (description, our call, PyTorch's call): random results, compared by shape and dtype.
RANDOM = [
    ("empty", lambda: empty(2, 3), lambda t: t.empty(2, 3)),
    ("empty int", lambda: empty((2,), dtype=dtypes.int32), lambda t: t.empty((2,), dtype=t.int32)),
    ("empty_like", lambda: empty_like(zeros(2, dtype=dtypes.int32)),
     lambda t: t.empty_like(t.zeros(2, dtype=t.int32))),
    ("rand", lambda: rand(2, 3), lambda t: t.rand(2, 3)),
    ("rand size=", lambda: rand(size=(4,)), lambda t: t.rand(size=(4,))),
    ("rand float32", lambda: rand(2, dtype=dtypes.float32), lambda t: t.rand(2, dtype=t.float32)),
    ("randn", lambda: randn((3, 1)), lambda t: t.randn((3, 1))),
    ("rand_like", lambda: rand_like(zeros(2, dtype=dtypes.float32)),
     lambda t: t.rand_like(t.zeros(2, dtype=t.float32))),
    ("randn_like", lambda: randn_like(zeros(2, 3)), lambda t: t.randn_like(t.zeros(2, 3))),
    ("randint high size", lambda: randint(3, (2, 5)), lambda t: t.randint(3, (2, 5))),
    ("randint low high size", lambda: randint(3, 5, (4,)), lambda t: t.randint(3, 5, (4,))),
    ("randint size=", lambda: randint(5, size=(2,)), lambda t: t.randint(5, size=(2,))),
    ("randint keywords", lambda: randint(low=2, high=5, size=(3,)),
     lambda t: t.randint(low=2, high=5, size=(3,))),
    ("randint float", lambda: randint(3, (2,), dtype=dtypes.float32),
     lambda t: t.randint(3, (2,), dtype=t.float32)),
    ("randint_like", lambda: randint_like(zeros(2), 5), lambda t: t.randint_like(t.zeros(2), 5)),
    ("randint_like low high", lambda: randint_like(tg.tensor([1, 2]), 3, 5),
     lambda t: t.randint_like(t.tensor([1, 2]), 3, 5)),
    ("randperm", lambda: randperm(6), lambda t: t.randperm(6)),
    ("randperm float", lambda: randperm(3, dtype=dtypes.float32),
     lambda t: t.randperm(3, dtype=t.float32)),
    ("normal numbers", lambda: normal(1.0, 2.0, (2, 3)), lambda t: t.normal(1.0, 2.0, (2, 3))),
    ("normal size=", lambda: normal(0.0, 1.0, size=(2,)), lambda t: t.normal(0.0, 1.0, size=(2,))),
    ("normal mean tensor", lambda: normal(zeros(3, dtype=dtypes.float32), 1.0),
     lambda t: t.normal(t.zeros(3, dtype=t.float32), 1.0)),
    ("normal std tensor", lambda: normal(0.0, ones(3)), lambda t: t.normal(0.0, t.ones(3))),
    ("normal broadcast", lambda: normal(zeros(3, 1), ones(1, 4)),
     lambda t: t.normal(t.zeros(3, 1), t.ones(1, 4))),
    ("bernoulli", lambda: bernoulli(full((3,), 0.5, dtype=dtypes.float32)),
     lambda t: t.bernoulli(t.full((3,), 0.5, dtype=t.float32))),
    ("multinomial", lambda: multinomial(tg.tensor([1.0, 2.0, 3.0]), 2),
     lambda t: t.multinomial(t.tensor([1.0, 2.0, 3.0]), 2)),
    ("multinomial rows", lambda: multinomial(ones(4, 3), 5, replacement=True),
     lambda t: t.multinomial(t.ones(4, 3), 5, replacement=True)),
]


@pytest.mark.parametrize("ours, theirs", [row[1:] for row in RANDOM],
                         ids=[row[0] for row in RANDOM])
def test_random_factories_match_pytorchs_shapes_and_dtypes(default_dtype, torch, ours, theirs):
    result, expected = ours(), theirs(torch)
    assert result.dtype == _numpy_dtype(torch, expected.dtype)
    assert result.shape == tuple(expected.shape)


def test_requires_grad_and_the_cpu_device_are_accepted_everywhere():
    for make in (lambda **kw: zeros(2, **kw), lambda **kw: ones(2, **kw),
                 lambda **kw: empty(2, **kw), lambda **kw: full((2,), 1.0, **kw),
                 lambda **kw: eye(2, **kw), lambda **kw: arange(0.0, 2, **kw),
                 lambda **kw: linspace(0, 1, 3, **kw), lambda **kw: logspace(0, 1, 3, **kw),
                 lambda **kw: rand(2, **kw), lambda **kw: randn(2, **kw),
                 lambda **kw: rand_like(zeros(2), **kw), lambda **kw: randn_like(zeros(2), **kw),
                 lambda **kw: creation.zeros_like(zeros(2), **kw),
                 lambda **kw: full_like(zeros(2), 3.0, **kw),
                 lambda **kw: normal(0.0, 1.0, (2,), **kw)):
        for place in ("cpu", "cpu:0", devices.device("cpu"), None):
            made = make(device=place, requires_grad=True)
            assert made.requires_grad and made.is_leaf and made.grad_fn is None


@pytest.mark.parametrize("place, backend", [("cuda", "CUDA"), ("cuda:1", "CUDA"),
                                            (devices.device("cuda", 0), "CUDA"),
                                            ("mps", "MPS")])
def test_a_tensor_on_an_accelerator_is_a_clear_error(place, backend):
    message = f"tapegrad: the {backend} backend is not installed; tensors live on the CPU"
    calls = [lambda: zeros(2, device=place), lambda: rand(2, device=place),
             lambda: arange(3, device=place), lambda: full((1,), 2, device=place),
             lambda: randint(3, (2,), device=place), lambda: randperm(3, device=place),
             lambda: empty_like(zeros(1), device=place), lambda: Generator(place)]
    for call in calls:
        with pytest.raises(RuntimeError) as error:
            call()
        assert str(error.value) == message


def test_the_cuda_error_is_the_one_the_issue_asks_for():
    with pytest.raises(RuntimeError, match=f"^{CUDA_ERROR}$"):
        ones(2, device="cuda")


def test_integer_tensors_cannot_require_grad(torch):
    with pytest.raises(TypeError, match="floating"):
        zeros(2, dtype=dtypes.int32, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        torch.zeros(2, dtype=torch.int32, requires_grad=True)


# ---------------------------------------------------------------------- refused arguments

# (description, our call, the exception, a piece of its message, PyTorch's call)
REFUSED = [
    ("no size", lambda: zeros(), TypeError, "missing the size", lambda t: t.zeros()),
    ("negative size", lambda: ones(2, -1), ValueError, "non-negative", lambda t: t.ones(2, -1)),
    ("float size", lambda: rand(2.5), TypeError, "must be an int", lambda t: t.rand(2.5)),
    ("full not a number", lambda: full((2,), "x"), TypeError, "fill_value must be a number",
     lambda t: t.full((2,), "x")),
    ("arange step 0", lambda: arange(0, 3, 0), ValueError, "step must not be 0",
     lambda t: t.arange(0, 3, 0)),
    ("arange int step 0", lambda: arange(0, 3, 0.5, dtype=dtypes.int64), ValueError,
     "step must not be 0", lambda t: t.arange(0, 3, 0.5, dtype=t.int64)),
    ("arange wrong way", lambda: arange(0, -3), ValueError, "leads away",
     lambda t: t.arange(0, -3)),
    ("linspace negative", lambda: linspace(0, 1, -1), ValueError, "non-negative",
     lambda t: t.linspace(0, 1, -1)),
    ("eye negative", lambda: eye(-2), ValueError, "non-negative", lambda t: t.eye(-2)),
    ("rand int dtype", lambda: rand(2, dtype=dtypes.int64), TypeError, "floating dtype",
     lambda t: t.rand(2, dtype=t.int64)),
    ("rand_like int", lambda: rand_like(tg.tensor([1, 2])), TypeError, "floating dtype",
     lambda t: t.rand_like(t.tensor([1, 2]))),
    ("randn_like int", lambda: randn_like(tg.tensor([1, 2])), TypeError, "floating dtype",
     lambda t: t.randn_like(t.tensor([1, 2]))),
    ("randint low >= high", lambda: randint(5, 3, (2,)), ValueError, "low < high",
     lambda t: t.randint(5, 3, (2,))),
    ("randint size an int", lambda: randint(3, 2), TypeError, "missing the size",
     lambda t: t.randint(3, 2)),
    ("randperm negative", lambda: randperm(-1), ValueError, "non-negative",
     lambda t: t.randperm(-1)),
    ("normal negative std", lambda: normal(zeros(3), -1.0), ValueError, "std must be >= 0",
     lambda t: t.normal(t.zeros(3), -1.0)),
    ("normal no size", lambda: normal(0.0, 1.0), TypeError, "give a size",
     lambda t: t.normal(0.0, 1.0)),
    ("normal shapes", lambda: normal(zeros(3), ones(2)), ValueError, "do not broadcast",
     lambda t: t.normal(t.zeros(3), t.ones(2))),
    ("bernoulli p > 1", lambda: bernoulli(full((3,), 1.5)), ValueError, "in \\[0, 1\\]",
     lambda t: t.bernoulli(t.full((3,), 1.5))),
    ("bernoulli int", lambda: bernoulli(tg.tensor([1, 0])), TypeError, "floating dtype",
     lambda t: t.bernoulli(t.tensor([1, 0]))),
    ("multinomial too many", lambda: multinomial(ones(3), 4), ValueError, "without replacement",
     lambda t: t.multinomial(t.ones(3), 4)),
    ("multinomial negative", lambda: multinomial(tg.tensor([1.0, -1.0]), 1), ValueError,
     "negative", lambda t: t.multinomial(t.tensor([1.0, -1.0]), 1)),
    ("multinomial zeros", lambda: multinomial(zeros(3), 1), ValueError, "sum to 0",
     lambda t: t.multinomial(t.zeros(3), 1)),
    ("multinomial none", lambda: multinomial(ones(3), 0), ValueError, "num_samples",
     lambda t: t.multinomial(t.ones(3), 0)),
    ("multinomial 3-d", lambda: multinomial(ones(2, 2, 2), 1), ValueError, "1-d or 2-d",
     lambda t: t.multinomial(t.ones(2, 2, 2), 1)),
    ("from_numpy list", lambda: from_numpy([1, 2]), TypeError, "expected np.ndarray",
     lambda t: t.from_numpy([1, 2])),
    ("from_numpy text", lambda: from_numpy(np.array(["a"])), TypeError, "dtype <U1",
     lambda t: t.from_numpy(np.array(["a"]))),
]


@pytest.mark.parametrize("call, error, message, theirs", [row[1:] for row in REFUSED],
                         ids=[row[0] for row in REFUSED])
def test_bad_arguments_are_refused_as_pytorch_refuses_them(torch, call, error, message,
                                                            theirs):
    with pytest.raises(error, match=message):
        call()
    with pytest.raises(Exception):  # noqa: B017 - PyTorch's exception types vary by op
        theirs(torch)


# ---------------------------------------------------------------------- values of draws


def test_rand_and_randint_stay_in_range():
    assert 0 <= rand(1000).data.min() and rand(1000).data.max() < 1
    draws = randint(-2, 3, (2000,)).data
    assert set(draws.tolist()) == {-2, -1, 0, 1, 2}
    assert sorted(randperm(50).data.tolist()) == list(range(50))


def test_normal_has_the_mean_and_std_asked_for():
    tg.manual_seed(0)
    draws = normal(3.0, 2.0, (200_000,)).data
    assert abs(draws.mean() - 3.0) < 0.02 and abs(draws.std() - 2.0) < 0.02
    means = normal(tg.tensor([-5.0, 5.0]).reshape(2, 1).expand(2, 50_000), 0.5).data
    np.testing.assert_allclose(means.mean(axis=1), [-5.0, 5.0], atol=0.02)


def test_bernoulli_draws_ones_with_the_given_probabilities():
    tg.manual_seed(0)
    probabilities = tg.tensor([0.0, 0.25, 1.0], dtype=np.float32).reshape(3, 1).expand(3, 40_000)
    draws = bernoulli(probabilities)
    assert draws.dtype == np.float32 and set(np.unique(draws.data)) <= {0.0, 1.0}
    np.testing.assert_allclose(draws.data.mean(axis=1), [0.0, 0.25, 1.0], atol=0.01)
    assert bernoulli(zeros(5), p=1.0).data.tolist() == [1.0] * 5


def test_multinomial_draws_in_proportion_to_the_weights():
    tg.manual_seed(0)
    weights = tg.tensor([1.0, 0.0, 3.0])
    counts = np.bincount(multinomial(weights, 40_000, replacement=True).data, minlength=3)
    np.testing.assert_allclose(counts / 40_000, [0.25, 0.0, 0.75], atol=0.01)
    without = multinomial(ones(5, 10), 10).data
    assert all(sorted(row) == list(range(10)) for row in without.tolist())
    # Categories of weight 0 come last when more samples are asked than there are others.
    assert multinomial(tg.tensor([0.0, 1.0, 0.0]), 2).data[0] == 1


# ---------------------------------------------------------------------- generators and seeds


def test_a_generator_repeats_its_draws_and_leaves_the_default_one_alone():
    tg.manual_seed(0)
    expected = rand(3).data
    tg.manual_seed(0)
    first = rand(3, generator=Generator().manual_seed(5)).data
    second = rand(3, generator=Generator().manual_seed(5)).data
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(rand(3).data, expected)


def test_every_function_that_takes_a_generator_uses_it():
    draws = {
        "rand": lambda g: rand(4, generator=g), "randn": lambda g: randn(4, generator=g),
        "rand_like": lambda g: rand_like(zeros(4), generator=g),
        "randn_like": lambda g: randn_like(zeros(4), generator=g),
        "randint": lambda g: randint(100, (4,), generator=g),
        "randint_like": lambda g: randint_like(zeros(4), 100, generator=g),
        "randperm": lambda g: randperm(20, generator=g),
        "normal": lambda g: normal(0.0, 1.0, (4,), generator=g),
        "bernoulli": lambda g: bernoulli(full((20,), 0.5), generator=g),
        "multinomial": lambda g: multinomial(ones(20), 5, generator=g),
    }
    for name, draw in draws.items():
        first = draw(Generator().manual_seed(11)).data
        tg.manual_seed(0)  # the default generator's state must not matter
        second = draw(Generator().manual_seed(11)).data
        np.testing.assert_array_equal(first, second, err_msg=name)


def test_generator_seeds_as_pytorchs(torch):
    generator = Generator()
    assert generator.manual_seed(7) is generator and generator.initial_seed() == 7
    for seed in (-1, 0, 2**64 - 1, -(2**63)):
        assert Generator().manual_seed(seed).initial_seed() == (
            torch.Generator().manual_seed(seed).initial_seed())
    for seed in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError, match="seed"):
            Generator().manual_seed(seed)
    fresh = generator.seed()
    assert fresh == generator.initial_seed() and 0 <= fresh < 2**64
    assert generator.device == devices.device("cpu")
    with pytest.raises(TypeError, match="tg.Generator"):
        rand(2, generator=np.random.default_rng(0))


def test_manual_seed_returns_the_default_generator_and_seeds_every_source():
    from tapegrad import nn
    from tapegrad.data import DataLoader, TensorDataset, random_split

    def draw_from_every_source():
        layer = nn.Linear(3, 3)
        dropped = nn.functional.dropout(ones(50), 0.5, training=True)
        split = random_split(TensorDataset(np.arange(10)), [5, 5])[0].indices
        order = next(iter(DataLoader(TensorDataset(np.arange(10)), batch_size=10,
                                     shuffle=True)))[0]
        return [layer.weight.data, dropped.data, np.asarray(split), order.data,
                rand(3).data, randn(3).data, randint(9, (3,)).data, randperm(5).data,
                normal(0.0, 1.0, (3,)).data, bernoulli(full((9,), 0.5)).data,
                multinomial(ones(6), 3).data, rand_like(zeros(2)).data]

    generator = tg.manual_seed(123)
    assert generator is tg_random.default_generator and generator.initial_seed() == 123
    first = draw_from_every_source()
    tg.manual_seed(123)
    for a, b in zip(first, draw_from_every_source()):
        np.testing.assert_array_equal(a, b)
    assert tg_random.initial_seed() == 123
    assert tg_random.seed() == tg_random.initial_seed()


# ---------------------------------------------------------------------- from NumPy


def test_from_numpy_shares_memory_both_ways(torch):
    array = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    tensor = from_numpy(array)
    array[0, 0] = 10.0
    assert tensor.data[0, 0] == 10.0 and tensor.dtype == np.float32
    tensor.data[1, 1] = -1.0
    assert array[1, 1] == -1.0
    assert np.shares_memory(tensor.data, array)
    expected = torch.from_numpy(array)
    assert tensor.dtype == _numpy_dtype(torch, expected.dtype)
    np.testing.assert_array_equal(tensor.data, expected.numpy())


def test_from_numpy_keeps_integer_and_bool_dtypes():
    for dtype in (np.int8, np.uint8, np.int32, np.int64, np.bool_, np.float16, np.complex64):
        assert from_numpy(np.zeros(2, dtype)).dtype == dtype


# ---------------------------------------------------------------------- devices and accelerators


def test_device_reads_as_pytorchs(torch):
    for spelling in [("cpu",), ("cpu:0",), ("cuda",), ("cuda:1",), ("cuda", 0), ("mps",),
                     ("cpu", 0)]:
        ours, theirs = devices.device(*spelling), torch.device(*spelling)
        assert (ours.type, ours.index) == (theirs.type, theirs.index)
        assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert devices.device(devices.device("cuda:2")) == devices.device("cuda", 2)
    assert devices.device("cpu") != devices.device("cpu:0")
    # As in PyTorch, a device equals devices only: compare .type, or str(), with strings.
    assert (devices.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")
    assert devices.device("cpu").type == "cpu" and str(devices.device("cpu")) == "cpu"
    assert len({devices.device("cpu"), devices.device("cpu")}) == 1


def test_a_device_string_that_names_nothing_is_refused():
    for bad in ("tpu", "cuda:x", "cuda:-1", "", "cpu:"):
        with pytest.raises(ValueError, match="device"):
            devices.device(bad)
    with pytest.raises(TypeError, match="device"):
        devices.device(None)
    with pytest.raises(ValueError, match="index"):
        devices.device("cuda:1", 0)


def test_accelerators_are_absent_as_on_a_machine_without_them():
    assert devices.cuda.is_available() is False and devices.cuda.device_count() == 0
    assert devices.backends.mps.is_available() is False
    assert devices.backends.mps.is_built() is False
    devices.cuda.manual_seed(0)
    devices.cuda.manual_seed_all(0)
    devices.backends.cudnn.deterministic = True  # seeding code sets it; it changes nothing
    devices.backends.cudnn.benchmark = False
    target = devices.device("cuda" if devices.cuda.is_available() else "cpu")
    assert zeros(2, device=target).shape == (2,)


def test_public_names_are_exported_at_the_top_level():
    names = {
        creation: ["empty", "empty_like", "full_like", "rand_like", "randn_like", "randint",
                   "randint_like", "randperm", "normal", "bernoulli", "multinomial",
                   "linspace", "logspace", "from_numpy"],
        dtypes: DTYPE_NAMES + ["get_default_dtype", "set_default_dtype"],
        devices: ["device", "cuda", "backends"],
        tg_random: ["Generator", "manual_seed", "seed", "initial_seed", "default_generator"],
    }
    missing = [name for module, module_names in names.items() for name in module_names
               if getattr(tg, name, None) is not getattr(module, name)]
    assert missing == []
