"""``gradcheck``: compare analytic gradients with central differences, in float64."""

from __future__ import annotations

import numpy as np

from tapegrad import engine
from tapegrad.autograd.grad import grad
from tapegrad.creation import zeros_like
from tapegrad.grad_mode import enable_grad, no_grad
from tapegrad.routines import concatenate
from tapegrad.surface.complex import view_as_complex, view_as_real
from tapegrad.tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when an analytic gradient differs from the numeric one.

    >>> issubclass(GradcheckError, RuntimeError)
    True
    """


def gradcheck(fn, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check ``fn``'s gradients w.r.t. every input that requires grad; True or GradcheckError.

    Each input is copied to float64 (your tensors are left as they are). The analytic
    Jacobian comes from one backward pass per output element; the numeric one from central
    differences ``(f(x + eps) - f(x - eps)) / (2 eps)``. They must agree within
    ``atol + rtol * |numeric|`` element by element.

    Complex inputs (copied to complex128) and outputs are checked as pairs of reals, as
    PyTorch's gradcheck does: the real and imaginary parts are perturbed one at a time, so
    an element ``(..., 0)`` in an error is a real part, ``(..., 1)`` an imaginary part.

    >>> import tapegrad as tg
    >>> x = tg.tensor([0.5, -1.0], requires_grad=True)
    >>> tg.gradcheck(lambda t: (t * t).tanh(), x)
    True
    """
    inputs, checked = _float64_inputs(inputs, "gradcheck")
    output = _single_output(fn(*inputs))
    if output.is_complex() or any(inputs[i].is_complex() for i in checked):
        return gradcheck(*_on_real_pairs(fn, inputs), eps=eps, atol=atol, rtol=rtol)
    analytic = _analytic_jacobians(output, [inputs[i] for i in checked])
    for jacobian, input_index in zip(analytic, checked):
        tensor = inputs[input_index]
        for column, element in enumerate(np.ndindex(tensor.shape)):
            numeric = _numeric_column(fn, inputs, tensor, element, eps)
            mismatched = np.abs(jacobian[:, column] - numeric) > atol + rtol * np.abs(numeric)
            if mismatched.any():
                row = int(np.argmax(mismatched))
                output_element = tuple(int(i) for i in np.unravel_index(row, output.shape))
                raise GradcheckError(
                    f"gradcheck: gradient mismatch for input {input_index} at element "
                    f"{element} (output element {output_element}): "
                    f"analytic {float(jacobian[row, column])!r}, "
                    f"numeric {float(numeric[row])!r}"
                )
    return True


def _float64_inputs(inputs, op: str) -> tuple[list, list]:
    """Float64 copies of the tensors (the caller's stay as they are), and the positions of
    those that require grad: the ones to check."""
    inputs = [
        Tensor(x.data.astype(np.complex128 if x.is_complex() else np.float64),
               requires_grad=x.requires_grad)
        if isinstance(x, Tensor) else x
        for x in inputs
    ]
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError(f"{op}: no input requires grad, so there is nothing to check")
    return inputs, checked


def _on_real_pairs(fn, inputs: list) -> list:
    """``fn`` and its inputs with every complex tensor, input or output, as (..., 2) pairs of
    its real and imaginary parts: a function of reals, which gradcheck knows how to check."""
    paired = [isinstance(x, Tensor) and x.is_complex() for x in inputs]

    def on_pairs(*values):
        with enable_grad():  # fn may differentiate with respect to them (gradgradcheck)
            values = [view_as_complex(value) if pair else value
                      for value, pair in zip(values, paired)]
        output = _single_output(fn(*values))
        return view_as_real(output) if output.is_complex() else output

    pairs = [view_as_real(x.detach()).requires_grad_(x.requires_grad) if pair else x
             for x, pair in zip(inputs, paired)]
    return [on_pairs, *pairs]


def _single_output(output) -> Tensor:
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")
    return output


def _analytic_jacobians(output: Tensor, inputs: list) -> list:
    """d output / d input as (output size, input size) matrices, one backward per row."""
    jacobians = [np.zeros((output.numel(), x.numel())) for x in inputs]
    if not output.requires_grad:
        return jacobians
    for row, output_index in enumerate(np.ndindex(output.shape)):
        seed = np.zeros(output.shape)
        seed[output_index] = 1.0
        grads = engine.run_backward((output,), (seed,), retain_graph=True, inputs=inputs)
        for jacobian, gradient in zip(jacobians, grads):
            if gradient is not None:
                jacobian[row] = np.ravel(gradient)
    return jacobians


def _numeric_column(fn, inputs: list, tensor: Tensor, element: tuple, eps: float):
    """(f(x + eps) - f(x - eps)) / (2 eps) for one element of one input, all outputs."""
    original = tensor.data[element]
    values = []
    with no_grad():
        for shift in (eps, -eps):
            tensor.data[element] = original + shift
            # A copy: the output may be a view of the very array being perturbed.
            values.append(np.array(fn(*inputs).data, dtype=np.float64).ravel())
    tensor.data[element] = original
    return (values[0] - values[1]) / (2 * eps)


def gradgradcheck(fn, *inputs, grad_outputs=None, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3) -> bool:
    """Check ``fn``'s second derivatives: ``gradcheck`` of the gradients ``create_graph=True``
    gives, as functions of the inputs and of the output's weights ``grad_outputs`` (random,
    seeded, when not given). True, or a GradcheckError naming what differs.

    >>> import tapegrad as tg
    >>> x = tg.tensor([0.5, -1.0], requires_grad=True)
    >>> tg.gradgradcheck(lambda t: (t * t).tanh(), x)
    True
    """
    inputs, checked = _float64_inputs(inputs, "gradgradcheck")
    output = _single_output(fn(*inputs))
    dtype = np.complex128 if output.is_complex() else np.float64
    if grad_outputs is None:
        random = np.random.default_rng(0)
        weights = random.standard_normal(output.shape).astype(dtype)
        if output.is_complex():
            weights += 1j * random.standard_normal(output.shape)
    else:
        weights = np.asarray(getattr(grad_outputs, "data", grad_outputs), dtype=dtype)
    weights = Tensor(weights, requires_grad=True)
    count = len(inputs)

    def first_derivatives(*values):
        with enable_grad():
            wanted = [values[i] for i in checked]
            grads = grad(fn(*values[:count]), wanted, grad_outputs=values[count],
                         create_graph=True, allow_unused=True)
            pieces = [zeros_like(x).reshape(-1) if g is None else g.reshape(-1)
                      for g, x in zip(grads, wanted)]
            return concatenate(pieces)

    return gradcheck(first_derivatives, *inputs, weights, eps=eps, atol=atol, rtol=rtol)
