"""Products summed over shared axes: Einstein summation, pairwise distances, the trace.

``einsum("ij,jk->ik", a, b)`` names each operand's axes with letters; a letter missing from
the output is summed over. Its gradient is an einsum too: the gradient with respect to one
operand is the output's gradient contracted with the other operand, with the subscripts
rearranged, so second derivatives are einsums again. An einsum of three or more operands is
contracted two at a time, left to right, keeping the letters still needed.
"""

from __future__ import annotations

import string

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC
from tapegrad.function import Function
from tapegrad.ops.reduction import norm_gradient, vector_norm


class UnaryEinsum(Function):
    """y = einsum("x->y", x) (a transpose, a sum over axes);  dL/dx = einsum("y->x", dL/dy),
    broadcast over the letters summed away"""

    __slots__ = ("inputs", "output", "input_shape")
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x, inputs: tuple, output: str):
        self.inputs, self.output, self.input_shape = inputs, output, x.shape
        return np.einsum(f"{inputs[0]}->{output}", x)

    def backward(self, grad):
        return _einsum_gradient(self.inputs[0], self.input_shape, [(self.output, grad)])


class BinaryEinsum(Function):
    """z = einsum("x,y->z", x, y);  dL/dx = einsum("z,y->x", dL/dz, y),
    dL/dy = einsum("z,x->y", dL/dz, x)   (broadcast over letters only the operand has)"""

    __slots__ = ("inputs", "output")
    complex_gradients = HOLOMORPHIC
    saved_roles = (0, 1)

    def forward(self, x, y, inputs: tuple, output: str):
        self.inputs, self.output = inputs, output
        self.save_for_backward(x, y)
        return np.einsum(f"{inputs[0]},{inputs[1]}->{output}", x, y)

    def backward(self, grad):
        x, y = self.saved
        (x_letters, y_letters), output = self.inputs, self.output
        needs_x, needs_y = self.needs_input_grad
        return (
            _einsum_gradient(x_letters, x.shape, [(output, grad), (y_letters, y)])
            if needs_x else None,
            _einsum_gradient(y_letters, y.shape, [(output, grad), (x_letters, x)])
            if needs_y else None,
        )


def _einsum_gradient(target: str, target_shape: tuple, operands: list):
    """The einsum of ``operands`` ((letters, value) pairs) to the letters ``target``,
    broadcast to the target's shape over the letters none of them has (summed away in
    forward) and over axes of size 1 where the target's is larger (where forward broadcast
    the others). Where the target's axis is the one of size 1 the engine sums it back."""
    available = set("".join(letters for letters, _ in operands))
    kept = "".join(letter for letter in target if letter in available)
    inputs = tuple(letters for letters, _ in operands)
    values = [value for _, value in operands]
    if len(values) == 1:
        result = UnaryEinsum.forward_or_apply(*values, inputs=inputs, output=kept)
    else:
        result = BinaryEinsum.forward_or_apply(*values, inputs=inputs, output=kept)
    kept_sizes = dict(zip(kept, np.shape(result)))
    shape = tuple(kept_sizes.get(letter, 1) for letter in target)
    full = tuple(wanted if size == 1 else size for size, wanted in zip(shape, target_shape))
    if kept != target:
        result = np.reshape(result, shape)
    return result if full == shape else np.broadcast_to(result, full)


def einsum(equation: str, *operands):
    """Einstein summation of tensors (or arrays), recorded for autograd:
    ``einsum("ij,jk->ik", a, b)`` is ``a @ b``. Without ``->`` the output is the letters used
    once, in alphabetical order. Not supported: ellipsis (``...``) and a letter repeated
    within one operand (a diagonal).

    >>> einsum("ij,j->i", np.eye(2), np.array([1.0, 2.0]))
    tensor([1., 2.], dtype=float64)
    """
    shapes = [np.shape(operand) for operand in operands]
    inputs, output = parse_einsum(equation, shapes)
    _check_sizes(inputs, shapes)
    if len(operands) == 1:
        return UnaryEinsum.apply(operands[0], inputs=inputs, output=output)
    result, letters = operands[0], inputs[0]
    for position in range(1, len(operands)):
        # keep the letters a later operand or the output still needs; sum over the rest now
        later = "".join(inputs[position + 1:]) + output
        combined = letters + "".join(c for c in inputs[position] if c not in letters)
        kept = output if position == len(operands) - 1 else "".join(
            c for c in combined if c in later)
        result = BinaryEinsum.apply(result, operands[position],
                                    inputs=(letters, inputs[position]), output=kept)
        letters = kept
    return result


