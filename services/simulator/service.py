"""Service logic of the simulated human: validation, admission, deadlines, reply caps.

Every request carries the whole dialogue (the server is stateless). A turn is
checked against the API's limits, admitted into a bounded queue (RESOURCE_EXHAUSTED
when full), answered by the simulator configured for its domain (backend or
frontend) once one of ``max_concurrent_replies`` slots is free, and cut to its reply
cap (400 characters for backend tasks, 1000 for frontend tasks, unless the request
asks otherwise), reporting whether it was cut. A frontend turn's screenshots are
decoded in a worker thread inside its slot (an undecodable PNG is INVALID_ARGUMENT
naming the field); the cheap checks (sizes, PNG signature) come first, with the
others.
ReplyBatch answers its items independently and concurrently: an item that fails
gets its error in place and the others are still answered; items still running
shortly before the call's deadline end with DEADLINE_EXCEEDED so that the rest of
the batch can be returned in time.

No gRPC here: the servicer translates protos to `ReplyRequest`s.

What this module does NOT do: remember dialogues between calls. A server configured
without a frontend simulator (``frontend: none``) answers frontend turns with
FAILED_PRECONDITION.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from prometheus_client import Counter, Histogram

from services.policy.prompts import utf8_len
from services.simulator.backends.base import (BackendHidden, FrontendHidden,
                                              FrontendSimulatorBackend, ReplyRequest,
                                              Screenshots, SimulatorBackend)
from services.simulator.config import SimulatorServiceConfig
from sweetrl.errors import (DeadlineExceeded, FailedPrecondition, InvalidInput, Overloaded,
                            SweetError)
from sweetrl.render.images import MAX_PNG_BYTES, decode_png
from sweetrl.runtime import queue_depth

log = logging.getLogger(__name__)

DEFAULT_REPLY_CHARS = {"backend": 400, "frontend": 1000}
"""Reply caps of the benchmark, per domain (ReplyRequest.max_reply_chars = 0)."""


def batch_deadline_margin(timeout: float) -> float:
    """How long before the call's deadline batch items stop, so the response still gets
    out: 5% of the time, at least 0.1 s and at most 1 s."""
    return min(1.0, max(0.1, 0.05 * timeout))


# Per-fact limits documented in simulator.proto (HiddenFact).
MAX_FACT_NAME_BYTES = 256
MAX_FACT_KEYWORDS = 64
MAX_KEYWORD_BYTES = 64
MAX_STATEMENT_BYTES = 1024

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

REPLIES = Counter("sweet_simulator_replies",
                  "Replies given, by backend (scripted, llm, scripted-frontend, vlm).",
                  ["backend"])
REPLY_ERRORS = Counter("sweet_simulator_reply_errors",
                       "Turns that got no reply, by backend and status code.", ["backend", "code"])
TRUNCATED = Counter("sweet_simulator_truncated_replies",
                    "Replies cut to their max_reply_chars, by backend.", ["backend"])
REPLY_SECONDS = Histogram(
    "sweet_simulator_reply_seconds", "Seconds per reply, queueing included, by backend.",
    ["backend"], buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))


@dataclass(frozen=True)
class Reply:
    """The simulated human's answer (the domain form of ReplyResponse)."""

    text: str
    truncated: bool
    untruncated_chars: int
    backend: str
    latency_seconds: float


def cap_reply(text: str, cap: int) -> tuple[str, bool, int]:
    """(`text` cut to `cap` characters, whether it was cut, its length before)."""
    return text[:cap], len(text) > cap, len(text)


def decode_screenshots(hidden: FrontendHidden) -> Screenshots:
    """The request's PNGs decoded (blocking).

    Raises:
        InvalidInput: a PNG cannot be decoded or has too many pixels; the message names
            the field.
    """
    agent = decode_png(hidden.agent_png, "frontend.agent_png") if hidden.agent_png else None
    return Screenshots(target=decode_png(hidden.target_png, "frontend.target_png"), agent=agent)


