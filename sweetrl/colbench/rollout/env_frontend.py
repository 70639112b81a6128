"""One ColBench frontend dialogue: drafts rendered, the simulated human's feedback, the verdict.

`FrontendDialogue` is the state machine (no I/O), the backend's `Dialogue` with the
frontend rules (``prompts_frontend.py``): an agent message may carry one HTML snippet;
each snippet is rendered by the renderer service, and the latest rendered snippet is
the answer candidate. `run_frontend_dialogue` drives it through the services:

1. the task's ground truth is rendered once (`RolloutClients.render_target`, shared by
   the task's rollouts) -- the target screenshot;
2. each agent turn goes to the policy; a snippet in its message is rendered;
3. unless the dialogue is over, the simulator replies, seeing the target screenshot,
   the agent's latest screenshot (none before its first snippet) and both pages' HTML;
4. at the end (``I WANT TO ANSWER:``, the turn limit, or the context limit below) the
   last rendered snippet is the answer, and the renderer's judge compares it with the
   target: reward = similarity (CLIP cosine when the renderer has CLIP weights, else
   the weight-free structural similarity; ``judge_kind`` says which). No snippet
   rendered in the whole dialogue = no answer, judged as a black image.

Context limit: frontend turns carry whole pages, and a small policy's context fills
up in fewer than 10 turns. When the policy refuses a turn after the first as
INVALID_ARGUMENT (the dialogue outgrew its context or message limits), the dialogue
ends there with ``finish: "context_limit"`` and is judged like any other; on the
first turn that is a configuration error, recorded as a failure.

Record (one JSONL line, the backend's format plus frontend fields)::

    {"task": {"problem_description", "ground_truth", "id", "family", "split"},
     "dialogue_history": [
        {"role": "user", "content": <problem description>},
        {"role": "assistant", "content": <message>, "input": <rendered prompt>,
         "output": <raw output>, "messages": [...], "finish_reason": "stop", "tokens": 412,
         "render": {"chars": 1830, "width": 1280, "height": 1412, ...}},  # with a snippet
        {"role": "user", "content": <feedback>, "truncated": false}, ...],
     "answer": <last rendered snippet, "" for none>, "reward": 0.83,
     "domain": "frontend", "task_id": ..., "rollout": 0, "seed": ..., "turns": 3,
     "questions": 1, "finish": "answered" | "turn_limit" | "context_limit" | "error",
     "similarity": 0.83, "judge_kind": "structural", "judge_components": {...},
     "judge_model_revision": "", "no_answer": false, "renders": 2,
     "target_render": {...}, "answer_render": {...}, "error": null,
     "policy_model": {...}, "simulator": "scripted-frontend", "temperature": 0.0,
     "seconds": 9.1}

A service failure (the renderer, simulator or policy) stops the dialogue with
``finish: "error"``, ``reward: null`` and ``error: {"service", "code", "message",
"attempts", "stage", "turn"}`` (stages: target, policy, render, simulator, judge).

What this module does NOT do: keep screenshots (records stay small enough for
training data; ``sweet eval frontend`` renders the few it shows in its report).
"""

from __future__ import annotations

import time
from typing import Any

from sweetrl.colbench.frontend.tasks import FrontendTask
from sweetrl.colbench.rollout.clients import Generation, RolloutClients, Screenshot, ServiceError
from sweetrl.colbench.rollout.env import Dialogue, agent_generation, dialogue_seed
from sweetrl.colbench.rollout.prompts import MAX_TURNS, AgentOutput, ChatTurn
from sweetrl.colbench.rollout.prompts_frontend import FRONTEND_SYSTEM_PROMPT, extract_html


class FrontendDialogue(Dialogue):
    """State of one frontend dialogue (module docstring); no I/O.

    After `agent_turn`, `pending_html` is the turn's snippet (None without one); the
    driver renders it and calls `rendered`. `answer` is always the latest rendered
    snippet, `png` its screenshot.
    """

    system_prompt = FRONTEND_SYSTEM_PROMPT

    def __init__(self, task: FrontendTask, max_turns: int = MAX_TURNS) -> None:
        super().__init__(task.problem_description, max_turns)
        self.task = task
        self.pending_html: str | None = None
        self.png = b""
        self.screenshot: Screenshot | None = None
        self.renders = 0

    def final_answer(self, out: AgentOutput) -> str | None:
        return self.answer  # the last rendered snippet; this turn's is rendered after

    def agent_turn(self, generation: Generation, chat: list[ChatTurn]) -> AgentOutput:
        out = super().agent_turn(generation, chat)
        self.pending_html = extract_html(out.message)
        return out

    def rendered(self, screenshot: Screenshot) -> None:
        """Record the rendering of this turn's snippet: it becomes the answer candidate."""
        if self.pending_html is None:
            raise RuntimeError("no snippet to render this turn")
        self.history[-1]["render"] = {"chars": len(self.pending_html), **screenshot.stats}
        self.answer, self.png, self.screenshot = self.pending_html, screenshot.png, screenshot
        self.pending_html = None
        self.renders += 1


async def run_frontend_dialogue(task: FrontendTask, rollout: int,
                                clients: RolloutClients) -> dict[str, Any]:
    """Run one frontend dialogue through the services; the record never raises for a
    service failure (module docstring)."""
    config = clients.config
    seed = dialogue_seed(config.seed, task.task_id, rollout)
    state = FrontendDialogue(task, max_turns=config.max_turns)
    started = time.monotonic()
    record: dict[str, Any] = {"task": task.to_json(), "dialogue_history": state.history,
                              "answer": "", "reward": None}
    extra: dict[str, Any] = {
        "similarity": None, "judge_kind": "", "judge_components": {}, "judge_model_revision": "",
        "no_answer": True, "renders": 0, "target_render": None, "answer_render": None,
        "limit_error": "", "error": None, "policy_model": None, "simulator": ""}
    stage = "target"
    try:
        target = await clients.render_target(task)
        extra["target_render"] = target.stats
        while not state.done:
            stage = "policy"
            generation, chat = await agent_generation(clients, state, seed, extra)
            if generation is None:
                break
            state.agent_turn(generation, chat)
            if state.pending_html is not None:
                stage = "render"
                state.rendered(await clients.render(state.pending_html))
            if not state.done:
                stage = "simulator"
                reply = await clients.reply_frontend(task, state.exchanges, target_png=target.png,
                                                     agent_png=state.png,
                                                     agent_html=state.answer or "")
                extra["simulator"] = reply.backend
                state.human_turn(reply.text, reply.truncated)
        stage = "judge"
        verdict = await clients.judge_page(state.answer, task.ground_truth)
        record["reward"] = verdict.similarity
        extra.update(similarity=verdict.similarity, judge_kind=verdict.kind,
                     judge_components=verdict.components,
                     judge_model_revision=verdict.model_revision)
    except ServiceError as exc:
        extra["error"] = {**exc.to_json(), "stage": stage, "turn": state.turns}
    record["answer"] = state.answer or ""
    extra.update(no_answer=state.answer is None, renders=state.renders,
                 answer_render=state.screenshot.stats if state.screenshot else None)
    record.update(domain="frontend", task_id=task.task_id, rollout=rollout, seed=seed,
                  turns=state.turns, questions=state.questions,
                  finish="error" if extra["error"] else state.finish, **extra,
                  temperature=config.temperature, seconds=round(time.monotonic() - started, 3))
    return record
