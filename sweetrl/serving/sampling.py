"""Token selection and stop-string handling: small functions, no model.

`choose_tokens` turns one step's logits into next tokens for a batch whose rows have
different sampling settings, and reports each chosen token's logprob under the
UNMODIFIED distribution (log-softmax of the raw logits, before temperature, top-k
and top-p), which is what policy-gradient and DPO code expects.

Randomness comes from one uniform number per row, drawn by the caller from that
sequence's own seeded generator, so a request's samples do not depend on what else
is in the batch (up to float rounding of the batch's matrix products).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

__all__ = ["choose_tokens", "find_stop"]


def choose_tokens(logits: torch.Tensor, temperature: torch.Tensor, top_k: torch.Tensor,
                  top_p: torch.Tensor, uniform: torch.Tensor
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """Pick one token per row.

    Sampling follows the usual order: temperature, then top-k, then top-p over the
    renormalised top-k distribution (as transformers' and vLLM's samplers do).

    Args:
        logits: ``[B, V]`` raw next-token logits (any float dtype).
        temperature: ``[B]``; rows with ``<= 0`` are greedy (argmax).
        top_k: ``[B]`` long; 0 keeps the whole vocabulary.
        top_p: ``[B]`` in (0, 1]; nucleus mass kept (at least one token).
        uniform: ``[B]`` in [0, 1): the row's random draw (ignored for greedy rows).

    Returns:
        ``(tokens [B] long, logprobs [B] float32)``.
    """
    import torch

    logits = logits.float()
    logprobs = torch.log_softmax(logits, dim=-1)
    tokens = logits.argmax(dim=-1)
    sampled = temperature > 0
    plain = sampled & (top_k <= 0) & (top_p >= 1)
    truncated = sampled & ~plain
    if bool(plain.any()):
        # Whole vocabulary: no sort needed.
        rows = plain.nonzero(as_tuple=True)[0]
        probs = torch.softmax(logits[rows] / temperature[rows, None], dim=-1)
        tokens[rows] = _inverse_cdf(probs, uniform[rows])
    if bool(truncated.any()):
        rows = truncated.nonzero(as_tuple=True)[0]
        scaled = logits[rows] / temperature[rows, None]
        vocab = scaled.shape[-1]
        k = top_k[rows]
        k = torch.where((k > 0) & (k < vocab), k, torch.full_like(k, vocab))
        widest = int(k.max())
        # topk of the widest k is a partial sort; a full sort only when some row needs it.
        values, order = (scaled.topk(widest, dim=-1) if widest < vocab
                         else scaled.sort(dim=-1, descending=True))
        ranks = torch.arange(values.shape[-1], device=values.device)
        values = values.masked_fill(ranks[None, :] >= k[:, None], float("-inf"))
        probs = torch.softmax(values, dim=-1)
        # Mass before each token < top_p: the nucleus, always including the top token.
        nucleus = (probs.cumsum(dim=-1) - probs) < top_p[rows, None]
        choice = _inverse_cdf(probs * nucleus, uniform[rows])
        tokens[rows] = order.gather(1, choice[:, None])[:, 0]
    chosen = logprobs.gather(1, tokens[:, None])[:, 0]
    return tokens, chosen


def _inverse_cdf(probs: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
    """Index i with cum[i-1] <= u * total < cum[i]: a token of positive probability."""
    import torch

    cumulative = probs.cumsum(dim=-1)
    total = cumulative[:, -1]
    target = torch.minimum(uniform.to(total.dtype) * total,
                           torch.nextafter(total, torch.zeros_like(total)))
    choice = torch.searchsorted(cumulative, target[:, None], right=True)[:, 0]
    return choice.clamp(max=probs.shape[-1] - 1)


def find_stop(text: str, stops: tuple[str, ...]) -> tuple[int, str] | None:
    """Earliest occurrence of any stop string in `text`: ``(index, stop)`` or None.

    At equal positions the longer stop string wins (``"\\n\\n"`` over ``"\\n"``).
    """
    best: tuple[int, str] | None = None
    for stop in stops:
        if not stop:
            continue
        index = text.find(stop)
        if index < 0:
            continue
        if best is None or index < best[0] or (index == best[0] and len(stop) > len(best[1])):
            best = (index, stop)
    return best
