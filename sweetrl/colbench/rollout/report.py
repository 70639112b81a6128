"""A self-contained HTML report of an evaluation: summary, every dialogue's result, a few in full.

All text from tasks, models and the simulator is HTML-escaped (model output is
untrusted: a ``<script>`` in an answer is shown, never run). No JavaScript, no
external resources; collapsible parts use ``<details>``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sweetrl.colbench.rollout.evaluate import Summary

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}.ok{color:#080}.bad{color:#b00}
.msg{border-radius:6px;padding:.5em .8em;margin:.5em 0;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:90%}
.assistant{background:#eef4ff}.user{background:#f4f4f4}.who{font-weight:bold;font-family:system-ui}
pre{background:#fafafa;border:1px solid #eee;padding:.5em;overflow-x:auto}
"""


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def pick_dialogues(records: Sequence[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Up to `count` records to show in full: successes and failures alike, in file order."""
    wins = [r for r in records if r.get("success")]
    losses = [r for r in records if not r.get("success")]
    half = (count + 1) // 2
    take = wins[:half]
    take += losses[: count - len(take)]
    take += wins[half: half + count - len(take)]
    order = {id(r): i for i, r in enumerate(records)}
    return sorted(take, key=lambda r: order[id(r)])


def _summary_table(summary: Summary) -> str:
    lo, hi = summary.tests_passed_ci95
    slo, shi = summary.success_ci95
    rows = [("dialogues", f"{summary.dialogues} over {summary.tasks} tasks (k={summary.k})"),
            ("judged / failed", f"{summary.judged} / {summary.failures}"),
            ("% tests passed", f"{100 * summary.tests_passed:.1f}% "
             f"(95% CI {100 * lo:.1f}-{100 * hi:.1f}%, bootstrap over tasks)"),
            ("success rate", f"{100 * summary.success_rate:.1f}% "
             f"(95% CI {100 * slo:.1f}-{100 * shi:.1f}%, Wilson)")]
    if summary.best_of_k_success is not None:
        rows.append((f"best-of-{summary.k} success", f"{100 * summary.best_of_k_success:.1f}%"))
    rows += [("mean turns", f"{summary.mean_turns:.2f}"),
             ("mean questions asked", f"{summary.mean_questions:.2f}"),
             ("ended with I WANT TO ANSWER", f"{100 * summary.answered_fraction:.1f}%"),
             ("hit the turn limit", f"{100 * summary.turn_limit_fraction:.1f}%")]
    if summary.context_limit_fraction:
        rows.append(("outgrew the policy's context", f"{100 * summary.context_limit_fraction:.1f}%"))
    if summary.failure_reasons:
        rows.append(("failures", ", ".join(f"{k} x{v}" for k, v in sorted(summary.failure_reasons.items()))))
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>"


def _results_table(records: Sequence[dict[str, Any]]) -> str:
    head = ("task", "rollout", "reward", "tests", "success", "turns", "questions", "finish", "note")
    rows = []
    for r in records:
        err = r.get("error")
        note = (f"{err.get('service')}: {err.get('code')}: {err.get('message')}" if err
                else r.get("judge_error", ""))
        reward = "-" if r.get("reward") is None else f"{r['reward']:.2f}"
        cls = "ok" if r.get("success") else "bad"
        rows.append("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in (
            r["task_id"], r["rollout"], reward, f"{r.get('tests_passed', 0)}/{r.get('tests_total', 0)}"))
            + f"<td class='{cls}'>{'yes' if r.get('success') else 'no'}</td>"
            + "".join(f"<td>{_e(v)}</td>" for v in (r.get("turns"), r.get("questions"),
                                                    r.get("finish"), note)) + "</tr>")
    return ("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
            + "".join(rows) + "</table>")


def messages_html(history: Sequence[dict[str, Any]]) -> list[str]:
    """A dialogue's messages as HTML blocks (the agent's raw output folded away)."""
    parts = []
    for i, m in enumerate(history):
        role = m.get("role", "?")
        who = "task" if i == 0 else ("agent" if role == "assistant" else "human")
        parts.append(f"<div class='msg {_e(role)}'><span class='who'>{who}:</span> {_e(m.get('content'))}")
        if role == "assistant":
            parts.append(f"<details><summary>raw output ({_e(m.get('tokens'))} tokens, "
                         f"{_e(m.get('finish_reason'))})</summary>{_e(m.get('output'))}</details>")
        parts.append("</div>")
    return parts


def _dialogue(r: dict[str, Any]) -> str:
    task = r.get("task", {})
    parts = [f"<h3>{_e(r['task_id'])} (rollout {_e(r['rollout'])}): reward "
             f"{_e('-' if r.get('reward') is None else round(r['reward'], 3))}, "
             f"{_e(r.get('turns'))} turns, {_e(r.get('finish'))}</h3>",
             f"<details><summary>hidden ground truth</summary><pre>{_e(task.get('ground_truth'))}"
             "</pre></details>"]
    parts += messages_html(r.get("dialogue_history", []))
    parts.append(f"<p><b>answer judged:</b></p><pre>{_e(r.get('answer'))}</pre>")
    if r.get("error"):
        parts.append(f"<p class='bad'>error: {_e(r['error'])}</p>")
    return "\n".join(parts)


def render_report(summary: Summary, records: Sequence[dict[str, Any]], *, title: str,
                  meta: dict[str, Any], show: int = 5) -> str:
    """The report as an HTML string; `meta` (model, simulator, command...) is listed at the top."""
    body = [f"<h1>{_e(title)}</h1>",
            "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in meta.items())
            + "</table>",
            "<h2>Summary</h2>", _summary_table(summary),
            "<h2>Dialogues in full</h2>",
            *(_dialogue(r) for r in pick_dialogues(records, show)),
            "<h2>Every dialogue</h2>", _results_table(records)]
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def write_report(path: str | Path, summary: Summary, records: Sequence[dict[str, Any]], **kw) -> Path:
    path = Path(path)
    path.write_text(render_report(summary, records, **kw), encoding="utf-8")
    return path
