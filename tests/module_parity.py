"""Run the same layer in PyTorch and tapegrad, with PyTorch's weights copied across, and
compare outputs and every gradient: the helper behind the sequence-model parity tests."""

import numpy as np

import tapegrad as tg


def load_torch_weights(torch_module, module) -> None:
    """Give the tapegrad ``module`` the PyTorch module's state_dict, as a user would."""
    module.load_state_dict({name: value.detach().numpy()
                            for name, value in torch_module.state_dict().items()})


def flat_outputs(output) -> list:
    """The tensors of a nested output ((output, (h, c)), a PackedSequence's data...)."""
    if isinstance(output, (tuple, list)):
        return [tensor for item in output if item is not None for tensor in flat_outputs(item)]
    return [output]


def assert_same_values_and_gradients(torch, torch_module, module, torch_inputs, inputs,
                                     rtol=1e-9, atol=1e-12, kwargs=None) -> None:
    """Outputs, input gradients and parameter gradients agree, from a random weighting of
    all outputs; ``torch_inputs``/``inputs`` are the positional arguments of each call."""
    kwargs = kwargs or {}
    theirs = flat_outputs(torch_module(*torch_inputs, **kwargs.get("torch", {})))
    ours = flat_outputs(module(*inputs, **kwargs.get("tapegrad", {})))
    assert len(theirs) == len(ours)
    for expected, actual in zip(theirs, ours):
        assert tuple(expected.shape) == actual.shape
        np.testing.assert_allclose(actual.data, expected.detach().numpy(), rtol=rtol, atol=atol)
    weights = [np.random.default_rng(7).normal(size=tuple(t.shape)) for t in theirs]
    sum((t * torch.tensor(w)).sum() for t, w in zip(theirs, weights)).backward()
    sum((t * tg.tensor(w)).sum() for t, w in zip(ours, weights)).backward()
    for expected, actual in zip(torch_inputs, inputs):
        if getattr(expected, "requires_grad", False):
            np.testing.assert_allclose(actual.grad, expected.grad.numpy(), rtol=rtol, atol=atol)
    ours_by_name = dict(module.named_parameters())
    for name, parameter in torch_module.named_parameters():
        if parameter.grad is None:
            assert ours_by_name[name].grad is None or not ours_by_name[name].grad.any(), name
            continue
        np.testing.assert_allclose(ours_by_name[name].grad, parameter.grad.numpy(),
                                   rtol=rtol, atol=atol, err_msg=name)


def assert_round_trip(torch, torch_module, module, torch_inputs, rtol=1e-9, atol=1e-12,
                      kwargs=None) -> None:
    """tapegrad's state_dict loaded into a fresh PyTorch module gives the same outputs."""
    state = {name: torch.tensor(np.array(value.data))
             for name, value in module.state_dict().items()}
    torch_module.load_state_dict(state)
    kwargs = kwargs or {}
    inputs = [tg.tensor(value.detach().numpy()) if isinstance(value, torch.Tensor) else value
              for value in torch_inputs]
    with torch.no_grad():
        theirs = flat_outputs(torch_module(*torch_inputs, **kwargs.get("torch", {})))
    ours = flat_outputs(module(*inputs, **kwargs.get("tapegrad", {})))
    for expected, actual in zip(theirs, ours):
        np.testing.assert_allclose(actual.data, expected.numpy(), rtol=rtol, atol=atol)
