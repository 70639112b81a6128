"""Service logic of the policy server: validation, prompt rendering, fan-out, checkpoints.

No gRPC here: the servicer translates protos to the domain requests below, and the
engine sits behind :class:`sweetrl.serving.backend.Backend`. Per request this layer
checks the limits, renders chats with the model's template, tokenizes, sends every
prompt of the batch to the backend concurrently (the backend batches them), and
turns a prompt-level failure (too long for the context...) into an error for that
prompt alone.

Checkpoint switches: requests already admitted finish on the weights they started
with; requests arriving during a load wait for it (UNAVAILABLE when their deadline
is shorter); a failed load leaves the current model serving.

What this module does NOT do: batching or KV-cache management (the backend's job),
or token-by-token streaming (see `PolicyService.generate_stream`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal

from prometheus_client import Counter, Histogram

from services.policy.config import PolicyLimits
from services.policy.prompts import (Prompt, encode, encode_continuation, encode_prompt,
                                     end_of_turn_ids, has_chat_template, render_chat, utf8_len)
from sweetrl.errors import (FailedPrecondition, InvalidInput, NotFound, Overloaded, SweetError,
                            Unavailable)
from sweetrl.serving.backend import Backend
from sweetrl.serving.types import (ContinuationScore, GenerationInput, GenerationOutput, ModelInfo,
                                   SamplingParams, ScoreInput)

log = logging.getLogger(__name__)

# Token counts (tokens/s), batch size, time to first token and queue depth are
# recorded by the backend (sweetrl.serving.metrics); these are request-level.
SAMPLES = Counter("sweet_policy_samples_total", "Samples finished, by finish reason.",
                  ["finish_reason"])
PROMPT_ERRORS = Counter("sweet_policy_prompt_errors_total",
                        "Prompts of a batch answered with an item error, by status code.", ["code"])
ENGINE_SECONDS = Histogram(
    "sweet_policy_engine_seconds", "Seconds one prompt's samples took in the engine (queue included).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
LOAD_SECONDS = Histogram("sweet_policy_checkpoint_load_seconds", "Seconds per successful LoadCheckpoint.",
                         buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600))


# ------------------------------------------------------------------ domain requests


@dataclass(frozen=True)
class GenerateRequest:
    """Prompts sampled with one set of parameters.

    ``params.max_tokens == 0`` means the server's default; ``params.logprobs`` says
    whether the caller wants per-token logprobs back (the engine always computes
    them, since the mean is always returned).
    """

    prompts: tuple[Prompt, ...]
    params: SamplingParams
    adapter: str = ""


@dataclass(frozen=True)
class ScoreRequest:
    """Continuations of one shared context (raw text or a chat)."""

    context: Prompt
    continuations: tuple[str, ...]
    score_end_of_turn: bool = False
    adapter: str = ""


@dataclass(frozen=True)
class LoadRequest:
    """A checkpoint to switch to: full weights (``kind="full"``) or a LoRA adapter."""

    uri: str
    kind: Literal["full", "adapter"] = "full"
    base_model: str = ""
    adapter_name: str = ""
    expected_revision: str = ""


@dataclass(frozen=True)
class ServedModel:
    """Which weights served a request."""

    model_name: str
    revision: str
    adapter: str
    adapter_revision: str
    generation: int


PromptOutcome = GenerationOutput | SweetError


@dataclass
class GenerateResult:
    results: list[PromptOutcome]
    model: ServedModel


@dataclass
class ScoreResult:
    scores: list[ContinuationScore]
    context_tokens: int
    rendered_context: str
    model: ServedModel


@dataclass(frozen=True)
class StreamEvent:
    """One prompt's outcome in a stream, in completion order."""

    prompt_index: int
    outcome: PromptOutcome
    model: ServedModel


@dataclass
class _Job:
    items: list[GenerationInput | SweetError]
    model: ServedModel


# ------------------------------------------------------------------------- service


