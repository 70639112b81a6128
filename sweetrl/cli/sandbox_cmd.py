"""``sweet sandbox check TASKS ANSWERS``: judge answers in the sandbox, one JSON line each.

Exit codes: 0 every answer was judged (whatever the verdicts); 1 at least one task or
answer line was rejected (its output line carries ``error``; the rest were judged);
2 usage error, unreadable file, or the sandbox could not start.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import typer

from sweetrl.cli.common import parse_sets

app = typer.Typer(help="The code sandbox: judge ColBench backend answers.", no_args_is_help=True)


@app.command("check")
def check(
    tasks: Path = typer.Argument(..., help="JSONL of backend tasks: id, problem_description, ground_truth, test_cases."),
    answers: Path = typer.Argument(..., help='JSONL of answers: {"id": <task id>, "answer": "..."}.'),
    config: Path = typer.Option(None, "--config", "-c", exists=True, dir_okay=False,
                                help="YAML file with a 'sandbox' section (its 'engine' settings apply)."),
    set_: list[str] = typer.Option(None, "--set", help="Override an engine field, e.g. per_test_timeout_s=2."),
    details: bool = typer.Option(False, "--details", help="Include per-test verdicts in each line."),
) -> None:
    """Judge every answer against its task; print one JSON line per answer, in input order."""
    from sweetrl.config import load_config
    from sweetrl.errors import InvalidInput
    from sweetrl.sandbox.config import SandboxConfig

    for path in (tasks, answers):
        if not path.is_file():
            raise typer.BadParameter(f"no such file: {path}")
    try:
        engine = load_config(SandboxConfig, section="sandbox_engine", path=None,
                             overrides={**_engine_section(config), **parse_sets(set_)})
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc)) from None
    code = asyncio.run(_check(tasks, answers, engine, details))
    raise typer.Exit(code)


def _engine_section(config: Path | None) -> dict:
    if config is None:
        return {}
    import yaml

    data = yaml.safe_load(config.read_text()) or {}
    return dict((data.get("sandbox") or {}).get("engine") or {})


async def _check(tasks_path: Path, answers_path: Path, engine, details: bool) -> int:
    from sweetrl.errors import InvalidInput, SweetError
    from sweetrl.sandbox import jsonl
    from sweetrl.sandbox.evaluator import EvalItem, Evaluator
    from sweetrl.sandbox.isolation import IsolationUnavailable
    from sweetrl.sandbox.pool import SandboxPool

    had_error = False
    tasks: dict[str, object] = {}
    rejected: dict[str, str] = {}
    for lineno, obj in jsonl.read_lines(tasks_path):
        where = f"{tasks_path.name} line {lineno}"
        if isinstance(obj, InvalidInput):
            print(json.dumps({"tasks_line": lineno, "error": obj.message}), file=sys.stderr)
            had_error = True
            continue
        try:
            task = jsonl.parse_task(obj, where)
            tasks[task.task_id] = task
        except InvalidInput as exc:
            had_error = True
            task_id = obj.get("id")
            if isinstance(task_id, (str, int)):
                rejected[str(task_id)] = exc.message
            print(json.dumps({"tasks_line": lineno, "error": exc.message}), file=sys.stderr)

    items: list[EvalItem | SweetError] = []
    keys: list[dict] = []
    for lineno, obj in jsonl.read_lines(answers_path):
        where = f"{answers_path.name} line {lineno}"
        key: dict = {"line": lineno}
        try:
            if isinstance(obj, InvalidInput):
                raise obj
            task_id, answer = jsonl.parse_answer(obj, where)
            key = {"id": task_id, "line": lineno}
            if task_id in rejected:
                raise InvalidInput(f"{where}: task {task_id!r} was rejected: {rejected[task_id]}")
            if task_id not in tasks:
                raise InvalidInput(f"{where}: unknown task id {task_id!r}")
            items.append(EvalItem(tasks[task_id], answer))  # type: ignore[arg-type]
        except InvalidInput as exc:
            items.append(exc)
        keys.append(key)

    try:
        async with SandboxPool(engine) as pool:
            evaluator = Evaluator(pool)
            validated = []
            for item in items:
                if isinstance(item, EvalItem):
                    try:
                        evaluator.validate(item)
                    except InvalidInput as exc:
                        item = exc
                validated.append(item)
            results = await _with_progress(evaluator, validated)
    except (IsolationUnavailable, SweetError) as exc:
        print(f"sweet sandbox check: {exc}", file=sys.stderr)
        return 2

    for key, result in zip(keys, results):
        if isinstance(result, SweetError):
            had_error = True
            print(json.dumps({**key, "error": result.message}))
        else:
            record = result.to_json()
            if not details:
                record.pop("tests")
            record["line"] = key["line"]
            print(json.dumps(record))
    return 1 if had_error else 0


async def _with_progress(evaluator, items):
    """evaluate_many with a progress bar on an interactive stderr."""
    if not sys.stderr.isatty() or len(items) < 20:
        return await evaluator.evaluate_many(items)
    from rich.progress import Progress

    chunk = 64
    out = []
    with Progress(transient=True) as progress:
        bar = progress.add_task("judging", total=len(items))
        for i in range(0, len(items), chunk):
            out += await evaluator.evaluate_many(items[i:i + chunk])
            progress.update(bar, advance=len(items[i:i + chunk]))
    return out
