"""Op-table rows for PyTorch's shape and indexing methods (view, flip, roll, tril, scatter, ...).

See op_table.py for what each row drives. Axes are negative in some rows and positive in
others, so both spellings go through every test; the index arrays are constants of the rows.
"""

from __future__ import annotations

import numpy as np
from op_case import OpCase

import tapegrad as tg

SELECTED = np.array([2, 0, 2])  # index_select: a repeated position, out of order
ROW_MASK = np.array([[True], [False], [True]])  # masked_select, broadcast over the columns
GRID_MASK = np.array([[True, False, True, True], [False, False, True, False],
                      [True, True, False, False]])
SCATTERED = np.array([[0, 2], [1, 0]])  # scatter along the columns: no position twice per row
SCATTERED_ROWS = np.array([[2, 0, 1, 1]])  # scatter along the rows, one row of positions
ADDED = np.array([[0, 0, 3], [1, 3, 3]])  # scatter_add: repeated positions add up
TAKEN = np.array([[0], [3], [1]])  # take_along_dim from one row, broadcast to three
FLAT_TAKEN = np.array([11, 0, 5, 5])
REPEATS = np.array([1, 0, 2])  # repeat_interleave: a row dropped, a row twice


def _torch(array):
    """A NumPy constant as a torch tensor, imported only where the parity tests run."""
    import torch

    return torch.as_tensor(array)


def _torch_cat(tensors, dim):
    import torch

    return torch.cat(tensors, dim)


def _scatter_rows(x, value):
    """NumPy's x.scatter(0, SCATTERED_ROWS, value): column j gets value at row index[0][j]."""
    y = x.copy()
    y[SCATTERED_ROWS[0], np.arange(SCATTERED_ROWS.shape[1])] = value
    return y


def _masked(x, mask):
    shape = np.broadcast_shapes(x.shape, mask.shape)
    return np.broadcast_to(x, shape)[np.broadcast_to(mask, shape)]


