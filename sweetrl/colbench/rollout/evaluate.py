"""Benchmark figures from trajectory records, with 95% confidence intervals.

* **% tests passed** -- the mean reward (fraction of a task's hidden tests passed),
  averaged per task first (each task weighs the same whatever its rollouts), with a
  percentile bootstrap interval over tasks (2000 resamples of the tasks, seeded, so
  the same records give the same interval).
* **success rate** -- the fraction of dialogues with reward 1.0, with a Wilson score
  interval (dialogues taken as independent: exact for k = 1, optimistic for k > 1).
* With k > 1 rollouts per task, **best-of-k success**: the fraction of tasks where at
  least one rollout succeeded.
* Mean agent turns and mean questions asked (non-final turns whose message has a
  '?'), the fraction of dialogues that ended with ``I WANT TO ANSWER:``, and
  failures: dialogues a service failure stopped, counted by service and status code
  and **left out** of every other figure (they say nothing about the policy).

What this module does NOT do: judge anything; rewards come from the sandbox.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

Z95 = 1.959963984540054
BOOTSTRAP_RESAMPLES = 2000


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion; (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, center - half), min(1.0, center + half)


def bootstrap_mean_interval(values: list[float], *, resamples: int = BOOTSTRAP_RESAMPLES,
                            seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of `values` (the units resampled)."""
    if not values:
        return 0.0, 1.0
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(resamples))
    tail = (1 - level) / 2
    lo = means[int(math.floor(tail * (resamples - 1)))]
    hi = means[int(math.ceil((1 - tail) * (resamples - 1)))]
    return lo, hi


@dataclass
class Summary:
    """Figures over a set of trajectory records (see module docstring)."""

    dialogues: int = 0
    tasks: int = 0
    judged: int = 0
    failures: int = 0
    tests_passed: float = 0.0
    tests_passed_ci95: tuple[float, float] = (0.0, 1.0)
    success_rate: float = 0.0
    success_ci95: tuple[float, float] = (0.0, 1.0)
    best_of_k_success: float | None = None
    k: int = 1
    mean_turns: float = 0.0
    mean_questions: float = 0.0
    answered_fraction: float = 0.0
    turn_limit_fraction: float = 0.0
    context_limit_fraction: float = 0.0
    failure_reasons: dict[str, int] = field(default_factory=dict)
    judge_errors: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["tests_passed_ci95"] = list(self.tests_passed_ci95)
        out["success_ci95"] = list(self.success_ci95)
        out["intervals"] = ("tests_passed: percentile bootstrap over tasks "
                            f"({BOOTSTRAP_RESAMPLES} resamples); success: Wilson score")
        return out

    def lines(self) -> list[str]:
        """The figures as text, one per line."""
        def pct(x: float) -> str:
            return f"{100 * x:.1f}%"

        lo, hi = self.tests_passed_ci95
        slo, shi = self.success_ci95
        out = [f"dialogues: {self.dialogues} over {self.tasks} tasks (k={self.k}); judged "
               f"{self.judged}, failed {self.failures}",
               f"% tests passed: {pct(self.tests_passed)}  (95% CI {pct(lo)} - {pct(hi)}, "
               "bootstrap over tasks)",
               f"success rate:   {pct(self.success_rate)}  (95% CI {pct(slo)} - {pct(shi)}, Wilson)"]
        if self.best_of_k_success is not None:
            out.append(f"best-of-{self.k} success: {pct(self.best_of_k_success)}")
        out.append(f"mean turns: {self.mean_turns:.2f}   mean questions asked: "
                   f"{self.mean_questions:.2f}   answered: {pct(self.answered_fraction)}   "
                   f"hit the turn limit: {pct(self.turn_limit_fraction)}"
                   + (f"   outgrew the policy's context: {pct(self.context_limit_fraction)}"
                      if self.context_limit_fraction else ""))
        if self.judge_errors:
            out.append("answers the sandbox could not run: " + ", ".join(
                f"{k} {v}" for k, v in sorted(self.judge_errors.items())))
        if self.failures:
            out.append("failures (left out above): " + ", ".join(
                f"{k} x{v}" for k, v in sorted(self.failure_reasons.items())))
        return out


def summarize(records: Iterable[dict[str, Any]]) -> Summary:
    """Figures over `records` (dicts with at least the fields ``env.py`` writes)."""
    records = list(records)
    s = Summary(dialogues=len(records))
    judged = [r for r in records if not r.get("error")]
    s.failures = len(records) - len(judged)
    s.failure_reasons = dict(Counter(
        f"{r['error'].get('service', '?')}:{r['error'].get('code', '?')}"
        for r in records if r.get("error")))
    s.tasks = len({r["task_id"] for r in records})
    per_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in judged:
        per_task[r["task_id"]].append(r)
    s.judged = len(judged)
    s.k = max((r["rollout"] + 1 for r in records), default=1)
    if not judged:
        return s
    task_means = [sum(r["reward"] for r in rs) / len(rs) for rs in per_task.values()]
    s.tests_passed = sum(task_means) / len(task_means)
    s.tests_passed_ci95 = bootstrap_mean_interval(task_means)
    wins = sum(bool(r.get("success")) for r in judged)
    s.success_rate = wins / len(judged)
    s.success_ci95 = wilson_interval(wins, len(judged))
    if s.k > 1:
        s.best_of_k_success = sum(any(r.get("success") for r in rs)
                                  for rs in per_task.values()) / len(per_task)
    s.mean_turns = sum(r["turns"] for r in judged) / len(judged)
    s.mean_questions = sum(r["questions"] for r in judged) / len(judged)
    finishes = Counter(r.get("finish") for r in judged)
    s.answered_fraction = finishes["answered"] / len(judged)
    s.turn_limit_fraction = finishes["turn_limit"] / len(judged)
    s.context_limit_fraction = finishes["context_limit"] / len(judged)
    s.judge_errors = dict(Counter(r["judge_error"] for r in judged if r.get("judge_error")))
    return s