class PolicyService:
    """Serves one backend to many concurrent callers; started/stopped with the server."""

    name = "policy"

    def __init__(self, backend: Backend, limits: PolicyLimits, *, default_max_tokens: int):
        self.backend = backend
        self.limits = limits
        self.default_max_tokens = default_max_tokens
        self.generation = 0
        """Successful LoadCheckpoint calls since start (ModelInfo.generation)."""
        self._pending = 0
        self._ready = asyncio.Event()
        self._ready.set()
        self._load_lock = asyncio.Lock()

    async def start(self) -> None:
        await self.backend.start()
        info = self.backend.info()
        log.info("policy model %s (%s, revision %s, max_model_len %d)", info.model_name,
                 info.backend, info.revision[:12], info.max_model_len)

    async def stop(self) -> None:
        await self.backend.close()

    # --------------------------------------------------------------------- info

    def info(self) -> ModelInfo:
        """The backend's ModelInfo with this service's generation counter."""
        return dataclasses.replace(self.backend.info(), generation=self.generation)

    @property
    def prompt_token_limit(self) -> int:
        """Longest prompt accepted, in tokens (at least one token must fit after it)."""
        room = self.backend.info().max_model_len - 1
        return min(room, self.limits.max_prompt_tokens) if self.limits.max_prompt_tokens else room

    def _served(self, adapter: str) -> ServedModel:
        info = self.backend.info()
        name = adapter or info.active_adapter
        if name and name not in info.adapters:
            raise NotFound(f"adapter {name!r} is not loaded; loaded adapters: "
                           f"{', '.join(info.adapters) or 'none'}")
        return ServedModel(model_name=info.model_name, revision=info.revision, adapter=name,
                           adapter_revision="", generation=self.generation)

    # ----------------------------------------------------------------- generate

    async def generate(self, request: GenerateRequest, *,
                       timeout: float | None = None) -> GenerateResult:
        """Every sample of every prompt; prompt-level failures are SweetErrors in place.

        Args:
            timeout: seconds the caller still has (its deadline); bounds the wait for
                a checkpoint that is loading.
        """
        job = await self._admit(request, timeout)
        async with self._pending_prompts(job):
            results = await asyncio.gather(*(self._run(item) for item in job.items))
        return GenerateResult(results=list(results), model=job.model)

    async def generate_stream(self, request: GenerateRequest, *,
                              timeout: float | None = None) -> AsyncIterator[StreamEvent]:
        """Each prompt's samples as soon as that prompt has finished.

        The backend interface has no token streaming, so a prompt's samples arrive
        whole, in the order prompts finish; the servicer sends one chunk per sample.
        Closing the iterator (client cancelled) cancels the unfinished prompts.
        TODO(vllm): stream tokens from the vLLM backend's async engine.
        """
        job = await self._admit(request, timeout)
        async with self._pending_prompts(job):
            tasks: dict[asyncio.Future[PromptOutcome], int] = {
                asyncio.ensure_future(self._run(item)): i for i, item in enumerate(job.items)}
            try:
                pending = set(tasks)
                while pending:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for fut in sorted(done, key=tasks.__getitem__):
                        yield StreamEvent(tasks[fut], fut.result(), job.model)
            finally:
                for fut in tasks:
                    fut.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, item: GenerationInput | SweetError) -> PromptOutcome:
        if isinstance(item, SweetError):
            PROMPT_ERRORS.labels(item.code).inc()
            return item
        started = time.perf_counter()
        try:
            out = await self.backend.generate(item)
        except SweetError as exc:
            PROMPT_ERRORS.labels(exc.code).inc()
            return exc
        ENGINE_SECONDS.observe(time.perf_counter() - started)
        for s in out.samples:
            SAMPLES.labels(s.finish_reason.value).inc()
        return out

    async def _admit(self, request: GenerateRequest, timeout: float | None) -> _Job:
        self._check_generate(request)
        await self._wait_ready(timeout)
        model = self._served(request.adapter)
        tokenizer = self.backend.tokenizer
        max_len = self.backend.info().max_model_len
        params = dataclasses.replace(request.params, n=request.params.n or 1, logprobs=True)
        if params.max_tokens > max_len - 1:
            raise InvalidInput(f"sampling.max_tokens is {params.max_tokens}; the model's "
                               f"context (max_model_len) is {max_len} tokens")
        items: list[GenerationInput | SweetError] = []
        for i, prompt in enumerate(request.prompts):
            where = f"prompts[{i}]"
            rendered, ids = encode_prompt(tokenizer, prompt, where)
            if not ids:
                items.append(InvalidInput(f"{where} renders to no tokens"))
            elif len(ids) > self.prompt_token_limit:
                items.append(InvalidInput(
                    f"{where} has {len(ids)} tokens; the limit is {self.prompt_token_limit} "
                    f"(max_model_len {max_len})"))
            elif params.max_tokens and len(ids) + params.max_tokens > max_len:
                items.append(InvalidInput(
                    f"{where} has {len(ids)} tokens and sampling.max_tokens is "
                    f"{params.max_tokens}: together more than max_model_len {max_len}"))
            else:
                # The default length shrinks to what fits; an explicit one never does.
                max_tokens = params.max_tokens or min(self.default_max_tokens, max_len - len(ids))
                items.append(GenerationInput(
                    prompt_token_ids=ids, rendered_prompt=rendered,
                    params=dataclasses.replace(params, max_tokens=max_tokens),
                    adapter=model.adapter))
        return _Job(items=items, model=model)

    def _check_generate(self, request: GenerateRequest) -> None:
        lim, p = self.limits, request.params
        if not request.prompts:
            raise InvalidInput("prompts is empty: send at least one prompt")
        if len(request.prompts) > lim.max_prompts_per_request:
            raise Overloaded(f"prompts has {len(request.prompts)} entries; the limit is "
                             f"{lim.max_prompts_per_request} per request")
        if not 0.0 <= p.temperature <= 2.0 or math.isnan(p.temperature):
            raise InvalidInput(f"sampling.temperature must be in [0, 2], got {p.temperature}")
        if not 0.0 <= p.top_p <= 1.0 or math.isnan(p.top_p):
            raise InvalidInput(f"sampling.top_p must be in [0, 1], got {p.top_p}")
        for name in ("top_k", "max_tokens", "n", "max_chars"):
            if getattr(p, name) < 0:
                raise InvalidInput(f"sampling.{name} must be >= 0, got {getattr(p, name)}")
        n = p.n or 1
        if n > lim.max_n:
            raise Overloaded(f"sampling.n is {n}; the limit is {lim.max_n} samples per prompt")
        if n * len(request.prompts) > lim.max_samples_per_request:
            raise Overloaded(f"{len(request.prompts)} prompts x n={n} samples is more than the "
                             f"limit of {lim.max_samples_per_request} samples per request")
        if len(p.stop) > lim.max_stop_strings:
            raise Overloaded(f"sampling.stop has {len(p.stop)} strings; the limit is "
                             f"{lim.max_stop_strings}")
        for i, s in enumerate(p.stop):
            if not s:
                raise InvalidInput(f"sampling.stop[{i}] is empty")
            if len(s) > lim.max_stop_chars:
                raise Overloaded(f"sampling.stop[{i}] has {len(s)} characters; the limit is "
                                 f"{lim.max_stop_chars}")
        for i, prompt in enumerate(request.prompts):
            self._check_prompt(prompt, f"prompts[{i}].text", f"prompts[{i}].chat")

    def _check_prompt(self, prompt: Prompt, text_field: str, chat_field: str) -> None:
        lim = self.limits
        if not prompt.is_chat:
            if not prompt.text:
                raise InvalidInput(f"{text_field} is empty")
            if utf8_len(prompt.text) > lim.max_prompt_bytes:
                raise Overloaded(f"{text_field} has {utf8_len(prompt.text)} bytes; the limit is "
                                 f"{lim.max_prompt_bytes}")
            return
        messages = prompt.messages or ()
        if not messages:
            raise InvalidInput(f"{chat_field} has no messages")
        if len(messages) > lim.max_messages:
            raise Overloaded(f"{chat_field} has {len(messages)} messages; the limit is "
                             f"{lim.max_messages}")
        for j, m in enumerate(messages):
            if utf8_len(m.content) > lim.max_message_bytes:
                raise Overloaded(f"{chat_field}.messages[{j}].content has {utf8_len(m.content)} "
                                 f"bytes; the limit is {lim.max_message_bytes}")
            if m.images:
                raise InvalidInput(f"{chat_field}.messages[{j}] has images, but the served "
                                   "model is not multimodal")

    # -------------------------------------------------------------------- score

    async def score(self, request: ScoreRequest, *, timeout: float | None = None) -> ScoreResult:
        """Per-token logprobs of each continuation after the shared context."""
        lim = self.limits
        if not request.continuations:
            raise InvalidInput("continuations is empty: send at least one continuation")
        if len(request.continuations) > lim.max_continuations:
            raise Overloaded(f"continuations has {len(request.continuations)} entries; the "
                             f"limit is {lim.max_continuations}")
        for i, c in enumerate(request.continuations):
            if utf8_len(c) > lim.max_continuation_bytes:
                raise Overloaded(f"continuations[{i}] has {utf8_len(c)} bytes; the limit is "
                                 f"{lim.max_continuation_bytes}")
        if request.score_end_of_turn and not request.context.is_chat:
            raise InvalidInput("score_end_of_turn needs context_chat (raw text has no turns)")
        self._check_prompt(request.context, "context_text", "context_chat")
        await self._wait_ready(timeout)
        model = self._served(request.adapter)
        tokenizer = self.backend.tokenizer
        max_len = self.backend.info().max_model_len
        rendered, context_ids = encode_prompt(tokenizer, request.context, "context_chat")
        if not context_ids:
            raise InvalidInput("context renders to no tokens; nothing to score after")
        eot = end_of_turn_ids(tokenizer) if request.score_end_of_turn else ()
        continuations = tuple(encode_continuation(tokenizer, c, eot) for c in request.continuations)
        for i, ids in enumerate(continuations):
            if len(context_ids) + len(ids) > max_len:
                raise InvalidInput(f"continuations[{i}] ({len(ids)} tokens) after the context "
                                   f"({len(context_ids)} tokens) exceeds max_model_len {max_len}")
        scores = await score_input(self.backend, ScoreInput(
            context_token_ids=context_ids, continuations=continuations, adapter=model.adapter))
        return ScoreResult(scores=list(scores), context_tokens=len(context_ids),
                           rendered_context=rendered, model=model)

    # --------------------------------------------------------------- checkpoints

    async def load_checkpoint(self, request: LoadRequest) -> tuple[ModelInfo, float]:
        """Switch weights; returns the new info and the seconds spent loading.

        Loads are serialised. While one runs, new requests wait (see `_wait_ready`);
        admitted ones finish on the old weights. On any failure the old model stays.
        """
        if not request.uri.strip():
            raise InvalidInput("uri is empty: name a checkpoint folder, .gguf file or URI")
        if utf8_len(request.uri) > self.limits.max_uri_bytes:
            raise Overloaded(f"uri has {utf8_len(request.uri)} bytes; the limit is "
                             f"{self.limits.max_uri_bytes}")
        if request.kind == "full" and (request.adapter_name or request.base_model):
            raise InvalidInput("adapter_name and base_model are only for kind ADAPTER")
        adapter_name = ""
        if request.kind == "adapter":
            adapter_name = request.adapter_name or _adapter_name_from(request.uri)
        async with self._load_lock:
            self._ready.clear()
            started = time.perf_counter()
            try:
                await self.backend.load(request.uri, adapter_name=adapter_name,
                                        base_model=request.base_model,
                                        expected_revision=request.expected_revision)
            except SweetError:
                raise
            except Exception as exc:  # the backend should raise SweetErrors; be safe
                log.exception("loading checkpoint %s failed", request.uri)
                raise FailedPrecondition(f"cannot load checkpoint {request.uri!r} "
                                         f"({type(exc).__name__}); the previous model is "
                                         "still serving") from None
            finally:
                self._ready.set()
            seconds = time.perf_counter() - started
            self.generation += 1
        LOAD_SECONDS.observe(seconds)
        info = self.info()
        log.info("loaded %s (revision %s, generation %d) in %.1f s", request.uri,
                 info.revision[:12], info.generation, seconds)
        return info, seconds

    async def _wait_ready(self, timeout: float | None) -> None:
        if self._ready.is_set():
            return
        try:
            # Leave the caller a moment to receive the answer before its deadline.
            wait = None if timeout is None else max(0.0, timeout - 0.05)
            await asyncio.wait_for(self._ready.wait(), wait)
        except asyncio.TimeoutError:
            raise Unavailable("a checkpoint is loading; retry shortly or with a longer "
                              "deadline") from None

    @contextlib.asynccontextmanager
    async def _pending_prompts(self, job: _Job):
        count = sum(1 for item in job.items if not isinstance(item, SweetError))
        if self._pending + count > self.limits.max_pending_prompts:
            raise Overloaded(f"server busy: {self._pending} prompts in progress, limit "
                             f"{self.limits.max_pending_prompts}; retry with backoff")
        self._pending += count
        try:
            yield
        finally:
            self._pending -= count


async def score_input(backend: Backend, request: ScoreInput) -> list[ContinuationScore]:
    """``backend.score`` with empty continuations answered here (no tokens, nothing to run).

    Keeps engines from having to handle zero-length rows (the transformers engine
    fails on them).
    """
    keep = [i for i, c in enumerate(request.continuations) if c]
    scores: list[ContinuationScore] = [ContinuationScore(token_ids=[], token_logprobs=[])
                                       for _ in request.continuations]
    if keep:
        scored = await backend.score(dataclasses.replace(
            request, continuations=tuple(request.continuations[i] for i in keep)))
        for i, score in zip(keep, scored):
            scores[i] = score
    return scores


def _adapter_name_from(uri: str) -> str:
    """``s3://b/runs/step-100/`` -> ``step-100``."""
    return uri.rstrip("/").rsplit("/", 1)[-1] or "adapter"


def mean_or_zero(values: Sequence[float]) -> float:
    """Mean of token logprobs as the API reports it: 0 when there are none."""
    return math.fsum(values) / len(values) if values else 0.0