def parse_einsum(equation: str, shapes: list) -> tuple:
    """(one letter string per operand, the output's letters), checked against the operands'
    shapes; a clear error for what tapegrad's einsum does not do.

    >>> parse_einsum("ij, jk", [(2, 3), (3, 4)])
    (('ij', 'jk'), 'ik')
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string, got {type(equation).__name__}")
    if not shapes:
        raise ValueError("einsum: expected at least one operand")
    spec = equation.replace(" ", "")
    if "." in spec:
        raise ValueError(f"einsum: ellipsis ('...') is not supported in {equation!r}; name "
                         "every axis with a letter")
    left, arrow, output = spec.partition("->")
    inputs = tuple(left.split(","))
    for letters in inputs + (output,):
        bad = [c for c in letters if c not in string.ascii_letters]
        if bad:
            raise ValueError(f"einsum: subscripts must be letters, got {bad[0]!r} in "
                             f"{equation!r}")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: {equation!r} has subscripts for {len(inputs)} operands but "
                         f"{len(shapes)} were given")
    for position, (letters, shape) in enumerate(zip(inputs, shapes)):
        if len(letters) != len(shape):
            raise ValueError(f"einsum: operand {position} has {len(shape)} dimensions (shape "
                             f"{tuple(shape)}) but subscripts {letters!r} name {len(letters)}")
        if len(set(letters)) != len(letters):
            raise ValueError(f"einsum: a letter repeated within one operand ({letters!r}, a "
                             "diagonal) is not supported")
    used = "".join(inputs)
    if not arrow:
        output = "".join(sorted(c for c in set(used) if used.count(c) == 1))
    if len(set(output)) != len(output):
        raise ValueError(f"einsum: output subscript {output!r} repeats a letter")
    missing = [c for c in output if c not in used]
    if missing:
        raise ValueError(f"einsum: output subscript {missing[0]!r} appears in no operand")
    return inputs, output


def _check_sizes(inputs: tuple, shapes: list) -> None:
    """A letter must have one size in every operand (or 1 there: that axis broadcasts)."""
    sizes: dict = {}
    for letters, shape in zip(inputs, shapes):
        for letter, size in zip(letters, shape):
            known = sizes.get(letter, 1)
            if size != known and 1 not in (size, known):
                raise ValueError(f"einsum: subscript {letter!r} has size {size} in one operand "
                                 f"and {known} in another")
            sizes[letter] = max(size, known) if size and known else 0


class Cdist(Function):
    """d[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p;
    dL/dx1_i = sum over j of dL/dd_ij * dd_ij/dx1_i,  dL/dx2_j = -(sum over i of the same)

    dd_ij/dx1_i is the p-norm's gradient of the difference (Norm's): 0 where d = 0, as PyTorch.
    """

    __slots__ = ("p",)
    saved_roles = (0, 1, "output")

    def forward(self, x1, x2, p=2.0):
        if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
            raise ValueError(f"Cdist: expected (..., P, M) and (..., R, M) inputs with the same "
                             f"M, got shapes {x1.shape} and {x2.shape}")
        if p < 0:
            raise ValueError(f"Cdist: p must be >= 0, got {p}")
        if x1.dtype.kind == "c" or x2.dtype.kind == "c":
            raise TypeError(f"Cdist: only real inputs are supported (as PyTorch's cdist), got "
                            f"dtypes {x1.dtype} and {x2.dtype}")
        self.p = p
        differences = x1[..., :, None, :] - x2[..., None, :, :]
        with np.errstate(divide="ignore"):
            distances = vector_norm(differences, p, axis=-1) if differences.size else \
                np.zeros(differences.shape[:-1], dtype=differences.dtype)
        self.save_for_backward(x1, x2, distances)
        return distances

    def backward(self, grad):
        x1, x2, distances = self.saved
        differences = np.expand_dims(x1, -2) - np.expand_dims(x2, -3)
        grad_differences = norm_gradient(differences, np.expand_dims(distances, -1),
                                         np.expand_dims(grad, -1), self.p, (differences.ndim - 1,))
        needs_x1, needs_x2 = self.needs_input_grad
        return (np.sum(grad_differences, axis=-2) if needs_x1 else None,
                -np.sum(grad_differences, axis=-3) if needs_x2 else None)


class Trace(Function):
    """y = sum of x[i, i];  dL/dx = dL/dy on the diagonal, 0 elsewhere"""

    __slots__ = ("input_shape",)
    complex_gradients = HOLOMORPHIC
    saved_roles = ()

    def forward(self, x):
        if x.ndim != 2:
            raise ValueError(f"Trace: expected a matrix, got a tensor of shape {x.shape}")
        self.input_shape = x.shape
        return np.asarray(np.trace(x))

    def backward(self, grad):
        return grad * np.eye(*self.input_shape, dtype=grad.dtype)
