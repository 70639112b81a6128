"""The policy gRPC service in-process on the transformers backend with a tiny random model."""

from __future__ import annotations

import asyncio
import math
import shutil
import urllib.request

import grpc
import pytest
import pytest_asyncio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.policy.app import build
from services.policy.config import PolicyLimits, PolicyServiceConfig
from sweetrl.api.v1 import common_pb2, policy_pb2, policy_pb2_grpc
from sweetrl.errors import FailedPrecondition
from sweetrl.models.tiny import build_tiny_model
from sweetrl.runtime import ServerConfig, make_channel
from sweetrl.serving.config import TransformersBackendConfig
from sweetrl.serving.types import ScoreInput

pytestmark = pytest.mark.asyncio(loop_scope="module")

RAW = "def add(a, b):"
CHAT = [common_pb2.ChatMessage(role=common_pb2.ROLE_SYSTEM, content="You write Python."),
        common_pb2.ChatMessage(role=common_pb2.ROLE_USER, content="Can you make the button blue?")]


def raw(text: str = RAW) -> policy_pb2.Prompt:
    return policy_pb2.Prompt(text=text)


def chat(messages=CHAT) -> policy_pb2.Prompt:
    return policy_pb2.Prompt(chat=policy_pb2.Chat(messages=messages))


def greedy(max_tokens: int = 12, **kw) -> policy_pb2.SamplingParams:
    return policy_pb2.SamplingParams(temperature=0.0, max_tokens=max_tokens, logprobs=True, **kw)


def config(model, **kw) -> PolicyServiceConfig:
    return PolicyServiceConfig(
        server=ServerConfig(port=0, metrics_port=0, drain_delay_s=0, grace_period_s=1),
        model=str(model), default_max_tokens=16,
        transformers=TransformersBackendConfig(max_model_len=0, max_n=8, batch_wait_ms=1,
                                               torch_threads=2),
        **kw)


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return build_tiny_model(root / "tiny"), build_tiny_model(root / "tiny-b", seed=1)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def running(tiny_models):
    srv, service = build(config(tiny_models[0], limits=PolicyLimits(max_prompts_per_request=8)))
    await srv.start()
    yield srv, service
    await srv.stop()


@pytest.fixture(scope="module")
def server(running):
    return running[0]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stub(server):
    async with make_channel(server.address) as ch:
        yield policy_pb2_grpc.PolicyServiceStub(ch)


@pytest.fixture(scope="module")
def tokenizer(tiny_models):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_models[0])


async def test_generate_raw_and_chat_with_n_greedy_samples(stub, tokenizer):
    reply = await stub.Generate(policy_pb2.GenerateRequest(
        prompts=[raw(), chat()], sampling=greedy(n=3)))
    assert len(reply.results) == 2
    rendered = tokenizer.apply_chat_template(
        [{"role": "system", "content": "You write Python."},
         {"role": "user", "content": "Can you make the button blue?"}],
        tokenize=False, add_generation_prompt=True)
    assert reply.results[0].rendered_prompt == RAW
    assert reply.results[1].rendered_prompt == rendered
    assert rendered.endswith("<|im_start|>assistant\n")
    assert reply.results[0].prompt_tokens == len(tokenizer(RAW)["input_ids"])
    assert reply.results[1].prompt_tokens == len(tokenizer(rendered, add_special_tokens=False)["input_ids"])
    for result in reply.results:
        assert not result.HasField("error")
        assert [s.index for s in result.samples] == [0, 1, 2]
        first = result.samples[0]
        assert 1 <= len(first.token_ids) <= 12
        assert first.finish_reason in (policy_pb2.FINISH_REASON_STOP, policy_pb2.FINISH_REASON_LENGTH)
        for s in result.samples:  # greedy: every sample is the same
            assert (s.text, list(s.token_ids)) == (first.text, list(first.token_ids))
            assert len(s.token_logprobs) == len(s.token_ids)
            assert all(math.isfinite(x) and x <= 0 for x in s.token_logprobs)
            assert s.mean_logprob == pytest.approx(sum(s.token_logprobs) / len(s.token_logprobs), rel=1e-5)
            assert s.sum_logprob == pytest.approx(sum(s.token_logprobs), rel=1e-5)
    assert reply.model.model_name == "tiny"
    assert reply.model.generation == 0 and len(reply.model.revision) == 64


