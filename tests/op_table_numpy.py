"""Op-table rows for NumPy's functions called on tensors: ``np.tan(t)``, ``np.sum(t, 0,
np.float64)``, ``np.linalg.svd(t)``, ... Each row's function is written once and called on
tapegrad tensors (the op) and on NumPy arrays (the reference), so the row checks that the
NumPy call on a tensor computes what NumPy computes on the array; ``torch_fn`` is PyTorch's
same function, for values, gradients and second derivatives (None where PyTorch has none:
finite differences are then the only reference).

test_numpy_ops.py drives these rows; see op_table.py for what a row is.
"""

from __future__ import annotations

import numpy as np
from op_case import OpCase

EYE3 = np.eye(3)
WEIGHTS = np.array([0.5, 1.0, 2.0, 1.5])
PICKS = np.array([[0, 2, 1, 0], [1, 1, 0, 2], [2, 0, 0, 1]])
CONDITION = np.array([True, False, True, True])
SORTED_POINTS = np.array([-1.5, 0.0, 0.3])


def torch():
    import torch as module

    return module


def _sym(x):
    """A symmetric positive definite matrix from x, for tensors, arrays and torch alike."""
    return x @ x.swapaxes(-1, -2) + 3 * _eye_like(x)


def _eye_like(x):
    if isinstance(x, np.ndarray) or type(x).__module__.startswith("tapegrad"):
        return np.eye(x.shape[-1], dtype=x.dtype)
    return torch().eye(x.shape[-1], dtype=x.dtype)


def _same(name, fn, shapes, low=-2.0, high=2.0, torch_fn=None, **options):
    """A row whose op and reference are the same NumPy call."""
    return OpCase(name, fn, fn, shapes, low, high, torch_fn=torch_fn, **options)


