"""The plain-transformers backend: dynamic (continuous) batching on CPU or one GPU.

`TransformersBackend` validates requests on the event loop and hands them to an
`~sweetrl.serving.transformers_engine.Engine`, whose single thread runs every torch
operation: a step loop in which sequences of different requests decode together,
finished ones leave and new ones join between steps (see that module for the KV-cache
layout). Scoring encodes a shared context once and reuses its KV cache for all
continuations. `load` prepares a new checkpoint off the loop while the old one keeps
serving, then swaps between steps.

This module imports no torch at import time; the engine is imported by `start`.

What it does NOT do: tensor parallelism, prefix caching across requests, or serve
several LoRA adapters at once (one adapter, merged into the weights, replaces the
served model; the vllm backend serves many).
"""

from __future__ import annotations

import asyncio
import importlib.util
import math
from typing import Any

from sweetrl.errors import FailedPrecondition, InvalidInput
from sweetrl.models.refs import resolve
from sweetrl.serving.backend import Backend
from sweetrl.serving.config import TransformersBackendConfig
from sweetrl.serving.types import (ContinuationScore, GenerationInput, GenerationOutput,
                                   ModelInfo, ScoreInput)

__all__ = ["TransformersBackend"]


class TransformersBackend(Backend):
    """Serve one model with transformers + torch (see the module docstring).

    Args:
        config: engine settings; the defaults serve the embedded SmolLM2 on the CPU.
    """

    name = "transformers"

    def __init__(self, config: TransformersBackendConfig | None = None) -> None:
        self.config = config or TransformersBackendConfig()
        self._engine: Any = None
        self._generation = 0
        self._load_lock = asyncio.Lock()

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Resolve and load ``config.model`` (converting the builtin on first use)."""
        if self._engine is not None:
            return
        resolved = await asyncio.to_thread(resolve, self.config.model)
        loaded = await asyncio.to_thread(self._load_first, resolved)
        from sweetrl.serving.transformers_engine import Engine

        engine = Engine(loaded, self.config)
        engine.start()
        self._engine = engine

    def _load_first(self, resolved: Any) -> Any:
        import torch

        from sweetrl.serving.loading import load_model

        if self.config.torch_threads:
            torch.set_num_threads(self.config.torch_threads)
        return load_model(resolved, self.config)

    async def close(self) -> None:
        """Stop the engine; waiting and running calls fail with UNAVAILABLE."""
        engine, self._engine = self._engine, None
        if engine is not None:
            await asyncio.to_thread(engine.stop)

    # ------------------------------------------------------------------ queries

    @property
    def tokenizer(self) -> Any:
        return self._require().loaded.tokenizer

    def info(self) -> ModelInfo:
        import torch
        import transformers

        loaded = self._require().loaded
        return ModelInfo(
            model_name=loaded.resolved.name, uri=loaded.resolved.uri,
            revision=loaded.resolved.revision, backend=self.name,
            backend_version=f"transformers {transformers.__version__}, "
                            f"torch {torch.__version__}",
            max_model_len=loaded.max_model_len, dtype=loaded.dtype_name,
            has_chat_template=bool(getattr(loaded.tokenizer, "chat_template", None)),
            generation=self._generation,
            adapters={loaded.adapter: loaded.adapter_uri} if loaded.adapter else {},
            active_adapter=loaded.adapter)

    def stats(self) -> dict[str, int]:
        """Engine counters: decoding steps so far, largest batch seen, requests
        queued, sequences running now, prompts that reused a cached prefix and the
        prompt tokens they did not encode again."""
        engine = self._require()
        return {"steps": engine.steps, "max_batch_observed": engine.max_batch_observed,
                "queued": engine.queued, "running": engine.running,
                "prefix_hits": engine.prefixes.hits,
                "prefix_reused_tokens": engine.prefixes.reused_tokens}

    async def reset_prefix_cache(self) -> bool:
        """Empty the engine's prompt-prefix cache (done between engine steps)."""
        self._require().request_prefix_reset()
        return True

    # ---------------------------------------------------------------- serving

    async def generate(self, request: GenerationInput) -> GenerationOutput:
        """``request.params.n`` samples; cancelling the call drops its sequences.

        Samples report every generated token (an end-of-sequence token included) with
        its logprob under the unmodified model distribution. A stop string ends the
        text before it; ``token_ids`` still hold the token that completed it.

        Raises:
            InvalidInput: empty or too long prompt, bad sampling values, n > max_n,
                unknown token ids or adapter.
            Overloaded: ``max_queue`` requests are already waiting.
        """
        from sweetrl.serving.transformers_engine import GenJob

        engine = self._require()
        self._check_generation(request, engine.loaded)
        loop = asyncio.get_running_loop()
        job = GenJob(loop, loop.create_future(), list(request.prompt_token_ids),
                     request.rendered_prompt, request.params)
        return await self._run(engine, job)

    async def score(self, request: ScoreInput) -> list[ContinuationScore]:
        """Logprob of every continuation token given the shared context (encoded once).

        Raises:
            InvalidInput: empty context, too many continuations, a sequence longer
                than the context window, unknown token ids or adapter.
            Overloaded: ``max_queue`` requests are already waiting.
        """
        from sweetrl.serving.transformers_engine import ScoreJob

        engine = self._require()
        loaded = engine.loaded
        self._check_adapter(request.adapter, loaded)
        context = list(request.context_token_ids)
        continuations = [list(c) for c in request.continuations]
        if not context:
            raise InvalidInput("the scoring context is empty; the first continuation "
                               "token needs at least one token before it")
        if len(continuations) > self.config.max_score_continuations:
            raise InvalidInput(f"{len(continuations)} continuations exceed "
                               f"max_score_continuations={self.config.max_score_continuations}")
        longest = max(map(len, continuations), default=0)
        if len(context) + longest > loaded.max_model_len:
            raise InvalidInput(f"context ({len(context)} tokens) + longest continuation "
                               f"({longest}) exceed the model's context of "
                               f"{loaded.max_model_len} tokens")
        _check_token_ids(context, loaded.vocab_size, "context")
        for c in continuations:
            _check_token_ids(c, loaded.vocab_size, "continuation")
        if not continuations:
            return []
        loop = asyncio.get_running_loop()
        job = ScoreJob(loop, loop.create_future(), context, continuations)
        return await self._run(engine, job)

    async def _run(self, engine: Any, job: Any) -> Any:
        engine.submit(job)
        try:
            return await job.future
        except asyncio.CancelledError:
            engine.cancel(job)
            raise

    # --------------------------------------------------------------- switching

    async def load(self, uri: str, *, adapter_name: str = "", base_model: str = "",
                   expected_revision: str = "") -> ModelInfo:
        """Switch to a full checkpoint, or to a LoRA adapter merged over a base model.

        The checkpoint is loaded and test-run off the event loop while the current
        model keeps serving; the engine then stops admitting requests, finishes the
        running ones on the old model and swaps. An adapter's base is `base_model`,
        else the currently served model. On any error the current model stays.

        Raises:
            InvalidInput: unknown reference, or an adapter name for a full checkpoint.
            FailedPrecondition: unloadable checkpoint, revision mismatch, peft missing.
        """
        from sweetrl.serving.loading import load_model
        from sweetrl.serving.transformers_engine import _Job

        engine = self._require()
        async with self._load_lock:
            resolved = await asyncio.to_thread(resolve, uri)
            if expected_revision and resolved.revision != expected_revision:
                raise FailedPrecondition(
                    f"model {resolved.uri} has revision {resolved.revision[:12]}, not the "
                    f"expected {expected_revision[:12]}")
            if adapter_name or resolved.is_adapter:
                if not resolved.is_adapter:
                    raise InvalidInput(f"{resolved.uri} is a full checkpoint, not a LoRA "
                                       "adapter (no adapter_config.json); load it without "
                                       "an adapter name")
                if importlib.util.find_spec("peft") is None:
                    raise FailedPrecondition(
                        "LoRA adapters need the peft package, which is not installed here "
                        "(pip install 'sweetrl[models]'); full checkpoints load without it")
                base = (await asyncio.to_thread(resolve, base_model) if base_model
                        else engine.loaded.resolved)
                loaded = await asyncio.to_thread(
                    load_model, base, self.config, adapter=resolved,
                    adapter_name=adapter_name or resolved.name)
            else:
                loaded = await asyncio.to_thread(load_model, resolved, self.config)
            loop = asyncio.get_running_loop()
            swapped = _Job(loop, loop.create_future())
            engine.request_swap(loaded, swapped)
            await swapped.future
            self._generation += 1
            return self.info()

    # ----------------------------------------------------------------- helpers

    def _require(self) -> Any:
        if self._engine is None:
            raise FailedPrecondition("the transformers backend is not started")
        return self._engine

    def _check_generation(self, request: GenerationInput, loaded: Any) -> None:
        params, prompt = request.params, request.prompt_token_ids
        self._check_adapter(request.adapter, loaded)
        if not prompt:
            raise InvalidInput("the prompt is empty")
        if len(prompt) >= loaded.max_model_len:
            raise InvalidInput(f"the prompt has {len(prompt)} tokens but the model's context "
                               f"holds {loaded.max_model_len} (prompt + generated)")
        if not 1 <= params.n <= self.config.max_n:
            raise InvalidInput(f"n={params.n} is outside 1..{self.config.max_n} "
                               "(the configured max_n)")
        if not 1 <= params.max_tokens <= loaded.max_model_len:
            raise InvalidInput(f"max_tokens={params.max_tokens} must be between 1 and the "
                               f"model's context of {loaded.max_model_len} tokens")
        if not (math.isfinite(params.temperature) and params.temperature >= 0):
            raise InvalidInput(f"temperature={params.temperature} must be >= 0 (0 = greedy)")
        if not 0 < params.top_p <= 1:
            raise InvalidInput(f"top_p={params.top_p} must be in (0, 1]")
        if params.top_k < 0:
            raise InvalidInput(f"top_k={params.top_k} must be >= 0 (0 = no limit)")
        if params.max_chars < 0:
            raise InvalidInput(f"max_chars={params.max_chars} must be >= 0 (0 = no limit)")
        _check_token_ids(prompt, loaded.vocab_size, "prompt")

    @staticmethod
    def _check_adapter(adapter: str, loaded: Any) -> None:
        if adapter and adapter != loaded.adapter:
            served = f"adapter {loaded.adapter!r}" if loaded.adapter else "no adapter"
            raise InvalidInput(f"adapter {adapter!r} is not loaded (this backend serves "
                               f"{served}; load it first)")


def _check_token_ids(tokens: Any, vocab_size: int, what: str) -> None:
    if tokens and (min(tokens) < 0 or max(tokens) >= vocab_size):
        raise InvalidInput(f"{what} holds token ids outside the model's vocabulary "
                           f"(0..{vocab_size - 1})")
