"""tapegrad.optim: trajectories, schedules and clipping match torch.optim; state and errors."""

import copy
import math
import re

import numpy as np
import pytest

import tapegrad as tg
import tapegrad.optim as optim
from tapegrad.optim import lr_scheduler

SHAPES = [(3,), (2, 4), ()]
STEPS = 20

# One row per optimizer configuration: (class name, keyword arguments), the same names and
# arguments for tapegrad.optim and torch.optim.
OPTIMIZER_ROWS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.05, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "betas": (0.5, 0.9), "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5,
                 "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True, "eps": 1e-4}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "maximize": True, "eps": 1e-6}),
]

# The configuration of each optimizer that keeps the most state, for checkpoint tests.
STATEFUL_ROWS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
]


def _row_id(row) -> str:
    names = [part for part in row if isinstance(part, str)][:2]
    kwargs = next(part for part in row if isinstance(part, dict))
    return "-".join(names) + "".join(f"-{key}={value}" for key, value in kwargs.items())


def _initial_arrays(dtype=np.float64) -> list:
    rng = np.random.default_rng(0)
    return [rng.normal(size=shape).astype(dtype) for shape in SHAPES]


def _gradient_sequence(steps: int = STEPS, dtype=np.float64) -> list:
    """Per step, one gradient per parameter; the first parameter gets none every 4th step."""
    rng = np.random.default_rng(1)
    sequence = []
    for step in range(steps):
        # Scales vary, so AMSGrad's running max and Adagrad's sum both matter.
        scale = 1 + 2 * abs(math.sin(step))
        gradients = [(rng.normal(size=shape) * scale).astype(dtype) for shape in SHAPES]
        if step % 4 == 3:
            gradients[0] = None
        sequence.append(gradients)
    return sequence


def _ungrouped(params):
    return params


def _tapegrad_run(name, kwargs, initial, gradients, grouped=_ungrouped):
    params = [tg.tensor(array, requires_grad=True) for array in initial]
    optimizer = getattr(optim, name)(grouped(params), **kwargs)
    trajectory = []
    for step_gradients in gradients:
        for param, gradient in zip(params, step_gradients):
            param.grad = gradient
        optimizer.step()
        trajectory.append([param.data.copy() for param in params])
    return trajectory, optimizer


def _torch_run(torch, name, kwargs, initial, gradients, grouped=_ungrouped):
    params = [torch.tensor(array, requires_grad=True) for array in initial]
    optimizer = getattr(torch.optim, name)(grouped(params), **kwargs)
    trajectory = []
    for step_gradients in gradients:
        for param, gradient in zip(params, step_gradients):
            param.grad = None if gradient is None else torch.tensor(gradient)
        optimizer.step()
        trajectory.append([param.detach().numpy().copy() for param in params])
    return trajectory, optimizer


# ---------------------------------------------------------------------- parity with torch.optim


@pytest.mark.parametrize("name, kwargs", OPTIMIZER_ROWS, ids=map(_row_id, OPTIMIZER_ROWS))
def test_trajectory_matches_torch(torch, name, kwargs):
    initial, gradients = _initial_arrays(), _gradient_sequence()
    ours, optimizer = _tapegrad_run(name, kwargs, initial, gradients)
    theirs, torch_optimizer = _torch_run(torch, name, kwargs, initial, gradients)
    for step, (our_params, their_params) in enumerate(zip(ours, theirs)):
        for index, (our, their) in enumerate(zip(our_params, their_params)):
            np.testing.assert_allclose(
                our, their, rtol=0, atol=1e-10, err_msg=f"step {step}, parameter {index}"
            )
    # The state is torch's too: the same entries, under the same names, with the same values.
    our_state = optimizer.state_dict()["state"]
    their_state = torch_optimizer.state_dict()["state"]
    assert sorted(our_state) == sorted(their_state)
    for index, entry in our_state.items():
        assert set(entry) == set(their_state[index])
        for key, value in entry.items():
            their_value = their_state[index][key]
            their_value = float(their_value) if key == "step" else their_value.numpy()
            np.testing.assert_allclose(value, their_value, rtol=0, atol=1e-10, err_msg=key)