ELEMENTWISE = [
    _same("np.tan", np.tan, ((3, 4),), -1.2, 1.2, lambda x: x.tan()),
    _same("np.arcsin", np.arcsin, ((3, 4),), -0.9, 0.9, lambda x: x.asin()),
    _same("np.arccos", np.arccos, ((3, 4),), -0.9, 0.9, lambda x: x.acos()),
    _same("np.arctan", np.arctan, ((3, 4),), torch_fn=lambda x: x.atan()),
    _same("np.sinh", np.sinh, ((3, 4),), torch_fn=lambda x: x.sinh()),
    _same("np.cosh", np.cosh, ((3, 4),), torch_fn=lambda x: x.cosh()),
    _same("np.arcsinh", np.arcsinh, ((3, 4),), torch_fn=lambda x: x.asinh()),
    _same("np.arccosh", np.arccosh, ((3, 4),), 1.2, 3.0, lambda x: x.acosh()),
    _same("np.arctanh", np.arctanh, ((3, 4),), -0.9, 0.9, lambda x: x.atanh()),
    _same("np.arctan2", np.arctan2, ((3, 4), (3, 4)), torch_fn=lambda y, x: y.atan2(x),
          broadcast_shapes=((3, 1), (4,))),
    _same("np.hypot", np.hypot, ((3, 4), (3, 4)), torch_fn=lambda x, y: x.hypot(y),
          broadcast_shapes=((2, 3, 4), (4,))),
    _same("np.log2", np.log2, ((3, 4),), 0.5, 3.0, lambda x: x.log2()),
    _same("np.log10", np.log10, ((3, 4),), 0.5, 3.0, lambda x: x.log10()),
    _same("np.logaddexp", np.logaddexp, ((3, 4), (3, 4)),
          torch_fn=lambda x, y: x.logaddexp(y), broadcast_shapes=((3, 1), (1, 4))),
    _same("np.logaddexp2", np.logaddexp2, ((3, 4), (3, 4)),
          torch_fn=lambda x, y: x.logaddexp2(y), broadcast_shapes=((4,), (3, 4))),
    _same("np.cbrt", np.cbrt, ((3, 4),), 0.5, 3.0, lambda x: x ** (1 / 3)),
    _same("np.fabs", np.fabs, ((3, 4),), torch_fn=lambda x: x.abs(), tags=frozenset({"kink"})),
    _same("np.sinc", np.sinc, ((3, 4),), torch_fn=lambda x: x.sinc()),
    _same("np.deg2rad_rad2deg", lambda x: np.deg2rad(x) * np.rad2deg(x) + np.radians(x)
          - np.degrees(x), ((3, 4),), torch_fn=lambda x: x.deg2rad() * x.rad2deg()
          + x.deg2rad() - x.rad2deg()),
    _same("np.square_reciprocal", lambda x: np.square(x) + np.reciprocal(x), ((3, 4),), 0.5,
          2.0, lambda x: x.square() + x.reciprocal()),
    _same("np.exp2_expm1_log1p", lambda x: np.exp2(x) + np.expm1(x) * np.log1p(x), ((3, 4),),
          -0.5, 1.5, lambda x: x.exp2() + x.expm1() * x.log1p()),
    _same("np.fmax_fmin", lambda x, y: np.fmax(x, y) * 2 + np.fmin(x, y), ((3, 4), (3, 4)),
          torch_fn=lambda x, y: x.fmax(y) * 2 + x.fmin(y), broadcast_shapes=((3, 1), (4,))),
    _same("np.copysign", lambda x, y: np.copysign(x, y), ((3, 4), (3, 4)),
          torch_fn=lambda x, y: x.copysign(y), tags=frozenset({"kink"})),
    _same("np.rounding_times", lambda x: np.floor(x) * x + np.ceil(x) * x + np.rint(x) * x
          + np.trunc(x) * x + np.round(x, 1) * x + np.around(x) * x, ((3, 4),),
          torch_fn=lambda x: x.floor() * x + x.ceil() * x + x.round() * x + x.trunc() * x
          + x.round(decimals=1) * x + x.round() * x),
    _same("np.mod_fmod_floor_divide", lambda x, y: np.mod(x, y) + np.remainder(x, -y)
          + np.fmod(x, y) + np.floor_divide(x, y) * x, ((3, 4), (3, 4)), 0.5, 2.0,
          lambda x, y: x.remainder(y) + x.remainder(-y) + x.fmod(y)
          + x.div(y, rounding_mode="floor") * x),
    _same("np.nan_to_num_where", lambda x: np.nan_to_num(x, nan=1.0) + np.where(
        np.isfinite(x) & ~np.isnan(x) & ~np.isinf(x), x, 0), ((3, 4),),
        torch_fn=lambda x: x.nan_to_num(nan=1.0) + x),
    _same("np.heaviside_signbit_times", lambda x: (np.heaviside(x, 0.5) + np.signbit(x)) * x,
          ((3, 4),), torch_fn=lambda x: ((x > 0).to(x.dtype) + x.signbit()) * x,
          tags=frozenset({"kink"})),
    _same("np.exp_dtype", lambda x: np.exp(x, dtype=np.float64), ((3, 4),),
          torch_fn=lambda x: x.double().exp(), tags=frozenset({"casts"})),
    _same("np.add_reduce", lambda x: np.add.reduce(x) + np.multiply.reduce(x, axis=1).sum(),
          ((3, 4),), 0.5, 1.5, lambda x: x.sum(0) + x.prod(1).sum(), scalar_ok=False),
    _same("np.maximum_reduce", lambda x: np.maximum.reduce(x, axis=1)
          - np.minimum.reduce(x, axis=None), ((3, 4),),
          torch_fn=lambda x: x.amax(1) - x.amin(), scalar_ok=False,
          tags=frozenset({"needs_elements"})),
    _same("np.add_accumulate", lambda x: np.add.accumulate(x) + np.multiply.accumulate(x, 1),
          ((3, 4),), 0.5, 1.5, lambda x: x.cumsum(0) + x.cumprod(1), scalar_ok=False),
    _same("np.maximum_accumulate", lambda x: np.maximum.accumulate(x, axis=1)
          + np.minimum.accumulate(x), ((3, 4),),
          torch_fn=lambda x: x.cummax(1).values + x.cummin(0).values, scalar_ok=False),
]

