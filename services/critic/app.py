"""Assemble the critic scorer: config -> two backends -> service logic -> servicer -> GrpcServer."""

from __future__ import annotations

from services.critic.config import CriticServiceConfig
from services.critic.service import CriticService
from services.critic.servicer import SERVICE_NAME, CriticServicer
from sweetrl.api.v1 import critic_pb2_grpc
from sweetrl.runtime import GrpcServer, ServiceSpec
from sweetrl.serving.factory import make_backend

SECTION = "critic"
CONFIG = CriticServiceConfig


def build(config: CriticServiceConfig) -> tuple[GrpcServer, CriticService]:
    """A ready-to-start server; both models load in the server's on_start hook.

    Equal critic and reference references share one backend instance (one copy of
    the weights, and each context scored once).
    """
    engines = {"transformers": config.transformers, "vllm": config.vllm}
    critic = make_backend(config.backend, config.critic_model, **engines,
                          metrics_service=SECTION)
    reference = critic if config.shares_backend else make_backend(
        config.backend, config.reference_model, **engines,
        metrics_service=f"{SECTION}-reference")
    service = CriticService(critic, reference, config, new_backend=lambda uri: make_backend(
        config.backend, uri, **engines, metrics_service=SECTION))
    spec = ServiceSpec(
        name=SECTION,
        register=lambda server: critic_pb2_grpc.add_CriticServiceServicer_to_server(
            CriticServicer(service), server),
        service_names=(SERVICE_NAME,),
        on_start=service.start,
        on_stop=service.stop,
        broken=lambda: service.critic.broken() or service.reference.broken(),
    )
    return GrpcServer(spec, config.server), service
