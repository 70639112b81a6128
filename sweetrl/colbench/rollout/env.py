"""One ColBench backend dialogue: agent turns, the simulated human's replies, the verdict.

`BackendDialogue` is the environment's state machine, with no I/O (its domain-free
part, `Dialogue`, is shared with the frontend's, ``env_frontend.py``): it builds the
agent's chat for the next turn, takes the agent's raw output (ALGORITHM.md rules, see
``prompts.py``), says what the human must answer, takes the reply, and knows when the
dialogue is over and what the answer is. `run_dialogue` drives it through the
services (`RolloutClients`) and returns the trajectory record.

Termination: a message with ``I WANT TO ANSWER:`` ends the dialogue (answer: the text
after the mark); so does the ``max_turns``-th agent turn (answer: its whole message).
The human is not asked after the last turn. An empty answer is no answer: reward 0
without calling the sandbox.

Context limit: a small policy's context can fill up before the 10th turn (SmolLM2's
4096 tokens hold about nine 256-token turns with their replies). When the policy
refuses a turn after the first as INVALID_ARGUMENT (the prompt plus the turn's
``max_tokens`` no longer fit), the dialogue ends there with ``finish:
"context_limit"``, the last agent message is the answer (as at the turn limit) and it
is judged like any other; ``limit_error`` keeps the refusal. On the first turn the same
refusal is a configuration error, recorded as a failure.

Record (one JSONL line; the reference's fields first)::

    {"task": {...task line...}, "dialogue_history": [
        {"role": "user", "content": <problem description>},
        {"role": "assistant", "content": <message>, "input": <rendered prompt>,
         "output": <raw output>, "messages": [<chat sent>], "finish_reason": "stop",
         "tokens": 57},
        {"role": "user", "content": <reply>, "truncated": false}, ...],
     "answer": <final answer text>, "reward": 0.4,
     "task_id": ..., "rollout": 0, "seed": ..., "turns": 3, "questions": 2,
     "finish": "answered" | "turn_limit" | "context_limit" | "error", "success": false,
     "tests_passed": 4, "tests_total": 10, "judge_error": "", "limit_error": "", "error": null,
     "policy_model": {...}, "simulator": "scripted", "seconds": 12.3}

``input`` is the prompt exactly as the model saw it (the chat rendered with its
template by the policy service) and ``output`` the raw generation (cut before a second
``OUTPUT:``, see ``prompts.py``; the uncut text is kept as ``raw_output`` when it
differs), so trainers can rebuild every turn. A dialogue that a service failure
stopped has ``finish: "error"``, ``reward: null`` and ``error: {"service", "code",
"message", "attempts", "stage"}``, with the history up to the failure.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from sweetrl.colbench.backend.loader import LoadedTask
from sweetrl.colbench.rollout.clients import Generation, RolloutClients, ServiceError
from sweetrl.colbench.rollout.prompts import (AGENT_SYSTEM_PROMPT, MAX_TURNS, AgentOutput, ChatTurn,
                                              agent_chat, parse_agent_output)

SEED_BITS = 62


def dialogue_seed(base_seed: int, task_id: str, rollout: int) -> int:
    """A seed for (task, rollout), stable across runs and machines."""
    digest = hashlib.sha256(f"{base_seed}:{task_id}:{rollout}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - SEED_BITS)


def task_json(task: LoadedTask) -> dict[str, Any]:
    """The task as a JSONL object: the official fields, its id, and hidden facts when known."""
    t = task.task
    out: dict[str, Any] = {"id": t.task_id, "problem_description": t.problem_description,
                           "ground_truth": t.ground_truth,
                           "test_cases": {c.name: c.call for c in t.test_cases}}
    if task.hidden_facts:
        out["hidden_facts"] = [f.to_json() for f in task.hidden_facts]
    if task.family:
        out["family"] = task.family
    return out


class Dialogue:
    """Turns of one dialogue in either domain (module docstring); no I/O.

    Subclasses give the rules (`system_prompt`) and what the answer is (`final_answer`).
    """

    system_prompt = AGENT_SYSTEM_PROMPT

    def __init__(self, problem_description: str, max_turns: int = MAX_TURNS) -> None:
        self.problem_description = problem_description
        self.max_turns = max_turns
        self.history: list[dict[str, Any]] = [{"role": "user", "content": problem_description}]
        self.exchanges: list[tuple[str, str]] = []
        self.turns = 0
        self.questions = 0
        self.answer: str | None = None
        self.finish: str | None = None

    @property
    def done(self) -> bool:
        return self.finish is not None

    def next_chat(self) -> list[ChatTurn]:
        """The chat the policy continues for the agent's next turn."""
        return agent_chat(self.problem_description, self.exchanges, max_turns=self.max_turns,
                          system=self.system_prompt)

    def final_answer(self, out: AgentOutput) -> str | None:
        """The answer when `out` ends the dialogue: the text after ``I WANT TO ANSWER:``,
        or the whole message at the turn limit."""
        return out.answer if out.final else out.message

    def agent_turn(self, generation: Generation, chat: list[ChatTurn]) -> AgentOutput:
        """Record the agent's turn generated from `chat`; ends the dialogue when final or at the limit."""
        if self.done:
            raise RuntimeError("the dialogue is over")
        out = parse_agent_output(generation.text)
        self.turns += 1
        self.questions += out.asks
        turn = {"role": "assistant", "content": out.message, "input": generation.rendered_prompt,
                "output": out.output, "messages": [m.to_json() for m in chat],
                "finish_reason": generation.finish_reason, "tokens": generation.tokens}
        if out.output != out.raw:
            turn["raw_output"] = out.raw
        self.history.append(turn)
        self.exchanges.append(("assistant", out.message))
        if out.final:
            self.answer, self.finish = self.final_answer(out), "answered"
        elif self.turns >= self.max_turns:
            self.answer, self.finish = self.final_answer(out), "turn_limit"
        return out

    def human_turn(self, text: str, truncated: bool = False) -> None:
        """Record the simulated human's reply to the agent's last message."""
        if self.done or not self.exchanges or self.exchanges[-1][0] != "assistant":
            raise RuntimeError("the human replies only to an agent message of an open dialogue")
        self.history.append({"role": "user", "content": text, "truncated": truncated})
        self.exchanges.append(("user", text))

    def stop(self, finish: str) -> None:
        """End the dialogue before the agent's turn (e.g. ``context_limit``)."""
        self.finish = finish


