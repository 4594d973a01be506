"""Sequences of different lengths, as ``torch.nn.utils.rnn``: pad them into one batch, and
pack a padded batch so that a recurrent layer runs each sequence only for its own length.

A PackedSequence keeps the steps of all sequences time-major, longest sequence first:
``data`` holds step 0 of every sequence, then step 1 of those at least 2 long, and so on, and
``batch_sizes[t]`` says how many sequences are still running at step t.

>>> import tapegrad as tg
>>> padded = pad_sequence([tg.ones(3, 2), tg.ones(1, 2)])
>>> packed = pack_padded_sequence(padded, [3, 1])
>>> packed.batch_sizes.tolist()
[2, 1, 1]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from tapegrad.nn import functional as F
from tapegrad.routines import as_tensor, cat, stack
from tapegrad.tensor import Tensor

__all__ = ["PackedSequence", "pad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence"]


class PackedSequence(NamedTuple):
    """The steps of several sequences, time-major and longest first (see the module's text):
    ``data`` (sum of lengths, *), ``batch_sizes`` (int64, one per step), and the permutation
    from the caller's order to the sorted one (``sorted_indices``) and back
    (``unsorted_indices``), None when the caller's order was already sorted.

    >>> import tapegrad as tg
    >>> pack_sequence([tg.ones(2, 1), tg.ones(1, 1)]).data.shape
    (3, 1)
    """

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def _indices(values) -> Tensor | None:
    return None if values is None else Tensor(np.asarray(values, dtype=np.int64))


def _array(values) -> np.ndarray:
    return np.asarray(values.data if isinstance(values, Tensor) else values)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors of shape (L_i, *) into (max L, B, *) (or (B, max L, *)), padding the
    shorter ones with ``padding_value``.

    >>> import tapegrad as tg
    >>> pad_sequence([tg.ones(2), tg.ones(1)], batch_first=True).data.tolist()
    [[1.0, 1.0], [1.0, 0.0]]
    """
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'right' or 'left', "
                         f"got {padding_side!r}")
    sequences = [as_tensor(sequence) for sequence in sequences]
    if not sequences:
        raise ValueError("pad_sequence: expected at least one sequence, got none")
    trailing = {sequence.shape[1:] for sequence in sequences}
    if len(trailing) > 1 or sequences[0].ndim == 0:
        raise ValueError("pad_sequence: sequences must be (L, *) with the same trailing shape, "
                         f"got shapes {[s.shape for s in sequences]}")
    longest = max(sequence.shape[0] for sequence in sequences)
    padded = []
    for sequence in sequences:
        missing = longest - sequence.shape[0]
        before, after = (0, missing) if padding_side == "right" else (missing, 0)
        # F.pad counts its pairs from the last axis: (0, 0) for each trailing one
        pairs = (0, 0) * (sequence.ndim - 1) + (before, after)
        padded.append(F.pad(sequence, pairs, value=padding_value))
    return stack(padded, dim=0 if batch_first else 1)


def _lengths_array(lengths, batch: int, op: str) -> np.ndarray:
    lengths = _array(lengths)
    if lengths.ndim != 1 or lengths.shape[0] != batch or lengths.dtype.kind not in "iu":
        raise ValueError(f"{op}: expected {batch} integer lengths (one per sequence), "
                         f"got {lengths.tolist()}")
    return lengths.astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *)) whose sequence b is ``lengths[b]`` long.
    With ``enforce_sorted`` the lengths must be decreasing; otherwise they are sorted here and
    the permutation kept so that unpacking restores the caller's order.

    >>> import tapegrad as tg
    >>> pack_padded_sequence(tg.ones(3, 2, 1), [1, 3], enforce_sorted=False).batch_sizes
    tensor([2, 1, 1])
    """
    input = as_tensor(input)
    if input.ndim < 2:
        raise ValueError(f"pack_padded_sequence: expected input of at least 2 dimensions "
                         f"(T, B, *), got shape {input.shape}")
    if batch_first:
        input = input.transpose(0, 1)
    steps, batch = input.shape[:2]
    lengths = _lengths_array(lengths, batch, "pack_padded_sequence")
    if lengths.size and (lengths.min() <= 0 or lengths.max() > steps):
        raise ValueError(f"pack_padded_sequence: every length must be in [1, {steps}] "
                         f"(the padded length), got {lengths.tolist()}")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError(
                f"pack_padded_sequence: lengths {lengths.tolist()} are not sorted in "
                "decreasing order; sort them or pass enforce_sorted=False")
        sorted_indices = unsorted_indices = None
        order = np.arange(batch)
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices, unsorted_indices = order, np.argsort(order)
    sorted_lengths = lengths[order]
    batch_sizes = (np.arange(steps)[:, None] < sorted_lengths[None, :]).sum(axis=1)
    batch_sizes = batch_sizes[batch_sizes > 0].astype(np.int64)
    rows = packed_rows(batch_sizes, sorted_indices, batch)
    flat = input.reshape((steps * batch,) + tuple(input.shape[2:]))
    return PackedSequence(flat[rows], Tensor(batch_sizes), _indices(sorted_indices),
                          _indices(unsorted_indices))


def packed_rows(batch_sizes, sorted_indices, batch: int) -> np.ndarray:
    """For each row of a packed ``data``, its row in the padded batch flattened to
    (T * B, *): row t * B + sorted_indices[b] for step t and the b-th longest sequence.

    >>> packed_rows(np.array([2, 1]), None, 2).tolist()
    [0, 1, 2]
    """
    order = np.arange(batch) if sorted_indices is None else _array(sorted_indices)
    return np.concatenate([t * batch + order[:size]
                           for t, size in enumerate(_array(batch_sizes))]).astype(np.int64)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length=None) -> tuple:
    """Undo ``pack_padded_sequence``: the padded batch, in the caller's order, and the
    lengths (int64).

    >>> import tapegrad as tg
    >>> padded, lengths = pad_packed_sequence(pack_sequence([tg.ones(2), tg.ones(1)]))
    >>> padded.shape, lengths.tolist()
    ((2, 2), [2, 1])
    """
    data, batch_sizes = sequence.data, _array(sequence.batch_sizes)
    steps, batch = len(batch_sizes), int(batch_sizes[0]) if len(batch_sizes) else 0
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"pad_packed_sequence: total_length {total_length} is shorter "
                             f"than the longest sequence ({steps} steps)")
        steps = total_length
    sorted_lengths = (np.arange(len(batch_sizes))[None, :] < batch_sizes[:, None]).sum(axis=0)
    sorted_lengths = sorted_lengths[:batch]
    unsorted = (np.arange(batch) if sequence.unsorted_indices is None
                else _array(sequence.unsorted_indices))
    # padded[t, b] is packed row offset[t] + position of b in the sorted order, or the
    # padding row appended after the data
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]]).astype(np.int64)
    padding_row = data.shape[0]
    rows = np.full((steps, batch), padding_row, dtype=np.int64)
    for t in range(len(batch_sizes)):
        running = unsorted < batch_sizes[t]
        rows[t, running] = offsets[t] + unsorted[running]
    filler = np.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    padded = cat([data, Tensor(filler)], dim=0)[rows]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, Tensor(sorted_lengths[unsorted].astype(np.int64))


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors (L_i, *) directly: ``pad_sequence`` then
    ``pack_padded_sequence``.

    >>> import tapegrad as tg
    >>> pack_sequence([tg.ones(1), tg.ones(2)], enforce_sorted=False).batch_sizes.tolist()
    [2, 1]
    """
    lengths = [as_tensor(sequence).shape[0] for sequence in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)
