"""Op-table rows for PyTorch's reductions, sorting, cumulative ops and matrix products.

See op_table.py for what each row drives. Rows whose op returns a named tuple take one of
its fields; rows whose op returns indices (argsort) multiply them into a differentiable value.

Where PyTorch's choice among equal values is not the one tapegrad makes (which of two equal
elements ``topk`` and ``kthvalue`` pick: PyTorch promises none), the row adds SPREAD, distinct
offsets, so that no two inputs the fuzz draws tie; tests/test_torch_reductions.py checks ties
there. The p = 2 norms take positive inputs: at a zero vector PyTorch's second derivative is
nan and tapegrad's 0 (there is none; see test_torch_reductions).
"""

from __future__ import annotations

import numpy as np
from op_case import OpCase

import tapegrad as tg

SPREAD = np.array([0.0, 0.31830988618379067, 0.6366197723675813, -0.15915494309189535])
INF = float("inf")


def _torch():
    import torch

    return torch


def _spread(x, column: bool = False):
    """SPREAD in x's dtype, along x's last axis (or down a column), for tapegrad, NumPy or
    torch tensors alike."""
    spread = SPREAD[:, None] if column else SPREAD
    if isinstance(x, (np.ndarray, tg.Tensor)):
        return spread.astype(x.dtype)
    return _torch().as_tensor(spread).to(x.dtype)


def _lower_median(x):
    ordered = np.sort(x, axis=None)
    return ordered[(ordered.size - 1) // 2] if ordered.size else np.float64(np.nan)


def _pairwise(x1, x2, p):
    """cdist, as PyTorch computes it from a norm (its own cdist has no second derivative)."""
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p=p, dim=-1)