class SimulatorService:
    """Answers backend turns with a `SimulatorBackend` and frontend turns with a
    `FrontendSimulatorBackend` (None: frontend turns are FAILED_PRECONDITION)."""

    name = "simulator"

    def __init__(self, backend: SimulatorBackend, settings: SimulatorServiceConfig, *,
                 frontend: FrontendSimulatorBackend | None = None) -> None:
        self.backend = backend
        self.frontend = frontend
        self.settings = settings
        self._pending = 0
        self._waiting = 0
        self._slots = asyncio.Semaphore(settings.max_concurrent_replies)
        self._queue_depth = queue_depth(self.name)

    async def start(self) -> None:
        await self.backend.start()
        if self.frontend is not None:
            await self.frontend.start()
        log.info("simulated human: backend tasks %s (%s), frontend tasks %s", self.backend.kind,
                 self.backend.name, self.frontend.name if self.frontend else "not served")

    async def stop(self) -> None:
        await self.backend.close()
        if self.frontend is not None:
            await self.frontend.close()

    # ------------------------------------------------------------------- replies

    async def reply(self, request: ReplyRequest, *, timeout: float | None = None) -> Reply:
        """Answer one turn.

        Args:
            timeout: seconds left before the caller's deadline (None: none).

        Raises:
            InvalidInput, Overloaded, FailedPrecondition: a request the API refuses.
            DeadlineExceeded: the deadline passed first.
            Unavailable: the model behind the backend cannot be reached.
        """
        started = time.perf_counter()
        try:
            self.check(request)
            with self._admitted(1):
                return await self._answer(request, started, timeout)
        except SweetError as exc:
            self._count_error(exc, request)
            raise

    async def reply_batch(self, items: Sequence[ReplyRequest | SweetError], *,
                          timeout: float | None = None) -> list[Reply | SweetError]:
        """Answer every item independently; failures come back in place, in order.

        An item may already be a `SweetError` (it could not be translated); it is
        returned as is.

        Raises:
            Overloaded: more items than ``max_batch_items``, or the queue is full.
        """
        started = time.perf_counter()
        if len(items) > self.settings.max_batch_items:
            raise Overloaded(f"items has {len(items)} entries; the limit is "
                             f"{self.settings.max_batch_items}")
        checked: list[ReplyRequest | SweetError] = []
        for item in items:
            if isinstance(item, SweetError):
                self._count_error(item, None)
            else:
                try:
                    self.check(item)
                except SweetError as exc:
                    self._count_error(exc, item)
                    item = exc
            checked.append(item)
        budget = None if timeout is None else max(0.0, timeout - batch_deadline_margin(timeout))
        with self._admitted(sum(not isinstance(x, SweetError) for x in checked)):
            return list(await asyncio.gather(*(self._item(x, started, budget) for x in checked)))

    async def _item(self, item: ReplyRequest | SweetError, started: float,
                    timeout: float | None) -> Reply | SweetError:
        if isinstance(item, SweetError):
            return item
        try:
            return await self._answer(item, started, timeout)
        except SweetError as exc:
            self._count_error(exc, item)
            return exc

    async def _answer(self, request: ReplyRequest, started: float,
                      timeout: float | None) -> Reply:
        loop = asyncio.get_running_loop()
        simulator = self.frontend if request.domain == "frontend" else self.backend
        assert simulator is not None  # check() refused frontend turns without a simulator
        kind = simulator.kind
        deadline = None if timeout is None else (
            loop.time() + timeout - (time.perf_counter() - started))
        cap = request.max_reply_chars or DEFAULT_REPLY_CHARS[request.domain or "backend"]
        request = replace(request, max_reply_chars=cap)  # the backends see the cap
        try:
            async with asyncio.timeout_at(deadline):
                self._set_waiting(+1)
                try:
                    await self._slots.acquire()
                finally:
                    self._set_waiting(-1)
                try:
                    text = await self._generate(request, deadline)
                finally:
                    self._slots.release()
        except TimeoutError:
            raise DeadlineExceeded("the deadline passed before the simulated human "
                                   "replied") from None
        text, truncated, chars = cap_reply(text, cap)
        latency = time.perf_counter() - started
        REPLIES.labels(kind).inc()
        REPLY_SECONDS.labels(kind).observe(latency)
        if truncated:
            TRUNCATED.labels(kind).inc()
        return Reply(text=text, truncated=truncated, untruncated_chars=chars,
                     backend=simulator.name, latency_seconds=latency)

    async def _generate(self, request: ReplyRequest, deadline: float | None) -> str:
        """The reply of the simulator of the request's domain (inside a slot)."""
        loop = asyncio.get_running_loop()
        if request.domain != "frontend":
            left = None if deadline is None else deadline - loop.time()
            return await self.backend.reply(request, timeout=left)
        assert self.frontend is not None
        screenshots = await asyncio.to_thread(decode_screenshots, request.frontend)
        left = None if deadline is None else deadline - loop.time()
        return await self.frontend.reply(request, screenshots, timeout=left)

    # ---------------------------------------------------------------- validation

    def check(self, request: ReplyRequest) -> None:
        """Raise the error the API gives for `request`, if any (see simulator.proto)."""
        s = self.settings
        hidden = request.hidden
        if request.domain is None:
            raise InvalidInput("domain is required: DOMAIN_BACKEND or DOMAIN_FRONTEND")
        if hidden is None:
            raise InvalidInput(f"hidden information is required: set {request.domain} "
                               f"(the domain is DOMAIN_{request.domain.upper()})")
        set_as = "backend" if isinstance(hidden, BackendHidden) else "frontend"
        if set_as != request.domain:
            raise InvalidInput(f"domain is DOMAIN_{request.domain.upper()} but the {set_as} "
                               f"hidden field is set: set {request.domain} instead")
        if isinstance(hidden, FrontendHidden) and self.frontend is None:
            raise FailedPrecondition("this server does not simulate frontend tasks (its "
                                     "config has frontend: none); send them to a simulator "
                                     "configured with frontend: scripted or vlm")
        self._check_size("problem_description", request.problem_description, s.max_problem_bytes)
        self._check_dialogue(request)
        if request.max_reply_chars < 0 or request.max_reply_chars > s.max_reply_chars:
            raise InvalidInput(f"max_reply_chars is {request.max_reply_chars}; it must be 0 "
                               f"(the domain's default) to {s.max_reply_chars}")
        if isinstance(hidden, FrontendHidden):
            self._check_frontend_hidden(hidden)
        else:
            self._check_backend_hidden(hidden)

    def _check_dialogue(self, request: ReplyRequest) -> None:
        s, dialogue = self.settings, request.dialogue
        if not dialogue:
            raise InvalidInput("dialogue is empty: it must end with the agent's turn to answer "
                               "(a ROLE_ASSISTANT message)")
        if len(dialogue) > s.max_dialogue_messages:
            raise Overloaded(f"dialogue has {len(dialogue)} messages; the limit is "
                             f"{s.max_dialogue_messages}")
        for i, m in enumerate(dialogue):
            if m.role == "system":
                raise InvalidInput(f"dialogue[{i}].role is ROLE_SYSTEM: the dialogue holds only "
                                   "the agent's (ROLE_ASSISTANT) and the human's (ROLE_USER) "
                                   "messages")
            self._check_size(f"dialogue[{i}].content", m.content, s.max_message_bytes)
        if dialogue[-1].role != "assistant":
            raise InvalidInput(f"dialogue must end with a ROLE_ASSISTANT message (the agent's "
                               f"turn to answer); dialogue[{len(dialogue) - 1}] is ROLE_USER")

    def _check_backend_hidden(self, hidden: BackendHidden) -> None:
        s, kind = self.settings, self.backend.kind
        self._check_size("backend.ground_truth", hidden.ground_truth, s.max_ground_truth_bytes)
        if self.backend.requires_ground_truth() and not hidden.ground_truth.strip():
            raise InvalidInput(f"backend.ground_truth is required: the {kind} simulator reads "
                               "the hidden code")
        if len(hidden.facts) > s.max_facts:
            raise Overloaded(f"backend.facts has {len(hidden.facts)} entries; the limit is "
                             f"{s.max_facts}")
        if self.backend.requires_facts() and not hidden.facts:
            raise InvalidInput(f"backend.facts is required: this server runs the {kind} "
                               "simulator, which answers from the task's hidden facts "
                               "(generated tasks carry them as hidden_facts)")
        for i, f in enumerate(hidden.facts):
            where = f"backend.facts[{i}]"
            self._check_size(f"{where}.name", f.name, MAX_FACT_NAME_BYTES)
            self._check_size(f"{where}.statement", f.statement, MAX_STATEMENT_BYTES)
            if len(f.keywords) > MAX_FACT_KEYWORDS:
                raise Overloaded(f"{where}.keywords has {len(f.keywords)} entries; the limit "
                                 f"is {MAX_FACT_KEYWORDS}")
            for j, k in enumerate(f.keywords):
                self._check_size(f"{where}.keywords[{j}]", k, MAX_KEYWORD_BYTES)

    def _check_frontend_hidden(self, hidden: FrontendHidden) -> None:
        """Sizes and PNG signatures; decoding comes later, in a worker thread."""
        if not hidden.target_png:
            raise InvalidInput("frontend.target_png is required: the PNG screenshot of the "
                               "target page")
        for field, png in (("target_png", hidden.target_png), ("agent_png", hidden.agent_png)):
            if len(png) > MAX_PNG_BYTES:
                raise Overloaded(f"frontend.{field} has {len(png)} bytes; the limit is "
                                 f"{MAX_PNG_BYTES}")
            if png and not png.startswith(PNG_SIGNATURE):
                raise InvalidInput(f"frontend.{field} is not a PNG image")
        for field, html in (("target_html", hidden.target_html),
                            ("agent_html", hidden.agent_html)):
            self._check_size(f"frontend.{field}", html, self.settings.max_html_bytes)

    @staticmethod
    def _check_size(field: str, text: str, limit: int) -> None:
        if utf8_len(text) > limit:
            raise Overloaded(f"{field} has {utf8_len(text)} bytes; the limit is {limit}")

    # ----------------------------------------------------------------- admission

    @contextlib.contextmanager
    def _admitted(self, n: int):
        limit = self.settings.max_pending_replies
        if n and self._pending + n > limit:
            raise Overloaded(f"server busy: {self._pending} replies in progress and {n} more "
                             f"asked, limit {limit}; retry with backoff")
        self._pending += n
        try:
            yield
        finally:
            self._pending -= n

    def _set_waiting(self, delta: int) -> None:
        self._waiting += delta
        self._queue_depth.set(self._waiting)

    def _kind(self, request: ReplyRequest | None) -> str:
        """Metrics label of the simulator that answers `request` ("none" when no
        frontend simulator is configured)."""
        if request is not None and request.domain == "frontend":
            return self.frontend.kind if self.frontend is not None else "none"
        return self.backend.kind

    def _count_error(self, exc: SweetError, request: ReplyRequest | None) -> None:
        REPLY_ERRORS.labels(self._kind(request), exc.code).inc()
