"""A self-contained HTML report of a frontend evaluation: figures, screenshots, dialogues.

A few dialogues, spread from the best similarity to the worst, are shown with the
target's screenshot and the answer's side by side (PNG thumbnails embedded as base64
``data:`` URLs) and the dialogue in full; then a table of every dialogue. Records keep
no screenshots, so `take_screenshots` renders the shown pages again through the
renderer while it still runs (its cache answers pages it rendered during the run).

As in ``report.py``, everything from tasks, models and the simulator is HTML-escaped
and the page has no JavaScript; pages the agent wrote appear only as pictures.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sweetrl.colbench.rollout.clients import RolloutClients, ServiceError
from sweetrl.colbench.rollout.evaluate_frontend import FrontendSummary
from sweetrl.colbench.rollout.report import _CSS, _e, messages_html

log = logging.getLogger(__name__)

THUMB_WIDTH = 420
THUMB_MAX_HEIGHT = 1400
_FRONTEND_CSS = """
.shots{display:flex;gap:1em;align-items:flex-start}.shots figure{margin:0}
.shots img{border:1px solid #ccc;width:420px}.black{width:420px;height:236px;background:#000}
figcaption{font-size:90%;color:#555}
"""

Key = tuple[str, int]


def pick_dialogues(records: Sequence[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Up to `count` judged records spread evenly from the highest similarity to the
    lowest, in file order."""
    judged = sorted((r for r in records if r.get("reward") is not None),
                    key=lambda r: -r["reward"])
    if count <= 0 or not judged:
        return []
    if len(judged) <= count:
        picked = judged
    elif count == 1:
        picked = judged[:1]
    else:
        picked = [judged[round(i * (len(judged) - 1) / (count - 1))] for i in range(count)]
    order = {id(r): i for i, r in enumerate(records)}
    return sorted({id(r): r for r in picked}.values(), key=lambda r: order[id(r)])


def thumbnail(png: bytes) -> str:
    """A PNG screenshot scaled to the report's width (tall pages cut), as base64."""
    try:
        from PIL import Image
    except ImportError:  # the render extra is missing: embed the screenshot as it is
        return base64.b64encode(png).decode()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    height = max(1, round(image.height * THUMB_WIDTH / image.width))
    image = image.resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS)
    image = image.crop((0, 0, THUMB_WIDTH, min(height, THUMB_MAX_HEIGHT)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return base64.b64encode(out.getvalue()).decode()


async def take_screenshots(clients: RolloutClients, records: Sequence[dict[str, Any]]
                           ) -> dict[Key, dict[str, str | None]]:
    """(task id, rollout) -> {"target", "answer"} thumbnails (base64 PNG; answer None
    when there was none) of `records`; a page the renderer cannot render is left out."""
    shots: dict[Key, dict[str, str | None]] = {}
    for r in records:
        try:
            target = await clients.render(r["task"]["ground_truth"])
            answer = await clients.render(r["answer"]) if r.get("answer") else None
        except ServiceError as exc:
            log.warning("no screenshots of %s in the report: %s", r["task_id"], exc)
            continue
        shots[(r["task_id"], r["rollout"])] = {
            "target": thumbnail(target.png), "answer": thumbnail(answer.png) if answer else None}
    return shots


def screenshot_hook(count: int):
    """A `run_rollouts` ``before_close`` that picks `count` dialogues for the report and
    screenshots them while the renderer still runs: ``(shown, screenshots)``."""

    async def before_close(clients: RolloutClients, records: Sequence[dict[str, Any]]):
        shown = pick_dialogues(records, count)
        return shown, await take_screenshots(clients, shown)

    return before_close


def _img(b64: str | None, caption: str) -> str:
    pic = (f"<img alt='{_e(caption)}' src='data:image/png;base64,{b64}'>" if b64
           else "<div class='black'></div>")
    return f"<figure>{pic}<figcaption>{_e(caption)}</figcaption></figure>"


def _dialogue(r: dict[str, Any], shots: dict[str, str | None] | None) -> str:
    reward = "-" if r.get("reward") is None else f"{r['reward']:.4f}"
    parts = [f"<h3>{_e(r['task_id'])} (rollout {_e(r['rollout'])}): similarity {_e(reward)} "
             f"({_e(r.get('judge_kind'))}), {_e(r.get('turns'))} turns, "
             f"{_e(r.get('renders'))} pages rendered, {_e(r.get('finish'))}</h3>"]
    if shots is not None:
        answer = ("the answer (no page: judged as black)" if shots["answer"] is None
                  else "the answer (last rendered page)")
        parts.append("<div class='shots'>" + _img(shots["target"], "the target")
                     + _img(shots["answer"], answer) + "</div>")
    parts.append("<details><summary>the dialogue</summary>"
                 + "\n".join(messages_html(r.get("dialogue_history", []))) + "</details>")
    parts.append(f"<details><summary>target HTML</summary><pre>{_e(r.get('task', {}).get('ground_truth'))}"
                 f"</pre></details><details><summary>answer HTML</summary><pre>{_e(r.get('answer'))}"
                 "</pre></details>")
    return "\n".join(parts)


def _results_table(records: Sequence[dict[str, Any]]) -> str:
    head = ("task", "rollout", "similarity", "judge", "turns", "pages rendered", "finish", "note")
    rows = []
    for r in records:
        err = r.get("error")
        note = (f"{err.get('service')}: {err.get('code')}: {err.get('message')} ({err.get('stage')})"
                if err else "no answer (black)" if r.get("no_answer") else "")
        reward = "-" if r.get("reward") is None else f"{r['reward']:.4f}"
        rows.append("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in (
            r["task_id"], r["rollout"], reward, r.get("judge_kind"), r.get("turns"),
            r.get("renders"), r.get("finish"), note)) + "</tr>")
    return ("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
            + "".join(rows) + "</table>")


def render_report(summary: FrontendSummary, records: Sequence[dict[str, Any]], *, title: str,
                  meta: dict[str, Any], shown: Sequence[dict[str, Any]] = (),
                  screenshots: dict[Key, dict[str, str | None]] | None = None) -> str:
    """The report as an HTML string: `meta` at the top, the summary, `shown` dialogues with
    their `screenshots`, then every dialogue."""
    screenshots = screenshots or {}
    body = [f"<h1>{_e(title)}</h1>",
            "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in meta.items())
            + "</table>",
            "<h2>Summary</h2>", "<pre>" + _e("\n".join(summary.lines())) + "</pre>",
            "<h2>Target and answer, side by side</h2>",
            *(_dialogue(r, screenshots.get((r["task_id"], r["rollout"]))) for r in shown),
            "<h2>Every dialogue</h2>", _results_table(records)]
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<style>{_CSS}{_FRONTEND_CSS}</style></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")


def write_report(path: str | Path, summary: FrontendSummary, records: Sequence[dict[str, Any]],
                 **kw) -> Path:
    path = Path(path)
    path.write_text(render_report(summary, records, **kw), encoding="utf-8")
    return path
