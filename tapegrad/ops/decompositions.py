"""Matrix functions and decompositions with PyTorch's gradient formulas: inverse,
determinant, log-determinant, solve, pseudo-inverse, Cholesky, QR, symmetric eigendecomposition
and SVD. Every op works on the last two axes, with any leading batch axes.

Each backward is written with ``@``, ``np.swapaxes``, ``np.linalg.inv``, ``np.linalg.solve``
and elementwise math, all of which dispatch on Tensors, so under ``create_graph`` the backward
records a graph and the ops differentiate to any order. A decomposition with several outputs
(eigh's values and vectors, svd's U, S and Vh) returns them packed in one array, which
``tapegrad.numpy_api.linalg`` unpacks by slicing: one node, and each output's gradient arrives
in its slice (zeros for an output the loss does not use).
"""

from __future__ import annotations

import numpy as np

from tapegrad.complex_gradients import HOLOMORPHIC, conj
from tapegrad.function import Function


def _mT(x):
    return np.swapaxes(x, -1, -2)


def _eye_like(x, size):
    return np.eye(size, dtype=x.dtype)


def _diag_embed(vector, size):
    """A batch of vectors (..., n) as diagonal matrices (..., n, n), on arrays or Tensors."""
    return vector[..., None] * np.eye(size, dtype=vector.dtype)


class Inverse(Function):
    """Y = A^-1;  dL/dA = -Y^T (dL/dY) Y^T"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = ("output",)

    def forward(self, a):
        y = np.linalg.inv(a)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        return -(_mT(y) @ grad @ _mT(y))


class Determinant(Function):
    """d = det(A);  dL/dA = dL/dd * d * A^-T   (A must be invertible for the gradient)"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0, "output")

    def forward(self, a):
        d = np.linalg.det(a)
        self.save_for_backward(a, d)
        return d

    def backward(self, grad):
        a, d = self.saved
        return (grad * d)[..., None, None] * _mT(np.linalg.inv(a))


class LogAbsDeterminant(Function):
    """y = log|det(A)|;  dL/dA = dL/dy * A^-T   (conj(A^-T) for complex A, PyTorch's
    convention: y is real and not holomorphic in A)"""

    __slots__ = ()
    saved_roles = (0,)

    def forward(self, a):
        self.save_for_backward(a)
        return np.linalg.slogdet(a)[1]

    def backward(self, grad):
        (a,) = self.saved
        inverse_transposed = _mT(np.linalg.inv(a))
        if a.dtype.kind == "c":
            inverse_transposed = conj(inverse_transposed)
        return grad[..., None, None] * inverse_transposed


class Solve(Function):
    """X = A^-1 B (B a vector when 1-d, as NumPy 2's solve);
    dL/dB = A^-T dL/dX,  dL/dA = -(dL/dB) X^T"""

    __slots__ = ()
    complex_gradients = HOLOMORPHIC
    saved_roles = (0, "output")

    def forward(self, a, b):
        x = np.linalg.solve(a, b)
        self.save_for_backward(a, x)
        return x

    def backward(self, grad):
        a, x = self.saved
        needs_a, needs_b = self.needs_input_grad
        grad_b = np.linalg.solve(_mT(a), grad)
        if not needs_a:
            return None, grad_b
        if x.ndim == 1:
            grad_a = -(grad_b[:, None] * x[None, :])
        else:
            grad_a = -(grad_b @ _mT(x))
        return grad_a, (grad_b if needs_b else None)


class PseudoInverse(Function):
    """P = A^+ (by the SVD, small singular values cut off);
    dL/dA = -P^T G P^T + (I - A P)^T G^T... in PyTorch's arrangement (see backward), which
    is the exact derivative wherever the rank does not change"""

    __slots__ = ("rcond",)
    saved_roles = (0, "output")

    def forward(self, a, rcond=None):
        p = np.linalg.pinv(a) if rcond is None else np.linalg.pinv(a, rcond=rcond)
        self.save_for_backward(a, p)
        return p

    def backward(self, grad):
        a, p = self.saved
        m, n = a.shape[-2], a.shape[-1]
        ph, gh = _mT(p), _mT(grad)
        if m <= n:
            k = gh @ p
            k_ph = k @ ph
            return -_mT(p @ k) + k_ph - (a @ p) @ k_ph + (ph @ p) @ (gh - k @ a)
        k = p @ gh
        ph_k = ph @ k
        return -_mT(k @ p) + (gh - a @ k) @ p @ ph + ph_k - ph_k @ p @ a


