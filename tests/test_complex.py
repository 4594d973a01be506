"""Complex autograd, PyTorch's convention: values and gradients of every supported op
against PyTorch (complex64 and complex128, broadcasting, real and complex inputs mixed,
0-d), gradcheck and second derivatives, and the refusals; np.r_ / np.c_ on tensors."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.complex_gradients import HOLOMORPHIC

# complex dtype -> (its real dtype, tolerance)
DTYPES = {"complex64": (np.float32, 2e-4), "complex128": (np.float64, 1e-9)}


def _inputs(kinds: str, shapes: list, dtype: str, seed: int = 0) -> list:
    """Arrays away from the branch cuts of log, sqrt and the inverse functions (the negative
    real axis, and the real axis beyond +-1): real parts in [0.3, 0.9], imaginary parts in
    [0.2, 0.8] times a random sign."""
    random = np.random.default_rng(seed)
    real_dtype = DTYPES[dtype][0]
    arrays = []
    for kind, shape in zip(kinds, shapes):
        real = random.uniform(0.3, 0.9, shape)
        imag = random.uniform(0.2, 0.8, shape) * random.choice([-1, 1], shape)
        arrays.append((real + 1j * imag).astype(dtype) if kind == "c"
                      else np.asarray(real, real_dtype))
    return arrays


def _assigned(m, a, b):
    """An in-place assignment on the graph: a copy of a with one element replaced."""
    result = a * 2
    result[1] = b[0] * b[1]
    return result


# name -> (function of the module (tg or torch) and the inputs, input shapes, input kinds:
# "c" complex, "r" real)
CASES = {
    "add-broadcast": (lambda m, a, b: a + b, [(3, 1), (4,)], "cc"),
    "add-real": (lambda m, a, b: a + b, [(2, 3), (3,)], "cr"),
    "sub-real-first": (lambda m, a, b: a - b, [(3,), (2, 3)], "rc"),
    "mul": (lambda m, a, b: a * b, [(2, 3), (2, 3)], "cc"),
    "mul-real": (lambda m, a, b: a * b, [(2, 3), (1, 3)], "rc"),
    "mul-number": (lambda m, a: a * (2 - 1j), [(3,)], "c"),
    "real-times-number": (lambda m, a: a * (2 - 1j), [(3,)], "r"),
    "div": (lambda m, a, b: a / b, [(2, 3), (3,)], "cc"),
    "div-real": (lambda m, a, b: a / b, [(2, 3), (3,)], "rc"),
    "neg": (lambda m, a: -a, [(3,)], "c"),
    "pow-real-exponent": (lambda m, a: a ** 2.5, [(3,)], "c"),
    "pow-integer-exponent": (lambda m, a: a ** 3, [(3,)], "c"),
    "pow-complex-exponent": (lambda m, a: a ** (0.5 + 1j), [(3,)], "c"),
    "pow-tensors": (lambda m, a, b: a ** b, [(2, 3), (3,)], "cc"),
    "pow-real-base": (lambda m, a, b: a ** b, [(3,), (3,)], "rc"),
    "number-to-the-power": (lambda m, a: (1.5 + 0.5j) ** a, [(3,)], "c"),
    "reciprocal": (lambda m, a: a.reciprocal(), [(3,)], "c"),
    "square": (lambda m, a: a.square(), [(3,)], "c"),
    "exp": (lambda m, a: a.exp(), [(3,)], "c"),
    "log": (lambda m, a: a.log(), [(3,)], "c"),
    "sqrt": (lambda m, a: a.sqrt(), [(3,)], "c"),
    "rsqrt": (lambda m, a: a.rsqrt(), [(3,)], "c"),
    "sin": (lambda m, a: a.sin(), [(3,)], "c"),
    "cos": (lambda m, a: a.cos(), [(3,)], "c"),
    "tan": (lambda m, a: a.tan(), [(3,)], "c"),
    "tanh": (lambda m, a: a.tanh(), [(3,)], "c"),
    "sigmoid": (lambda m, a: a.sigmoid(), [(3,)], "c"),
    "sinh": (lambda m, a: a.sinh(), [(3,)], "c"),
    "cosh": (lambda m, a: a.cosh(), [(3,)], "c"),
    "asin": (lambda m, a: a.asin(), [(3,)], "c"),
    "acos": (lambda m, a: a.acos(), [(3,)], "c"),
    "atan": (lambda m, a: a.atan(), [(3,)], "c"),
    "asinh": (lambda m, a: a.asinh(), [(3,)], "c"),
    "acosh": (lambda m, a: a.acosh(), [(3,)], "c"),
    "atanh": (lambda m, a: a.atanh(), [(3,)], "c"),
    "log1p": (lambda m, a: a.log1p(), [(3,)], "c"),
    "expm1": (lambda m, a: a.expm1(), [(3,)], "c"),
    "log2": (lambda m, a: a.log2(), [(3,)], "c"),
    "log10": (lambda m, a: a.log10(), [(3,)], "c"),
    "zero-d": (lambda m, a, b: (a * b).exp(), [(), ()], "cr"),
    "sum": (lambda m, a: a.sum(), [(2, 3)], "c"),
    "sum-dim": (lambda m, a: a.sum(1, keepdim=True), [(2, 3)], "c"),
    "mean": (lambda m, a: a.mean(0), [(2, 3)], "c"),
    "prod": (lambda m, a: a.prod(1), [(2, 3)], "c"),
    "var": (lambda m, a: a.var(), [(2, 3)], "c"),
    "std-dim": (lambda m, a: a.std(1, keepdim=True), [(2, 3)], "c"),
    "norm": (lambda m, a: m.linalg.vector_norm(a, dim=1), [(2, 3)], "c"),
    "norm-1": (lambda m, a: m.linalg.vector_norm(a, ord=1), [(2, 3)], "c"),
    "norm-3": (lambda m, a: m.linalg.vector_norm(a, ord=3, dim=0), [(2, 3)], "c"),
    "norm-inf": (lambda m, a: m.linalg.vector_norm(a, ord=float("inf")), [(2, 3)], "c"),
    "cumsum": (lambda m, a: a.cumsum(1), [(2, 3)], "c"),
    "cumprod": (lambda m, a: a.cumprod(1), [(2, 3)], "c"),
    "matmul": (lambda m, a, b: a @ b, [(2, 3), (3, 4)], "cc"),
    "matmul-1d": (lambda m, a, b: a @ b, [(3,), (3, 4)], "cc"),
    "matmul-batched-real": (lambda m, a, b: m.matmul(a, b.to(a.dtype)), [(2, 2, 3), (3, 2)], "cr"),
    "dot": (lambda m, a, b: m.dot(a, b), [(3,), (3,)], "cc"),
    "vdot": (lambda m, a, b: m.vdot(a, b), [(3,), (3,)], "cc"),
    "outer": (lambda m, a, b: m.outer(a, b.to(a.dtype)), [(3,), (2,)], "cr"),
    "einsum": (lambda m, a, b: m.einsum("ij,kj->ik", a, b), [(2, 3), (4, 3)], "cc"),
    "reshape": (lambda m, a: a.reshape(3, 2) * m.arange(2), [(2, 3)], "c"),
    "transpose": (lambda m, a: a.transpose(0, 1) * m.arange(2), [(2, 3)], "c"),
    "index": (lambda m, a: a[1, ::2], [(2, 3)], "c"),
    "index-repeated": (lambda m, a: a[[0, 0, 1]], [(2, 3)], "c"),
    "cat": (lambda m, a, b: m.cat([a, b], 1), [(2, 3), (2, 1)], "cr"),
    "stack": (lambda m, a, b: m.stack([a, b]), [(3,), (3,)], "cc"),
    "setitem": (_assigned, [(3,), (2,)], "cc"),
    "scatter": (lambda m, a, b: a.scatter(0, m.tensor([2, 0]), b), [(3,), (2,)], "cc"),
    "expand": (lambda m, a: a.expand(2, 3), [(1, 3)], "c"),
    "flip": (lambda m, a: a.flip(0) * m.arange(2).reshape(2, 1), [(2, 3)], "c"),
    "where": (lambda m, a, b: m.where(a.real > 0.6, a, b), [(2, 3), (3,)], "cc"),
    "tril": (lambda m, a: a.tril(), [(3, 3)], "c"),
    "diagonal": (lambda m, a: a.diagonal(), [(3, 3)], "c"),
    "mH": (lambda m, a: a.mH * m.arange(2), [(2, 3)], "c"),
    "inv": (lambda m, a: m.linalg.inv(a + 2 * m.eye(3)), [(2, 3, 3)], "c"),
    "det": (lambda m, a: m.linalg.det(a + 2 * m.eye(3)), [(2, 3, 3)], "c"),
    "solve": (lambda m, a, b: m.linalg.solve(a + 2 * m.eye(3), b), [(3, 3), (3, 2)], "cc"),
    "slogdet": (lambda m, a: m.linalg.slogdet(a + 2 * m.eye(3))[1], [(2, 3, 3)], "c"),
    "real": (lambda m, a: a.real, [(3,)], "c"),
    "imag": (lambda m, a: a.imag, [(3,)], "c"),
    "real-of-real": (lambda m, a: a.real * 2, [(3,)], "r"),
    "conj": (lambda m, a: a.conj() * a, [(3,)], "c"),
    "tg-conj": (lambda m, a: m.conj(a) * a, [(3,)], "c"),
    "angle": (lambda m, a: a.angle(), [(3,)], "c"),
    "angle-of-real": (lambda m, a: m.angle(-a), [(3,)], "r"),
    "abs": (lambda m, a: a.abs(), [(3,)], "c"),
    "abs-of-product": (lambda m, a, b: (a * b).abs(), [(3,), (3,)], "cr"),
    "complex": (lambda m, a, b: m.complex(a, b), [(2, 3), (2, 3)], "rr"),
    "polar": (lambda m, a, b: m.polar(a, b), [(3,), (3,)], "rr"),
    "view_as_real": (lambda m, a: m.view_as_real(a * a), [(3,)], "c"),
    "view_as_complex": (lambda m, a: m.view_as_complex(a) ** 2, [(3, 2)], "r"),
    "real-loss": (lambda m, a, b: ((a * b).exp().abs() ** 2).sum(), [(3,), (3,)], "cr"),
}


def _numpy(value):
    """A tensor of either library as an ndarray (PyTorch's lazy conjugates resolved)."""
    if hasattr(value, "resolve_conj"):
        value = value.detach()
        if hasattr(value, "resolve_neg"):
            return value.resolve_conj().resolve_neg().numpy()
    return np.asarray(value.detach().numpy() if hasattr(value, "detach") else value)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_values_and_gradients_match_pytorch(name, dtype, torch):
    """Each op's result and the gradient it sends back, for a random complex gradient
    dL/d(result) (a real one for a real result), are PyTorch's; a real input gets a real
    gradient of its own dtype kind, as in PyTorch."""
    function, shapes, kinds = CASES[name]
    arrays = _inputs(kinds, shapes, dtype)
    ours = [tg.tensor(array, requires_grad=True) for array in arrays]
    theirs = [torch.tensor(array, requires_grad=True) for array in arrays]
    result, expected = function(tg, *ours), function(torch, *theirs)
    tolerance = DTYPES[dtype][1]
    np.testing.assert_allclose(_numpy(result), _numpy(expected), rtol=tolerance,
                               atol=tolerance)
    assert result.dtype.kind == _numpy(expected).dtype.kind
    random = np.random.default_rng(1)
    gradient = random.standard_normal(tuple(result.shape))
    if result.dtype.kind == "c":
        gradient = gradient + 1j * random.standard_normal(tuple(result.shape))
    gradient = np.asarray(gradient, result.dtype)
    result.backward(gradient)
    expected.backward(torch.tensor(gradient))
    for tensor, reference in zip(ours, theirs):
        assert tensor.grad.dtype.kind == _numpy(reference.grad).dtype.kind
        np.testing.assert_allclose(tensor.grad, _numpy(reference.grad), rtol=tolerance * 10,
                                   atol=tolerance * 10)


def test_the_gradient_of_a_real_loss_is_dL_dx_plus_i_dL_dy():
    """The convention itself, by finite differences on the real and imaginary parts: for
    L = |z|^2 * Re(z), z.grad is dL/dx + i dL/dy (PyTorch's, twice dL/d(conj z))."""
    z = tg.tensor(np.array([0.7 - 0.4j, -1.2 + 0.3j]), requires_grad=True)
    loss = lambda value: ((value.abs() ** 2) * value.real).sum()  # noqa: E731
    loss(z).backward()
    eps, base = 1e-6, z.detach().numpy()
    for index in range(2):
        step = np.zeros(2)
        step[index] = eps
        d_real = (loss(tg.tensor(base + step)) - loss(tg.tensor(base - step))).item() / (2 * eps)
        d_imag = (loss(tg.tensor(base + 1j * step))
                  - loss(tg.tensor(base - 1j * step))).item() / (2 * eps)
        assert z.grad[index] == pytest.approx(d_real + 1j * d_imag, rel=1e-6)


GRADCHECKED = {
    "holomorphic": lambda z, x: (z * z * x + z / x).exp().sin(),
    "non-holomorphic": lambda z, x: z.abs() * z.angle() + z.real * z.imag * x + z.conj() * z,
    "matmul-and-reductions": lambda z, x: (z.reshape(2, 2) @ z.reshape(2, 2).mH).sum(0) * x[:2],
    "built-from-reals": lambda z, x: tg.view_as_real(tg.polar(x, x * 2) * z),
    "numpy": lambda z, x: np.angle(z) + np.abs(np.conj(z) * x) + np.real(z) * np.imag(z),
    "spread": lambda z, x: (z * x).std() + np.var(z.reshape(2, 2), axis=1).sum(),
    "norms": lambda z, x: np.linalg.norm(z * x) + tg.linalg.vector_norm(z, ord=3),
}


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck_and_gradgradcheck_on_complex_inputs(name):
    """gradcheck checks complex inputs and outputs as pairs of reals (as PyTorch's does), so
    it tests the convention end to end; second derivatives (create_graph) too."""
    z = tg.tensor(np.array([0.7 - 0.4j, -1.2 + 0.3j, 0.5 + 0.9j, 1.1 - 0.2j]),
                  requires_grad=True)
    x = tg.tensor(np.array([0.8, 1.3, -0.6, 0.9]), requires_grad=True)
    assert tg.gradcheck(GRADCHECKED[name], z, x)
    assert tg.gradgradcheck(GRADCHECKED[name], z, x)


def test_gradcheck_catches_a_wrong_complex_gradient():
    """An op wrongly marked holomorphic (the conjugate is not) fails gradcheck: the check can
    fail, so its passes above mean something."""
    class WrongConj(tg.Function):
        complex_gradients = HOLOMORPHIC

        def forward(self, z):
            return np.conj(z)

        def backward(self, grad):
            return grad

    z = tg.tensor(np.array([0.7 - 0.4j]), requires_grad=True)
    with pytest.raises(tg.GradcheckError, match="gradient mismatch"):
        tg.gradcheck(WrongConj.apply, z)


@pytest.mark.parametrize("dtype", DTYPES)
def test_second_derivatives_match_pytorch(dtype, torch):
    """create_graph through complex ops: the gradient of a function of the gradient."""
    (array,) = _inputs("c", [(3,)], dtype)

    def second(m, z):
        (first,) = m.autograd.grad((z.exp() * z.conj()).abs().sum(), [z], create_graph=True)
        ((first * first.conj()).real.sum() + first.angle().sum()).backward()
        return first

    z, reference = tg.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    tolerance = DTYPES[dtype][1] * 10
    np.testing.assert_allclose(_numpy(second(tg, z)), _numpy(second(torch, reference)),
                               rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(z.grad, _numpy(reference.grad), rtol=tolerance, atol=tolerance)


def test_numpy_functions_on_complex_tensors_are_numpys_and_differentiate(torch):
    """np.real, np.imag, np.conj, np.conjugate, np.angle, np.abs on tensors: NumPy's values
    and dtypes, and gradients as the same computation in PyTorch."""
    array = np.array([0.7 - 0.4j, -1.2 + 0.3j, 0j])
    z = tg.tensor(array, requires_grad=True)
    pieces = [np.real(z), np.imag(z), np.conj(z).imag, np.conjugate(z).real, np.angle(z),
              np.angle(z, deg=True), np.abs(z)]
    expected = [np.real(array), np.imag(array), np.conj(array).imag, np.conjugate(array).real,
                np.angle(array), np.angle(array, deg=True), np.abs(array)]
    for piece, values in zip(pieces, expected):
        assert piece.dtype == values.dtype
        np.testing.assert_allclose(piece.detach().numpy(), values, rtol=1e-12)
    sum(piece.sum() for piece in pieces).backward()
    reference = torch.tensor(array, requires_grad=True)
    sum(piece.sum() for piece in [reference.real, reference.imag, -reference.imag,
                                  reference.real, reference.angle(),
                                  reference.angle() * (180 / np.pi), reference.abs()]).backward()
    np.testing.assert_allclose(z.grad, reference.grad.numpy(), rtol=1e-10)


def test_numpy_functions_on_real_tensors_keep_numpys_meaning():
    x = tg.tensor([-1.0, 2.0], requires_grad=True)
    assert np.real(x) is x and np.conj(x) is x
    np.testing.assert_array_equal(np.imag(x).numpy(), np.imag(np.array([-1.0, 2.0])))
    assert not np.imag(x).requires_grad
    np.testing.assert_allclose(np.angle(x).detach().numpy(), [np.pi, 0], rtol=1e-6)
    assert np.angle(tg.tensor([1, -1])).dtype == np.angle(np.array([1, -1])).dtype
    assert (np.iscomplexobj(x), np.isrealobj(x)) == (False, True)
    z = tg.tensor([1.0 + 0j, 1j])
    assert np.iscomplexobj(z)
    np.testing.assert_array_equal(np.iscomplex(z).numpy(), np.iscomplex(z.numpy()))
    np.testing.assert_array_equal(np.isreal(z).numpy(), np.isreal(z.numpy()))


def test_a_complex_number_keeps_its_float_precision(torch):
    """Python complex numbers are weak scalars, as in PyTorch: float32 * 1j is complex64."""
    for dtype, complex_dtype in ((np.float32, np.complex64), (np.float64, np.complex128)):
        x = tg.tensor([1.0, 2.0], dtype=dtype, requires_grad=True)
        assert (x * 1j).dtype == (x.to(complex_dtype) + 1j).dtype == complex_dtype
    expected = (torch.ones(2, dtype=torch.float32) * 1j).dtype
    assert str(expected).endswith(str((tg.ones(2) * 1j).dtype))


def test_backward_on_a_complex_result_needs_an_explicit_gradient(torch):
    """PyTorch's rule: a gradient is implied only for a real scalar output."""
    z = tg.tensor(1 + 2j, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for real "
                                           "scalar outputs"):
        (z * z).backward()
    reference = torch.tensor(1 + 2j, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for real "
                                           "scalar outputs"):
        (reference * reference).backward()
    assert z.grad is None or not z.grad.any()
    (z * z).backward(np.asarray(1 - 1j))
    assert z.grad == pytest.approx(np.conj(2 * (1 + 2j)) * (1 - 1j))


def test_an_op_without_complex_gradients_raises_naming_itself():
    z = tg.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    with pytest.raises(TypeError, match="LogSumExp does not support complex gradients"):
        z.logsumexp(0)

    class Plain(tg.Function):
        def forward(self, x):
            return x * 2

        def backward(self, grad):
            return grad * 2

    with pytest.raises(TypeError, match="Plain does not support complex gradients"):
        Plain.apply(z)
    assert Plain.apply(z.detach()).dtype == np.complex64  # no gradient wanted: no refusal
    with tg.no_grad():
        assert z.logsumexp(0).dtype == np.complex64


def test_a_real_gradient_reaching_a_complex_result_raises():
    """An op that takes a complex input to a real result but writes only a real backward
    would hand back a real gradient: the holomorphic op before it refuses it."""
    class RealOnlyAbs(tg.Function):
        def forward(self, z):
            self.save_for_backward(z)
            return np.abs(z)

        def backward(self, grad):
            return grad * 1.0

    z = tg.tensor([1 + 2j], requires_grad=True)
    with pytest.raises(TypeError, match="Mul: the gradient reaching its complex result is "
                                        "real"):
        RealOnlyAbs.apply(z * z).sum().backward()


def test_complex_refusals_of_bad_input():
    with pytest.raises(TypeError, match="only floating point and complex tensors"):
        tg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with "
                                           "non-complex dtypes"):
        tg.tensor([1.0]).imag
    with pytest.raises(TypeError, match="complex: real and imag must have the same dtype"):
        tg.complex(tg.tensor([1.0]), tg.tensor([1.0], dtype=tg.float64))
    with pytest.raises(TypeError, match="complex: real must be a floating tensor"):
        tg.complex(tg.tensor([1]), tg.tensor([1]))
    with pytest.raises(RuntimeError, match="view_as_real is only supported for complex "
                                           "tensors"):
        tg.view_as_real(tg.tensor([1.0]))
    with pytest.raises(RuntimeError, match="view_as_complex: the last dimension must have "
                                           "size 2"):
        tg.view_as_complex(tg.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="Cdist: only real inputs are supported"):
        tg.cdist(tg.tensor([[1j]]), tg.tensor([[1.0]]))


def test_complex_leaves_accumulate_and_optimize():
    """.grad is complex and sums over backward calls; a plain SGD step moves z downhill."""
    z = tg.tensor([1 + 1j], dtype=tg.complex128, requires_grad=True)
    for _ in range(2):
        (z.abs() ** 2).sum().backward()
    assert z.grad.dtype == np.complex128
    assert z.grad[0] == pytest.approx(2 * 2 * (1 + 1j))
    before = abs(z.detach().numpy()[0])
    with tg.no_grad():
        z -= 0.1 * z.grad
    assert abs(z.detach().numpy()[0]) < before


@pytest.mark.parametrize("join, instead", [
    (lambda t: np.r_[t, t], lambda t: np.concatenate([t, t])),
    (lambda t: np.r_[t, 0.0], lambda t: np.concatenate([t, tg.zeros(1)])),
    (lambda t: np.c_[t, t], lambda t: np.column_stack([t, t])),
], ids=["r_", "r_-number", "c_"])
def test_np_r_and_c_refuse_tensors_that_require_grad(join, instead):
    """np.r_ / np.c_ turn their items into arrays before joining them, so a graph cannot
    survive: they raise as np.array(t) does, and name the function that keeps it."""
    t = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't convert a Tensor that requires grad"):
        join(t)
    with pytest.raises(RuntimeError, match="np.concatenate for np.r_"):
        join(t)
    kept = instead(t)
    np.testing.assert_array_equal(kept.detach().numpy(), join(t.detach()))
    kept.sum().backward()
    assert t.grad.tolist() == ([2.0, 2.0] if kept.numel() == 4 else [1.0, 1.0])


@pytest.mark.parametrize("name, options", [
    ("SGD", {"momentum": 0.9, "weight_decay": 0.1}), ("Adam", {}),
    ("AdamW", {"weight_decay": 0.1, "amsgrad": True}), ("RMSprop", {"centered": True}),
    ("Adagrad", {}), ("Adamax", {}), ("NAdam", {}), ("RAdam", {}), ("Adadelta", {}),
])
def test_optimizers_update_complex_parameters_as_pytorchs(name, options, torch):
    """PyTorch's optimizers step a complex parameter through view_as_real (Adam squares the
    real and imaginary parts, not the complex number); the state stays complex, of the
    parameter's shape, and survives state_dict / load_state_dict."""
    start = np.array([[1 + 1j, -2 + 0.5j]], np.complex64)
    ours = tg.tensor(start, requires_grad=True)
    theirs = torch.tensor(start, requires_grad=True)
    optimizer = getattr(tg.optim, name)([ours], lr=0.1, **options)
    reference = getattr(torch.optim, name)([theirs], lr=0.1, **options)
    for _ in range(3):
        for parameter, step in ((ours, optimizer), (theirs, reference)):
            step.zero_grad()
            ((parameter * (1 + 2j)).abs() ** 2).sum().backward()
            step.step()
        optimizer.load_state_dict(optimizer.state_dict())
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5)
    arrays = [value for value in optimizer.state[ours].values() if hasattr(value, "shape")]
    assert arrays and all(value.dtype == np.complex64 and value.shape == (1, 2)
                          for value in arrays)


def test_lbfgs_refuses_complex_parameters():
    with pytest.raises(TypeError, match="LBFGS: complex parameters are not supported"):
        tg.optim.LBFGS([tg.tensor([1j], requires_grad=True)])


def test_func_grad_of_a_complex_argument_is_pytorchs(torch):
    """tg.func.grad keeps a complex argument complex (it used to become float64)."""
    array = np.array([1 + 2j, 0.5 - 1j])
    ours = tg.func.grad(lambda z: (z.exp().abs() ** 2).sum())(array)
    theirs = torch.func.grad(lambda z: (z.exp().abs() ** 2).sum())(torch.tensor(array))
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-12)
