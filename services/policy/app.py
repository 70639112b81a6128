"""Assemble the policy server: config -> backend -> service logic -> servicer -> GrpcServer."""

from __future__ import annotations

import dataclasses

from services.policy.config import PolicyServiceConfig
from services.policy.service import PolicyService
from services.policy.servicer import SERVICE_NAME, PolicyServicer
from sweetrl.api.v1 import policy_pb2_grpc
from sweetrl.runtime import GrpcServer, ServiceSpec
from sweetrl.serving.factory import engine_max_n, make_backend

SECTION = "policy"
CONFIG = PolicyServiceConfig


def build(config: PolicyServiceConfig) -> tuple[GrpcServer, PolicyService]:
    """A ready-to-start server; the model loads in the server's on_start hook."""
    backend = make_backend(config.backend, config.model, transformers=config.transformers,
                           vllm=config.vllm, metrics_service=SECTION)
    limits = config.limits
    engine_n = engine_max_n(config.backend, config.transformers, config.vllm)
    if engine_n < limits.max_n:
        # The engine refuses larger n itself; checking here gives one clear error
        # for the request instead of one per prompt.
        limits = dataclasses.replace(limits, max_n=engine_n)
    service = PolicyService(backend, limits, default_max_tokens=config.default_max_tokens)
    spec = ServiceSpec(
        name=SECTION,
        register=lambda server: policy_pb2_grpc.add_PolicyServiceServicer_to_server(
            PolicyServicer(service), server),
        service_names=(SERVICE_NAME,),
        on_start=service.start,
        on_stop=service.stop,
        broken=backend.broken,
    )
    return GrpcServer(spec, config.server), service
