"""``sweet eval frontend`` and ``sweet collect frontend`` end to end on 3 generated tasks:
the renderer and the scripted human in-process on the real Chromium, a scripted fake
policy (``--policy-address``) that shows the target or no page; the win rate against a
reference run; usage errors."""

from __future__ import annotations

import json

import pytest

from sweetrl.cli.main import main
from sweetrl.colbench.frontend.generator import generate
from sweetrl.colbench.rollout.fakes import ScriptedPolicy, ask_then_build
from sweetrl.render.browser import unavailable_reason

REASON = unavailable_reason()
needs_browser = pytest.mark.skipif(REASON is not None, reason=REASON or "")
RENDERER = ["--set", "renderer.browser.pages=1"]


@pytest.fixture(scope="module")
def task_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("tasks") / "frontend.jsonl"
    path.write_text("".join(json.dumps(t.to_json()) + "\n" for t in generate("test", 3, 0)))
    return path


@pytest.fixture(scope="module")
def fake():
    with ScriptedPolicy(ask_then_build(generate("test", 3, 0))) as policy:
        yield policy


@pytest.mark.parametrize("argv", [
    ["--simulator", "llm"],
    ["--reference-run", "/nonexistent/run"],
    ["--set", "rollout.judge=magic"],
])
def test_usage_errors_exit_2(task_file, tmp_path, argv, capsys):
    code = main(["eval", "frontend", "--policy-address", "127.0.0.1:1", "--tasks", str(task_file),
                 "--out", str(tmp_path / "eval"), *argv])
    assert code == 2, capsys.readouterr()


@pytest.mark.browser
@needs_browser
def test_eval_scores_reports_and_compares_with_a_reference_run(task_file, fake, tmp_path, capsys):
    good, blank = tmp_path / "good", tmp_path / "blank"
    argv = ["eval", "frontend", "--policy-address", fake.address, "--tasks", str(task_file),
            "--limit", "3", *RENDERER]
    assert main([*argv, "--out", str(good)]) == 0
    stdout = capsys.readouterr().out
    assert "dialogues: 3 over 3 tasks (k=1); judged 3, failed 0" in stdout
    assert "mean similarity: 1.0000" in stdout and "judge: structural x3" in stdout
    assert "mean turns: 2.00   mean pages rendered: 1.00   no answer (judged black): 0.0%" in stdout
    records = [json.loads(x) for x in (good / "results.jsonl").read_text().splitlines()]
    assert len(records) == 3 and all(r["similarity"] > 0.99 and r["turns"] == 2 for r in records)
    summary = json.loads((good / "summary.json").read_text())
    assert (summary["judged"], summary["failures"], summary["versus"]) == (3, 0, None)
    assert summary["similarity_ci95"][0] > 0.99 and "renderer" in summary["usage"]
    page = (good / "report.html").read_text()
    assert "ColBench frontend evaluation" in page and page.count("data:image/png;base64,") >= 6

    fake.script = ask_then_build(generate("test", 3, 0), show_nothing=True)
    try:
        assert main([*argv, "--out", str(blank), "--reference-run", str(good)]) == 0
    finally:
        fake.script = ask_then_build(generate("test", 3, 0))
    stdout = capsys.readouterr().out
    assert "no answer (judged black): 100.0%" in stdout
    assert "win rate vs " + str(good) + ": 0.0%" in stdout and "0 wins, 0 ties" in stdout
    assert "judged as black" in (blank / "report.html").read_text()

    # the good run again, against the blank one: resumes (nothing to run) and wins all
    assert main([*argv, "--out", str(good), "--reference-run", str(blank / "results.jsonl")]) == 0
    stdout = capsys.readouterr().out
    assert "0 new dialogues (3 already in the file)" in stdout
    assert "win rate vs " + str(blank) + ": 100.0%" in stdout
    assert json.loads((good / "summary.json").read_text())["versus"]["wins"] == 3


@pytest.mark.browser
@needs_browser
def test_collect_defaults_to_three_sampled_rollouts(task_file, fake, tmp_path, capsys):
    out = tmp_path / "traj.jsonl"
    code = main(["collect", "frontend", "--policy-address", fake.address, "--tasks", str(task_file),
                 "--limit", "2", "--out", str(out), *RENDERER])
    stdout = capsys.readouterr().out
    assert code == 0, stdout
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert sorted(r["rollout"] for r in records) == [0, 0, 1, 1, 2, 2]
    assert {r["temperature"] for r in records} == {1.0} and "6 new dialogues" in stdout
