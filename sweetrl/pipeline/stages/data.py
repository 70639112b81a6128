"""Data stages: trajectory preferences (step 2), best-of-N (4), ranking (5), step pairs (6).

Best-of-N and ranking start the policy or critic server they need in this process
(`sweetrl.colbench.rollout.services.local_server`) on the checkpoint URI given, and
call it through gRPC with the library's own clients (`sweetrl.train.data.candidates`).
Candidates travel between stages as JSONL keyed by (task id, rollout, turn position),
so each stage can run in its own pod with its own accelerator.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sweetrl.errors import InvalidInput
from sweetrl.pipeline.config import LoopConfig, loop_config
from sweetrl.pipeline.stagecache import StageOutput, fetch

log = logging.getLogger(__name__)

TurnKey = tuple[str, int, int]


def _trajectories(uri: str):
    from sweetrl.train.data.trajectories import read_trajectories

    return read_trajectories(fetch(uri, "trajectories.jsonl")).trajectories


def _folder(out: StageOutput) -> Path:
    folder = out.work / "commit"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def preferences(config_json: str, trajectories: str) -> str:
    """Step 2: trajectory pairs of the domain's rule; fails when there is none."""
    from sweetrl.train.data.pairs import trajectory_pairs

    config = loop_config(config_json)
    out = StageOutput("preferences", {"trajectories": trajectories, "domain": config.domain},
                      bucket=config.bucket, prefix=config.prefix)
    if out.done():
        return str(out)
    data = _trajectories(trajectories)
    pairs = trajectory_pairs(data, config.domain)
    if not pairs:
        rewards = sorted({round(t.reward, 3) for t in data})
        rule = ("the backend rule needs a task with a reward-1.0 dialogue and a worse one"
                if config.domain == "backend" else
                "the frontend rule needs two dialogues of a task whose similarities differ enough")
        raise InvalidInput(
            f"no trajectory preference pair in {len(data)} trajectories (rewards seen: "
            f"{rewards}): {rule}. Collect more rollouts (k), more tasks, or set "
            "expert_fraction > 0.")
    rows = [{"task_id": p.chosen.task_id, "chosen": p.chosen.rollout, "rejected": p.rejected.rollout,
             "chosen_reward": p.chosen.reward, "rejected_reward": p.rejected.reward} for p in pairs]
    folder = _folder(out)
    _write_jsonl(folder / "pairs.jsonl", rows)
    stats = {"pairs": len(pairs), "trajectories": len(data),
             "tasks_with_pairs": len({p.chosen.task_id for p in pairs})}
    (folder / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    log.info("preferences: %d pairs over %d tasks", stats["pairs"], stats["tasks_with_pairs"])
    return out.publish(folder, kind="dataset", metadata=stats)


def _turn_key(ref) -> TurnKey:
    return (ref.trajectory.task_id, ref.trajectory.rollout, ref.turn.position)


async def _with_server(module, overrides: dict[str, str], body):
    from sweetrl.colbench.rollout.services import local_server
    from sweetrl.runtime import make_channel, wait_ready

    async with local_server(module, overrides) as address, make_channel(address) as channel:
        await wait_ready(channel, 60)
        return await body(channel)


def best_of_n(config_json: str, policy: str, trajectories: str) -> str:
    """Step 4: N sampled actions (with their policy mean logprob) per selected turn."""
    from services.policy import app as policy_app
    from sweetrl.api.v1 import policy_pb2_grpc
    from sweetrl.train.data.candidates import sample_candidates, select_turns

    config = loop_config(config_json)
    out = StageOutput("best_of_n", {"policy": policy, "trajectories": trajectories, **config.pick(
        "candidates", "turn_fraction", "max_tokens", "seed")}, bucket=config.bucket, prefix=config.prefix)
    if out.done():
        return str(out)
    turns = select_turns(_trajectories(trajectories), config.turn_fraction, config.seed)
    log.info("best_of_n: sampling %d candidates for each of %d turns", config.candidates, len(turns))

    async def body(channel):
        return await sample_candidates(policy_pb2_grpc.PolicyServiceStub(channel), turns,
                                       n=config.candidates, temperature=1.0,
                                       max_tokens=config.max_tokens, seed=config.seed)

    sampled = asyncio.run(_with_server(policy_app, _policy_overrides(config, policy), body))
    rows = [{"task_id": k[0], "rollout": k[1], "turn": k[2],
             "candidates": [{"text": c.text, "policy_mean_logprob": c.policy_mean_logprob}
                            for c in cands]}
            for k, cands in zip(map(_turn_key, turns), sampled)]
    folder = _folder(out)
    _write_jsonl(folder / "candidates.jsonl", rows)
    return out.publish(folder, kind="dataset", metadata={"turns": len(rows)})


def _policy_overrides(config: LoopConfig, model: str) -> dict[str, str]:
    ours = {"model": model, "backend": config.backend}
    if config.backend == "transformers":
        ours["transformers.max_model_len"] = "0"  # the model's own context
    return ours


def critic_overrides(config: LoopConfig, critic: str, policy: str) -> dict[str, str]:
    """The critic server's settings for `critic` (its reference: the starting critic)."""
    ours = {"critic_model": critic, "reference_model": config.critic_start(policy),
            "backend": config.backend,
            "uses_training_information": str(config.use_ground_truth).lower()}
    if config.backend == "transformers":
        # the model's own context: a frontend context holds the target page (~2,000 tokens)
        ours["transformers.max_model_len"] = "0"
    return ours


def rank(config_json: str, policy: str, critic: str, candidates: str, trajectories: str) -> str:
    """Step 5: the critic's advantage for every candidate; per-turn advantages of a few
    whole dialogues for the report."""
    from services.critic import app as critic_app
    from sweetrl.api.v1 import critic_pb2_grpc
    from sweetrl.train.data.candidates import TurnRef, rank_candidates
    from sweetrl.train.data.pairs import ScoredCandidate

    config = loop_config(config_json)
    out = StageOutput("rank", {"critic": critic, "reference": config.critic_start(policy),
                               "candidates": candidates, "trajectories": trajectories,
                               **config.pick("use_ground_truth", "domain", "sample_dialogues")},
                      bucket=config.bucket, prefix=config.prefix)
    if out.done():
        return str(out)
    data = _trajectories(trajectories)
    by_turn = {(t.task_id, t.rollout, a.position): TurnRef(t, a) for t in data for a in t.turns}
    rows = _read_jsonl(fetch(candidates, "candidates.jsonl"))
    try:
        refs = [by_turn[(r["task_id"], r["rollout"], r["turn"])] for r in rows]
    except KeyError as exc:
        raise InvalidInput(f"candidates name a turn {exc} that {trajectories} does not have") from None
    cands = [[ScoredCandidate(c["text"], 0.0, c["policy_mean_logprob"]) for c in r["candidates"]]
             for r in rows]
    samples = _sample_trajectories(data, config.sample_dialogues)
    sample_refs = [TurnRef(t, a) for t in samples for a in t.turns]
    sample_cands = [[ScoredCandidate(ref.turn.output, 0.0)] for ref in sample_refs]

    async def body(channel):
        stub = critic_pb2_grpc.CriticServiceStub(channel)
        kw = {"domain": config.domain, "use_ground_truth": config.use_ground_truth}
        return (await rank_candidates(stub, refs, cands, **kw),
                await rank_candidates(stub, sample_refs, sample_cands, **kw))

    ranked, scored_samples = asyncio.run(_with_server(
        critic_app, critic_overrides(config, critic, policy), body))
    folder = _folder(out)
    _write_jsonl(folder / "ranked.jsonl", [
        {**row, "candidates": [{**c, "score": s.score} for c, s in zip(row["candidates"], scores)]}
        for row, scores in zip(rows, ranked)])
    advantages = iter(scores[0].score for scores in scored_samples)
    (folder / "samples.json").write_text(json.dumps([
        {"task_id": t.task_id, "rollout": t.rollout, "reward": t.reward,
         "expert": bool(t.record.get("expert")), "problem": t.problem_description,
         "turns": [{"message": a.content, "advantage": next(advantages)} for a in t.turns]}
        for t in samples], indent=2) + "\n")
    return out.publish(folder, kind="dataset", metadata={"turns": len(rows)})


def _sample_trajectories(data, count: int):
    """A few dialogues to show: successes first (an expert's if any), then failures."""
    ordered = sorted(data, key=lambda t: (-t.reward, t.task_id, t.rollout))
    best = ordered[:max(1, count // 2)]
    rest = [t for t in reversed(ordered) if t not in best]
    return best + rest[:count - len(best)]


def step_pairs(config_json: str, ranked: str, trajectories: str) -> str:
    """Step 6: better half vs worse half of each turn's ranked candidates."""
    from sweetrl.train.data.pairs import ScoredCandidate, StepPair, step_pairs as pair_turn

    config = loop_config(config_json)
    out = StageOutput("step_pairs", {"ranked": ranked, "trajectories": trajectories,
                                     **config.pick("pairs_per_turn", "seed")},
                      bucket=config.bucket, prefix=config.prefix)
    if out.done():
        return str(out)
    turns = {(t.task_id, t.rollout, a.position): a for t in _trajectories(trajectories) for a in t.turns}
    rng = random.Random(config.seed)
    pairs: list[StepPair] = []
    for row in _read_jsonl(fetch(ranked, "ranked.jsonl")):
        turn = turns[(row["task_id"], row["rollout"], row["turn"])]
        scored = [ScoredCandidate(c["text"], c["score"], c["policy_mean_logprob"]) for c in row["candidates"]]
        for chosen, rejected in pair_turn(scored, config.pairs_per_turn, rng):
            pairs.append(StepPair(prompt=turn.chat if turn.chat is not None else turn.prompt,
                                  chosen=chosen.text, rejected=rejected.text,
                                  chosen_score=chosen.score, rejected_score=rejected.score,
                                  task_id=row["task_id"], rollout=row["rollout"], turn=row["turn"]))
    if not pairs:
        raise InvalidInput("no step pair: every turn's candidates got the same critic score "
                           "(an untrained critic?); train the critic longer or sample more candidates")
    folder = _folder(out)
    _write_jsonl(folder / "pairs.jsonl", [p.to_json() for p in pairs])
    stats = {"pairs": len(pairs), "turns": len({(p.task_id, p.rollout, p.turn) for p in pairs}),
             "mean_margin": sum(p.chosen_score - p.rejected_score for p in pairs) / len(pairs)}
    (folder / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    return out.publish(folder, kind="dataset", metadata=stats)
