"""Configuration of the sandbox service (YAML section ``sandbox``)."""

from __future__ import annotations

from dataclasses import dataclass

from sweetrl.config import doc
from sweetrl.runtime import ServerConfig
from sweetrl.sandbox.config import SandboxConfig

DEFAULT_PORT = 50053
DEFAULT_METRICS_PORT = 9093


@dataclass(frozen=True)
class SandboxServiceConfig:
    """Server and engine settings of ``sweet serve sandbox``."""

    server: ServerConfig = doc(
        "gRPC server settings.",
        default_factory=lambda: ServerConfig(port=DEFAULT_PORT, metrics_port=DEFAULT_METRICS_PORT))
    engine: SandboxConfig = doc("Isolation, limits and pool settings.",
                                default_factory=SandboxConfig)