class Cholesky(Function):
    """L = cholesky(A), lower triangular with A = L L^T;
    dL/dA = sym(L^-T Phi(L^T dL/dL) L^-1), Phi keeping the lower triangle with half the
    diagonal, sym(S) = (S + S^T) / 2   (PyTorch's formula)"""

    __slots__ = ()
    saved_roles = ("output",)

    def forward(self, a):
        low = np.linalg.cholesky(a)
        self.save_for_backward(low)
        return low

    def backward(self, grad):
        (low,) = self.saved
        n = low.shape[-1]
        lower_half_diagonal = np.tril(np.ones((n, n), low.dtype)) - 0.5 * np.eye(n, dtype=low.dtype)
        phi = (_mT(low) @ (grad * np.tril(np.ones((n, n), low.dtype)))) * lower_half_diagonal
        inverse = np.linalg.inv(low)
        s = _mT(inverse) @ phi @ inverse
        return (s + _mT(s)) * 0.5


class QR(Function):
    """P = [Q, R] = qr(A);  dL/dA = (dL/dQ + Q S) R^-T   (PyTorch's formula, m >= n)

    The reduced QR, packed flat per matrix as [Q, R]. S = triu(X) + triu(X, 1)^T with
    X = dL/dR R^T - Q^T dL/dQ. For a wide A (m < n) see ``backward``.
    """

    __slots__ = ("m", "n", "k")
    saved_roles = ("output",)

    def forward(self, a):
        q, r = np.linalg.qr(a)
        (self.m, self.k), self.n = q.shape[-2:], r.shape[-1]
        batch = a.shape[:-2]
        packed = np.concatenate([q.reshape(batch + (-1,)), r.reshape(batch + (-1,))], -1)
        self.save_for_backward(packed)
        return packed

    def unpack(self, packed):
        """(Q, R) from the packed array or Tensor."""
        return unpack_qr(packed, self.m, self.n)

    def backward(self, grad):
        (packed,) = self.saved
        k = self.k
        q, r = self.unpack(packed)
        grad_q, grad_r = self.unpack(grad)
        if r.shape[-1] == k:
            return _qr_tall_backward(q, r, grad_q, grad_r)
        # A wide A = [X | Y] with X square: R = [U | V], U from X = Q U, and V = Q^T Y; so
        # Y's gradient is Q dL/dV, and X's is the square formula with dL/dQ + Y dL/dV^T.
        u, v = r[..., :k], r[..., k:]
        grad_u, grad_v = grad_r[..., :k], grad_r[..., k:]
        y = q @ v
        grad_x = _qr_tall_backward(q, u, grad_q + y @ _mT(grad_v), grad_u)
        return np.concatenate([grad_x, q @ grad_v], axis=-1)


def _qr_tall_backward(q, r, grad_q, grad_r):
    """dL/dA for A = Q R with R square: (dL/dQ + Q S) R^-T, S from X = dL/dR R^T - Q^T dL/dQ
    as triu(X) + triu(X, 1)^T."""
    k = r.shape[-1]
    x = grad_r @ _mT(r) - _mT(q) @ grad_q
    upper = np.ones((k, k), dtype=r.dtype)
    s = x * np.triu(upper) + _mT(x * np.triu(upper, 1))
    return (grad_q + q @ s) @ _mT(np.linalg.inv(r))


