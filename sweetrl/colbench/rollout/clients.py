"""gRPC clients of the policy, simulator, sandbox and renderer services, as dialogues use them.

A backend dialogue needs the policy, the simulator and the sandbox; a frontend
dialogue the policy, the simulator and the renderer (screenshots and the judge).

Every call has a deadline (per service, from `RolloutConfig`), runs under that
service's concurrency limit (a semaphore: at most ``*_concurrency`` calls in flight
from this process), and is retried with exponential backoff when the service
answers UNAVAILABLE or RESOURCE_EXHAUSTED (down, restarting or its queue full) --
also when only our prompt of a policy batch got such an item error. Other failures,
and the last failed attempt, raise `ServiceError`, which names the service, the
status code and the attempts; the dialogue records it.

`Usage` keeps, per service, the time at least one call was in flight (busy time) and
the time integral of calls in flight (mean load), which benchmarks and reports use
as the service's utilisation seen from the callers.

What this module does NOT do: retry DEADLINE_EXCEEDED (a slow turn is recorded as a
failure, not repeated), or balance load over several replicas (point the address at
a Kubernetes Service for that).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc

from sweetrl.api.v1 import (common_pb2, policy_pb2, policy_pb2_grpc, renderer_pb2,
                            renderer_pb2_grpc, sandbox_pb2, sandbox_pb2_grpc, simulator_pb2,
                            simulator_pb2_grpc)
from sweetrl.colbench.backend.loader import LoadedTask
from sweetrl.colbench.frontend.tasks import FrontendTask
from sweetrl.colbench.rollout.config import RolloutConfig
from sweetrl.colbench.rollout.prompts import ChatTurn
from sweetrl.runtime import make_channel, wait_ready

log = logging.getLogger(__name__)

RETRYABLE = frozenset({"UNAVAILABLE", "RESOURCE_EXHAUSTED"})
SERVICES = ("policy", "simulator", "sandbox", "renderer")
TARGET_RENDERS_KEPT = 256
"""Target screenshots kept for reuse (collection runs a task's rollouts close together)."""

_ROLES = {"system": common_pb2.ROLE_SYSTEM, "user": common_pb2.ROLE_USER,
          "assistant": common_pb2.ROLE_ASSISTANT}
_FINISH = {policy_pb2.FINISH_REASON_STOP: "stop", policy_pb2.FINISH_REASON_LENGTH: "length",
           policy_pb2.FINISH_REASON_ABORT: "abort"}


class ServiceError(Exception):
    """A call that failed for good: which service, the status code, why, after how many attempts."""

    def __init__(self, service: str, code: str, message: str, attempts: int) -> None:
        super().__init__(f"{service}: {code}: {message} (after {attempts} "
                         f"attempt{'s' * (attempts != 1)})")
        self.service, self.code, self.message, self.attempts = service, code, message, attempts

    def to_json(self) -> dict:
        return {"service": self.service, "code": self.code, "message": self.message,
                "attempts": self.attempts}


class _ItemError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Usage:
    """Busy time and mean load of one service, as seen by this process's calls."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start counting afresh (e.g. at the start of a benchmark run)."""
        self.in_flight = self.calls = self.failures = 0
        self.busy_s = self.load_s = self.call_s = 0.0
        self.since = self._last = time.monotonic()

    def _advance(self) -> None:
        now = time.monotonic()
        if self.in_flight:
            self.busy_s += now - self._last
            self.load_s += self.in_flight * (now - self._last)
        self._last = now

    @contextlib.contextmanager
    def track(self):
        """Count one call in flight for the body of the block."""
        self._advance()
        self.in_flight += 1
        started = time.monotonic()
        ok = False
        try:
            yield
            ok = True
        finally:
            self._advance()
            self.in_flight -= 1
            self.calls += 1
            self.failures += not ok
            self.call_s += time.monotonic() - started

    def snapshot(self) -> dict:
        """``busy_fraction``: share of the time since `reset` with a call in flight;
        ``mean_in_flight``: average calls in flight; ``mean_call_s``: mean call latency."""
        self._advance()
        wall = max(self._last - self.since, 1e-9)
        return {"calls": self.calls, "failures": self.failures,
                "busy_fraction": round(self.busy_s / wall, 4),
                "mean_in_flight": round(self.load_s / wall, 3),
                "mean_call_s": round(self.call_s / self.calls, 4) if self.calls else 0.0}


@dataclass(frozen=True)
class Generation:
    """One agent turn from the policy: its text and the exact prompt it continued."""

    text: str
    rendered_prompt: str
    finish_reason: str
    tokens: int
    model: dict


@dataclass(frozen=True)
class HumanReply:
    text: str
    truncated: bool
    backend: str


@dataclass(frozen=True)
class Judgement:
    """The sandbox's verdict on a final answer."""

    reward: float
    success: bool
    tests_passed: int
    tests_total: int
    error_kind: str
    error_detail: str


@dataclass(frozen=True)
class Screenshot:
    """A page rendered by the renderer: the PNG and the rendering's facts."""

    png: bytes
    stats: dict
    """width, height, render_seconds, truncated, timed_out, blocked_requests, crashed."""


@dataclass(frozen=True)
class PageJudgement:
    """The renderer's similarity of an answer's page to the target's."""

    similarity: float
    kind: str
    """``clip`` or ``structural``."""
    components: dict
    model_revision: str
    seconds: float


def backend_task_proto(task: LoadedTask) -> sandbox_pb2.BackendTask:
    """The task as the sandbox judges it."""
    t = task.task
    return sandbox_pb2.BackendTask(
        task_id=t.task_id, problem_description=t.problem_description,
        ground_truth=t.ground_truth,
        test_cases=[sandbox_pb2.TestCase(name=c.name, call=c.call) for c in t.test_cases])


def hidden_proto(task: LoadedTask) -> simulator_pb2.BackendHidden:
    """The simulator's hidden information: the ground truth and, for generated tasks, the facts."""
    facts = [simulator_pb2.HiddenFact(name=f.name, keywords=list(f.keywords), statement=f.statement,
                                      value_json="" if f.value is None else json.dumps(f.value))
             for f in task.hidden_facts]
    return simulator_pb2.BackendHidden(ground_truth=task.task.ground_truth, facts=facts)


class RolloutClients:
    """Channels and stubs to the services, with limits, retries and usage counters.

    Use as ``async with RolloutClients(...) as clients:``. Addresses are ``host:port``;
    the sandbox (backend tasks) and the renderer (frontend tasks) are optional.
    `token` and `tls_ca_file` as in `sweetrl.runtime.make_channel`.
    """

    _STUBS = {"policy": policy_pb2_grpc.PolicyServiceStub,
              "simulator": simulator_pb2_grpc.SimulatorServiceStub,
              "sandbox": sandbox_pb2_grpc.SandboxServiceStub,
              "renderer": renderer_pb2_grpc.RendererServiceStub}

    def __init__(self, *, policy: str, simulator: str, sandbox: str | None = None,
                 renderer: str | None = None, config: RolloutConfig, token: str | None = None,
                 tls_ca_file: str | Path | None = None) -> None:
        given = {"policy": policy, "simulator": simulator, "sandbox": sandbox, "renderer": renderer}
        self.addresses = {name: address for name, address in given.items() if address}
        self.config = config
        self._token, self._ca = token, tls_ca_file
        self.usage = {name: Usage() for name in self.addresses}
        self._limits = {"policy": asyncio.Semaphore(config.policy_concurrency),
                        "simulator": asyncio.Semaphore(config.simulator_concurrency),
                        "sandbox": asyncio.Semaphore(config.sandbox_concurrency),
                        "renderer": asyncio.Semaphore(config.renderer_concurrency)}
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._stubs: dict[str, object] = {}
        self._targets: OrderedDict[str, asyncio.Future] = OrderedDict()
        self._no_clip = config.judge == "structural"

    async def __aenter__(self) -> RolloutClients:
        for name, address in self.addresses.items():
            self._channels[name] = make_channel(address, token=self._token, tls_ca_file=self._ca)
            self._stubs[name] = self._STUBS[name](self._channels[name])
        return self

    def _stub(self, name: str):
        if name not in self._stubs:
            raise RuntimeError(f"these clients have no {name} service (no address given)")
        return self._stubs[name]

    async def __aexit__(self, *exc) -> None:
        await asyncio.gather(*(c.close() for c in self._channels.values()))
        self._channels.clear()

    async def wait_ready(self, timeout: float) -> None:
        """Wait until every service accepts connections; `Unavailable` names the first that does not."""
        from sweetrl.errors import Unavailable

        for name, channel in self._channels.items():
            try:
                await wait_ready(channel, timeout)
            except Unavailable:
                raise Unavailable(f"the {name} service at {self.addresses[name]} is not reachable "
                                  f"within {timeout:g} s") from None

    def reset_usage(self) -> None:
        for usage in self.usage.values():
            usage.reset()

    # ------------------------------------------------------------------ calls

    async def generate(self, chat: Sequence[ChatTurn], *, seed: int) -> Generation:
        """One sample of the agent's next turn (sampling settings from the config)."""
        c = self.config
        request = policy_pb2.GenerateRequest(
            prompts=[policy_pb2.Prompt(chat=policy_pb2.Chat(messages=[
                common_pb2.ChatMessage(role=_ROLES[m.role], content=m.content) for m in chat]))],
            sampling=policy_pb2.SamplingParams(temperature=c.temperature, top_p=c.top_p,
                                               max_tokens=c.max_tokens, seed=seed, n=1))

        def check(response):
            if response.results[0].HasField("error"):
                err = response.results[0].error
                raise _ItemError(err.code, err.message)

        response = await self._call("policy", self._stub("policy").Generate, request,
                                    c.policy_timeout_s, check)
        result, model = response.results[0], response.model
        sample = result.samples[0]
        return Generation(text=sample.text, rendered_prompt=result.rendered_prompt,
                          finish_reason=_FINISH.get(sample.finish_reason, "unspecified"),
                          tokens=len(sample.token_ids),
                          model={"name": model.model_name, "revision": model.revision,
                                 "adapter": model.adapter, "generation": model.generation})

    async def reply(self, task: LoadedTask, exchanges: Sequence[tuple[str, str]]) -> HumanReply:
        """The simulated human's reply to the last agent message of `exchanges`."""
        return await self._reply(simulator_pb2.ReplyRequest(
            domain=common_pb2.DOMAIN_BACKEND, problem_description=task.task.problem_description,
            backend=hidden_proto(task)), exchanges)

    async def reply_frontend(self, task: FrontendTask, exchanges: Sequence[tuple[str, str]], *,
                             target_png: bytes, agent_png: bytes = b"",
                             agent_html: str = "") -> HumanReply:
        """The simulated human's reply to a frontend turn: it sees the target's screenshot
        and the agent's latest one (none yet: empty), and both pages' HTML."""
        hidden = simulator_pb2.FrontendHidden(target_png=target_png, agent_png=agent_png,
                                              target_html=task.ground_truth,
                                              agent_html=agent_html if agent_png else "")
        return await self._reply(simulator_pb2.ReplyRequest(
            domain=common_pb2.DOMAIN_FRONTEND, problem_description=task.problem_description,
            frontend=hidden), exchanges)

    async def _reply(self, request, exchanges: Sequence[tuple[str, str]]) -> HumanReply:
        request.dialogue.extend(common_pb2.ChatMessage(role=_ROLES[role], content=text)
                                for role, text in exchanges)
        r = await self._call("simulator", self._stub("simulator").Reply, request,
                             self.config.simulator_timeout_s)
        return HumanReply(text=r.text, truncated=r.truncated, backend=r.backend)

    async def render(self, html: str) -> Screenshot:
        """One page rendered with the renderer's default options."""
        r = await self._call("renderer", self._stub("renderer").Render,
                             renderer_pb2.RenderRequest(html=html), self.config.renderer_timeout_s)
        s = r.stats
        return Screenshot(png=r.png, stats={
            "width": s.width, "height": s.height, "render_seconds": round(s.render_seconds, 4),
            "truncated": s.truncated, "timed_out": s.timed_out,
            "blocked_requests": s.blocked_requests, "crashed": s.crashed})

    async def render_target(self, task: FrontendTask) -> Screenshot:
        """The task's ground truth rendered, once for all its rollouts: concurrent callers
        share one call; the last `TARGET_RENDERS_KEPT` tasks' screenshots are kept (a
        failed render is not)."""
        future = self._targets.get(task.task_id)
        if future is None:
            future = asyncio.ensure_future(self.render(task.ground_truth))
            self._targets[task.task_id] = future
            while len(self._targets) > TARGET_RENDERS_KEPT:
                self._targets.popitem(last=False)
        else:
            self._targets.move_to_end(task.task_id)
        try:
            return await asyncio.shield(future)
        except ServiceError:
            if self._targets.get(task.task_id) is future:
                del self._targets[task.task_id]
            raise

    async def judge_page(self, answer_html: str | None, target_html: str) -> PageJudgement:
        """Similarity of the answer's page to the target's; a missing answer (None) is
        judged as a black image. Kind per ``config.judge``: with 'auto', CLIP until the
        renderer says it has no CLIP weights (FAILED_PRECONDITION), structural from then on."""
        candidate = (renderer_pb2.JudgeImage(black=True) if answer_html is None
                     else renderer_pb2.JudgeImage(html=answer_html))
        reference = renderer_pb2.JudgeImage(html=target_html)
        while True:
            kind = (renderer_pb2.JUDGE_KIND_STRUCTURAL if self._no_clip
                    else renderer_pb2.JUDGE_KIND_CLIP)
            request = renderer_pb2.JudgeRequest(candidate=candidate, reference=reference, kind=kind)
            try:
                r = await self._call("renderer", self._stub("renderer").Judge, request,
                                     self.config.renderer_timeout_s)
            except ServiceError as exc:
                if (exc.code == "FAILED_PRECONDITION" and self.config.judge == "auto"
                        and kind == renderer_pb2.JUDGE_KIND_CLIP):
                    self._no_clip = True
                    log.info("the renderer has no CLIP judge (%s); judging structurally", exc.message)
                    continue
                raise
            return PageJudgement(
                similarity=r.similarity,
                kind=renderer_pb2.JudgeKind.Name(r.kind).removeprefix("JUDGE_KIND_").lower(),
                components={k: round(v, 6) for k, v in sorted(r.components.items())},
                model_revision=r.model_revision, seconds=round(r.judge_seconds, 4))

    async def judge(self, task: LoadedTask, answer: str) -> Judgement:
        """Run the task's hidden tests on `answer` in the sandbox."""
        request = sandbox_pb2.EvaluateRequest(task=backend_task_proto(task), answer=answer)
        r = await self._call("sandbox", self._stub("sandbox").Evaluate, request,
                             self.config.sandbox_timeout_s)
        kind = sandbox_pb2.ErrorKind.Name(r.error_kind).removeprefix("ERROR_KIND_").lower()
        return Judgement(reward=r.reward, success=r.success, tests_passed=r.tests_passed,
                         tests_total=r.tests_total, error_kind=kind, error_detail=r.error_detail)

    async def _call(self, service: str, method, request, timeout: float, check=None):
        c = self.config
        backoff = c.initial_backoff_s
        for attempt in range(1, c.attempts + 1):
            try:
                async with self._limits[service]:
                    with self.usage[service].track():
                        response = await method(request, timeout=timeout)
                        if check is not None:
                            check(response)
                return response
            except grpc.aio.AioRpcError as exc:
                code, detail = exc.code().name, exc.details() or ""
            except _ItemError as exc:
                code, detail = exc.code, exc.message
            if code not in RETRYABLE or attempt == c.attempts:
                raise ServiceError(service, code, detail, attempt)
            wait = min(backoff, c.max_backoff_s)
            log.debug("%s at %s: %s: %s; retry %d of %d in %.2f s", service,
                      self.addresses[service], code, detail, attempt + 1, c.attempts, wait)
            await asyncio.sleep(wait)
            backoff *= 2
        raise AssertionError("unreachable")