REDUCTIONS = [
    _same("np.sum_positional_dtype", lambda x: np.sum(x, 0, np.float64), ((3, 4),),
          torch_fn=lambda x: x.sum(0, dtype=torch().float64), scalar_ok=False,
          tags=frozenset({"casts"})),
    _same("np.sum_where_initial", lambda x: np.sum(x, 1, None, None, True, 2.0,
                                                   x > 0), ((3, 4),),
          torch_fn=lambda x: x.where(x > 0, 0).sum(1, keepdim=True) + 2.0, scalar_ok=False),
    _same("np.prod_positional", lambda x: np.prod(x, 1, None, None, True), ((3, 4),), 0.5, 1.5,
          lambda x: x.prod(1, keepdim=True), scalar_ok=False),
    _same("np.mean_var_std", lambda x: np.mean(x, 0) + np.var(x, 0, None, None, 1)
          + np.std(x, axis=0), ((3, 4),), torch_fn=lambda x: x.mean(0) + x.var(0)
          + x.std(0, correction=0), scalar_ok=False),
    _same("np.max_min_ptp", lambda x: np.max(x, 1) + np.min(x, 0, None, False, 0.5).sum()
          + np.ptp(x, 1), ((3, 4),), torch_fn=lambda x: x.amax(1) + x.amin(0).clamp(
              max=0.5).sum() + (x.amax(1) - x.amin(1)), scalar_ok=False),
    _same("np.nan_reductions", lambda x: np.nansum(x, 1) + np.nanmean(x, 1) + np.nanmax(x, 1)
          + np.nanmin(x, 1) + np.nanstd(x, 1) + np.nanvar(x, 1, ddof=1), ((3, 4),),
          torch_fn=lambda x: x.nansum(1) + x.nanmean(1) + x.amax(1) + x.amin(1)
          + x.std(1, correction=0) + x.var(1), scalar_ok=False),
    _same("np.average_weights", lambda x: np.average(x, 1, WEIGHTS), ((3, 4),),
          torch_fn=lambda x: (x * torch().as_tensor(WEIGHTS)).sum(1) / WEIGHTS.sum(),
          scalar_ok=False),
    _same("np.average_tensor_weights", lambda x, w: np.average(x, weights=w), ((3, 4), (3, 4)),
          0.5, 2.0, lambda x, w: (x * w).sum() / w.sum(), scalar_ok=False),
    _same("np.median", lambda x: np.median(x, axis=1) + np.median(x), ((3, 4),),
          torch_fn=lambda x: x.quantile(0.5, 1) + x.quantile(0.5), scalar_ok=False),
    _same("np.quantile_percentile", lambda x: np.quantile(x, [0.2, 0.7], axis=0).sum(0)
          + np.percentile(x, 30, 0), ((3, 4),), torch_fn=lambda x: x.quantile(
              x.new_tensor([0.2, 0.7]), 0).sum(0) + x.quantile(0.3, 0), scalar_ok=False),
    _same("np.cumsum_cumprod", lambda x: np.cumsum(x) + np.cumprod(x, 1).ravel(), ((3, 4),),
          0.5, 1.5, lambda x: x.reshape(-1).cumsum(0) + x.cumprod(1).reshape(-1),
          scalar_ok=False),
    _same("np.diff_ediff1d", lambda x: np.diff(x, 2, 1).sum() + np.ediff1d(x, 1.0, -1.0).sum()
          + np.diff(x, axis=0, prepend=0.5).sum(), ((3, 4),),
          torch_fn=lambda x: x.diff(2, 1).sum() + (x.reshape(-1).diff().sum()) + x.diff(
              dim=0, prepend=x.new_full((1, 4), 0.5)).sum(), scalar_ok=False),
    _same("np.gradient", lambda x: np.gradient(x)[0] + np.gradient(x, 0.5, axis=1,
                                                                    edge_order=2),
          ((3, 4),), torch_fn=lambda x: torch().gradient(x)[0] + torch().gradient(
              x, spacing=0.5, dim=1, edge_order=2)[0], scalar_ok=False),
    _same("np.trace", lambda x: np.trace(x, 1), ((3, 4),),
          torch_fn=lambda x: x.diagonal(1).sum(), scalar_ok=False),
    _same("np.count_nonzero_all_any_times", lambda x: x * float(np.count_nonzero(x > 0))
          + np.all(x > -5) * x + np.any(x > 5, axis=0) * x, ((3, 4),),
          torch_fn=lambda x: x * (x > 0).sum() + x + 0 * x),
]

