"""Simulated humans behind one interface per task domain (`base`): ``scripted`` and
``llm`` answer backend tasks; ``scripted`` (`scripted_frontend`) and ``vlm`` answer
frontend tasks."""

from __future__ import annotations

from services.simulator.backends.base import FrontendSimulatorBackend, SimulatorBackend
from services.simulator.config import SimulatorServiceConfig


def make_backend(config: SimulatorServiceConfig) -> SimulatorBackend:
    """The backend-task simulator ``config.backend`` names (unstarted)."""
    if config.backend == "scripted":
        from services.simulator.backends.scripted import ScriptedBackend
        return ScriptedBackend()
    from services.simulator.backends.llm import LlmBackend
    return LlmBackend.from_config(config.llm)


def make_frontend_backend(config: SimulatorServiceConfig) -> FrontendSimulatorBackend | None:
    """The frontend-task simulator ``config.frontend`` names (unstarted); None for 'none'."""
    if config.frontend == "scripted":
        from services.simulator.backends.scripted_frontend import ScriptedFrontendBackend
        return ScriptedFrontendBackend()
    if config.frontend == "vlm":
        from services.simulator.backends.vlm import VlmBackend
        return VlmBackend.from_config(config.vlm)
    return None
