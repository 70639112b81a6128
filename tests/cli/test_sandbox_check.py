"""``sweet sandbox check`` end to end, as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.isolation
SAMPLES = Path(__file__).resolve().parents[2] / "sweetrl" / "data" / "samples"


def sweet(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sweetrl.cli.main", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_check_judges_the_samples_in_input_order():
    proc = sweet("sandbox", "check", str(SAMPLES / "backend_tasks.jsonl"),
                 str(SAMPLES / "backend_answers.jsonl"), "--set", "per_test_timeout_s=1",
                 "--set", "eval_timeout_s=3")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    answers = [json.loads(x) for x in (SAMPLES / "backend_answers.jsonl").read_text().splitlines()]
    assert [r["id"] for r in lines] == [a["id"] for a in answers]
    assert [r["success"] for r in lines] == [True, False, True, False, True, False, True, False, False, False]
    assert all(0.0 <= r["tests_passed"] <= 1.0 for r in lines)
    assert lines[1]["tests_passed"] == 0.4  # wrong default tip: 4 of 10 cases still agree
    assert lines[8]["error_kind"] == "limit"  # the infinite loop
    assert lines[5]["error_kind"] == "syntax"


def test_bad_lines_get_their_own_error_and_the_rest_is_judged(tmp_path):
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_bytes(
        b'{"id": "ok", "ground_truth": "def f(x):\\n    return x + 1", "test_cases": {"a": "f(1)", "b": "f(2)"}}\n'
        b'{"id": "nogt", "test_cases": {"a": "f(1)"}}\n'
        b'not json at all\n')
    answers = tmp_path / "answers.jsonl"
    big = "def f(x):\n    return x + 1\n#" + "x" * 70_000
    answers.write_bytes(
        b'{"id": "ok", "answer": "def f(x): return x + 1"}\n'
        b'{"id": "ok"}\n'
        b'{"id": "ok", "answer": "\xff\xfe not utf-8"}\n'
        b'{"id": "nogt", "answer": "def f(x): return 2"}\n'
        b'{"id": "missing", "answer": "def f(x): return 2"}\n'
        + json.dumps({"id": "ok", "answer": big}).encode() + b"\n"
        b'[1, 2]\n'
        b'{"id": "ok", "answer": "def f(x): return x"}\n')
    proc = sweet("sandbox", "check", str(tasks), str(answers))
    assert proc.returncode == 1, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(out) == 8
    assert out[0]["success"] is True and out[0]["line"] == 1
    assert "missing field 'answer'" in out[1]["error"]
    assert "not valid UTF-8" in out[2]["error"]
    assert "was rejected" in out[3]["error"] and "ground_truth" in out[3]["error"]
    assert "unknown task id 'missing'" in out[4]["error"]
    assert "limit is 65536 bytes" in out[5]["error"]
    assert "expected a JSON object" in out[6]["error"]
    assert out[7]["success"] is False and out[7]["tests_passed"] == 0.0
    assert "malformed JSON" in proc.stderr


def test_missing_file_is_a_usage_error(tmp_path):
    proc = sweet("sandbox", "check", str(tmp_path / "nope.jsonl"), str(tmp_path / "nope2.jsonl"))
    assert proc.returncode == 2
    assert "no such file" in (proc.stderr + proc.stdout)
