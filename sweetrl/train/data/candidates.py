"""Steps 4-6 through the services: sample candidates, rank them by the critic, pair them.

4. `select_turns` picks a seeded fraction of the offline turns (reference: 10%; more
   data overfits). `sample_candidates` asks the policy service (Generate) for N
   actions per turn at temperature 1.0 -- the turn's chat as the prompt, rendered by
   the service with the model's template, or its rendered text when no chat was
   recorded -- keeping each candidate's mean token logprob under the sampling policy.
5. `rank_candidates` sends each turn's candidates to the critic service in ONE
   ScoreCandidates call (the context is encoded once per model): the critic context
   of the turn (`trajectories.critic_context`, the ground truth is added by the
   service) and the raw candidates. The ranking score is the advantage
   ``beta * (critic mean logprob - reference mean logprob)``, both given the
   ground-truth-prefixed context.
6. `build_step_pairs` turns the ranked candidates into `StepPair`s with
   `pairs.step_pairs` (better half vs worse half, 4 per turn, higher score chosen).

Calls run concurrently up to ``concurrency`` per service, each with a deadline. A
failed call raises `Unavailable` (service down) or `FailedPrecondition` naming the
task, turn and status.

What it does NOT do: retry (re-run; the result is deterministic for a seed), or write
files (`pairs.write_step_pairs` does).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sweetrl.errors import FailedPrecondition, Unavailable
from sweetrl.train.data.pairs import ScoredCandidate, StepPair, step_pairs
from sweetrl.train.data.trajectories import AgentTurn, Trajectory, critic_context

__all__ = ["TurnRef", "select_turns", "sample_candidates", "rank_candidates", "domain_proto",
           "build_step_pairs"]

T = TypeVar("T")


@dataclass(frozen=True)
class TurnRef:
    """One assistant turn of one trajectory."""

    trajectory: Trajectory
    turn: AgentTurn

    @property
    def where(self) -> str:
        return f"task {self.trajectory.task_id} rollout {self.trajectory.rollout} " \
               f"turn at message {self.turn.position}"


def select_turns(trajectories: Sequence[Trajectory], fraction: float, seed: int = 0) -> list[TurnRef]:
    """A seeded sample of ``round(fraction * number of turns)`` turns (at least one), in file order."""
    turns = [TurnRef(t, a) for t in trajectories for a in t.turns]
    if not turns:
        return []
    count = max(1, round(fraction * len(turns))) if fraction < 1 else len(turns)
    picked = sorted(random.Random(seed).sample(range(len(turns)), count))
    return [turns[i] for i in picked]


def _roles() -> dict[str, int]:
    from sweetrl.api.v1 import common_pb2

    return {"system": common_pb2.ROLE_SYSTEM, "user": common_pb2.ROLE_USER,
            "assistant": common_pb2.ROLE_ASSISTANT}


def _chat(messages) -> list[Any]:
    from sweetrl.api.v1 import common_pb2

    roles = _roles()
    return [common_pb2.ChatMessage(role=roles[m.role], content=m.content) for m in messages]


async def _gather(items: Sequence[T], call: Callable[[int, T], Awaitable[Any]],
                  concurrency: int) -> list[Any]:
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(i: int, item: T) -> Any:
        async with gate:
            return await call(i, item)

    return await asyncio.gather(*(one(i, item) for i, item in enumerate(items)))


def _service_error(service: str, where: str, exc: Any) -> Exception:
    code = exc.code().name if hasattr(exc, "code") else "UNKNOWN"
    details = exc.details() if hasattr(exc, "details") else str(exc)
    message = f"{service} failed for {where}: {code}: {details}"
    return Unavailable(message) if code in ("UNAVAILABLE", "DEADLINE_EXCEEDED") else \
        FailedPrecondition(message)


async def sample_candidates(policy: Any, turns: Sequence[TurnRef], *, n: int = 16,
                            temperature: float = 1.0, max_tokens: int = 512, seed: int = 0,
                            concurrency: int = 8, timeout_s: float = 600.0
                            ) -> list[list[ScoredCandidate]]:
    """N sampled actions per turn (score 0, policy mean logprob set), in `turns` order.

    Args:
        policy: a ``PolicyServiceStub`` on an asyncio channel.
    """
    import grpc

    from sweetrl.api.v1 import policy_pb2

    async def call(i: int, ref: TurnRef) -> list[ScoredCandidate]:
        if ref.turn.chat is not None:
            prompt = policy_pb2.Prompt(chat=policy_pb2.Chat(messages=_chat(ref.turn.chat)))
        elif isinstance(ref.turn.prompt, str):
            prompt = policy_pb2.Prompt(text=ref.turn.prompt)
        else:
            prompt = policy_pb2.Prompt(chat=policy_pb2.Chat(messages=_chat(ref.turn.prompt)))
        request = policy_pb2.GenerateRequest(prompts=[prompt], sampling=policy_pb2.SamplingParams(
            temperature=temperature, max_tokens=max_tokens, n=n, logprobs=True, seed=seed + i))
        try:
            reply = await policy.Generate(request, timeout=timeout_s)
        except grpc.aio.AioRpcError as exc:
            raise _service_error("policy Generate", ref.where, exc) from None
        result = reply.results[0]
        if result.error.code:
            raise FailedPrecondition(f"policy Generate failed for {ref.where}: "
                                     f"{result.error.code}: {result.error.message}")
        return [ScoredCandidate(text=s.text, score=0.0, policy_mean_logprob=s.mean_logprob)
                for s in result.samples]

    return await _gather(turns, call, concurrency)


def domain_proto(domain: Literal["backend", "frontend"]) -> int:
    """The ``common.Domain`` enum value of a domain name."""
    from sweetrl.api.v1 import common_pb2

    return {"backend": common_pb2.DOMAIN_BACKEND, "frontend": common_pb2.DOMAIN_FRONTEND}[domain]


async def rank_candidates(critic: Any, turns: Sequence[TurnRef],
                          candidates: Sequence[Sequence[ScoredCandidate]], *,
                          domain: Literal["backend", "frontend"] = "backend",
                          use_ground_truth: bool = True, concurrency: int = 8,
                          timeout_s: float = 600.0) -> list[list[ScoredCandidate]]:
    """The candidates with ``score`` = the critic's advantage, one call per turn.

    Args:
        critic: a ``CriticServiceStub`` on an asyncio channel.
    """
    import dataclasses

    import grpc

    from sweetrl.api.v1 import critic_pb2

    async def call(i: int, ref: TurnRef) -> list[ScoredCandidate]:
        mine = candidates[i]
        request = critic_pb2.ScoreCandidatesRequest(
            domain=domain_proto(domain), context=_chat(critic_context(ref.trajectory, ref.turn)),
            ground_truth=ref.trajectory.ground_truth if use_ground_truth else "",
            candidates=[c.text for c in mine])
        try:
            reply = await critic.ScoreCandidates(request, timeout=timeout_s)
        except grpc.aio.AioRpcError as exc:
            raise _service_error("critic ScoreCandidates", ref.where, exc) from None
        return [dataclasses.replace(c, score=s.advantage) for c, s in zip(mine, reply.scores)]

    return await _gather(turns, call, concurrency)


async def build_step_pairs(policy: Any, critic: Any, trajectories: Sequence[Trajectory], *,
                           fraction: float = 0.1, n: int = 16, pairs_per_turn: int = 4,
                           temperature: float = 1.0, max_tokens: int = 512,
                           domain: Literal["backend", "frontend"] = "backend",
                           use_ground_truth: bool = True, seed: int = 0, concurrency: int = 8,
                           timeout_s: float = 600.0,
                           progress: Callable[[str], None] | None = None) -> list[StepPair]:
    """Steps 4-6 end to end (module docstring); pairs in turn order."""
    say = progress or (lambda _text: None)
    turns = select_turns(trajectories, fraction, seed)
    say(f"sampling {n} candidates for each of {len(turns)} turns")
    sampled = await sample_candidates(policy, turns, n=n, temperature=temperature,
                                      max_tokens=max_tokens, seed=seed, concurrency=concurrency,
                                      timeout_s=timeout_s)
    say(f"ranking {sum(map(len, sampled))} candidates with the critic")
    ranked = await rank_candidates(critic, turns, sampled, domain=domain,
                                   use_ground_truth=use_ground_truth, concurrency=concurrency,
                                   timeout_s=timeout_s)
    rng = random.Random(seed)
    out = []
    for ref, scored in zip(turns, ranked):
        for chosen, rejected in step_pairs(scored, pairs_per_turn, rng):
            out.append(StepPair(prompt=ref.turn.chat if ref.turn.chat is not None else ref.turn.prompt,
                                chosen=chosen.text, rejected=rejected.text,
                                chosen_score=chosen.score, rejected_score=rejected.score,
                                task_id=ref.trajectory.task_id, rollout=ref.trajectory.rollout,
                                turn=ref.turn.position))
    say(f"{len(out)} step pairs from {len(turns)} turns")
    return out
