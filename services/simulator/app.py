"""Assemble the simulated human: config -> backend -> service logic -> servicer -> GrpcServer."""

from __future__ import annotations

from services.simulator.backends import make_backend, make_frontend_backend
from services.simulator.config import SimulatorServiceConfig
from services.simulator.service import SimulatorService
from services.simulator.servicer import SERVICE_NAME, SimulatorServicer
from sweetrl.api.v1 import simulator_pb2_grpc
from sweetrl.runtime import GrpcServer, ServiceSpec

SECTION = "simulator"
CONFIG = SimulatorServiceConfig


def build(config: SimulatorServiceConfig) -> tuple[GrpcServer, SimulatorService]:
    """A ready-to-start server. The llm and vlm backends connect lazily: the model
    servers they talk to may start after this one (replies fail with UNAVAILABLE until
    they are up)."""
    service = SimulatorService(make_backend(config), config,
                               frontend=make_frontend_backend(config))
    spec = ServiceSpec(
        name=SECTION,
        register=lambda server: simulator_pb2_grpc.add_SimulatorServiceServicer_to_server(
            SimulatorServicer(service), server),
        service_names=(SERVICE_NAME,),
        on_start=service.start,
        on_stop=service.stop,
    )
    return GrpcServer(spec, config.server), service