ROWS: list = [
    # extremes: max/min along a dim are named tuples; amax/amin split ties evenly
    OpCase("max_dim_values", lambda x: x.max(dim=1).values, lambda x: x.max(axis=1),
           ((3, 4),), scalar_ok=False, torch_fn=lambda x: x.max(dim=1).values),
    OpCase("min_dim_keepdim_values", lambda x: x.min(0, True).values,
           lambda x: x.min(axis=0, keepdims=True), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.min(0, True).values),
    OpCase("max_other", lambda x, y: x.max(y), np.maximum, ((3, 4), (3, 4)),
           broadcast_shapes=((3, 1), (4,)), torch_fn=lambda x, y: x.max(y)),
    OpCase("amax_dim", lambda x: x.amax(dim=1), lambda x: x.max(axis=1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.amax(dim=1)),
    OpCase("amin_dims_keepdim", lambda x: x.amin(dim=(0, -1), keepdim=True),
           lambda x: x.min(axis=(0, 2), keepdims=True), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.amin(dim=(0, -1), keepdim=True)),
    OpCase("aminmax", lambda x: (lambda r: r.min * 2 + r.max)(x.aminmax(dim=0)),
           lambda x: x.min(axis=0) * 2 + x.max(axis=0), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: (lambda r: r.min * 2 + r.max)(x.aminmax(dim=0))),
    # sorting and ranks: values gathered at the indices
    OpCase("sort_descending", lambda x: x.sort(dim=1, descending=True).values,
           lambda x: -np.sort(-x, axis=1), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.sort(dim=1, descending=True).values),
    OpCase("sort_values_times_argsort", lambda x: x.sort(0).values * x.argsort(0),
           lambda x: np.sort(x, axis=0) * np.argsort(x, axis=0, kind="stable"), ((4, 3),),
           scalar_ok=False, torch_fn=lambda x: x.sort(0).values * x.argsort(0)),
    OpCase("topk", lambda x: (x + _spread(x)).topk(2, dim=1).values,
           lambda x: -np.sort(-(x + SPREAD), axis=1)[:, :2], ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: (x + _spread(x)).topk(2, dim=1).values),
    OpCase("topk_smallest_dim0", lambda x: (x + _spread(x, True)).topk(3, 0, largest=False)[0],
           lambda x: np.sort(x + SPREAD[:, None], axis=0)[:3], ((4, 3),), scalar_ok=False,
           torch_fn=lambda x: (x + _spread(x, True)).topk(3, 0, largest=False)[0]),
    OpCase("kthvalue_keepdim", lambda x: (x + _spread(x)).kthvalue(2, dim=-1, keepdim=True)[0],
           lambda x: np.sort(x + SPREAD, axis=-1)[:, 1:2], ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: (x + _spread(x)).kthvalue(2, dim=-1, keepdim=True)[0]),
    OpCase("median", lambda x: x.median(), _lower_median, ((3, 4),),
           torch_fn=lambda x: x.median()),
    OpCase("median_dim", lambda x: x.median(dim=0).values, lambda x: np.sort(x, axis=0)[1],
           ((4, 3),), scalar_ok=False, torch_fn=lambda x: x.median(dim=0).values),
    OpCase("mode", lambda x: x.mode(dim=1).values, lambda x: x.min(axis=1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.mode(dim=1).values),
    # cumulative
    OpCase("cumsum", lambda x: x.cumsum(dim=1), lambda x: np.cumsum(x, axis=1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.cumsum(dim=1)),
    OpCase("cumprod", lambda x: x.cumprod(0), lambda x: np.cumprod(x, axis=0), ((4, 3),),
           0.5, 1.5, scalar_ok=False, torch_fn=lambda x: x.cumprod(0)),
    OpCase("logcumsumexp", lambda x: x.logcumsumexp(-1),
           lambda x: np.logaddexp.accumulate(x, axis=-1), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.logcumsumexp(-1)),
    # spreads and norms
    OpCase("var_unbiased_default", lambda x: x.var(dim=1), lambda x: x.var(axis=1, ddof=1),
           ((3, 4),), scalar_ok=False, torch_fn=lambda x: x.var(dim=1)),
    OpCase("std_correction", lambda x: x.std(dim=(0, 1), correction=2),
           lambda x: x.std(axis=(0, 1), ddof=2), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.std(dim=(0, 1), correction=2)),
    OpCase("norm", lambda x: x.norm(), lambda x: np.sqrt(np.sum(x * x)), ((3, 4),), 0.5, 2.0,
           torch_fn=lambda x: x.norm()),
    OpCase("norm_p3_dim_keepdim", lambda x: x.norm(p=3, dim=1, keepdim=True),
           lambda x: np.sum(np.abs(x) ** 3, axis=1, keepdims=True) ** (1 / 3), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.norm(p=3, dim=1, keepdim=True)),
    OpCase("norm_inf_dims", lambda x: x.norm(p=INF, dim=(0, 2)),
           lambda x: np.abs(x).max(axis=(0, 2)), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.norm(p=INF, dim=(0, 2))),
    OpCase("norm_p1_dim", lambda x: x.norm(1, 0), lambda x: np.abs(x).sum(axis=0), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.norm(1, 0)),
    OpCase("dist", lambda x, y: x.dist(y + 3.0), lambda x, y: np.sqrt(np.sum((x - y - 3) ** 2)),
           ((3, 4), (3, 4)), broadcast_shapes=((3, 4), (4,)),
           torch_fn=lambda x, y: x.dist(y + 3.0)),
    OpCase("renorm", lambda x: x.renorm(2, 0, 2.5), None, ((3, 4),), 0.5, 2.0, scalar_ok=False,
           torch_fn=lambda x: x.renorm(2, 0, 2.5)),
    # sums and means
    OpCase("nansum_dim", lambda x: x.nansum(dim=1), lambda x: np.nansum(x, axis=1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.nansum(dim=1)),
    OpCase("nanmean", lambda x: x.nanmean(), np.nanmean, ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.nanmean()),
    OpCase("sum_dtype_float64", lambda x: x.sum(dim=0, dtype=tg.float64),
           lambda x: x.sum(axis=0, dtype=np.float64), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.sum(dim=0, dtype=_torch().float64), tags=frozenset({"casts"})),
    # matrix products
    OpCase("trace", lambda x: x.trace(), np.trace, ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.trace()),
    OpCase("mm", lambda x, y: x.mm(y), np.matmul, ((3, 4), (4, 2)), scalar_ok=False,
           torch_fn=lambda x, y: x.mm(y)),
    OpCase("bmm", lambda x, y: x.bmm(y), np.matmul, ((2, 3, 4), (2, 4, 2)), scalar_ok=False,
           torch_fn=lambda x, y: x.bmm(y)),
    OpCase("mv", lambda x, y: x.mv(y), np.matmul, ((3, 4), (4,)), scalar_ok=False,
           torch_fn=lambda x, y: x.mv(y)),
    OpCase("dot", lambda x, y: x.dot(y), np.dot, ((4,), (4,)), scalar_ok=False,
           torch_fn=lambda x, y: x.dot(y)),
    OpCase("outer", lambda x, y: x.outer(y), np.outer, ((3,), (4,)), scalar_ok=False,
           torch_fn=lambda x, y: x.outer(y)),
    OpCase("addmm", lambda x, a, b: x.addmm(a, b, beta=0.5, alpha=2.0),
           lambda x, a, b: 0.5 * x + 2.0 * (a @ b), ((3, 1), (3, 4), (4, 2)), scalar_ok=False,
           torch_fn=lambda x, a, b: x.addmm(a, b, beta=0.5, alpha=2.0)),
    OpCase("einsum_chain", lambda a, b, c: tg.einsum("ij,jk,kl->il", a, b, c),
           lambda a, b, c: a @ b @ c, ((2, 3), (3, 4), (4, 2)), scalar_ok=False,
           torch_fn=lambda a, b, c: _torch().einsum("ij,jk,kl->il", a, b, c)),
    OpCase("einsum_bilinear_implicit", lambda a, w, b: tg.einsum("bn,anm,bm", a, w, b),
           lambda a, w, b: np.einsum("bn,anm,bm", a, w, b), ((2, 3), (4, 3, 2), (2, 2)),
           scalar_ok=False, torch_fn=lambda a, w, b: _torch().einsum("bn,anm,bm", a, w, b)),
    OpCase("einsum_unary", lambda x: tg.einsum("ijk->ki", x), lambda x: x.sum(axis=1).T,
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: _torch().einsum("ijk->ki", x)),
    OpCase("cdist", lambda x1, x2: tg.cdist(x1, x2 + 3.0), None, ((3, 2), (4, 2)),
           scalar_ok=False, torch_fn=lambda x1, x2: _pairwise(x1, x2 + 3.0, 2)),
    OpCase("cdist_p1_batched", lambda x1, x2: tg.cdist(x1, x2, p=1), None,
           ((2, 3, 2), (1, 4, 2)), scalar_ok=False,
           torch_fn=lambda x1, x2: _pairwise(x1, x2, 1)),
]
