"""Higher-order gradients: create_graph, gradgradcheck, and the tapegrad.func transforms."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import func, nn


def test_third_derivative_of_a_polynomial():
    x = tg.tensor(2.0, requires_grad=True)
    y = x**4 + 3 * x**3 - x
    (first,) = tg.grad(y, x, create_graph=True)
    (second,) = tg.grad(first, x, create_graph=True)
    (third,) = tg.grad(second, x)
    assert first.item() == pytest.approx(4 * 8 + 9 * 4 - 1)
    assert second.item() == pytest.approx(12 * 4 + 18 * 2)
    assert third.item() == pytest.approx(24 * 2 + 18)


def test_backward_with_create_graph_makes_grad_a_differentiable_tensor():
    x = tg.tensor([1.0, -2.0], requires_grad=True)
    (x.sin() * x).sum().backward(create_graph=True)
    assert isinstance(x.grad, tg.Tensor) and x.grad.requires_grad
    expected = np.cos(x.data) * x.data + np.sin(x.data)
    np.testing.assert_allclose(x.grad.data, expected)
    second = tg.grad(x.grad.sum(), x)[0]
    np.testing.assert_allclose(second.data, -np.sin(x.data) * x.data + 2 * np.cos(x.data))


def test_create_graph_keeps_the_graph_by_default():
    x = tg.tensor(3.0, requires_grad=True)
    y = x * x
    tg.grad(y, x, create_graph=True)
    (again,) = tg.grad(y, x)  # the first call retained the graph
    assert again.item() == 6.0


def test_hessian_of_a_quadratic_form_is_a_plus_a_transposed():
    a = np.random.default_rng(0).normal(size=(4, 4))
    h = func.hessian(lambda x: x @ tg.tensor(a) @ x)(np.ones(4))
    assert isinstance(h, np.ndarray)
    np.testing.assert_allclose(h, a + a.T, atol=1e-12)


def test_hvp_equals_hessian_times_v():
    def f(x):
        return (x.sin() * x.exp()).sum() + (x @ x) ** 2

    x, v = np.array([0.3, -0.7, 1.1]), np.array([1.0, 2.0, -0.5])
    value, (product,) = func.hvp(f, (x,), (v,))
    np.testing.assert_allclose(product, func.hessian(f)(x) @ v, rtol=1e-10)
    assert float(value) == pytest.approx(f(tg.tensor(x)).item())


def _vector_function(x, y):
    return tg.stack([x[0] * y.sin().sum(), (x * x).sum() * y[1], x[1].exp()])


def test_jacobian_matches_finite_differences():
    x, y = np.array([0.4, -1.3]), np.array([0.8, 2.0, -0.5])
    jac_x, jac_y = func.jacobian(_vector_function, argnums=(0, 1))(x, y)
    assert jac_x.shape == (3, 2) and jac_y.shape == (3, 3)
    eps = 1e-6
    for jac, position, point in ((jac_x, 0, x), (jac_y, 1, y)):
        for i in range(point.size):
            step = np.zeros_like(point)
            step[i] = eps
            args = [x, y]
            args[position] = point + step
            plus = _vector_function(*map(tg.tensor, args)).data
            args[position] = point - step
            minus = _vector_function(*map(tg.tensor, args)).data
            np.testing.assert_allclose(jac[:, i], (plus - minus) / (2 * eps), atol=1e-7)


def test_transforms_match_torch_func(torch):
    x, y = np.array([0.4, -1.3]), np.array([0.8, 2.0, -0.5])

    def torch_function(a, b):
        return torch.stack([a[0] * b.sin().sum(), (a * a).sum() * b[1], a[1].exp()])

    jac = func.jacobian(_vector_function)(x, y)
    torch_jac = torch.func.jacrev(torch_function)(torch.tensor(x), torch.tensor(y))
    np.testing.assert_allclose(jac, torch_jac.numpy(), rtol=1e-10)

    def scalar(a):
        return (a.tanh() * a).sum() * a[0]

    np.testing.assert_allclose(func.hessian(scalar)(x),
                               torch.func.hessian(scalar)(torch.tensor(x)).numpy(), rtol=1e-10)
    v = np.array([0.5, -2.0])
    _, ours = func.jvp(lambda a: _vector_function(a, tg.tensor(y)), (x,), (v,))
    _, theirs = torch.func.jvp(lambda a: torch_function(a, torch.tensor(y)),
                               (torch.tensor(x),), (torch.tensor(v),))
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10)


def test_vjp_and_value_and_grad():
    out, vjp_fn = func.vjp(_vector_function, np.array([0.4, -1.3]), np.array([0.8, 2.0, -0.5]))
    u = np.array([1.0, -1.0, 0.5])
    jac_x, jac_y = func.jacobian(_vector_function, argnums=(0, 1))(
        np.array([0.4, -1.3]), np.array([0.8, 2.0, -0.5]))
    grads = vjp_fn(u)
    np.testing.assert_allclose(grads[0], u @ jac_x)
    np.testing.assert_allclose(grads[1], u @ jac_y)
    value, (gx, gy) = func.value_and_grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(
        np.array([2.0]), np.array([3.0]))
    assert float(value) == 6.0 and gx.tolist() == [3.0] and gy.tolist() == [2.0]
    with pytest.raises(ValueError, match="one-element"):
        func.grad(lambda a: a * 2)(np.ones(2))


def test_nested_grad_gives_the_second_derivative():
    second = func.grad(func.grad(lambda x: (x ** 3).sum()))
    assert second(np.array(2.0)).item() == pytest.approx(12.0)


class Square(tg.Function):
    """y = x**2;  dL/dx = dL/dy * 2 x — the README's Function: no declaration of any kind."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, grad):
        (x,) = self.saved
        return 2 * x * grad


