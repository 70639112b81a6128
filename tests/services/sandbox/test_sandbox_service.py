"""The sandbox gRPC service in-process: API, errors, overload, health, reflection, metrics."""

from __future__ import annotations

import asyncio
import urllib.request

import grpc
import pytest
import pytest_asyncio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.sandbox.app import build
from services.sandbox.config import SandboxServiceConfig
from sweetrl.api.v1 import sandbox_pb2, sandbox_pb2_grpc
from sweetrl.runtime import ServerConfig, make_channel
from sweetrl.sandbox.config import SandboxConfig

pytestmark = [pytest.mark.isolation, pytest.mark.asyncio(loop_scope="module")]

GT = "def area(w, h, unit='m'):\n    a = w * h\n    return f'{a:.1f} {unit}2'\n"
CALLS = ["area(2, 3)", "area(1.5, 2, 'ft')", "area(0, 9)"]
RIGHT = "```python\ndef area(w, h, unit='m'):\n    return f'{w * h:.1f} {unit}2'\n```"
WRONG = "def area(w, h, unit='m'):\n    return f'{w * h} {unit}2'"
SLOW = "import time\ndef area(w, h, unit='m'):\n    time.sleep(0.4)\n    return None"


def task(task_id: str = "t1", ground_truth: str = GT) -> sandbox_pb2.BackendTask:
    return sandbox_pb2.BackendTask(task_id=task_id, ground_truth=ground_truth,
                                   test_cases=[sandbox_pb2.TestCase(name=f"c{i}", call=c)
                                               for i, c in enumerate(CALLS)])


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server():
    cfg = SandboxServiceConfig(
        server=ServerConfig(port=0, metrics_port=0, drain_delay_s=0, grace_period_s=1),
        engine=SandboxConfig(slots=1, max_queue=1, per_test_timeout_s=2.0))
    srv, _ = build(cfg)
    await srv.start()
    yield srv
    await srv.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def channel(server):
    async with make_channel(server.address) as ch:
        yield ch


async def test_evaluate_judges_right_and_wrong_answers(channel):
    stub = sandbox_pb2_grpc.SandboxServiceStub(channel)
    right = await stub.Evaluate(sandbox_pb2.EvaluateRequest(task=task(), answer=RIGHT))
    assert (right.reward, right.success, right.tests_passed, right.tests_total) == (1.0, True, 3, 3)
    assert right.task_id == "t1"
    assert all(t.outcome == sandbox_pb2.TEST_OUTCOME_PASSED for t in right.tests)
    wrong = await stub.Evaluate(sandbox_pb2.EvaluateRequest(task=task(), answer=WRONG))
    assert wrong.success is False
    # '6 m2' != '6.0 m2' and '0 m2' != '0.0 m2'; 1.5 * 2 is the float 3.0 either way
    assert wrong.tests_passed == 1
    assert [t.passed for t in wrong.tests] == [False, True, False]
    assert wrong.tests[0].outcome == sandbox_pb2.TEST_OUTCOME_WRONG_OUTPUT
    assert "expected '6.0 m2'" in wrong.tests[0].detail
    assert wrong.timings.ground_truth_cached is True


@pytest.mark.parametrize("request_, field", [
    (sandbox_pb2.EvaluateRequest(answer=RIGHT), "task"),
    (sandbox_pb2.EvaluateRequest(task=task(ground_truth="  "), answer=RIGHT), "ground_truth"),
    (sandbox_pb2.EvaluateRequest(task=task(), answer="x" * (65 * 1024)), "answer"),
])
async def test_malformed_request_is_invalid_argument_and_server_keeps_serving(channel, request_, field):
    stub = sandbox_pb2_grpc.SandboxServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Evaluate(request_)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in err.value.details()
    assert "Traceback" not in err.value.details()
    ok = await stub.Evaluate(sandbox_pb2.EvaluateRequest(task=task(), answer=RIGHT))
    assert ok.success


async def test_unparseable_bytes_are_invalid_argument(channel):
    raw = channel.unary_unary("/sweetrl.api.v1.SandboxService/Evaluate",
                              request_serializer=None, response_deserializer=None)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await raw(b"\xff\xff\xff\x07garbage")
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    stub = sandbox_pb2_grpc.SandboxServiceStub(channel)
    assert (await stub.Evaluate(sandbox_pb2.EvaluateRequest(task=task(), answer=RIGHT))).success


async def test_batch_reports_bad_items_in_place_and_judges_the_rest(channel):
    stub = sandbox_pb2_grpc.SandboxServiceStub(channel)
    reply = await stub.EvaluateBatch(sandbox_pb2.EvaluateBatchRequest(items=[
        sandbox_pb2.EvaluateRequest(task=task("a"), answer=RIGHT),
        sandbox_pb2.EvaluateRequest(answer=RIGHT),
        sandbox_pb2.EvaluateRequest(task=task("c"), answer=WRONG),
    ]))
    assert [i.WhichOneof("outcome") for i in reply.items] == ["result", "error", "result"]
    assert reply.items[0].result.task_id == "a" and reply.items[0].result.success
    assert reply.items[1].error.code == "INVALID_ARGUMENT" and "items[1].task" in reply.items[1].error.message
    assert reply.items[2].result.task_id == "c" and not reply.items[2].result.success


async def test_overload_is_resource_exhausted(channel):
    stub = sandbox_pb2_grpc.SandboxServiceStub(channel)
    slow = sandbox_pb2.EvaluateRequest(task=task("slow"), answer=SLOW, answer_is_code=True)
    outcomes = await asyncio.gather(*(stub.Evaluate(slow) for _ in range(5)), return_exceptions=True)
    codes = [o.code() for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    judged = [o for o in outcomes if isinstance(o, sandbox_pb2.EvaluateResponse)]
    assert grpc.StatusCode.RESOURCE_EXHAUSTED in codes  # 1 slot + 1 queued, 5 sent
    assert judged and all(r.tests_passed == 0 for r in judged)
    assert (await stub.Evaluate(sandbox_pb2.EvaluateRequest(task=task(), answer=RIGHT))).success


async def test_limits_report_isolation(channel):
    stub = sandbox_pb2_grpc.SandboxServiceStub(channel)
    limits = await stub.GetLimits(sandbox_pb2.GetLimitsRequest())
    assert limits.isolation == "strict"
    assert {"netns", "pidns", "userns", "seccomp"} <= set(limits.mechanisms)
    assert limits.slots == 1 and limits.per_test_timeout_seconds == 2.0
    assert limits.eval_timeout_seconds > 0


async def test_health_reflection_and_metrics(server, channel):
    health = health_pb2_grpc.HealthStub(channel)
    for name in ("", "sweetrl.api.v1.SandboxService"):
        reply = await health.Check(health_pb2.HealthCheckRequest(service=name))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    refl = reflection_pb2_grpc.ServerReflectionStub(channel)
    services = []
    async for resp in refl.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])):
        services += [s.name for s in resp.list_services_response.service]
    assert "sweetrl.api.v1.SandboxService" in services
    body = urllib.request.urlopen(f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=5).read().decode()
    assert 'sweet_sandbox_evaluations_total{result="success"}' in body
    assert 'sweet_grpc_requests_total{code="INVALID_ARGUMENT",method="Evaluate"' in body or \
        'code="INVALID_ARGUMENT"' in body
    assert "sweet_sandbox_slots 1.0" in body
