"""NumPy's products and ``numpy.linalg`` on Tensors: ``np.dot`` with its real N-d meaning,
``tensordot``, ``einsum`` (ellipsis and repeated letters too), ``kron``, ``cross``,
``linalg.norm`` and the decompositions of ``tapegrad.ops.decompositions``."""

from __future__ import annotations

import builtins
import string
from collections import namedtuple

import numpy as np

from tapegrad import routines
from tapegrad.arguments import checked_axis
from tapegrad.numpy_api.common import as_tensor, refuse
from tapegrad.ops import decompositions as ops
from tapegrad.tensor_core import wrap

SlogdetResult = namedtuple("SlogdetResult", "sign logabsdet")
EighResult = namedtuple("EighResult", "eigenvalues eigenvectors")
SVDResult = namedtuple("SVDResult", "U S Vh")
QRResult = namedtuple("QRResult", "Q R")
LstsqResult = namedtuple("LstsqResult", "solution residuals rank singular_values")


# ------------------------------------------------------------------ products

def dot(a, b, out=None):
    """``np.dot``: for N-d operands the sum over a's last axis and b's second-to-last (not
    matmul's batching), a scalar operand multiplies.

    >>> import tapegrad as tg
    >>> np.dot(tg.ones(2, 2, 3), tg.ones(2, 3, 4)).shape
    (2, 2, 2, 4)
    """
    refuse("dot", out=out)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return _times(a, b)
    x, y = as_tensor(a), as_tensor(b)
    if y.ndim <= 2:
        return routines.matmul(x, y)
    return tensordot(x, y, ((x.ndim - 1,), (y.ndim - 2,)))


def vdot(a, b):
    """``np.vdot``: the dot product of the flattened operands, the first one conjugated.

    >>> import tapegrad as tg
    >>> np.vdot(tg.ones(2, 2), tg.ones(4))
    tensor(4.)
    """
    x, y = as_tensor(a).reshape(-1), as_tensor(b).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"numpy.vdot: vectors of sizes {x.shape[0]} and {y.shape[0]} differ")
    return (x.conj() * y).sum()


def inner(a, b):
    """``np.inner``: the sum over both operands' last axes (a scalar multiplies).

    >>> import tapegrad as tg
    >>> np.inner(tg.ones(2, 3), tg.ones(4, 3)).shape
    (2, 4)
    """
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return _times(a, b)
    x, y = as_tensor(a), as_tensor(b)
    return tensordot(x, y, ((x.ndim - 1,), (y.ndim - 1,)))


def _times(a, b):
    """A product with a scalar, which NumPy's dot first makes an array (so a Python float
    turns a float32 tensor's product into float64, as NumPy's does)."""
    return as_tensor(a) * as_tensor(b)  # NumPy makes a number an array: not a weak scalar


def outer(a, b, out=None):
    """``np.outer``: every product of the flattened operands' elements.

    >>> import tapegrad as tg
    >>> np.outer(tg.ones(2), tg.ones(3)).shape
    (2, 3)
    """
    refuse("outer", out=out)
    return as_tensor(a).reshape(-1, 1) * as_tensor(b).reshape(1, -1)


def tensordot(a, b, axes=2):
    """``np.tensordot``: the sum over a's ``axes[0]`` and b's ``axes[1]`` (or a's last and
    b's first ``axes`` axes), as one matrix product.

    >>> import tapegrad as tg
    >>> np.tensordot(tg.ones(2, 3, 4), tg.ones(4, 3, 5), ([1, 2], [1, 0])).shape
    (2, 5)
    """
    x, y = as_tensor(a), as_tensor(b)
    if np.ndim(axes) == 0:
        count = int(axes)
        summed_x, summed_y = list(range(x.ndim - count, x.ndim)), list(range(count))
    else:
        summed_x, summed_y = ([axis] if np.ndim(axis) == 0 else list(axis) for axis in axes)
    summed_x = [checked_axis("tensordot", axis, x.ndim) for axis in summed_x]
    summed_y = [checked_axis("tensordot", axis, y.ndim) for axis in summed_y]
    if len(summed_x) != len(summed_y) or builtins.any(
            x.shape[i] != y.shape[j] for i, j in zip(summed_x, summed_y)):
        raise ValueError(f"numpy.tensordot: shape-mismatch for sum: axes {summed_x} of "
                         f"{x.shape} and {summed_y} of {y.shape}")
    free_x = [i for i in range(x.ndim) if i not in summed_x]
    free_y = [j for j in range(y.ndim) if j not in summed_y]
    size = int(np.prod([x.shape[i] for i in summed_x]))
    left = x.permute(free_x + summed_x).reshape(-1, size)
    right = y.permute(summed_y + free_y).reshape(size, -1)
    shape = tuple(x.shape[i] for i in free_x) + tuple(y.shape[j] for j in free_y)
    return (left @ right).reshape(shape)


