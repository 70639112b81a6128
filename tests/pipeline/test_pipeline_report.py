"""The HTML report: figures with intervals, curves as images, per-turn critic scores."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from sweetrl.pipeline.report import ReportData, render  # noqa: E402


def summary(tests, success, tasks=12):
    return {"tasks": tasks, "tests_passed": tests, "tests_passed_ci95": [tests / 2, min(1, tests * 2)],
            "success_rate": success, "success_ci95": [0.0, 0.3], "mean_turns": 2.5,
            "mean_questions": 1.25, "answered_fraction": 0.5, "failures": 0}


def test_report_has_tables_plots_and_scores():
    steps = [{"kind": "step", "step": i, "loss": 0.7 - 0.1 * i, "acc": i / 4} for i in range(1, 5)]
    steps.append({"kind": "eval", "step": 4, "loss": 0.5, "acc": 1.0})
    html = render(ReportData(
        title="t<1>", settings={"k": 2},
        evaluations=[("zero-shot", summary(0.125, 0.0)), ("SWEET-RL", summary(0.25, 1 / 12))],
        curves=[("critic", steps), ("policy", [])],
        data=[("pairs", "7")],
        samples=[{"task_id": "a", "rollout": 0, "reward": 1.0, "expert": True, "problem": "p<x>",
                  "turns": [{"message": "ask", "advantage": 0.02}, {"message": "code", "advantage": -0.01}]}]))
    assert "t&lt;1&gt;" in html and "p&lt;x&gt;" in html  # escaped
    assert "12.5% <small>[6.2%, 25.0%]</small>" in html and "8.3%" in html
    assert html.count("data:image/png;base64,") == 1  # one curve; the empty one is a note
    assert "policy: no training step recorded" in html
    assert "+0.0200" in html and "-0.0100" in html and "scripted expert" in html


def test_report_without_training():
    html = render(ReportData(title="zero-shot", evaluations=[("zero-shot", summary(0.0, 0.0))]))
    assert "No trainer ran." in html and "No dialogue was scored." in html


def test_frontend_report_shows_similarity():
    frontend = {"tasks": 4, "similarity": 0.4321, "similarity_ci95": [0.3, 0.55], "mean_turns": 2.0,
                "mean_renders": 1.5, "no_answer_fraction": 0.25, "failures": 1}
    html = render(ReportData(title="f", evaluations=[("zero-shot", frontend)]))
    assert "mean similarity [95% CI]" in html and "0.4321 <small>[0.3000, 0.5500]</small>" in html
    assert "25.0%" in html and "tests passed" not in html
