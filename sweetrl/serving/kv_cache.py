"""A KV cache whose layers grow in place, for the transformers engine's decode batch.

transformers' ``DynamicLayer`` appends each step's keys and values with
``torch.cat``, so every decoding step copies the batch's whole cache: on a CPU,
with long prompts (the simulated human's carry the hidden code and the whole
dialogue), those copies cost as much as the model itself. A `GrowingLayer` keeps
its keys and values in buffers with spare columns and writes each step's column in
place; only when the spare columns run out is the buffer copied into a larger one
(every `headroom` steps, not every step). The cache it exposes is a view of the
filled columns, so the model and the engine read it exactly as before.

A prefix view of a wider buffer is not contiguous, and torch's batched matrix
product copies such an operand before multiplying -- which would bring the copy
back. So the buffers are zero-filled and registered here, and the decode attention
(`sweetrl.serving.attention`) asks `wide_buffer` for the whole buffer behind a view
and multiplies against that: the spare columns' scores are sliced off before the
softmax and their (zero) values get zero weight.

Only the engine's running batch uses it (`growing_cache`): prefill caches and the
scoring path, which shares one context's KV across rows through ``expand``, keep
transformers' own layers.
"""

from __future__ import annotations

import weakref
from typing import Any

__all__ = ["GrowingLayer", "growing_cache", "select_rows", "stacked_cache", "wide_buffer"]

DEFAULT_HEADROOM = 64

# data_ptr -> live buffer; an entry goes when its buffer is freed, so a pointer found
# here names storage that still belongs to that buffer.
_BUFFERS: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def wide_buffer(view: Any) -> Any | None:
    """The zero-tailed `GrowingLayer` buffer ``[B, H, capacity, d]`` whose first
    columns `view` ``[B, H, L, d]`` is, or None when `view` is anything else."""
    buffer = _BUFFERS.get(view.data_ptr())
    if (buffer is None or view.dim() != 4 or view.stride() != buffer.stride()
            or view.shape[:2] != buffer.shape[:2] or view.shape[3] != buffer.shape[3]
            or view.shape[2] > buffer.shape[2] or view.dtype != buffer.dtype):
        return None
    return buffer


def _layer_base() -> type:
    from transformers.cache_utils import DynamicLayer

    return DynamicLayer


