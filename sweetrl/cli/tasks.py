"""``sweet tasks generate``: write generated ColBench tasks as JSONL.

``--domain backend`` (the default) writes backend programming tasks, checked in the
sandbox unless ``--no-check``; ``--domain frontend`` writes frontend design tasks,
which need no sandbox (``--no-check`` is accepted and changes nothing).

Exit codes: 0 the file holds ``--count`` tasks; 1 the generator ran out of distinct
tasks first (nothing is written); 2 usage error or the sandbox could not start.
"""

from __future__ import annotations

import asyncio
import enum
import json
import sys
from pathlib import Path

import typer

from sweetrl.cli.common import parse_sets

app = typer.Typer(help="ColBench tasks: generate backend programming or frontend design tasks.",
                  no_args_is_help=True)


class Split(str, enum.Enum):
    train = "train"
    test = "test"


class Domain(str, enum.Enum):
    backend = "backend"
    frontend = "frontend"


@app.command("generate")
def generate(
    split: Split = typer.Option(..., "--split", help="Which split to draw from (disjoint by ground truth)."),
    count: int = typer.Option(..., "--count", min=1, help="How many tasks to write."),
    seed: int = typer.Option(0, "--seed", help="Seed of the deterministic task stream."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="JSONL file to write (replaced)."),
    no_check: bool = typer.Option(False, "--no-check", help="Skip the sandbox checks (fast, nothing is run)."),
    set_: list[str] = typer.Option(None, "--set", help="Override a sandbox engine field, e.g. slots=4."),
    domain: Domain = typer.Option(Domain.backend, "--domain", help="backend (programming) or frontend (design)."),
) -> None:
    """Generate tasks; backend: unless --no-check, keep only those that pass the sandbox checks."""
    from sweetrl.errors import InvalidInput

    if domain is Domain.frontend:
        if set_:
            raise typer.BadParameter("configures the sandbox, which frontend tasks do not use", param_hint="--set")
        _generate_frontend(split.value, count, seed, out)
        return
    try:
        if no_check:
            from sweetrl.colbench.backend.generator import generate as generate_unchecked

            tasks, skipped = generate_unchecked(split.value, count, seed), []
        else:
            tasks, skipped = asyncio.run(_generate_checked(split.value, count, seed, parse_sets(set_)))
    except InvalidInput as exc:
        typer.echo(f"sweet tasks generate: {exc}", err=True)
        raise typer.Exit(1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for task in tasks:
            fh.write(json.dumps(task.to_json(), ensure_ascii=False) + "\n")
    for result in skipped:
        typer.echo(json.dumps({"skipped": result.task_id, "problems": list(result.problems)}), err=True)
    checked = "not checked" if no_check else f"checked {len(tasks) + len(skipped)}, skipped {len(skipped)}"
    typer.echo(f"wrote {len(tasks)} {split.value} tasks to {out} ({checked})")


def _generate_frontend(split: str, count: int, seed: int, out: Path) -> None:
    from sweetrl.colbench.frontend.generator import generate as generate_frontend
    from sweetrl.errors import InvalidInput

    try:
        tasks = generate_frontend(split, count, seed)
    except InvalidInput as exc:
        typer.echo(f"sweet tasks generate: {exc}", err=True)
        raise typer.Exit(1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for task in tasks:
            fh.write(json.dumps(task.to_json(), ensure_ascii=False) + "\n")
    typer.echo(f"wrote {len(tasks)} {split} frontend tasks to {out}")


async def _generate_checked(split: str, count: int, seed: int, overrides: dict):
    from sweetrl.colbench.backend.check import generate_checked
    from sweetrl.config import load_config
    from sweetrl.errors import InvalidInput, Unavailable
    from sweetrl.sandbox.config import SandboxConfig
    from sweetrl.sandbox.evaluator import Evaluator
    from sweetrl.sandbox.isolation import IsolationUnavailable
    from sweetrl.sandbox.pool import SandboxPool

    try:
        engine = load_config(SandboxConfig, section="sandbox_engine", path=None, overrides=overrides)
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        async with SandboxPool(engine) as pool:
            with _progress(count) as advance:
                report = await generate_checked(split, count, seed, Evaluator(pool), on_progress=advance)
    except (IsolationUnavailable, Unavailable) as exc:
        print(f"sweet tasks generate: the sandbox could not start: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    return report.tasks, report.skipped


class _progress:
    """A progress bar on an interactive stderr; a no-op callback otherwise."""

    def __init__(self, total: int):
        self.total = total
        self.bar = None

    def __enter__(self):
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("checking tasks", total=self.total)
        return self.advance

    def advance(self, report) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=len(report.tasks),
                            description=f"checking tasks ({len(report.skipped)} skipped)")

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
