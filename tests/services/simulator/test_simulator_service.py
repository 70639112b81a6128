"""The simulator gRPC service in-process with the scripted simulators (backend and
frontend tasks): replies, batches, validation and admission errors with their status
codes, metrics."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from simulator_helpers import (FACTS, RED, agent, backend_request, draw_page, frontend_request,
                               human, png, running_simulator, simulator_config)

from services.simulator.app import build
from services.simulator.backends.base import DONT_KNOW
from sweetrl.api.v1 import common_pb2, simulator_pb2
from sweetrl.runtime import make_channel
from sweetrl.runtime.metrics import REGISTRY

SCRIPTED = simulator_config(backend="scripted")
TIP, ROUNDING, NOBODY = (f.statement for f in FACTS)


def metric(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_reply_states_the_fact_asked_about():
    async with running_simulator(SCRIPTED) as (stub, _):
        tip = await stub.Reply(backend_request("What tip should I use by default?"), timeout=10)
        two = await stub.Reply(backend_request("How do I round, and what if nobody comes?"),
                               timeout=10)
        unknown = await stub.Reply(backend_request("Which language do you speak?"), timeout=10)
    assert (tip.text, tip.backend, tip.truncated, tip.untruncated_chars) == (
        TIP, "scripted", False, len(TIP))
    assert tip.latency_seconds > 0
    assert two.text == f"{ROUNDING} {NOBODY}"
    assert unknown.text == DONT_KNOW


async def test_generic_question_uses_the_dialogue_to_skip_stated_facts():
    request = backend_request("What is the default tip?", human(TIP),
                              "Anything else I should know?")
    async with running_simulator(SCRIPTED) as (stub, _):
        assert (await stub.Reply(request, timeout=10)).text == ROUNDING


async def test_reply_is_cut_to_max_reply_chars_and_counted():
    truncations = metric("sweet_simulator_truncated_replies_total", backend="scripted")
    replies = metric("sweet_simulator_replies_total", backend="scripted")
    async with running_simulator(SCRIPTED) as (stub, _):
        r = await stub.Reply(backend_request("What tip?", max_reply_chars=10), timeout=10)
    assert (r.text, r.truncated, r.untruncated_chars) == (TIP[:10], True, len(TIP))
    assert metric("sweet_simulator_truncated_replies_total", backend="scripted") == truncations + 1
    assert metric("sweet_simulator_replies_total", backend="scripted") == replies + 1
    assert metric("sweet_simulator_reply_seconds_count", backend="scripted") >= 1


async def test_batch_answers_good_items_and_reports_bad_ones_in_place():
    labels = dict(backend="scripted", code="INVALID_ARGUMENT")
    errors = metric("sweet_simulator_reply_errors_total", **labels)
    bad_value = simulator_pb2.HiddenFact(name="x", statement="s.", value_json="{oops")
    items = [backend_request("What tip?"),
             backend_request("What tip?", human("18.")),           # ends with the human
             backend_request("How should I round?"),
             backend_request("What tip?", facts=[]),                # scripted needs facts
             backend_request("What tip?", facts=[bad_value]),
             backend_request("What if there are zero people?")]
    async with running_simulator(SCRIPTED) as (stub, _):
        r = await stub.ReplyBatch(simulator_pb2.ReplyBatchRequest(items=items), timeout=10)
    kinds = [item.WhichOneof("outcome") for item in r.items]
    assert kinds == ["result", "error", "result", "error", "error", "result"]
    assert [r.items[i].result.text for i in (0, 2, 5)] == [TIP, ROUNDING, NOBODY]
    assert {r.items[i].error.code for i in (1, 3, 4)} == {"INVALID_ARGUMENT"}
    assert "must end with a ROLE_ASSISTANT" in r.items[1].error.message
    assert "backend.facts is required" in r.items[3].error.message
    assert "backend.facts[0].value_json" in r.items[4].error.message
    assert metric("sweet_simulator_reply_errors_total", **labels) == errors + 3


TARGET_PNG = png(draw_page())
AGENT_PNG = png(draw_page(header=RED))


def _frontend(target: bytes = TARGET_PNG, agent_png: bytes = b"", **fields):
    return frontend_request(target, agent_png, **fields)


def _without_dialogue(request):
    del request.dialogue[:]
    return request


SYSTEM = common_pb2.ChatMessage(role=common_pb2.ROLE_SYSTEM, content="x")
NO_ROLE = common_pb2.ChatMessage(content="x")
LONG_STATEMENT = simulator_pb2.HiddenFact(name="t", statement="s" * 1025)


@pytest.mark.parametrize("request_, code, message", [
    (backend_request("What tip?", domain=common_pb2.DOMAIN_UNSPECIFIED), "INVALID_ARGUMENT",
     "domain is required"),
    (simulator_pb2.ReplyRequest(domain=common_pb2.DOMAIN_BACKEND, dialogue=[agent("?")]),
     "INVALID_ARGUMENT", "hidden information is required: set backend"),
    (_frontend(domain=common_pb2.DOMAIN_BACKEND), "INVALID_ARGUMENT",
     "the frontend hidden field is set"),
    (backend_request("What tip?", domain=common_pb2.DOMAIN_FRONTEND), "INVALID_ARGUMENT",
     "domain is DOMAIN_FRONTEND but the backend hidden field is set"),
    (_frontend(b""), "INVALID_ARGUMENT", "frontend.target_png is required"),
    (_frontend(b"png"), "INVALID_ARGUMENT", "frontend.target_png is not a PNG image"),
    (_frontend(agent_png=b"GIF89a"), "INVALID_ARGUMENT", "frontend.agent_png is not a PNG image"),
    (_frontend(agent_png=AGENT_PNG[:200]), "INVALID_ARGUMENT",
     "frontend.agent_png cannot be decoded as a PNG"),
    (_frontend(TARGET_PNG[:len(TARGET_PNG) // 2]), "INVALID_ARGUMENT",
     "frontend.target_png cannot be decoded"),
    (_frontend(b"\x89PNG\r\n\x1a\n" + bytes(8 << 20)), "RESOURCE_EXHAUSTED",
     "frontend.target_png has 8388616 bytes; the limit is 8388608"),
    (_frontend(target_html="x" * (256 * 1024 + 1)), "RESOURCE_EXHAUSTED",
     "frontend.target_html has 262145 bytes"),
    (_without_dialogue(_frontend()), "INVALID_ARGUMENT", "dialogue is empty"),
    (_frontend(max_reply_chars=4001), "INVALID_ARGUMENT", "max_reply_chars"),
    (backend_request(), "INVALID_ARGUMENT", "dialogue is empty"),
    (backend_request(SYSTEM, "What tip?"), "INVALID_ARGUMENT", "dialogue[0].role is ROLE_SYSTEM"),
    (backend_request(NO_ROLE, "What tip?"), "INVALID_ARGUMENT", "dialogue[0].role must be"),
    (backend_request("What tip?", max_reply_chars=4001), "INVALID_ARGUMENT", "max_reply_chars"),
    (backend_request("What tip?", max_reply_chars=-1), "INVALID_ARGUMENT", "max_reply_chars"),
    (backend_request("What tip?", facts=[simulator_pb2.HiddenFact(name="tip")]), "INVALID_ARGUMENT",
     "backend.facts[0]: field 'statement'"),
    (backend_request("What tip?", problem_description="x" * 16385), "RESOURCE_EXHAUSTED",
     "problem_description has 16385 bytes; the limit is 16384"),
    (backend_request(*["What tip?"] * 33), "RESOURCE_EXHAUSTED", "dialogue has 33 messages"),
    (backend_request("What tip?", ground_truth="x" * 65537), "RESOURCE_EXHAUSTED",
     "backend.ground_truth has 65537 bytes"),
    (backend_request("What tip?", facts=FACTS * 22), "RESOURCE_EXHAUSTED", "backend.facts has 66"),
    (backend_request("What tip?", facts=[LONG_STATEMENT]), "RESOURCE_EXHAUSTED",
     "backend.facts[0].statement has 1025 bytes"),
])
async def test_invalid_requests_get_the_documented_status(request_, code, message):
    async with running_simulator(SCRIPTED) as (stub, _):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.Reply(request_, timeout=10)
        batch = await stub.ReplyBatch(simulator_pb2.ReplyBatchRequest(items=[request_]), timeout=10)
    assert err.value.code().name == code
    assert message in err.value.details()
    assert (batch.items[0].error.code, message in batch.items[0].error.message) == (code, True)


async def test_frontend_turns_are_answered_and_counted_beside_backend_turns():
    replies = metric("sweet_simulator_replies_total", backend="scripted-frontend")
    errors = metric("sweet_simulator_reply_errors_total", backend="scripted-frontend",
                    code="INVALID_ARGUMENT")
    items = [_frontend(agent_png=AGENT_PNG), backend_request("What tip?"),
             _frontend(agent_png=b"nope"), _frontend()]
    async with running_simulator(SCRIPTED) as (stub, _):
        r = await stub.ReplyBatch(simulator_pb2.ReplyBatchRequest(items=items), timeout=30)
    header, tip, bad, first = r.items
    assert header.result.text == "The header should be blue, not red."
    assert header.result.backend == "scripted-frontend" and not header.result.truncated
    assert (tip.result.text, tip.result.backend) == (TIP, "scripted")
    assert bad.error.code == "INVALID_ARGUMENT" and "frontend.agent_png" in bad.error.message
    assert first.result.text.startswith("I don't see a page from you yet.")
    assert metric("sweet_simulator_replies_total", backend="scripted-frontend") == replies + 2
    assert metric("sweet_simulator_reply_errors_total", backend="scripted-frontend",
                  code="INVALID_ARGUMENT") == errors + 1


async def test_a_server_without_frontend_simulator_refuses_frontend_turns():
    config = simulator_config(backend="scripted", frontend="none")
    errors = metric("sweet_simulator_reply_errors_total", backend="none",
                    code="FAILED_PRECONDITION")
    async with running_simulator(config) as (stub, service):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.Reply(_frontend(agent_png=AGENT_PNG), timeout=10)
        tip = await stub.Reply(backend_request("What tip?"), timeout=10)
    assert service.frontend is None
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "does not simulate frontend tasks" in err.value.details()
    assert tip.text == TIP
    assert metric("sweet_simulator_reply_errors_total", backend="none",
                  code="FAILED_PRECONDITION") == errors + 1


async def test_batch_limits_and_bounded_admission():
    config = simulator_config(backend="scripted", max_batch_items=3, max_pending_replies=2)
    good, bad = backend_request("What tip?"), backend_request("What tip?", facts=[])
    async with running_simulator(config) as (stub, _):
        with pytest.raises(grpc.aio.AioRpcError) as too_many:
            await stub.ReplyBatch(simulator_pb2.ReplyBatchRequest(items=[good] * 4), timeout=10)
        with pytest.raises(grpc.aio.AioRpcError) as busy:  # 3 admitted replies > 2 pending
            await stub.ReplyBatch(simulator_pb2.ReplyBatchRequest(items=[good] * 3), timeout=10)
        # Bad items are not admitted, so they do not count against the queue.
        mixed = await stub.ReplyBatch(simulator_pb2.ReplyBatchRequest(items=[good, bad, good]),
                                      timeout=10)
        empty = await stub.ReplyBatch(simulator_pb2.ReplyBatchRequest(), timeout=10)
    assert too_many.value.code() == busy.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "items has 4 entries; the limit is 3" in too_many.value.details()
    assert "server busy" in busy.value.details()
    assert [i.WhichOneof("outcome") for i in mixed.items] == ["result", "error", "result"]
    assert list(empty.items) == []


async def test_the_server_reports_health_for_the_simulator_service():
    server, service = build(SCRIPTED)
    await server.start()
    try:
        async with make_channel(server.address) as channel:
            reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(
                service="sweetrl.api.v1.SimulatorService"), timeout=10)
    finally:
        await server.stop()
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    assert service.backend.name == "scripted"
