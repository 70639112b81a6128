"""``sweet serve SERVICE``: start one service, or every implemented one."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import typer

from sweetrl.cli.common import load_service_config, parse_sets, service_module

log = logging.getLogger("sweet.serve")


def serve(
    service: str = typer.Argument(..., help="Service to start (sandbox), or 'all' for every implemented one."),
    config: Path = typer.Option(None, "--config", "-c", exists=True, dir_okay=False,
                                help="YAML file; each service reads its own top-level section."),
    set_: list[str] = typer.Option(None, "--set", help="Override a field: KEY=VALUE "
                                   "(e.g. server.port=0; with 'all', prefix the service: sandbox.server.port=0)."),
) -> None:
    """Start gRPC service(s) with health, reflection and Prometheus metrics; Ctrl-C drains and stops."""
    import services

    from sweetrl.errors import SweetError

    try:
        _serve(service, config, parse_sets(set_), services)
    except (SweetError, RuntimeError) as exc:
        # A service that cannot start (isolation unavailable, engine missing, bad
        # model): one clear line, exit 2; details are in the log above.
        log.error("cannot serve %s: %s", service, exc)
        raise typer.Exit(2) from None


def _serve(service: str, config: Path | None, overrides: dict, services) -> None:
    names = sorted(services.IMPLEMENTED) if service == "all" else [service]
    servers = []
    for name in names:
        module = service_module(name)
        if service == "all":
            mine = {k[len(name) + 1:]: v for k, v in overrides.items() if k.startswith(name + ".")}
        else:
            mine = overrides
        cfg = load_service_config(module, config, mine)
        server, _ = module.build(cfg)
        servers.append((name, server))
    asyncio.run(_run(servers))


async def _run(servers) -> None:
    from sweetrl.runtime import serve_forever

    started = []
    try:
        for name, server in servers:
            await server.start()
            started.append(server)
            metrics = f"http://{server.address.rsplit(':', 1)[0]}:{server.metrics_port}/metrics" \
                if server.metrics_port else "disabled"
            log.info("%s serving on %s (metrics: %s)", name, server.address, metrics)
    except BaseException:
        for server in started:
            await server.stop()
        raise
    await serve_forever([s for _, s in servers])
