"""Assemble the policy server: config -> backend -> service logic -> servicer -> GrpcServer."""

from __future__ import annotations

import dataclasses
import logging

from services.policy.config import PolicyServiceConfig
from services.policy.service import PolicyService
from services.policy.servicer import SERVICE_NAME, PolicyServicer
from sweetrl.api.v1 import policy_pb2_grpc
from sweetrl.errors import FailedPrecondition
from sweetrl.runtime import GrpcServer, ServiceSpec
from sweetrl.serving.backend import Backend
from sweetrl.serving.config import TransformersBackendConfig

log = logging.getLogger(__name__)

SECTION = "policy"
CONFIG = PolicyServiceConfig


def make_backend(kind: str, model: str, transformers: TransformersBackendConfig,
                 *, metrics_service: str) -> Backend:
    """The engine named `kind`, serving `model`; heavy libraries are imported here.

    Raises:
        FailedPrecondition: ``vllm`` (not implemented yet) or an unknown name.
    """
    if kind == "transformers":
        from sweetrl.serving.transformers_backend import TransformersBackend

        return TransformersBackend(dataclasses.replace(
            transformers, model=model, metrics_service=metrics_service))
    if kind == "vllm":
        # TODO(vllm): a VllmBackend in sweetrl/serving; the import stays lazy.
        raise FailedPrecondition("the vllm backend is not implemented yet; use "
                                 "backend=transformers")
    raise FailedPrecondition(f"unknown backend {kind!r}; choose 'transformers' or 'vllm'")


def build(config: PolicyServiceConfig) -> tuple[GrpcServer, PolicyService]:
    """A ready-to-start server; the model loads in the server's on_start hook."""
    backend = make_backend(config.backend, config.model, config.transformers,
                           metrics_service=SECTION)
    limits = config.limits
    if config.backend == "transformers" and config.transformers.max_n < limits.max_n:
        # The engine refuses larger n itself; checking here gives one clear error
        # for the request instead of one per prompt.
        limits = dataclasses.replace(limits, max_n=config.transformers.max_n)
    service = PolicyService(backend, limits, default_max_tokens=config.default_max_tokens)
    spec = ServiceSpec(
        name=SECTION,
        register=lambda server: policy_pb2_grpc.add_PolicyServiceServicer_to_server(
            PolicyServicer(service), server),
        service_names=(SERVICE_NAME,),
        on_start=service.start,
        on_stop=service.stop,
    )
    return GrpcServer(spec, config.server), service
