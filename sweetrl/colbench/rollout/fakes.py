"""A scripted stand-in for the policy service, for tests of dialogues and collectors.

`ScriptedPolicy` is a real gRPC PolicyService (``Generate`` only) whose "model" is a
Python function of the chat: it lets a test drive a dialogue to a known outcome (ask
about a fact, then answer with the right code) where a tiny random model only
babbles. It runs on a plain threaded grpc server, so it serves callers on any event
loop, in this process or another (a CLI run in a subprocess). It can also fail its
first calls with a status code, to test retries.

What it is NOT: a model. Nothing here samples, tokenizes or applies a chat template
(``rendered_prompt`` is a plain ``role: content`` transcript).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent import futures

import grpc

from sweetrl.api.v1 import common_pb2, policy_pb2, policy_pb2_grpc
from sweetrl.colbench.backend.loader import LoadedTask
from sweetrl.colbench.frontend.tasks import FrontendTask

Script = Callable[[list[tuple[str, str]]], str]
"""The chat as (role, content) pairs -> the agent's raw output."""

_ROLE_NAMES = {common_pb2.ROLE_SYSTEM: "system", common_pb2.ROLE_USER: "user",
               common_pb2.ROLE_ASSISTANT: "assistant"}


def render(chat: list[tuple[str, str]]) -> str:
    """The fake's "rendered prompt": one ``role: content`` block per message."""
    return "".join(f"{role}: {content}\n" for role, content in chat) + "assistant: "


class ScriptedPolicy(policy_pb2_grpc.PolicyServiceServicer):
    """PolicyService whose Generate answers ``script(chat)``; see module docstring.

    Attributes a test may change at any time: ``script``, ``delay_s`` (seconds each
    call sleeps), ``fail_next`` (that many calls fail with ``fail_code``).
    """

    def __init__(self, script: Script, *, delay_s: float = 0.0) -> None:
        self.script = script
        self.delay_s = delay_s
        self.fail_next = 0
        self.fail_code = grpc.StatusCode.UNAVAILABLE
        self.calls = self.in_flight = self.max_in_flight = 0
        self.requests: list[policy_pb2.GenerateRequest] = []
        self._lock = threading.Lock()
        self._server: grpc.Server | None = None
        self.address = ""

    def Generate(self, request, context):  # noqa: N802 (gRPC's naming)
        with self._lock:
            self.calls += 1
            self.requests.append(request)
            fail = self.fail_next > 0
            self.fail_next -= fail
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if fail:
                context.abort(self.fail_code, "scripted failure")
            if self.delay_s:
                time.sleep(self.delay_s)
            return self._generate(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _generate(self, request) -> policy_pb2.GenerateResponse:
        results = []
        for prompt in request.prompts:
            chat = [(_ROLE_NAMES[m.role], m.content) for m in prompt.chat.messages]
            text = self.script(chat)
            tokens = list(range(1, len(text.split()) + 2))
            results.append(policy_pb2.PromptResult(
                samples=[policy_pb2.Sample(index=0, text=text, token_ids=tokens,
                                           finish_reason=policy_pb2.FINISH_REASON_STOP)],
                prompt_tokens=sum(len(c.split()) for _, c in chat), rendered_prompt=render(chat)))
        return policy_pb2.GenerateResponse(
            results=results, model=policy_pb2.ServedModel(model_name="scripted-policy",
                                                          revision="fake"))

    def start(self, host: str = "127.0.0.1") -> str:
        """Serve on a free port; returns ``host:port``."""
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        policy_pb2_grpc.add_PolicyServiceServicer_to_server(self, server)
        port = server.add_insecure_port(f"{host}:0")
        server.start()
        self._server, self.address = server, f"{host}:{port}"
        return self.address

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=None)
            self._server = None

    def __enter__(self) -> ScriptedPolicy:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def ask_then_answer(tasks: Sequence[LoadedTask], *, wrong: bool = False) -> Script:
    """A script that asks about each task's first hidden fact (by its first keywords) and,
    once the human's last reply states that fact, answers with the ground truth (a
    broken function when `wrong`); until then it asks again. Tasks are recognised by
    their problem description (the chat's first user message)."""
    by_problem = {t.task.problem_description.strip(): t for t in tasks}

    def script(chat: list[tuple[str, str]]) -> str:
        task = by_problem[chat[1][1].strip()]
        fact = task.hidden_facts[0]
        replies = [content for role, content in chat[2:] if role == "user"]
        if replies and fact.statement in replies[-1]:
            code = "def broken(:\n" if wrong else task.task.ground_truth
            return f"I know enough.\nOUTPUT: I WANT TO ANSWER: ```python\n{code}\n```"
        return f"I should ask about it.\nOUTPUT: What about the {' '.join(fact.keywords[:2])}?"

    return script


def ask_then_build(tasks: Sequence[FrontendTask], *, show_nothing: bool = False) -> Script:
    """A frontend script that asks one question and, once the human has replied, answers
    with the task's ground truth (``I WANT TO ANSWER: <html>...</html>``). With
    `show_nothing` it answers without any page instead (no answer: judged black).
    Tasks are recognised by their problem description (the chat's first user message)."""
    by_problem = {t.problem_description.strip(): t for t in tasks}

    def script(chat: list[tuple[str, str]]) -> str:
        task = by_problem[chat[1][1].strip()]
        if not any(role == "user" for role, _ in chat[2:]):
            return "I should ask first.\nOUTPUT: Which colours and sections should the page have?"
        if show_nothing:
            return "OUTPUT: I WANT TO ANSWER: I would rather not show a page."
        return f"Now I know.\nOUTPUT: I WANT TO ANSWER: {task.ground_truth}"

    return script
