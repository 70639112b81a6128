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

    overrides = parse_sets(set_)
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
