"""Interceptors in-process: error mapping, metrics and auth on a bytes echo service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import grpc
import pytest
from grpc import aio

from sweetrl.errors import InvalidInput, NotFound, Overloaded
from sweetrl.runtime import GrpcServer, ServerConfig, ServiceSpec, make_channel
from sweetrl.runtime.metrics import REGISTRY

SERVICE = "test.Echo"


class EchoHandlers:
    """Behaviours of the test service; events let tests observe the server side."""

    def __init__(self) -> None:
        self.sleep_started = asyncio.Event()
        self.sleep_cancelled = asyncio.Event()

    async def echo(self, request: bytes, context: aio.ServicerContext) -> bytes:
        return request

    async def invalid(self, request: bytes, context: aio.ServicerContext) -> bytes:
        raise InvalidInput("prompt must not be empty")

    async def busy(self, request: bytes, context: aio.ServicerContext) -> bytes:
        raise Overloaded("queue full, retry later")

    async def crash(self, request: bytes, context: aio.ServicerContext) -> bytes:
        raise ValueError("secret-internal-detail")

    async def abort(self, request: bytes, context: aio.ServicerContext) -> bytes:
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, "explicit abort")

    async def sleep(self, request: bytes, context: aio.ServicerContext) -> bytes:
        self.sleep_started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            self.sleep_cancelled.set()
            raise
        return b"woke"

    def sync_missing(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        # Plain functions run in grpc's thread pool; the wrapper must stay sync.
        raise NotFound("no such task")

    async def stream(self, request: bytes, context: aio.ServicerContext
                     ) -> AsyncIterator[bytes]:
        for i in range(3):
            yield request + str(i).encode()

    async def stream_fail(self, request: bytes, context: aio.ServicerContext
                          ) -> AsyncIterator[bytes]:
        yield b"first"
        raise InvalidInput("bad second item")

    async def write_stream(self, request: bytes, context: aio.ServicerContext) -> None:
        await context.write(b"a")
        await context.write(b"b")

    async def collect(self, requests: AsyncIterator[bytes],
                      context: aio.ServicerContext) -> bytes:
        return b"".join([r async for r in requests])

    async def chat(self, requests: AsyncIterator[bytes], context: aio.ServicerContext
                   ) -> AsyncIterator[bytes]:
        async for r in requests:
            if r == b"boom":
                raise RuntimeError("hidden")
            yield r.upper()

    def generic_handler(self) -> grpc.GenericRpcHandler:
        unary = grpc.unary_unary_rpc_method_handler
        return grpc.method_handlers_generic_handler(SERVICE, {
            "Echo": unary(self.echo),
            "Invalid": unary(self.invalid),
            "Busy": unary(self.busy),
            "Crash": unary(self.crash),
            "Abort": unary(self.abort),
            "Sleep": unary(self.sleep),
            "SyncMissing": unary(self.sync_missing),
            "Stream": grpc.unary_stream_rpc_method_handler(self.stream),
            "StreamFail": grpc.unary_stream_rpc_method_handler(self.stream_fail),
            "WriteStream": grpc.unary_stream_rpc_method_handler(self.write_stream),
            "Collect": grpc.stream_unary_rpc_method_handler(self.collect),
            "Chat": grpc.stream_stream_rpc_method_handler(self.chat),
        })


async def _serve(handlers: EchoHandlers, **config: object) -> GrpcServer:
    spec = ServiceSpec(name="echo", service_names=(SERVICE,),
                       register=lambda s: s.add_generic_rpc_handlers(
                           (handlers.generic_handler(),)))
    server = GrpcServer(spec, ServerConfig(metrics_port=-1, drain_delay_s=0,
                                           grace_period_s=0.2, **config))
    await server.start()
    return server


@pytest.fixture
async def echo(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SWEET_AUTH_TOKEN", raising=False)
    handlers = EchoHandlers()
    server = await _serve(handlers)
    channel = make_channel(server.address)
    yield handlers, channel
    await channel.close()
    await server.stop()


def _requests(method: str, code: str) -> float:
    return REGISTRY.get_sample_value(
        "sweet_grpc_requests_total",
        {"service": SERVICE, "method": method, "code": code}) or 0.0


async def _call(channel: aio.Channel, method: str, request: bytes = b"x",
                **kwargs: object) -> bytes:
    return await channel.unary_unary(f"/{SERVICE}/{method}")(request, **kwargs)


async def _error(call) -> aio.AioRpcError:
    with pytest.raises(aio.AioRpcError) as info:
        await call
    return info.value


# ----------------------------------------------------------------------- errors


async def test_echo_ok(echo):
    _, channel = echo
    assert await _call(channel, "Echo", b"hello") == b"hello"


@pytest.mark.parametrize("method, code, message", [
    ("Invalid", grpc.StatusCode.INVALID_ARGUMENT, "prompt must not be empty"),
    ("Busy", grpc.StatusCode.RESOURCE_EXHAUSTED, "queue full, retry later"),
    ("Abort", grpc.StatusCode.PERMISSION_DENIED, "explicit abort"),
    ("SyncMissing", grpc.StatusCode.NOT_FOUND, "no such task"),
])
async def test_domain_errors_map_to_status(echo, method, code, message):
    _, channel = echo
    err = await _error(_call(channel, method))
    assert err.code() == code
    assert err.details() == message


async def test_unexpected_error_is_internal_without_traceback(echo, caplog):
    _, channel = echo
    with caplog.at_level(logging.ERROR, logger="sweetrl.runtime.interceptors"):
        err = await _error(_call(channel, "Crash"))
    assert err.code() == grpc.StatusCode.INTERNAL
    details = err.details()
    assert "secret-internal-detail" not in details
    assert "Traceback" not in details and "ValueError" not in details
    assert details.startswith("internal error (error id ")
    error_id = details.removeprefix("internal error (error id ").rstrip(")")
    # The server log has the traceback under the same id, for the operator.
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "secret-internal-detail" in str(logged[0].exc_info[1])


async def test_deadline_cancels_handler(echo):
    handlers, channel = echo
    before = _requests("Sleep", "DEADLINE_EXCEEDED")
    err = await _error(_call(channel, "Sleep", timeout=0.3))
    assert err.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert handlers.sleep_started.is_set()
    await asyncio.wait_for(handlers.sleep_cancelled.wait(), timeout=5)
    for _ in range(50):  # metrics are recorded as the cancelled handler unwinds
        if _requests("Sleep", "DEADLINE_EXCEEDED") > before:
            break
        await asyncio.sleep(0.02)
    assert _requests("Sleep", "DEADLINE_EXCEEDED") == before + 1


async def test_streams_pass_through_and_map_errors(echo):
    _, channel = echo
    got = [r async for r in channel.unary_stream(f"/{SERVICE}/Stream")(b"s")]
    assert got == [b"s0", b"s1", b"s2"]
    got = [r async for r in channel.unary_stream(f"/{SERVICE}/WriteStream")(b"")]
    assert got == [b"a", b"b"]

    received = []
    call = channel.unary_stream(f"/{SERVICE}/StreamFail")(b"")
    with pytest.raises(aio.AioRpcError) as info:
        async for r in call:
            received.append(r)
    assert received == [b"first"]
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details() == "bad second item"


async def test_client_streaming_shapes(echo):
    _, channel = echo

    async def parts():
        for p in (b"a", b"b", b"c"):
            yield p

    assert await channel.stream_unary(f"/{SERVICE}/Collect")(parts()) == b"abc"
    got = [r async for r in channel.stream_stream(f"/{SERVICE}/Chat")(parts())]
    assert got == [b"A", b"B", b"C"]

    async def bad():
        yield b"ok"
        yield b"boom"

    call = channel.stream_stream(f"/{SERVICE}/Chat")(bad())
    with pytest.raises(aio.AioRpcError) as info:
        async for _ in call:
            pass
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert "hidden" not in info.value.details()


async def test_unknown_method_is_unimplemented(echo):
    _, channel = echo
    err = await _error(_call(channel, "NoSuchMethod"))
    assert err.code() == grpc.StatusCode.UNIMPLEMENTED


# ---------------------------------------------------------------------- metrics


async def test_metrics_count_codes(echo):
    _, channel = echo
    ok, invalid, internal = (_requests("Echo", "OK"), _requests("Invalid", "INVALID_ARGUMENT"),
                             _requests("Crash", "INTERNAL"))
    missing = _requests("SyncMissing", "NOT_FOUND")
    await _call(channel, "Echo")
    await _call(channel, "Echo")
    await _error(_call(channel, "Invalid"))
    await _error(_call(channel, "Crash"))
    # Sync handlers get a context without code(); the code must still be recorded.
    await _error(_call(channel, "SyncMissing"))
    # A sync handler's status is recorded on grpc's thread pool, which may finish
    # after the client already has the reply: wait for it (bounded).
    for _ in range(200):
        if _requests("SyncMissing", "NOT_FOUND") == missing + 1:
            break
        await asyncio.sleep(0.01)
    assert _requests("SyncMissing", "NOT_FOUND") == missing + 1
    assert _requests("Echo", "OK") == ok + 2
    assert _requests("Invalid", "INVALID_ARGUMENT") == invalid + 1
    assert _requests("Crash", "INTERNAL") == internal + 1
    labels = {"service": SERVICE, "method": "Echo"}
    assert REGISTRY.get_sample_value("sweet_grpc_request_seconds_count", labels) >= 2
    assert REGISTRY.get_sample_value("sweet_grpc_in_flight", labels) == 0


async def test_in_flight_gauge_during_call(echo):
    handlers, channel = echo
    labels = {"service": SERVICE, "method": "Sleep"}
    task = asyncio.create_task(_call(channel, "Sleep"))
    await asyncio.wait_for(handlers.sleep_started.wait(), timeout=5)
    assert REGISTRY.get_sample_value("sweet_grpc_in_flight", labels) == 1
    task.cancel()  # client cancellation reaches the handler as CancelledError
    await asyncio.wait_for(handlers.sleep_cancelled.wait(), timeout=5)
    for _ in range(50):
        if REGISTRY.get_sample_value("sweet_grpc_in_flight", labels) == 0:
            break
        await asyncio.sleep(0.02)
    assert REGISTRY.get_sample_value("sweet_grpc_in_flight", labels) == 0


# ------------------------------------------------------------------------- auth


@pytest.fixture
async def secured(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SWEET_AUTH_TOKEN", raising=False)
    server = await _serve(EchoHandlers(), auth_token="s3cret")
    yield server
    await server.stop()


async def test_auth_rejects_missing_and_wrong_token(secured):
    before = _requests("Echo", "UNAUTHENTICATED")
    for token in (None, "wrong"):
        async with make_channel(secured.address, token=token) as channel:
            err = await _error(_call(channel, "Echo"))
            assert err.code() == grpc.StatusCode.UNAUTHENTICATED
            assert "s3cret" not in err.details()
    # Streaming shapes are denied too, before the handler runs.
    async with make_channel(secured.address) as channel:
        call = channel.unary_stream(f"/{SERVICE}/Stream")(b"s")
        with pytest.raises(aio.AioRpcError) as info:
            async for _ in call:
                pass
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert _requests("Echo", "UNAUTHENTICATED") == before + 2


async def test_auth_accepts_right_token(secured):
    async with make_channel(secured.address, token="s3cret") as channel:
        assert await _call(channel, "Echo", b"hi") == b"hi"
        got = [r async for r in channel.unary_stream(f"/{SERVICE}/Stream")(b"s")]
        assert got == [b"s0", b"s1", b"s2"]
        # Errors are still mapped behind the auth check.
        err = await _error(_call(channel, "Invalid"))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_auth_token_from_environment(monkeypatch):
    monkeypatch.setenv("SWEET_AUTH_TOKEN", "from-env")
    server = await _serve(EchoHandlers())
    try:
        async with make_channel(server.address, token="nope") as channel:
            err = await _error(_call(channel, "Echo"))
            assert err.code() == grpc.StatusCode.UNAUTHENTICATED
        # The client falls back to the same variable when given no token.
        async with make_channel(server.address) as channel:
            assert await _call(channel, "Echo", b"e") == b"e"
    finally:
        await server.stop()


async def test_health_needs_no_token(secured):
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    async with make_channel(secured.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=SERVICE))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
