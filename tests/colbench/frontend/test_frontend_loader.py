"""Loading ColBench frontend JSONL: official lines, our extra fields, one error per bad line."""

from __future__ import annotations

import json

import pytest

from sweetrl.colbench.frontend.generator import generate
from sweetrl.colbench.frontend.loader import load_tasks

GT = '<html><body class="bg-white"><h1 class="text-3xl">Hi</h1></body></html>'
GOOD = {"problem_description": "A tiny page with a greeting.", "ground_truth": GT}


def line(**changes) -> bytes:
    obj = {**GOOD, **changes}
    return json.dumps({k: v for k, v in obj.items() if v is not ...}).encode() + b"\n"


def test_official_lines_without_ids_load_with_ids_from_their_line(tmp_path):
    path = tmp_path / "websight_val.jsonl"
    path.write_bytes(line() + b"\n" + line(ground_truth="<body><p>fragment</p></body>"))
    report = load_tasks(path)
    assert report.errors == []
    assert [t.task_id for t in report.tasks] == ["websight_val-1", "websight_val-3"]
    assert report.lines == [1, 3]
    first = report.tasks[0]
    assert (first.problem_description, first.ground_truth, first.family, first.split) == (
        GOOD["problem_description"], GT, "", "")


def test_generated_files_load_back_unchanged(tmp_path):
    tasks = generate("test", 20, seed=3)
    path = tmp_path / "frontend_test.jsonl"
    path.write_text("".join(json.dumps(t.to_json()) + "\n" for t in tasks))
    report = load_tasks(path)
    assert report.errors == [] and report.tasks == tasks


BAD = [
    (b"{not json\n", "malformed JSON"),
    (b"[1, 2]\n", "expected a JSON object, got list"),
    (b"\xff\xfe\n", "not valid UTF-8"),
    (line(ground_truth=...), "missing field 'ground_truth'"),
    (line(problem_description=...), "missing field 'problem_description'"),
    (line(ground_truth=""), "field 'ground_truth' must be a non-empty string"),
    (line(ground_truth=" \n "), "field 'ground_truth' must be a non-empty string"),
    (line(ground_truth=["<p>"]), "field 'ground_truth' must be a non-empty string"),
    (line(problem_description="  "), "field 'problem_description' must be a non-empty string"),
    (line(ground_truth="Just a sentence about a page."), "'ground_truth' does not look like HTML"),
    (line(ground_truth="def page(): return 1 < 2"), "'ground_truth' does not look like HTML"),
    (line(id=""), "missing field 'id'"),
    (line(id=True), "field 'id' must be a string or an integer"),
    (line(family=3), "field 'family' must be a string, got int"),
    (line(split="dev"), "field 'split' must be one of train, test, got 'dev'"),
]


@pytest.mark.parametrize("raw, message", BAD, ids=[m for _, m in BAD])
def test_a_bad_line_is_reported_with_its_file_and_line_and_the_rest_loads(tmp_path, raw, message):
    path = tmp_path / "tasks.jsonl"
    path.write_bytes(line(id="a") + raw + line(id="b"))
    report = load_tasks(path)
    assert [t.task_id for t in report.tasks] == ["a", "b"] and report.lines == [1, 3]
    [error] = report.errors
    assert error.message.startswith("tasks.jsonl line 2"), error.message
    assert message in error.message, error.message


def test_duplicate_ids_name_the_first_line(tmp_path):
    path = tmp_path / "tasks.jsonl"
    path.write_bytes(line(id="a") + line(id="b") + line(id="a", family="x"))
    report = load_tasks(path)
    assert [t.task_id for t in report.tasks] == ["a", "b"]
    [error] = report.errors
    assert error.message == "tasks.jsonl line 3: duplicate id 'a' (first on line 1)"


def test_integer_ids_and_extra_fields_are_accepted(tmp_path):
    path = tmp_path / "tasks.jsonl"
    path.write_bytes(line(id=7, family="landing", split="train", extra={"kept": False}))
    (task,) = load_tasks(path).tasks
    assert (task.task_id, task.family, task.split) == ("7", "landing", "train")
