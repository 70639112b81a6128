"""TransformersBackend on a tiny random model: sampling, batching, scoring, switching.

Numerical tolerance: logprobs are compared with a plain transformers forward pass of
the full sequence in float32 within 1e-4 (observed differences are ~3e-6: batching
and KV-cache reuse only change the order of float operations).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil

import pytest
import torch
from prometheus_client import REGISTRY

from sweetrl.errors import FailedPrecondition, InvalidInput, Overloaded
from sweetrl.serving import kv_cache
from sweetrl.serving.config import TransformersBackendConfig
from sweetrl.serving.transformers_backend import TransformersBackend
from sweetrl.serving.types import (FinishReason, GenerationInput, SamplingParams,
                                   ScoreInput)

TOL = 1e-4
TEXTS = ["Hello world", "def add(a, b):", "Can you make the button blue?", "x",
         "What should the function return when the list is empty?", "for i in range(10):",
         "Thanks! That works.", "<div>Hello</div>"]


@contextlib.asynccontextmanager
async def serving(model, **settings):
    config = TransformersBackendConfig(**{"model": str(model), "max_model_len": 0,
                                          "batch_wait_ms": 2, **settings})
    backend = TransformersBackend(config)
    await backend.start()
    try:
        yield backend
    finally:
        await backend.close()


def request(ids, **params):
    return GenerationInput(tuple(ids), "", SamplingParams(**{"temperature": 0.0,
                                                             "max_tokens": 16, **params}))


def encode(backend, text):
    return backend.tokenizer.encode(text)


def full_logprobs(model, context, continuation):
    """Logprob of each continuation token from one forward pass over the whole sequence."""
    with torch.no_grad():
        logits = model(torch.tensor([list(context) + list(continuation)])).logits[0]
    logprobs = torch.log_softmax(logits.float(), -1)
    return [logprobs[len(context) - 1 + i, t].item() for i, t in enumerate(continuation)]


def assert_close(a, b, tol=TOL):
    assert len(a) == len(b)
    assert max((abs(x - y) for x, y in zip(a, b)), default=0.0) < tol


# ----------------------------------------------------------------- generation


async def test_greedy_matches_transformers_generate_and_forward_logprobs(tiny_dir, reference):
    async with serving(tiny_dir) as backend:
        for text in TEXTS[:4]:
            ids = encode(backend, text)
            out = await backend.generate(request(ids, max_tokens=24))
            sample = out.samples[0]
            assert out.prompt_tokens == len(ids)
            expected = reference.generate(torch.tensor([ids]), max_new_tokens=24,
                                          do_sample=False)[0, len(ids):].tolist()
            assert sample.token_ids == expected
            assert_close(sample.token_logprobs, full_logprobs(reference, ids, sample.token_ids))
            assert sample.text == backend.tokenizer.decode(sample.token_ids,
                                                           skip_special_tokens=True)


async def test_greedy_matches_generate_when_the_batch_cache_grows_often(tiny_dir, reference,
                                                                        monkeypatch):
    """The running batch's cache appends in place and grows every 2 columns here
    (`sweetrl.serving.kv_cache`); rows of different lengths join and leave it."""
    monkeypatch.setattr(kv_cache, "DEFAULT_HEADROOM", 2)
    async with serving(tiny_dir) as backend:
        prompts = [encode(backend, text) for text in TEXTS[:3]]
        outs = await asyncio.gather(*(backend.generate(request(ids, max_tokens=9 + 4 * i))
                                      for i, ids in enumerate(prompts)))
        for i, (ids, out) in enumerate(zip(prompts, outs)):
            expected = reference.generate(torch.tensor([ids]), max_new_tokens=9 + 4 * i,
                                          do_sample=False)[0, len(ids):].tolist()
            assert out.samples[0].token_ids == expected


async def test_greedy_is_deterministic_and_n_samples_are_returned(tiny_dir):
    async with serving(tiny_dir) as backend:
        ids = encode(backend, TEXTS[1])
        first = await backend.generate(request(ids, n=3))
        again = await backend.generate(request(ids))
        assert [s.index for s in first.samples] == [0, 1, 2]
        assert all(s.token_ids == again.samples[0].token_ids for s in first.samples)


async def test_same_seed_same_samples_and_samples_differ(tiny_dir, reference):
    async with serving(tiny_dir) as backend:
        ids = encode(backend, TEXTS[0])
        params = dict(temperature=1.0, top_p=0.95, n=4, seed=7, max_tokens=12)
        a = await backend.generate(request(ids, **params))
        b = await backend.generate(request(ids, **params))
        c = await backend.generate(request(ids, **{**params, "seed": 8}))
        tokens = [s.token_ids for s in a.samples]
        assert tokens == [s.token_ids for s in b.samples]
        assert tokens != [s.token_ids for s in c.samples]
        assert len({tuple(t) for t in tokens}) > 1  # n samples are not copies
        for sample in a.samples:  # logprobs are the untempered model's
            assert_close(sample.token_logprobs, full_logprobs(reference, ids, sample.token_ids))


async def test_stop_string_truncates_text_and_is_reported(tiny_dir):
    async with serving(tiny_dir) as backend:
        ids = encode(backend, TEXTS[2])
        full = (await backend.generate(request(ids, max_tokens=40))).samples[0]
        # A printable two-character stop string from the middle of the greedy text.
        start = next(i for i in range(3, len(full.text) - 2)
                     if full.text[i:i + 2].isascii() and full.text[i:i + 2].isprintable())
        stop = full.text[start:start + 2]
        cut = full.text.find(stop)
        out = (await backend.generate(request(ids, max_tokens=40, stop=("@@@", stop)))).samples[0]
        assert out.finish_reason == FinishReason.STOP
        assert out.stop_string == stop
        assert out.text == full.text[:cut]
        assert full.token_ids[:len(out.token_ids)] == out.token_ids
        assert len(out.token_ids) < len(full.token_ids)


async def test_max_chars_stops_a_sample_once_its_text_reaches_it(tiny_dir):
    async with serving(tiny_dir) as backend:
        ids = encode(backend, TEXTS[2])
        whole = (await backend.generate(request(ids, max_tokens=40))).samples[0]
        assert len(whole.text) > 20
        out = (await backend.generate(request(ids, max_tokens=40, max_chars=20))).samples[0]
        assert out.finish_reason is FinishReason.LENGTH
        assert len(out.text) >= 20 and whole.text.startswith(out.text)
        shorter = backend.tokenizer.decode(out.token_ids[:-1], skip_special_tokens=True)
        assert len(shorter) < 20  # one token fewer had not reached it: stopped at once


async def test_max_tokens_and_context_limit_finish_with_length(tiny_dir):
    async with serving(tiny_dir) as backend:
        ids = encode(backend, TEXTS[3])
        out = (await backend.generate(request(ids, max_tokens=5))).samples[0]
        assert (len(out.token_ids), out.finish_reason) == (5, FinishReason.LENGTH)
    async with serving(tiny_dir) as backend:  # model context 512 tokens
        ids = (encode(backend, TEXTS[4]) * 100)[:500]
        out = (await backend.generate(request(ids, max_tokens=100))).samples[0]
        assert (len(out.token_ids), out.finish_reason) == (12, FinishReason.LENGTH)


async def test_end_of_sequence_token_stops(tiny_dir, tmp_path):
    # Declare the 4th greedy token an end-of-sequence token in a copy of the model.
    async with serving(tiny_dir) as backend:
        ids = encode(backend, TEXTS[0])
        greedy = (await backend.generate(request(ids, max_tokens=10))).samples[0].token_ids
    eos = greedy[3]
    copy = tmp_path / "eos-model"
    shutil.copytree(tiny_dir, copy)
    generation = json.loads((copy / "generation_config.json").read_text())
    generation["eos_token_id"] = [generation["eos_token_id"], eos]
    (copy / "generation_config.json").write_text(json.dumps(generation))
    async with serving(copy) as backend:
        out = (await backend.generate(request(ids, max_tokens=10))).samples[0]
    assert out.finish_reason == FinishReason.STOP and out.stop_string == ""
    assert out.token_ids == greedy[:greedy.index(eos) + 1]  # the EOS token is reported


# ------------------------------------------------------------------- batching


async def test_concurrent_requests_are_batched_and_equal_running_alone(tiny_dir):
    async with serving(tiny_dir, batch_wait_ms=20) as backend:
        prompts = [encode(backend, TEXTS[i % len(TEXTS)]) for i in range(16)]
        lengths = [8 + 3 * i for i in range(16)]  # leave at different steps
        alone = [await backend.generate(request(p, max_tokens=n))
                 for p, n in zip(prompts, lengths)]
        before = REGISTRY.get_sample_value("sweet_serving_batch_size_bucket",
                                           {"backend": "transformers", "le": "1.0"}) or 0
        count_before = REGISTRY.get_sample_value("sweet_serving_batch_size_count",
                                                 {"backend": "transformers"}) or 0
        together = await asyncio.gather(*[backend.generate(request(p, max_tokens=n))
                                          for p, n in zip(prompts, lengths)])
        assert backend.stats()["max_batch_observed"] == 16
        singles = REGISTRY.get_sample_value("sweet_serving_batch_size_bucket",
                                            {"backend": "transformers", "le": "1.0"}) - before
        steps = REGISTRY.get_sample_value("sweet_serving_batch_size_count",
                                          {"backend": "transformers"}) - count_before
        assert steps > singles  # some steps decoded more than one sequence
        for a, b in zip(alone, together):
            assert a.samples[0].token_ids == b.samples[0].token_ids
            assert_close(a.samples[0].token_logprobs, b.samples[0].token_logprobs)


async def test_requests_join_and_leave_a_running_batch(tiny_dir):
    async with serving(tiny_dir, batch_wait_ms=0) as backend:
        specs = [(encode(backend, TEXTS[i]), dict(max_tokens=60 + 10 * i, n=1 + i % 3,
                                                  temperature=0.8 * (i % 2), seed=i))
                 for i in range(6)]
        alone = [await backend.generate(request(p, **kw)) for p, kw in specs]

        async def staggered(i, prompt, kw):
            await asyncio.sleep(0.01 * i)  # arrive while the earlier ones are decoding
            return await backend.generate(request(prompt, **kw))

        joined = await asyncio.gather(*[staggered(i, p, kw) for i, (p, kw) in enumerate(specs)])
        assert backend.stats()["max_batch_observed"] > 3
        for a, b in zip(alone, joined):
            for x, y in zip(a.samples, b.samples):
                assert x.token_ids == y.token_ids  # per-request seeds: batch-independent
                assert_close(x.token_logprobs, y.token_logprobs)


async def test_cancelled_request_leaves_the_batch(tiny_dir):
    async with serving(tiny_dir, batch_wait_ms=0) as backend:
        ids = encode(backend, TEXTS[1])
        task = asyncio.create_task(backend.generate(request(ids, max_tokens=400, n=4)))
        while backend.stats()["steps"] < 3:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(500):  # the engine drops the rows at its next step
            if backend.stats()["running"] == 0:
                break
            await asyncio.sleep(0.01)
        steps = backend.stats()["steps"]
        assert backend.stats()["running"] == 0 and steps < 400  # far from max_tokens
        await asyncio.sleep(0.05)
        assert backend.stats()["steps"] == steps  # nothing left to decode
        out = await backend.generate(request(ids, max_tokens=4))
        assert len(out.samples[0].token_ids) == 4


async def test_full_queue_fails_fast_with_overloaded(tiny_dir):
    async with serving(tiny_dir, batch_wait_ms=0, max_batch_size=1, max_n=1,
                       max_queue=1) as backend:
        ids = encode(backend, TEXTS[0])
        running = asyncio.create_task(backend.generate(request(ids, max_tokens=400)))
        while backend.stats()["steps"] < 1:
            await asyncio.sleep(0.005)
        waiting = asyncio.create_task(backend.generate(request(ids, max_tokens=2)))
        await asyncio.sleep(0.01)
        assert backend.stats()["queued"] == 1
        with pytest.raises(Overloaded, match="max_queue=1"):
            await backend.generate(request(ids, max_tokens=2))
        running.cancel()
        assert len((await waiting).samples[0].token_ids) == 2
        with pytest.raises(asyncio.CancelledError):
            await running


@pytest.mark.parametrize("change, message", [
    (dict(prompt=()), "prompt is empty"),
    (dict(n=9), "n=9"),
    (dict(max_tokens=0), "max_tokens=0"),
    (dict(max_tokens=513), "max_tokens=513"),
    (dict(top_p=0.0), "top_p"),
    (dict(temperature=-1.0), "temperature"),
    (dict(top_k=-1), "top_k"),
    (dict(prompt=(1, 5, 100_000)), "outside the model's vocabulary"),
    (dict(prompt=(5,) * 512), "512 tokens"),
    (dict(adapter="lora-x"), "adapter 'lora-x' is not loaded"),
])
async def test_bad_generation_requests_are_invalid_input(tiny_dir, change, message):
    async with serving(tiny_dir, max_n=8) as backend:
        prompt = change.pop("prompt", (1, 5, 7))
        adapter = change.pop("adapter", "")
        bad = GenerationInput(prompt, "", SamplingParams(**change), adapter=adapter)
        with pytest.raises(InvalidInput, match=message):
            await backend.generate(bad)


# -------------------------------------------------------------------- scoring


async def test_shared_context_scoring_equals_separate_scoring(tiny_dir, reference):
    async with serving(tiny_dir, score_batch_tokens=16) as backend:  # several chunks
        context = encode(backend, TEXTS[4])
        continuations = [encode(backend, t) for t in TEXTS] + [[7], []]
        scores = await backend.score(ScoreInput(tuple(context),
                                                tuple(tuple(c) for c in continuations)))
        assert len(scores) == len(continuations)
        for tokens, score in zip(continuations, scores):
            assert score.token_ids == tokens
            assert_close(score.token_logprobs, full_logprobs(reference, context, tokens))
        assert scores[-1].token_logprobs == []


async def test_bad_score_requests_are_invalid_input(tiny_dir):
    async with serving(tiny_dir, max_score_continuations=2) as backend:
        with pytest.raises(InvalidInput, match="context is empty"):
            await backend.score(ScoreInput((), ((1, 2),)))
        with pytest.raises(InvalidInput, match="max_score_continuations=2"):
            await backend.score(ScoreInput((1,), ((1,), (2,), (3,))))
        with pytest.raises(InvalidInput, match="exceed the model's context"):
            await backend.score(ScoreInput((1,) * 500, ((2,) * 20,)))
        assert await backend.score(ScoreInput((1,), ())) == []


# ------------------------------------------------------------------ switching


async def test_load_swaps_between_steps_while_serving(tiny_dir, tiny_dir_b, reference):
    from transformers import AutoModelForCausalLM

    other = AutoModelForCausalLM.from_pretrained(tiny_dir_b).eval()
    async with serving(tiny_dir, batch_wait_ms=0) as backend:
        ids = encode(backend, TEXTS[5])
        before = backend.info()
        running = asyncio.create_task(backend.generate(request(ids, max_tokens=300)))
        while backend.stats()["steps"] < 2:
            await asyncio.sleep(0.005)
        info = await backend.load(str(tiny_dir_b))
        old = (await running).samples[0]  # finished on the model it started on
        assert_close(old.token_logprobs, full_logprobs(reference, ids, old.token_ids))
        assert (info.generation, before.generation) == (1, 0)
        assert info.uri == str(tiny_dir_b) and info.revision != before.revision
        new = (await backend.generate(request(ids, max_tokens=8))).samples[0]
        assert_close(new.token_logprobs, full_logprobs(other, ids, new.token_ids))


async def test_failed_loads_keep_the_current_model(tiny_dir, tmp_path):
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    shutil.copy(tiny_dir / "config.json", corrupt)
    (corrupt / "model.safetensors").write_bytes(b"not a safetensors file")
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps(
        {"base_model_name_or_path": str(tiny_dir), "peft_type": "LORA"}))
    async with serving(tiny_dir) as backend:
        before = backend.info()
        ids = encode(backend, TEXTS[0])
        greedy = (await backend.generate(request(ids))).samples[0].token_ids
        with pytest.raises(FailedPrecondition, match="cannot load model"):
            await backend.load(str(corrupt))
        with pytest.raises(InvalidInput, match="does not exist"):
            await backend.load(str(tmp_path / "missing"))
        with pytest.raises(InvalidInput, match="nothing is stored"):
            await backend.load("s3://no-such-bucket/ckpt")
        with pytest.raises(FailedPrecondition, match="expected"):
            await backend.load(str(tiny_dir), expected_revision="0" * 64)
        with pytest.raises(InvalidInput, match="not a LoRA adapter"):
            await backend.load(str(tiny_dir), adapter_name="x")
        try:
            import peft  # noqa: F401
        except ImportError:
            with pytest.raises(FailedPrecondition, match="peft"):
                await backend.load(str(adapter), adapter_name="x")
        assert backend.info() == before
        assert (await backend.generate(request(ids))).samples[0].token_ids == greedy


async def test_info_metrics_and_lifecycle(tiny_dir):
    labels = {"backend": "transformers"}
    ttft = REGISTRY.get_sample_value("sweet_serving_time_to_first_token_seconds_count",
                                     labels) or 0
    tokens = REGISTRY.get_sample_value("sweet_serving_generated_tokens_total", labels) or 0
    backend = TransformersBackend(TransformersBackendConfig(model=str(tiny_dir), max_model_len=64))
    with pytest.raises(FailedPrecondition, match="not started"):
        backend.info()
    async with backend:
        info = backend.info()
        assert (info.backend, info.model_name, info.max_model_len, info.dtype) == (
            "transformers", tiny_dir.name, 64, "float32")
        assert info.has_chat_template and "torch" in info.backend_version
        await backend.generate(request(encode(backend, TEXTS[0]), max_tokens=3, n=2))
    assert REGISTRY.get_sample_value("sweet_serving_time_to_first_token_seconds_count",
                                     labels) == ttft + 1
    assert REGISTRY.get_sample_value("sweet_serving_generated_tokens_total",
                                     labels) == tokens + 6
    assert REGISTRY.get_sample_value("sweet_queue_depth", {"service": "policy"}) == 0


async def test_lora_adapter_is_merged_and_served_by_name(tiny_dir, reference, tmp_path):
    """A PEFT LoRA adapter over the served base: requests name it; its logprobs are
    those of the merged model; loading a full checkpoint later drops it."""
    peft = pytest.importorskip("peft")
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_dir).eval()
    lora = peft.get_peft_model(base, peft.LoraConfig(r=4, lora_alpha=8,
                                                     target_modules=["q_proj", "v_proj"]))
    with torch.no_grad():
        generator = torch.Generator().manual_seed(0)
        for name, param in lora.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.5)
    adapter_dir = tmp_path / "lora-a"
    lora.save_pretrained(adapter_dir)
    merged = lora.merge_and_unload().eval()

    async with serving(tiny_dir) as backend:
        ids = encode(backend, TEXTS[1])
        plain = (await backend.generate(request(ids, max_tokens=8))).samples[0]
        info = await backend.load(str(adapter_dir), adapter_name="lora-a")
        assert info.active_adapter == "lora-a" and info.adapters == {"lora-a": str(adapter_dir)}
        tuned = (await backend.generate(GenerationInput(
            tuple(ids), "", SamplingParams(temperature=0.0, max_tokens=8), adapter="lora-a"))).samples[0]
        assert_close(tuned.token_logprobs, full_logprobs(merged, ids, tuned.token_ids))
        assert_close(plain.token_logprobs, full_logprobs(reference, ids, plain.token_ids))
        assert tuned.token_logprobs != plain.token_logprobs
        with pytest.raises(InvalidInput, match="not loaded"):
            await backend.generate(GenerationInput(tuple(ids), "", SamplingParams(max_tokens=2),
                                                   adapter="other"))
        info = await backend.load(str(tiny_dir))
        assert info.active_adapter == "" and info.adapters == {}


async def test_prompts_sharing_a_prefix_reuse_its_kv_with_the_same_results(tiny_dir, reference):
    """A dialogue's turns extend one another: later turns encode only their new tokens
    and give the same greedy tokens and logprobs as a full forward pass."""
    async with serving(tiny_dir) as backend:
        tokenizer = backend.tokenizer
        turns, prompts = [], []
        for text in TEXTS[:4]:
            turns.append({"role": "user", "content": text})
            prompts.append(tokenizer.apply_chat_template(turns, add_generation_prompt=True,
                                                         return_dict=False))
            turns.append({"role": "assistant", "content": "Noted: " + text})
        before = backend.stats()
        for ids in prompts:
            sample = (await backend.generate(request(ids, max_tokens=6))).samples[0]
            assert_close(sample.token_logprobs, full_logprobs(reference, ids, sample.token_ids))
        after = backend.stats()
        assert after["prefix_hits"] - before["prefix_hits"] == len(prompts) - 1
        reused = after["prefix_reused_tokens"] - before["prefix_reused_tokens"]
        assert reused >= sum(len(p) for p in prompts[:-1])
        assert await backend.reset_prefix_cache()
        await backend.generate(request(prompts[-1], max_tokens=2))
        assert backend.stats()["prefix_hits"] == after["prefix_hits"]  # forgotten
    async with serving(tiny_dir, prefix_cache_tokens=0) as backend:
        for ids in prompts:
            await backend.generate(request(ids, max_tokens=2))
        assert backend.stats()["prefix_hits"] == 0