LINALG = [
    _same("np.dot_nd", np.dot, ((2, 2, 3), (2, 3, 4)), scalar_ok=False,
          torch_fn=lambda x, y: torch().tensordot(x, y, ([2], [1]))),
    _same("np.dot_vector_nd", np.dot, ((3,), (2, 3, 4)), scalar_ok=False,
          torch_fn=lambda x, y: torch().tensordot(x, y, ([0], [1]))),
    _same("np.dot_scalar", lambda x: np.dot(x, 2.0), ((3, 4),), torch_fn=lambda x: x * 2.0),
    _same("np.vdot_inner_outer", lambda x, y: np.vdot(x, y) + np.inner(x, y).sum()
          + np.outer(x, y).sum(), ((3, 4), (3, 4)), scalar_ok=False,
          torch_fn=lambda x, y: (x * y).sum() + torch().inner(x, y).sum()
          + torch().outer(x.reshape(-1), y.reshape(-1)).sum()),
    _same("np.tensordot", lambda x, y: np.tensordot(x, y, ([1, 2], [1, 0])), ((2, 3, 4),
          (4, 3, 5)), scalar_ok=False,
          torch_fn=lambda x, y: torch().tensordot(x, y, ([1, 2], [1, 0]))),
    _same("np.einsum_ellipsis_diagonal", lambda x, y: np.einsum("...ii,...ij->...j", x, y),
          ((2, 3, 3), (3, 4)), scalar_ok=False,
          torch_fn=lambda x, y: torch().einsum("...ii,...ij->...j", x, y)),
    _same("np.einsum_implicit", lambda x, y: np.einsum("ij,jk", x, y) + np.einsum("ii", x[:, :3]),
          ((3, 4), (4, 2)), scalar_ok=False,
          torch_fn=lambda x, y: torch().einsum("ij,jk", x, y) + torch().einsum("ii", x[:, :3])),
    _same("np.kron", np.kron, ((2, 3), (3, 2)), scalar_ok=False,
          torch_fn=lambda x, y: torch().kron(x, y)),
    _same("np.cross", np.cross, ((4, 3), (4, 3)), scalar_ok=False,
          torch_fn=lambda x, y: torch().linalg.cross(x, y), broadcast_shapes=((2, 1, 3), (4, 3))),
    _same("np.matmul_1d", lambda x, y: np.matmul(x, y) + x @ y, ((4,), (4, 3)), scalar_ok=False,
          torch_fn=lambda x, y: 2 * (x @ y)),
    _same("np.diag_diagonal_tril_triu", lambda x: np.diag(x, 1).sum() + np.diagonal(x).sum()
          + np.tril(x, -1) + np.triu(x) + np.diagflat(x[0])[:3, :4], ((3, 4),),
          scalar_ok=False, torch_fn=lambda x: x.diag(1).sum() + x.diagonal().sum()
          + x.tril(-1) + x.triu() + torch().diagflat(x[0])[:3, :4]),
    _same("np.linalg.norm_vector", lambda x: np.linalg.norm(x) + np.linalg.norm(x, 3, 1).sum()
          + np.linalg.norm(x, np.inf, 0).sum() + np.linalg.norm(x, 1, 1, True).sum(),
          ((3, 4),), 0.2, 2.0, scalar_ok=False,
          torch_fn=lambda x: torch().linalg.norm(x) + torch().linalg.vector_norm(x, 3, 1).sum()
          + torch().linalg.vector_norm(x, float("inf"), 0).sum()
          + torch().linalg.vector_norm(x, 1, 1, True).sum()),
    _same("np.linalg.norm_matrix", lambda x: np.linalg.norm(x, "fro") + np.linalg.norm(x, 1)
          + np.linalg.norm(x, np.inf) + np.linalg.norm(x, "nuc") + np.linalg.norm(x, 2),
          ((3, 4),), 0.2, 2.0, scalar_ok=False,
          torch_fn=lambda x: sum(torch().linalg.matrix_norm(x, o) for o in
                                 ("fro", 1, float("inf"), "nuc", 2))),
    _same("np.linalg.inv", lambda x: np.linalg.inv(x + 3 * EYE3), ((3, 3),), scalar_ok=False,
          torch_fn=lambda x: torch().linalg.inv(x + 3 * torch().eye(3, dtype=x.dtype))),
    _same("np.linalg.det_slogdet", lambda x: np.linalg.det(x + 3 * EYE3) + np.linalg.slogdet(
        x - 3 * EYE3)[1], ((3, 3),), scalar_ok=False,
        torch_fn=lambda x: torch().linalg.det(x + 3 * torch().eye(3, dtype=x.dtype))
        + torch().linalg.slogdet(x - 3 * torch().eye(3, dtype=x.dtype))[1]),
    _same("np.linalg.solve", lambda a, b: np.linalg.solve(a + 3 * EYE3, b), ((2, 3, 3),
          (2, 3, 2)), scalar_ok=False, torch_fn=lambda a, b: torch().linalg.solve(
              a + 3 * torch().eye(3, dtype=a.dtype), b)),
    _same("np.linalg.solve_vector", lambda a, b: np.linalg.solve(a + 3 * EYE3, b),
          ((3, 3), (3,)), scalar_ok=False, torch_fn=lambda a, b: torch().linalg.solve(
              a + 3 * torch().eye(3, dtype=a.dtype), b)),
    _same("np.linalg.pinv", np.linalg.pinv, ((4, 3),), scalar_ok=False,
          torch_fn=lambda x: torch().linalg.pinv(x)),
    _same("np.linalg.pinv_wide", np.linalg.pinv, ((2, 3),), scalar_ok=False,
          torch_fn=lambda x: torch().linalg.pinv(x)),
    _same("np.linalg.lstsq", lambda a, b: np.linalg.lstsq(a, b)[0], ((4, 3), (4,)),
          scalar_ok=False, torch_fn=lambda a, b: torch().linalg.pinv(a) @ b),
    _same("np.linalg.cholesky", lambda x: np.linalg.cholesky(_sym(x)), ((3, 3),),
          scalar_ok=False, torch_fn=lambda x: torch().linalg.cholesky(_sym(x))),
    _same("np.linalg.qr", lambda x: np.linalg.qr(x)[0].sum(0) + np.linalg.qr(x)[1].sum(0),
          ((4, 3),), scalar_ok=False, torch_fn=lambda x: torch().linalg.qr(x)[0].sum(0)
          + torch().linalg.qr(x)[1].sum(0)),
    _same("np.linalg.qr_wide", lambda x: np.linalg.qr(x)[0] * 2 + np.linalg.qr(x)[1][..., :3],
          ((2, 3, 5),), scalar_ok=False, torch_fn=lambda x: torch().linalg.qr(x)[0] * 2
          + torch().linalg.qr(x)[1][..., :3]),
    _same("np.linalg.eigh", lambda x: np.linalg.eigh(_sym(x))[0].sum()
          + (np.linalg.eigh(_sym(x))[1] ** 2 * np.arange(3.0)).sum(), ((3, 3),),
          scalar_ok=False, torch_fn=lambda x: torch().linalg.eigh(_sym(x))[0].sum()
          + (torch().linalg.eigh(_sym(x))[1] ** 2 * torch().arange(3.0, dtype=x.dtype)).sum()),
    _same("np.linalg.eigvalsh", lambda x: np.linalg.eigvalsh(_sym(x)), ((2, 3, 3),),
          scalar_ok=False, torch_fn=lambda x: torch().linalg.eigvalsh(_sym(x))),
    _same("np.linalg.svd", lambda x: np.linalg.svd(x, False)[0] @ np.linalg.svd(x, False)[2]
          + np.linalg.svd(x, compute_uv=False).sum(), ((4, 3),), scalar_ok=False,
          torch_fn=lambda x: torch().linalg.svd(x, False)[0] @ torch().linalg.svd(x, False)[2]
          + torch().linalg.svdvals(x).sum()),
    _same("np.linalg.svd_wide", lambda x: np.linalg.svd(x, False)[0] @ np.linalg.svd(x, False)[2],
          ((2, 3),), scalar_ok=False,
          torch_fn=lambda x: torch().linalg.svd(x, False)[0] @ torch().linalg.svd(x, False)[2]),
    _same("np.linalg.matrix_power_multi_dot", lambda x: np.linalg.matrix_power(x, 3)
          + np.linalg.multi_dot([x, x.T, x]) + np.linalg.matrix_power(x + 3 * EYE3, -2),
          ((3, 3),), scalar_ok=False, torch_fn=lambda x: torch().linalg.matrix_power(x, 3)
          + torch().linalg.multi_dot([x, x.T, x]) + torch().linalg.matrix_power(
              x + 3 * torch().eye(3, dtype=x.dtype), -2)),
]

