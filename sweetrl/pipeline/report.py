"""The run report: one self-contained HTML page with tables and plots.

Sections: the evaluation figures of every policy the run evaluated (backend: % tests
passed and success rate with their 95% intervals, mean turns and questions; frontend:
mean similarity with its interval, turns, pages rendered); learning curves of
every trainer (training loss per optimizer step, held-out loss/accuracy per epoch,
read from the checkpoints' ``sweet_metrics.jsonl``); the data the loop produced
(dialogues, preference pairs, step pairs); and a few training dialogues with the
critic's advantage of every agent turn. Plots are matplotlib figures embedded as
PNG, so the file opens anywhere without network access.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PCT = "{:.1%}"


@dataclass
class ReportData:
    """What the report shows; every part optional except the title."""

    title: str
    settings: dict[str, Any] = field(default_factory=dict)
    evaluations: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(label, summary.json of an evaluate stage), in display order."""
    curves: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    """(trainer label, metrics.jsonl lines)."""
    data: list[tuple[str, str]] = field(default_factory=list)
    """(what, how many / figures) rows about the produced data."""
    samples: list[dict[str, Any]] = field(default_factory=list)
    """Dialogues with per-turn critic advantages (the rank stage's samples.json)."""
    outputs: dict[str, str] = field(default_factory=dict)
    """Stage name -> output URI."""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _interval(summary: dict[str, Any], key: str, ci_key: str, fmt: str = PCT) -> str:
    value = summary.get(key)
    ci = summary.get(ci_key) or [None, None]
    if value is None:
        return "-"
    if ci[0] is None:
        return fmt.format(value)
    return f"{fmt.format(value)} <small>[{fmt.format(ci[0])}, {fmt.format(ci[1])}]</small>"


def _backend_row(s: dict[str, Any]) -> tuple[Any, ...]:
    return (_interval(s, "tests_passed", "tests_passed_ci95"),
            _interval(s, "success_rate", "success_ci95"),
            f"{s.get('mean_turns', 0):.2f}", f"{s.get('mean_questions', 0):.2f}",
            PCT.format(s.get("answered_fraction", 0.0)), s.get("failures", 0))


def _frontend_row(s: dict[str, Any]) -> tuple[Any, ...]:
    return (_interval(s, "similarity", "similarity_ci95", "{:.4f}"), f"{s.get('mean_turns', 0):.2f}",
            f"{s.get('mean_renders', 0):.2f}", PCT.format(s.get("no_answer_fraction", 0.0)),
            s.get("failures", 0))


_TABLES = {
    "backend": (("% tests passed [95% CI]", "success [95% CI]", "mean turns", "mean questions",
                 "answered", "failed"), _backend_row,
                "% tests passed: mean fraction of hidden tests passed per task, 95% bootstrap "
                "interval over tasks. Success: all tests passed, 95% Wilson interval."),
    "frontend": (("mean similarity [95% CI]", "mean turns", "mean pages rendered",
                  "no answer", "failed"), _frontend_row,
                 "Similarity: the renderer judge's similarity of the answer's page to the "
                 "target's (CLIP cosine with CLIP weights, else the weight-free structural "
                 "score), per-task means with a 95% bootstrap interval over tasks. No answer: "
                 "no page ever rendered, judged as a black image."),
}