async def test_greedy_is_deterministic_and_seeded_sampling_reproducible(stub):
    req = policy_pb2.GenerateRequest(prompts=[raw(), chat()], sampling=greedy())
    a, b = await asyncio.gather(stub.Generate(req), stub.Generate(req))
    assert [r.samples[0].token_ids for r in a.results] == [r.samples[0].token_ids for r in b.results]
    seeded = policy_pb2.GenerateRequest(prompts=[raw()], sampling=policy_pb2.SamplingParams(
        temperature=1.0, max_tokens=12, n=4, seed=1234))
    c, d = await stub.Generate(seeded), await stub.Generate(seeded)
    assert [list(s.token_ids) for s in c.results[0].samples] == \
        [list(s.token_ids) for s in d.results[0].samples]
    assert len({tuple(s.token_ids) for s in c.results[0].samples}) > 1  # n samples differ


async def test_logprobs_flag_controls_per_token_values_but_mean_is_always_there(stub):
    reply = await stub.Generate(policy_pb2.GenerateRequest(
        prompts=[raw()], sampling=policy_pb2.SamplingParams(max_tokens=6)))
    s = reply.results[0].samples[0]
    assert len(s.token_ids) >= 1 and len(s.token_logprobs) == 0
    assert s.mean_logprob < 0 and s.sum_logprob < 0


async def test_default_max_tokens_applies_when_unset(stub):
    reply = await stub.Generate(policy_pb2.GenerateRequest(prompts=[raw()]))
    s = reply.results[0].samples[0]
    assert len(s.token_ids) <= 16  # the config's default_max_tokens
    if s.finish_reason == policy_pb2.FINISH_REASON_LENGTH:
        assert len(s.token_ids) == 16


async def test_score_agrees_with_generate_logprobs(running, stub, tokenizer):
    """Score and Generate report the same logprobs for the same greedy tokens."""
    prompts = ["Hello", "What should", "Thanks!", "<div", "The user", RAW]
    gen = await stub.Generate(policy_pb2.GenerateRequest(prompts=[raw(p) for p in prompts],
                                                         sampling=greedy(16)))

    def roundtrip(ids: list[int]) -> int:
        # Continuations are scored from text; the tiny model's random byte tokens need
        # not survive decode -> encode, so compare the longest prefix that does.
        return next((k for k in range(len(ids), 0, -1) if tokenizer(
            tokenizer.decode(ids[:k]), add_special_tokens=False)["input_ids"] == ids[:k]), 0)

    prefixes = [roundtrip(list(r.samples[0].token_ids)) for r in gen.results]
    best = max(range(len(prompts)), key=prefixes.__getitem__)
    k, result = prefixes[best], gen.results[best]
    assert k >= 2
    sample = result.samples[0]
    text = tokenizer.decode(list(sample.token_ids[:k]))
    score = await stub.Score(policy_pb2.ScoreRequest(context_text=prompts[best], continuations=[text, ""]))
    assert score.context_tokens == result.prompt_tokens
    assert score.rendered_context == prompts[best]
    first, empty = score.scores
    assert list(first.token_ids) == list(sample.token_ids[:k]) and first.token_count == k
    assert list(first.token_logprobs) == pytest.approx(list(sample.token_logprobs[:k]), abs=1e-3)
    assert first.mean_logprob == pytest.approx(sum(first.token_logprobs) / k, rel=1e-5)
    assert (empty.token_count, empty.mean_logprob, empty.sum_logprob) == (0, 0.0, 0.0)
    # The whole sample (end-of-sequence token included), by token ids, on the server's backend.
    backend = running[1].backend
    whole = await backend.score(ScoreInput(context_token_ids=tuple(tokenizer(prompts[best])["input_ids"]),
                                           continuations=(tuple(sample.token_ids),)))
    assert whole[0].token_logprobs == pytest.approx(list(sample.token_logprobs), abs=1e-3)


