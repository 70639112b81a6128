"""Dialogue collection throughput: our concurrent collector vs a lock-step batch loop.

Run from the repository root::

    .venv/bin/python benchmarks/collection_throughput.py [--model smollm2-135m-instruct]
        [--dialogues 16] [--concurrency 8] [--in-flight 16] [--max-tokens 24] [--max-turns 10]
        [--temperature 1.0] [--simulator scripted] [--repeats 1] [--order ours-first]
        [--threads 1] [--backend transformers] [--policy-address HOST:PORT]
        [--simulator-model smollm2-135m-instruct] [--simulator-policy-address HOST:PORT]

What it measures: completed ColBench backend dialogues per minute (and generated
tokens per second) when collecting rollouts through the real services -- a policy
server (``--model`` on ``--backend``, SmolLM2-135M-Instruct by default), the
simulated human (``--simulator``: ``scripted`` by default, or ``llm`` through the
same policy server) and the strict code sandbox -- all started once, in this process,
on loopback, and shared by both systems:

* **ours**: ``sweetrl.colbench.rollout.collector.collect`` -- one asyncio task per
  dialogue, each advancing on its own (its next policy turn is sent as soon as the
  human replied), at most ``--concurrency`` policy calls in flight (so the engine
  never holds more sequences than the lock-step batch) and ``--in-flight`` dialogues
  in progress (default twice that: a dialogue waiting for the human or between turns
  leaves its engine slot to one that is ready, as ``sweet collect`` does with its
  defaults, 64 dialogues for 32 policy calls); a finished dialogue's place goes to
  the next at once. Written to a JSONL file as in real use.
* **lock-step (the reference's kind)**: the dialogues in batches of ``--concurrency``;
  every turn, each unfinished dialogue of the batch sends its policy request (all at
  once, through the same client), the batch waits for the slowest generation, then
  every dialogue still open asks the human (concurrently) and the batch waits again;
  the next batch starts when the last dialogue of this one has ended, and the batch's
  answers are judged together.

Same tasks (the first ``--dialogues`` generated train tasks of seed 0), same seeds per
(task, turn), same sampling settings, same clients and services, in one run. Before
each measured run the policy's prefix cache is emptied (a warm cache would favour
whichever runs second) and a warm-up request has been served; ``--repeats 2`` runs
ours/lock-step then lock-step/ours and averages (``--order`` picks the first order).
The engine uses ``--threads`` torch threads (1 by default: on a shared 2-core box two
OpenMP threads stall when another tenant takes a core, which hurts small batches --
the lock-step loop's tail -- most and would flatter our ratio).

Figures: dialogues/min; generated tokens/s (policy tokens of the agent's turns; with
``--simulator llm`` the human's tokens come on top, from the engine metrics); the
engine's decoding steps (fewer steps for the same tokens = fuller batches: where a
step costs about the same for 1 or 32 sequences, as on a GPU, time follows steps; on
this CPU a step's cost grows with its batch, so fuller batches buy little);
utilisation of each service seen from the callers (busy fraction: share of the run
with at least one call in flight; mean calls in flight), and the policy engine's mean
batch size per decoding step (``sweet_serving_batch_size`` histogram). Target
(issue 4): ours >= 1.5x lock-step dialogues/min. The last stdout line is one JSON
object.

``--simulator-model`` gives the ``llm`` human a model server of its own (the paper's
setting: the human is a separate, larger LLM), started here with the same engine and
``--threads``: a lock-step loop leaves each server idle while the other works, our
collector keeps both busy. Without it the human's calls share the policy's engine.
The engine figures (tokens, steps, batch) then add up both servers' engines.

``--simulator-policy-address`` sends the ``llm`` human's calls to a running policy
server instead (e.g. ``sweet serve policy`` in a process of its own, so that the two
servers' Python work does not share one interpreter); its prefix cache cannot be
emptied from here, so use ``--repeats 2``.

``--policy-address`` measures against a running policy server instead (e.g. CUDA vLLM
in the cluster, where a decoding step costs about the same for 1 or 32 sequences and
lock-step stragglers waste the most); its prefix cache cannot be emptied from here,
so use ``--repeats 2`` there.

Both systems sample with per-request seeds, but bfloat16 results depend on the
batch's composition, so individual dialogues may take different paths in the two
runs; the table shows turns and tokens per dialogue so that the workloads can be
compared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sweetrl  # noqa: E402,F401  (sets gRPC fork handling before grpc is imported)
from sweetrl.colbench.backend.generator import generate  # noqa: E402
from sweetrl.colbench.backend.loader import LoadedTask, parse_line  # noqa: E402
from sweetrl.colbench.rollout.clients import RolloutClients  # noqa: E402
from sweetrl.colbench.rollout.collector import collect, iter_records  # noqa: E402
from sweetrl.colbench.rollout.config import RolloutConfig  # noqa: E402
from sweetrl.colbench.rollout.env import SEED_BITS, BackendDialogue, dialogue_seed  # noqa: E402
from sweetrl.colbench.rollout.services import LocalServices, ServicePlan  # noqa: E402

TARGET = 1.5


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--backend", default="transformers", choices=("transformers", "vllm"))
    p.add_argument("--simulator", default="scripted", choices=("scripted", "llm"))
    p.add_argument("--dialogues", type=int, default=16)
    p.add_argument("--concurrency", type=int, default=8,
                   help="policy calls in flight: lock-step batch size, ours' policy limit")
    p.add_argument("--in-flight", type=int, default=0,
                   help="ours: dialogues in progress (0: 2 x --concurrency)")
    p.add_argument("--max-tokens", type=int, default=24)
    p.add_argument("--max-turns", type=int, default=10)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads of the engine (0: default)")
    p.add_argument("--repeats", type=int, default=1, help="2: both orders, averaged")
    p.add_argument("--order", default="ours-first", choices=("ours-first", "lockstep-first"))
    p.add_argument("--policy-address", default=None, help="use this running policy server")
    p.add_argument("--simulator-model", default=None,
                   help="llm human on its own model server (implies --simulator llm)")
    p.add_argument("--simulator-policy-address", default=None,
                   help="llm human through this running policy server, e.g. `sweet serve "
                        "policy` in a process of its own (implies --simulator llm)")
    return p.parse_args(argv)


def bench_tasks(count: int) -> list[LoadedTask]:
    return [parse_line(t.to_json(), f"task {i}", default_id="")
            for i, t in enumerate(generate("train", count, 0))]


# ------------------------------------------------------------------- the two systems


async def run_ours(tasks, clients: RolloutClients, workdir: Path) -> list[dict]:
    out = workdir / f"ours-{time.monotonic_ns()}.jsonl"
    await collect(tasks, clients, out)
    return [r for _, r in iter_records(out)]


async def run_lockstep(tasks, clients: RolloutClients) -> list[dict]:
    """The reference's loop: lock-step turns over batches of ``policy_concurrency`` dialogues."""
    c = clients.config
    size = c.policy_concurrency
    records = []
    for start in range(0, len(tasks), size):
        batch = [BackendDialogue(t, max_turns=c.max_turns) for t in tasks[start:start + size]]
        seeds = {id(d): dialogue_seed(c.seed, d.task.task.task_id, 0) for d in batch}
        tokens = {id(d): 0 for d in batch}
        while live := [d for d in batch if not d.done]:
            chats = [d.next_chat() for d in live]
            gens = await asyncio.gather(*(
                clients.generate(chat, seed=(seeds[id(d)] + d.turns) % (1 << SEED_BITS))
                for d, chat in zip(live, chats)))
            for d, g, chat in zip(live, gens, chats):
                d.agent_turn(g, chat)
                tokens[id(d)] += g.tokens
            asking = [d for d in live if not d.done]
            replies = await asyncio.gather(*(clients.reply(d.task, d.exchanges) for d in asking))
            for d, reply in zip(asking, replies):
                d.human_turn(reply.text, reply.truncated)

        async def judge(d: BackendDialogue):
            return await clients.judge(d.task, d.answer) if (d.answer or "").strip() else None

        verdicts = await asyncio.gather(*(judge(d) for d in batch))
        for d, v in zip(batch, verdicts):
            records.append({"task_id": d.task.task.task_id, "turns": d.turns,
                            "reward": v.reward if v else 0.0, "tokens": tokens[id(d)]})
    return records