class BackendDialogue(Dialogue):
    """State of one backend dialogue (see module docstring); no I/O."""

    def __init__(self, task: LoadedTask, max_turns: int = MAX_TURNS) -> None:
        super().__init__(task.task.problem_description, max_turns)
        self.task = task

    def stop(self, finish: str) -> None:
        """End the dialogue before the agent's turn; its last message is the answer."""
        super().stop(finish)
        self.answer = next((text for role, text in reversed(self.exchanges) if role == "assistant"),
                           None)


async def agent_generation(clients: RolloutClients, state: Dialogue, seed: int,
                           extra: dict[str, Any]) -> tuple[Generation | None, list[ChatTurn]]:
    """The policy's next turn of `state` and the chat it came from; (None, chat) when the
    policy refused a turn after the first as INVALID_ARGUMENT: the dialogue outgrew the
    policy's context and is stopped with ``context_limit`` (the refusal in
    ``extra["limit_error"]``). Other service failures raise."""
    chat = state.next_chat()
    try:
        generation = await clients.generate(chat, seed=(seed + state.turns) % (1 << SEED_BITS))
    except ServiceError as exc:
        if state.turns == 0 or exc.code != "INVALID_ARGUMENT":
            raise
        extra["limit_error"] = exc.message
        state.stop("context_limit")
        return None, chat
    extra["policy_model"] = generation.model
    return generation, chat


async def run_dialogue(task: LoadedTask, rollout: int, clients: RolloutClients) -> dict[str, Any]:
    """Run one dialogue through the services; the record never raises for a service failure."""
    config = clients.config
    seed = dialogue_seed(config.seed, task.task.task_id, rollout)
    state = BackendDialogue(task, max_turns=config.max_turns)
    started = time.monotonic()
    record: dict[str, Any] = {"task": task_json(task), "dialogue_history": state.history,
                              "answer": "", "reward": None}
    extra: dict[str, Any] = {"success": False, "tests_passed": 0, "tests_total": len(task.task.test_cases),
                             "judge_error": "", "limit_error": "", "error": None, "policy_model": None,
                             "simulator": ""}
    stage = "policy"
    try:
        while not state.done:
            stage = "policy"
            generation, chat = await agent_generation(clients, state, seed, extra)
            if generation is None:
                break
            state.agent_turn(generation, chat)
            if not state.done:
                stage = "simulator"
                reply = await clients.reply(task, state.exchanges)
                extra["simulator"] = reply.backend
                state.human_turn(reply.text, reply.truncated)
        stage = "sandbox"
        record["answer"] = state.answer or ""
        if not record["answer"].strip():
            record["reward"], extra["judge_error"] = 0.0, "no_answer"
        else:
            verdict = await clients.judge(task, record["answer"])
            record["reward"] = verdict.reward
            extra.update(success=verdict.success, tests_passed=verdict.tests_passed,
                         tests_total=verdict.tests_total,
                         judge_error="" if verdict.error_kind == "none" else verdict.error_kind)
    except ServiceError as exc:
        extra["error"] = {**exc.to_json(), "stage": stage, "turn": state.turns}
        record["answer"] = state.answer or ""
    record.update(task_id=task.task.task_id, rollout=rollout, seed=seed, turns=state.turns,
                  questions=state.questions,
                  finish="error" if extra["error"] else state.finish, **extra,
                  temperature=config.temperature, seconds=round(time.monotonic() - started, 3))
    return record
