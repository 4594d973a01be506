"""``tg.linalg``: PyTorch's ``torch.linalg`` functions, differentiable with PyTorch's gradient
formulas (the ops of ``tapegrad.ops.decompositions``), under PyTorch's arguments."""

from __future__ import annotations

from tapegrad.numpy_api import linalg as numpy_linalg
from tapegrad.numpy_api.linalg import det, eigvalsh, inv, matrix_power, multi_dot, pinv, slogdet
from tapegrad.routines import as_tensor

__all__ = ["inv", "det", "slogdet", "solve", "pinv", "cholesky", "qr", "eigh", "eigvalsh",
           "svd", "svdvals", "matrix_power", "multi_dot", "norm", "vector_norm", "matrix_norm",
           "cross", "lstsq"]


def solve(A, B, *, left=True):  # noqa: N803 - PyTorch's names
    """X with A X = B; B is a vector when it is 1-d or A's batch of vectors (PyTorch's rule).

    >>> import tapegrad as tg
    >>> tg.linalg.solve(tg.tensor([[2.0, 0.0], [0.0, 4.0]]), tg.tensor([2.0, 2.0]))
    tensor([1.0000, 0.5000])
    """
    if not left:
        raise NotImplementedError("linalg.solve: left=False is not supported")
    a, b = as_tensor(A), as_tensor(B)
    if b.ndim == a.ndim - 1 and b.ndim > 1 and b.shape[:-1] == a.shape[:-2]:
        return numpy_linalg.solve(a, b[..., None])[..., 0]
    return numpy_linalg.solve(a, b)


def cholesky(A, *, upper=False):  # noqa: N803
    """L with A = L L^T (or U = L^T with ``upper``).

    >>> import tapegrad as tg
    >>> tg.linalg.cholesky(tg.tensor([[4.0, 2.0], [2.0, 2.0]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    return numpy_linalg.cholesky(A, upper=upper)


def qr(A, mode="reduced"):  # noqa: N803
    """(Q, R) with A = Q R, ``mode`` 'reduced', 'complete' or 'r' (Q then empty).

    >>> import tapegrad as tg
    >>> tg.linalg.qr(tg.tensor([[3.0], [4.0]])).R
    tensor([[-5.]])
    """
    if mode == "r":
        return numpy_linalg.QRResult(as_tensor([]), numpy_linalg.qr(A, "r"))
    return numpy_linalg.qr(A, mode)


def eigh(A, UPLO="L"):  # noqa: N803
    """(eigenvalues, eigenvectors) of a symmetric matrix, ascending.

    >>> import tapegrad as tg
    >>> tg.linalg.eigh(tg.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    tensor([1., 2.])
    """
    return numpy_linalg.eigh(A, UPLO)


def svd(A, full_matrices=True):  # noqa: N803
    """(U, S, Vh) with A = U diag(S) Vh.

    >>> import tapegrad as tg
    >>> tg.linalg.svd(tg.tensor([[3.0, 0.0], [0.0, 4.0]])).S
    tensor([4., 3.])
    """
    return numpy_linalg.svd(A, full_matrices)


def svdvals(A):  # noqa: N803
    """The singular values, descending.

    >>> import tapegrad as tg
    >>> tg.linalg.svdvals(tg.tensor([[3.0, 0.0], [0.0, 4.0]]))
    tensor([4., 3.])
    """
    return numpy_linalg.svd(A, compute_uv=False)


def vector_norm(x, ord=2, dim=None, keepdim=False):  # noqa: A002
    """The vector ``ord``-norm over ``dim`` (all elements for None).

    >>> import tapegrad as tg
    >>> tg.linalg.vector_norm(tg.tensor([[3.0, 4.0]]))
    tensor(5.)
    """
    x = as_tensor(x)
    if dim is None:
        result = numpy_linalg.norm(x.reshape(-1), ord, 0)
        return result.reshape((1,) * x.ndim) if keepdim else result
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) == 1:
        return numpy_linalg.norm(x, ord, dims[0], keepdim)
    kept = x.movedim(dims, tuple(range(-len(dims), 0)))
    flat = kept.reshape(kept.shape[:-len(dims)] + (-1,))
    result = numpy_linalg.norm(flat, ord, -1)
    if keepdim:
        result = result.reshape(tuple(1 if i in [d % x.ndim for d in dims] else n
                                      for i, n in enumerate(x.shape)))
    return result


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False):  # noqa: N803, A002
    """The matrix norm over ``dim``: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf.

    >>> import tapegrad as tg
    >>> tg.linalg.matrix_norm(tg.tensor([[3.0, 0.0], [0.0, 4.0]]), 2)
    tensor(4.)
    """
    return numpy_linalg.norm(A, ord, tuple(dim), keepdim)


def norm(A, ord=None, dim=None, keepdim=False):  # noqa: N803, A002
    """``vector_norm`` or ``matrix_norm`` as ``ord`` and ``dim`` say (PyTorch's rules).

    >>> import tapegrad as tg
    >>> tg.linalg.norm(tg.tensor([3.0, 4.0]))
    tensor(5.)
    """
    x = as_tensor(A)
    if ord is None and (dim is None or isinstance(dim, int)):
        return vector_norm(x, 2, dim, keepdim)
    return numpy_linalg.norm(x, ord, dim, keepdim)


def cross(input, other, *, dim=-1):  # noqa: A002
    """The cross product of 3-vectors along ``dim``.

    >>> import tapegrad as tg
    >>> tg.linalg.cross(tg.tensor([1.0, 0.0, 0.0]), tg.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    return numpy_linalg.cross(input, other, axis=dim)


def lstsq(A, B, rcond=None, *, driver=None):  # noqa: N803
    """(solution, residuals, rank, singular_values) of min ||A X - B||; the solution is
    differentiable (A^+ B).

    >>> import tapegrad as tg
    >>> tg.linalg.lstsq(tg.tensor([[1.0], [1.0]]), tg.tensor([[1.0], [3.0]])).solution.shape
    (1, 1)
    """
    return numpy_linalg.lstsq(A, B, rcond)