# ------------------------------------------------------------------------ measuring


def engine_counters(backend: str) -> dict[str, float]:
    from sweetrl.runtime.metrics import REGISTRY

    def value(name: str) -> float:
        return REGISTRY.get_sample_value(name, {"backend": backend}) or 0.0

    return {"tokens": value("sweet_serving_generated_tokens_total"),
            "steps": value("sweet_serving_batch_size_count"),
            "sequences": value("sweet_serving_batch_size_sum")}


async def measure(name: str, runner, tasks, clients, services, backend: str, workdir: Path) -> dict:
    for service in ("policy", "simulator_policy"):
        server = services.services.get(service)
        if server is not None:
            await server.backend.reset_prefix_cache()
    clients.reset_usage()
    before = engine_counters(backend)
    started = time.monotonic()
    records = await (runner(tasks, clients, workdir) if name == "ours" else runner(tasks, clients))
    seconds = time.monotonic() - started
    after = engine_counters(backend)
    steps = after["steps"] - before["steps"]
    turns = sum(r["turns"] for r in records)
    agent_tokens = sum(r.get("tokens", 0) for r in records) or sum(
        m.get("tokens", 0) for r in records for m in r.get("dialogue_history", []) if m["role"] == "assistant")
    return {"system": name, "dialogues": len(records), "seconds": round(seconds, 2),
            "dialogues_per_min": round(60 * len(records) / seconds, 2),
            "turns_per_dialogue": round(turns / len(records), 2),
            "agent_tokens": agent_tokens, "agent_tokens_per_s": round(agent_tokens / seconds, 1),
            "engine_tokens_per_s": round((after["tokens"] - before["tokens"]) / seconds, 1),
            "mean_engine_batch": round((after["sequences"] - before["sequences"]) / steps, 2) if steps else 0.0,
            "engine_steps": int(steps),
            "mean_reward": round(sum(r["reward"] or 0.0 for r in records) / len(records), 3),
            "usage": {k: v for k, v in ((s, clients.usage[s].snapshot()) for s in clients.usage)}}


