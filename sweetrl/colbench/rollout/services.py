"""Start the services a rollout needs in this process, on loopback, or use running ones.

`LocalServices` starts, for each service without an address given: the judge of the
plan's domain (backend: the sandbox; frontend: the renderer, which also renders the
agent's drafts), the policy (model and backend as asked), and the simulator. Backend
tasks: ``scripted``, or ``llm``: then the simulated human is the same policy server
unless a separate simulator model is named, which gets a policy server of its own.
Frontend tasks: ``scripted`` (visual diff) or ``vlm`` (an OpenAI-compatible
multimodal endpoint, configured with ``simulator.vlm.*``). Each service's settings are
its usual typed config (``sweet config show NAME``): defaults < YAML file
(``--config``, one section per service) < ``SWEET_<SERVICE>__...`` environment < our
loopback settings (port 0, no metrics endpoint, no drain delay) < the caller's
overrides, given as ``policy.x=...``, ``simulator.x=...``, ``sandbox.x=...``,
``renderer.x=...`` or ``simulator_policy.x=...`` (the simulator's own model server).

What this does NOT do: start anything on another machine, or health-check services
it did not start (the clients' ``wait_ready`` does that).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sweetrl.errors import InvalidInput

log = logging.getLogger(__name__)

LOOPBACK = {"server.host": "127.0.0.1", "server.port": "0", "server.metrics_port": "-1",
            "server.drain_delay_s": "0", "server.grace_period_s": "2"}
OVERRIDE_GROUPS = ("policy", "simulator", "sandbox", "renderer", "simulator_policy")
SIMULATORS = {"backend": ("scripted", "llm"), "frontend": ("scripted", "vlm")}


@dataclass(frozen=True)
class ServicePlan:
    """Which services to start and how; an address set means "use that running service"."""

    policy_model: str = "smollm2-135m-instruct"
    policy_backend: Literal["transformers", "vllm"] = "transformers"
    simulator: Literal["scripted", "llm", "vlm"] = "scripted"
    simulator_model: str | None = None
    policy_address: str | None = None
    simulator_address: str | None = None
    sandbox_address: str | None = None
    domain: Literal["backend", "frontend"] = "backend"
    renderer_address: str | None = None
    config_file: Path | None = None
    overrides: dict[str, str] = field(default_factory=dict)

    def group(self, name: str) -> dict[str, str]:
        """The overrides of one group, without its prefix."""
        prefix = name + "."
        return {k[len(prefix):]: v for k, v in self.overrides.items() if k.startswith(prefix)}

    def check(self) -> None:
        """InvalidInput for overrides no group claims or a simulator the domain has not."""
        if self.simulator not in SIMULATORS[self.domain]:
            raise InvalidInput(f"--simulator {self.simulator}: {self.domain} tasks are simulated by "
                               f"{' or '.join(SIMULATORS[self.domain])}")
        if self.domain == "frontend" and self.simulator_model:
            raise InvalidInput("--simulator-model: the frontend simulator's model is configured "
                               "with --set simulator.vlm.openai_model=... (an OpenAI-compatible "
                               "endpoint at simulator.vlm.openai_base_url)")
        for key in self.overrides:
            if key.split(".", 1)[0] not in OVERRIDE_GROUPS or "." not in key:
                raise InvalidInput(f"--set {key}: prefix the field with the service it configures "
                                   f"({', '.join(g + '.' for g in OVERRIDE_GROUPS)})")


@asynccontextmanager
async def local_server(module, overrides: dict[str, str], *,
                       config_file: Path | None = None) -> AsyncIterator[str]:
    """One service of `module` (``services.<name>.app``) on loopback with its typed
    config (defaults < `config_file` < environment < loopback settings < `overrides`);
    yields its ``host:port`` and stops it on exit."""
    from sweetrl.config import load_config

    config = load_config(module.CONFIG, section=module.SECTION, path=config_file,
                         overrides={**LOOPBACK, **overrides})
    server, _service = module.build(config)
    await server.start()
    log.info("started %s on %s", module.SECTION, server.address)
    try:
        yield server.address
    finally:
        await server.stop()


class LocalServices:
    """``async with LocalServices(plan) as addresses:`` -> {"policy", "simulator", and
    "sandbox" (backend) or "renderer" (frontend)}."""

    def __init__(self, plan: ServicePlan) -> None:
        plan.check()
        self.plan = plan
        self.servers: dict[str, Any] = {}
        self.services: dict[str, Any] = {}
        self.addresses: dict[str, str] = {}

    def _config(self, module, group: str, ours: dict[str, str]):
        from sweetrl.config import load_config

        return load_config(module.CONFIG, section=module.SECTION, path=self.plan.config_file,
                           overrides={**LOOPBACK, **ours, **self.plan.group(group)})

    async def _start(self, name: str, module, group: str, ours: dict[str, str]) -> str:
        server, service = module.build(self._config(module, group, ours))
        await server.start()
        self.servers[name], self.services[name] = server, service
        log.info("started %s on %s", name, server.address)
        return server.address

    def _policy_overrides(self, model: str) -> dict[str, str]:
        ours = {"model": model, "backend": self.plan.policy_backend}
        if self.plan.policy_backend == "transformers":
            ours["transformers.max_model_len"] = "0"  # the model's own context: 10 turns add up
        return ours

    async def __aenter__(self) -> dict[str, str]:
        from services.policy import app as policy_app
        from services.simulator import app as simulator_app

        p = self.plan
        try:
            if p.domain == "frontend":
                from services.renderer import app as renderer_app

                self.addresses["renderer"] = p.renderer_address or await self._start(
                    "renderer", renderer_app, "renderer", {})
            else:
                from services.sandbox import app as sandbox_app

                self.addresses["sandbox"] = p.sandbox_address or await self._start(
                    "sandbox", sandbox_app, "sandbox", {})
            self.addresses["policy"] = p.policy_address or await self._start(
                "policy", policy_app, "policy", self._policy_overrides(p.policy_model))
            if p.simulator_address:
                self.addresses["simulator"] = p.simulator_address
            elif p.domain == "frontend":
                # backend turns never come; 'scripted' needs no model for them
                self.addresses["simulator"] = await self._start(
                    "simulator", simulator_app, "simulator",
                    {"backend": "scripted", "frontend": p.simulator})
            else:
                ours = {"backend": p.simulator}
                if p.simulator == "llm":
                    human = self.addresses["policy"]
                    if p.simulator_model:
                        human = await self._start("simulator_policy", policy_app, "simulator_policy",
                                                  self._policy_overrides(p.simulator_model))
                    ours.update({"llm.transport": "policy", "llm.policy_address": human})
                self.addresses["simulator"] = await self._start("simulator", simulator_app,
                                                                "simulator", ours)
        except BaseException:
            await self.close()
            raise
        return dict(self.addresses)

    async def close(self) -> None:
        """Stop what was started, last first."""
        for name in reversed(list(self.servers)):
            try:
                await self.servers.pop(name).stop()
            except Exception:  # the others must still stop
                log.exception("stopping %s failed", name)

    async def __aexit__(self, *exc) -> None:
        await self.close()
