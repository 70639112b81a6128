"""``sweet collect backend|frontend``: offline trajectories for training (ALGORITHM.md step 1).

The same machinery as ``sweet eval`` (services in-process on loopback unless
addresses are given, the concurrent collector, retries) with training defaults: the
``train`` split, k = 3 rollouts per task with distinct seeds, temperature 1. The output
file is the trajectory JSONL the trainers read; re-running with the same file resumes
(finished (task, rollout) pairs are skipped). ``--expert-fraction`` appends scripted-expert
demonstrations (rollout index k, ``expert: true``; their own dialogues resume from
``<out>.expert.jsonl``) so that a policy that never succeeds still yields preference
pairs to train on.

Exit codes: 0 every dialogue judged; 1 some task lines were rejected or some
dialogues failed (recorded with their error); 2 usage error or a service could not
start.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer

from sweetrl.cli.eval import (CONFIG, DIALOGUES, ENGINE, FRONTEND_MAX_TOKENS,
                              FRONTEND_POLICY_TIMEOUT_S, LIMIT, MAX_TOKENS,
                              MAX_TURNS, POLICY, POLICY_ADDRESS, POLICY_CONCURRENCY,
                              RENDERER_ADDRESS, RETRY_FAILED, SANDBOX_ADDRESS, SEED, SETS,
                              SIMULATOR, SIMULATOR_ADDRESS, SIMULATOR_MODEL, TASK_SEED, Engine,
                              SimulatorKind, execute, rollout_config, service_plan)

app = typer.Typer(help="Collect trajectories for training through the services.",
                  no_args_is_help=True)

OUT = typer.Option(..., "--out", dir_okay=False, help="Trajectory JSONL (appended, resumable).")
TASKS = typer.Option("train", "--tasks", help="'train' or 'test' (generated split), or a JSONL file.")
K = typer.Option(3, "--k", min=1, help="Rollouts per task (distinct seeds).")
TEMPERATURE = typer.Option(1.0, "--temperature", min=0.0, max=2.0, help="Policy temperature.")
EXPERT = typer.Option(0.0, "--expert-fraction", min=0.0, max=1.0,
                      help="Also a scripted-expert dialogue (it asks about the hidden facts, then "
                           "answers with the ground truth) for this seeded fraction of the tasks, "
                           "appended as demonstrations (the pipeline's expert_fraction).")


@app.command("backend")
def backend(
    out: Path = OUT,
    policy: str = POLICY,
    tasks: str = TASKS,
    limit: int = LIMIT,
    k: int = K,
    temperature: float = TEMPERATURE,
    simulator: SimulatorKind = SIMULATOR,
    simulator_model: str = SIMULATOR_MODEL,
    engine: Engine = ENGINE,
    task_seed: int = TASK_SEED,
    max_tokens: int = MAX_TOKENS,
    max_turns: int = MAX_TURNS,
    seed: int = SEED,
    dialogues: int = DIALOGUES,
    policy_concurrency: int = POLICY_CONCURRENCY,
    policy_address: str = POLICY_ADDRESS,
    simulator_address: str = SIMULATOR_ADDRESS,
    sandbox_address: str = SANDBOX_ADDRESS,
    config: Path = CONFIG,
    set_: list[str] = SETS,
    retry_failed: bool = RETRY_FAILED,
    expert_fraction: float = EXPERT,
) -> None:
    """Collect k rollouts per task into a trajectory JSONL; print the collection's figures."""
    from sweetrl.colbench.rollout.evaluate import summarize

    rollout = rollout_config(set_, k=k, temperature=temperature, max_tokens=max_tokens,
                             max_turns=max_turns, seed=seed, dialogues=dialogues,
                             policy_concurrency=policy_concurrency)
    plan = service_plan(policy, engine, simulator, simulator_model, policy_address,
                        simulator_address, sandbox_address, config, set_)
    run, rejected = execute(tasks, limit, task_seed, plan, rollout, out,
                            work_dir=out.parent, retry_failed=retry_failed, light=True)
    _experts(expert_fraction, tasks, limit, task_seed, plan, rollout, out)
    _finish(summarize(run.records), run, rejected, out)