async def amain(args) -> dict:
    tasks = bench_tasks(args.dialogues)
    overrides = {"sandbox.engine.slots": "2", "policy.transformers.prefix_cache_tokens": "65536"}
    if args.simulator_model:
        args.simulator = "llm"
        overrides["simulator_policy.transformers.prefix_cache_tokens"] = "65536"
    if args.simulator_policy_address:
        args.simulator = "llm"
        overrides["simulator.llm.policy_address"] = args.simulator_policy_address
    if args.threads:
        overrides["policy.transformers.torch_threads"] = str(args.threads)
        if args.simulator_model:
            overrides["simulator_policy.transformers.torch_threads"] = str(args.threads)
    plan = ServicePlan(policy_model=args.model, policy_backend=args.backend, simulator=args.simulator,
                       simulator_model=args.simulator_model, policy_address=args.policy_address,
                       overrides=overrides)
    config = RolloutConfig(k=1, temperature=args.temperature, max_tokens=args.max_tokens,
                           max_turns=args.max_turns, seed=args.seed,
                           max_dialogues=args.in_flight or 2 * args.concurrency,
                           policy_concurrency=args.concurrency,
                           simulator_concurrency=2 * args.concurrency, sandbox_concurrency=8)
    systems = {"ours": run_ours, "lockstep": run_lockstep}
    first = ["ours", "lockstep"] if args.order == "ours-first" else ["lockstep", "ours"]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        services = LocalServices(plan)
        async with services as addresses, RolloutClients(
                policy=addresses["policy"], simulator=addresses["simulator"],
                sandbox=addresses["sandbox"], config=config) as clients:
            await clients.wait_ready(60)
            await clients.generate(BackendDialogue(tasks[0]).next_chat(), seed=1)  # warm-up
            for rep in range(args.repeats):
                for name in (first if rep % 2 == 0 else first[::-1]):
                    print(f"run {len(runs) + 1}: {name} ...", file=sys.stderr, flush=True)
                    runs.append(await measure(name, systems[name], tasks, clients, services,
                                              args.backend, Path(tmp)))
                    print(f"  {runs[-1]['dialogues_per_min']} dialogues/min", file=sys.stderr, flush=True)
    return {"runs": runs}


def report(args, runs: list[dict]) -> dict:
    def mean(name: str, key: str) -> float:
        values = [r[key] for r in runs if r["system"] == name]
        return sum(values) / len(values)

    print(f"\nCollection throughput: {args.dialogues} dialogues, model {args.model} ({args.backend}), "
          f"{args.simulator} simulator{' on ' + args.simulator_model if args.simulator_model else ''}, "
          f"{args.concurrency} policy calls in flight (ours: "
          f"{args.in_flight or 2 * args.concurrency} dialogues), max {args.max_tokens} tokens "
          f"x {args.max_turns} turns, temperature {args.temperature}, {args.threads or 'default'} "
          "torch thread(s)\n")
    head = ("run", "system", "dial/min", "s", "turns/dial", "agent tok/s", "engine steps", "engine batch",
            "policy busy", "policy in flight", "sim busy", "sandbox busy")
    print(" | ".join(head))
    for i, r in enumerate(runs, 1):
        u = r["usage"]
        print(" | ".join(str(x) for x in (
            i, r["system"], r["dialogues_per_min"], r["seconds"], r["turns_per_dialogue"],
            r["agent_tokens_per_s"], r["engine_steps"], r["mean_engine_batch"], f"{100 * u['policy']['busy_fraction']:.0f}%",
            u["policy"]["mean_in_flight"], f"{100 * u['simulator']['busy_fraction']:.0f}%",
            f"{100 * u['sandbox']['busy_fraction']:.0f}%")))
    ratio = mean("ours", "dialogues_per_min") / mean("lockstep", "dialogues_per_min")
    steps = mean("lockstep", "engine_steps") / mean("ours", "engine_steps") if mean("ours", "engine_steps") else 0.0
    print(f"\nours / lock-step dialogues/min: {ratio:.2f}x (target >= {TARGET}x)")
    print(f"lock-step / ours engine decoding steps: {steps:.2f}x (indicates the ratio where a step "
          "costs the same whatever its batch, e.g. on a GPU; prefill not counted)")
    return {"benchmark": "collection_throughput", "args": vars(args), "runs": runs,
            "ours_dialogues_per_min": round(mean("ours", "dialogues_per_min"), 2),
            "lockstep_dialogues_per_min": round(mean("lockstep", "dialogues_per_min"), 2),
            "ratio": round(ratio, 3), "step_ratio": round(steps, 3), "target": TARGET, "meets_target": ratio >= TARGET}


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    result = asyncio.run(amain(args))
    print(json.dumps(report(args, result["runs"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