class SymmetricEigen(Function):
    """P = [w, V] = eigh(A);  dL/dA = V (diag(dL/dw) + skew(V^T dL/dV) / 2 / E) V^T

    PyTorch's formula. Ascending eigenvalues w and eigenvectors V of a symmetric A (its
    lower triangle is read, or the upper one), packed as the rows [w; V]. E_ij = w_j - w_i and
    skew(X) = X - X^T; the eigenvectors' part needs distinct eigenvalues.
    """

    __slots__ = ("uplo",)
    saved_roles = ("output",)

    def forward(self, a, uplo="L"):
        self.uplo = uplo
        w, v = np.linalg.eigh(a, UPLO=uplo)
        packed = np.concatenate([w[..., None, :], v], axis=-2)
        self.save_for_backward(packed)
        return packed

    def backward(self, grad):
        (packed,) = self.saved
        w, v = packed[..., 0, :], packed[..., 1:, :]
        grad_w, grad_v = grad[..., 0, :], grad[..., 1:, :]
        n = w.shape[-1]
        identity = np.eye(n, dtype=packed.dtype)
        gaps = (w[..., None, :] - w[..., :, None]) + identity  # 1 on the diagonal: no 0 / 0
        vt_gv = _mT(v) @ grad_v
        inner = (vt_gv - _mT(vt_gv)) * 0.5 / gaps * (1 - identity) + _diag_embed(grad_w, n)
        return v @ inner @ _mT(v)


class SingularValues(Function):
    """P = [U, S, Vh] = svd(A);
    dL/dA = U M Vh + (I - U U^T) gU / S Vh + U (gV / S)^T (I - V V^T)

    PyTorch's formula. The reduced SVD (k = min(m, n) columns), packed flat per matrix as
    [U, S, Vh], with gU = dL/dU, gS = dL/dS, gV = dL/dV (V = Vh^T) and
    M = skew(U^T gU) / E * S_k + S_j * skew(V^T gV) / E + diag(gS), E_jk = S_k^2 - S_j^2,
    skew(X) = X - X^T. The vectors' part needs distinct, nonzero singular values.
    """

    __slots__ = ("m", "n", "k")
    saved_roles = ("output",)

    def forward(self, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        self.m, self.n = a.shape[-2], a.shape[-1]
        self.k = s.shape[-1]
        batch = a.shape[:-2]
        packed = np.concatenate([u.reshape(batch + (-1,)), s, vh.reshape(batch + (-1,))], -1)
        self.save_for_backward(packed)
        return packed

    def unpack(self, packed):
        """(U, S, Vh) from the packed array or Tensor."""
        return unpack_svd(packed, self.m, self.n)

    def backward(self, grad):
        (packed,) = self.saved
        u, s, vh = self.unpack(packed)
        grad_u, grad_s, grad_vh = self.unpack(grad)
        v, grad_v = _mT(vh), _mT(grad_vh)
        k = self.k
        identity = np.eye(k, dtype=packed.dtype)
        squares = s * s
        gaps = squares[..., None, :] - squares[..., :, None] + identity
        ut_gu = _mT(u) @ grad_u
        vt_gv = _mT(v) @ grad_v
        inner = ((ut_gu - _mT(ut_gu)) / gaps * s[..., None, :]
                 + s[..., :, None] * ((vt_gv - _mT(vt_gv)) / gaps)) * (1 - identity)
        inner = inner + _diag_embed(grad_s, k)
        grad_a = u @ inner @ vh
        if self.m > k:
            grad_a = grad_a + ((grad_u - u @ ut_gu) / s[..., None, :]) @ vh
        if self.n > k:
            grad_a = grad_a + u @ _mT((grad_v - v @ vt_gv) / s[..., None, :])
        return grad_a


def unpack_qr(packed, m: int, n: int) -> tuple:
    """(Q, R) of an m x n matrix (or batch) from QR's packed output, array or Tensor.

    >>> q, r = unpack_qr(QR.forward_or_apply(np.eye(2)), 2, 2)
    >>> q.shape, r.shape
    ((2, 2), (2, 2))
    """
    k = min(m, n)
    batch = packed.shape[:-1]
    return (packed[..., :m * k].reshape(batch + (m, k)),
            packed[..., m * k:].reshape(batch + (k, n)))


def unpack_svd(packed, m: int, n: int) -> tuple:
    """(U, S, Vh) of an m x n matrix (or batch) from SingularValues' packed output.

    >>> u, s, vh = unpack_svd(SingularValues.forward_or_apply(np.eye(3)[:, :2]), 3, 2)
    >>> u.shape, s.shape, vh.shape
    ((3, 2), (2,), (2, 2))
    """
    k = min(m, n)
    batch = packed.shape[:-1]
    return (packed[..., :m * k].reshape(batch + (m, k)), packed[..., m * k:m * k + k],
            packed[..., m * k + k:].reshape(batch + (k, n)))
