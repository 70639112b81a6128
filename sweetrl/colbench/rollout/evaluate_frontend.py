"""Frontend benchmark figures from trajectory records, with 95% confidence intervals.

* **mean similarity** -- the reward (the renderer judge's similarity of the answer's
  page to the target's), averaged per task first, with a percentile bootstrap
  interval over tasks (as ``evaluate.py`` does for % tests passed).
* **win rate vs a reference run** -- over the tasks both runs judged, the fraction
  where this run's similarity (per-task mean) beats the reference's. An exact tie
  counts half a win (two policies that both give no answer tie at the black image's
  similarity; counting ties as losses would make a policy lose to itself). The
  interval is a percentile bootstrap over the shared tasks. Both runs must have been
  judged with the same kind (CLIP and structural similarities are not comparable).
* Mean agent turns, mean snippets rendered per dialogue, the fraction of dialogues
  with no answer (no snippet ever rendered: judged as black), how dialogues ended,
  the judge kind(s) used, and failures (dialogues a service failure stopped, by
  service and status code, **left out** of every other figure).

What this module does NOT do: judge anything; similarities come from the renderer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sweetrl.colbench.rollout.evaluate import BOOTSTRAP_RESAMPLES, bootstrap_mean_interval
from sweetrl.errors import InvalidInput
from sweetrl.render.judge import win_rate

TIE_CREDIT = 0.5


@dataclass
class WinRate:
    """This run against a reference run, over the tasks both judged."""

    reference: str
    tasks: int
    win_rate: float
    ci95: tuple[float, float]
    wins: int
    ties: int
    losses: int
    reference_similarity: float


@dataclass
class FrontendSummary:
    """Figures over a set of frontend trajectory records (see module docstring)."""

    dialogues: int = 0
    tasks: int = 0
    judged: int = 0
    failures: int = 0
    k: int = 1
    similarity: float = 0.0
    similarity_ci95: tuple[float, float] = (0.0, 0.0)
    judge_kinds: dict[str, int] = field(default_factory=dict)
    mean_turns: float = 0.0
    mean_renders: float = 0.0
    no_answer_fraction: float = 0.0
    finishes: dict[str, int] = field(default_factory=dict)
    failure_reasons: dict[str, int] = field(default_factory=dict)
    versus: WinRate | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["similarity_ci95"] = list(self.similarity_ci95)
        if self.versus is not None:
            out["versus"]["ci95"] = list(self.versus.ci95)
        out["intervals"] = (f"percentile bootstrap over tasks ({BOOTSTRAP_RESAMPLES} resamples); "
                            "win rate: ties count half")
        return out

    def lines(self) -> list[str]:
        """The figures as text, one per line."""
        lo, hi = self.similarity_ci95
        kinds = ", ".join(f"{k} x{v}" for k, v in sorted(self.judge_kinds.items())) or "-"
        out = [f"dialogues: {self.dialogues} over {self.tasks} tasks (k={self.k}); judged "
               f"{self.judged}, failed {self.failures}",
               f"mean similarity: {self.similarity:.4f}  (95% CI {lo:.4f} - {hi:.4f}, bootstrap "
               f"over tasks; judge: {kinds})"]
        if self.versus is not None:
            v = self.versus
            wlo, whi = v.ci95
            out.append(f"win rate vs {v.reference}: {100 * v.win_rate:.1f}%  (95% CI "
                       f"{100 * wlo:.1f}% - {100 * whi:.1f}%; {v.wins} wins, {v.ties} ties (count "
                       f"half), {v.losses} losses over {v.tasks} shared tasks; reference mean "
                       f"similarity {v.reference_similarity:.4f})")
        ends = ", ".join(f"{k} {v}" for k, v in sorted(self.finishes.items()))
        out.append(f"mean turns: {self.mean_turns:.2f}   mean pages rendered: "
                   f"{self.mean_renders:.2f}   no answer (judged black): "
                   f"{100 * self.no_answer_fraction:.1f}%   ended: {ends}")
        if self.failures:
            out.append("failures (left out above): " + ", ".join(
                f"{k} x{v}" for k, v in sorted(self.failure_reasons.items())))
        return out


def task_similarities(records: Iterable[dict[str, Any]]) -> dict[str, float]:
    """task id -> mean similarity over its judged rollouts (failed dialogues left out)."""
    per_task: dict[str, list[float]] = defaultdict(list)
    for r in records:
        if not r.get("error") and r.get("reward") is not None:
            per_task[r["task_id"]].append(r["reward"])
    return {t: sum(v) / len(v) for t, v in per_task.items()}


def judge_kinds(records: Iterable[dict[str, Any]]) -> set[str]:
    return {r["judge_kind"] for r in records if not r.get("error") and r.get("judge_kind")}


def compare(records: Sequence[dict[str, Any]], reference: Sequence[dict[str, Any]], *,
            name: str = "reference") -> WinRate:
    """Win rate of `records` against `reference` over the tasks both judged (ties half).

    Raises:
        InvalidInput: no shared task, or the runs were judged with different kinds.
    """
    ours, theirs = task_similarities(records), task_similarities(reference)
    shared = sorted(ours.keys() & theirs.keys())
    if not shared:
        raise InvalidInput(f"the run and {name} have no judged task in common")
    kinds, ref_kinds = judge_kinds(records), judge_kinds(reference)
    if kinds != ref_kinds:
        raise InvalidInput(f"the run was judged {'/'.join(sorted(kinds))} and {name} "
                           f"{'/'.join(sorted(ref_kinds))}: similarities of different judges "
                           "are not comparable")
    a, b = {t: ours[t] for t in shared}, {t: theirs[t] for t in shared}
    credits = [1.0 if a[t] > b[t] else TIE_CREDIT if a[t] == b[t] else 0.0 for t in shared]
    return WinRate(reference=name, tasks=len(shared), win_rate=win_rate(a, b, tie=TIE_CREDIT),
                   ci95=bootstrap_mean_interval(credits),
                   wins=sum(c == 1.0 for c in credits), ties=sum(c == TIE_CREDIT for c in credits),
                   losses=sum(c == 0.0 for c in credits),
                   reference_similarity=sum(b.values()) / len(b))


def read_reference(path: str | Path) -> tuple[list[dict[str, Any]], str]:
    """The records of a reference run: a ``results.jsonl`` or a folder holding one."""
    from sweetrl.colbench.rollout.collector import iter_records

    path = Path(path)
    if path.is_dir():
        path = path / "results.jsonl"
    if not path.is_file():
        raise InvalidInput(f"--reference-run: {path} is not a results file (results.jsonl of "
                           "an earlier sweet eval frontend)")
    return [rec for _, rec in iter_records(path)], str(path.parent if path.name ==
                                                        "results.jsonl" else path)


def summarize_frontend(records: Iterable[dict[str, Any]], *,
                       reference: Sequence[dict[str, Any]] | None = None,
                       reference_name: str = "reference") -> FrontendSummary:
    """Figures over `records` (the fields ``env_frontend.py`` writes), and the win rate
    against `reference` records when given."""
    records = list(records)
    s = FrontendSummary(dialogues=len(records))
    judged = [r for r in records if not r.get("error")]
    s.failures = len(records) - len(judged)
    s.failure_reasons = dict(Counter(
        f"{r['error'].get('service', '?')}:{r['error'].get('code', '?')}"
        for r in records if r.get("error")))
    s.tasks = len({r["task_id"] for r in records})
    s.judged = len(judged)
    s.k = max((r["rollout"] + 1 for r in records), default=1)
    if not judged:
        return s
    means = list(task_similarities(judged).values())
    s.similarity = sum(means) / len(means)
    s.similarity_ci95 = bootstrap_mean_interval(means)
    s.judge_kinds = dict(Counter(r.get("judge_kind", "") for r in judged))
    s.mean_turns = sum(r["turns"] for r in judged) / len(judged)
    s.mean_renders = sum(r.get("renders", 0) for r in judged) / len(judged)
    s.no_answer_fraction = sum(bool(r.get("no_answer")) for r in judged) / len(judged)
    s.finishes = dict(Counter(r.get("finish") for r in judged))
    if reference is not None:
        s.versus = compare(judged, reference, name=reference_name)
    return s
