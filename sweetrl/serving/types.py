"""Plain domain types of model serving (no torch, no grpc)."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SamplingParams:
    """How to sample continuations. ``temperature == 0`` means greedy."""

    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int | None = None
    n: int = 1
    logprobs: bool = True
    max_chars: int = 0
    """Stop a sample once its text holds at least this many characters (0: no limit)."""


class FinishReason(str, enum.Enum):
    STOP = "stop"        # end-of-sequence token or a stop string
    LENGTH = "length"    # max_tokens or the context limit
    ABORT = "abort"      # cancelled


@dataclass
class Sample:
    """One generated continuation. ``token_logprobs`` are under the unmodified model
    distribution (temperature/top-p do not change them), one per generated token."""

    index: int
    text: str
    token_ids: list[int]
    token_logprobs: list[float]
    finish_reason: FinishReason
    stop_string: str = ""

    @property
    def sum_logprob(self) -> float:
        return float(sum(self.token_logprobs))

    @property
    def mean_logprob(self) -> float:
        return self.sum_logprob / len(self.token_logprobs) if self.token_logprobs else math.nan


@dataclass(frozen=True)
class GenerationInput:
    """One prompt, already rendered and tokenized by the service layer."""

    prompt_token_ids: tuple[int, ...]
    rendered_prompt: str
    params: SamplingParams
    adapter: str = ""


@dataclass
class GenerationOutput:
    samples: list[Sample]
    prompt_tokens: int
    rendered_prompt: str


@dataclass(frozen=True)
class ScoreInput:
    """Continuations that share one context: the backend encodes the context once."""

    context_token_ids: tuple[int, ...]
    continuations: tuple[tuple[int, ...], ...]
    adapter: str = ""


@dataclass
class ContinuationScore:
    token_ids: list[int]
    token_logprobs: list[float]

    @property
    def sum_logprob(self) -> float:
        return float(sum(self.token_logprobs))

    @property
    def mean_logprob(self) -> float:
        return self.sum_logprob / len(self.token_logprobs) if self.token_logprobs else math.nan


@dataclass
class ModelInfo:
    """What a backend is serving right now."""

    model_name: str
    uri: str
    revision: str
    backend: str
    backend_version: str
    max_model_len: int
    dtype: str
    has_chat_template: bool
    generation: int = 0
    adapters: dict[str, str] = field(default_factory=dict)  # name -> uri
    active_adapter: str = ""
