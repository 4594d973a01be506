"""Attention layers: MultiheadAttention and the Transformer's encoder and decoder layers and
stacks, with PyTorch's arguments, parameter names and layouts (``in_proj_weight``,
``self_attn.out_proj.weight``, ``linear1``, ``norm1``, ...), so state dicts move between the two.
"""

from __future__ import annotations

import copy

import numpy as np

from tapegrad.dtypes import get_default_dtype
from tapegrad.nn import functional as F
from tapegrad.nn import init
from tapegrad.nn.containers import ModuleList
from tapegrad.nn.functional_attention import additive_mask, scaled_dot_product_attention
from tapegrad.nn.layers import Dropout, LayerNorm, Linear
from tapegrad.nn.module import Module, Parameter
from tapegrad.routines import as_tensor, cat
from tapegrad.tensor import Tensor


def _parameter(*shape, dtype) -> Parameter:
    return Parameter(np.zeros(shape, dtype=get_default_dtype() if dtype is None else dtype))


def _causal_mask(steps: int, keys: int) -> np.ndarray:
    """True above the diagonal: the keys a query may not see (the layers' bool convention)."""
    return ~np.tril(np.ones((steps, keys), dtype=bool))


class MultiheadAttention(Module):
    """Attention from ``num_heads`` heads in parallel, each over embed_dim / num_heads
    features, as ``torch.nn.MultiheadAttention``: returns ``(output, weights)``.

    Inputs are (L, N, E) (or (N, L, E) with ``batch_first``, or (L, E) unbatched). In
    ``key_padding_mask`` (N, S) and ``attn_mask`` (L, S) or (N * num_heads, L, S), a bool True
    masks a key out and a float is added to the scores. The weights, returned with
    ``need_weights``, are averaged over the heads unless ``average_attn_weights=False``.

    >>> import tapegrad as tg
    >>> attention = MultiheadAttention(8, 2, batch_first=True)
    >>> x = tg.randn(3, 5, 8)
    >>> output, weights = attention(x, x, x)
    >>> output.shape, weights.shape
    ((3, 5, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim=None, vdim=None,
                 batch_first: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be a positive "
                             f"multiple of num_heads ({num_heads})")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.batch_first, self.head_dim = batch_first, embed_dim // num_heads
        self.add_zero_attn = add_zero_attn
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _parameter(3 * embed_dim, embed_dim, dtype=dtype)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = _parameter(embed_dim, embed_dim, dtype=dtype)
            self.k_proj_weight = _parameter(embed_dim, self.kdim, dtype=dtype)
            self.v_proj_weight = _parameter(embed_dim, self.vdim, dtype=dtype)
        self.in_proj_bias = _parameter(3 * embed_dim, dtype=dtype) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        self.bias_k = _parameter(1, 1, embed_dim, dtype=dtype) if add_bias_kv else None
        self.bias_v = _parameter(1, 1, embed_dim, dtype=dtype) if add_bias_kv else None
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v: PyTorch's."""
        for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
            if getattr(self, name) is not None:
                init.xavier_uniform_(getattr(self, name))
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        for name in ("bias_k", "bias_v"):
            if getattr(self, name) is not None:
                init.xavier_normal_(getattr(self, name))

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(f"MultiheadAttention: query, key and value must all be 3-d "
                             f"(batched) or 2-d, got {query.shape}, {key.shape}, {value.shape}")
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            key_padding_mask = None if key_padding_mask is None else as_tensor(
                key_padding_mask).unsqueeze(0)
        # batch-first inputs stay as they are: the projections and heads read them in place,
        # where transposing to (L, N, E) would copy each input and the output
        time_axis = 1 if batched and self.batch_first else 0
        if query.shape[2] != self.embed_dim:
            raise ValueError(f"MultiheadAttention: query has {query.shape[2]} features, "
                             f"expected embed_dim={self.embed_dim}")
        if is_causal and attn_mask is None:
            attn_mask = _causal_mask(query.shape[time_axis], key.shape[time_axis])
        q, k, v = self._project(query, key, value, time_axis)
        mask = self._mask(attn_mask, key_padding_mask, q, k)
        q, k, v, mask = self._extra_keys(q, k, v, mask)
        dropout = self.dropout if self.training else 0.0
        if need_weights:
            output, weights = self._attention_with_weights(q, k, v, mask, dropout)
            if average_attn_weights:
                weights = weights.mean(dim=1)
        else:
            output = scaled_dot_product_attention(q, k, v, mask, dropout_p=dropout)
            weights = None
        # (N, heads, L, head_dim) back to the input's layout, (L, N, E) or (N, L, E)
        order = (2, 0, 1, 3) if time_axis == 0 else (0, 2, 1, 3)
        output = output.permute(*order).reshape(query.shape[:2] + (self.embed_dim,))
        output = self.out_proj(output)
        if not batched:
            output = output.squeeze(1)
            weights = None if weights is None else weights.squeeze(0)
        return output, weights

    def _project(self, query: Tensor, key: Tensor, value: Tensor, time_axis: int) -> tuple:
        """q, k, v of shape (N, heads, L or S, head_dim), through in_proj_weight's three
        (E, E) blocks (or q/k/v_proj_weight); one product when it is self-attention. The
        inputs have time on ``time_axis`` (0 or 1) and the batch on the other."""
        embed = self.embed_dim
        biases = (None, None, None) if self.in_proj_bias is None else (
            self.in_proj_bias[:embed], self.in_proj_bias[embed:2 * embed],
            self.in_proj_bias[2 * embed:])
        if self._qkv_same_embed_dim and query is key and key is value:
            q, k, v = F.linear(query, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1)
        else:
            if self._qkv_same_embed_dim:
                weights = (self.in_proj_weight[:embed], self.in_proj_weight[embed:2 * embed],
                           self.in_proj_weight[2 * embed:])
            else:
                weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
            q, k, v = (F.linear(x, w, b) for x, w, b in zip((query, key, value), weights,
                                                              biases))
        if self.bias_k is not None:
            batch = key.shape[1 - time_axis]
            one_key = (1, batch, embed) if time_axis == 0 else (batch, 1, embed)
            k = cat([k, self.bias_k.expand(*one_key)],
                    dim=time_axis)
            v = cat([v, self.bias_v.expand(*one_key)], dim=time_axis)
        return tuple(self._heads(x, time_axis) for x in (q, k, v))

    def _heads(self, x: Tensor, time_axis: int) -> Tensor:
        """(L, N, E) (time_axis 0) or (N, L, E) (time_axis 1) -> (N, heads, L, head_dim):
        a view, which the attention's batched products read without a copy."""
        split = x.shape[:2] + (self.num_heads, self.head_dim)
        return x.reshape(split).permute(*((1, 2, 0, 3) if time_axis == 0 else (0, 2, 1, 3)))

    def _mask(self, attn_mask, key_padding_mask, q: Tensor, k: Tensor):
        """attn_mask and key_padding_mask as one additive mask broadcastable to
        (N, heads, L, S), or None. Keys that bias_k added are never masked."""
        batch, _, length, keys = q.shape[0], q.shape[1], q.shape[2], k.shape[2]
        masks = []
        if attn_mask is not None:
            mask = additive_mask(attn_mask, q.dtype, allowed_when_true=False)
            expected = [(length, keys - self._added_keys()),
                        (batch * self.num_heads, length, keys - self._added_keys())]
            if tuple(mask.shape) not in expected:
                raise ValueError(f"MultiheadAttention: attn_mask of shape {tuple(mask.shape)}, "
                                 f"expected {expected[0]} or {expected[1]}")
            if mask.ndim == 3:
                mask = mask.reshape((batch, self.num_heads) + tuple(mask.shape[1:]))
            masks.append(self._with_bias_key(mask))
        if key_padding_mask is not None:
            mask = additive_mask(key_padding_mask, q.dtype, allowed_when_true=False)
            if tuple(mask.shape) != (batch, keys - self._added_keys()):
                raise ValueError(f"MultiheadAttention: key_padding_mask of shape "
                                 f"{tuple(mask.shape)}, expected "
                                 f"{(batch, keys - self._added_keys())}")
            masks.append(self._with_bias_key(mask.reshape((batch, 1, 1, mask.shape[-1]))))
        if not masks:
            return None
        return masks[0] if len(masks) == 1 else masks[0] + masks[1]

    def _added_keys(self) -> int:
        return int(self.bias_k is not None)

    def _with_bias_key(self, mask):
        """The mask, with a column for the key bias_k appends when there is one."""
        return _one_more_key(mask) if self._added_keys() else mask

    def _extra_keys(self, q, k, v, mask) -> tuple:
        """With add_zero_attn, one more key and value of zeros that every query may see."""
        if not self.add_zero_attn:
            return q, k, v, mask
        zeros = Tensor(np.zeros(k.shape[:2] + (1, k.shape[3]), dtype=k.dtype))
        k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
        return q, k, v, None if mask is None else _one_more_key(mask)

    def _attention_with_weights(self, q, k, v, mask, dropout: float) -> tuple:
        """Attention spelled out, to return its probabilities (a query that may see no key
        gets NaN weights here, as in PyTorch)."""
        scores = (q @ k.transpose(-2, -1)) * (1 / np.sqrt(self.head_dim))
        if mask is not None:
            scores = scores + mask
        weights = F.dropout(F.softmax(scores, dim=-1), dropout)
        return weights @ v, weights

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