def einsum(subscripts, *operands, out=None, dtype=None, order="K", casting="safe",
           optimize=False):
    """``np.einsum``: explicit (``->``) or implicit output, ``...`` for broadcast axes, and a
    letter repeated in one operand for its diagonal.

    >>> import tapegrad as tg
    >>> np.einsum("ii", tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(5.)
    >>> np.einsum("...ij,...jk", tg.ones(5, 2, 3), tg.ones(5, 3, 4)).shape
    (5, 2, 4)
    """
    refuse("einsum", out=out)
    if not isinstance(subscripts, str):
        raise TypeError("numpy.einsum on tapegrad Tensors: give the subscripts as a string")
    tensors = [as_tensor(x) if dtype is None else as_tensor(x).astype(dtype) for x in operands]
    spec = subscripts.replace(" ", "")
    left, arrow, output = spec.partition("->")
    inputs = left.split(",")
    if len(inputs) != len(tensors):
        raise ValueError(f"numpy.einsum: {subscripts!r} names {len(inputs)} operands but "
                         f"{len(tensors)} were given")
    unused = iter(c for c in string.ascii_letters if c not in spec)
    inputs, tensors, broadcast = _expand_ellipsis(inputs, tensors, unused)
    if not arrow:
        counts = {c: "".join(inputs).count(c) for c in set("".join(inputs))}
        output = broadcast + "".join(sorted(c for c, n in counts.items()
                                            if n == 1 and c not in broadcast))
    elif "..." in output:
        output = output.replace("...", broadcast)
    inputs, tensors = zip(*[_diagonals(letters, x) for letters, x in zip(inputs, tensors)])
    return routines.einsum(",".join(inputs) + "->" + output, *tensors)


def _expand_ellipsis(inputs, tensors, unused):
    """Name the axes each ``...`` stands for with fresh letters (broadcast to one shape)."""
    spans = [x.ndim - len(letters.replace("...", "")) for letters, x in zip(inputs, tensors)]
    width = builtins.max([span for letters, span in zip(inputs, spans) if "..." in letters],
                         default=0)
    letters_for = "".join(next(unused) for _ in range(width))
    shapes = [x.shape[letters.index("..."):letters.index("...") + span]
              for letters, x, span in zip(inputs, tensors, spans) if "..." in letters]
    common = np.broadcast_shapes(*shapes) if shapes else ()
    new_inputs, new_tensors = [], []
    for letters, x, span in zip(inputs, tensors, spans):
        if "..." in letters:
            start = letters.index("...")
            shape = x.shape[:start] + (1,) * (width - span) + x.shape[start:]
            target = x.shape[:start] + common + x.shape[start + span:]
            x = x.reshape(shape).broadcast_to(target)
            letters = letters.replace("...", letters_for)
        new_inputs.append(letters)
        new_tensors.append(x)
    return new_inputs, new_tensors, letters_for


def _diagonals(letters, x):
    """A letter repeated within one operand: take that diagonal (and keep the letter once)."""
    while len(set(letters)) != len(letters):
        letter = next(c for c in letters if letters.count(c) > 1)
        first = letters.index(letter)
        second = letters.index(letter, first + 1)
        x = x.diagonal(0, first, second)  # the diagonal becomes the last axis
        letters = letters[:first] + letters[first + 1:second] + letters[second + 1:] + letter
    return letters, x