SHAPES = [
    _same("np.ravel_moveaxis_rollaxis_swapaxes", lambda x: np.ravel(np.moveaxis(x, 0, -1))
          + np.rollaxis(x, 2).ravel() + np.swapaxes(x, 0, 1).ravel(), ((2, 3, 4),),
          scalar_ok=False, torch_fn=lambda x: x.movedim(0, -1).reshape(-1)
          + x.movedim(2, 0).reshape(-1) + x.swapaxes(0, 1).reshape(-1)),
    _same("np.flip_rot90_roll", lambda x: np.flip(x) + np.flipud(x) + np.fliplr(x)
          + np.rot90(x, 2) + np.roll(x, 1, 1), ((3, 4),), scalar_ok=False,
          torch_fn=lambda x: x.flip((0, 1)) + x.flipud() + x.fliplr() + x.rot90(2)
          + x.roll(1, 1)),
    _same("np.repeat_tile_resize", lambda x: np.repeat(x, 2, 1).sum(0) + np.tile(x, 2).sum(0)
          + np.resize(x, (2, 8)).sum(0), ((3, 4),), scalar_ok=False,
          torch_fn=lambda x: x.repeat_interleave(2, 1).sum(0) + x.repeat(1, 2).sum(0)
          + x.reshape(-1)[torch().arange(16) % 12].reshape(2, 8).sum(0)),
    _same("np.atleast", lambda x: np.atleast_1d(x).sum() + np.atleast_2d(x).sum()
          + np.atleast_3d(x).sum(), ((3,),), torch_fn=lambda x: 3 * x.sum()),
    _same("np.split_family", lambda x: np.split(x, 2, 1)[1] * np.array_split(x, 3, 1)[0]
          + np.hsplit(x, [1])[0] + np.vsplit(x, [2])[0].sum() + np.dsplit(x[..., None], 1)[0][
              ..., 0][:, :2], ((2, 4),), scalar_ok=False,
          torch_fn=lambda x: x[:, 2:] * x[:, :2] + x[:, :1] + x[:2].sum() + x[:, :2]),
    _same("np.stack_family", lambda x, y: np.hstack([x, y]).sum(0) + np.vstack([x, y]).sum(1)
          .sum() + np.dstack([x, y]).sum() + np.column_stack([x[0], y[0]]).sum()
          + np.concatenate([x, y], axis=None).sum() + np.stack([x, y], 1).sum(), ((2, 3), (2, 3)),
          scalar_ok=False, torch_fn=lambda x, y: torch().hstack([x, y]).sum(0)
          + torch().vstack([x, y]).sum() + torch().dstack([x, y]).sum() + x[0].sum()
          + y[0].sum() + x.sum() + y.sum() + x.sum() + y.sum()),
    _same("np.append_insert_delete", lambda x: np.append(x, x[:1], 0).sum(0) + np.insert(
        x, 1, 5.0, axis=1).sum(1)[:1] + np.delete(x, [0, 2], 1).sum() + np.insert(
        x, [0, 2], x[:, :2], axis=1).sum(1)[:1], ((3, 4),), scalar_ok=False),
    _same("np.take_compress_extract", lambda x: np.take(x, [5, 0, 5]).sum() + np.take(
        x, [1, -1], 1, mode="wrap").sum() + np.compress(CONDITION, x, 1).sum()
        + np.extract(x > 0, x).sum(), ((3, 4),), scalar_ok=False,
        torch_fn=lambda x: x.take(torch().tensor([5, 0, 5])).sum() + x[:, [1, 3]].sum()
        + x[:, torch().as_tensor(CONDITION)].sum() + x[x > 0].sum()),
    _same("np.take_along_axis", lambda x: np.take_along_axis(x, PICKS, 1), ((3, 4),),
          scalar_ok=False, torch_fn=lambda x: x.take_along_dim(torch().as_tensor(PICKS), 1)),
    _same("np.choose_select", lambda x, y: np.choose(PICKS % 2, [x, y]) + np.select(
        [x > 0.5, y < 0], [x * 2, y * 3], 0.25), ((3, 4), (3, 4)), scalar_ok=False),
    _same("np.sort_partition_unique", lambda x: np.sort(x, 0) + np.partition(x, 1)
          + np.sort(x, axis=None)[:4] + np.unique(x)[:4], ((3, 4),), scalar_ok=False),
    _same("np.argsort_searchsorted_times", lambda x: np.argsort(x, axis=None) * x.ravel()
          + np.searchsorted(SORTED_POINTS, x).ravel() * x.ravel()
          + np.argpartition(x, 1).ravel() * x.ravel(), ((3, 4),), scalar_ok=False,
          tags=frozenset({"casts"})),  # NumPy: int64 * float32 is float64; tapegrad: float32
    _same("np.pad_copying_modes", lambda x: sum(np.pad(x, ((2, 1), (3, 2)), mode) for mode in
                                                ("edge", "reflect", "symmetric", "wrap")),
          ((3, 4),), scalar_ok=False, torch_fn=lambda x: sum(torch().nn.functional.pad(
              x[None], (3, 2, 2, 1), mode)[0] for mode in ("replicate", "reflect", "circular"))
          + _torch_symmetric(x)),
    _same("np.pad_wider_than_the_axis", lambda x: sum(np.pad(x, ((5, 6), (7, 2)), mode) for
                                                      mode in ("reflect", "symmetric", "wrap")),
          ((3, 4),), scalar_ok=False),
    _same("np.pad_statistic_modes", lambda x: sum(np.pad(x, ((1, 2), (2, 1)), mode) for mode in
                                                  ("maximum", "minimum", "mean", "median"))
          + np.pad(x, ((1, 2), (2, 1)), "linear_ramp", end_values=1.5)
          + np.pad(x, ((1, 2), (2, 1)), constant_values=((1.0, 2.0), (3.0, 4.0))),
          ((3, 4),), scalar_ok=False),
    _same("np.broadcast_arrays_meshgrid", lambda x, y: sum(np.broadcast_arrays(x, y))
          + sum(np.meshgrid(x, y[0])).sum() + sum(np.meshgrid(x, y[0], indexing="ij")).sum(),
          ((3,), (2, 3)), scalar_ok=False,
          torch_fn=lambda x, y: sum(torch().broadcast_tensors(x, y))
          + sum(torch().meshgrid(x, y[0], indexing="xy")).sum()
          + sum(torch().meshgrid(x, y[0], indexing="ij")).sum()),
    _same("np.linspace_logspace_geomspace", lambda x, y: np.linspace(x, y, 5)
          + np.logspace(x, y, 5, base=2.0) + np.geomspace(x + 3, y + 3, 5), ((), ()),
          torch_fn=lambda x, y: torch().linspace(0, 1, 5, dtype=x.dtype) * (y - x) + x
          + 2.0 ** (torch().linspace(0, 1, 5, dtype=x.dtype) * (y - x) + x)
          + ((x + 3).log() + torch().linspace(0, 1, 5, dtype=x.dtype)
             * ((y + 3).log() - (x + 3).log())).exp()),
    _same("np.copy_like", lambda x: np.copy(x) * 2 + np.zeros_like(x) + np.ones_like(x)
          + np.full_like(x, 3.0) + 0 * np.empty_like(x), ((3, 4),),
          torch_fn=lambda x: x * 2 + 4.0),
]


