"""Adamax, NAdam, RAdam, Adadelta and LBFGS against PyTorch: the same model, data and
options in both frameworks, then the parameters compared after every step of a short run."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import optim


def _problem(lib):
    """A small least-squares-plus-tanh problem in float64, the same in both frameworks."""
    rng = np.random.default_rng(0)
    weight = lib.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    bias = lib.tensor(rng.standard_normal(3), requires_grad=True)
    x, y = lib.tensor(rng.standard_normal((8, 4))), lib.tensor(rng.standard_normal((8, 3)))

    def loss_fn():
        prediction = (x @ weight.T + bias).tanh()
        return ((prediction - y) ** 2).mean() + 0.1 * (weight ** 4).sum()

    return [weight, bias], loss_fn


# (optimizer name, keyword arguments, steps)
OPTIMIZERS = [
    ("Adamax", {"lr": 0.05}, 12),
    ("Adamax", {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1, "maximize": False}, 8),
    ("NAdam", {"lr": 0.05}, 12),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}, 8),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, 8),
    ("RAdam", {"lr": 0.05}, 12),  # passes rho_t = 5: plain steps first, then rectified ones
    ("RAdam", {"lr": 0.05, "betas": (0.9, 0.9), "weight_decay": 0.1}, 10),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, 10),
    ("Adadelta", {}, 12),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1}, 8),
    ("Adadelta", {"maximize": True}, 4),
]


def _run(lib, name, kwargs, steps):
    params, loss_fn = _problem(lib)
    optimizer = getattr(lib.optim, name)(params, **kwargs)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn().backward()
        optimizer.step()
        history.append([np.array(p.detach().numpy() if hasattr(p, "detach") else p.data)
                        for p in params])
    return history


@pytest.mark.parametrize("name, kwargs, steps", OPTIMIZERS,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(OPTIMIZERS)])
def test_optimizer_trajectory_matches_pytorch(torch, name, kwargs, steps):
    ours, theirs = _run(tg, name, kwargs, steps), _run(torch, name, kwargs, steps)
    for step, (mine, other) in enumerate(zip(ours, theirs)):
        for index, (a, b) in enumerate(zip(mine, other)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12,
                                       err_msg=f"step {step + 1}, parameter {index}")


@pytest.mark.parametrize("kwargs", [
    {},
    {"line_search_fn": "strong_wolfe"},
    {"line_search_fn": "strong_wolfe", "history_size": 3, "max_iter": 7},
    {"lr": 0.5, "max_iter": 5, "history_size": 2},
])
def test_lbfgs_trajectory_matches_pytorch(torch, kwargs):
    def run(lib):
        params, loss_fn = _problem(lib)
        optimizer = lib.optim.LBFGS(params, **kwargs)

        def closure():
            optimizer.zero_grad()
            loss = loss_fn()
            loss.backward()
            return loss

        history = []
        for _ in range(4):
            loss = optimizer.step(closure)
            history.append((loss.item(), [np.array(p.detach().numpy() if lib is torch
                                                   else p.data) for p in params]))
        return history, optimizer.state[params[0]]["func_evals"]

    (ours, our_evals), (theirs, their_evals) = run(tg), run(torch)
    assert our_evals == their_evals
    for (our_loss, mine), (their_loss, other) in zip(ours, theirs):
        np.testing.assert_allclose(our_loss, their_loss, rtol=1e-9)
        for a, b in zip(mine, other):
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_lbfgs_resumes_from_its_state_dict():
    def run(steps, restart_at=None):
        params, loss_fn = _problem(tg)
        optimizer = optim.LBFGS(params, max_iter=3, history_size=4)

        def closure():
            optimizer.zero_grad()
            loss = loss_fn()
            loss.backward()
            return loss

        for step in range(steps):
            if step == restart_at:
                saved = optimizer.state_dict()
                optimizer = optim.LBFGS(params, max_iter=3, history_size=4)
                optimizer.load_state_dict(saved)
            optimizer.step(closure)
        return [p.data.copy() for p in params]

    for resumed, straight in zip(run(4, restart_at=2), run(4)):
        np.testing.assert_array_equal(resumed, straight)
    params, _ = _problem(tg)
    optimizer = optim.LBFGS(params)
    with pytest.raises(ValueError, match="'d' of parameter 0 must be a finite float vector"):
        optimizer.load_state_dict({"state": {0: {"d": np.ones(3)}},
                                   "param_groups": optimizer.state_dict()["param_groups"]})


def test_lbfgs_strong_wolfe_minimises_rosenbrock():
    point = tg.tensor([-1.5, 2.0], requires_grad=True, dtype=tg.float64)
    optimizer = optim.LBFGS([point], line_search_fn="strong_wolfe", max_iter=100)

    def closure():
        optimizer.zero_grad()
        x, y = point[0], point[1]
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        return loss

    for _ in range(3):
        optimizer.step(closure)
    np.testing.assert_allclose(point.data, [1.0, 1.0], atol=1e-4)  # from 2.5 away


def test_new_optimizers_keep_float32_parameters():
    for name in ("Adamax", "NAdam", "RAdam", "Adadelta"):
        w = tg.tensor([1.0, -2.0], requires_grad=True)
        optimizer = getattr(optim, name)([w], lr=0.1)
        (w * w).sum().backward()
        optimizer.step()
        assert w.data.dtype == np.float32, name


def test_new_optimizers_save_and_resume(torch):
    for name in ("Adamax", "NAdam", "RAdam", "Adadelta"):
        full = _run(tg, name, {"lr": 0.05}, 6)
        params, loss_fn = _problem(tg)
        optimizer = getattr(optim, name)(params, lr=0.05)
        for step in range(6):
            if step == 3:
                saved = optimizer.state_dict()
                optimizer = getattr(optim, name)(params, lr=0.05)
                optimizer.load_state_dict(saved)
            optimizer.zero_grad()
            loss_fn().backward()
            optimizer.step()
        for a, b in zip(params, full[-1]):
            np.testing.assert_allclose(a.data, b, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("make, error", [
    (lambda p: optim.Adamax(p, lr=-1.0), "Invalid lr value"),
    (lambda p: optim.NAdam(p, betas=(0.9, 1.0)), "beta parameter at index 1"),
    (lambda p: optim.RAdam(p, eps=-1.0), "Invalid eps value"),
    (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value"),
    (lambda p: optim.LBFGS(p, line_search_fn="armijo"), "strong_wolfe"),
    (lambda p: optim.LBFGS([{"params": p[:1]}, {"params": p[1:]}]), "parameter groups"),
])
def test_bad_optimizer_arguments_are_named(make, error):
    with pytest.raises(ValueError, match=error):
        make([tg.zeros(2, requires_grad=True), tg.zeros(1, requires_grad=True)])
