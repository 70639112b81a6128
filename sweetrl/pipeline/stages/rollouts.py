"""Stages that run dialogues: ``collect`` (step 1, training data) and ``evaluate``.

Both start the services they need in this process on loopback (the policy on the
given model, the simulated human, and the sandbox (backend) or the renderer (frontend,
unless ``renderer_address`` names a running one)), exactly as ``sweet collect`` and
``sweet eval`` do, and keep their resumable output file in the stage's work folder:
a stage killed half-way continues from the dialogues already written.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from sweetrl.pipeline.config import LoopConfig, loop_config
from sweetrl.pipeline.stagecache import StageOutput

log = logging.getLogger(__name__)


def _plan(config: LoopConfig, policy: str):
    from sweetrl.colbench.rollout.services import ServicePlan

    return ServicePlan(policy_model=policy, policy_backend=config.backend,
                       simulator=config.simulator, domain=config.domain,
                       renderer_address=config.renderer_address or None)


def _rollout_config(config: LoopConfig, *, k: int, temperature: float):
    from sweetrl.colbench.rollout.config import RolloutConfig

    return RolloutConfig(k=k, temperature=temperature, max_tokens=config.max_tokens,
                         max_turns=config.max_turns, seed=config.seed,
                         max_dialogues=config.dialogues,
                         policy_concurrency=min(32, config.dialogues))


async def _tasks(split: str, count: int, config: LoopConfig, work: Path):
    from sweetrl.colbench.rollout.run import resolve_tasks
    from sweetrl.errors import InvalidInput

    tasks, rejected, path = await resolve_tasks(split, count, seed=config.task_seed, work_dir=work,
                                                domain=config.domain)
    if not tasks:
        raise InvalidInput(f"no usable {split} task in {path}")
    for err in rejected:
        log.warning("rejected task line: %s", err)
    return tasks


def _progress(stage: str):
    done = [0]

    def on_record(record: dict[str, Any]) -> None:
        done[0] += 1
        log.info("%s: dialogue %d finished (task %s, reward %s)", stage, done[0],
                 record.get("task_id"), record.get("reward"))

    return on_record


def summarize(config: LoopConfig, records: list[dict[str, Any]]):
    """The domain's evaluation figures over `records`."""
    if config.domain == "frontend":
        from sweetrl.colbench.rollout.evaluate_frontend import summarize_frontend

        return summarize_frontend(records)
    from sweetrl.colbench.rollout.evaluate import summarize as summarize_backend

    return summarize_backend(records)


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def collect(config_json: str, policy: str) -> str:
    """Step 1: k rollouts of `policy` per training task (plus expert demonstrations)."""
    config = loop_config(config_json)
    out = StageOutput("collect", {"policy": policy, **config.pick(
        "domain", "task_seed", "train_tasks", "k", "expert_fraction", "collect_temperature",
        "max_turns", "max_tokens", "seed", "simulator")}, bucket=config.bucket, prefix=config.prefix)
    if out.done():
        return str(out)
    out.work.mkdir(parents=True, exist_ok=True)
    records, figures = asyncio.run(_collect(config, policy, out.work))
    folder = out.work / "commit"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    _write_jsonl(folder / "trajectories.jsonl", records)
    (folder / "summary.json").write_text(json.dumps(figures, indent=2) + "\n")
    return out.publish(folder, kind="trajectories", metadata={"dialogues": len(records)})


async def _collect(config: LoopConfig, policy: str, work: Path) -> tuple[list[dict], dict]:
    from sweetrl.colbench.rollout.run import run_rollouts

    tasks = await _tasks("train", config.train_tasks, config, work)
    rollout = _rollout_config(config, k=config.k, temperature=config.collect_temperature)
    run = await run_rollouts(tasks, _plan(config, policy), rollout, work / "policy.jsonl",
                             on_record=_progress("collect"))
    records = [r for r in run.records if r.get("error") is None]
    failed = len(run.records) - len(records)
    figures: dict[str, Any] = {"policy": summarize(config, run.records).to_json(), "failed": failed,
                               "seconds": round(run.seconds, 1)}
    if config.expert_fraction > 0:
        experts = await expert_rollouts(config, policy, tasks, work, config.expert_fraction)
        records += experts
        figures["expert_dialogues"] = len(experts)
        figures["expert_success"] = sum(bool(r.get("success")) for r in experts)
        figures["expert_reward"] = sum(r["reward"] for r in experts) / max(1, len(experts))
    return records, figures


async def expert_rollouts(config: LoopConfig, policy: str, tasks, work: Path, fraction: float
                          ) -> list[dict[str, Any]]:
    """One scripted-expert rollout for a seeded `fraction` of the tasks (rollout index k);
    an llm human is played by `policy`, as in the policy's own dialogues."""
    from sweetrl.colbench.rollout.expert import run_expert

    return await run_expert(tasks, _plan(config, policy), _rollout_config(config, k=1, temperature=0.0),
                            work / "expert.jsonl", fraction=fraction, index=config.k,
                            on_record=_progress("expert"))


def evaluate(config_json: str, policy: str, label: str) -> str:
    """Greedy evaluation of `policy` on the held-out test tasks (one rollout each)."""
    config = loop_config(config_json)
    out = StageOutput("evaluate", {"policy": policy, **config.pick(
        "domain", "task_seed", "test_tasks", "max_turns", "max_tokens", "seed", "simulator")},
        bucket=config.bucket, prefix=config.prefix)
    if out.done():
        return str(out)
    out.work.mkdir(parents=True, exist_ok=True)
    frontend = config.domain == "frontend"

    async def run():
        from sweetrl.colbench.rollout.report_frontend import screenshot_hook
        from sweetrl.colbench.rollout.run import run_rollouts

        tasks = await _tasks("test", config.test_tasks, config, out.work)
        return await run_rollouts(tasks, _plan(config, policy), _rollout_config(
            config, k=1, temperature=0.0), out.work / "results.jsonl", on_record=_progress(label),
            before_close=screenshot_hook(3) if frontend else None)

    result = asyncio.run(run())
    summary = summarize(config, result.records)
    folder = out.work / "commit"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    shutil.copyfile(out.work / "results.jsonl", folder / "results.jsonl")
    meta = {"policy": policy, "label": label, "seconds": round(result.seconds, 1),
            "max turns": config.max_turns, "max tokens per turn": config.max_tokens}
    (folder / "summary.json").write_text(json.dumps(
        {**summary.to_json(), "meta": meta, "usage": result.usage}, indent=2) + "\n")
    title = f"ColBench {config.domain} evaluation: {label}"
    if frontend:
        from sweetrl.colbench.rollout.report_frontend import write_report as write_frontend

        shown, shots = result.extra
        write_frontend(folder / "report.html", summary, result.records, title=title, meta=meta,
                       shown=shown, screenshots=shots)
    else:
        from sweetrl.colbench.rollout.report import write_report

        write_report(folder / "report.html", summary, result.records, title=title, meta=meta, show=3)
    for line in summary.lines():
        log.info("%s: %s", label, line)
    return out.publish(folder, kind="files", metadata={"label": label, **summary.to_json()})
