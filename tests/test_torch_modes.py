"""Grad modes behave as PyTorch's (issue 13): ``no_grad``, ``enable_grad``, ``inference_mode``
and ``set_grad_enabled`` as context managers, as decorators with and without parentheses and
as a plain call, per thread. Each scenario runs on tapegrad and on PyTorch and must observe
the same modes at the same points."""

import threading
from types import SimpleNamespace

import pytest

import tapegrad as tg
from tapegrad import grad_mode

OURS = SimpleNamespace(
    no_grad=grad_mode.no_grad, enable_grad=grad_mode.enable_grad,
    inference_mode=grad_mode.inference_mode, set_grad_enabled=grad_mode.set_grad_enabled,
    is_grad_enabled=grad_mode.is_grad_enabled,
    is_inference_mode_enabled=grad_mode.is_inference_mode_enabled,
    tensor=tg.tensor,
)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _modes(lib) -> tuple:
    return lib.is_grad_enabled(), lib.is_inference_mode_enabled()


def nested_context_managers(lib):
    seen = [_modes(lib)]
    with lib.no_grad():
        seen.append(_modes(lib))
        with lib.enable_grad():
            seen.append(_modes(lib))
            with lib.inference_mode():
                seen.append(_modes(lib))
                with lib.inference_mode(False):
                    seen.append(_modes(lib))
                with lib.enable_grad():
                    seen.append(_modes(lib))
                seen.append(_modes(lib))
            seen.append(_modes(lib))
        with lib.set_grad_enabled(True):
            seen.append(_modes(lib))
        seen.append(_modes(lib))
    with lib.inference_mode(mode=True), lib.set_grad_enabled(True):
        seen.append(_modes(lib))
    seen.append(_modes(lib))
    return seen


def decorators_bare_and_called(lib):
    def observe():
        return _modes(lib)

    decorated = [lib.no_grad(observe), lib.no_grad()(observe), lib.enable_grad(observe),
                 lib.enable_grad()(observe), lib.inference_mode(observe),
                 lib.inference_mode()(observe), lib.inference_mode(False)(observe),
                 lib.inference_mode(mode=False)(observe), lib.set_grad_enabled(False)(observe),
                 lib.set_grad_enabled(True)(observe)]
    seen = [_modes(lib)]  # making a decorator changes nothing yet
    seen += [function() for function in decorated]
    with lib.no_grad():
        seen += [function() for function in decorated]
    with lib.inference_mode():
        seen += [function() for function in decorated]
    seen.append(_modes(lib))
    return seen


def set_grad_enabled_as_a_call(lib):
    seen = []
    lib.set_grad_enabled(False)
    seen.append(_modes(lib))
    with lib.enable_grad():
        seen.append(_modes(lib))
    seen.append(_modes(lib))
    lib.set_grad_enabled(True)
    seen.append(_modes(lib))
    switch = lib.set_grad_enabled(False)  # takes effect at once ...
    seen.append(_modes(lib))
    with switch:
        seen.append(_modes(lib))
    seen.append(_modes(lib))  # ... and its block ends in the mode from before it
    return seen


def generator_functions(lib):
    @lib.no_grad()
    def counting():
        for step in range(3):
            received = yield step, _modes(lib)
            assert received in (None, "hello")
        return "done"

    @lib.inference_mode
    def inferring():
        yield _modes(lib)

    seen = []
    steps = counting()
    seen.append(_modes(lib))  # nothing runs before the first next()
    seen.append(next(steps))
    seen.append(_modes(lib))  # between steps, the caller's mode
    seen.append(steps.send("hello"))
    seen.append(list(steps))
    seen.append(list(inferring()))
    return seen


def exceptions_restore_the_mode(lib):
    @lib.no_grad
    def failing():
        raise KeyError("inside")

    seen = []
    for trial in (failing, lambda: lib.inference_mode()(failing)()):
        try:
            trial()
        except KeyError:
            seen.append(_modes(lib))
    try:
        with lib.set_grad_enabled(False):
            raise KeyError("inside")
    except KeyError:
        seen.append(_modes(lib))
    return seen


def recording(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    seen = [(x * 2).requires_grad]
    with lib.no_grad():
        seen.append((x * 2).requires_grad)
    with lib.inference_mode():
        seen.append((x * 2).requires_grad)
    seen.append(lib.no_grad(lambda: (x * 2).requires_grad)())
    seen.append(lib.inference_mode(lambda: (x * 2).requires_grad)())
    with lib.no_grad(), lib.enable_grad():
        seen.append((x * 2).requires_grad)
    seen.append((x * 2).requires_grad)
    return seen


SCENARIOS = [nested_context_managers, decorators_bare_and_called, set_grad_enabled_as_a_call,
             generator_functions, exceptions_restore_the_mode, recording]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_modes_match_pytorch(torch, scenario):
    ours = scenario(OURS)
    assert ours == scenario(torch)
    assert _modes(OURS) == (True, False)


def test_decorators_keep_the_functions_name_and_docstring():
    def evaluate():
        """Score the model."""

    for decorator in (grad_mode.no_grad, grad_mode.no_grad(), grad_mode.enable_grad,
                      grad_mode.inference_mode, grad_mode.inference_mode(False),
                      grad_mode.set_grad_enabled(False)):
        wrapped = decorator(evaluate)
        assert wrapped.__name__ == "evaluate" and wrapped.__doc__ == "Score the model."
    assert tg.is_grad_enabled()


def test_a_decorator_needs_a_function():
    for decorator in (grad_mode.no_grad(), grad_mode.inference_mode(), grad_mode.enable_grad()):
        with pytest.raises(TypeError, match="function to decorate"):
            decorator(3)
    with pytest.raises(TypeError, match="function to decorate"):
        grad_mode.no_grad(True)


def test_one_switch_may_be_entered_again_inside_itself():
    switch = grad_mode.no_grad()
    with switch:
        with switch:
            assert not tg.is_grad_enabled()
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()


def test_grad_mode_belongs_to_each_thread():
    seen = {}

    def in_another_thread():
        seen["starts with"] = _modes(OURS)
        grad_mode.set_grad_enabled(False)
        with grad_mode.inference_mode():
            seen["inside"] = _modes(OURS)

    with grad_mode.inference_mode():
        thread = threading.Thread(target=in_another_thread)
        thread.start()
        thread.join()
        assert _modes(OURS) == (False, True)
    assert _modes(OURS) == (True, False)
    assert seen == {"starts with": (True, False), "inside": (False, True)}
