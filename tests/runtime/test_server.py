"""GrpcServer in-process: health, reflection, metrics endpoint, limits, TLS, shutdown."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

import grpc
import pytest
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from sweetrl.errors import Unavailable
from sweetrl.runtime import (
    GrpcServer,
    ServerConfig,
    ServiceSpec,
    make_channel,
    make_sync_channel,
    queue_depth,
    serve_forever,
    wait_ready,
    wait_ready_sync,
)

SERVICE = "test.Echo"


async def _echo(request: bytes, context: aio.ServicerContext) -> bytes:
    return request


async def _sleep(request: bytes, context: aio.ServicerContext) -> bytes:
    await asyncio.sleep(float(request or b"30"))
    return b"done"


def _spec(events: list[str] | None = None) -> ServiceSpec:
    handler = grpc.method_handlers_generic_handler(SERVICE, {
        "Echo": grpc.unary_unary_rpc_method_handler(_echo),
        "Sleep": grpc.unary_unary_rpc_method_handler(_sleep),
    })

    async def on_start() -> None:
        if events is not None:
            events.append("start")

    async def on_stop() -> None:
        if events is not None:
            events.append("stop")

    return ServiceSpec(name="echo", service_names=(SERVICE,),
                       register=lambda s: s.add_generic_rpc_handlers((handler,)),
                       on_start=on_start, on_stop=on_stop)


def _config(**overrides: object) -> ServerConfig:
    values: dict[str, object] = dict(metrics_port=-1, drain_delay_s=0, grace_period_s=0.2)
    values.update(overrides)
    return ServerConfig(**values)


@pytest.fixture(autouse=True)
def _no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SWEET_AUTH_TOKEN", raising=False)


@pytest.fixture
async def server():
    srv = GrpcServer(_spec(), _config(metrics_port=0))
    await srv.start()
    yield srv
    await srv.stop()


async def _health(channel: aio.Channel, service: str) -> int:
    reply = await health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=service), timeout=2)
    return reply.status


async def test_health_serving_for_server_and_service(server):
    async with make_channel(server.address) as channel:
        await wait_ready(channel, timeout=5)
        assert await _health(channel, "") == health_pb2.HealthCheckResponse.SERVING
        assert await _health(channel, SERVICE) == health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(aio.AioRpcError) as info:
            await _health(channel, "no.Such")
        assert info.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_broken_service_turns_not_serving_for_good(monkeypatch):
    from sweetrl.runtime import server as server_module

    monkeypatch.setattr(server_module, "HEALTH_POLL_S", 0.05)
    reason: list[str] = []
    spec = _spec()
    spec.broken = lambda: reason[0] if reason else None
    srv = GrpcServer(spec, _config())
    await srv.start()
    try:
        async with make_channel(srv.address) as channel:
            await wait_ready(channel, timeout=5)
            await asyncio.sleep(0.2)
            assert await _health(channel, SERVICE) == health_pb2.HealthCheckResponse.SERVING
            reason.append("the engine died for good")
            for _ in range(100):
                if await _health(channel, SERVICE) == health_pb2.HealthCheckResponse.NOT_SERVING:
                    break
                await asyncio.sleep(0.05)
            assert await _health(channel, SERVICE) == health_pb2.HealthCheckResponse.NOT_SERVING
            reason.clear()  # it stays down: the server needs a restart
            await asyncio.sleep(0.2)
            assert await _health(channel, SERVICE) == health_pb2.HealthCheckResponse.NOT_SERVING
    finally:
        await srv.stop()


async def test_reflection_lists_services(server):
    async with make_channel(server.address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        call = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        replies = [r async for r in call]
    names = {s.name for s in replies[0].list_services_response.service}
    assert {SERVICE, "grpc.health.v1.Health",
            "grpc.reflection.v1alpha.ServerReflection"} <= names


async def test_metrics_endpoint(server):
    assert server.metrics_port and server.metrics_port > 0
    queue_depth("echo-test").set(7)
    async with make_channel(server.address) as channel:
        await channel.unary_unary(f"/{SERVICE}/Echo")(b"x")
        with pytest.raises(aio.AioRpcError):
            await channel.unary_unary(f"/{SERVICE}/Nope")(b"x")
    url = f"http://127.0.0.1:{server.metrics_port}/metrics"
    body = await asyncio.to_thread(
        lambda: urllib.request.urlopen(url, timeout=5).read().decode())
    assert f'sweet_grpc_requests_total{{code="OK",method="Echo",service="{SERVICE}"}}' in body
    assert "sweet_grpc_request_seconds_bucket" in body
    assert 'sweet_queue_depth{service="echo-test"} 7.0' in body
    # Unknown methods never reach a handler, so they add no label values.
    assert 'method="Nope"' not in body


async def test_oversized_message_rejected_and_server_keeps_serving():
    srv = GrpcServer(_spec(), _config(max_message_bytes=1024))
    await srv.start()
    try:
        async with make_channel(srv.address) as channel:
            echo = channel.unary_unary(f"/{SERVICE}/Echo")
            with pytest.raises(aio.AioRpcError) as info:
                await echo(b"x" * 4096)
            assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert await echo(b"small") == b"small"
    finally:
        await srv.stop()


async def test_max_concurrent_rpcs_fails_fast():
    srv = GrpcServer(_spec(), _config(max_concurrent_rpcs=1))
    await srv.start()
    try:
        async with make_channel(srv.address) as channel:
            sleep = channel.unary_unary(f"/{SERVICE}/Sleep")
            first = asyncio.ensure_future(sleep(b"0.5"))
            await asyncio.sleep(0.1)  # let the first call occupy the only slot
            with pytest.raises(aio.AioRpcError) as info:
                await sleep(b"0")
            assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert await first == b"done"
    finally:
        await srv.stop()


async def test_graceful_stop_reports_not_serving_before_closing():
    events: list[str] = []
    srv = GrpcServer(_spec(events), _config(drain_delay_s=0.3))
    await srv.start()
    assert events == ["start"]
    async with make_channel(srv.address) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(service=SERVICE))
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
        stopping = asyncio.create_task(srv.stop())
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.NOT_SERVING
        # Still inside drain_delay_s: the port is open and RPCs are served.
        assert not stopping.done()
        assert await channel.unary_unary(f"/{SERVICE}/Echo")(b"drain") == b"drain"
        assert await _health(channel, "") == health_pb2.HealthCheckResponse.NOT_SERVING
        await stopping
        assert events == ["start", "stop"]
        with pytest.raises(aio.AioRpcError) as info:
            await channel.unary_unary(f"/{SERVICE}/Echo")(b"late", timeout=1)
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    await srv.stop()  # idempotent


async def test_port_in_use_is_unavailable(server):
    other = GrpcServer(_spec(), _config(port=server.port))
    with pytest.raises(Unavailable, match=str(server.port)):
        await other.start()
    assert not other.started


async def test_failing_on_start_hook_releases_ports():
    async def broken() -> None:
        raise RuntimeError("model failed to load")

    with socket.socket() as probe:  # a port that is free right now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spec = _spec()
    spec.on_start = broken
    srv = GrpcServer(spec, _config(port=port, metrics_port=0))
    with pytest.raises(RuntimeError, match="model failed to load"):
        await srv.start()
    assert not srv.started and srv.metrics_port is None
    # The failed start released the port: a new server can bind it.
    ok = GrpcServer(_spec(), _config(port=port))
    assert await ok.start() == port
    await ok.stop()


async def test_wait_ready_times_out_on_closed_port():
    srv = GrpcServer(_spec(), _config())
    port = await srv.start()
    await srv.stop()
    async with make_channel(f"127.0.0.1:{port}") as channel:
        with pytest.raises(Unavailable):
            await wait_ready(channel, timeout=0.3)


async def test_sync_channel_with_token():
    srv = GrpcServer(_spec(), _config(auth_token="tok"))
    await srv.start()

    def call(token: str | None) -> grpc.StatusCode | bytes:
        channel = make_sync_channel(srv.address, token=token)
        try:
            wait_ready_sync(channel, timeout=5)
            return channel.unary_unary(f"/{SERVICE}/Echo")(b"sync", timeout=5)
        except grpc.RpcError as e:
            return e.code()
        finally:
            channel.close()

    try:
        # Blocking clients run in a thread: the server lives on this event loop.
        assert await asyncio.to_thread(call, "tok") == b"sync"
        assert await asyncio.to_thread(call, None) == grpc.StatusCode.UNAUTHENTICATED
    finally:
        await srv.stop()


async def test_serve_forever_stops_on_sigterm():
    events: list[str] = []
    srv = GrpcServer(_spec(events), _config())
    task = asyncio.create_task(serve_forever([srv]))
    for _ in range(100):
        if srv.started:
            break
        await asyncio.sleep(0.01)
    assert srv.started
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, timeout=5)
    assert events == ["start", "stop"]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _make_certs(d: Path) -> None:
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
             "-subj", "/CN=test-ca", cwd=d)
    (d / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name in ("server", "client"):
        _openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}", cwd=d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{name}.pem", "-days", "1",
                 "-extfile", "san.ext", cwd=d)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
async def test_mtls_with_token(tmp_path: Path):
    _make_certs(tmp_path)
    srv = GrpcServer(_spec(), _config(
        auth_token="tok", tls_cert_file=tmp_path / "server.pem",
        tls_key_file=tmp_path / "server.key", tls_client_ca_file=tmp_path / "ca.pem"))
    await srv.start()
    try:
        # Over TLS the token travels as call credentials.
        async with make_channel(srv.address, token="tok", tls_ca_file=tmp_path / "ca.pem",
                                tls_cert_file=tmp_path / "client.pem",
                                tls_key_file=tmp_path / "client.key") as channel:
            assert await channel.unary_unary(f"/{SERVICE}/Echo")(b"tls") == b"tls"
        # Without a client certificate the handshake fails.
        async with make_channel(srv.address, token="tok",
                                tls_ca_file=tmp_path / "ca.pem") as channel:
            with pytest.raises(aio.AioRpcError) as info:
                await channel.unary_unary(f"/{SERVICE}/Echo")(b"tls", timeout=2)
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await srv.stop()
