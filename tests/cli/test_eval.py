"""``sweet eval backend`` and ``sweet collect backend`` end to end on 3 tasks: in-process
services with a scripted fake policy (``--policy-address``) or a tiny random model,
resuming after a SIGKILL, rejected task lines, usage errors."""

from __future__ import annotations

import html
import json
import signal
import subprocess
import sys
import time

import pytest

from sweetrl.cli.main import main
from sweetrl.colbench.backend.generator import generate
from sweetrl.colbench.backend.loader import parse_line
from sweetrl.colbench.rollout.fakes import ScriptedPolicy, ask_then_answer
from sweetrl.sandbox import isolation

pytestmark = pytest.mark.isolation

SANDBOX = ["--set", "sandbox.engine.slots=1"]


@pytest.fixture(scope="module", autouse=True)
def strict_sandbox():
    try:
        isolation.check_available("strict", seccomp=True)
    except isolation.IsolationUnavailable as exc:
        pytest.skip(f"strict isolation unavailable: {exc}")


@pytest.fixture(scope="module")
def task_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("tasks") / "tasks.jsonl"
    path.write_text("".join(json.dumps(t.to_json()) + "\n" for t in generate("test", 3, 0)))
    return path


@pytest.fixture(scope="module")
def fake(task_file):
    tasks = [parse_line(json.loads(line), "t", default_id="") for line in task_file.read_text().splitlines()]
    with ScriptedPolicy(ask_then_answer(tasks)) as policy:
        yield policy


def test_eval_with_a_scripted_policy_scores_and_reports(task_file, fake, tmp_path, capsys):
    out = tmp_path / "eval"
    code = main(["eval", "backend", "--policy-address", fake.address, "--tasks", str(task_file),
                 "--limit", "3", "--simulator", "scripted", "--out", str(out), *SANDBOX])
    stdout = capsys.readouterr().out
    assert code == 0, stdout
    assert "% tests passed: 100.0%" in stdout and "success rate:   100.0%" in stdout
    assert "Wilson" in stdout and "bootstrap over tasks" in stdout
    assert "mean turns: 2.00   mean questions asked: 1.00" in stdout
    records = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert len(records) == 3 and all(r["reward"] == 1.0 and r["rollout"] == 0 for r in records)
    assert all(r["temperature"] == 0.0 for r in records)
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["success_rate"], summary["judged"], summary["failures"]) == (1.0, 3, 0)
    page = (out / "report.html").read_text()
    assert "ColBench backend evaluation" in page and "I WANT TO ANSWER:" in page
    assert html.escape(records[0]["dialogue_history"][2]["content"]) in page  # the human's reply
    # re-running resumes: nothing left to do, same figures
    assert main(["eval", "backend", "--policy-address", fake.address, "--tasks", str(task_file),
                 "--out", str(out), *SANDBOX]) == 0
    assert "0 new dialogues (3 already in the file)" in capsys.readouterr().out


def test_eval_with_a_tiny_model_in_process(task_file, tmp_path, capsys):
    from sweetrl.models.tiny import build_tiny_model

    model = build_tiny_model(tmp_path / "tiny", max_position_embeddings=4096)
    out = tmp_path / "eval"
    code = main(["eval", "backend", "--policy", str(model), "--tasks", str(task_file), "--limit", "3",
                 "--max-tokens", "8", "--max-turns", "3", "--out", str(out), *SANDBOX,
                 "--set", "policy.transformers.torch_threads=1"])
    stdout = capsys.readouterr().out
    assert code == 0, stdout
    assert "dialogues: 3 over 3 tasks (k=1); judged 3, failed 0" in stdout
    records = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert {r["policy_model"]["name"] for r in records} == {"tiny"}
    assert all(r["dialogue_history"][1]["input"].startswith("<|im_start|>system") for r in records)


def test_collect_resumes_after_sigkill(task_file, fake, tmp_path, capsys):
    out = tmp_path / "traj.jsonl"
    argv = ["collect", "backend", "--policy-address", fake.address, "--tasks", str(task_file),
            "--k", "3", "--dialogues", "1", "--out", str(out), *SANDBOX]
    fake.delay_s = 0.3
    try:
        proc = subprocess.Popen([sys.executable, "-m", "sweetrl.cli.main", *argv],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not out.exists() or len(out.read_text().splitlines()) < 2:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        fake.delay_s = 0.0
    before = len(out.read_text().splitlines())
    assert 2 <= before < 9
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    keys = [(json.loads(x)["task_id"], json.loads(x)["rollout"]) for x in out.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == 9
    assert f"{9 - before} new dialogues" in stdout and "best-of-3 success: 100.0%" in stdout
    assert {json.loads(x)["temperature"] for x in out.read_text().splitlines()} == {1.0}


def test_collect_appends_expert_demonstrations_once(task_file, fake, tmp_path, capsys):
    out = tmp_path / "traj.jsonl"
    argv = ["collect", "backend", "--policy-address", fake.address, "--tasks", str(task_file),
            "--k", "1", "--expert-fraction", "1.0", "--out", str(out), *SANDBOX]
    assert main(argv) == 0
    assert "expert: 3 demonstrations (3 successful, mean reward 1.000), 3 new" in capsys.readouterr().out
    records = [json.loads(x) for x in out.read_text().splitlines()]
    experts = [r for r in records if r.get("expert")]
    assert sorted(r["rollout"] for r in records) == [0, 0, 0, 1, 1, 1]
    assert len(experts) == 3 and all(r["reward"] == 1.0 for r in experts)
    assert all("input" not in m for r in experts for m in r["dialogue_history"])
    assert main(argv) == 0  # resumed: neither the policy's nor the expert's dialogues again
    assert "0 new in" in capsys.readouterr().out
    assert len(out.read_text().splitlines()) == 6


def test_malformed_task_lines_are_rejected_by_line(task_file, fake, tmp_path, capsys):
    tasks = tmp_path / "tasks.jsonl"
    good = task_file.read_text().splitlines()
    tasks.write_text(good[0] + "\n" + '{"problem_description": "x"}\n' + "not json\n")
    code = main(["eval", "backend", "--policy-address", fake.address, "--tasks", str(tasks),
                 "--out", str(tmp_path / "eval"), *SANDBOX])
    captured = capsys.readouterr()
    assert code == 1
    assert "tasks.jsonl line 2" in captured.err and "tasks.jsonl line 3" in captured.err
    assert "dialogues: 1 over 1 tasks" in captured.out


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["eval", "backend", "--tasks", str(tmp_path / "none.jsonl"), "--policy-address",
                 "127.0.0.1:1", "--out", str(tmp_path)]) == 2
    assert "neither a split" in capsys.readouterr().err
    assert main(["eval", "backend", "--set", "model=x", "--out", str(tmp_path)]) == 2
    assert main(["eval", "backend", "--set", "rollout.bogus=1", "--out", str(tmp_path)]) == 2
    assert "unknown config key 'bogus'" in capsys.readouterr().err
