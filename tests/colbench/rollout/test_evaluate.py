"""Figures with confidence intervals, and the HTML report (escaping, content)."""

from __future__ import annotations

import pytest

from sweetrl.colbench.rollout.evaluate import bootstrap_mean_interval, summarize, wilson_interval
from sweetrl.colbench.rollout.report import pick_dialogues, render_report


def rec(task: str, rollout: int = 0, reward: float | None = 1.0, *, error=None, turns=2,
        questions=1, finish="answered", judge_error="") -> dict:
    return {"task_id": task, "rollout": rollout, "reward": reward, "success": reward == 1.0,
            "turns": turns, "questions": questions, "finish": "error" if error else finish,
            "error": error, "judge_error": judge_error, "tests_passed": 0, "tests_total": 10,
            "answer": "", "dialogue_history": [], "task": {}}


def test_wilson_interval_hand_checked():
    lo, hi = wilson_interval(5, 10)  # textbook: 0.2366 - 0.7634
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_bootstrap_interval_brackets_the_mean_and_is_reproducible():
    values = [0.0, 0.1, 0.5, 1.0, 1.0, 0.3, 0.0, 0.9]
    lo, hi = bootstrap_mean_interval(values)
    assert lo < sum(values) / len(values) < hi
    assert (lo, hi) == bootstrap_mean_interval(values)
    assert bootstrap_mean_interval([0.4] * 5) == (pytest.approx(0.4), pytest.approx(0.4))


def test_summary_leaves_failures_out_and_counts_them():
    error = {"service": "sandbox", "code": "UNAVAILABLE", "message": "down", "attempts": 4}
    s = summarize([rec("a"), rec("b", reward=0.5, turns=10, questions=9, finish="turn_limit"),
                   rec("c", reward=None, error=error), rec("d", reward=0.0, judge_error="syntax")])
    assert (s.dialogues, s.tasks, s.judged, s.failures) == (4, 4, 3, 1)
    assert s.tests_passed == pytest.approx(0.5) and s.success_rate == pytest.approx(1 / 3)
    assert s.mean_turns == pytest.approx(14 / 3) and s.mean_questions == pytest.approx(11 / 3)
    assert s.turn_limit_fraction == pytest.approx(1 / 3)
    assert s.failure_reasons == {"sandbox:UNAVAILABLE": 1} and s.judge_errors == {"syntax": 1}
    assert s.best_of_k_success is None and s.context_limit_fraction == 0
    text = "\n".join(s.lines())
    assert "% tests passed: 50.0%" in text and "Wilson" in text and "bootstrap" in text
    assert "context" not in text


def test_summary_counts_dialogues_that_outgrew_the_context_as_judged():
    s = summarize([rec("a", reward=0.0, turns=9, finish="context_limit"),
                   rec("b", reward=0.0, turns=10, finish="turn_limit")])
    assert (s.judged, s.failures) == (2, 0)
    assert s.context_limit_fraction == pytest.approx(0.5) == s.turn_limit_fraction
    assert "outgrew the policy's context: 50.0%" in "\n".join(s.lines())


def test_k_rollouts_average_per_task_and_give_best_of_k():
    s = summarize([rec("a", 0, 1.0), rec("a", 1, 0.0), rec("a", 2, 0.0), rec("b", 0, 0.6),
                   rec("b", 1, 0.6), rec("b", 2, 0.6)])
    assert s.k == 3 and s.tests_passed == pytest.approx((1 / 3 + 0.6) / 2)
    assert s.best_of_k_success == pytest.approx(0.5)


def test_report_escapes_model_text():
    r = rec("t<1>")
    r["answer"] = "<script>alert(1)</script>"
    r["dialogue_history"] = [{"role": "user", "content": "Need <b>f</b>"},
                             {"role": "assistant", "content": "x & y", "output": "<img src=x>",
                              "tokens": 3, "finish_reason": "stop"}]
    page = render_report(summarize([r]), [r], title="T", meta={"policy": "<m>"})
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "Need &lt;b&gt;f&lt;/b&gt;" in page and "x &amp; y" in page
    assert "&lt;m&gt;" in page and "t&lt;1&gt;" in page


def test_report_shows_successes_and_failures():
    records = [rec("a", reward=0.0), rec("b"), rec("c", reward=0.0), rec("d"), rec("e")]
    shown = [r["task_id"] for r in pick_dialogues(records, 3)]
    assert shown == ["a", "b", "d"]
    assert [r["task_id"] for r in pick_dialogues(records[:2], 5)] == ["a", "b"]
