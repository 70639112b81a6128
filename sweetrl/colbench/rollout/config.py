"""Settings of rollouts: sampling, turn limit, concurrency, retries and deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sweetrl.config import doc


@dataclass(frozen=True)
class RolloutConfig:
    """How dialogues are sampled and how hard the services are driven (YAML section ``rollout``)."""

    k: int = doc("Rollouts per task (distinct seeds). 1 for evaluation; the paper "
                 "collects 3 per training task.", 1)
    temperature: float = doc("Policy sampling temperature; 0 is greedy decoding.", 0.0)
    top_p: float = doc("Policy nucleus sampling mass; 1 disables it.", 1.0)
    max_tokens: int = doc("Most tokens the policy generates per agent turn (thought, "
                          "message and code together).", 256)
    max_turns: int = doc("Most agent turns per dialogue (the benchmark's 10); the last "
                         "message is the answer when the limit is reached.", 10)
    seed: int = doc("Base seed: dialogue (task, rollout) samples with seeds derived from "
                    "it, the task id and the rollout index, so re-runs are reproducible.", 0)
    max_dialogues: int = doc("Dialogues in progress at once; each advances on its own.", 64)
    policy_concurrency: int = doc("Policy Generate calls in flight at once (match the "
                                  "engine's batch size).", 32)
    simulator_concurrency: int = doc("Simulator Reply calls in flight at once.", 32)
    sandbox_concurrency: int = doc("Sandbox Evaluate calls in flight at once.", 8)
    renderer_concurrency: int = doc("Renderer Render and Judge calls in flight at once "
                                    "(frontend tasks).", 8)
    judge: Literal["auto", "clip", "structural"] = doc(
        "Similarity that rewards a frontend answer: 'clip' (the benchmark's CLIP "
        "ViT-B/32 cosine; fails when the renderer has no CLIP weights), 'structural' "
        "(the renderer's weight-free judge) or 'auto' (CLIP when the renderer serves it, "
        "else structural; each record names the kind used).", "auto")
    attempts: int = doc("Attempts per call when a service answers UNAVAILABLE or "
                        "RESOURCE_EXHAUSTED; then the dialogue is recorded as failed.", 4)
    initial_backoff_s: float = doc("Wait before the first retry; doubles after each "
                                   "further failed attempt.", 0.5)
    max_backoff_s: float = doc("Longest wait between two attempts.", 8.0)
    policy_timeout_s: float = doc(
        "Deadline of one policy call (one agent turn), in seconds. Generous: on a CPU box "
        "32 batched 256-token turns with long dialogues took over 600 s under load.", 1200.0)
    simulator_timeout_s: float = doc(
        "Deadline of one simulator call, in seconds. An LLM human sharing a busy policy "
        "engine queues behind the agent's turns (300 s failed 83 of 100 dialogues on a "
        "loaded 2-core box).", 1200.0)
    sandbox_timeout_s: float = doc("Deadline of one sandbox evaluation, in seconds.", 120.0)
    renderer_timeout_s: float = doc("Deadline of one render or judgement, in seconds.", 120.0)

    def __post_init__(self) -> None:
        for name in ("k", "max_tokens", "max_turns", "max_dialogues", "policy_concurrency",
                     "simulator_concurrency", "sandbox_concurrency", "renderer_concurrency",
                     "attempts"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        if not 0.0 <= self.temperature <= 2.0:
            raise ValueError(f"temperature must be in [0, 2], got {self.temperature}")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if min(self.initial_backoff_s, self.max_backoff_s) < 0:
            raise ValueError("backoffs must be >= 0")
        if self.judge not in ("auto", "clip", "structural"):
            raise ValueError(f"judge must be auto, clip or structural, got {self.judge!r}")
        if min(self.policy_timeout_s, self.simulator_timeout_s, self.sandbox_timeout_s,
               self.renderer_timeout_s) <= 0:
            raise ValueError("timeouts must be > 0")
