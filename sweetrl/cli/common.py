"""Helpers shared by CLI commands: config loading with ``--set`` overrides."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import typer

from sweetrl.errors import InvalidInput


def parse_sets(values: list[str] | None) -> dict[str, str]:
    """``["a.b=1", "c=x"]`` -> ``{"a.b": "1", "c": "x"}``; exits 2 on a malformed item."""
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"--set expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value
    return out


def service_module(name: str):
    """The app module of an implemented service; exits 2 with the list otherwise."""
    import services

    if name in services.IMPLEMENTED:
        return importlib.import_module(services.IMPLEMENTED[name])
    known = ", ".join(sorted(services.IMPLEMENTED))
    if name in services.PLANNED:
        raise typer.BadParameter(f"service {name!r} is not implemented yet; implemented: {known}")
    raise typer.BadParameter(f"unknown service {name!r}; implemented: {known}")


def load_service_config(module, config: Path | None, overrides: dict[str, Any]):
    from sweetrl.config import load_config

    try:
        return load_config(module.CONFIG, section=module.SECTION, path=config, overrides=overrides)
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc)) from None