def _one_more_key(mask):
    """An additive mask (array or Tensor) with one more key, on the last axis, left open."""
    if isinstance(mask, Tensor):
        return F.pad(mask, (0, 1))
    return np.pad(mask, [(0, 0)] * (mask.ndim - 1) + [(0, 1)])


def _activation(activation):
    """'relu', 'gelu' or a callable, as the Transformer layers take it."""
    if callable(activation):
        return activation
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise ValueError(f"Transformer layer: activation should be 'relu', 'gelu' or a callable, "
                     f"got {activation!r}")


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward block, each with a residual connection and a
    LayerNorm (after each, or before with ``norm_first``), as PyTorch's.

    >>> import tapegrad as tg
    >>> layer = TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    >>> layer(tg.randn(3, 5, 8)).shape
    (3, 5, 8)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        self.activation = _activation(activation)

    def forward(self, src, src_mask=None, src_key_padding_mask=None,
                is_causal: bool = False) -> Tensor:
        x = as_tensor(src)
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), src_mask, src_key_padding_mask,
                                         is_causal)
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._self_attention(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._feed_forward(x))

    def _self_attention(self, x, mask, key_padding_mask, is_causal) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _feed_forward(self, x) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """Self-attention over the target, attention to the encoder's output (``memory``), then a
    feed-forward block, each with a residual connection and a LayerNorm, as PyTorch's.

    >>> import tapegrad as tg
    >>> layer = TransformerDecoderLayer(8, 2, dim_feedforward=16)
    >>> layer(tg.randn(4, 3, 8), tg.randn(6, 3, 8)).shape
    (4, 3, 8)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                 batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> Tensor:
        x, memory = as_tensor(tgt), as_tensor(memory)
        attend_self = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        attend_memory = (memory_mask, memory_key_padding_mask, memory_is_causal)
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), *attend_self)
            x = x + self._memory_attention(self.norm2(x), memory, *attend_memory)
            return x + self._feed_forward(self.norm3(x))
        x = self.norm1(x + self._self_attention(x, *attend_self))
        x = self.norm2(x + self._memory_attention(x, memory, *attend_memory))
        return self.norm3(x + self._feed_forward(x))

    def _self_attention(self, x, mask, key_padding_mask, is_causal) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _memory_attention(self, x, memory, mask, key_padding_mask, is_causal) -> Tensor:
        x = self.multihead_attn(x, memory, memory, attn_mask=mask,
                                key_padding_mask=key_padding_mask, need_weights=False,
                                is_causal=is_causal)[0]
        return self.dropout2(x)

    def _feed_forward(self, x) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _clones(layer: Module, count: int) -> ModuleList:
    return ModuleList([copy.deepcopy(layer) for _ in range(count)])


class TransformerEncoder(Module):
    """``num_layers`` copies of an encoder layer, then an optional final ``norm``.

    >>> import tapegrad as tg
    >>> layer = TransformerEncoderLayer(8, 2, dim_feedforward=16)
    >>> TransformerEncoder(layer, num_layers=2)(tg.randn(5, 3, 8)).shape
    (5, 3, 8)
    """

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm=None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None) -> Tensor:
        x = as_tensor(src)
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                      is_causal=bool(is_causal))
        return x if self.norm is None else self.norm(x)


class TransformerDecoder(Module):
    """``num_layers`` copies of a decoder layer, then an optional final ``norm``.

    >>> import tapegrad as tg
    >>> layer = TransformerDecoderLayer(8, 2, dim_feedforward=16)
    >>> TransformerDecoder(layer, num_layers=2)(tg.randn(4, 3, 8), tg.randn(5, 3, 8)).shape
    (4, 3, 8)
    """

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int,
                 norm=None) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None,
                memory_is_causal: bool = False) -> Tensor:
        x = as_tensor(tgt)
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask,
                      memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        return x if self.norm is None else self.norm(x)


class Transformer(Module):
    """The encoder-decoder Transformer of "Attention Is All You Need", as
    ``torch.nn.Transformer``: an encoder stack and a decoder stack, each ending in LayerNorm,
    every weight matrix Xavier-uniform.

    >>> import tapegrad as tg
    >>> model = Transformer(8, 2, 1, 1, dim_feedforward=16)
    >>> model(tg.randn(5, 3, 8), tg.randn(4, 3, 8)).shape
    (4, 3, 8)
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        options = {"dim_feedforward": dim_feedforward, "dropout": dropout,
                   "activation": activation, "layer_norm_eps": layer_norm_eps,
                   "batch_first": batch_first, "norm_first": norm_first, "bias": bias,
                   "dtype": dtype}
        norm = {"eps": layer_norm_eps, "bias": bias, "dtype": dtype}
        self.encoder = custom_encoder if custom_encoder is not None else TransformerEncoder(
            TransformerEncoderLayer(d_model, nhead, **options), num_encoder_layers,
            LayerNorm(d_model, **norm))
        self.decoder = custom_decoder if custom_decoder is not None else TransformerDecoder(
            TransformerDecoderLayer(d_model, nhead, **options), num_decoder_layers,
            LayerNorm(d_model, **norm))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        for parameter in self.parameters():
            if parameter.ndim > 1:
                init.xavier_uniform_(parameter)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal: bool = False) -> Tensor:
        src, tgt = as_tensor(src), as_tensor(tgt)
        batch_axis = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[batch_axis] != tgt.shape[batch_axis]:
            raise ValueError(f"Transformer: the batch number of src {src.shape} and tgt "
                             f"{tgt.shape} must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"Transformer: the feature number of src {src.shape} and tgt "
                             f"{tgt.shape} must be equal to d_model={self.d_model}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device=None, dtype=None) -> Tensor:
        """A float (sz, sz) mask with -inf above the diagonal: position i sees 0..i only.

        >>> Transformer.generate_square_subsequent_mask(2)
        tensor([[0., -inf],
                [0., 0.]])
        """
        mask = np.where(_causal_mask(sz, sz), -np.inf, 0.0)
        return Tensor(mask.astype(get_default_dtype() if dtype is None else dtype))