@pytest.mark.parametrize("name, kwargs", STATEFUL_ROWS, ids=map(_row_id, STATEFUL_ROWS))
def test_training_loop_with_backward_matches_torch(torch, name, kwargs):
    target = np.array([1.0, -2.0, 0.5])
    w = tg.tensor([0.3, 0.1, -0.4], dtype=tg.float64, requires_grad=True)
    b = tg.tensor(0.7, dtype=tg.float64, requires_grad=True)
    torch_w = torch.tensor([0.3, 0.1, -0.4], dtype=torch.float64, requires_grad=True)
    torch_b = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    optimizer = getattr(optim, name)([w, b], **kwargs)
    torch_optimizer = getattr(torch.optim, name)([torch_w, torch_b], **kwargs)
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        loss = ((w - target) ** 2).sum() + b * b
        loss.backward()
        optimizer.step()
        torch_optimizer.zero_grad()
        torch_loss = ((torch_w - torch.tensor(target)) ** 2).sum() + torch_b * torch_b
        torch_loss.backward()
        torch_optimizer.step()
        assert loss.item() == pytest.approx(torch_loss.item(), rel=0, abs=1e-10)
        np.testing.assert_allclose(w.data, torch_w.detach().numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(b.data, torch_b.detach().numpy(), rtol=0, atol=1e-10)
        losses.append(loss.item())
    assert losses[-1] < losses[0]


# (optimizer, defaults, per-group overrides for the three parameters' groups)
GROUP_ROWS = [
    ("SGD", {"lr": 0.2}, [{}, {"lr": 0.01, "momentum": 0.9, "nesterov": True},
                          {"weight_decay": 0.5}]),
    ("Adam", {"lr": 0.05}, [{"amsgrad": True}, {"lr": 0.01, "betas": (0.5, 0.6)},
                            {"weight_decay": 0.5, "maximize": True}]),
]


@pytest.mark.parametrize("name, defaults, overrides", GROUP_ROWS, ids=map(_row_id, GROUP_ROWS))
def test_param_groups_with_their_own_hyperparameters_match_torch(
    torch, name, defaults, overrides
):
    def grouped(params):
        return [{"params": [param], **override} for param, override in zip(params, overrides)]

    initial, gradients = _initial_arrays(), _gradient_sequence()
    ours, optimizer = _tapegrad_run(name, defaults, initial, gradients, grouped)
    theirs, torch_optimizer = _torch_run(torch, name, defaults, initial, gradients, grouped)
    for our, their in zip(ours[-1], theirs[-1]):
        np.testing.assert_allclose(our, their, rtol=0, atol=1e-10)
    lrs = [group["lr"] for group in optimizer.param_groups]
    assert lrs == [group["lr"] for group in torch_optimizer.param_groups]
    assert lrs == [override.get("lr", defaults["lr"]) for override in overrides]


# ---------------------------------------------------------------------- dtype and memory


@pytest.mark.parametrize("name, kwargs", OPTIMIZER_ROWS, ids=map(_row_id, OPTIMIZER_ROWS))
def test_float32_parameters_stay_float32_and_are_updated_in_place(name, kwargs):
    params = [tg.tensor(array, requires_grad=True) for array in _initial_arrays(np.float32)]
    arrays = [param.data for param in params]
    optimizer = getattr(optim, name)(params, **kwargs)
    for step_gradients in _gradient_sequence(3, np.float32):
        for param, gradient in zip(params, step_gradients):
            param.grad = gradient
        optimizer.step()
    assert all(np.shares_memory(param.data, array) for param, array in zip(params, arrays))
    assert all(param.dtype == np.float32 for param in params)
    for state in optimizer.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


# ---------------------------------------------------------------------- gradients and steps


def test_parameters_without_a_gradient_are_skipped_and_get_no_state():
    used = tg.tensor([1.0, 2.0], requires_grad=True)
    unused = tg.tensor([3.0, 4.0], requires_grad=True)
    optimizer = optim.Adam([used, unused], lr=0.1, weight_decay=0.1)
    (used * used).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(unused.data, [3.0, 4.0])
    assert not np.array_equal(used.data, [1.0, 2.0])
    assert unused not in optimizer.state and optimizer.state[used]["step"] == 1


def test_zero_grad_sets_gradients_to_none_so_step_skips_them():
    w = tg.tensor([1.0, -1.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    (w * w).sum().backward()
    optimizer.zero_grad()
    assert w._grad is None
    optimizer.step()  # nothing to do: even weight decay waits for a gradient
    np.testing.assert_array_equal(w.data, [1.0, -1.0])
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])  # it reads as zeros, as documented


def test_zero_grad_without_set_to_none_fills_zeros_in_place_and_step_uses_them():
    w = tg.tensor([1.0, -1.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1, weight_decay=0.5)
    (w * w).sum().backward()
    gradient = w.grad
    optimizer.zero_grad(set_to_none=False)
    assert np.shares_memory(w.grad, gradient)
    np.testing.assert_array_equal(gradient, [0.0, 0.0])
    optimizer.step()  # a zero gradient is still a gradient: weight decay shrinks w
    np.testing.assert_allclose(w.data, [0.95, -0.95])


def test_step_with_closure_returns_its_loss_and_runs_it_with_grad_mode_on():
    w = tg.tensor([2.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with tg.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 4.0
    np.testing.assert_allclose(w.data, [1.0])
    assert optimizer.step() is None


def test_add_param_group_fills_defaults_and_adagrad_starts_its_accumulators():
    w, b = tg.tensor([1.0], requires_grad=True), tg.tensor([2.0], requires_grad=True)
    optimizer = optim.Adagrad([w], lr=0.1, initial_accumulator_value=0.25)
    optimizer.add_param_group({"params": b, "lr": 0.5})
    assert optimizer.param_groups[1]["lr"] == 0.5
    assert optimizer.param_groups[1]["initial_accumulator_value"] == 0.25
    assert len(optimizer.param_groups[1]["params"]) == 1
    assert optimizer.param_groups[1]["params"][0] is b
    np.testing.assert_array_equal(optimizer.state[b]["sum"], [0.25])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": [w]})


# ---------------------------------------------------------------------- checkpoints


def _run_steps(optimizer, params, gradients):
    for step_gradients in gradients:
        for param, gradient in zip(params, step_gradients):
            param.grad = gradient
        optimizer.step()


@pytest.mark.parametrize("name, kwargs", STATEFUL_ROWS, ids=map(_row_id, STATEFUL_ROWS))
def test_state_dict_round_trip_continues_like_an_uninterrupted_run(name, kwargs):
    initial, gradients = _initial_arrays(), _gradient_sequence(STEPS)
    first, second = gradients[:10], gradients[10:]
    params = [tg.tensor(array, requires_grad=True) for array in initial]
    optimizer = getattr(optim, name)(params, **kwargs)
    _run_steps(optimizer, params, first)
    saved = optimizer.state_dict()
    resumed_params = [tg.tensor(param.data, requires_grad=True) for param in params]
    _run_steps(optimizer, params, second)  # training on must not change the snapshot

    resumed = getattr(optim, name)(resumed_params, lr=123.0)  # lr comes from the checkpoint
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == kwargs["lr"]
    _run_steps(resumed, resumed_params, second)
    for param, resumed_param in zip(params, resumed_params):
        np.testing.assert_array_equal(param.data, resumed_param.data)


def test_state_dict_has_torchs_layout_with_numpy_arrays_and_python_numbers():
    params = [tg.tensor(array, requires_grad=True) for array in _initial_arrays()]
    optimizer = optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}])
    _run_steps(optimizer, params, _gradient_sequence(2))
    saved = optimizer.state_dict()
    assert [group["params"] for group in saved["param_groups"]] == [[0], [1, 2]]
    assert saved["param_groups"][1]["lr"] == 0.5 and saved["param_groups"][0]["lr"] == 1e-3
    assert sorted(saved["state"]) == [0, 1, 2]
    assert saved["state"][2]["step"] == 2 and type(saved["state"][2]["step"]) is int
    exp_avg = saved["state"][1]["exp_avg"]
    assert type(exp_avg) is np.ndarray
    assert exp_avg is not optimizer.state[params[1]]["exp_avg"]

    loaded = optim.Adam([{"params": params[:1]}, {"params": params[1:]}])
    loaded.load_state_dict(saved)
    assert loaded.state[params[1]]["exp_avg"] is not exp_avg  # copied, not shared
    np.testing.assert_array_equal(loaded.state[params[1]]["exp_avg"], exp_avg)


def test_load_state_dict_rejects_a_mismatch_and_changes_nothing():
    w, b = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor(0.0, requires_grad=True)
    two_groups = optim.SGD([{"params": [w]}, {"params": [b]}], lr=0.1).state_dict()
    three_params = optim.SGD([w, b, tg.tensor(1.0, requires_grad=True)], lr=0.1).state_dict()
    other = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    wrong_shape = optim.SGD([other, b], lr=0.1, momentum=0.9)
    other.grad, b.grad = np.ones(3), np.ones(())
    wrong_shape.step()

    optimizer = optim.SGD([w, b], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="2 parameter group.*this optimizer has 1"):
        optimizer.load_state_dict(two_groups)
    with pytest.raises(ValueError, match="group 0 has 3 parameter.*2 in this optimizer"):
        optimizer.load_state_dict(three_params)
    with pytest.raises(ValueError, match=r"'momentum_buffer' of parameter 0 has shape \(3,\)"):
        optimizer.load_state_dict(wrong_shape.state_dict())
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        optimizer.load_state_dict({"state": {}})
    assert optimizer.param_groups[0]["lr"] == 0.1 and not optimizer.state


# ---------------------------------------------------------------------- errors

INVALID_ROWS = [
    ("SGD", {"lr": -1}, "Invalid learning rate: -1"),
    ("SGD", {"momentum": -0.5}, "Invalid momentum value: -0.5"),
    ("SGD", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ("SGD", {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
     "Nesterov momentum requires a momentum and zero dampening"),
    ("Adam", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("Adam", {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ("Adam", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ("Adam", {"betas": (0.9, -0.5)}, "Invalid beta parameter at index 1: -0.5"),
    ("AdamW", {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
    ("RMSprop", {"alpha": -0.9}, "Invalid alpha value: -0.9"),
    ("RMSprop", {"momentum": -0.9}, "Invalid momentum value: -0.9"),
    ("RMSprop", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    ("Adagrad", {"lr_decay": -1}, "Invalid lr_decay value: -1"),
    ("Adagrad", {"initial_accumulator_value": -1},
     "Invalid initial_accumulator_value value: -1"),
    ("Adagrad", {"eps": -1}, "Invalid epsilon value: -1"),
]


@pytest.mark.parametrize("name, kwargs, message", INVALID_ROWS, ids=map(_row_id, INVALID_ROWS))
def test_invalid_hyperparameters_raise_torchs_message(name, kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(optim, name)([tg.tensor([1.0], requires_grad=True)], **kwargs)
    # A group's own value is checked too, not only the defaults.
    with pytest.raises(ValueError, match="^Invalid|^Nesterov"):
        getattr(optim, name)([{"params": [tg.tensor([1.0], requires_grad=True)], **kwargs}])


@pytest.mark.parametrize("name, kwargs, message", INVALID_ROWS, ids=map(_row_id, INVALID_ROWS))
def test_torch_raises_the_same_messages(torch, name, kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)


def test_parameters_that_cannot_be_optimized_are_named():
    leaf = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="non-leaf.*parameter 0 of group 0.*made by Mul"):
        optim.Adam([leaf * 2])
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(leaf)
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD([{"params": {leaf}}])
    with pytest.raises(TypeError, match="can only optimize Tensors.*ndarray"):
        optim.SGD([np.ones(2)])
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([leaf, leaf])
    leaf.grad = np.ones(1)
    with pytest.raises(NotImplementedError, match="_update"):
        optim.Optimizer([leaf], {"lr": 0.1}).step()


# ---------------------------------------------------------------------- learning-rate schedules

# (scheduler, optimizer, scheduler arguments, steps after construction)
SCHEDULER_ROWS = [
    ("StepLR", "SGD", {"step_size": 7, "gamma": 0.5}, 40),
    ("ExponentialLR", "SGD", {"gamma": 0.9}, 40),
    ("CosineAnnealingLR", "SGD", {"T_max": 10, "eta_min": 0.001}, 45),
    ("CosineAnnealingLR", "Adam", {"T_max": 7}, 35),
    ("OneCycleLR", "SGD", {"max_lr": 1.0, "total_steps": 40}, 40),
    ("OneCycleLR", "SGD", {"max_lr": [1.0, 0.5], "total_steps": 40, "three_phase": True,
                           "anneal_strategy": "linear"}, 40),
    ("OneCycleLR", "Adam", {"max_lr": 0.3, "epochs": 4, "steps_per_epoch": 9,
                            "pct_start": 0.25, "three_phase": True}, 36),
    ("OneCycleLR", "RMSprop", {"max_lr": 0.3, "total_steps": 31, "anneal_strategy": "linear",
                               "div_factor": 10.0, "final_div_factor": 100.0}, 31),
    ("OneCycleLR", "Adagrad", {"max_lr": 0.3, "total_steps": 33, "cycle_momentum": False}, 33),
]


def _scheduled_optimizer(module, make_tensor, optimizer_name):
    params = [make_tensor(np.ones(2)), make_tensor(np.ones(3))]
    extra = {"momentum": 0.9} if optimizer_name in ("SGD", "RMSprop") else {}
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": 0.02}]
    return getattr(module, optimizer_name)(groups, lr=0.1, **extra)


def _schedule(scheduler):
    """Per group: the lr and the momentum (or beta1) the optimizer holds now."""
    groups = scheduler.optimizer.param_groups
    return [(group["lr"], group["betas"][0] if "betas" in group else group.get("momentum", 0.0))
            for group in groups]


def _run_schedule(module, scheduler_module, make_tensor, row):
    scheduler_name, optimizer_name, kwargs, steps = row
    optimizer = _scheduled_optimizer(module, make_tensor, optimizer_name)
    scheduler = getattr(scheduler_module, scheduler_name)(optimizer, **kwargs)
    history = [(scheduler.get_last_lr(), _schedule(scheduler))]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        history.append((scheduler.get_last_lr(), _schedule(scheduler)))
    return history, optimizer, scheduler


@pytest.mark.parametrize("row", SCHEDULER_ROWS, ids=map(_row_id, SCHEDULER_ROWS))
def test_schedule_matches_torch(torch, row):
    ours, _, scheduler = _run_schedule(
        optim, lr_scheduler, lambda a: tg.tensor(a, requires_grad=True), row)
    theirs, _, _ = _run_schedule(
        torch.optim, torch.optim.lr_scheduler, lambda a: torch.tensor(a, requires_grad=True), row)
    assert len(ours) == len(theirs) == row[-1] + 1
    for step, ((our_lrs, our_groups), (their_lrs, their_groups)) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(our_lrs, their_lrs, rtol=0, atol=1e-12, err_msg=f"step {step}")
        np.testing.assert_allclose(our_groups, their_groups, rtol=0, atol=1e-12,
                                   err_msg=f"step {step}")
    if row[0] == "OneCycleLR":
        with pytest.raises(ValueError, match="Tried to step"):
            scheduler.step()


@pytest.mark.parametrize("row", SCHEDULER_ROWS, ids=map(_row_id, SCHEDULER_ROWS))
def test_scheduler_state_dict_round_trip(row):
    scheduler_name, optimizer_name, kwargs, steps = row
    make = lambda a: tg.tensor(a, requires_grad=True)  # noqa: E731
    uninterrupted, _, _ = _run_schedule(optim, lr_scheduler, make, row)

    optimizer = _scheduled_optimizer(optim, make, optimizer_name)
    scheduler = getattr(lr_scheduler, scheduler_name)(optimizer, **kwargs)
    for _ in range(12):
        optimizer.step()
        scheduler.step()
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()
    assert "optimizer" not in saved_scheduler and saved_scheduler["last_epoch"] == 12

    optimizer = _scheduled_optimizer(optim, make, optimizer_name)
    scheduler = getattr(lr_scheduler, scheduler_name)(optimizer, **kwargs)
    optimizer.load_state_dict(saved_optimizer)  # after the scheduler, which resets lr
    scheduler.load_state_dict(saved_scheduler)
    resumed = [(scheduler.get_last_lr(), _schedule(scheduler))]
    for _ in range(steps - 12):
        optimizer.step()
        scheduler.step()
        resumed.append((scheduler.get_last_lr(), _schedule(scheduler)))
    assert resumed == uninterrupted[12:]


def test_scheduler_construction_sets_initial_lr_and_resuming_requires_it():
    w = tg.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.3)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=3)
    assert optimizer.param_groups[0]["initial_lr"] == 0.3 and scheduler.last_epoch == 0
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.ExponentialLR(optim.SGD([w], lr=0.3), gamma=0.5, last_epoch=4)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.ExponentialLR([w], gamma=0.5)
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(optim.Adagrad([w]), max_lr=1.0, total_steps=10)
    with pytest.raises(ValueError, match="total_steps OR"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=1.0)
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=[1.0, 2.0], total_steps=10)


# ---------------------------------------------------------------------- gradient clipping

CLIP_ROWS = [
    (2.0, 1.0),
    (math.inf, 0.5),
    ("inf", 0.5),
    (1.0, 2.0),
    (3.0, 0.7),
    (2.0, 1e3),  # under the limit: nothing changes
]


@pytest.mark.parametrize("norm_type, max_norm", CLIP_ROWS)
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    shapes = SHAPES + [(2,)]
    gradients = _gradient_sequence(1)[0] + [None]  # the last parameter has no gradient
    params = [tg.tensor(np.zeros(shape), requires_grad=True) for shape in shapes]
    torch_params = [torch.zeros(shape, dtype=torch.float64, requires_grad=True)
                    for shape in shapes]
    for param, torch_param, gradient in zip(params, torch_params, gradients):
        param.grad = gradient
        torch_param.grad = None if gradient is None else torch.tensor(gradient)
    total = optim.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    torch_total = torch.nn.utils.clip_grad_norm_(torch_params, max_norm, norm_type=norm_type)
    assert isinstance(total, tg.Tensor) and total.shape == ()
    assert total.item() == pytest.approx(torch_total.item(), rel=1e-12)
    for param, torch_param in zip(params[:-1], torch_params[:-1]):
        np.testing.assert_allclose(param.grad, torch_param.grad.numpy(), rtol=1e-12, atol=0)
    assert params[-1]._grad is None  # no gradient, none made


def test_clip_grad_norm_edge_cases():
    assert optim.clip_grad_norm_([tg.tensor([1.0], requires_grad=True)], 1.0).item() == 0.0
    w = tg.tensor([1.0, 1.0], requires_grad=True)
    w.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite|cannot be clipped"):
        optim.clip_grad_norm_(w, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(w.grad, [np.inf, 1.0])  # the failed call changed nothing
    single = tg.tensor(np.zeros(2, dtype=np.float32), requires_grad=True)
    single.grad = np.array([3.0, 4.0], dtype=np.float32)
    total = optim.clip_grad_norm_(single, 1.0)  # one tensor, not a list, is accepted
    assert total.dtype == np.float32 and total.item() == pytest.approx(5.0)
    assert single.grad.dtype == np.float32
    np.testing.assert_allclose(single.grad, [0.6, 0.8], rtol=1e-5)


# ---------------------------------------------------------------------- checkpoints that lie


def _trained(name, kwargs, seed=0):
    """An optimizer of float32 parameters in two groups, after a few steps: it has state."""
    rng = np.random.default_rng(seed)
    params = [tg.tensor(rng.normal(size=shape).astype(np.float32), requires_grad=True)
              for shape in SHAPES]
    optimizer = getattr(optim, name)([{"params": params[:1]}, {"params": params[1:]}],
                                     **kwargs)
    _run_steps(optimizer, params, _gradient_sequence(5, np.float32))
    return optimizer


def _snapshot(optimizer):
    """Copies of everything load_state_dict may change, and the objects it must keep."""
    state = {id(param): copy.deepcopy(entry) for param, entry in optimizer.state.items()}
    groups = [{key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
              for group in optimizer.param_groups]
    params = [[id(param) for param in group["params"]] for group in optimizer.param_groups]
    return optimizer.state, state, optimizer.param_groups[0], groups, params


def _assert_unchanged(optimizer, snapshot):
    state_object, state, first_group, groups, params = snapshot
    assert optimizer.state is state_object and optimizer.param_groups[0] is first_group
    assert {id(param): list(entry) for param, entry in optimizer.state.items()} == {
        key: list(entry) for key, entry in state.items()}
    for param, entry in optimizer.state.items():
        for key, value in entry.items():
            before = state[id(param)][key]
            assert type(value) is type(before) and np.shape(value) == np.shape(before), key
            assert np.asarray(value).dtype == np.asarray(before).dtype, key
            np.testing.assert_array_equal(value, before, err_msg=key)
    assert [{key: value for key, value in group.items() if key != "params"}
            for group in optimizer.param_groups] == groups
    assert [[id(param) for param in group["params"]]
            for group in optimizer.param_groups] == params


BAD_STATE_VALUES = [
    pytest.param(lambda shape: np.full(shape, "x"), "has dtype <U1, expected numbers",
                 id="text-array"),
    pytest.param(lambda shape: None, "is None, expected a number or an array", id="None"),
    pytest.param(lambda shape: np.full(shape, None, dtype=object), "has dtype object",
                 id="object-array"),
    pytest.param(lambda shape: np.full(shape, 1 + 1j), "has dtype complex128", id="complex"),
    pytest.param(lambda shape: np.full(shape, 1e300),
                 "holds values too large for the parameter's float32", id="overflow"),
    pytest.param(lambda shape: "1.0", "is '1.0', expected a number", id="text"),
    pytest.param(lambda shape: float("nan"), "is nan, expected a finite number", id="nan"),
    pytest.param(lambda shape: np.zeros((5, 5)), r"has shape \(5, 5\), the parameter has",
                 id="shape"),
]


@pytest.mark.parametrize("bad, match", BAD_STATE_VALUES)
@pytest.mark.parametrize("name, kwargs", STATEFUL_ROWS, ids=map(_row_id, STATEFUL_ROWS))
def test_a_bad_last_state_value_leaves_the_optimizer_as_it_was(name, kwargs, bad, match):
    saved = _trained(name, kwargs).state_dict()
    last = max(saved["state"])
    key = list(saved["state"][last])[-1]
    saved["state"][last][key] = bad(np.shape(saved["state"][last][key]))
    optimizer = _trained(name, kwargs, seed=1)
    snapshot = _snapshot(optimizer)
    with pytest.raises(ValueError, match=f"state '{key}' of parameter {last} {match}"):
        optimizer.load_state_dict(saved)
    _assert_unchanged(optimizer, snapshot)


BAD_HYPERPARAMETERS = [
    pytest.param("lr", "fast", "'lr' is 'fast', expected a number", id="text"),
    pytest.param("lr", float("nan"), "'lr' is nan, expected a finite number", id="nan"),
    pytest.param("lr", -1.0, "Invalid learning rate: -1.0", id="out-of-range"),
    pytest.param("lr", None, "'lr' is None, expected a number", id="None"),
    pytest.param("maximize", "yes", "'maximize' is 'yes', expected a bool", id="bool"),
    pytest.param("lr", ..., "has no 'lr'; was it saved by another optimizer", id="missing"),
]


@pytest.mark.parametrize("key, bad, match", BAD_HYPERPARAMETERS)
@pytest.mark.parametrize("name, kwargs", STATEFUL_ROWS, ids=map(_row_id, STATEFUL_ROWS))
def test_a_bad_hyperparameter_in_the_last_group_leaves_the_optimizer_as_it_was(
        name, kwargs, key, bad, match):
    saved = _trained(name, kwargs).state_dict()
    if bad is ...:
        del saved["param_groups"][-1][key]
    else:
        saved["param_groups"][-1][key] = bad
    optimizer = _trained(name, kwargs, seed=1)
    snapshot = _snapshot(optimizer)
    with pytest.raises(ValueError, match=f"parameter group 1 .*{match}"):
        optimizer.load_state_dict(saved)
    _assert_unchanged(optimizer, snapshot)


def test_adams_betas_keep_their_layout():
    saved = _trained("Adam", {"lr": 0.05}).state_dict()
    optimizer = _trained("Adam", {"lr": 0.05}, seed=1)
    for betas, match in [((0.9,), "'betas' is \\(0.9,\\), expected a sequence of 2"),
                         ((0.9, "x"), r"'betas'\[1\] is 'x', expected a number"),
                         ((0.9, 1.5), "Invalid beta parameter at index 1: 1.5")]:
        saved["param_groups"][-1]["betas"] = betas
        with pytest.raises(ValueError, match=match):
            optimizer.load_state_dict(saved)


@pytest.mark.parametrize("change, match", [
    pytest.param(lambda saved: saved.update(state=[]), "'state' and 'param_groups'",
                 id="state-a-list"),
    pytest.param(lambda saved: saved["param_groups"].__setitem__(1, [1, 2]),
                 "parameter group 1 of the state dict is not a dict with a 'params' list",
                 id="group-a-list"),
    pytest.param(lambda saved: saved["param_groups"][1].__setitem__("params", [1, "2"]),
                 "param_groups name parameter '2'; parameters are named by integer index",
                 id="index-text"),
    pytest.param(lambda saved: saved["param_groups"][1].__setitem__("params", [0, 1]),
                 "param_groups list parameter 0 more than once", id="index-twice"),
    pytest.param(lambda saved: saved["state"].__setitem__(2, [1.0]),
                 "the state of parameter 2 is list, not a dict", id="entry-a-list"),
    pytest.param(lambda saved: saved["state"].__setitem__(7, {}),
                 "state for parameter 7, which none of its param_groups lists",
                 id="unknown-index"),
])
def test_a_malformed_optimizer_state_dict_changes_nothing(change, match):
    saved = _trained("Adam", {"lr": 0.05}).state_dict()
    change(saved)
    optimizer = _trained("Adam", {"lr": 0.05}, seed=1)
    snapshot = _snapshot(optimizer)
    with pytest.raises(ValueError, match=match):
        optimizer.load_state_dict(saved)
    _assert_unchanged(optimizer, snapshot)


def test_non_finite_optimizer_state_loads_as_it_is():
    saved = _trained("Adam", {"lr": 0.05}).state_dict()
    saved["state"][0]["exp_avg"][0] = np.nan
    optimizer = _trained("Adam", {"lr": 0.05}, seed=1)
    optimizer.load_state_dict(saved)
    param = optimizer.param_groups[0]["params"][0]
    assert np.isnan(optimizer.state[param]["exp_avg"][0])
    assert optimizer.state[param]["exp_avg"].dtype == np.float32


def _scheduler_snapshot(scheduler):
    attributes = {key: copy.deepcopy(value) for key, value in vars(scheduler).items()
                  if key != "optimizer"}
    groups = [{key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
              for group in scheduler.optimizer.param_groups]
    return attributes, groups


def _bad_last_entry(saved):
    saved[list(saved)[-1]] = "x"


@pytest.mark.parametrize("change, match", [
    pytest.param(_bad_last_entry, "is 'x', expected", id="last-entry-text"),
    pytest.param(lambda saved: saved.update(last_epoch="12"),
                 "'last_epoch' is '12', expected a number", id="last-epoch-text"),
    pytest.param(lambda saved: saved.update(last_epoch=float("nan")),
                 "'last_epoch' is nan, expected a finite number", id="last-epoch-nan"),
    pytest.param(lambda saved: saved.update(base_lrs=[0.1, 0.1, 0.1]),
                 r"'base_lrs' is \[0.1, 0.1, 0.1\], expected a sequence of 2", id="base-lrs"),
    pytest.param(lambda saved: saved.update(base_lrs=[0.1, None]),
                 r"'base_lrs'\[1\] is None, expected a number", id="base-lr-None"),
    pytest.param(lambda saved: saved.update(optimizer=None),
                 "state dict has 'optimizer', which a .* state dict does not hold",
                 id="optimizer"),
    pytest.param(lambda saved: saved.update(bogus=1), "state dict has 'bogus'", id="unknown"),
])
@pytest.mark.parametrize("row", SCHEDULER_ROWS, ids=map(_row_id, SCHEDULER_ROWS))
def test_a_bad_scheduler_state_dict_leaves_the_scheduler_as_it_was(row, change, match):
    scheduler_name, optimizer_name, kwargs, _ = row
    make = lambda a: tg.tensor(a, requires_grad=True)  # noqa: E731
    optimizer = _scheduled_optimizer(optim, make, optimizer_name)
    scheduler = getattr(lr_scheduler, scheduler_name)(optimizer, **kwargs)
    for _ in range(5):
        optimizer.step()
        scheduler.step()
    saved = scheduler.state_dict()
    change(saved)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    before = _scheduler_snapshot(scheduler)
    with pytest.raises(ValueError, match=f"{scheduler_name}.load_state_dict: .*{match}"):
        scheduler.load_state_dict(saved)
    assert _scheduler_snapshot(scheduler) == before and scheduler.optimizer is optimizer
