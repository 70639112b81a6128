"""Prometheus metrics of the serving engines (process-wide, labelled by backend).

Queue depth uses the runtime's shared gauge (`sweetrl.runtime.metrics.queue_depth`).
Tokens per second is ``rate(sweet_serving_generated_tokens_total[1m])``.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from sweetrl.runtime.metrics import REGISTRY

__all__ = ["GENERATED_TOKENS", "PROMPT_TOKENS", "PREFIX_REUSED_TOKENS", "SCORED_TOKENS",
           "BATCH_SIZE", "TIME_TO_FIRST_TOKEN", "ENGINE_RESTARTS"]

GENERATED_TOKENS = Counter(
    "sweet_serving_generated_tokens", "Tokens sampled by the engine.", ["backend"],
    registry=REGISTRY)

PROMPT_TOKENS = Counter(
    "sweet_serving_prompt_tokens", "Prompt tokens encoded (prefill) for generation.",
    ["backend"], registry=REGISTRY)

PREFIX_REUSED_TOKENS = Counter(
    "sweet_serving_prefix_reused_tokens",
    "Prompt tokens whose KV came from the prefix cache instead of being encoded.",
    ["backend"], registry=REGISTRY)

SCORED_TOKENS = Counter(
    "sweet_serving_scored_tokens", "Context and continuation tokens encoded for scoring.",
    ["backend"], registry=REGISTRY)

BATCH_SIZE = Histogram(
    "sweet_serving_batch_size", "Sequences decoded together in one engine step.",
    ["backend"], buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256), registry=REGISTRY)

TIME_TO_FIRST_TOKEN = Histogram(
    "sweet_serving_time_to_first_token_seconds",
    "From a generate request's arrival to its first sampled token (queueing + prefill).",
    ["backend"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY)

ENGINE_RESTARTS = Counter(
    "sweet_serving_engine_restarts",
    "Engines started again after their process died (vllm backend, max_restarts).",
    ["backend"], registry=REGISTRY)
