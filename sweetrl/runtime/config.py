"""Configuration of the gRPC server every sweetrl service runs on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sweetrl.config import doc

__all__ = ["ServerConfig", "DEFAULT_MAX_MESSAGE_BYTES"]

DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""64 MiB: large enough for a long multi-turn trajectory or a rendered HTML page."""


@dataclass(frozen=True)
class ServerConfig:
    """Network, limits, shutdown and security settings of one gRPC server.

    Embedded as the ``server`` field of each service's config, so it is overridden
    with e.g. ``SWEET_SANDBOX__SERVER__PORT=50051`` or ``--set server.port=50051``.
    """

    host: str = doc("Interface to bind; use 0.0.0.0 inside a container.", "127.0.0.1")
    port: int = doc("gRPC port; 0 picks a free port (reported in the logs).", 0)
    metrics_port: int = doc(
        "Port of the Prometheus /metrics HTTP endpoint; 0 picks a free port, "
        "-1 disables it.", 0)
    max_message_bytes: int = doc(
        "Largest request or response message in bytes; bigger requests fail with "
        "RESOURCE_EXHAUSTED.", DEFAULT_MAX_MESSAGE_BYTES)
    max_concurrent_rpcs: int = doc(
        "RPCs served at once; further RPCs fail fast with RESOURCE_EXHAUSTED. "
        "0 means unlimited.", 256)
    keepalive_time_s: float = doc(
        "Seconds between HTTP/2 keepalive pings on idle connections, so dead peers "
        "behind load balancers are noticed.", 60.0)
    keepalive_timeout_s: float = doc(
        "Seconds to wait for a keepalive ping ack before closing the connection.", 20.0)
    grace_period_s: float = doc(
        "On shutdown, seconds in-flight RPCs get to finish before they are cancelled.",
        5.0)
    drain_delay_s: float = doc(
        "On shutdown, seconds the health status stays NOT_SERVING while the server "
        "still accepts RPCs, so load balancers stop routing before the port closes.",
        0.5)
    auth_token: str | None = doc(
        "Bearer token required in the `authorization` metadata of every RPC except "
        "grpc.health.v1.Health. Unset falls back to SWEET_AUTH_TOKEN; both unset "
        "disables authentication.", None)
    tls_cert_file: Path | None = doc(
        "PEM certificate chain of the server; with tls_key_file enables TLS.", None)
    tls_key_file: Path | None = doc("PEM private key matching tls_cert_file.", None)
    tls_client_ca_file: Path | None = doc(
        "PEM CA bundle; when set, clients must present a certificate it signed (mTLS).",
        None)

    def __post_init__(self) -> None:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("tls_cert_file and tls_key_file must be set together")
        if self.tls_client_ca_file is not None and self.tls_cert_file is None:
            raise ValueError("tls_client_ca_file needs tls_cert_file and tls_key_file")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be in 0..65535, got {self.port}")
        if not -1 <= self.metrics_port <= 65535:
            raise ValueError(f"metrics_port must be in -1..65535, got {self.metrics_port}")
        if self.max_message_bytes <= 0:
            raise ValueError("max_message_bytes must be positive")
        if self.max_concurrent_rpcs < 0:
            raise ValueError("max_concurrent_rpcs must be >= 0")
        if min(self.grace_period_s, self.drain_delay_s) < 0:
            raise ValueError("grace_period_s and drain_delay_s must be >= 0")

    @property
    def tls_enabled(self) -> bool:
        """Whether the server listens with TLS."""
        return self.tls_cert_file is not None