ROWS = [
    # views and transposes
    OpCase("view", lambda x: x.view(4, -1), lambda x: x.reshape(4, -1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.view(4, -1)),
    OpCase("view_as_reshape_as", lambda x: x.view_as(tg.zeros(2, 6)) * 2
           + x.reshape_as(np.zeros((2, 6))), lambda x: 3 * x.reshape(2, 6), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.view_as(x.new_zeros(2, 6)) * 2
           + x.reshape_as(x.new_zeros(2, 6))),
    OpCase("expand_as", lambda x: x.expand_as(tg.zeros(2, 3, 4)) * 1,
           lambda x: np.broadcast_to(x, (2, 3, 4)), ((3, 1),), scalar_ok=False,
           torch_fn=lambda x: x.expand_as(x.new_zeros(2, 3, 4)) * 1),
    OpCase("t", lambda x: x.t(), lambda x: x.T, ((3, 4),), torch_fn=lambda x: x.t()),
    OpCase("t_1d", lambda x: x.t(), lambda x: x, ((4,),), torch_fn=lambda x: x.t()),
    OpCase("mT_mH", lambda x: x.mT * 2 + x.mH, lambda x: 3 * x.swapaxes(-1, -2),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.mT * 2 + x.mH),
    OpCase("swapdims", lambda x: x.swapdims(-1, 0), lambda x: x.swapaxes(-1, 0), ((2, 3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.swapdims(-1, 0)),
    OpCase("movedim", lambda x: x.movedim((0, -2), (2, 0)),
           lambda x: np.moveaxis(x, (0, -2), (2, 0)), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.movedim((0, -2), (2, 0))),
    OpCase("moveaxis", lambda x: x.moveaxis(-1, 0), lambda x: np.moveaxis(x, -1, 0),
           ((2, 3, 4),), scalar_ok=False, torch_fn=lambda x: x.moveaxis(-1, 0)),
    OpCase("unflatten", lambda x: x.unflatten(-1, (2, -1)), lambda x: x.reshape(3, 2, 2),
           ((3, 4),), scalar_ok=False, torch_fn=lambda x: x.unflatten(-1, (2, -1))),
    # slices
    OpCase("narrow", lambda x: x.narrow(-1, -3, 2), lambda x: x[:, 1:3], ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.narrow(-1, -3, 2)),
    OpCase("select", lambda x: x.select(1, -1) * 2 + x.select(-2, 0)[:3],
           lambda x: x[:, -1] * 2 + x[0, :3], ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.select(1, -1) * 2 + x.select(-2, 0)[:3]),
    OpCase("unbind", lambda x: x.unbind(1)[2] * 2 + x.unbind(-1)[0],
           lambda x: x[:, 2] * 2 + x[:, 0], ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.unbind(1)[2] * 2 + x.unbind(-1)[0]),
    OpCase("tensor_split_sections", lambda x: tg.cat(x.tensor_split(3, dim=-1)[::-1], dim=1),
           lambda x: np.concatenate([x[:, 3:], x[:, 2:3], x[:, :2]], axis=1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: _torch_cat(x.tensor_split(3, dim=-1)[::-1], 1)),
    OpCase("tensor_split_indices", lambda x: tg.cat(x.tensor_split([1, 3])[::-1]),
           lambda x: np.concatenate([x[3:], x[1:3], x[:1]]), ((4, 3),), scalar_ok=False,
           torch_fn=lambda x: _torch_cat(x.tensor_split([1, 3])[::-1], 0)),
    # picking and placing by index
    OpCase("index_select", lambda x: x.index_select(-1, SELECTED),
           lambda x: np.take(x, SELECTED, axis=-1), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.index_select(-1, _torch(SELECTED))),
    OpCase("masked_select", lambda x: x.masked_select(ROW_MASK),
           lambda x: _masked(x, ROW_MASK), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.masked_select(_torch(ROW_MASK))),
    OpCase("masked_select_broadcast_input", lambda x: x.masked_select(tg.tensor(GRID_MASK)),
           lambda x: _masked(x, GRID_MASK), ((4,),), scalar_ok=False,
           torch_fn=lambda x: x.masked_select(_torch(GRID_MASK))),
    OpCase("scatter", lambda x, src: x.scatter(-1, SCATTERED, src), None, ((3, 4), (2, 2)),
           scalar_ok=False, torch_fn=lambda x, src: x.scatter(-1, _torch(SCATTERED), src)),
    OpCase("scatter_value", lambda x: x.scatter(0, SCATTERED_ROWS, 1.5),
           lambda x: _scatter_rows(x, 1.5), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.scatter(0, _torch(SCATTERED_ROWS), 1.5)),
    OpCase("scatter_add", lambda x, src: x.scatter_add(1, ADDED, src), None, ((3, 4), (2, 3)),
           scalar_ok=False, torch_fn=lambda x, src: x.scatter_add(1, _torch(ADDED), src)),
    OpCase("gather_smaller_index", lambda x: x.gather(1, SCATTERED),
           lambda x: np.take_along_axis(x[:2], SCATTERED, 1), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.gather(1, _torch(SCATTERED))),
    OpCase("take_along_dim", lambda x: x.take_along_dim(TAKEN, dim=-1),
           lambda x: np.take_along_axis(np.broadcast_to(x, (3, 4)), TAKEN, -1), ((1, 4),),
           scalar_ok=False, torch_fn=lambda x: x.take_along_dim(_torch(TAKEN), dim=-1)),
    OpCase("take_along_dim_flat", lambda x: x.take_along_dim(tg.tensor(FLAT_TAKEN)),
           lambda x: x.reshape(-1)[FLAT_TAKEN], ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.take_along_dim(_torch(FLAT_TAKEN))),
    # repeats
    OpCase("repeat_interleave", lambda x: x.repeat_interleave(REPEATS, dim=-2),
           lambda x: np.repeat(x, REPEATS, axis=-2), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.repeat_interleave(_torch(REPEATS), dim=-2)),
    OpCase("repeat_interleave_flat", lambda x: x.repeat_interleave(2),
           lambda x: np.repeat(x, 2), ((3, 2),), scalar_ok=False,
           torch_fn=lambda x: x.repeat_interleave(2)),
    OpCase("tile_fewer_dims", lambda x: x.tile(2), lambda x: np.tile(x, 2), ((3, 2),),
           scalar_ok=False, torch_fn=lambda x: x.tile(2)),
    # structure
    OpCase("flip", lambda x: x.flip(0, -1), lambda x: np.flip(x, (0, -1)), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.flip(0, -1)),
    OpCase("flip_first", lambda x: x.flip(dims=(0,)), lambda x: np.flip(x, 0) if x.ndim else x,
           ((3, 4),), torch_fn=lambda x: x.flip(dims=(0,))),
    OpCase("fliplr_flipud", lambda x: x.fliplr() * 2 + x.flipud(),
           lambda x: np.fliplr(x) * 2 + np.flipud(x), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.fliplr() * 2 + x.flipud()),
    OpCase("roll", lambda x: x.roll((1, -1, 2), (0, 1, -1)),
           lambda x: np.roll(x, (1, -1, 2), (0, 1, -1)), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.roll((1, -1, 2), (0, 1, -1))),
    OpCase("roll_flat", lambda x: x.roll(5), lambda x: np.roll(x, 5), ((3, 4),),
           torch_fn=lambda x: x.roll(5)),
    OpCase("rot90", lambda x: x.rot90(), lambda x: np.rot90(x), ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.rot90()),
    OpCase("rot90_back_dims_negative", lambda x: x.rot90(-1, (-1, 0)),
           lambda x: np.rot90(x, -1, (-1, 0)), ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.rot90(-1, (-1, 0))),
    OpCase("rot90_half_and_whole", lambda x: x.rot90(2) * 2 + x.rot90(4),
           lambda x: np.rot90(x, 2) * 2 + x, ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.rot90(2) * 2 + x.rot90(4)),
    OpCase("tril", lambda x: x.tril(), np.tril, ((2, 3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.tril()),
    OpCase("triu_tril_offsets", lambda x: x.triu(1) + 3 * x.tril(diagonal=-2),
           lambda x: np.triu(x, 1) + 3 * np.tril(x, -2), ((4, 3),), scalar_ok=False,
           torch_fn=lambda x: x.triu(1) + 3 * x.tril(diagonal=-2)),
    OpCase("diag_of_vector", lambda x: x.diag(1), lambda x: np.diag(x, 1), ((3,),),
           scalar_ok=False, torch_fn=lambda x: x.diag(1)),
    OpCase("diag_of_matrix", lambda x: x.diag(-1), lambda x: np.diag(x, -1), ((3, 4),),
           scalar_ok=False, torch_fn=lambda x: x.diag(-1)),
    OpCase("diagonal", lambda x: x.diagonal(1, 2, 0), lambda x: np.diagonal(x, 1, 2, 0),
           ((3, 2, 4),), scalar_ok=False, torch_fn=lambda x: x.diagonal(1, 2, 0)),
    OpCase("diagonal_dims_negative", lambda x: x.diagonal(offset=-1, dim1=-1, dim2=1),
           lambda x: np.diagonal(x, -1, -1, 1), ((3, 2, 4),), scalar_ok=False,
           torch_fn=lambda x: x.diagonal(offset=-1, dim1=-1, dim2=1)),
    OpCase("diag_embed", lambda x: x.diag_embed(), None, ((2, 3),), scalar_ok=False,
           torch_fn=lambda x: x.diag_embed()),
    OpCase("diag_embed_offset_dims", lambda x: x.diag_embed(1, 2, 0), None, ((2, 3),),
           scalar_ok=False, torch_fn=lambda x: x.diag_embed(1, 2, 0)),
    OpCase("diff", lambda x: x.diff(), np.diff, ((3, 4),), scalar_ok=False,
           torch_fn=lambda x: x.diff()),
    OpCase("diff_prepend_append", lambda x, before, after: x.diff(2, 0, before, after),
           lambda x, before, after: np.diff(x, 2, 0, prepend=before, append=after),
           ((3, 4), (1, 4), (2, 4)), scalar_ok=False,
           torch_fn=lambda x, before, after: x.diff(2, 0, before, after)),
]
