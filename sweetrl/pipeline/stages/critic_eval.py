"""How well the trained critic ranks dialogues of tasks it never saw.

For the held-out test tasks of an evaluation, the scripted expert
(`sweetrl.colbench.rollout.expert`) runs one dialogue each through the same simulator
and sandbox (frontend: renderer); each task where the expert's reward beats the evaluated policy's gives a
pair (expert chosen). The critic scores both dialogues (ScoreDialogue: the sum of its
per-turn advantages, with the ground truth when it was trained with it), and the
ranking accuracy is the share of pairs it orders right, with a 95% Wilson interval.
Comparing a critic trained with the training-time information against one trained
without it (``use_ground_truth=false``) is the paper's ablation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from typing import Any

from sweetrl.pipeline.config import loop_config
from sweetrl.pipeline.stagecache import StageOutput, fetch

log = logging.getLogger(__name__)


def _task(domain: str, record: dict[str, Any]):
    """The task of an evaluation record, as the domain's loader parses it."""
    where = f"task {record['task_id']}"
    if domain == "frontend":
        from sweetrl.colbench.frontend.tasks import FrontendTask

        return FrontendTask.from_json(record["task"], where, default_id=record["task_id"])
    from sweetrl.colbench.backend.loader import parse_line

    return parse_line(record["task"], where, default_id=record["task_id"])


def critic_eval(config_json: str, policy: str, critic: str, evaluation: str) -> str:
    """Held-out ranking accuracy of `critic` on expert-vs-policy pairs of `evaluation`'s tasks."""
    from services.critic import app as critic_app
    from sweetrl.api.v1 import critic_pb2, critic_pb2_grpc
    from sweetrl.colbench.rollout.evaluate import wilson_interval
    from sweetrl.pipeline.stages.data import _with_server, critic_overrides
    from sweetrl.pipeline.stages.rollouts import expert_rollouts
    from sweetrl.train.data.candidates import _chat, domain_proto
    from sweetrl.train.data.trajectories import critic_dialogue, parse_trajectory

    config = loop_config(config_json)
    out = StageOutput("critic_eval", {"critic": critic, "reference": config.critic_start(policy),
                                      "evaluation": evaluation, **config.pick(
                                          "use_ground_truth", "domain", "max_turns", "seed")},
                      bucket=config.bucket, prefix=config.prefix)
    if out.done():
        return str(out)
    out.work.mkdir(parents=True, exist_ok=True)
    records = [json.loads(line) for line in fetch(evaluation, "results.jsonl").read_text().splitlines()
               if line.strip()]
    records = [r for r in records if r.get("error") is None and r.get("reward") is not None]
    tasks = [_task(config.domain, r) for r in records]
    experts = asyncio.run(expert_rollouts(config, policy, tasks, out.work, 1.0))
    expert_by_task = {r["task_id"]: r for r in experts if r.get("reward") is not None}
    pairs = [(expert_by_task[r["task_id"]], r) for r in records
             if r["task_id"] in expert_by_task and expert_by_task[r["task_id"]]["reward"] > r["reward"]]
    domain = domain_proto(config.domain)

    def request(record: dict[str, Any]):
        traj = parse_trajectory(record)
        view, _ = critic_dialogue(traj)
        return critic_pb2.ScoreDialogueRequest(
            domain=domain, dialogue=_chat(view),
            ground_truth=traj.ground_truth if config.use_ground_truth else "")

    async def body(channel):
        stub = critic_pb2_grpc.CriticServiceStub(channel)
        scores = []
        for chosen, rejected in pairs:
            a = await stub.ScoreDialogue(request(chosen), timeout=600)
            b = await stub.ScoreDialogue(request(rejected), timeout=600)
            scores.append((a.total_advantage, b.total_advantage))
        return scores

    overrides = critic_overrides(config, critic, policy)
    scores = asyncio.run(_with_server(critic_app, overrides, body)) if pairs else []
    right = sum(a > b for a, b in scores)
    lo, hi = wilson_interval(right, len(scores))
    stats = {"pairs": len(scores), "correct": right,
             "accuracy": right / len(scores) if scores else None, "accuracy_ci95": [lo, hi],
             "use_ground_truth": config.use_ground_truth,
             "expert_success": sum(r["reward"] == 1.0 for r in experts),
             "expert_reward": sum(r["reward"] for r in experts) / max(1, len(experts)),
             "tasks": len(records)}
    log.info("critic_eval: %d of %d held-out pairs ranked right", right, len(scores))
    folder = out.work / "commit"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    (folder / "scores.jsonl").write_text("".join(
        json.dumps({"task_id": c["task_id"], "chosen": a, "rejected": b}) + "\n"
        for (c, _), (a, b) in zip(pairs, scores)))
    return out.publish(folder, kind="dataset", metadata=stats)