async def test_score_chat_context_with_end_of_turn(stub, tokenizer):
    req = policy_pb2.ScoreRequest(context_chat=policy_pb2.Chat(messages=CHAT),
                                  continuations=["Sure, here it is.", "No."], score_end_of_turn=True)
    reply = await stub.Score(req)
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    for text, s in zip(req.continuations, reply.scores):
        assert list(s.token_ids) == tokenizer(text, add_special_tokens=False)["input_ids"] + [im_end]
        assert s.token_count == len(s.token_logprobs) == len(s.token_ids)
        assert all(math.isfinite(x) and x <= 0 for x in s.token_logprobs)
    assert reply.rendered_context.endswith("<|im_start|>assistant\n")
    plain = await stub.Score(policy_pb2.ScoreRequest(context_chat=policy_pb2.Chat(messages=CHAT),
                                                     continuations=["No."]))
    assert list(plain.scores[0].token_logprobs) == pytest.approx(list(reply.scores[1].token_logprobs[:-1]),
                                                                 abs=1e-4)


async def test_model_info(stub):
    info = await stub.GetModelInfo(policy_pb2.GetModelInfoRequest())
    assert (info.model_name, info.backend, info.max_model_len) == ("tiny", "transformers", 512)
    assert info.default_max_tokens == 16 and info.has_chat_template and not info.multimodal
    assert info.dtype == "float32" and info.generation == 0 and info.revision
    assert "transformers" in info.backend_version


async def expect_error(call, code: grpc.StatusCode, *words: str) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    for word in words:
        assert word in err.value.details()
    assert "Traceback" not in err.value.details()
    return err.value.details()


@pytest.mark.parametrize("request_, code, words", [
    (policy_pb2.GenerateRequest(prompts=[raw("")]), grpc.StatusCode.INVALID_ARGUMENT, ["prompts[0]"]),
    (policy_pb2.GenerateRequest(prompts=[raw(), policy_pb2.Prompt()]), grpc.StatusCode.INVALID_ARGUMENT,
     ["prompts[1]"]),
    (policy_pb2.GenerateRequest(), grpc.StatusCode.INVALID_ARGUMENT, ["prompts"]),
    (policy_pb2.GenerateRequest(prompts=[raw("x" * (257 * 1024))]), grpc.StatusCode.RESOURCE_EXHAUSTED,
     ["prompts[0].text", "262144"]),
    (policy_pb2.GenerateRequest(prompts=[raw()] * 9), grpc.StatusCode.RESOURCE_EXHAUSTED, ["limit is 8"]),
    (policy_pb2.GenerateRequest(prompts=[raw()], sampling=greedy(n=9)), grpc.StatusCode.RESOURCE_EXHAUSTED,
     ["sampling.n", "8"]),
    (policy_pb2.GenerateRequest(prompts=[raw()], sampling=greedy(max_tokens=600)),
     grpc.StatusCode.INVALID_ARGUMENT, ["max_tokens", "512"]),
    (policy_pb2.GenerateRequest(prompts=[raw()], sampling=policy_pb2.SamplingParams(temperature=3)),
     grpc.StatusCode.INVALID_ARGUMENT, ["temperature"]),
    (policy_pb2.GenerateRequest(prompts=[raw()], sampling=greedy(max_chars=-1)),
     grpc.StatusCode.INVALID_ARGUMENT, ["sampling.max_chars", ">= 0"]),
    (policy_pb2.GenerateRequest(prompts=[raw()], adapter="nope"), grpc.StatusCode.NOT_FOUND, ["nope"]),
    (policy_pb2.GenerateRequest(prompts=[chat([common_pb2.ChatMessage(content="no role")])]),
     grpc.StatusCode.INVALID_ARGUMENT, ["prompts[0].chat.messages[0].role"]),
    (policy_pb2.GenerateRequest(prompts=[chat([common_pb2.ChatMessage(
        role=common_pb2.ROLE_USER, content="look", images=[b"png"])])]),
     grpc.StatusCode.INVALID_ARGUMENT, ["images", "multimodal"]),
])
async def test_bad_generate_requests_name_the_problem_and_server_keeps_serving(stub, request_, code, words):
    await expect_error(stub.Generate(request_), code, *words)
    ok = await stub.Generate(policy_pb2.GenerateRequest(prompts=[raw()], sampling=greedy(4)))
    assert ok.results[0].samples[0].token_ids