@app.command("frontend")
def frontend(
    out: Path = OUT,
    policy: str = POLICY,
    tasks: str = TASKS,
    limit: int = LIMIT,
    k: int = K,
    temperature: float = TEMPERATURE,
    simulator: SimulatorKind = SIMULATOR,
    engine: Engine = ENGINE,
    task_seed: int = TASK_SEED,
    max_tokens: int = FRONTEND_MAX_TOKENS,
    max_turns: int = MAX_TURNS,
    seed: int = SEED,
    dialogues: int = DIALOGUES,
    policy_concurrency: int = POLICY_CONCURRENCY,
    policy_address: str = POLICY_ADDRESS,
    simulator_address: str = SIMULATOR_ADDRESS,
    renderer_address: str = RENDERER_ADDRESS,
    config: Path = CONFIG,
    set_: list[str] = SETS,
    retry_failed: bool = RETRY_FAILED,
    expert_fraction: float = EXPERT,
) -> None:
    """Collect k rollouts per frontend task into a trajectory JSONL (reward: similarity)."""
    from sweetrl.colbench.rollout.evaluate_frontend import summarize_frontend

    rollout = rollout_config(set_, k=k, temperature=temperature, max_tokens=max_tokens,
                             max_turns=max_turns, seed=seed, dialogues=dialogues,
                             policy_concurrency=policy_concurrency,
                             policy_timeout_s=FRONTEND_POLICY_TIMEOUT_S)
    plan = service_plan(policy, engine, simulator, None, policy_address, simulator_address,
                        None, config, set_, domain="frontend", renderer_address=renderer_address)
    run, rejected = execute(tasks, limit, task_seed, plan, rollout, out, work_dir=out.parent,
                            retry_failed=retry_failed, light=True, domain="frontend")
    _experts(expert_fraction, tasks, limit, task_seed, plan, rollout, out)
    _finish(summarize_frontend(run.records), run, rejected, out)


def _experts(fraction: float, tasks_source: str, limit: int, task_seed: int, plan, rollout,
             out: Path) -> None:
    """Append the expert demonstrations `out` lacks; print how they went."""
    if fraction <= 0:
        return
    from sweetrl.colbench.rollout.collector import iter_records
    from sweetrl.colbench.rollout.expert import run_expert
    from sweetrl.colbench.rollout.run import resolve_tasks
    from sweetrl.errors import InvalidInput, SweetError

    async def go():
        tasks, _, _ = await resolve_tasks(tasks_source, limit, seed=task_seed, work_dir=out.parent,
                                          domain=plan.domain)
        return await run_expert(tasks, plan, rollout, out.with_suffix(".expert.jsonl"),
                                fraction=fraction, index=rollout.k)

    try:
        demos = asyncio.run(go())
    except (SweetError, RuntimeError, OSError) as exc:
        kind = "" if isinstance(exc, InvalidInput) else "a service could not start or be reached: "
        typer.echo(f"error: expert demonstrations: {kind}{exc}", err=True)
        raise typer.Exit(2) from None
    present = {(r["task_id"], r["rollout"]) for _, r in iter_records(out)} if out.exists() else set()
    new = [d for d in demos if (d["task_id"], d["rollout"]) not in present]
    with out.open("a", encoding="utf-8") as fh:
        for demo in new:
            fh.write(json.dumps(demo, ensure_ascii=False) + "\n")
    wins = sum(bool(d.get("success")) for d in demos)
    mean = sum(d["reward"] for d in demos) / max(1, len(demos))
    typer.echo(f"expert: {len(demos)} demonstrations ({wins} successful, mean reward {mean:.3f}), "
               f"{len(new)} new in {out}")


def _finish(summary, run, rejected, out: Path) -> None:
    for line in summary.lines():
        typer.echo(line)
    rate = 60 * run.collect.written / run.seconds if run.seconds else 0.0
    typer.echo(f"{run.collect.written} new dialogues in {run.seconds:.1f} s ({rate:.1f}/min), "
               f"{run.collect.skipped} already in {out}")
    raise typer.Exit(1 if rejected or summary.failures else 0)
