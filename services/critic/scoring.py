"""The critic's pure parts: the training-time-information prompt and the advantage math.

SWEET-RL (ALGORITHM.md steps 3 and 5) parameterises the critic like a DPO policy:
the advantage of an assistant turn a_t after context o_t, with the hidden ground
truth c prepended to the context, is

    A(o_t, a_t, c) = beta * (mean_logprob_critic(a_t | c, o_t) - mean_logprob_ref(a_t | c, o_t))

Everything here is plain Python (no torch, no grpc), so the trainer that fits the
critic can import the same prompt format and the same normalisations, and the unit
tests check the numbers by hand.

What this module does NOT do: run a model. The service feeds it per-token logprobs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Domain = Literal["backend", "frontend"]
Normalization = Literal["per_turn", "trajectory"]

# ------------------------------------------------------------------------- prompt

TRAINING_INFORMATION_TEMPLATES: dict[str, str] = {
    "backend": "The final answer is: {ground_truth}",
    "frontend": "The final answer is: {ground_truth}",
}
"""How the ground truth is phrased, per ColBench domain.

The text becomes a *system* message placed before every message of the dialogue
(before the dialogue's own system prompt, if any); the chat is then rendered with
the model's chat template. The critic must be trained with exactly this format, so
the trainer should build its inputs with `with_training_information` too.
"""


def training_information_text(domain: Domain, ground_truth: str) -> str:
    """The system-message text that carries the ground truth for `domain`."""
    return TRAINING_INFORMATION_TEMPLATES[domain].format(ground_truth=ground_truth)


def with_training_information(domain: Domain, ground_truth: str,
                              messages: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """``[("system", "The final answer is: ..."), *messages]`` as (role, content) pairs.

    With an empty `ground_truth` (the "critic without training-time information"
    ablation) the messages are returned unchanged.
    """
    if not ground_truth:
        return list(messages)
    return [("system", training_information_text(domain, ground_truth)), *messages]


# --------------------------------------------------------------------------- math


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; 0.0 for no values (an empty continuation scores 0, per the API)."""
    return math.fsum(values) / len(values) if values else 0.0


def advantage(beta: float, critic_mean_logprob: float, reference_mean_logprob: float) -> float:
    """``beta * (critic - reference)``: the SWEET-RL advantage of one turn or candidate."""
    return beta * (critic_mean_logprob - reference_mean_logprob)


@dataclass(frozen=True)
class TurnLogprobs:
    """Per-token logprobs of one assistant turn under the critic and the reference.

    The two lists usually have the same length (same tokenizer); they may differ
    when the two models tokenize differently, and each mean uses its own tokens.
    """

    critic: Sequence[float]
    reference: Sequence[float]


@dataclass(frozen=True)
class TurnAdvantage:
    """The per-turn numbers the API reports (TurnScore / CandidateScore)."""

    critic_mean_logprob: float
    reference_mean_logprob: float
    advantage: float
    token_count: int


def turn_advantage(beta: float, turn: TurnLogprobs) -> TurnAdvantage:
    """Means over the turn's own tokens and their beta-scaled difference."""
    c, r = mean(turn.critic), mean(turn.reference)
    return TurnAdvantage(critic_mean_logprob=c, reference_mean_logprob=r,
                         advantage=advantage(beta, c, r), token_count=len(turn.critic))


def dialogue_total(beta: float, turns: Sequence[TurnLogprobs],
                   normalization: Normalization) -> float:
    """A dialogue's total advantage, what the Bradley-Terry loss compares.

    ``per_turn`` (our default): the sum over turns of each turn's advantage, each a
    difference of means over that turn's tokens, consistent with candidate ranking.
    ``trajectory`` (the reference implementation's choice): beta times the
    difference of means over all assistant tokens of the dialogue at once, so long
    turns weigh more. Both are 0.0 for a dialogue without assistant turns.
    """
    if normalization == "per_turn":
        return math.fsum(turn_advantage(beta, t).advantage for t in turns)
    if normalization == "trajectory":
        critic = [x for t in turns for x in t.critic]
        reference = [x for t in turns for x in t.reference]
        return advantage(beta, mean(critic), mean(reference))
    raise ValueError(f"unknown normalization {normalization!r}")