async def test_prompt_too_long_for_the_context_is_an_item_error_others_are_served(stub):
    long_text = "def add(a, b):\n    return a + b\n" * 60  # well over 512 tokens
    reply = await stub.Generate(policy_pb2.GenerateRequest(
        prompts=[raw(), raw(long_text), raw("for i in range(10):")], sampling=greedy(200)))
    ok1, bad, ok2 = reply.results
    assert ok1.samples and ok2.samples and not bad.samples
    assert bad.error.code == "INVALID_ARGUMENT" and "prompts[1]" in bad.error.message
    # prompt + max_tokens beyond the context: also that prompt's error
    near = "def add(a, b):\n    return a + b\n" * 6
    reply = await stub.Generate(policy_pb2.GenerateRequest(prompts=[raw(near)], sampling=greedy(500)))
    assert reply.results[0].error.code == "INVALID_ARGUMENT"
    assert "max_model_len 512" in reply.results[0].error.message


@pytest.mark.parametrize("request_, code, words", [
    (policy_pb2.ScoreRequest(continuations=["x"]), grpc.StatusCode.INVALID_ARGUMENT, ["context"]),
    (policy_pb2.ScoreRequest(context_text=RAW), grpc.StatusCode.INVALID_ARGUMENT, ["continuations"]),
    (policy_pb2.ScoreRequest(context_text=RAW, continuations=["x"], score_end_of_turn=True),
     grpc.StatusCode.INVALID_ARGUMENT, ["score_end_of_turn"]),
    (policy_pb2.ScoreRequest(context_text=RAW, continuations=["x"] * 257),
     grpc.StatusCode.RESOURCE_EXHAUSTED, ["continuations"]),
    (policy_pb2.ScoreRequest(context_text=RAW, continuations=["ok", "for i in range(10):\n" * 100]),
     grpc.StatusCode.INVALID_ARGUMENT, ["continuations[1]", "max_model_len"]),
])
async def test_bad_score_requests(stub, request_, code, words):
    await expect_error(stub.Score(request_), code, *words)


async def test_generate_stream_yields_every_sample_with_its_metadata(stub):
    req = policy_pb2.GenerateRequest(prompts=[raw(), chat(), raw("x" * 3000)], sampling=greedy(n=2))
    whole = await stub.Generate(policy_pb2.GenerateRequest(prompts=[raw(), chat()], sampling=greedy(n=2)))
    chunks = [c async for c in stub.GenerateStream(req)]
    assert chunks[0].HasField("model") and chunks[0].model.model_name == "tiny"
    assert sum(c.HasField("model") for c in chunks) == 1
    errors = [c for c in chunks if c.HasField("error")]
    assert len(errors) == 1 and errors[0].prompt_index == 2 and errors[0].error.code == "INVALID_ARGUMENT"
    for p in (0, 1):
        mine = [c for c in chunks if c.prompt_index == p]
        assert {c.sample_index for c in mine} == {0, 1}
        assert mine[0].rendered_prompt == whole.results[p].rendered_prompt
        assert mine[0].prompt_tokens == whole.results[p].prompt_tokens
        for k in (0, 1):
            sample = [c for c in mine if c.sample_index == k]
            assert sample[-1].finish_reason != policy_pb2.FINISH_REASON_UNSPECIFIED
            assert "".join(c.text_delta for c in sample) == whole.results[p].samples[k].text
            ids = [t for c in sample for t in c.token_ids]
            assert ids == list(whole.results[p].samples[k].token_ids)
            assert len([x for c in sample for x in c.token_logprobs]) == len(ids)
            assert sample[-1].mean_logprob == pytest.approx(whole.results[p].samples[k].mean_logprob, abs=1e-4)


