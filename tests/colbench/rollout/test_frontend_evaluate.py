"""Frontend figures: mean similarity per task, the win rate against a reference run (ties
count half), failures left out, the report (escaped, screenshots embedded)."""

from __future__ import annotations

import base64
import io

import pytest

from sweetrl.colbench.rollout.evaluate_frontend import compare, summarize_frontend
from sweetrl.colbench.rollout.report_frontend import pick_dialogues, render_report, thumbnail
from sweetrl.errors import InvalidInput


def rec(task: str, reward: float | None, rollout: int = 0, *, kind: str = "structural",
        error: dict | None = None, **extra) -> dict:
    return {"task_id": task, "rollout": rollout, "reward": reward,
            "judge_kind": kind if reward is not None else "",
            "error": error, "turns": 2, "renders": 1, "no_answer": False, "finish": "answered",
            "answer": "<html></html>", "task": {"ground_truth": "<html></html>"},
            "dialogue_history": [{"role": "user", "content": "page"}], **extra}


def test_win_rate_counts_wins_and_half_ties_over_shared_tasks():
    ours = [rec("a", 0.9), rec("b", 0.5), rec("c", 0.3), rec("d", 0.7), rec("only-ours", 1.0)]
    ref = [rec("a", 0.8), rec("b", 0.5), rec("c", 0.4), rec("d", 0.1), rec("only-ref", 0.0)]
    v = compare(ours, ref, name="zero-shot")
    # a win, b tie (half), c loss, d win over the 4 shared tasks
    assert (v.tasks, v.wins, v.ties, v.losses) == (4, 2, 1, 1)
    assert v.win_rate == pytest.approx(2.5 / 4)
    assert v.reference_similarity == pytest.approx((0.8 + 0.5 + 0.4 + 0.1) / 4)
    assert 0.0 <= v.ci95[0] <= v.win_rate <= v.ci95[1] <= 1.0
    assert compare(ours, ours).win_rate == 0.5  # a run against itself: all ties
    assert compare(ref, ours).win_rate == pytest.approx(1.5 / 4)


def test_win_rate_uses_per_task_means_and_skips_failures():
    ours = [rec("a", 0.2), rec("a", 0.8, rollout=1),  # mean 0.5
            rec("b", None, error={"service": "renderer", "code": "UNAVAILABLE"})]
    ref = [rec("a", 0.4), rec("b", 0.9)]
    v = compare(ours, ref)
    assert (v.tasks, v.wins, v.win_rate) == (1, 1, 1.0)  # b failed for us: not shared


@pytest.mark.parametrize("ref, message", [
    ([rec("z", 0.1)], "no judged task in common"),
    ([rec("a", 0.1, kind="clip")], "not comparable"),
])
def test_incomparable_runs_are_refused(ref, message):
    with pytest.raises(InvalidInput, match=message):
        compare([rec("a", 0.5)], ref)


def test_summary_means_per_task_and_leaves_failures_out():
    records = [rec("a", 1.0), rec("a", 0.0, rollout=1, no_answer=True, renders=0),
               rec("b", 0.25, turns=4, finish="turn_limit"),
               rec("c", None, error={"service": "renderer", "code": "UNAVAILABLE"}, turns=1)]
    s = summarize_frontend(records, reference=[rec("a", 0.4), rec("b", 0.25)], reference_name="ref")
    assert (s.dialogues, s.tasks, s.judged, s.failures, s.k) == (4, 3, 3, 1, 2)
    assert s.similarity == pytest.approx((0.5 + 0.25) / 2)
    assert s.mean_turns == pytest.approx(8 / 3) and s.mean_renders == pytest.approx(2 / 3)
    assert s.no_answer_fraction == pytest.approx(1 / 3)
    assert s.judge_kinds == {"structural": 3} and s.finishes == {"answered": 2, "turn_limit": 1}
    assert s.failure_reasons == {"renderer:UNAVAILABLE": 1}
    assert s.versus.win_rate == pytest.approx(0.75)  # a: 0.5 > 0.4 win, b: tie
    text = "\n".join(s.lines())
    assert "mean similarity: 0.3750" in text and "win rate vs ref: 75.0%" in text
    assert "ties count half" in s.to_json()["intervals"]


def test_report_shows_spread_dialogues_with_embedded_screenshots_and_escapes():
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (1280, 3000), (37, 99, 235)).save(png, format="PNG")
    records = [rec(f"t{i}", i / 10) for i in range(10)]
    records[9]["answer"] = "<script>alert(1)</script>"
    shown = pick_dialogues(records, 3)
    assert [r["task_id"] for r in shown] == ["t0", "t5", "t9"]  # lowest, middle, highest
    thumb = thumbnail(png.getvalue())
    small = Image.open(io.BytesIO(base64.b64decode(thumb)))
    assert small.width == 420 and small.height <= 1400
    shots = {("t9", 0): {"target": thumb, "answer": thumb}, ("t0", 0): {"target": thumb, "answer": None}}
    page = render_report(summarize_frontend(records), records, title="T", meta={"policy": "<p>"},
                         shown=shown, screenshots=shots)
    assert page.count(f"data:image/png;base64,{thumb}") == 3
    assert "judged as black" in page and "<script>alert" not in page and "&lt;p&gt;" in page