def _evaluation_table(rows: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """Backend or frontend columns, by the summaries' fields (a frontend one has a similarity)."""
    if not rows:
        return "<p>none</p>"
    domain = "frontend" if any("similarity" in s for _, s in rows) else "backend"
    columns, row, note = _TABLES[domain]
    body = ["<tr>" + "".join(f"<td>{c}</td>" for c in (_e(label), s.get("tasks", "-"), *row(s)))
            + "</tr>" for label, s in rows]
    return ("<table><tr>" + "".join(f"<th>{h}</th>" for h in ("policy", "tasks", *columns))
            + "</tr>" + "".join(body) + f"</table><p>{_e(note)}</p>")


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _curves(curves: Sequence[tuple[str, list[dict[str, Any]]]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    parts = []
    for label, lines in curves:
        steps = [m for m in lines if m.get("kind") == "step" and "loss" in m]
        evals = [m for m in lines if m.get("kind") == "eval"]
        if not steps:
            parts.append(f"<p>{_e(label)}: no training step recorded.</p>")
            continue
        fig, ax = plt.subplots(figsize=(5.2, 3.0))
        ax.plot([m.get("step", i + 1) for i, m in enumerate(steps)], [m["loss"] for m in steps],
                marker=".", label="train loss")
        extra = [k for k in ("acc", "accuracy") if k in steps[-1]]
        for key in extra[:1]:
            ax2 = ax.twinx()
            ax2.plot([m.get("step", i + 1) for i, m in enumerate(steps)], [m[key] for m in steps],
                     color="tab:green", alpha=0.6, label=key)
            ax2.set_ylabel("pair accuracy" if key == "acc" else key)
        if evals and all("loss" in m for m in evals):
            ax.plot([m.get("step", 0) for m in evals], [m["loss"] for m in evals], "s--",
                    color="tab:red", label="held-out loss")
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("loss")
        ax.set_title(label)
        ax.legend(loc="upper right", fontsize=8)
        parts.append(_png(fig))
        plt.close(fig)
    return "".join(parts)


def _bar(value: float, scale: float) -> str:
    width = int(60 * min(1.0, abs(value) / scale)) if scale else 0
    colour = "#2a9d8f" if value >= 0 else "#e76f51"
    return f'<span class="bar" style="width:{width}px;background:{colour}"></span>'


def _samples(samples: Sequence[dict[str, Any]]) -> str:
    if not samples:
        return "<p>No dialogue was scored.</p>"
    scale = max((abs(t["advantage"]) for s in samples for t in s["turns"]), default=0.0) or 1.0
    out = []
    for s in samples:
        who = "scripted expert" if s.get("expert") else "policy"
        out.append(f"<h3>task {_e(s['task_id'])} rollout {s['rollout']} ({who}), reward "
                   f"{s['reward']:.2f}</h3><p class=problem>{_e(s['problem'][:400])}</p><table>"
                   "<tr><th>turn</th><th>agent message</th><th>critic advantage</th></tr>")
        for i, t in enumerate(s["turns"], 1):
            msg = t["message"] if len(t["message"]) < 600 else t["message"][:600] + " ..."
            out.append(f"<tr><td>{i}</td><td><pre>{_e(msg)}</pre></td><td>{t['advantage']:+.4f} "
                       f"{_bar(t['advantage'], scale)}</td></tr>")
        out.append("</table>")
    return "".join(out)


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top;text-align:left}pre{white-space:pre-wrap;margin:0;max-width:700px}
.bar{display:inline-block;height:10px}.problem{color:#555}small{color:#666}
img{margin:0.5em}"""


def render(report: ReportData) -> str:
    """The report page (module docstring)."""
    settings = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>"
                       for k, v in sorted(report.settings.items()))
    data = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in report.data)
    outputs = "".join(f"<tr><td>{_e(k)}</td><td><code>{_e(v)}</code></td></tr>"
                      for k, v in report.outputs.items())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{_e(report.title)}</title>
<style>{STYLE}</style></head><body><h1>{_e(report.title)}</h1>
<h2>Held-out evaluation</h2>{_evaluation_table(report.evaluations)}
<h2>Learning curves</h2>{_curves(report.curves) if report.curves else "<p>No trainer ran.</p>"}
<h2>Data</h2><table>{data}</table>
<h2>Critic scores on training dialogues</h2>
<p>The critic's advantage of each agent turn: beta x (critic - reference) mean token
log-probability, given the hidden ground truth (training-time information). A useful
critic scores the turns of successful dialogues above those of failed ones.</p>{_samples(report.samples)}
<h2>Settings</h2><table>{settings}</table>
<h2>Outputs</h2><table>{outputs}</table></body></html>
"""
