"""The transformers backend on a CUDA GPU agrees with the CPU (run where a GPU exists).

Skipped without CUDA. On a GPU machine: ``python -m pytest -m gpu tests/serving``.
"""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from sweetrl.models.tiny import build_tiny_model  # noqa: E402
from sweetrl.serving.config import TransformersBackendConfig  # noqa: E402
from sweetrl.serving.transformers_backend import TransformersBackend  # noqa: E402
from sweetrl.serving.types import GenerationInput, SamplingParams, ScoreInput  # noqa: E402

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


async def _run(model, device, dtype):
    backend = TransformersBackend(TransformersBackendConfig(model=str(model), device=device, dtype=dtype))
    await backend.start()
    try:
        tok = backend.tokenizer
        prompt = tuple(tok.encode("hello there, how are you"))
        greedy = SamplingParams(temperature=0.0, max_tokens=16, n=1)
        gen = await backend.generate(GenerationInput(prompt, "hello", greedy))
        batch = [GenerationInput(prompt + (i,), "p", greedy) for i in range(5, 13)]
        import asyncio
        outs = await asyncio.gather(*(backend.generate(b) for b in batch))
        cont = tuple(tok.encode(" fine thanks"))
        scores = await backend.score(ScoreInput(prompt, (cont, cont[:1], cont + cont)))
        return backend.info(), gen, outs, scores
    finally:
        await backend.close()


async def test_cuda_float32_matches_cpu(tiny):
    cpu_info, cpu_gen, cpu_outs, cpu_scores = await _run(tiny, "cpu", "float32")
    gpu_info, gpu_gen, gpu_outs, gpu_scores = await _run(tiny, "cuda", "float32")
    assert gpu_info.dtype.endswith("float32")
    assert gpu_gen.samples[0].token_ids == cpu_gen.samples[0].token_ids
    assert [o.samples[0].token_ids for o in gpu_outs] == [o.samples[0].token_ids for o in cpu_outs]
    for g, c in zip(gpu_scores, cpu_scores):
        assert g.token_ids == c.token_ids
        assert max(abs(a - b) for a, b in zip(g.token_logprobs, c.token_logprobs)) < 1e-3


async def test_cuda_bfloat16_scores_close_to_float32(tiny):
    _, _, _, ref = await _run(tiny, "cpu", "float32")
    info, gen, _, bf16 = await _run(tiny, "cuda", "bfloat16")
    assert "bfloat16" in info.dtype
    assert gen.samples[0].token_ids and all(math.isfinite(x) for x in gen.samples[0].token_logprobs)
    for g, c in zip(bf16, ref):
        assert max(abs(a - b) for a, b in zip(g.token_logprobs, c.token_logprobs)) < 0.1
