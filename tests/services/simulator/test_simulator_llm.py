"""The llm simulated human over both transports: a real in-process PolicyService on a
tiny random model (and, marked, the real SmolLM2), and a local OpenAI-compatible
HTTP endpoint (request format, retries, errors, deadlines, concurrency)."""

from __future__ import annotations

import socket

import grpc
import pytest
import pytest_asyncio
from simulator_helpers import (GROUND_TRUTH, PROBLEM, backend_request, human, running_simulator,
                               simulator_config)

from services.policy.app import build as build_policy
from services.policy.config import PolicyServiceConfig
from services.simulator.backends.base import DONT_KNOW
from services.simulator.backends.llm import LABEL_ROOM, SYSTEM_PROMPT, clean_reply
from services.simulator.config import LlmSimulatorConfig
from sweetrl.api.v1 import simulator_pb2
from sweetrl.models.tiny import build_tiny_model
from sweetrl.runtime import ServerConfig
from sweetrl.serving.config import TransformersBackendConfig

QUESTION = "What tip should I add when none is given?"
TEST_SERVER = ServerConfig(port=0, metrics_port=-1, drain_delay_s=0, grace_period_s=1)


def openai_config(endpoint, **llm) -> LlmSimulatorConfig:
    llm.setdefault("initial_backoff_s", 0.01)
    return LlmSimulatorConfig(transport="openai", openai_base_url=endpoint.base_url,
                              openai_model="sim-70b", openai_api_key_env="SIM_TEST_KEY", **llm)


async def reply_error(stub, request, timeout: float = 10) -> grpc.aio.AioRpcError:
    """The error a Reply call fails with (the test fails if it succeeds)."""
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Reply(request, timeout=timeout)
    return err.value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------ OpenAI-compatible


async def test_openai_request_carries_prompt_ground_truth_and_dialogue(endpoint, monkeypatch):
    monkeypatch.setenv("SIM_TEST_KEY", "sk-test")
    endpoint.reply = "You: " + "x" * 450  # echoed speaker label, longer than 400 characters
    config = simulator_config(llm=openai_config(endpoint, max_tokens=77))
    dialogue = ("Hi! Who will use it?", human("My friends and I."), QUESTION)
    async with running_simulator(config) as (stub, _):
        r = await stub.Reply(backend_request(*dialogue), timeout=10)
    assert (r.text, r.truncated, r.untruncated_chars) == ("x" * 400, True, 450)
    assert r.backend == "openai:sim-70b"
    (headers, body), = endpoint.requests
    assert headers["Authorization"] == "Bearer sk-test"
    assert (body["model"], body["temperature"], body["max_tokens"], body["n"]) == (
        "sim-70b", 0, 77, 1)
    system, user = body["messages"]
    assert (system["role"], system["content"], user["role"]) == ("system", SYSTEM_PROMPT, "user")
    assert GROUND_TRUTH.strip() in user["content"] and PROBLEM in user["content"]
    transcript = user["content"].split("The conversation so far:")[1]
    assert transcript.index("Assistant: Hi! Who will use it?") < transcript.index(
        "You: My friends and I.") < transcript.index(f"Assistant: {QUESTION}")


async def test_openai_retries_503_and_429_then_succeeds(endpoint, monkeypatch):
    monkeypatch.delenv("SIM_TEST_KEY", raising=False)
    endpoint.statuses = [503, 429]
    async with running_simulator(simulator_config(llm=openai_config(endpoint))) as (stub, _):
        r = await stub.Reply(backend_request(QUESTION), timeout=10)
    assert (r.text, r.truncated) == ("Use 18 percent.", False)
    assert len(endpoint.requests) == 3
    assert "Authorization" not in endpoint.requests[0][0]  # unset key variable: no header


async def test_openai_gives_up_with_unavailable(endpoint):
    endpoint.statuses = [503] * 5
    config = simulator_config(llm=openai_config(endpoint, max_attempts=3))
    async with running_simulator(config) as (stub, _):
        err = await reply_error(stub, backend_request(QUESTION))
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert "cannot be reached: HTTP 503 (after 3 attempts)" in err.details()
    assert endpoint.base_url in err.details()
    assert len(endpoint.requests) == 3


async def test_openai_refused_prompt_and_bad_key_are_not_retried(endpoint):
    endpoint.statuses = [400, 401]
    async with running_simulator(simulator_config(llm=openai_config(endpoint))) as (stub, _):
        refused = await reply_error(stub, backend_request(QUESTION))
        bad_key = await reply_error(stub, backend_request(QUESTION))
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "refused the prompt (HTTP 400): scripted failure 400" in refused.details()
    assert bad_key.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "$SIM_TEST_KEY" in bad_key.details()
    assert len(endpoint.requests) == 2


async def test_unreachable_endpoint_is_unavailable():
    nobody = f"http://127.0.0.1:{free_port()}/v1"
    llm = LlmSimulatorConfig(transport="openai", openai_base_url=nobody, openai_model="m",
                             max_attempts=2, initial_backoff_s=0.01)
    async with running_simulator(simulator_config(llm=llm)) as (stub, _):
        err = await reply_error(stub, backend_request(QUESTION))
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert "connection failed (ConnectError) (after 2 attempts)" in err.details()