class _GrowingMixin:
    """`update` writes into preallocated buffers; `keys`/`values` are views of them."""

    headroom: int
    _length: int

    def update(self, key_states: Any, value_states: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        end = self._length + key_states.shape[-2]
        if self._k_buf is None or end > self._k_buf.shape[-2]:
            self._grow(key_states, value_states, end + self.headroom)
        self._k_buf[:, :, self._length:end].copy_(key_states)
        self._v_buf[:, :, self._length:end].copy_(value_states)
        self._length = end
        self.keys = self._k_buf[:, :, :end]
        self.values = self._v_buf[:, :, :end]
        return self.keys, self.values

    def _grow(self, key_states: Any, value_states: Any, capacity: int) -> None:
        batch = key_states.shape[0]
        k_buf, v_buf = _zeros(key_states, batch, capacity), _zeros(value_states, batch, capacity)
        if self._length:
            k_buf[:, :, :self._length].copy_(self.keys)
            v_buf[:, :, :self._length].copy_(self.values)
        self.adopt(k_buf, v_buf, self._length)

    def adopt(self, k_buf: Any, v_buf: Any, length: int) -> None:
        """Take zero-tailed buffers whose first `length` columns are filled."""
        self.dtype, self.device = k_buf.dtype, k_buf.device
        self._k_buf, self._v_buf, self._length = k_buf, v_buf, length
        self.keys, self.values = k_buf[:, :, :length], v_buf[:, :, :length]
        self.is_initialized = True
        _BUFFERS[k_buf.data_ptr()] = k_buf
        _BUFFERS[v_buf.data_ptr()] = v_buf

    def get_seq_length(self) -> int:
        return self._length if self.is_initialized else 0

    def reset(self) -> None:
        self._k_buf = self._v_buf = None
        self._length = 0
        self.keys = self.values = None
        self.is_initialized = False

    def crop(self, tokens_to_remove: int) -> None:  # pragma: no cover - the engine never crops
        raise NotImplementedError("GrowingLayer does not crop; rebuild the cache instead")


_LAYER_CLASS: type | None = None


def _layer_class() -> type:
    global _LAYER_CLASS
    if _LAYER_CLASS is None:
        _LAYER_CLASS = type("GrowingLayer", (_GrowingMixin, _layer_base()), {})
    return _LAYER_CLASS


def GrowingLayer(headroom: int = DEFAULT_HEADROOM) -> Any:  # noqa: N802 - a class factory
    """A cache layer that appends in place, copying only every `headroom` columns."""
    if headroom < 1:
        raise ValueError(f"headroom must be >= 1, got {headroom}")
    layer = _layer_class()()
    layer.headroom = headroom
    layer.reset()
    return layer


def _zeros(like: Any, batch: int, columns: int) -> Any:
    """A zero buffer ``[batch, heads, columns, d]`` with `like`'s heads, d, dtype, device."""
    import torch

    return torch.zeros((batch, like.shape[1], columns, like.shape[3]),
                       dtype=like.dtype, device=like.device)


def growing_cache(kv: list[tuple[Any, Any]], headroom: int | None = None) -> Any:
    """A transformers ``Cache`` holding per-layer ``(keys, values)`` ``[B, heads, L, d]``
    (copied), each layer with `headroom` (default `DEFAULT_HEADROOM`) spare columns
    to decode into."""
    return stacked_cache([kv], headroom)


def stacked_cache(blocks: list[list[tuple[Any, Any]]], headroom: int | None = None) -> Any:
    """A growing cache whose rows are those of every block in order (each block:
    per-layer ``(keys, values)`` ``[B_i, heads, L_i, d]``), every row right-aligned to
    the longest block with zeros on its left (the engine's left-padded layout).
    Each tensor is copied once, straight into the new buffers."""
    def place(layer: int, buffer: Any, width: int, part: int) -> None:
        row = 0
        for block in blocks:
            tensor = block[layer][part]
            buffer[row:row + tensor.shape[0], :, width - tensor.shape[2]:width].copy_(tensor)
            row += tensor.shape[0]

    return _assemble(blocks[0], sum(block[0][0].shape[0] for block in blocks),
                     max(block[0][0].shape[2] for block in blocks), place, headroom)


def select_rows(kv: list[tuple[Any, Any]], rows: list[int], start: int,
                headroom: int | None = None) -> Any:
    """A growing cache of rows `rows` of per-layer ``(keys, values)`` ``[B, heads, L, d]``,
    columns ``start:L`` (rows leaving the batch and padding columns that no remaining
    row needs are not copied)."""
    def place(layer: int, buffer: Any, width: int, part: int) -> None:
        tensor = kv[layer][part]
        for i, row in enumerate(rows):
            buffer[i, :, :width].copy_(tensor[row, :, start:])

    return _assemble(kv, len(rows), kv[0][0].shape[2] - start, place, headroom)


def _assemble(like: list[tuple[Any, Any]], batch: int, width: int, place: Any,
              headroom: int | None) -> Any:
    from transformers.cache_utils import Cache

    headroom = DEFAULT_HEADROOM if headroom is None else headroom
    layers = []
    for index, (keys, values) in enumerate(like):
        buffers = []
        for part, tensor in enumerate((keys, values)):
            buffer = _zeros(tensor, batch, width + headroom)
            place(index, buffer, width, part)
            buffers.append(buffer)
        layer = GrowingLayer(headroom)
        layer.adopt(*buffers, width)
        layers.append(layer)
    return Cache(layers=layers)
