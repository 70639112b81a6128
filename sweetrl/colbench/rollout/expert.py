"""A scripted expert agent: demonstrations for policies too small to ever succeed.

`expert_script` plays the agent of a backend dialogue the way a careful human
programmer would: each turn it asks about the next hidden fact of the task (by the
fact's keywords, in the ColBench format ``thought`` + ``OUTPUT: question``), and on its
last turn, or once every fact has been asked about, it answers with the task's ground
truth (``I WANT TO ANSWER:`` and the code). It reads the hidden facts, so it is not a
policy; it runs behind `fakes.ScriptedPolicy` so that its dialogues go through the same
simulator, environment and sandbox as the policy's and come out as ordinary trajectory
records.

`frontend_expert_script` is its frontend counterpart: it answers the first turn with
the target page itself (``I WANT TO ANSWER:`` and the ground-truth HTML), so its
render matches the target's and the judge gives it a similarity near 1.

`as_demonstrations` turns those records into training data: each agent turn drops the
fake server's transcript ``input`` (trainers then render the recorded chat with the
real model's template), and the record is marked ``expert: true`` with its own rollout
index. `run_expert` does all of that for a seeded fraction of the tasks; the pipeline's
collect stage (``expert_fraction``) and ``sweet collect --expert-fraction`` use it. The
paper collects from the policy alone.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sweetrl.colbench.backend.loader import LoadedTask
from sweetrl.colbench.frontend.tasks import FrontendTask
from sweetrl.errors import InvalidInput

if TYPE_CHECKING:
    from sweetrl.colbench.rollout.config import RolloutConfig
    from sweetrl.colbench.rollout.services import ServicePlan

EXPERT_MODEL = "scripted-expert"


def expert_script(tasks: Sequence[LoadedTask], max_turns: int):
    """The agent function (chat as (role, content) pairs -> raw output) for `tasks`."""
    by_problem = {t.task.problem_description.strip(): t for t in tasks}

    def script(chat: list[tuple[str, str]]) -> str:
        problem = next(content for role, content in chat if role == "user").strip()
        task = by_problem[problem]
        asked = sum(1 for role, _ in chat if role == "assistant")
        facts = task.hidden_facts
        if asked + 1 >= max_turns or asked >= len(facts):
            return ("I have what I need to write the function.\n"
                    f"OUTPUT: I WANT TO ANSWER: ```python\n{task.task.ground_truth.strip()}\n```")
        words = " and ".join(facts[asked].keywords[:2]) or facts[asked].name.replace("_", " ")
        return (f"I need to know how the {words} should work before writing code.\n"
                f"OUTPUT: How should the function handle the {words}?")

    return script


def frontend_expert_script(tasks: Sequence[FrontendTask]):
    """The agent function of frontend dialogues of `tasks`: the target page, at once."""
    by_problem = {t.problem_description.strip(): t for t in tasks}

    def script(chat: list[tuple[str, str]]) -> str:
        problem = next(content for role, content in chat if role == "user").strip()
        return ("This is the page as described.\n"
                f"OUTPUT: I WANT TO ANSWER: {by_problem[problem].ground_truth.strip()}")

    return script


def as_demonstrations(records: Sequence[dict[str, Any]], rollout: int) -> list[dict[str, Any]]:
    """Expert dialogue records as training trajectories (module docstring)."""
    out = []
    for record in records:
        rec = dict(record, rollout=rollout, expert=True)
        history = []
        for message in record.get("dialogue_history", []):
            if message.get("role") == "assistant":
                message = {k: v for k, v in message.items() if k != "input"}
            history.append(message)
        rec["dialogue_history"] = history
        out.append(rec)
    return out


def expert_plan(plan: ServicePlan, address: str) -> ServicePlan:
    """`plan` with the expert at `address` as the agent. The llm human keeps its model:
    the policy's, on a server of its own, unless the plan names one (otherwise the
    simulator would ask the expert to play the human)."""
    changes: dict[str, Any] = {"policy_model": EXPERT_MODEL, "policy_address": address}
    if plan.simulator == "llm" and not plan.simulator_address and not plan.simulator_model:
        if plan.policy_address:
            raise InvalidInput("expert demonstrations with the llm human and a running policy "
                               "service: name the human's model (--simulator-model) or "
                               "its service (--simulator-address)")
        changes["simulator_model"] = plan.policy_model
    return replace(plan, **changes)


def pick_tasks(tasks: Sequence[Any], fraction: float, seed: int, domain: str) -> list[Any]:
    """The seeded `fraction` of `tasks` the expert demonstrates (backend: those with
    hidden facts to ask about)."""
    count = math.ceil(fraction * len(tasks))
    chosen = sorted(random.Random(seed).sample(range(len(tasks)), count))
    picked = [tasks[i] for i in chosen]
    return picked if domain == "frontend" else [t for t in picked if t.hidden_facts]


async def run_expert(tasks: Sequence[Any], plan: ServicePlan, rollout: RolloutConfig, out: Path, *,
                     fraction: float, index: int,
                     on_record: Callable[[dict[str, Any]], None] | None = None
                     ) -> list[dict[str, Any]]:
    """One greedy scripted-expert dialogue for a seeded `fraction` of `tasks`, through
    `plan`'s simulator and judge, resumable in `out`; the finished ones as
    demonstrations with rollout index `index` (failed ones are left out)."""
    from sweetrl.colbench.rollout.fakes import ScriptedPolicy
    from sweetrl.colbench.rollout.run import run_rollouts

    picked = pick_tasks(tasks, fraction, rollout.seed, plan.domain)
    script = (frontend_expert_script(picked) if plan.domain == "frontend"
              else expert_script(picked, rollout.max_turns))
    with ScriptedPolicy(script) as expert:
        run = await run_rollouts(picked, expert_plan(plan, expert.address),
                                 replace(rollout, k=1, temperature=0.0), out, on_record=on_record)
    return as_demonstrations([r for r in run.records if r.get("error") is None], rollout=index)
