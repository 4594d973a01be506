"""``F.scaled_dot_product_attention``: PyTorch's function over the fused attention op, with
its masks (bool or float), ``is_causal``, dropout, ``scale`` and grouped-query heads.

It lives apart from ``functional.py`` so that the attention layers, which use ``functional``,
and ``functional``, which re-exports this function, do not import each other.
"""

from __future__ import annotations

import numpy as np

from tapegrad import random
from tapegrad.ops.attention import ScaledDotProductAttention
from tapegrad.routines import as_tensor
from tapegrad.tensor import Tensor


def additive_mask(mask, dtype, allowed_when_true: bool):
    """A mask as what the scores add: a float mask as it is, a bool one as 0 where attention
    is allowed and -inf where it is not. ``allowed_when_true`` says which a bool mask's True
    means (True allows in scaled_dot_product_attention, True masks out in the layers).

    >>> additive_mask(np.array([True, False]), np.float64, True).tolist()
    [0.0, -inf]
    """
    if mask is None:
        return None
    values = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if values.dtype == np.bool_:
        allowed = values if allowed_when_true else ~values
        return np.where(allowed, 0.0, -np.inf).astype(dtype)
    if values.dtype.kind != "f":
        raise TypeError(f"attention: a mask must be bool or floating point, got {values.dtype}")
    return mask if isinstance(mask, Tensor) else values.astype(dtype, copy=False)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale=None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(query @ key^T * scale + mask) @ value, over the last two axes, as PyTorch's.

    A bool ``attn_mask`` is True where a query may attend to a key; a float one is added to
    the scores. ``is_causal`` lets query i see keys 0..i only. ``dropout_p`` drops attention
    probabilities (pass 0 in evaluation, as in PyTorch). A query that may see no key gets 0.

    >>> import tapegrad as tg
    >>> q = tg.ones(2, 4, 8)
    >>> scaled_dot_product_attention(q, q, q, is_causal=True).shape
    (2, 4, 8)
    """
    query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_p must be in [0, 1], "
                         f"got {dropout_p}")
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: give either attn_mask or is_causal, "
                         "not both")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        groups = _query_groups(query.shape[-3], key.shape[-3])
        key = key.repeat_interleave(groups, dim=-3)
        value = value.repeat_interleave(groups, dim=-3)
    if is_causal:
        steps, keys = query.shape[-2], key.shape[-2]
        attn_mask = np.tril(np.ones((steps, keys), dtype=bool))
    mask = additive_mask(attn_mask, query.dtype, allowed_when_true=True)
    keep = None
    if dropout_p > 0:
        scores_shape = np.broadcast_shapes(query.shape[:-1] + (key.shape[-2],),
                                           key.shape[:-2] + (1, 1))
        kept = random.generator().random(scores_shape) >= dropout_p
        keep = (kept / max(1 - dropout_p, np.finfo(np.float64).tiny)).astype(query.dtype)
    return ScaledDotProductAttention.apply(query, key, value, mask, keep, scale=scale)


def _query_groups(query_heads: int, key_heads: int) -> int:
    if query_heads % key_heads:
        raise ValueError(f"scaled_dot_product_attention: with enable_gqa, the query's "
                         f"{query_heads} heads must be a multiple of the key's {key_heads}")
    return query_heads // key_heads