async def test_deadline_is_honoured_for_calls_and_batch_items(endpoint):
    endpoint.delay = 1.5
    bad = backend_request(QUESTION, ground_truth="")  # the llm simulator needs the code
    async with running_simulator(simulator_config(llm=openai_config(endpoint))) as (stub, _):
        err = await reply_error(stub, backend_request(QUESTION), timeout=0.3)
        r = await stub.ReplyBatch(simulator_pb2.ReplyBatchRequest(
            items=[backend_request(QUESTION), bad]), timeout=1.0)
    assert err.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert [(i.error.code, "ground_truth is required" in i.error.message) for i in r.items] == [
        ("DEADLINE_EXCEEDED", False), ("INVALID_ARGUMENT", True)]


async def test_a_slow_model_gets_the_callers_whole_deadline_in_one_attempt(endpoint):
    # a busy model server answers late; cutting the request at request_timeout_s and
    # sending it again would only queue it once more behind the others
    endpoint.delay = 0.6
    config = simulator_config(llm=openai_config(endpoint, request_timeout_s=0.2))
    async with running_simulator(config) as (stub, _):
        r = await stub.Reply(backend_request(QUESTION), timeout=5)
    assert r.text == "Use 18 percent." and len(endpoint.requests) == 1


async def test_concurrency_is_bounded_by_config(endpoint):
    endpoint.delay = 0.05
    config = simulator_config(llm=openai_config(endpoint), max_concurrent_replies=2)
    async with running_simulator(config) as (stub, _):
        r = await stub.ReplyBatch(simulator_pb2.ReplyBatchRequest(
            items=[backend_request(QUESTION)] * 6), timeout=10)
    assert [i.result.text for i in r.items] == ["Use 18 percent."] * 6
    assert endpoint.max_in_flight == 2


def test_clean_reply():
    assert clean_reply("  You: Use 18 percent. ") == "Use 18 percent."
    assert clean_reply("  \n") == DONT_KNOW
    assert clean_reply("Yourself: fine") == "Yourself: fine"


# ------------------------------------------------------------- PolicyService


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    # A long context: the simulator prompt holds instructions, problem, code and dialogue.
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny",
                            max_position_embeddings=4096)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def policy(tiny_model):
    server, service = build_policy(PolicyServiceConfig(
        server=TEST_SERVER, model=str(tiny_model),
        transformers=TransformersBackendConfig(batch_wait_ms=1, torch_threads=2)))
    await server.start()
    yield server, service
    await server.stop()


def policy_llm(address: str, **fields) -> LlmSimulatorConfig:
    return LlmSimulatorConfig(transport="policy", policy_address=address, **fields)


@pytest.mark.asyncio(loop_scope="module")
async def test_policy_transport_prompt_reaches_the_model(policy, monkeypatch):
    server, service = policy
    seen = []
    generate = service.generate

    async def spy(request, **kw):
        result = await generate(request, **kw)
        seen.append((request, result.results[0]))
        return result

    monkeypatch.setattr(service, "generate", spy)
    request = backend_request("Hello!", human("Hi."), QUESTION, max_reply_chars=12)
    config = simulator_config(llm=policy_llm(server.address, max_tokens=40))
    async with running_simulator(config) as (stub, _):
        first = await stub.Reply(request, timeout=60)
        again = await stub.Reply(request, timeout=60)
    assert (first.text, first.untruncated_chars) == (again.text, again.untruncated_chars)  # greedy
    (generated, result), _ = seen
    assert generated.params.temperature == 0.0 and generated.params.max_tokens == 40
    # The server stops generating past the cap plus room for a speaker label.
    assert generated.params.max_chars == 12 + LABEL_ROOM
    assert len(result.samples[0].token_ids) < 40  # 44 characters came before 40 tokens
    assert [m.role for m in generated.prompts[0].messages] == ["system", "user"]
    assert GROUND_TRUTH.strip() in result.rendered_prompt and PROBLEM in result.rendered_prompt
    assert f"Assistant: {QUESTION}" in result.rendered_prompt
    produced = clean_reply(result.samples[0].text)
    assert first.untruncated_chars == len(produced)
    assert first.text == produced[:12] and first.truncated == (len(produced) > 12)
    assert first.backend == f"policy:{service.info().model_name}"


@pytest.mark.asyncio(loop_scope="module")
async def test_policy_transport_errors(policy):
    server, _ = policy
    too_long = backend_request(QUESTION, problem_description="zq{" * 5000)  # > 4096 tokens
    async with running_simulator(simulator_config(llm=policy_llm(server.address))) as (stub, _):
        refused = await reply_error(stub, too_long, timeout=60)
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "the simulator model refused the prompt" in refused.details()
    down = policy_llm(f"127.0.0.1:{free_port()}", max_attempts=2, initial_backoff_s=0.01)
    async with running_simulator(simulator_config(llm=down)) as (stub, _):
        err = await reply_error(stub, backend_request(QUESTION))
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert "cannot be reached: UNAVAILABLE" in err.details()


@pytest.mark.smollm2
@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_smollm2_simulator_answers_briefly():
    server, _ = build_policy(PolicyServiceConfig(server=TEST_SERVER))
    await server.start()
    try:
        async with running_simulator(simulator_config(llm=policy_llm(server.address))) as (stub, _):
            r = await stub.Reply(backend_request(QUESTION), timeout=300)
    finally:
        await server.stop()
    assert 0 < len(r.text) <= 400 and r.untruncated_chars >= len(r.text)
    assert r.backend == "policy:SmolLM2-135M-Instruct"
