"""Read ColBench backend tasks and answers from JSONL, one clear error per bad line.

Task lines follow the official ColBench backend format plus an ``id``::

    {"id": "t1", "problem_description": "...", "ground_truth": "def f(x): ...",
     "test_cases": {"test1": "f(1)", "test2": "f(2)"}}

``test_cases`` may also be a list of calls or of ``{"name", "call"}`` objects.
Answer lines are ``{"id": <task id>, "answer": "<text or code>"}``; several answers
may share one task id. Lines are bytes so that non-UTF-8 input is an error of that
line only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sweetrl.errors import InvalidInput
from sweetrl.sandbox.models import BackendTask, TestCase


def read_lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | InvalidInput]]:
    """Yield (line number, parsed object or the error of that line); skip blank lines."""
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield lineno, InvalidInput(f"line {lineno}: not valid UTF-8 (byte {exc.start})")
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield lineno, InvalidInput(f"line {lineno}: malformed JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(obj, dict):
                yield lineno, InvalidInput(f"line {lineno}: expected a JSON object, got {type(obj).__name__}")
                continue
            yield lineno, obj


def _field(obj: dict, name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if name not in obj:
        raise InvalidInput(f"{where}: missing field {name!r}")
    value = obj[name]
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        expected = " or ".join(k.__name__ for k in kinds)
        raise InvalidInput(f"{where}: field {name!r} must be {expected}, got {type(value).__name__}")
    return value


def _test_cases(raw: Any, where: str) -> tuple[TestCase, ...]:
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = []
        for i, entry in enumerate(raw):
            if isinstance(entry, str):
                items.append((f"test{i + 1}", entry))
            elif isinstance(entry, dict):
                items.append((str(entry.get("name", f"test{i + 1}")), entry.get("call")))
            else:
                raise InvalidInput(f"{where}: test_cases[{i}] must be a string or an object")
    else:
        raise InvalidInput(f"{where}: field 'test_cases' must be an object or a list")
    cases = []
    for name, call in items:
        if not isinstance(call, str):
            raise InvalidInput(f"{where}: test case {name!r} must be a string call expression")
        cases.append(TestCase(str(name), call))
    return tuple(cases)


def parse_task(obj: dict, where: str, *, default_id: str = "") -> BackendTask:
    """A :class:`BackendTask` from one task object; InvalidInput names what is wrong."""
    task_id = obj.get("id", obj.get("task_id", default_id))
    if not isinstance(task_id, (str, int)) or task_id == "":
        raise InvalidInput(f"{where}: missing field 'id'")
    return BackendTask(
        task_id=str(task_id),
        ground_truth=_field(obj, "ground_truth", str, where),
        test_cases=_test_cases(_field(obj, "test_cases", (dict, list), where), where),
        problem_description=str(obj.get("problem_description", "")),
    )


def parse_answer(obj: dict, where: str) -> tuple[str, str]:
    """(task id, answer text) from one answer object."""
    task_id = obj.get("id")
    if not isinstance(task_id, (str, int)) or task_id == "":
        raise InvalidInput(f"{where}: missing field 'id'")
    return str(task_id), _field(obj, "answer", str, where)