def _torch_symmetric(x):
    """NumPy's symmetric padding of x by ((2, 1), (3, 2)) (PyTorch has no such mode), built
    by PyTorch's indexing."""
    rows = torch().as_tensor(np.pad(np.arange(x.shape[0]), (2, 1), "symmetric"))
    cols = torch().as_tensor(np.pad(np.arange(x.shape[1]), (3, 2), "symmetric"))
    return x[rows][:, cols]


def _tg():
    import tapegrad

    return tapegrad


# tg.* functions and tg.linalg under PyTorch's names and arguments: PyTorch is the reference.
PYTORCH_NAMES = [
    OpCase("tg.trigonometric", lambda x: _tg().tan(x) + _tg().asin(x / 3) + _tg().acos(x / 3)
           + _tg().atan(x) + _tg().sinh(x) * _tg().cosh(x) + _tg().asinh(x)
           + _tg().acosh(x * x + 1.5) + _tg().atanh(x / 3) + _tg().atan2(x, x + 3)
           + _tg().hypot(x, x + 3), None, ((3, 4),), -1.2, 1.2,
           torch_fn=lambda x: x.tan() + (x / 3).asin() + (x / 3).acos() + x.atan()
           + x.sinh() * x.cosh() + x.asinh() + (x * x + 1.5).acosh() + (x / 3).atanh()
           + x.atan2(x + 3) + x.hypot(x + 3)),
    OpCase("tg.logarithms", lambda x, y: _tg().log2(x) + _tg().log10(x) + _tg().logaddexp(x, y)
           + _tg().logaddexp2(x, y) + _tg().deg2rad(x) + _tg().rad2deg(y) + _tg().sinc(y)
           + _tg().fmax(x, y) + _tg().fmin(x, y) + _tg().copysign(x, y), None,
           ((3, 4), (3, 4)), 0.5, 2.0, torch_fn=lambda x, y: x.log2() + x.log10()
           + x.logaddexp(y) + x.logaddexp2(y) + x.deg2rad() + y.rad2deg() + y.sinc()
           + x.fmax(y) + x.fmin(y) + x.copysign(y), broadcast_shapes=((3, 1), (4,))),
    OpCase("tg.tensordot_kron_inner_cross", lambda x, y: _tg().tensordot(x, y, dims=([0], [0]))
           .sum() + _tg().kron(x, y).sum() + _tg().inner(x, y).sum()
           + _tg().cross(x, y).sum() + _tg().vdot(x[0], y[0]), None, ((3, 3), (3, 3)),
           scalar_ok=False, torch_fn=lambda x, y: torch().tensordot(x, y, dims=([0], [0])).sum()
           + torch().kron(x, y).sum() + torch().inner(x, y).sum()
           + torch().cross(x, y, dim=0).sum() + torch().vdot(x[0], y[0])),
    OpCase("tg.stacking", lambda x, y: _tg().hstack([x, y]).sum(0)[:4] + _tg().vstack([x, y]).sum(0)
           + _tg().dstack([x, y]).sum((0, 2)) + _tg().column_stack([x, y]).sum(0)[:4]
           + _tg().ravel(x)[:4] + _tg().take(x, np.array([0, 5, 6, 11]))
           + sum(_tg().meshgrid(x[0], y[:, 0])).sum(1)[:4].sum()
           + _tg().atleast_3d(x).sum((0, 2)) + _tg().hsplit(x, 2)[1].sum()
           + _tg().quantile(x, 0.3, dim=0) + sum(_tg().broadcast_tensors(x[:1], y)).sum(0),
           None, ((3, 4), (3, 4)), scalar_ok=False,
           torch_fn=lambda x, y: torch().hstack([x, y]).sum(0)[:4] + torch().vstack([x, y]).sum(0)
           + torch().dstack([x, y]).sum((0, 2)) + torch().column_stack([x, y]).sum(0)[:4]
           + torch().ravel(x)[:4] + torch().take(x, torch().tensor([0, 5, 6, 11]))
           + sum(torch().meshgrid(x[0], y[:, 0], indexing="ij")).sum(1)[:4].sum()
           + torch().atleast_3d(x).sum((0, 2)) + torch().hsplit(x, 2)[1].sum()
           + torch().quantile(x, 0.3, dim=0) + sum(torch().broadcast_tensors(x[:1], y)).sum(0)),
    OpCase("tg.linalg", lambda x, b: _tg().linalg.solve(x + 3 * EYE3, b) .sum()
           + _tg().linalg.inv(x + 3 * EYE3).sum() + _tg().linalg.det(x + 3 * EYE3)
           + _tg().linalg.slogdet(x + 3 * EYE3)[1] + _tg().linalg.pinv(x).sum()
           + _tg().linalg.cholesky(_sym(x), upper=True).sum()
           + _tg().linalg.qr(x)[1].sum() + _tg().linalg.eigvalsh(_sym(x)).sum()
           + _tg().linalg.svdvals(x).sum() + _tg().linalg.vector_norm(x, 3, dim=(0, 1))
           + _tg().linalg.matrix_norm(x, "nuc") + _tg().linalg.norm(x[0])
           + _tg().linalg.matrix_power(x, 2).sum() + _tg().linalg.multi_dot([x, x, b[0]]).sum()
           + _tg().linalg.cross(x, b[:3]).sum(), None, ((3, 3), (3, 3)), scalar_ok=False,
           tags=frozenset({"casts"}),
           torch_fn=lambda x, b: torch().linalg.solve(x + 3 * torch().eye(3, dtype=x.dtype), b)
           .sum() + torch().linalg.inv(x + 3 * torch().eye(3, dtype=x.dtype)).sum()
           + torch().linalg.det(x + 3 * torch().eye(3, dtype=x.dtype))
           + torch().linalg.slogdet(x + 3 * torch().eye(3, dtype=x.dtype))[1]
           + torch().linalg.pinv(x).sum() + torch().linalg.cholesky(_sym(x), upper=True).sum()
           + torch().linalg.qr(x)[1].sum() + torch().linalg.eigvalsh(_sym(x)).sum()
           + torch().linalg.svdvals(x).sum() + torch().linalg.vector_norm(x, 3, dim=(0, 1))
           + torch().linalg.matrix_norm(x, "nuc") + torch().linalg.norm(x[0])
           + torch().linalg.matrix_power(x, 2).sum()
           + torch().linalg.multi_dot([x, x, b[0]]).sum()
           + torch().linalg.cross(x, b[:3]).sum()),
]