async def test_bad_stream_request_fails_before_any_chunk(stub):
    with pytest.raises(grpc.aio.AioRpcError) as err:
        _ = [c async for c in stub.GenerateStream(policy_pb2.GenerateRequest(prompts=[raw("")]))]
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_concurrent_clients_and_deadlines(stub):
    reqs = [policy_pb2.GenerateRequest(prompts=[raw(f"for i in range({i}):")], sampling=greedy(8, n=2))
            for i in range(12)]
    replies = await asyncio.gather(*(stub.Generate(r) for r in reqs))
    assert all(len(r.results[0].samples) == 2 for r in replies)
    long = policy_pb2.GenerateRequest(prompts=[raw()] * 8, sampling=policy_pb2.SamplingParams(
        temperature=1.0, max_tokens=400, n=8))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Generate(long, timeout=0.05)
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    ok = await stub.Generate(policy_pb2.GenerateRequest(prompts=[raw()], sampling=greedy(4)), timeout=30)
    assert ok.results[0].samples


async def test_health_and_metrics(server, stub):
    async with make_channel(server.address) as ch:
        health = health_pb2_grpc.HealthStub(ch)
        for name in ("", "sweetrl.api.v1.PolicyService"):
            reply = await health.Check(health_pb2.HealthCheckRequest(service=name))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
    body = await asyncio.to_thread(lambda: urllib.request.urlopen(
        f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=5).read().decode())
    assert "sweet_policy_samples_total" in body and "sweet_serving_generated_tokens_total" in body


async def test_load_checkpoint_switches_models_and_keeps_serving_on_bad_ones(tiny_models, tmp_path):
    first, second = tiny_models
    srv, _ = build(config(first))
    await srv.start()
    try:
        async with make_channel(srv.address) as ch:
            stub = policy_pb2_grpc.PolicyServiceStub(ch)
            req = policy_pb2.GenerateRequest(prompts=[raw()], sampling=greedy(12))
            before = await stub.Generate(req)
            info0 = await stub.GetModelInfo(policy_pb2.GetModelInfoRequest())

            loaded = await stub.LoadCheckpoint(policy_pb2.LoadCheckpointRequest(
                uri=str(second), kind=policy_pb2.CHECKPOINT_KIND_FULL))
            assert loaded.model.generation == 1 and loaded.model.model_name == "tiny-b"
            assert loaded.model.revision != info0.revision and loaded.load_seconds > 0
            after = await stub.Generate(req)
            assert after.model.generation == 1 and after.model.model_name == "tiny-b"
            assert list(after.results[0].samples[0].token_ids) != list(before.results[0].samples[0].token_ids)

            corrupt = tmp_path / "corrupt"
            shutil.copytree(second, corrupt)
            (corrupt / "model.safetensors").write_bytes(b"\x00" * 64)
            bad = [
                (policy_pb2.LoadCheckpointRequest(uri=str(tmp_path / "missing")),
                 grpc.StatusCode.INVALID_ARGUMENT, "does not exist"),
                (policy_pb2.LoadCheckpointRequest(uri=""), grpc.StatusCode.INVALID_ARGUMENT, "uri"),
                (policy_pb2.LoadCheckpointRequest(uri=str(first), expected_revision="0" * 64),
                 grpc.StatusCode.FAILED_PRECONDITION, "revision"),
                (policy_pb2.LoadCheckpointRequest(uri=str(corrupt)), grpc.StatusCode.FAILED_PRECONDITION, ""),
            ]
            for request_, code, word in bad:
                await expect_error(stub.LoadCheckpoint(request_), code, word)
                still = await stub.Generate(req)
                assert still.model.model_name == "tiny-b" and still.model.generation == 1
                assert list(still.results[0].samples[0].token_ids) == list(after.results[0].samples[0].token_ids)
            info = await stub.GetModelInfo(policy_pb2.GetModelInfoRequest())
            assert (info.generation, info.model_name) == (1, "tiny-b")

            back = await stub.LoadCheckpoint(policy_pb2.LoadCheckpointRequest(uri=f"file://{first}"))
            assert back.model.generation == 2 and back.model.revision == info0.revision
            again = await stub.Generate(req)
            assert list(again.results[0].samples[0].token_ids) == list(before.results[0].samples[0].token_ids)
    finally:
        await srv.stop()


