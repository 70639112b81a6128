"""The shared gRPC runtime: server bootstrap, interceptors, metrics and clients.

Every service builds a `ServiceSpec`, hands it to a `GrpcServer` configured by a
`ServerConfig`, and gets health, reflection, Prometheus metrics, bearer-token auth,
TLS and exception-to-status mapping for free. Clients use `make_channel`.
"""

from sweetrl.runtime.client import make_channel, make_sync_channel, wait_ready, wait_ready_sync
from sweetrl.runtime.config import DEFAULT_MAX_MESSAGE_BYTES, ServerConfig
from sweetrl.runtime.interceptors import (
    AuthInterceptor,
    ErrorMappingInterceptor,
    MetricsInterceptor,
    status_for,
)
from sweetrl.runtime.metrics import queue_depth, start_metrics_server, stop_metrics_server
from sweetrl.runtime.server import GrpcServer, ServiceSpec, serve_forever

__all__ = [
    "AuthInterceptor",
    "DEFAULT_MAX_MESSAGE_BYTES",
    "ErrorMappingInterceptor",
    "GrpcServer",
    "MetricsInterceptor",
    "ServerConfig",
    "ServiceSpec",
    "make_channel",
    "make_sync_channel",
    "queue_depth",
    "serve_forever",
    "start_metrics_server",
    "status_for",
    "stop_metrics_server",
    "wait_ready",
    "wait_ready_sync",
]
