"""What ``sweet eval`` and ``sweet collect`` do (backend and frontend), without the CLI.

`resolve_tasks` turns ``--tasks`` into tasks of a domain: a split name generates that
split's first N tasks of a seed (backend: sandbox-checked; written to a JSONL file in
the work directory, and reused from there next time: generation is deterministic), a
path loads a JSONL file with the domain's loader (malformed lines come back as errors
naming their line). `run_rollouts` starts or reaches the services the plan's domain
needs, runs the collector into the output file (resuming it) and reads back the
records of the requested tasks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sweetrl.colbench.backend.loader import load_tasks
from sweetrl.colbench.rollout.clients import RolloutClients
from sweetrl.colbench.rollout.collector import CollectResult, Task, collect, iter_records, task_id
from sweetrl.colbench.rollout.config import RolloutConfig
from sweetrl.colbench.rollout.services import LocalServices, ServicePlan
from sweetrl.errors import InvalidInput

log = logging.getLogger(__name__)

SPLITS = ("train", "test")
HEAVY_FIELDS = ("dialogue_history", "task")


async def generate_split(split: str, count: int, seed: int, path: Path) -> Path:
    """Write the first `count` sandbox-checked tasks of `split` for `seed` to `path`."""
    import json

    from sweetrl.colbench.backend.check import generate_checked
    from sweetrl.sandbox.config import SandboxConfig
    from sweetrl.sandbox.evaluator import Evaluator
    from sweetrl.sandbox.pool import SandboxPool

    async with SandboxPool(SandboxConfig()) as pool:
        report = await generate_checked(split, count, seed, Evaluator(pool))
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for task in report.tasks:
            fh.write(json.dumps(task.to_json(), ensure_ascii=False) + "\n")
    tmp.replace(path)
    log.info("generated %d %s tasks (seed %d, %d skipped by the checks) into %s",
             len(report.tasks), split, seed, len(report.skipped), path)
    return path


def generate_frontend_split(split: str, count: int, seed: int, path: Path) -> Path:
    """Write the first `count` frontend tasks of `split` for `seed` to `path`."""
    import json

    from sweetrl.colbench.frontend.generator import generate

    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for task in generate(split, count, seed):
            fh.write(json.dumps(task.to_json(), ensure_ascii=False) + "\n")
    tmp.replace(path)
    log.info("generated %d %s frontend tasks (seed %d) into %s", count, split, seed, path)
    return path


async def resolve_tasks(source: str, limit: int | None, *, seed: int, work_dir: Path,
                        domain: str = "backend") -> tuple[list[Task], list[InvalidInput], Path]:
    """(tasks, rejected lines, the JSONL file they came from) for ``--tasks SOURCE`` of
    `domain` (``backend`` or ``frontend``)."""
    if source in SPLITS:
        count = limit or 100
        prefix = "frontend-tasks" if domain == "frontend" else "tasks"
        path = work_dir / f"{prefix}-{source}-seed{seed}-{count}.jsonl"
        if not path.exists():
            work_dir.mkdir(parents=True, exist_ok=True)
            if domain == "frontend":
                generate_frontend_split(source, count, seed, path)
            else:
                await generate_split(source, count, seed, path)
    else:
        path = Path(source)
        if not path.is_file():
            raise InvalidInput(f"--tasks {source!r} is neither a split ({', '.join(SPLITS)}) "
                               "nor a readable JSONL file")
    if domain == "frontend":
        from sweetrl.colbench.frontend.loader import load_tasks as load_frontend_tasks

        report = load_frontend_tasks(path)
    else:
        report = load_tasks(path)
    tasks = report.tasks[:limit] if limit else report.tasks
    return tasks, report.errors, path


def read_results(path: Path, tasks: Sequence[Task], k: int, *, light: bool = False
                 ) -> list[dict[str, Any]]:
    """The records of `tasks` (rollouts 0..k-1) in `path`, in task order.

    Args:
        light: drop the bulky fields (dialogue and task) to save memory.
    """
    order = {(task_id(t), r): i for i, t in enumerate(tasks) for r in range(k)}
    found: dict[tuple[str, int], dict[str, Any]] = {}
    if path.exists():
        for _, rec in iter_records(path):
            key = (rec["task_id"], rec["rollout"])
            if key in order:
                found[key] = {f: v for f, v in rec.items() if f not in HEAVY_FIELDS} if light else rec
    return [found[key] for key in sorted(found, key=order.__getitem__)]


@dataclass
class RunResult:
    collect: CollectResult
    records: list[dict[str, Any]]
    usage: dict[str, dict]
    addresses: dict[str, str]
    seconds: float
    extra: Any = None
    """What `before_close` returned."""


async def run_rollouts(tasks: Sequence[Task], plan: ServicePlan, config: RolloutConfig,
                       out: Path, *, retry_failed: bool = False, light: bool = False,
                       ready_timeout: float = 30.0,
                       on_start: Callable[[dict[str, str], int], None] | None = None,
                       on_record: Callable[[dict[str, Any]], None] | None = None,
                       before_close: Callable[[RolloutClients, list[dict[str, Any]]], Awaitable[Any]]
                       | None = None) -> RunResult:
    """Start/reach the services, collect into `out` (resuming), read back the records.

    Args:
        on_start: called with the service addresses and the number of dialogues to run.
        before_close: awaited with the clients and the records while the services still
            run (e.g. to render screenshots for a report); its result is `RunResult.extra`.
    """
    async with LocalServices(plan) as addresses:
        async with RolloutClients(**addresses, config=config) as clients:
            await clients.wait_ready(ready_timeout)
            started = time.monotonic()
            result = await collect(
                tasks, clients, out, retry_failed=retry_failed, on_record=on_record,
                on_start=None if on_start is None else (lambda n: on_start(addresses, n)))
            seconds = time.monotonic() - started
            usage = {name: u.snapshot() for name, u in clients.usage.items()}
            records = read_results(out, tasks, config.k, light=light)
            extra = None if before_close is None else await before_close(clients, records)
    return RunResult(result, records, usage, addresses, seconds, extra)
