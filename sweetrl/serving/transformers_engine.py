"""The torch side of the transformers backend: one engine thread, one step loop.

Continuous batching. The engine keeps one batch of running sequences with a shared,
LEFT-padded KV cache (per layer ``[B, heads, L, d]``, appended in place by
`sweetrl.serving.kv_cache`) and a 2-D attention mask ``[B, L]`` in which padding
columns are 0. Each step feeds every running sequence its latest token with its own
position id, samples the next token per row (`sweetrl.serving.sampling`), and then:

* finished or cancelled sequences leave: their rows are dropped from the cache, and
  leading columns that have become padding for every row are trimmed;
* waiting requests join: their prompts are prefilled together (right-padded, then
  realigned, see `Engine._prefill`), each prompt's cache row is repeated for the
  request's n samples, and the new rows are merged into the batch by left-padding
  the shorter of the two caches with zeros (masked out).

A request that arrives while the engine is idle waits up to ``batch_wait_ms`` for
company; one that arrives while it is busy joins at the next step. Scoring requests
run between steps (`sweetrl.serving.transformers_scoring`). A checkpoint switch stops
admitting new requests, lets the running ones finish on the old model, then swaps.
An error in a step fails the requests in it (a prefill error only the joining ones);
the engine keeps serving.

Prefix reuse. The KV tensors of recent prompts are kept in a token-prefix cache
(`sweetrl.serving.prefix_cache`, ``prefix_cache_tokens``); a prompt that shares a
prefix with one of them (the next turn of a dialogue, the same context again) is
prefilled alone from a copy of that prefix's KV, encoding only the rest. Prompts
without a hit are prefilled together as above. The cache is emptied when the model
changes.

What it does NOT do: chunk long prefills, keep the KV of generated tokens for reuse
(only prompts are cached), or serve models whose KV cache is not a plain
full-attention ``DynamicLayer`` per layer (sliding-window / hybrid models are refused
at load time).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import torch

from sweetrl.errors import Overloaded, SweetError, Unavailable
from sweetrl.runtime.metrics import queue_depth
from sweetrl.serving import metrics
from sweetrl.serving.config import TransformersBackendConfig
from sweetrl.serving.kv_cache import growing_cache, select_rows, stacked_cache
from sweetrl.serving.loading import LoadedModel, kv_tensors
from sweetrl.serving.prefix_cache import PrefixCache
from sweetrl.serving.sampling import choose_tokens, find_stop
from sweetrl.serving.transformers_scoring import score_continuations
from sweetrl.serving.types import FinishReason, GenerationOutput, Sample, SamplingParams

__all__ = ["Engine", "GenJob", "ScoreJob"]

log = logging.getLogger(__name__)
BACKEND = "transformers"
_SEED_MIX = 0x9E3779B97F4A7C15  # spreads sample i of seed s away from seed s + 1


class _Job:
    """Work handed from the event loop to the engine thread; the result comes back
    through `future` (an asyncio future of `loop`)."""

    def __init__(self, loop: Any, future: Any) -> None:
        self.loop = loop
        self.future = future
        self.cancelled = False  # set from the event loop; read by the engine thread
        self.submitted = time.monotonic()

    def resolve(self, result: Any = None, error: BaseException | None = None) -> None:
        def settle() -> None:
            if self.future.done():
                return
            if error is not None:
                self.future.set_exception(error)
            else:
                self.future.set_result(result)

        try:
            self.loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass


class GenJob(_Job):
    """One generate call: a prompt and its n samples."""

    def __init__(self, loop: Any, future: Any, prompt: list[int], rendered: str,
                 params: SamplingParams) -> None:
        super().__init__(loop, future)
        self.prompt = prompt
        self.rendered = rendered
        self.params = params
        self.samples: list[Sample | None] = [None] * params.n
        self.remaining = params.n


class ScoreJob(_Job):
    """One score call: a context and continuations sharing it."""

    def __init__(self, loop: Any, future: Any, context: list[int],
                 continuations: list[list[int]]) -> None:
        super().__init__(loop, future)
        self.context = context
        self.continuations = continuations


@dataclass
class _Seq:
    job: GenJob
    index: int
    generator: torch.Generator | None
    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    text: str = ""
    stop_string: str = ""
    finish: FinishReason | None = None


class Engine:
    """Owns the model and runs all torch work on one thread (see the module docstring)."""

    def __init__(self, loaded: LoadedModel, config: TransformersBackendConfig) -> None:
        self.loaded = loaded
        self.config = config
        self._cond = threading.Condition()
        self._pending: deque[GenJob] = deque()
        self._scores: deque[ScoreJob] = deque()
        self._swap: tuple[LoadedModel, _Job] | None = None
        self._stopping = False
        self._queue_gauge = queue_depth(config.metrics_service)
        # Batch state, touched only by the engine thread.
        self._active: list[_Seq] = []
        self._cache: Any = None          # DynamicCache, rows aligned with _active
        self._mask: torch.Tensor | None = None    # [B, L] long, 0 = padding
        self._positions: torch.Tensor | None = None  # [B] position of the next input
        self._next: torch.Tensor | None = None    # [B] sampled token not yet in the cache
        self.prefixes = PrefixCache(config.prefix_cache_tokens)
        self._reset_prefixes = False  # set from the event loop, done by the engine thread
        self.steps = 0
        self.max_batch_observed = 0
        self._thread = threading.Thread(target=self._run, name="transformers-engine",
                                        daemon=True)

    # ------------------------------------------------------------ event-loop side

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: GenJob | ScoreJob) -> None:
        """Queue a job. Raises `Overloaded` when ``max_queue`` jobs are waiting."""
        with self._cond:
            if self._stopping:
                raise Unavailable("the model backend is shutting down")
            waiting = len(self._pending) + len(self._scores)
            if waiting >= self.config.max_queue:
                raise Overloaded(f"the model engine has {waiting} requests waiting "
                                 f"(max_queue={self.config.max_queue}); retry later")
            (self._pending if isinstance(job, GenJob) else self._scores).append(job)
            self._queue_gauge.set(waiting + 1)
            self._cond.notify()

    def cancel(self, job: GenJob | ScoreJob) -> None:
        """Drop a job: removed from the queue, or its sequences leave the batch."""
        with self._cond:
            job.cancelled = True
            for queue in (self._pending, self._scores):
                try:
                    queue.remove(job)  # type: ignore[arg-type]
                except ValueError:
                    continue
            self._queue_gauge.set(len(self._pending) + len(self._scores))
            self._cond.notify()

    def request_swap(self, loaded: LoadedModel, job: _Job) -> None:
        """Serve `loaded` once the running sequences finish; `job` resolves then."""
        with self._cond:
            if self._swap is not None:
                self._swap[1].resolve(error=Unavailable("superseded by a newer load"))
            self._swap = (loaded, job)
            self._cond.notify()

    def request_prefix_reset(self) -> None:
        """Empty the prefix cache before the next admission."""
        with self._cond:
            self._reset_prefixes = True
            self._cond.notify()

    def stop(self) -> None:
        """Stop the thread; waiting and running jobs fail with UNAVAILABLE."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join()

    @property
    def queued(self) -> int:
        return len(self._pending) + len(self._scores)

    @property
    def running(self) -> int:
        return len(self._active)

    # --------------------------------------------------------------- engine side

    def _run(self) -> None:
        with torch.inference_mode():
            while self._wait_for_work():
                try:
                    self._iteration()
                except Exception as e:  # noqa: BLE001 - fail the batch, keep serving
                    log.exception("engine step failed; failing the running requests")
                    self._fail_active(e)
        self._shutdown()

    def _wait_for_work(self) -> bool:
        with self._cond:
            while not (self._stopping or self._pending or self._scores or self._swap
                       or self._active):
                self._cond.wait()
            if self._stopping:
                return False
            if not self._active and self._pending and self.config.batch_wait_ms > 0:
                deadline = self._pending[0].submitted + self.config.batch_wait_ms / 1000
                while (not self._stopping and self._pending_seqs() < self.config.max_batch_size
                       and (left := deadline - time.monotonic()) > 0):
                    self._cond.wait(left)
            return not self._stopping

    def _pending_seqs(self) -> int:
        return sum(job.params.n for job in self._pending)

    def _iteration(self) -> None:
        while True:
            with self._cond:
                job = self._scores.popleft() if self._scores else None
                self._queue_gauge.set(self.queued)
            if job is None:
                break
            self._run_score(job)
        with self._cond:
            swap = self._swap
            if swap is not None and not self._active:
                self._swap = None
        if swap is not None and not self._active:
            self.loaded = swap[0]
            self._reset_batch()
            self.prefixes.clear()
            swap[1].resolve(None)
        with self._cond:
            reset, self._reset_prefixes = self._reset_prefixes, False
        if reset:
            self.prefixes.clear()
        self._drop_cancelled()
        if self._swap is None:
            self._admit()
        if self._active:
            self._decode_step()

    def _admit(self) -> None:
        room, admitted = self.config.max_batch_size - len(self._active), []
        with self._cond:
            while self._pending and self._pending[0].params.n <= room:
                job = self._pending.popleft()
                room -= job.params.n
                admitted.append(job)
            self._queue_gauge.set(self.queued)
        misses = []
        for job in admitted:
            hit = self.prefixes.lookup(job.prompt)
            if hit is None:
                misses.append(job)
            else:
                self._prefill_or_fail([job], hit)
        # Similar lengths together: right padding wastes less compute.
        misses.sort(key=lambda job: len(job.prompt))
        group: list[GenJob] = []
        for job in misses:
            if group and (len(group) + 1) * len(job.prompt) > self.config.prefill_batch_tokens:
                self._prefill_or_fail(group)
                group = []
            group.append(job)
        if group:
            self._prefill_or_fail(group)

    def _prefill_or_fail(self, jobs: list[GenJob], hit: tuple[int, Any] | None = None) -> None:
        try:
            prefilled = self._prefill(jobs) if hit is None else self._prefill_from(jobs[0], *hit)
        except Exception as e:  # noqa: BLE001 - e.g. out of memory: only these requests fail
            log.exception("prefill failed; failing %d requests", len(jobs))
            for job in jobs:
                job.resolve(error=e)
            return
        if prefilled is not None:
            self._merge(*prefilled)

    def _prefill(self, jobs: list[GenJob]) -> tuple | None:
        """Encode the prompts of `jobs` in one forward pass and sample their first
        tokens; return the rows to `_merge` into the batch (None if all finished).

        Prompts are RIGHT-padded here: causal attention keeps real tokens from seeing
        the padding after them, and no query row is fully masked (which would give
        NaNs that leak through the cache). Each row is then rolled so that its real
        tokens end at the right edge, the batch's left-padded layout.
        """
        loaded = self.loaded
        device = loaded.device
        lengths = [len(job.prompt) for job in jobs]
        width = max(lengths)
        ids = torch.full((len(jobs), width), loaded.pad_id, dtype=torch.long)
        for row, job in enumerate(jobs):
            ids[row, :len(job.prompt)] = torch.tensor(job.prompt)
        last = torch.tensor(lengths) - 1
        wanted = torch.unique(last)  # sorted: logits only where some prompt ends
        cache = loaded.new_cache()
        out = loaded.model(input_ids=ids.to(device), past_key_values=cache, use_cache=True,
                           logits_to_keep=wanted.to(device))
        columns = torch.searchsorted(wanted, last).to(device)
        logits = out.logits[torch.arange(len(jobs), device=device), columns]
        metrics.PROMPT_TOKENS.labels(BACKEND).inc(sum(lengths))
        kv = kv_tensors(cache)
        for row, job in enumerate(jobs):
            self.prefixes.insert(job.prompt, [(k[row:row + 1, :, :lengths[row]].clone(),
                                               v[row:row + 1, :, :lengths[row]].clone())
                                              for k, v in kv])
        return self._first_tokens(jobs, logits, kv, lengths)

    def _prefill_from(self, job: GenJob, reused: int, prefix_kv: list) -> tuple | None:
        """`_prefill` for one prompt whose first `reused` tokens' KV is cached: only
        the rest of the prompt runs through the model."""
        loaded = self.loaded
        device = loaded.device
        cache = loaded.cache_from([(k[:, :, :reused], v[:, :, :reused]) for k, v in prefix_kv])
        ids = torch.tensor([job.prompt[reused:]], device=device)
        out = loaded.model(input_ids=ids, past_key_values=cache, use_cache=True,
                           logits_to_keep=1)
        metrics.PROMPT_TOKENS.labels(BACKEND).inc(len(job.prompt) - reused)
        metrics.PREFIX_REUSED_TOKENS.labels(BACKEND).inc(reused)
        kv = kv_tensors(cache)
        self.prefixes.insert(job.prompt, [(k.clone(), v.clone()) for k, v in kv])
        return self._first_tokens([job], out.logits[:, -1], kv, [len(job.prompt)])

    def _first_tokens(self, jobs: list[GenJob], logits: torch.Tensor, kv: list,
                      lengths: list[int]) -> tuple | None:
        """Sample each prompt's n first tokens from its last-position `logits`; the
        prompts' KV `kv` is right-padded to ``max(lengths)``."""
        device = self.loaded.device
        width = max(lengths)
        seqs, rows = [], []
        for row, job in enumerate(jobs):
            params = job.params
            for i in range(params.n):
                seqs.append(_Seq(job, i, _generator(params.seed, i, params.temperature)))
                rows.append(row)
        self._sample(seqs, logits.index_select(0, torch.tensor(rows, device=device)))
        now = time.monotonic()
        for job in jobs:
            metrics.TIME_TO_FIRST_TOKEN.labels(BACKEND).observe(now - job.submitted)
        for seq in seqs:
            if seq.finish is not None:
                self._finish(seq)
        keep = [i for i, seq in enumerate(seqs) if seq.finish is None]
        if not keep:
            return None
        shift = width - torch.tensor(lengths, device=device)  # left padding of each row
        source = (torch.arange(width, device=device)[None, :] - shift[:, None]) % width
        mask = (torch.arange(width, device=device)[None, :] >= shift[:, None]).long()
        select = torch.tensor([rows[i] for i in keep], device=device)
        rolled = []
        for keys, values in kv:
            index = source[:, None, :, None].expand_as(keys)
            rolled.append((keys.gather(2, index).index_select(0, select),
                           values.gather(2, index).index_select(0, select)))
        positions = torch.tensor([lengths[rows[i]] for i in keep], device=device)
        next_tokens = torch.tensor([seqs[i].tokens[-1] for i in keep], device=device)
        return [seqs[i] for i in keep], rolled, mask.index_select(0, select), positions, next_tokens

    def _merge(self, seqs: list[_Seq], kv: list[tuple[torch.Tensor, torch.Tensor]],
               mask: torch.Tensor, positions: torch.Tensor, next_tokens: torch.Tensor) -> None:
        if not self._active:
            self._active = list(seqs)
            self._cache = growing_cache(kv)
            self._mask, self._positions, self._next = mask, positions, next_tokens
            return
        width = max(self._mask.shape[1], mask.shape[1])
        self._cache = stacked_cache([kv_tensors(self._cache), kv])
        self._mask = torch.cat([_left_pad_mask(self._mask, width), _left_pad_mask(mask, width)])
        self._positions = torch.cat([self._positions, positions])
        self._next = torch.cat([self._next, next_tokens])
        self._active.extend(seqs)

    def _decode_step(self) -> None:
        loaded, batch = self.loaded, len(self._active)
        self.steps += 1
        self.max_batch_observed = max(self.max_batch_observed, batch)
        metrics.BATCH_SIZE.labels(BACKEND).observe(batch)
        ones = torch.ones(batch, 1, dtype=torch.long, device=loaded.device)
        self._mask = torch.cat([self._mask, ones], dim=1)
        out = loaded.model(input_ids=self._next[:, None], attention_mask=self._mask,
                           position_ids=self._positions[:, None],
                           past_key_values=self._cache, use_cache=True)
        self._positions = self._positions + 1
        self._sample(self._active, out.logits[:, -1, :])
        self._next = torch.tensor([seq.tokens[-1] for seq in self._active],
                                  device=loaded.device)
        self._drop(lambda seq: seq.finish is not None)

    def _sample(self, seqs: list[_Seq], logits: torch.Tensor) -> None:
        """Choose each sequence's next token, append it, and mark finished ones."""
        device = logits.device
        temperature = torch.tensor([s.job.params.temperature for s in seqs], device=device)
        top_k = torch.tensor([s.job.params.top_k for s in seqs], device=device)
        top_p = torch.tensor([s.job.params.top_p for s in seqs], device=device)
        uniform = torch.tensor([
            torch.rand((), generator=s.generator).item() if s.generator is not None else 0.0
            for s in seqs], device=device)
        tokens, logprobs = choose_tokens(logits, temperature, top_k, top_p, uniform)
        metrics.GENERATED_TOKENS.labels(BACKEND).inc(len(seqs))
        for seq, token, logprob in zip(seqs, tokens.tolist(), logprobs.tolist()):
            seq.tokens.append(token)
            seq.logprobs.append(logprob)
            self._check_finished(seq)

    def _check_finished(self, seq: _Seq) -> None:
        params, loaded = seq.job.params, self.loaded
        if seq.tokens[-1] in loaded.eos_ids:
            seq.finish = FinishReason.STOP
            return
        text = loaded.decode(seq.tokens) if params.stop or params.max_chars else ""
        if params.stop:
            hit = find_stop(text, params.stop)
            if hit is not None:
                seq.finish, seq.text, seq.stop_string = FinishReason.STOP, text[:hit[0]], hit[1]
                return
        if (len(seq.tokens) >= params.max_tokens
                or len(seq.job.prompt) + len(seq.tokens) >= loaded.max_model_len
                or (params.max_chars and len(text) >= params.max_chars)):
            seq.finish = FinishReason.LENGTH

    def _finish(self, seq: _Seq) -> None:
        job = seq.job
        if job.cancelled:
            return
        text = seq.text if seq.stop_string else self.loaded.decode(seq.tokens)
        job.samples[seq.index] = Sample(
            index=seq.index, text=text, token_ids=list(seq.tokens),
            token_logprobs=list(seq.logprobs) if job.params.logprobs else [],
            finish_reason=seq.finish or FinishReason.ABORT, stop_string=seq.stop_string)
        job.remaining -= 1
        if job.remaining == 0:
            job.resolve(GenerationOutput(samples=list(job.samples),  # type: ignore[arg-type]
                                         prompt_tokens=len(job.prompt),
                                         rendered_prompt=job.rendered))

    def _drop_cancelled(self) -> None:
        if any(seq.job.cancelled for seq in self._active):
            self._drop(lambda seq: seq.job.cancelled)

    def _drop(self, leaves) -> None:
        """Remove the rows for which `leaves(seq)` holds, finishing them."""
        keep = [i for i, seq in enumerate(self._active) if not leaves(seq)]
        if len(keep) == len(self._active):
            return
        for seq in self._active:
            if leaves(seq):
                self._finish(seq)
        if not keep:
            self._reset_batch()
            return
        rows = torch.tensor(keep, device=self.loaded.device)
        mask = self._mask.index_select(0, rows)
        # Columns that are padding in every remaining row are dead weight: trim them.
        first = int(mask.any(dim=0).int().argmax())
        self._cache = select_rows(kv_tensors(self._cache), keep, first)
        self._mask = mask[:, first:]
        self._positions = self._positions.index_select(0, rows)
        self._next = self._next.index_select(0, rows)
        self._active = [self._active[i] for i in keep]

    def _reset_batch(self) -> None:
        self._active, self._cache = [], None
        self._mask = self._positions = self._next = None

    def _run_score(self, job: ScoreJob) -> None:
        if job.cancelled:
            return
        try:
            result = score_continuations(self.loaded, job.context, job.continuations,
                                         self.config.score_batch_tokens, lambda: job.cancelled)
        except Exception as e:  # noqa: BLE001 - the caller gets the error
            if not isinstance(e, SweetError):
                log.exception("scoring failed")
            job.resolve(error=e)
            return
        job.resolve(result)

    def _fail_active(self, error: BaseException) -> None:
        for job in {id(seq.job): seq.job for seq in self._active}.values():
            job.resolve(error=error)
        self._reset_batch()

    def _shutdown(self) -> None:
        error = Unavailable("the model backend is shutting down")
        self._fail_active(error)
        with self._cond:
            jobs: list[_Job] = [*self._pending, *self._scores]
            if self._swap is not None:
                jobs.append(self._swap[1])
            self._pending.clear()
            self._scores.clear()
            self._swap = None
            self._queue_gauge.set(0)
        for job in jobs:
            job.resolve(error=error)


def _generator(seed: int | None, index: int, temperature: float) -> torch.Generator | None:
    if temperature <= 0:
        return None
    if seed is None:
        seed = random.SystemRandom().getrandbits(62)
    generator = torch.Generator()  # CPU: one draw per step, identical on every device
    generator.manual_seed((seed + index * _SEED_MIX) % (1 << 63))
    return generator


def _left_pad_mask(mask: torch.Tensor, width: int) -> torch.Tensor:
    missing = width - mask.shape[1]
    return torch.nn.functional.pad(mask, (missing, 0)) if missing else mask