def kron(a, b):
    """``np.kron``: the Kronecker product, blocks a[i, j] * b.

    >>> import tapegrad as tg
    >>> np.kron(tg.eye(2), tg.ones(2, 2)).shape
    (4, 4)
    """
    x, y = as_tensor(a), as_tensor(b)
    ndim = builtins.max(x.ndim, y.ndim)
    xs = (1,) * (ndim - x.ndim) + x.shape
    ys = (1,) * (ndim - y.ndim) + y.shape
    left = x.reshape(tuple(n for size in xs for n in (size, 1)))
    right = y.reshape(tuple(n for size in ys for n in (1, size)))
    return (left * right).reshape(tuple(p * q for p, q in zip(xs, ys)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """``np.cross`` of 3-vectors (a 2-vector's third component is 0), along the given axes.

    >>> import tapegrad as tg
    >>> np.cross(tg.tensor([1.0, 0.0, 0.0]), tg.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    x = np.moveaxis(as_tensor(a), axisa, -1)
    y = np.moveaxis(as_tensor(b), axisb, -1)
    if x.shape[-1] not in (2, 3) or y.shape[-1] not in (2, 3):
        raise ValueError("numpy.cross: incompatible dimensions for cross product (dimension "
                         "must be 2 or 3)")
    if x.shape[-1] == 2 and y.shape[-1] == 2:
        return x[..., 0] * y[..., 1] - x[..., 1] * y[..., 0]
    x0, x1 = x[..., 0], x[..., 1]
    y0, y1 = y[..., 0], y[..., 1]
    x2 = x[..., 2] if x.shape[-1] == 3 else 0 * x0
    y2 = y[..., 2] if y.shape[-1] == 3 else 0 * y0
    result = routines.stack(list(np.broadcast_arrays(x1 * y2 - x2 * y1, x2 * y0 - x0 * y2,
                                                     x0 * y1 - x1 * y0)), axis=-1)
    return np.moveaxis(result, -1, axisc)


def matrix_power(a, n):
    """``np.linalg.matrix_power``: A multiplied by itself n times (A^-1's powers for n < 0,
    the identity for 0), by repeated squaring.

    >>> import tapegrad as tg
    >>> np.linalg.matrix_power(tg.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    """
    x = _square("matrix_power", a)
    if int(n) != n:
        raise TypeError("numpy.linalg.matrix_power: exponent must be an integer")
    n = int(n)
    if n < 0:
        x, n = inv(x), -n
    result = None
    while n:
        if n & 1:
            result = x if result is None else result @ x
        n >>= 1
        if n:
            x = x @ x
    if result is None:
        return wrap(np.broadcast_to(np.eye(x.shape[-1], dtype=x.dtype), x.shape).copy())
    return result


def multi_dot(arrays, *, out=None):
    """``np.linalg.multi_dot``: the chained product (first and last may be 1-d).

    >>> import tapegrad as tg
    >>> np.linalg.multi_dot([tg.ones(2), tg.ones(2, 3), tg.ones(3)])
    tensor(6.)
    """
    refuse("multi_dot", out=out)
    tensors = [as_tensor(x) for x in arrays]
    if len(tensors) < 2:
        raise ValueError("numpy.linalg.multi_dot: expecting at least two arrays.")
    result = tensors[0]
    for x in tensors[1:]:
        result = dot(result, x)
    return result


# ------------------------------------------------------------------ norms

def norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm``: vector norms (any p, inf, -inf, 0) and matrix norms ('fro', 'nuc',
    1, -1, 2, -2, inf, -inf), over ``axis`` as NumPy picks them.

    >>> import tapegrad as tg
    >>> np.linalg.norm(tg.tensor([3.0, 4.0]))
    tensor(5.)
    """
    t = as_tensor(x)
    if t.dtype.kind not in "fc":
        t = t.astype(np.float64)
    if axis is None:
        if ord is None:
            return _vector_norm(t.reshape(-1), 2, 0, False, keepdims, t.ndim)
        axis = tuple(range(t.ndim))
        if t.ndim not in (1, 2):
            raise ValueError("numpy.linalg.norm: Improper number of dimensions to norm.")
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    axes = tuple(checked_axis("norm", a, t.ndim) for a in axes)
    if len(axes) == 1:
        return _vector_norm(t, 2 if ord is None else ord, axes[0], keepdims, False, t.ndim)
    if len(axes) == 2:
        return _matrix_norm(t, "fro" if ord is None else ord, axes, keepdims)
    raise ValueError("numpy.linalg.norm: Improper number of dimensions to norm.")


def _vector_norm(t, order, axis, keepdims, all_axes_kept, ndim):
    if isinstance(order, str):
        raise ValueError(f"numpy.linalg.norm: Invalid norm order {order!r} for vectors")
    if order == 0:
        result = wrap(np.asarray(np.sum(t.data != 0, axis=axis, keepdims=keepdims),
                                 dtype=t.dtype))
    elif order == -np.inf:
        result = t.abs().amin(axis, keepdims)
    elif order == np.inf:
        result = t.abs().amax(axis, keepdims)
    else:
        result = t.norm(float(order), axis, keepdims)
    if all_axes_kept:
        result = result.reshape((1,) * ndim)
    return result


def _matrix_norm(t, order, axes, keepdims):
    row, col = axes
    if row == col:
        raise ValueError("numpy.linalg.norm: Duplicate axes given.")
    if order == "fro":
        result = t.norm(2.0, axes, False)
    elif order in ("nuc", 2, -2):
        values = svd(np.moveaxis(t, (row, col), (-2, -1)), compute_uv=False)
        result = {"nuc": lambda: values.sum(-1), 2: lambda: values.amax(-1),
                  -2: lambda: values.amin(-1)}[order]()
    elif order in (1, -1, np.inf, -np.inf):
        summed, over = (row, col) if order in (1, -1) else (col, row)
        sums = t.abs().sum(summed, True)
        result = (sums.amax if order > 0 else sums.amin)((over,), False).reshape(
            tuple(n for i, n in enumerate(t.shape) if i not in axes))
    else:
        raise ValueError(f"numpy.linalg.norm: Invalid norm order {order!r} for matrices")
    if keepdims:
        shape = tuple(1 if i in axes else n for i, n in enumerate(t.shape))
        result = result.reshape(shape)
    return result


# ------------------------------------------------------------------ decompositions

def _square(name, a):
    x = as_tensor(a)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise np.linalg.LinAlgError(f"numpy.linalg.{name}: Last 2 dimensions of the array must "
                                    f"be square, got shape {x.shape}")
    return x


def inv(a):
    """``np.linalg.inv``, differentiable: dA = -A^-T dY A^-T.

    >>> import tapegrad as tg
    >>> np.linalg.inv(tg.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return ops.Inverse.apply(_square("inv", a))


def det(a):
    """``np.linalg.det``, differentiable (for invertible matrices).

    >>> import tapegrad as tg
    >>> np.linalg.det(tg.tensor([[2.0, 1.0], [1.0, 3.0]]))
    tensor(5.)
    """
    return ops.Determinant.apply(_square("det", a))


def slogdet(a):
    """``np.linalg.slogdet``: (sign, log|det|), the second differentiable.

    >>> import tapegrad as tg
    >>> np.linalg.slogdet(tg.tensor([[-2.0, 0.0], [0.0, 1.0]])).sign
    tensor(-1.)
    """
    x = _square("slogdet", a)
    sign = wrap(np.asarray(np.linalg.slogdet(x.data)[0]))
    return SlogdetResult(sign, ops.LogAbsDeterminant.apply(x))


def solve(a, b):
    """``np.linalg.solve``: X with A X = B (B a vector when 1-d), differentiable in both.

    >>> import tapegrad as tg
    >>> np.linalg.solve(tg.tensor([[2.0, 0.0], [0.0, 4.0]]), tg.tensor([2.0, 2.0]))
    tensor([1.0000, 0.5000])
    """
    x, y = _square("solve", a), as_tensor(b)
    rows = y.shape[0] if y.ndim == 1 else (y.shape[-2] if y.ndim > 1 else None)
    if rows != x.shape[-1]:
        raise ValueError(f"numpy.linalg.solve: b of shape {y.shape} does not fit a of shape "
                         f"{x.shape}: expected ({x.shape[-1]},) or (..., {x.shape[-1]}, k)")
    if y.dtype != x.dtype:
        y = y.astype(np.result_type(x.dtype, y.dtype))
        x = x.astype(y.dtype)
    return ops.Solve.apply(x, y)


def pinv(a, rcond=None, hermitian=False, *, rtol=None):
    """``np.linalg.pinv``: the pseudo-inverse, with PyTorch's gradient.

    >>> import tapegrad as tg
    >>> np.linalg.pinv(tg.tensor([[2.0, 0.0]]))
    tensor([[0.5000],
            [0.0000]])
    """
    refuse("pinv", rtol=rtol)
    x = as_tensor(a)
    return ops.PseudoInverse.apply(x, rcond=rcond)


def lstsq(a, b, rcond=None):
    """``np.linalg.lstsq``: (solution, residuals, rank, singular values); the solution (the
    pseudo-inverse's, A^+ b) and the residuals are differentiable.

    >>> import tapegrad as tg
    >>> np.linalg.lstsq(tg.tensor([[1.0], [1.0]]), tg.tensor([1.0, 3.0])).solution.item()
    1.9999998807907104
    """
    x, y = as_tensor(a), as_tensor(b)
    _, residual_data, rank, singular = np.linalg.lstsq(x.data, y.data, rcond=rcond)
    solution = dot(pinv(x), y)
    residuals = wrap(residual_data)
    if residual_data.size:
        misfit = dot(x, solution) - y
        residuals = (misfit * misfit).sum(0)
        if y.ndim == 1:
            residuals = residuals.reshape(1)
    return LstsqResult(solution, residuals, int(rank), wrap(singular))


def cholesky(a, /, *, upper=False):
    """``np.linalg.cholesky``: lower triangular L with A = L L^T (or upper, U = L^T).

    >>> import tapegrad as tg
    >>> np.linalg.cholesky(tg.tensor([[4.0, 2.0], [2.0, 2.0]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    low = ops.Cholesky.apply(_square("cholesky", a))
    return np.swapaxes(low, -1, -2) if upper else low


def qr(a, mode="reduced"):
    """``np.linalg.qr`` in mode 'reduced' (Q, R), 'r' (R alone) or 'complete' (m <= n).

    >>> import tapegrad as tg
    >>> np.linalg.qr(tg.tensor([[3.0], [4.0]])).R
    tensor([[-5.]])
    """
    x = as_tensor(a)
    if x.ndim < 2:
        raise np.linalg.LinAlgError(f"numpy.linalg.qr: {x.ndim}-dimensional array given. "
                                    "Array must be at least two-dimensional")
    if mode not in ("reduced", "r", "complete") or (mode == "complete"
                                                   and x.shape[-2] > x.shape[-1]):
        raise ValueError(f"numpy.linalg.qr on tapegrad Tensors: mode {mode!r} is not supported"
                         " (use 'reduced', 'r', or 'complete' for m <= n)")
    q, r = ops.unpack_qr(ops.QR.apply(x), *x.shape[-2:])
    return r if mode == "r" else QRResult(q, r)


def eigh(a, UPLO="L"):
    """``np.linalg.eigh``: ascending eigenvalues and eigenvectors of a symmetric matrix.

    >>> import tapegrad as tg
    >>> np.linalg.eigh(tg.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    tensor([1., 2.])
    """
    packed = ops.SymmetricEigen.apply(_square("eigh", a), uplo=UPLO)
    return EighResult(packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(a, UPLO="L"):
    """``np.linalg.eigvalsh``: the ascending eigenvalues of a symmetric matrix.

    >>> import tapegrad as tg
    >>> np.linalg.eigvalsh(tg.tensor([[2.0, 0.0], [0.0, 1.0]]))
    tensor([1., 2.])
    """
    return eigh(a, UPLO).eigenvalues


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``np.linalg.svd``: U, S, Vh with PyTorch's gradient. With ``full_matrices`` (NumPy's
    default) the extra columns of U (rows of Vh) are completed to an orthonormal basis; they
    are not unique, so no gradient flows through them.

    >>> import tapegrad as tg
    >>> np.linalg.svd(tg.tensor([[3.0, 0.0], [0.0, 4.0]]), compute_uv=False)
    tensor([4., 3.])
    """
    x = as_tensor(a)
    if x.ndim < 2:
        raise np.linalg.LinAlgError(f"numpy.linalg.svd: {x.ndim}-dimensional array given. "
                                    "Array must be at least two-dimensional")
    m, n = x.shape[-2:]
    u, s, vh = ops.unpack_svd(ops.SingularValues.apply(x), m, n)
    if not compute_uv:
        return s
    if full_matrices and m != n:
        full_u, _, full_vh = np.linalg.svd(x.data, full_matrices=True)
        k = builtins.min(m, n)
        if m > k:
            u = routines.concatenate([u, wrap(full_u[..., k:])], -1)
        if n > k:
            vh = routines.concatenate([vh, wrap(full_vh[..., k:, :])], -2)
    return SVDResult(u, s, vh)