# The same math as Tensor methods, PyTorch's names (and NumPy's aliases where PyTorch has them).
PYTORCH_NAMES.append(OpCase(
    "Tensor.trigonometric_methods", lambda x, y: x.tan() + (x / 3).asin() + (x / 3).arccos()
    + x.atan() + x.sinh() * x.cosh() + x.arcsinh() + (x * x + 1.5).acosh() + (x / 3).atanh()
    + x.atan2(y) + x.arctan2(y + 3) + x.hypot(y) + (y + 3).log2() + (y + 3).log10()
    + x.logaddexp(y) + x.logaddexp2(y), None, ((3, 4), (3, 4)), -1.2, 1.2,
    torch_fn=lambda x, y: x.tan() + (x / 3).asin() + (x / 3).arccos() + x.atan()
    + x.sinh() * x.cosh() + x.arcsinh() + (x * x + 1.5).acosh() + (x / 3).atanh()
    + x.atan2(y) + x.arctan2(y + 3) + x.hypot(y) + (y + 3).log2() + (y + 3).log10()
    + x.logaddexp(y) + x.logaddexp2(y), broadcast_shapes=((3, 1), (4,))))

ROWS = ELEMENTWISE + REDUCTIONS + LINALG + SHAPES + PYTORCH_NAMES
