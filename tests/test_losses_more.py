"""The losses of issue 16 part 3 against PyTorch, one table row per loss and reduction:
values, and gradients of every differentiable input; plus finite differences and CTC."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn


def _rng(seed=0):
    return np.random.default_rng(seed)


def _log_probs(shape):
    logits = _rng(1).standard_normal(shape)
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))


def _signs(shape):
    return np.where(_rng(2).random(shape) < 0.5, -1.0, 1.0)


# (loss name, constructor kwargs, inputs: a list of (array, differentiable))
LOSSES = [
    ("NLLLoss", {}, [(_log_probs((5, 4)), True), (np.array([0, 3, 1, 1, 2]), False)]),
    ("NLLLoss", {"weight": np.array([1.0, 2.0, 0.5, 1.0]), "ignore_index": 1,
                 "reduction": "sum"},
     [(_log_probs((5, 4, 3)), True), (_rng(3).integers(0, 4, (5, 3)), False)]),
    ("BCELoss", {}, [(_rng(4).uniform(0.05, 0.95, (4, 3)), True),
                     (_rng(5).uniform(0, 1, (4, 3)), True)]),
    ("BCELoss", {"weight": np.array([1.0, 2.0, 3.0]), "reduction": "none"},
     [(_rng(4).uniform(0.05, 0.95, (4, 3)), True), (_rng(5).uniform(0, 1, (4, 3)), False)]),
    ("L1Loss", {}, [(_rng(6).standard_normal((4, 3)), True),
                    (_rng(7).standard_normal((4, 3)), True)]),
    ("L1Loss", {"reduction": "sum"}, [(_rng(6).standard_normal(5), True),
                                      (_rng(7).standard_normal(5), False)]),
    ("HuberLoss", {"delta": 0.7}, [(_rng(8).standard_normal((4, 3)), True),
                                   (_rng(9).standard_normal((4, 3)), True)]),
    ("SmoothL1Loss", {"beta": 0.5}, [(_rng(8).standard_normal((4, 3)), True),
                                     (_rng(9).standard_normal((4, 3)), True)]),
    ("SmoothL1Loss", {"beta": 0.0, "reduction": "none"},
     [(_rng(8).standard_normal(6), True), (_rng(9).standard_normal(6), True)]),
    ("KLDivLoss", {"reduction": "batchmean"},
     [(_log_probs((4, 5)), True), (np.exp(_log_probs((4, 5))[::-1]), True)]),
    ("KLDivLoss", {"reduction": "mean"},
     [(_log_probs((4, 5)), True), (np.exp(_log_probs((4, 5))) * (_rng(3).random((4, 5)) > 0.3),
                                   False)]),
    ("KLDivLoss", {"reduction": "sum", "log_target": True},
     [(_log_probs((4, 5)), True), (_log_probs((4, 5))[::-1].copy(), True)]),
    ("MarginRankingLoss", {"margin": 0.3},
     [(_rng(10).standard_normal(6), True), (_rng(11).standard_normal(6), True),
      (_signs(6), False)]),
    ("CosineEmbeddingLoss", {"margin": 0.2},
     [(_rng(12).standard_normal((6, 4)), True), (_rng(13).standard_normal((6, 4)), True),
      (_signs(6), False)]),
    ("CosineEmbeddingLoss", {"reduction": "none"},
     [(_rng(12).standard_normal(4), True), (_rng(13).standard_normal(4), True),
      (np.array(-1.0), False)]),
    ("TripletMarginLoss", {"margin": 2.0},
     [(_rng(14).standard_normal((5, 3)), True), (_rng(15).standard_normal((5, 3)), True),
      (_rng(16).standard_normal((5, 3)), True)]),
    ("TripletMarginLoss", {"p": 1.0, "swap": True, "reduction": "sum"},
     [(_rng(14).standard_normal((5, 3)), True), (_rng(15).standard_normal((5, 3)), True),
      (_rng(16).standard_normal((5, 3)), True)]),
    ("HingeEmbeddingLoss", {"margin": 0.5},
     [(_rng(17).standard_normal((4, 3)), True), (_signs((4, 3)), False)]),
    ("SoftMarginLoss", {}, [(_rng(18).standard_normal((4, 3)), True), (_signs((4, 3)), False)]),
    ("PoissonNLLLoss", {}, [(_rng(19).standard_normal((4, 3)), True),
                            (_rng(20).poisson(2.0, (4, 3)).astype(float), True)]),
    ("PoissonNLLLoss", {"log_input": False, "full": True},
     [(_rng(19).uniform(0.5, 3, (4, 3)), True),
      (_rng(20).poisson(2.0, (4, 3)).astype(float), False)]),
    ("GaussianNLLLoss", {}, [(_rng(21).standard_normal((4, 3)), True),
                             (_rng(22).standard_normal((4, 3)), True),
                             (_rng(23).uniform(0.5, 2, (4, 3)), True)]),
    ("GaussianNLLLoss", {"full": True, "reduction": "sum"},
     [(_rng(21).standard_normal((4, 3)), True), (_rng(22).standard_normal((4, 3)), False),
      (_rng(23).uniform(0.5, 2, (4, 1)), True)]),
    ("MultiLabelSoftMarginLoss", {}, [(_rng(24).standard_normal((4, 3)), True),
                                      ((_rng(25).random((4, 3)) > 0.5).astype(float), False)]),
]


def _torch_value(torch, value):
    return torch.tensor(value) if isinstance(value, np.ndarray) else value


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")  # KLDivLoss's, as intended
@pytest.mark.parametrize("name, kwargs, inputs", LOSSES,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(LOSSES)])
def test_loss_matches_pytorch(torch, name, kwargs, inputs):
    ours = getattr(nn, name)(**kwargs)
    theirs = getattr(torch.nn, name)(**{key: _torch_value(torch, value)
                                        for key, value in kwargs.items()})
    our_inputs = [tg.tensor(array, requires_grad=grad) if grad else array
                  for array, grad in inputs]
    their_inputs = [torch.tensor(array, requires_grad=grad) for array, grad in inputs]
    our_loss, their_loss = ours(*our_inputs), theirs(*their_inputs)
    np.testing.assert_allclose(our_loss.data, their_loss.detach().numpy(), rtol=1e-7,
                               atol=1e-10)
    upstream = _rng(30).standard_normal(their_loss.shape)
    (our_loss * tg.tensor(upstream)).sum().backward()
    (their_loss * torch.tensor(upstream)).sum().backward()
    for index, (ours_in, theirs_in) in enumerate(zip(our_inputs, their_inputs)):
        if inputs[index][1]:
            np.testing.assert_allclose(ours_in.grad, theirs_in.grad.numpy(), rtol=1e-6,
                                       atol=1e-10, err_msg=f"input {index}")


@pytest.mark.parametrize("name, kwargs, inputs", LOSSES,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(LOSSES)])
def test_loss_gradients_match_finite_differences(name, kwargs, inputs):
    loss = getattr(nn, name)(**kwargs)
    checked = [tg.tensor(array, requires_grad=True) if grad else array for array, grad in inputs]
    assert tg.gradcheck(lambda *values: loss(*values), *checked)


@pytest.mark.parametrize("name", ["NLLLoss", "BCELoss", "MultiLabelSoftMarginLoss",
                                  "L1Loss"])
def test_loss_state_dict_holds_the_class_weight_as_pytorch(torch, name):
    weight = np.array([1.0, 2.0, 3.0])
    options = {} if name == "L1Loss" else {"weight": weight}
    ours = getattr(nn, name)(**options)
    theirs = getattr(torch.nn, name)(**{key: torch.tensor(value)
                                        for key, value in options.items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(np.asarray(ours.state_dict()[key].data), value.numpy())


def test_losses_keep_float32():
    x, y = tg.rand(4, 3) * 0.8 + 0.1, tg.rand(4, 3)
    for loss in (nn.BCELoss(), nn.SmoothL1Loss(), nn.KLDivLoss(reduction="batchmean"),
                 nn.SoftMarginLoss(), nn.PoissonNLLLoss(), nn.MultiLabelSoftMarginLoss()):
        assert loss(x, y).dtype == np.float32, type(loss).__name__


# (T, N, C, target lengths, input lengths, padded targets?, blank, reduction)
CTC_CASES = [
    (6, 2, 4, [2, 3], [6, 5], True, 0, "mean"),
    (8, 3, 5, [3, 1, 4], [8, 8, 7], False, 0, "sum"),
    (5, 2, 3, [2, 2], [5, 4], True, 2, "none"),
    (4, 1, 3, [3], [4], True, 0, "mean"),  # a repeated label needs a blank between
    (3, 1, 3, [0], [3], True, 0, "sum"),   # the empty label sequence
]


def _ctc_inputs(frames, batch, classes, target_lengths, padded, blank, seed=0):
    rng = _rng(seed)
    labels = [c for c in range(classes) if c != blank]
    targets = [rng.choice(labels, length) for length in target_lengths]
    if frames == 4 and target_lengths == [3]:
        targets = [np.array([labels[0], labels[0], labels[1]])]
    if padded:
        array = np.zeros((batch, max(max(target_lengths), 1)), np.int64)
        for row, sequence in enumerate(targets):
            array[row, :len(sequence)] = sequence
    else:
        array = np.concatenate(targets).astype(np.int64)
    return rng.standard_normal((frames, batch, classes)), array


@pytest.mark.parametrize("frames, batch, classes, target_lengths, input_lengths, padded, blank, "
                         "reduction", CTC_CASES)
def test_ctc_loss_matches_pytorch(torch, frames, batch, classes, target_lengths,
                                  input_lengths, padded, blank, reduction):
    logits, targets = _ctc_inputs(frames, batch, classes, target_lengths, padded, blank)
    our_logits = tg.tensor(logits, requires_grad=True)
    their_logits = torch.tensor(logits, requires_grad=True)
    ours = nn.CTCLoss(blank, reduction)(our_logits.log_softmax(2), targets, input_lengths,
                                        target_lengths)
    theirs = torch.nn.CTCLoss(blank, reduction)(
        their_logits.log_softmax(2), torch.tensor(targets), torch.tensor(input_lengths),
        torch.tensor(target_lengths))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-7)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(our_logits.grad, their_logits.grad.numpy(), rtol=1e-6,
                               atol=1e-10)


def test_ctc_loss_gradient_matches_finite_differences():
    logits, targets = _ctc_inputs(5, 2, 4, [2, 3], True, 0)
    log_probs = tg.tensor(logits * 0.5, requires_grad=True)  # not normalized: any x works
    assert tg.gradcheck(lambda x: tg.nn.functional.ctc_loss(x, targets, [5, 4], [2, 3]),
                        log_probs)


def test_ctc_loss_impossible_alignment_is_inf_or_zero(torch):
    log_probs = tg.tensor(np.log(np.full((2, 1, 3), 1 / 3)), requires_grad=True)
    targets = np.array([[1, 1]])  # needs 3 frames: 1, blank, 1
    loss = nn.CTCLoss(reduction="sum")(log_probs, targets, [2], [2])
    assert np.isinf(loss.item())
    loss = nn.CTCLoss(reduction="sum", zero_infinity=True)(log_probs, targets, [2], [2])
    loss.backward()
    assert loss.item() == 0 and np.all(log_probs.grad == 0)


@pytest.mark.parametrize("call, error", [
    (lambda: nn.CTCLoss()(tg.zeros(3, 2), np.array([[1]]), [3], [1]), "ctc_loss: log_probs"),
    (lambda: nn.CTCLoss()(tg.zeros(3, 1, 2), np.array([[0]]), [3], [1]), "other than the blank"),
    (lambda: nn.CTCLoss()(tg.zeros(3, 1, 2), np.array([[1]]), [4], [1]), "exceed"),
    (lambda: nn.KLDivLoss()(tg.zeros(2), tg.zeros(3)), "kl_div: input has shape"),
    (lambda: nn.CosineEmbeddingLoss()(tg.zeros(2, 3), tg.zeros(3, 3), tg.ones(2)),
     "cosine_embedding_loss"),
    (lambda: nn.L1Loss(reduction="avg")(tg.zeros(2), tg.zeros(2)), "reduction must be"),
    (lambda: nn.SmoothL1Loss(beta=-1.0)(tg.zeros(2), tg.zeros(2)), "beta must be"),
])
def test_bad_loss_input_is_named(call, error):
    with pytest.raises(ValueError, match=error):
        call()
