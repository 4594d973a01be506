"""Every learning-rate schedule against PyTorch's: the same construction in both frameworks,
then the rates (and momentum, where a schedule cycles it) compared step by step over a run
long enough to pass every phase, milestone and restart."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import optim
from tapegrad.optim import lr_scheduler


def _optimizer(lib, kind="SGD"):
    """Two param groups with different rates, so per-group handling is checked."""
    first, second = (lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True))
    groups = [{"params": [first]}, {"params": [second], "lr": 0.05}]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.1)


def _half(epoch):
    return 0.5 ** (epoch // 3)


def _decay(epoch):
    return 0.95


# (id, builds the schedule from (lr_scheduler namespace, optimizer), steps, optimizer kind)
SCHEDULES = [
    ("LambdaLR", lambda s, o: s.LambdaLR(o, _half), 10, "SGD"),
    ("LambdaLR_per_group", lambda s, o: s.LambdaLR(o, [_half, lambda e: 1 / (e + 1)]), 8,
     "SGD"),
    ("MultiplicativeLR", lambda s, o: s.MultiplicativeLR(o, _decay), 8, "SGD"),
    ("MultiStepLR", lambda s, o: s.MultiStepLR(o, [2, 5, 5], gamma=0.3), 9, "SGD"),
    ("ConstantLR", lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=3), 6, "SGD"),
    ("LinearLR", lambda s, o: s.LinearLR(o, 0.2, 0.9, total_iters=4), 7, "SGD"),
    ("LinearLR_down", lambda s, o: s.LinearLR(o, 1.0, 0.1, total_iters=5), 8, "SGD"),
    ("PolynomialLR", lambda s, o: s.PolynomialLR(o, total_iters=5, power=2.0), 8, "SGD"),
    ("CyclicLR", lambda s, o: s.CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=3), 14, "SGD"),
    ("CyclicLR_triangular2", lambda s, o: s.CyclicLR(o, 0.01, 0.1, 2, 4, mode="triangular2"),
     20, "SGD"),
    ("CyclicLR_exp_range_adam", lambda s, o: s.CyclicLR(o, 0.01, 0.1, 2, mode="exp_range",
                                                        gamma=0.9), 12, "Adam"),
    ("CyclicLR_scale_fn", lambda s, o: s.CyclicLR(o, 0.01, 0.1, 3, scale_fn=lambda x: 0.8 ** x,
                                                  scale_mode="iterations",
                                                  cycle_momentum=False), 12, "SGD"),
    ("CosineAnnealingWarmRestarts", lambda s, o: s.CosineAnnealingWarmRestarts(o, 3), 10, "SGD"),
    ("CosineAnnealingWarmRestarts_mult", lambda s, o: s.CosineAnnealingWarmRestarts(
        o, 2, T_mult=2, eta_min=0.001), 16, "SGD"),
    ("OneCycleLR", lambda s, o: s.OneCycleLR(o, [1.0, 0.5], total_steps=10), 10, "SGD"),
    ("SequentialLR", lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, 0.1, total_iters=3), s.ExponentialLR(o, 0.8)], milestones=[3]), 9,
     "SGD"),
    ("SequentialLR_three", lambda s, o: s.SequentialLR(
        o, [s.ConstantLR(o, 0.5, 2), s.CosineAnnealingLR(o, 4), s.StepLR(o, 2, 0.5)],
        milestones=[2, 6]), 12, "SGD"),
    ("ChainedScheduler", lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, 0.5, 3), s.ExponentialLR(o, 0.9), s.MultiStepLR(o, [4], 0.1)]), 8,
     "SGD"),
]


def _trajectory(lib, build, steps, kind):
    """Rates and momenta at the start and after each step, optimizer stepped first."""
    optimizer = _optimizer(lib, kind)
    scheduler = build(lib.optim.lr_scheduler, optimizer)
    record = []
    for _ in range(steps):
        record.append(_snapshot(scheduler, optimizer))
        optimizer.step()
        scheduler.step()
    record.append(_snapshot(scheduler, optimizer))
    return record


def _snapshot(scheduler, optimizer):
    momenta = [group.get("momentum", group.get("betas", (None,))[0])
               for group in optimizer.param_groups]
    return scheduler.get_last_lr(), [group["lr"] for group in optimizer.param_groups], momenta


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name, build, steps, kind", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedule_matches_pytorch(torch, name, build, steps, kind):
    ours = _trajectory(tg, build, steps, kind)
    theirs = _trajectory(torch, build, steps, kind)
    for step, (mine, other) in enumerate(zip(ours, theirs)):
        for what, a, b in zip(("last_lr", "lr", "momentum"), mine, other):
            np.testing.assert_allclose(np.array(a, float), np.array(b, float), rtol=1e-12,
                                       atol=1e-15, err_msg=f"step {step}: {what}")


@pytest.mark.parametrize("mode, threshold_mode, losses", [
    ("min", "rel", [5, 4, 4, 4, 4, 3.9999, 3.9999, 3, 3, 3, 3, 3, 3]),
    ("max", "abs", [1, 2, 2.05, 2.05, 2.2, 2.2, 2.2, 2.2, 2.2]),
])
def test_reduce_lr_on_plateau_matches_pytorch(torch, mode, threshold_mode, losses):
    def run(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode=mode, factor=0.5, patience=1, threshold=0.1 if threshold_mode ==
            "abs" else 1e-4, threshold_mode=threshold_mode, cooldown=1, min_lr=[0.02, 0.0])
        rates = []
        for loss in losses:
            optimizer.step()
            scheduler.step(loss)
            rates.append(scheduler.get_last_lr())
        return rates

    np.testing.assert_allclose(run(tg), run(torch), rtol=1e-12)


def test_schedule_state_dict_resumes_the_same_trajectory():
    def make():
        optimizer = _optimizer(tg)
        return optimizer, lr_scheduler.SequentialLR(
            optimizer, [lr_scheduler.LinearLR(optimizer, 0.1, total_iters=3),
                        lr_scheduler.CyclicLR(optimizer, 0.01, 0.1, 2)], milestones=[3])

    optimizer, scheduler = make()
    for _ in range(4):
        optimizer.step()
        scheduler.step()
    saved_optimizer, saved = optimizer.state_dict(), scheduler.state_dict()
    expected = []
    for _ in range(4):
        optimizer.step()
        scheduler.step()
        expected.append(scheduler.get_last_lr())
    optimizer, resumed = make()
    optimizer.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved)
    got = []
    for _ in range(4):
        optimizer.step()
        resumed.step()
        got.append(resumed.get_last_lr())
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_lambda_schedules_leave_their_functions_out_of_state_dict():
    optimizer = _optimizer(tg)
    state = lr_scheduler.LambdaLR(optimizer, _half).state_dict()
    assert "lr_lambdas" not in state and state["last_epoch"] == 0


@pytest.mark.parametrize("make, error", [
    (lambda o: lr_scheduler.LambdaLR(o, [_half]), "expected 2 lr_lambdas"),
    (lambda o: lr_scheduler.MultiplicativeLR(o, 0.9), "must be a function"),
    (lambda o: lr_scheduler.ConstantLR(o, factor=2.0), "factor must be in"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0.0), "start_factor"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, mode="sawtooth"), "sawtooth"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, 0), "T_0 must be"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.5), "factor must be < 1"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="up"), "mode must be"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2)], [1]),
     "expected 0 milestones"),
    (lambda o: lr_scheduler.ChainedScheduler([lr_scheduler.ReduceLROnPlateau(o)]),
     "ReduceLROnPlateau"),
    (lambda o: lr_scheduler.ChainedScheduler([lr_scheduler.StepLR(_optimizer(tg), 2)], o),
     "another optimizer"),
])
def test_bad_schedule_arguments_are_named(make, error):
    with pytest.raises((ValueError, TypeError), match=error):
        make(_optimizer(tg))


def test_every_pytorch_schedule_name_exists():
    for name in ("LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR",
                 "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
                 "ChainedScheduler", "SequentialLR", "ReduceLROnPlateau", "CyclicLR",
                 "OneCycleLR", "CosineAnnealingWarmRestarts"):
        assert hasattr(optim.lr_scheduler, name), name
