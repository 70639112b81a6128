"""``sweet config show SERVICE``: every setting of a service with its default and doc."""

from __future__ import annotations

import typer

from sweetrl.cli.common import service_module

app = typer.Typer(help="Inspect configuration.", no_args_is_help=True)


@app.command("show")
def show(service: str = typer.Argument(..., help="Service name, e.g. sandbox.")) -> None:
    """List every field (dotted name, type, default, description) of SERVICE's config."""
    from rich.console import Console
    from rich.table import Table

    from sweetrl import envs
    from sweetrl.config import describe

    module = service_module(service)
    table = Table(title=f"{service} configuration (YAML section '{module.SECTION}', "
                        f"env {envs.override_prefix(module.SECTION)}<FIELD>)")
    for col in ("field", "type", "default", "description"):
        table.add_column(col, overflow="fold")
    for row in describe(module.CONFIG):
        table.add_row(row.name, row.type, row.default, row.doc)
    Console().print(table)