async def test_requests_during_a_load_wait_for_it(tiny_models):
    first, second = tiny_models
    srv, _ = build(config(first))
    await srv.start()
    try:
        async with make_channel(srv.address) as ch:
            stub = policy_pb2_grpc.PolicyServiceStub(ch)
            load = asyncio.ensure_future(stub.LoadCheckpoint(policy_pb2.LoadCheckpointRequest(uri=str(second))))
            await asyncio.sleep(0.01)
            reply = await stub.Generate(policy_pb2.GenerateRequest(prompts=[raw()], sampling=greedy(4)))
            await load
            # admitted after the load started, so served by the new weights
            assert reply.model.generation == 1 and reply.model.model_name == "tiny-b"
    finally:
        await srv.stop()


def test_backend_choice(tiny_models, monkeypatch):
    """backend=vllm builds a vLLM server (engine started later, on start) whose n limit
    is vllm.max_n; without the package it refuses with the install command."""
    import importlib.util

    from sweetrl.serving.vllm_config import VllmBackendConfig

    if importlib.util.find_spec("vllm") is not None:
        _, service = build(config(tiny_models[0], backend="vllm",
                                  vllm=VllmBackendConfig(max_n=3)))
        assert type(service.backend).__name__ == "VllmBackend"
        assert service.limits.max_n == 3
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "vllm" else real_find_spec(name, *a))
    with pytest.raises(FailedPrecondition, match=r"needs the vllm package.*--extras vllm"):
        build(config(tiny_models[0], backend="vllm"))
    _, service = build(config(tiny_models[0]))
    assert type(service.backend).__name__ == "TransformersBackend"
    assert service.limits.max_n == 8  # transformers.max_n of config()


@pytest.mark.smollm2
@pytest.mark.slow
async def test_smollm2_answers_a_chat():
    cfg = PolicyServiceConfig(server=ServerConfig(port=0, metrics_port=-1, drain_delay_s=0))
    srv, _ = build(cfg)
    await srv.start()
    try:
        async with make_channel(srv.address) as ch:
            stub = policy_pb2_grpc.PolicyServiceStub(ch)
            reply = await stub.Generate(policy_pb2.GenerateRequest(
                prompts=[chat([common_pb2.ChatMessage(role=common_pb2.ROLE_USER,
                                                      content="What is the capital of France?")])],
                sampling=greedy(24)))
            assert "Paris" in reply.results[0].samples[0].text
            info = await stub.GetModelInfo(policy_pb2.GetModelInfoRequest())
            assert info.model_name == "SmolLM2-135M-Instruct" and info.has_chat_template
    finally:
        await srv.stop()
