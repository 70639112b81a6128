"""The grpc.aio server bootstrap every sweetrl service runs on.

A service describes itself with a `ServiceSpec` (how to add its servicer, its full
gRPC service names, optional start/stop hooks); `GrpcServer` adds what every
service needs: the interceptors (metrics, auth, error mapping), grpc health,
reflection, the Prometheus endpoint, message-size and concurrency limits, TLS, and
a graceful shutdown that drains load balancers first.

What this module does NOT do: configure logging or parse flags (the CLI does).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import grpc
from grpc import aio
from grpc_health.v1 import health as grpc_health
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from sweetrl import envs
from sweetrl.errors import Unavailable
from sweetrl.runtime import metrics
from sweetrl.runtime.config import ServerConfig
from sweetrl.runtime.interceptors import (
    AuthInterceptor,
    ErrorMappingInterceptor,
    MetricsInterceptor,
)

__all__ = ["ServiceSpec", "GrpcServer", "serve_forever"]

logger = logging.getLogger(__name__)

_WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}
HEALTH_POLL_S = 5.0
"""How often `ServiceSpec.broken` is asked."""


@dataclass
class ServiceSpec:
    """One gRPC service to host: what `GrpcServer` needs to know about it."""

    name: str
    """Short name for logs, e.g. ``sandbox``."""
    register: Callable[[aio.Server], None]
    """Adds the servicer, e.g. ``lambda s: add_SandboxServicer_to_server(servicer, s)``."""
    service_names: tuple[str, ...]
    """Full gRPC service names (``sweetrl.sandbox.v1.Sandbox``) for health and reflection."""
    on_start: Callable[[], Awaitable[None]] | None = None
    """Awaited after the port is bound and before RPCs are accepted (load models here)."""
    on_stop: Callable[[], Awaitable[None]] | None = None
    """Awaited after the server stopped serving (release backends here)."""
    broken: Callable[[], str | None] | None = None
    """Polled every few seconds while serving: why the service can no longer serve (a
    model engine that died for good), or None. Once it says why, the service's health
    stays NOT_SERVING, so a liveness probe restarts the server."""


class GrpcServer:
    """A grpc.aio server hosting one or more `ServiceSpec`s with the shared runtime.

    Lifecycle: ``port = await server.start()``, then ``await server.wait()`` (or
    `serve_forever`), and ``await server.stop()`` to shut down gracefully.
    """

    def __init__(self, services: ServiceSpec | Sequence[ServiceSpec],
                 config: ServerConfig | None = None) -> None:
        self.services: tuple[ServiceSpec, ...] = (
            (services,) if isinstance(services, ServiceSpec) else tuple(services))
        self.config = config if config is not None else ServerConfig()
        self.health = grpc_health.aio.HealthServicer()
        """The health servicer; services may `set` their own status on it."""
        self._server: aio.Server | None = None
        self._port: int | None = None
        self._metrics_port: int | None = None
        self._stopping: asyncio.Future[None] | None = None
        self._watch: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ properties

    @property
    def port(self) -> int:
        """The bound gRPC port (after `start`)."""
        if self._port is None:
            raise RuntimeError("server not started")
        return self._port

    @property
    def metrics_port(self) -> int | None:
        """The bound /metrics port, or None when disabled (after `start`)."""
        return self._metrics_port

    @property
    def address(self) -> str:
        """``host:port`` a local client can dial (wildcard hosts become 127.0.0.1)."""
        host = self.config.host
        if host in _WILDCARD_HOSTS:
            host = "127.0.0.1"
        elif ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{host}:{self.port}"

    @property
    def service_names(self) -> tuple[str, ...]:
        """Full gRPC names of the hosted services (without health and reflection)."""
        return tuple(name for spec in self.services for name in spec.service_names)

    @property
    def started(self) -> bool:
        """Whether `start` completed."""
        return self._server is not None

    # ------------------------------------------------------------------- lifecycle

    async def start(self) -> int:
        """Bind, run the `on_start` hooks, start serving; returns the bound port.

        Raises:
            Unavailable: the gRPC or metrics port cannot be bound.
        """
        if self._server is not None:
            raise RuntimeError("server already started")
        cfg = self.config
        server = self._build_server()
        self._port = self._bind(server)
        started = False
        try:
            if cfg.metrics_port >= 0:
                try:
                    self._metrics_port = metrics.start_metrics_server(cfg.metrics_port,
                                                                      cfg.host)
                except OSError as e:
                    raise Unavailable(f"cannot bind metrics port {cfg.host}:"
                                      f"{cfg.metrics_port}: {e.strerror}") from None
            for spec in self.services:
                if spec.on_start is not None:
                    await spec.on_start()
            for name in ("", *self.service_names):
                await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
            await server.start()
            started = True
        except BaseException:
            # grpc.aio releases a bound port only when a *started* server stops
            # (a never-started one holds it until the process exits), so start it
            # for an instant, reporting NOT_SERVING, and stop it at once.
            await self.health.enter_graceful_shutdown()
            if not started:
                await server.start()
            await server.stop(None)
            self._stop_metrics()
            self._port = self._metrics_port = None
            raise
        self._server = server
        if any(spec.broken is not None for spec in self.services):
            self._watch = asyncio.get_running_loop().create_task(self._watch_health())
        logger.info("serving %s on %s%s (auth %s, tls %s)",
                    ", ".join(s.name for s in self.services), self.address,
                    f", metrics on :{self._metrics_port}" if self._metrics_port else "",
                    "on" if self._token() else "off", "on" if cfg.tls_enabled else "off")
        return self._port

    async def stop(self) -> None:
        """Shut down gracefully; safe to call more than once or concurrently.

        Health turns NOT_SERVING, then after ``drain_delay_s`` the port closes and
        in-flight RPCs get ``grace_period_s`` to finish, then `on_stop` hooks run
        (in reverse order). Open health Watch streams count as in-flight RPCs.
        """
        if self._server is None:
            return
        if self._stopping is not None:
            await asyncio.shield(self._stopping)
            return
        self._stopping = asyncio.get_running_loop().create_future()
        if self._watch is not None:
            self._watch.cancel()
        try:
            await self.health.enter_graceful_shutdown()
            if self.config.drain_delay_s > 0:
                await asyncio.sleep(self.config.drain_delay_s)
            await self._server.stop(self.config.grace_period_s)
            for spec in reversed(self.services):
                if spec.on_stop is not None:
                    try:
                        await spec.on_stop()
                    except Exception:  # the remaining hooks must still run
                        logger.exception("on_stop hook of %s failed", spec.name)
            # shutdown() blocks until the HTTP thread's poll loop notices.
            await asyncio.to_thread(self._stop_metrics)
            logger.info("stopped %s", ", ".join(s.name for s in self.services))
        finally:
            self._stopping.set_result(None)

    async def wait(self) -> None:
        """Return when the server has terminated (after `stop`)."""
        if self._server is None:
            raise RuntimeError("server not started")
        # With timeout=None grpc awaits its internal "shutdown completed" future
        # directly, so cancelling this waiter would cancel that future and make a
        # later server.stop() raise CancelledError. With a timeout grpc shields it.
        while await self._server.wait_for_termination(timeout=3600):
            pass

    async def _watch_health(self) -> None:
        """Turn a service's health NOT_SERVING for good once its `broken` says why."""
        down: set[str] = set()
        while True:
            await asyncio.sleep(HEALTH_POLL_S)
            for spec in self.services:
                if spec.broken is None or spec.name in down or not (reason := spec.broken()):
                    continue
                down.add(spec.name)
                logger.error("%s can no longer serve (%s): health NOT_SERVING", spec.name, reason)
                for name in spec.service_names:
                    await self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)

    # --------------------------------------------------------------------- helpers

    def _token(self) -> str | None:
        return self.config.auth_token or envs.SWEET_AUTH_TOKEN

    def _build_server(self) -> aio.Server:
        cfg = self.config
        token = self._token()
        interceptors = [MetricsInterceptor(),
                        *([AuthInterceptor(token)] if token else []),
                        ErrorMappingInterceptor()]
        options = [
            ("grpc.max_send_message_length", cfg.max_message_bytes),
            ("grpc.max_receive_message_length", cfg.max_message_bytes),
            ("grpc.keepalive_time_ms", int(cfg.keepalive_time_s * 1000)),
            ("grpc.keepalive_timeout_ms", int(cfg.keepalive_timeout_s * 1000)),
            # Without this a second server could silently share the port.
            ("grpc.so_reuseport", 0),
        ]
        server = aio.server(interceptors=interceptors, options=options,
                            maximum_concurrent_rpcs=cfg.max_concurrent_rpcs or None)
        for spec in self.services:
            spec.register(server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection(
            (*self.service_names, grpc_health.SERVICE_NAME, reflection.SERVICE_NAME),
            server)
        return server

    def _bind(self, server: aio.Server) -> int:
        cfg = self.config
        host = f"[{cfg.host}]" if ":" in cfg.host and not cfg.host.startswith("[") \
            else cfg.host
        target = f"{host}:{cfg.port}"
        try:
            if cfg.tls_enabled:
                port = server.add_secure_port(target, self._server_credentials())
            else:
                port = server.add_insecure_port(target)
        except RuntimeError as e:  # grpc raises when the port is taken
            raise Unavailable(f"cannot bind gRPC port {target}: {e}") from None
        if port == 0:
            raise Unavailable(f"cannot bind gRPC port {target}")
        return port

    def _server_credentials(self) -> grpc.ServerCredentials:
        cfg = self.config
        assert cfg.tls_cert_file is not None and cfg.tls_key_file is not None
        ca = cfg.tls_client_ca_file.read_bytes() if cfg.tls_client_ca_file else None
        return grpc.ssl_server_credentials(
            [(cfg.tls_key_file.read_bytes(), cfg.tls_cert_file.read_bytes())],
            root_certificates=ca, require_client_auth=ca is not None)

    def _stop_metrics(self) -> None:
        if self._metrics_port is not None:
            metrics.stop_metrics_server(self._metrics_port)


async def serve_forever(servers: Sequence[GrpcServer]) -> None:
    """Start `servers` (those not yet started) and serve until SIGINT/SIGTERM.

    On the first signal, or when any server terminates, all servers stop
    gracefully. A second signal during shutdown gets Python's default behaviour
    (KeyboardInterrupt / termination), so an impatient operator can still force it.
    """
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop_requested.set)
    tasks: list[asyncio.Task[object]] = []
    try:
        for server in servers:
            if not server.started:
                await server.start()
        tasks = [asyncio.create_task(s.wait()) for s in servers]
        tasks.append(asyncio.create_task(stop_requested.wait()))
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if stop_requested.is_set():
            logger.info("shutdown requested by signal")
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*(s.stop() for s in servers))