class ExpKeepingOutput(tg.Function):
    """y = exp(x);  dL/dx = dL/dy * y — the output kept on self, as in the course exercise."""

    def forward(self, x):
        self.out = np.exp(x)
        return self.out

    def backward(self, grad):
        return grad * self.out


class Cube(tg.Function):
    """y = x**3;  dL/dx = dL/dy * 3 x**2 — x is input 0, and saved_roles says so."""

    saved_roles = (0,)

    def forward(self, x):
        self.save_for_backward(x)
        return x**3

    def backward(self, grad):
        (x,) = self.saved
        return grad * 3 * x * x


class CubeSavingItsSlope(tg.Function):
    """y = x**3;  dL/dx = dL/dy * s with s = 3 x**2 computed in forward: s is a new array."""

    def forward(self, x):
        self.save_for_backward(3 * x * x)
        return x**3

    def backward(self, grad):
        (slope,) = self.saved
        return grad * slope


class CubeOnce(Cube):
    """y = x**3;  dL/dx = dL/dy * 3 x**2 — a backward that may be differentiated once only."""

    @tg.once_differentiable
    def backward(self, grad):
        (x,) = self.saved
        return grad * 3 * x * x


def test_a_learners_function_with_save_for_backward_has_exact_second_derivatives():
    x = tg.tensor([0.5, -1.5, 2.0], requires_grad=True)
    assert tg.gradgradcheck(Square.apply, x)
    (first,) = tg.grad(Square.apply(x).sum(), x, create_graph=True)
    (second,) = tg.grad(first.sum(), x)
    np.testing.assert_allclose(second.data, [2.0, 2.0, 2.0])
    hessian = func.hessian(lambda v: Square.apply(v).sum())(np.array([0.5, -1.5, 2.0]))
    np.testing.assert_allclose(hessian, 2 * np.eye(3))


def test_a_function_keeping_its_output_on_self_has_exact_second_derivatives():
    x = tg.tensor([0.5, -1.5], requires_grad=True)
    assert tg.gradgradcheck(ExpKeepingOutput.apply, x)
    hessian = func.hessian(lambda v: ExpKeepingOutput.apply(v).sum())(np.array([0.5, -1.5]))
    np.testing.assert_allclose(hessian, np.diag(np.exp([0.5, -1.5])))


def test_a_zero_d_input_is_recognised_as_the_input():
    x = tg.tensor(1.5, requires_grad=True)
    (first,) = tg.grad(Square.apply(x * 1.0), x, create_graph=True)
    (second,) = tg.grad(first, x)
    assert second.item() == pytest.approx(2.0)


def test_a_declared_function_and_an_inferred_one_agree():
    x = tg.tensor([0.5, -1.5], requires_grad=True)
    assert tg.gradgradcheck(Cube.apply, x)
    declared = func.hessian(lambda v: Cube.apply(v).sum())(x.data)
    np.testing.assert_allclose(declared, np.diag(6 * x.data))


def test_a_value_computed_inside_forward_is_a_constant_to_backward():
    # As in PyTorch: only the inputs and the output are linked to the graph.
    x = tg.tensor([0.5, -1.5], requires_grad=True)
    assert tg.gradcheck(CubeSavingItsSlope.apply, x)  # first order is right
    with pytest.raises(tg.GradcheckError):
        tg.gradgradcheck(CubeSavingItsSlope.apply, x)


def test_once_differentiable_gives_the_first_derivative_and_refuses_the_second():
    x = tg.tensor([0.5, -1.5], requires_grad=True)
    assert tg.gradcheck(CubeOnce.apply, x)
    (first,) = tg.grad(CubeOnce.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.data, 3 * x.data**2)
    with pytest.raises(RuntimeError, match="CubeOnce.backward is marked @once_differentiable"):
        tg.grad(first.sum(), x)


def test_once_differentiable_backward_without_create_graph_is_ordinary():
    x = tg.tensor([2.0], requires_grad=True)
    CubeOnce.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad, [12.0])


def test_gradient_penalty_trains_through_the_input_gradient():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8, dtype=np.float64), nn.Tanh(),
                          nn.Linear(8, 1, dtype=np.float64))
    x = tg.tensor(np.random.default_rng(0).normal(size=(5, 3)), requires_grad=True)
    out = model(x).sum()
    (input_grad,) = tg.grad(out, x, create_graph=True)
    penalty = ((input_grad * input_grad).sum(axis=1) - 1) ** 2
    penalty.mean().backward()
    # Every parameter but the last bias shapes d(out)/dx, so the penalty reaches it.
    assert all(np.any(p.grad != 0) for p in list(model.parameters())[:-1])
    weight = model[0].weight

    def penalty_of(w):
        with tg.no_grad():
            saved = weight.data.copy()
            weight.data[...] = w
        try:
            xx = tg.tensor(x.data, requires_grad=True)
            (g,) = tg.grad(model(xx).sum(), xx, create_graph=True)
            return (((g * g).sum(axis=1) - 1) ** 2).mean()
        finally:
            weight.data[...] = saved

    w0 = weight.data.copy()
    step = np.zeros_like(w0)
    step[0, 0] = 1e-6
    numeric = (penalty_of(w0 + step).item() - penalty_of(w0 - step).item()) / 2e-6
    assert weight.grad[0, 0] == pytest.approx(numeric, rel=1e-5)
