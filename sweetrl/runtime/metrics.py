"""Process-wide Prometheus metrics of the gRPC runtime and the /metrics endpoint.

All metrics live in prometheus_client's default registry, so metrics that backend
libraries register there (vLLM's, the process collector's) appear on the same
endpoint. Metrics are module-level singletons: a process that runs several
`GrpcServer`s shares them, and they are told apart by the ``service`` label.
"""

from __future__ import annotations

from wsgiref.simple_server import WSGIServer

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = [
    "REGISTRY",
    "REQUESTS",
    "REQUEST_SECONDS",
    "IN_FLIGHT",
    "QUEUE_DEPTH",
    "queue_depth",
    "start_metrics_server",
    "stop_metrics_server",
]

REGISTRY: CollectorRegistry = prometheus_client.REGISTRY
"""The registry every sweetrl metric is registered in and /metrics serves."""

REQUESTS = Counter(
    "sweet_grpc_requests",  # prometheus_client appends _total
    "Finished gRPC requests by final status code.",
    ["service", "method", "code"],
    registry=REGISTRY,
)

REQUEST_SECONDS = Histogram(
    "sweet_grpc_request_seconds",
    "Wall-clock time from handler start to the end of the RPC.",
    ["service", "method"],
    # Spans fast metadata calls up to multi-minute rollouts and training steps.
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
             120, 300, 600),
    registry=REGISTRY,
)

IN_FLIGHT = Gauge(
    "sweet_grpc_in_flight",
    "gRPC requests currently being handled.",
    ["service", "method"],
    registry=REGISTRY,
)

QUEUE_DEPTH = Gauge(
    "sweet_queue_depth",
    "Work items waiting in a service's internal queue (set by the service).",
    ["service"],
    registry=REGISTRY,
)


def queue_depth(service: str) -> Gauge:
    """The ``sweet_queue_depth`` gauge child of `service`; call ``.set(n)`` on it."""
    return QUEUE_DEPTH.labels(service=service)


# Bound port -> running HTTP server, so `stop_metrics_server` can find it again.
_servers: dict[int, WSGIServer] = {}


def start_metrics_server(port: int, host: str = "127.0.0.1") -> int:
    """Serve ``/metrics`` over HTTP from a daemon thread.

    Args:
        port: TCP port; 0 picks a free one.
        host: interface to bind.

    Returns:
        The bound port (pass it to `stop_metrics_server`).
    """
    server, _thread = prometheus_client.start_http_server(port, addr=host,
                                                          registry=REGISTRY)
    bound = server.server_address[1]
    _servers[bound] = server
    return bound


def stop_metrics_server(port: int) -> None:
    """Stop the endpoint `start_metrics_server` started on `port`; no-op if none."""
    server = _servers.pop(port, None)
    if server is not None:
        server.shutdown()
        server.server_close()
