"""Load ColBench frontend tasks from JSONL: the official (WebSight-derived) files and ours.

Each line is one task object with the official fields ``problem_description`` and
``ground_truth`` (HTML); ``id`` is optional (official lines have none: the task gets
``<file stem>-<line number>``) and so are our ``family`` and ``split``. A malformed
line (bad JSON or UTF-8, a missing or empty field, a ground truth with no HTML tag
in it, a repeated id) is rejected with an error naming the file and the line, and
the rest of the file still loads. The HTML itself is not validated further: real
pages are often sloppy and browsers render them anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sweetrl.colbench.frontend.tasks import FrontendTask
from sweetrl.errors import InvalidInput
from sweetrl.sandbox import jsonl


@dataclass
class LoadReport:
    """The tasks that loaded (with their line numbers), and one error per rejected line."""

    tasks: list[FrontendTask] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    errors: list[InvalidInput] = field(default_factory=list)


def load_tasks(path: str | Path) -> LoadReport:
    """Read every line of ``path``; bad lines go to ``errors``, the rest to ``tasks``."""
    path = Path(path)
    report = LoadReport()
    first_line: dict[str, int] = {}
    for lineno, obj in jsonl.read_lines(path):
        if isinstance(obj, InvalidInput):
            report.errors.append(InvalidInput(f"{path.name} {obj.message}"))
            continue
        where = f"{path.name} line {lineno}"
        try:
            task = FrontendTask.from_json(obj, where, default_id=f"{path.stem}-{lineno}")
            if task.task_id in first_line:
                raise InvalidInput(f"{where}: duplicate id {task.task_id!r} (first on line {first_line[task.task_id]})")
        except InvalidInput as exc:
            report.errors.append(exc)
            continue
        first_line[task.task_id] = lineno
        report.tasks.append(task)
        report.lines.append(lineno)
    return report
