"""The one interface every model-serving engine implements."""

from __future__ import annotations

import abc
from typing import Any, ClassVar

from sweetrl.serving.types import (ContinuationScore, GenerationInput, GenerationOutput,
                                   ModelInfo, ScoreInput)


class Backend(abc.ABC):
    """An engine serving one model (plus optional adapters) to many concurrent callers.

    All methods are coroutines run on the service's event loop; an implementation
    runs its engine off the loop (thread or engine process) and batches concurrent
    calls itself. Cancelling a call must free its engine work. Errors are
    :mod:`sweetrl.errors` exceptions (InvalidInput, Overloaded, FailedPrecondition...).
    """

    name: ClassVar[str]

    @property
    @abc.abstractmethod
    def tokenizer(self) -> Any:
        """The Hugging Face tokenizer of the served model (chat template included)."""

    @abc.abstractmethod
    def info(self) -> ModelInfo:
        """The model, revision and adapters being served."""

    @abc.abstractmethod
    async def start(self) -> None:
        """Load the configured model; called once before serving."""

    @abc.abstractmethod
    async def generate(self, request: GenerationInput) -> GenerationOutput:
        """``request.params.n`` samples for one prompt."""

    @abc.abstractmethod
    async def score(self, request: ScoreInput) -> list[ContinuationScore]:
        """Per-token logprobs of each continuation given the shared context."""

    @abc.abstractmethod
    async def load(self, uri: str, *, adapter_name: str = "", base_model: str = "",
                   expected_revision: str = "") -> ModelInfo:
        """Switch to a checkpoint (full weights) or add an adapter, without restarting.

        On failure the current model keeps serving and the error says why."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the engine."""

    def broken(self) -> str | None:
        """Why this backend can no longer serve (its engine died for good), or None."""
        return None

    async def __aenter__(self) -> Backend:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def reset_prefix_cache(self) -> bool:
        """Forget the KV of cached prompt prefixes (for benchmarks that replay one
        workload twice); True when done. Engines without such a cache do nothing."""
        return True
