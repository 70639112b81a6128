"""Grouped-query decode attention for the transformers backend.

transformers' ``sdpa`` path, given an attention mask (which a left-padded batch
always has), copies every layer's keys and values ``num_heads / num_kv_heads`` times
(``repeat_kv``) at every decoding step and then runs torch's CPU flash kernel,
which is slow for one query token. For one query token per row this module instead
groups the query heads over their shared KV head and does two batched matrix
products against the cache as it is (no copies); the softmax is taken in float32.
Prefill (several query tokens) still goes to transformers' sdpa. Keys and values
held by the engine's growing cache (`sweetrl.serving.kv_cache`) are multiplied in
their wider buffers, so that they are not copied either.

`register` adds it to transformers' attention and mask registries under `NAME`;
the backend loads models with ``attn_implementation=NAME`` when configured as
``attn_implementation: sdpa`` (the default).
"""

from __future__ import annotations

import threading
from typing import Any

from sweetrl.serving.kv_cache import wide_buffer  # light: no torch at import

__all__ = ["NAME", "register", "grouped_decode_attention"]

NAME = "sweetrl_sdpa"
_lock = threading.Lock()
_registered = False


def grouped_decode_attention(module: Any, query: Any, key: Any, value: Any,
                             attention_mask: Any, dropout: float = 0.0,
                             scaling: float | None = None, **kwargs: Any) -> tuple[Any, None]:
    """``[B, H, q, d]`` queries against ``[B, H_kv, L, d]`` keys/values; returns
    ``[B, q, H, d]`` like every transformers attention function."""
    import torch
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    batch, heads, q_len, dim = query.shape
    kv_heads = key.shape[1]
    if q_len != 1 or heads % kv_heads or dropout or kwargs.get("position_bias") is not None:
        return sdpa_attention_forward(module, query, key, value, attention_mask,
                                      dropout=dropout, scaling=scaling, **kwargs)
    scale = scaling if scaling is not None else dim ** -0.5
    length = key.shape[2]
    # A growing cache's keys/values are prefix views of wider zero-tailed buffers:
    # multiply against the buffers (contiguous, so torch does not copy them) and
    # drop the spare columns' scores; their zero values then get zero weight.
    wide_keys, wide_values = wide_buffer(key), wide_buffer(value)
    if wide_keys is None or wide_values is None:
        wide_keys, wide_values = key, value
    grouped = query.reshape(batch, kv_heads, heads // kv_heads, dim)
    scores = torch.matmul(grouped, wide_keys.transpose(-1, -2))[..., :length]
    scores = scores.float() * scale  # [B, Hkv, G, L]
    if attention_mask is not None:
        mask = attention_mask[..., -key.shape[2]:]  # [B, 1, 1, L]
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask.float()
    probs = torch.softmax(scores, dim=-1).to(value.dtype)
    if wide_values.shape[2] != length:
        probs = torch.nn.functional.pad(probs, (0, wide_values.shape[2] - length))
    out = torch.matmul(probs, wide_values)  # [B, Hkv, G, d]
    return out.reshape(batch, 1, heads, dim), None


def register() -> str:
    """Make `NAME` a valid ``attn_implementation`` (idempotent); returns `NAME`."""
    global _registered
    with _lock:
        if not _registered:
            from transformers import AttentionInterface
            from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

            AttentionInterface.register(NAME, grouped_decode_attention)
            AttentionMaskInterface.register(NAME, sdpa_mask)
            _registered = True
    return NAME
