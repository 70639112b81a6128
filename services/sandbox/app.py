"""Assemble the sandbox service: config -> service logic -> servicer -> GrpcServer."""

from __future__ import annotations

from services.sandbox.config import SandboxServiceConfig
from services.sandbox.service import SandboxService
from services.sandbox.servicer import SERVICE_NAME, SandboxServicer
from sweetrl.api.v1 import sandbox_pb2_grpc
from sweetrl.runtime import GrpcServer, ServiceSpec

SECTION = "sandbox"
CONFIG = SandboxServiceConfig


def build(config: SandboxServiceConfig) -> tuple[GrpcServer, SandboxService]:
    """A ready-to-start server (the pool starts in the server's on_start hook)."""
    service = SandboxService(config.engine)
    spec = ServiceSpec(
        name=SECTION,
        register=lambda server: sandbox_pb2_grpc.add_SandboxServiceServicer_to_server(
            SandboxServicer(service), server),
        service_names=(SERVICE_NAME,),
        on_start=service.start,
        on_stop=service.stop,
    )
    return GrpcServer(spec, config.server), service
