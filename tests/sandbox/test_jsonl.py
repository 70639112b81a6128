"""Reading ColBench backend tasks and answers from JSONL: one clear error per bad line."""

import json

import pytest

from sweetrl.errors import InvalidInput
from sweetrl.sandbox.jsonl import parse_answer, parse_task, read_lines
from sweetrl.sandbox.models import TestCase as Case


def test_read_lines_reports_each_bad_line_and_keeps_going(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"id": "a"}\n\n   \n\xff\xfe\n{not json\n[1, 2]\n{"id": "b"}\n')
    rows = list(read_lines(path))
    assert [n for n, _ in rows] == [1, 4, 5, 6, 7]  # blank lines skipped, numbering kept
    assert rows[0][1] == {"id": "a"} and rows[4][1] == {"id": "b"}
    errors = {n: str(e) for n, e in rows if isinstance(e, InvalidInput)}
    assert "line 4: not valid UTF-8" in errors[4]
    assert "line 5: malformed JSON" in errors[5]
    assert errors[6] == "line 6: expected a JSON object, got list"


def test_parse_task_in_the_official_format():
    obj = {"id": 7, "problem_description": "add", "ground_truth": "def f(x): return x",
           "test_cases": {"test1": "f(1)", "test2": "f(2)"}}
    t = parse_task(obj, "line 1")
    assert t.task_id == "7" and t.problem_description == "add"
    assert t.test_cases == (Case("test1", "f(1)"), Case("test2", "f(2)"))
    assert t.calls == ["f(1)", "f(2)"]


def test_parse_task_accepts_lists_of_calls_or_objects_and_task_id():
    t = parse_task({"task_id": "x", "ground_truth": "g", "test_cases": ["f(1)", {"call": "f(2)"},
                                                                       {"name": "n", "call": "f(3)"}]},
                   "line 1")
    assert t.task_id == "x"
    assert t.test_cases == (Case("test1", "f(1)"), Case("test2", "f(2)"), Case("n", "f(3)"))
    assert parse_task({"ground_truth": "g", "test_cases": []}, "w", default_id="d").task_id == "d"


@pytest.mark.parametrize("obj, message", [
    ({"ground_truth": "g", "test_cases": {}}, "missing field 'id'"),
    ({"id": "", "ground_truth": "g", "test_cases": {}}, "missing field 'id'"),
    ({"id": "a", "test_cases": {}}, "missing field 'ground_truth'"),
    ({"id": "a", "ground_truth": 3, "test_cases": {}}, "field 'ground_truth' must be str, got int"),
    ({"id": "a", "ground_truth": "g"}, "missing field 'test_cases'"),
    ({"id": "a", "ground_truth": "g", "test_cases": "f(1)"}, "must be dict or list, got str"),
    ({"id": "a", "ground_truth": "g", "test_cases": [3]}, "test_cases[0] must be a string or an object"),
    ({"id": "a", "ground_truth": "g", "test_cases": {"t": 1}}, "test case 't' must be a string"),
    ({"id": "a", "ground_truth": "g", "test_cases": [{"name": "t"}]}, "test case 't' must be a string"),
])
def test_parse_task_names_what_is_wrong(obj, message):
    with pytest.raises(InvalidInput) as err:
        parse_task(obj, "line 9")
    assert str(err.value).startswith("line 9: ")
    assert message in str(err.value)


def test_parse_answer():
    assert parse_answer({"id": 3, "answer": "code"}, "l") == ("3", "code")
    with pytest.raises(InvalidInput, match="missing field 'id'"):
        parse_answer({"answer": "x"}, "l")
    with pytest.raises(InvalidInput, match="field 'answer' must be str, got NoneType"):
        parse_answer({"id": "a", "answer": None}, "l")
    with pytest.raises(InvalidInput, match="missing field 'answer'"):
        parse_answer(json.loads('{"id": "a"}'), "l")
