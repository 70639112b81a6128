"""Throughput and latency of the isolated code sandbox vs an in-process exec() baseline.

Run from the repository root::

    .venv/bin/python benchmarks/sandbox_throughput.py [--tasks 600] [--answers-per-task 4]
                                                      [--seed 0] [--slots 0]

It generates ColBench-backend-like (task, answer) pairs deterministically
(``_colbench_like.py``), then in one run:

* **ours, regime "rl"**: one :class:`Evaluator` over all pairs in task order, as an RL
  batch arrives (k answers per task): the ground truth runs once per task (cache and
  in-flight sharing), every answer runs in its own sandboxed process.
* **ours, regime "cold"**: all pairs again, in answer-major order, with a cache of 0
  entries, so every evaluation also runs its own ground truth (two isolated runs per
  evaluation); the benchmark checks that no ground truth was shared.
* **ours, "serial"**: a small sample one at a time: the unloaded latency.
* **baseline**: the reference kind of evaluator: ``exec`` the ground truth and the
  answer into dicts inside this very process, ``eval`` each test call, compare with
  ``==``, catch exceptions. No isolation and no time limits.

Throughput is evaluations per second of wall-clock over the whole batch. Latency per
evaluation is reported twice: ``engine`` is ``Evaluation.timings.total_seconds`` (from
the start of ``Evaluator.evaluate`` to its verdict, slot queueing and ground-truth wait
included); ``wall`` is measured around each ``evaluate`` call that ``evaluate_many``
makes (the same span plus input validation and event-loop scheduling).

CPU cost is measured too: ``cpu_ms_per_eval`` is the CPU time of the supervisor (this
process) plus the sandbox slots (its descendants, with the evaluation processes they
reaped) per evaluation, and ``cpu_bound_evals_per_s`` = CPUs / that cost. Unlike
evaluations per second, these change little when other work shares the machine.

Both evaluators' rewards are compared on every pair where the baseline can be trusted
(all but the adversarial ``eq_hack`` answers, which the baseline is expected to pass);
any disagreement is printed. The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:  # the editable install (or PYTHONPATH, to benchmark another copy of the engine)
    import sweetrl  # noqa: F401
except ImportError:
    sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import _colbench_like as colbench  # noqa: E402

from sweetrl.sandbox.config import SandboxConfig  # noqa: E402
from sweetrl.sandbox.evaluator import EvalItem, Evaluator  # noqa: E402
from sweetrl.sandbox.models import BackendTask, Evaluation, TestCase  # noqa: E402
from sweetrl.sandbox.pool import SandboxPool  # noqa: E402

TARGET_EVALS_PER_S = 300.0


def engine_fingerprint() -> dict:
    """Which engine ran: the sandbox package's path and a hash of its sources."""
    import hashlib

    import sweetrl.sandbox as pkg

    root = Path(pkg.__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(root.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return {"path": str(root), "sha256_12": h.hexdigest()[:12]}


@dataclasses.dataclass(frozen=True)
class Pair:
    task: BackendTask
    answer: str
    kind: str
    family: str
    trustworthy: bool
    task_index: int
    answer_index: int


def build_pairs(n_tasks: int, k: int, seed: int) -> list[Pair]:
    pairs = []
    for ti, (spec, answers) in enumerate(colbench.generate(n_tasks, k, seed)):
        task = BackendTask(spec.task_id, spec.ground_truth,
                           tuple(TestCase(f"test{i + 1}", c) for i, c in enumerate(spec.calls)),
                           spec.problem_description)
        for ai, ans in enumerate(answers):
            pairs.append(Pair(task, ans.text, ans.kind, spec.family, ans.baseline_trustworthy, ti, ai))
    return pairs


# --------------------------------------------------------------------------- statistics


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 100]); 0.0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    rank = max(1, min(len(s), int(-(-q * len(s) // 100))))  # ceil(q/100 * n)
    return s[rank - 1]


def summary(n: int, wall_s: float, engine: list[float], wall: list[float]) -> dict:
    return {
        "evaluations": n,
        "seconds": round(wall_s, 3),
        "evals_per_s": round(n / wall_s, 1) if wall_s > 0 else 0.0,
        "p50_ms": round(percentile(engine, 50) * 1e3, 2),
        "p99_ms": round(percentile(engine, 99) * 1e3, 2),
        "wall_p50_ms": round(percentile(wall, 50) * 1e3, 2),
        "wall_p99_ms": round(percentile(wall, 99) * 1e3, 2),
    }


# --------------------------------------------------------------------------- ours


def _host_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of the whole host from /proc/stat (0, 0 where unavailable)."""
    try:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return sum(v) - v[3] - (v[4] if len(v) > 4 else 0), sum(v)


def _descendants_cpu_s() -> float:
    """CPU seconds of this process's live descendants (the sandbox slots), each with the
    CPU of the children it has reaped (a slot's zygote reaps every evaluation process)."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, cpu = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the command: state ppid ... utime(12) stime(13) cutime(14) cstime(15)
        parent[int(name)] = int(fields[1])
        cpu[int(name)] = sum(int(x) for x in fields[11:15]) / tick
    me, total = os.getpid(), 0.0
    for pid in cpu:
        p, seen = parent.get(pid), 0
        while p and p != me and seen < 64:
            p, seen = parent.get(p), seen + 1
        if p == me:
            total += cpu[pid]
    return total


class CpuMeter:
    """CPU used over a span: by the host, by this process (the supervisor: event loop,
    codec, judging) and by the sandbox slots (this process's descendants).

    ``cpu_ms_per_eval`` (supervisor + slots) depends much less than evaluations per
    second on what else the machine runs (heavy contention still inflates it a little); ``cpu_bound_evals_per_s`` = CPUs / that cost is
    the rate the engine would reach with every CPU to itself."""

    def __init__(self, n: int):
        self.n = n

    def __enter__(self) -> "CpuMeter":
        self.h0, self.s0, self.d0 = _host_cpu(), time.process_time(), _descendants_cpu_s()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.t0
        h1, sup, slots = _host_cpu(), time.process_time() - self.s0, _descendants_cpu_s() - self.d0
        busy, total = h1[0] - self.h0[0], h1[1] - self.h0[1]
        self.host_busy_pct = round(100.0 * busy / total, 1) if total else None
        self.supervisor_cpu_pct = round(100.0 * sup / wall, 1) if wall else None
        per_eval = (sup + slots) / self.n if self.n else 0.0
        self.cpu_ms_per_eval = round(per_eval * 1e3, 3)
        self.supervisor_cpu_ms_per_eval = round(sup / self.n * 1e3, 3) if self.n else 0.0
        self.cpu_bound = round((os.cpu_count() or 1) / per_eval, 1) if per_eval > 0 else None

    def fields(self) -> dict:
        return {"host_cpu_busy_pct": self.host_busy_pct, "supervisor_cpu_pct": self.supervisor_cpu_pct,
                "cpu_ms_per_eval": self.cpu_ms_per_eval,
                "supervisor_cpu_ms_per_eval": self.supervisor_cpu_ms_per_eval,
                "cpu_bound_evals_per_s": self.cpu_bound}


async def timed_batch(ev: Evaluator, items: list[EvalItem]) -> tuple[list, float, list[float]]:
    """``ev.evaluate_many(items)`` with a wall-clock timer around every ``evaluate`` call."""
    inner = ev.evaluate
    wall: list[float] = []

    async def timed(item: EvalItem) -> Evaluation:
        t0 = time.perf_counter()
        try:
            return await inner(item)
        finally:
            wall.append(time.perf_counter() - t0)

    ev.evaluate = timed  # type: ignore[method-assign]  # evaluate_many calls self.evaluate
    t0 = time.perf_counter()
    try:
        results = await ev.evaluate_many(items)
    finally:
        del ev.evaluate
    return results, time.perf_counter() - t0, wall


def engine_times(results: list) -> list[float]:
    return [r.timings.total_seconds for r in results if isinstance(r, Evaluation)]


async def run_ours(pairs: list[Pair], cfg: SandboxConfig, serial_n: int) -> dict:
    out: dict = {}
    t_start = time.perf_counter()
    async with SandboxPool(cfg) as pool:
        out["start_s"] = round(time.perf_counter() - t_start, 3)
        out["mechanisms"] = list(pool.mechanisms)
        out["slots"] = cfg.slot_count

        # Warm-up (not measured): first forks fault pages in.
        warm = Evaluator(pool)
        await warm.evaluate_many([EvalItem(p.task, p.answer) for p in pairs[:min(40, len(pairs))]])

        # Regime rl: task-major order, ground truth cached per task.
        ev = Evaluator(pool)
        items = [EvalItem(p.task, p.answer) for p in pairs]
        with CpuMeter(len(items)) as cpu:
            results, secs, wall = await timed_batch(ev, items)
        out["rl"] = summary(len(items), secs, engine_times(results), wall)
        out["rl"].update(gt_runs=ev.cache_misses, gt_shared=ev.cache_hits, **cpu.fields())
        out["rl_results"] = results

        # Regime cold: answer-major order (no two answers of a task in flight together),
        # no cache: every evaluation runs its own ground truth.
        cold_cfg = dataclasses.replace(cfg, ground_truth_cache_entries=0)
        ev = Evaluator(pool, cold_cfg)
        order = sorted(range(len(pairs)), key=lambda i: (pairs[i].answer_index, pairs[i].task_index))
        items = [EvalItem(pairs[i].task, pairs[i].answer) for i in order]
        with CpuMeter(len(items)) as cpu:
            results, secs, wall = await timed_batch(ev, items)
        out["cold"] = summary(len(items), secs, engine_times(results), wall)
        out["cold"].update(cpu.fields())
        with_code = sum(1 for r in results if isinstance(r, Evaluation) and r.error_kind.value != "empty_answer")
        out["cold"].update(gt_runs=ev.cache_misses, gt_shared=ev.cache_hits,
                           evaluations_with_code=with_code)
        cold_results: list = [None] * len(pairs)
        for pos, i in enumerate(order):
            cold_results[i] = results[pos]
        out["cold_results"] = cold_results

        # Serial: one evaluation at a time, fresh ground truth each (unloaded latency).
        ev = Evaluator(pool, cold_cfg)
        step = max(1, len(pairs) // max(1, serial_n))
        sample = [EvalItem(p.task, p.answer) for p in pairs[::step][:serial_n]]
        eng, wl = [], []
        t0 = time.perf_counter()
        for item in sample:
            t1 = time.perf_counter()
            r = await ev.evaluate(item)
            wl.append(time.perf_counter() - t1)
            eng.append(r.timings.total_seconds)
        out["serial"] = summary(len(sample), time.perf_counter() - t0, eng, wl)
        out["restarts"] = pool.restarts
    return out


# --------------------------------------------------------------------------- baseline

FENCE = "```python"


def baseline_extract(answer: str) -> str:
    if FENCE in answer:
        return answer.split(FENCE, 1)[1].split("```", 1)[0]
    return answer


_NO_OUTPUT = object()


def baseline_reward(task: BackendTask, answer: str) -> float:
    """The reference kind of judge: exec() both in this process, compare with ==."""
    gt_ns: dict = {}
    exec(task.ground_truth, gt_ns)
    ans_ns: dict = {}
    try:
        exec(baseline_extract(answer), ans_ns)
        defined = True
    except BaseException:  # noqa: BLE001 - SyntaxError, ImportError, anything
        defined = False
    passed = 0
    for case in task.test_cases:
        try:
            expected = eval(case.call, gt_ns)
        except BaseException:  # noqa: BLE001
            continue
        if expected is None or not defined:
            continue
        try:
            got = eval(case.call, ans_ns)
        except BaseException:  # noqa: BLE001
            got = _NO_OUTPUT
        try:
            if got is not _NO_OUTPUT and got == expected:
                passed += 1
        except BaseException:  # noqa: BLE001
            pass
    return passed / len(task.test_cases) if task.test_cases else 0.0


def run_baseline(pairs: list[Pair]) -> dict:
    for p in pairs[:40]:  # warm-up, as for ours
        baseline_reward(p.task, p.answer)
    rewards, times = [], []
    t0 = time.perf_counter()
    for p in pairs:
        t1 = time.perf_counter()
        rewards.append(baseline_reward(p.task, p.answer))
        times.append(time.perf_counter() - t1)
    secs = time.perf_counter() - t0
    out = summary(len(pairs), secs, times, times)
    out["rewards"] = rewards
    return out


# --------------------------------------------------------------------------- comparison


def compare(pairs: list[Pair], ours: list, base: list[float], label: str) -> dict:
    agree = disagree = untrusted = errors = fooled = 0
    shown: list[str] = []
    for p, r, b in zip(pairs, ours, base):
        if not isinstance(r, Evaluation):
            errors += 1
            shown.append(f"[{label}] {p.task.task_id}/{p.answer_index} ({p.kind}): engine error {r!r}")
            continue
        if not p.trustworthy:
            untrusted += 1
            fooled += b > r.reward
            continue
        if abs(r.reward - b) < 1e-9:
            agree += 1
        else:
            disagree += 1
            if len(shown) < 20:
                bad = [f"{t.name}:{t.outcome.value}:{t.detail[:80]}" for t in r.tests if not t.passed]
                shown.append(f"[{label}] {p.task.task_id}/{p.answer_index} ({p.kind}): "
                             f"ours {r.reward:.2f} baseline {b:.2f}; {bad[:3]}")
    return {"agree": agree, "disagree": disagree, "engine_errors": errors,
            "untrusted": untrusted, "baseline_fooled": fooled, "examples": shown}


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=600)
    ap.add_argument("--answers-per-task", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--slots", type=int, default=0, help="0 = one per CPU (the engine's default)")
    ap.add_argument("--isolation", choices=["strict", "process"], default="strict")
    ap.add_argument("--serial", type=int, default=60, help="evaluations in the serial latency sample")
    args = ap.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=max(132, Console().width))
    t_gen = time.perf_counter()
    pairs = build_pairs(args.tasks, args.answers_per_task, args.seed)
    gen_s = time.perf_counter() - t_gen
    kinds = collections.Counter(p.kind for p in pairs)
    console.print(f"[bold]sandbox_throughput[/]: {len(pairs)} pairs = {args.tasks} tasks x "
                  f"{args.answers_per_task} answers (seed {args.seed}, {len(colbench.FAMILIES)} "
                  f"function families, generated in {gen_s:.2f}s); CPUs: {os.cpu_count()}")
    console.print("answer kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))

    cfg = SandboxConfig(slots=args.slots, isolation=args.isolation)
    ours = asyncio.run(run_ours(pairs, cfg, args.serial))
    base = run_baseline(pairs)

    agreement_rl = compare(pairs, ours["rl_results"], base["rewards"], "rl")
    agreement_cold = compare(pairs, ours["cold_results"], base["rewards"], "cold")
    # rl and cold verdicts of the engine must match each other exactly, adversarial included
    self_mismatch = sum(1 for a, b in zip(ours["rl_results"], ours["cold_results"])
                        if not (isinstance(a, Evaluation) and isinstance(b, Evaluation)
                                and a.reward == b.reward))

    table = Table(title=f"Sandbox throughput ({ours['slots']} slots, isolation={args.isolation})")
    for col in ("evaluator", "evals", "seconds", "evals/s", "p50 ms", "p99 ms",
                "wall p50 ms", "wall p99 ms", "ground-truth runs"):
        table.add_column(col, justify="right" if col != "evaluator" else "left")
    rows = [("ours rl (gt cached per task)", ours["rl"]), ("ours cold (gt per evaluation)", ours["cold"]),
            ("ours serial (one at a time)", ours["serial"]), ("baseline: in-process exec", base)]
    for name, s in rows:
        table.add_row(name, str(s["evaluations"]), f"{s['seconds']:.2f}", f"{s['evals_per_s']:.1f}",
                      f"{s['p50_ms']:.2f}", f"{s['p99_ms']:.2f}", f"{s['wall_p50_ms']:.2f}",
                      f"{s['wall_p99_ms']:.2f}", str(s.get("gt_runs", "-")))
    console.print(table)
    console.print(f"mechanisms: {', '.join(ours['mechanisms'])}; pool start {ours['start_s']:.2f}s; "
                  f"slot restarts {ours['restarts']}")
    for regime in ("rl", "cold"):
        r = ours[regime]
        console.print(f"{regime}: {r['cpu_ms_per_eval']:.2f} CPU-ms per evaluation "
                      f"(supervisor {r['supervisor_cpu_ms_per_eval']:.2f}), i.e. at most "
                      f"{r['cpu_bound_evals_per_s']} evals/s with all {os.cpu_count()} CPUs; "
                      f"host CPU busy {r['host_cpu_busy_pct']}% during the run "
                      f"(other load on the host lowers evals/s much more than it raises CPU-ms)")

    ours_rewards = collections.defaultdict(list)
    base_rewards = collections.defaultdict(list)
    for p, r, b in zip(pairs, ours["rl_results"], base["rewards"]):
        if isinstance(r, Evaluation):
            ours_rewards[p.kind].append(r.reward)
        base_rewards[p.kind].append(b)
    kt = Table(title="Mean reward by answer kind")
    for col in ("kind", "n", "ours", "baseline"):
        kt.add_column(col, justify="right" if col != "kind" else "left")
    for kind, _ in kinds.most_common():
        o, b = ours_rewards[kind], base_rewards[kind]
        kt.add_row(kind, str(len(b)), f"{sum(o) / max(1, len(o)):.3f}", f"{sum(b) / max(1, len(b)):.3f}")
    console.print(kt)

    for label, ag in (("rl", agreement_rl), ("cold", agreement_cold)):
        console.print(f"agreement ({label}): {ag['agree']} agree, {ag['disagree']} disagree, "
                      f"{ag['engine_errors']} engine errors over trustworthy pairs; "
                      f"{ag['untrusted']} adversarial pairs excluded, baseline fooled on "
                      f"{ag['baseline_fooled']}")
        for line in ag["examples"]:
            console.print("  " + line, markup=False)
    console.print(f"engine rl vs cold verdicts differ on {self_mismatch} pairs")

    rl_rate = ours["rl"]["evals_per_s"]
    result = {
        "benchmark": "sandbox_throughput",
        "pairs": len(pairs),
        "tasks": args.tasks,
        "answers_per_task": args.answers_per_task,
        "seed": args.seed,
        "slots": ours["slots"],
        "cpus": os.cpu_count(),
        "isolation": args.isolation,
        "mechanisms": ours["mechanisms"],
        "ours": {"rl": ours["rl"], "cold": ours["cold"], "serial": ours["serial"]},
        "baseline": {k: v for k, v in base.items() if k != "rewards"},
        "ratio_ours_rl_to_baseline": round(rl_rate / base["evals_per_s"], 4) if base["evals_per_s"] else None,
        "target_evals_per_s": TARGET_EVALS_PER_S,
        "meets_target": rl_rate >= TARGET_EVALS_PER_S,
        "agreement": {
            "trustworthy_pairs": agreement_rl["agree"] + agreement_rl["disagree"] + agreement_rl["engine_errors"],
            "agree_rl": agreement_rl["agree"], "disagree_rl": agreement_rl["disagree"],
            "agree_cold": agreement_cold["agree"], "disagree_cold": agreement_cold["disagree"],
            "engine_errors": agreement_rl["engine_errors"] + agreement_cold["engine_errors"],
            "adversarial_pairs": agreement_rl["untrusted"],
            "baseline_fooled": agreement_rl["baseline_fooled"],
            "engine_rl_vs_cold_mismatch": self_mismatch,
        },
        "slot_restarts": ours["restarts"],
        "engine": engine_fingerprint(),
    }
    print(json.dumps(result, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
