"""Run many dialogues concurrently into a resumable JSONL file of trajectories.

Tasks of either domain: backend tasks (`LoadedTask`) run `env.run_dialogue`, frontend
tasks (`FrontendTask`) `env_frontend.run_frontend_dialogue`; one file may hold both.

Each (task, rollout) pair is one asyncio task that advances on its own: as soon as
its policy turn comes back it asks the simulator, then the policy again, with no
barrier across dialogues (a lock-step batch would wait for its slowest member every
turn). At most ``max_dialogues`` run at once; the clients bound the calls in flight
per service. Pairs are started task-major (a task's k rollouts together), so the
policy's prefix cache sees the shared system prompt and problem close together.

Output: one JSON object per line (``env.py`` documents the record), appended and
flushed as each dialogue ends, in completion order. Resuming: `TrajectoryFile`
reads the file first and skips every (task id, rollout) already there; a last line
without its newline (the process died while writing it) is cut off and that pair is
run again. Failed dialogues are records too (``finish: "error"``), so they are not
re-run unless ``retry_failed`` is set, which first rewrites the file without them.

What this module does NOT do: decide what to do with a file written with other
settings (another model or temperature): it resumes whatever is there; use a new
file for a new configuration.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sweetrl.colbench.backend.loader import LoadedTask
from sweetrl.colbench.frontend.tasks import FrontendTask
from sweetrl.colbench.rollout.clients import RolloutClients
from sweetrl.colbench.rollout.env import run_dialogue
from sweetrl.colbench.rollout.env_frontend import run_frontend_dialogue
from sweetrl.errors import InvalidInput

log = logging.getLogger(__name__)

Key = tuple[str, int]
Task = LoadedTask | FrontendTask


def task_id(task: Task) -> str:
    """The id of a backend or a frontend task."""
    return task.task_id if isinstance(task, FrontendTask) else task.task.task_id


async def run_any_dialogue(task: Task, rollout: int, clients: RolloutClients) -> dict[str, Any]:
    """One dialogue of the task's domain (its record)."""
    if isinstance(task, FrontendTask):
        return await run_frontend_dialogue(task, rollout, clients)
    return await run_dialogue(task, rollout, clients)


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for every complete line of a trajectory file.

    A last line without a newline is not yielded (it is an interrupted write).

    Raises:
        InvalidInput: a complete line is not a JSON object with ``task_id`` and ``rollout``.
    """
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.endswith(b"\n"):
                return
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError as exc:
                raise InvalidInput(f"{path} line {lineno}: not JSON ({exc})") from None
            if (not isinstance(obj, dict) or not isinstance(obj.get("task_id"), str)
                    or not isinstance(obj.get("rollout"), int)):
                raise InvalidInput(f"{path} line {lineno}: not a trajectory record "
                                   "(needs task_id and rollout)")
            yield lineno, obj


class TrajectoryFile:
    """An append-only trajectory file that knows which (task id, rollout) pairs it holds."""

    def __init__(self, path: str | Path, *, retry_failed: bool = False) -> None:
        self.path = Path(path)
        self.done: set[Key] = set()
        self.failed: set[Key] = set()
        self.dropped_partial = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Two collectors appending to one file would interleave and duplicate pairs.
        self._lock = open(self.path.with_name(self.path.name + ".lock"), "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise InvalidInput(f"{self.path} is being written by another collector "
                               "(it holds the .lock file next to it)") from None
        if self.path.exists():
            self._scan(retry_failed)
        self._fh = open(self.path, "a", encoding="utf-8")

    def _scan(self, retry_failed: bool) -> None:
        good = 0  # bytes of complete lines
        keep: list[bytes] = []
        with open(self.path, "rb") as fh:
            for raw in fh:
                if raw.endswith(b"\n"):
                    good += len(raw)
                    keep.append(raw)
        failed_lines: set[int] = set()
        for lineno, obj in iter_records(self.path):
            key = (obj["task_id"], obj["rollout"])
            if retry_failed and obj.get("error"):
                failed_lines.add(lineno)
                continue
            self.done.add(key)
            if obj.get("error"):
                self.failed.add(key)
        size = self.path.stat().st_size
        if failed_lines:
            tmp = self.path.with_name(self.path.name + ".tmp")
            with open(tmp, "wb") as out:
                out.writelines(raw for i, raw in enumerate(keep, 1) if i not in failed_lines)
            os.replace(tmp, self.path)
            log.info("%s: dropped %d failed dialogues to run them again", self.path,
                     len(failed_lines))
        elif good < size:
            self.dropped_partial = True
            with open(self.path, "r+b") as fh:
                fh.truncate(good)
            log.warning("%s: cut off an incomplete last line (%d bytes); that dialogue runs again",
                        self.path, size - good)

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as a line and flush it."""
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._fh.flush()
        key = (record["task_id"], record["rollout"])
        self.done.add(key)
        if record.get("error"):
            self.failed.add(key)

    def close(self) -> None:
        self._fh.close()
        self._lock.close()

    def __enter__(self) -> TrajectoryFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class CollectResult:
    """What one `collect` call did."""

    written: int
    """Dialogues run and written by this call."""
    skipped: int
    """Pairs already in the file."""
    failed: int
    """Dialogues of this call recorded with an error."""


def pending_pairs(tasks: Sequence[Task], k: int, done: set[Key]) -> list[tuple[Task, int]]:
    """The (task, rollout) pairs not yet in the file, task-major."""
    return [(t, r) for t in tasks for r in range(k) if (task_id(t), r) not in done]


async def collect(tasks: Sequence[Task], clients: RolloutClients, out: str | Path, *,
                  retry_failed: bool = False,
                  on_start: Callable[[int], None] | None = None,
                  on_record: Callable[[dict[str, Any]], None] | None = None) -> CollectResult:
    """Run k rollouts (``clients.config.k``) of every task into `out`, skipping pairs already there.

    Args:
        on_start: called with the number of dialogues to run, before the first starts.
        on_record: called with each record after it is written (progress, live stats).
    """
    config = clients.config
    with TrajectoryFile(out, retry_failed=retry_failed) as store:
        pairs = pending_pairs(tasks, config.k, store.done)
        skipped = len(tasks) * config.k - len(pairs)
        result = CollectResult(written=0, skipped=skipped, failed=0)
        slots = asyncio.Semaphore(config.max_dialogues)
        if on_start is not None:
            on_start(len(pairs))

        async def one(task: Task, rollout: int) -> None:
            async with slots:
                record = await run_any_dialogue(task, rollout, clients)
            store.append(record)
            result.written += 1
            result.failed += record["error"] is not None
            if on_record is not None:
                on_record(record)

        jobs = [asyncio.create_task(one(t, r)) for t, r in pairs]
        try:
            await asyncio.gather(*jobs)
        finally:
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
    return result
