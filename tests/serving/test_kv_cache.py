"""The growing KV cache appends in place and the decode attention reads its buffers."""

from __future__ import annotations

import types

import pytest
import torch
from transformers.integrations.sdpa_attention import sdpa_attention_forward

from sweetrl.serving.attention import grouped_decode_attention
from sweetrl.serving.kv_cache import (GrowingLayer, growing_cache, select_rows, stacked_cache,
                                      wide_buffer)


def test_appends_in_place_until_the_headroom_is_used_then_grows():
    torch.manual_seed(0)
    layer = GrowingLayer(headroom=3)
    keys, values = torch.randn(2, 3, 5, 4), torch.randn(2, 3, 5, 4)
    k, v = layer.update(keys, values)
    buffer = wide_buffer(k)
    assert buffer is not None and buffer.shape == (2, 3, 8, 4)
    for step in range(3):  # fills the 3 spare columns without a new buffer
        new_k, new_v = torch.randn(2, 3, 1, 4), torch.randn(2, 3, 1, 4)
        keys, values = torch.cat([keys, new_k], 2), torch.cat([values, new_v], 2)
        k, v = layer.update(new_k, new_v)
        assert wide_buffer(k) is buffer
        assert torch.equal(k, keys) and torch.equal(v, values)
    assert layer.get_seq_length() == 8
    k, v = layer.update(torch.ones(2, 3, 1, 4), torch.ones(2, 3, 1, 4))  # no room: grows
    grown = wide_buffer(k)
    assert grown is not None and grown is not buffer and grown.shape[2] == 9 + 3
    assert torch.equal(k[:, :, :8], keys) and torch.equal(k[:, :, 8], torch.ones(2, 3, 4))
    assert torch.count_nonzero(grown[:, :, 9:]) == 0  # spare columns stay zero


def test_wide_buffer_only_answers_for_growing_views():
    cache = growing_cache([(torch.randn(1, 2, 4, 8), torch.randn(1, 2, 4, 8))], headroom=4)
    keys = cache.layers[0].keys
    assert wide_buffer(keys) is not None
    assert wide_buffer(keys.contiguous()) is None  # a copy is not the buffer
    assert wide_buffer(torch.randn(1, 2, 4, 8)) is None
    assert wide_buffer(keys[:, :1]) is None  # a different shape over the same storage
    with pytest.raises(ValueError, match="headroom"):
        GrowingLayer(headroom=0)


@pytest.mark.parametrize("masked", [False, True])
def test_decode_attention_over_a_growing_cache_equals_sdpa(masked):
    torch.manual_seed(2)
    batch, heads, kv_heads, length, dim = 4, 6, 2, 19, 16
    module = types.SimpleNamespace(num_key_value_groups=heads // kv_heads, is_causal=True)
    key, value = torch.randn(batch, kv_heads, length, dim), torch.randn(batch, kv_heads, length, dim)
    layer = GrowingLayer(headroom=7)
    wide_k, wide_v = layer.update(key[:, :, :-1], value[:, :, :-1])
    wide_k, wide_v = layer.update(key[:, :, -1:], value[:, :, -1:])
    assert wide_buffer(wide_k) is not None and not wide_k.is_contiguous()
    mask = None
    if masked:
        mask = torch.ones(batch, 1, 1, length, dtype=torch.bool)
        for row in range(batch):
            mask[row, ..., :row * 4] = False
    query = torch.randn(batch, heads, 1, dim)
    ours, _ = grouped_decode_attention(module, query, wide_k, wide_v, mask, scaling=0.25)
    theirs, _ = sdpa_attention_forward(module, query, key, value, mask, scaling=0.25)
    assert torch.allclose(ours, theirs, atol=1e-5)


def test_stacked_cache_right_aligns_blocks_and_select_rows_keeps_rows_and_columns():
    torch.manual_seed(3)
    a = [(torch.randn(2, 3, 5, 4), torch.randn(2, 3, 5, 4)) for _ in range(2)]
    b = [(torch.randn(1, 3, 8, 4), torch.randn(1, 3, 8, 4)) for _ in range(2)]
    cache = stacked_cache([a, b], headroom=2)
    for layer, ((ak, av), (bk, bv)) in zip(cache.layers, zip(a, b)):
        assert layer.keys.shape == (3, 3, 8, 4) and wide_buffer(layer.keys).shape[2] == 10
        assert torch.equal(layer.keys[:2, :, 3:], ak) and torch.equal(layer.values[:2, :, 3:], av)
        assert torch.count_nonzero(layer.keys[:2, :, :3]) == 0  # left padding
        assert torch.equal(layer.keys[2:], bk) and torch.equal(layer.values[2:], bv)
    kv = [(layer.keys, layer.values) for layer in cache.layers]
    kept = select_rows(kv, [2, 0], start=3, headroom=2)
    for layer, (keys, values) in zip(kept.layers, kv):
        assert torch.equal(layer.keys, keys[[2, 0], :, 3:])
        assert torch.equal(layer.values, values[[2, 0], :, 3:])
        new = torch.randn(2, 3, 1, 4)
        grown, _ = layer.update(new, new)  # the selection decodes on in place
        assert torch.equal(grown[:, :, -1:], new) and wide_buffer(grown) is not None
