"""TransformersBackend on the real SmolLM2-135M-Instruct (CPU, ~20 s when cached)."""

from __future__ import annotations

import asyncio
import math

import pytest

from sweetrl.serving.config import TransformersBackendConfig
from sweetrl.serving.transformers_backend import TransformersBackend
from sweetrl.serving.types import FinishReason, GenerationInput, SamplingParams, ScoreInput

pytestmark = pytest.mark.smollm2


def chat(backend, question):
    ids = backend.tokenizer.apply_chat_template([{"role": "user", "content": question}],
                                                add_generation_prompt=True, return_dict=False)
    return list(ids)


async def test_greedy_chat_reply_is_english_with_finite_logprobs():
    async with TransformersBackend(TransformersBackendConfig()) as backend:
        info = backend.info()
        assert (info.model_name, info.dtype, info.has_chat_template) == (
            "SmolLM2-135M-Instruct", "bfloat16", True)
        questions = ["What is the capital of France?", "Name three primary colors."]
        outs = await asyncio.gather(*[
            backend.generate(GenerationInput(tuple(chat(backend, q)), q,
                                             SamplingParams(temperature=0, max_tokens=48)))
            for q in questions])
    paris = outs[0].samples[0]
    assert "Paris" in paris.text
    for out in outs:
        sample = out.samples[0]
        words = sample.text.split()
        assert len(words) >= 3 and sum(w.isascii() for w in words) / len(words) > 0.9
        assert all(math.isfinite(x) and x <= 0 for x in sample.token_logprobs)
        assert sample.finish_reason in (FinishReason.STOP, FinishReason.LENGTH)


async def test_scoring_agrees_with_generation_logprobs_in_float32():
    """Generated logprobs (incremental decoding) and scored logprobs (shared-context
    batch) of the same tokens agree within 1e-3 in float32."""
    config = TransformersBackendConfig(dtype="float32", max_model_len=1024)
    async with TransformersBackend(config) as backend:
        ids = chat(backend, "Write a haiku about the sea.")
        out = await backend.generate(GenerationInput(
            tuple(ids), "", SamplingParams(temperature=1.0, n=3, seed=0, max_tokens=24)))
        scores = await backend.score(ScoreInput(
            tuple(ids), tuple(tuple(s.token_ids) for s in out.samples)))
    for sample, score in zip(out.samples, scores):
        assert score.token_ids == sample.token_ids
        assert max(abs(a - b) for a, b in zip(sample.token_logprobs,
                                              score.token_logprobs)) < 1e-3
