"""Settings of one run of the SWEET-RL loop (YAML section ``pipeline``).

One frozen dataclass for every pipeline (sweet-rl and the baselines): the models, the
scale (tasks, rollouts, turns, tokens), the step-level data settings, the trainers'
overrides, and where outputs go. Each stage reads only the fields it needs, and its
cache key (`sweetrl.pipeline.stagecache`) covers exactly those, so changing the policy
trainer's learning rate does not re-run collection.

The defaults are the embedded, laptop-sized scale (``sweet pipeline run sweet-rl
--local`` finishes in about a quarter of an hour on 2 CPU cores with SmolLM2-135M);
``pipelines/configs/paper.yaml`` holds the reference's scale for a GPU cluster.

Expert demonstrations: SmolLM2-135M never solves a generated task zero-shot (0 of 100
test tasks here, BENCHMARKS.md), so its own rollouts give the backend rule (a
reward-1.0 trajectory against lower ones) no pair to learn from. ``expert_fraction``
adds, for that share of the training tasks, one more rollout by a scripted expert that
asks about every hidden fact and then answers with the ground truth, run through the
same simulator and sandbox. The paper collects from the policy only: set 0 there.
Frontend: the expert answers its first turn with the target page itself (similarity
near 1); the frontend rule (a similarity gap) usually finds pairs in the policy's own
rollouts, so ``pipelines/configs/frontend.yaml`` sets a smaller share.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from sweetrl import __version__
from sweetrl.config import doc, load_config, to_dict

SECTION = "pipeline"
CRITIC_DEFAULTS = {"lr": "2e-5", "epochs": "1", "micro_batch_size": "2",
                   "gradient_accumulation_steps": "2", "max_length": "1024"}
"""The embedded scale's critic trainer settings; ``critic`` keys replace single ones."""
POLICY_DEFAULTS = {"lr": "1e-5", "epochs": "1", "micro_batch_size": "2",
                   "gradient_accumulation_steps": "2", "max_length": "1024"}
STAGE_IMAGE = f"sweetrl/train:{__version__}"
"""Image of every pipeline stage (docker/train.Dockerfile)."""


@dataclass(frozen=True)
class LoopConfig:
    """One run of the loop (module docstring)."""

    critic_model: str = doc("Starting critic (same family as the policy); '' is the starting "
                            "policy (the pipeline's ``policy`` argument).", "")
    backend: Literal["transformers", "vllm"] = doc(
        "Engine of the policy/critic servers the stages start (vllm on GPUs).", "transformers")
    simulator: Literal["scripted", "llm", "vlm"] = doc(
        "Simulated human: 'scripted' (backend: hidden facts; frontend: visual diff), 'llm' "
        "(backend: the policy server plays it) or 'vlm' (frontend: an OpenAI-compatible "
        "multimodal endpoint, configured with SWEET_SIMULATOR__VLM__*).", "scripted")
    domain: Literal["backend", "frontend"] = doc(
        "ColBench domain: 'backend' (Python functions, sandbox) or 'frontend' (Tailwind pages, "
        "renderer; pipelines/configs/frontend.yaml has its embedded scale).", "backend")
    renderer_address: str = doc(
        "Frontend: host:port of a running renderer service (the Helm chart's); '' starts one "
        "inside each stage that needs it (Chromium: set-up's 'render' extra).", "")
    task_seed: int = doc("Seed of the generated task splits.", 0)
    train_tasks: int = doc("Training tasks collected on.", 8)
    test_tasks: int = doc("Held-out test tasks evaluated on (greedy, one rollout each).", 10)
    k: int = doc("Policy rollouts per training task (paper: 3).", 2)
    expert_fraction: float = doc(
        "Share of training tasks that also get one scripted expert rollout (module "
        "docstring); 0 collects from the policy only, as the paper does.", 0.5)
    collect_temperature: float = doc("Sampling temperature of the collection rollouts.", 1.0)
    max_turns: int = doc("Agent turns per dialogue (benchmark: 10).", 3)
    max_tokens: int = doc("Tokens per agent turn, in collection, evaluation and candidates.", 64)
    seed: int = doc("Base seed of rollouts, turn sampling and pairing.", 0)
    dialogues: int = doc("Dialogues in progress at once in collection and evaluation.", 24)
    candidates: int = doc("Best-of-N: candidate actions sampled per turn (paper: 16).", 4)
    turn_fraction: float = doc("Share of the offline turns resampled for step pairs (paper: 0.1).",
                               0.1)
    pairs_per_turn: int = doc("Step pairs drawn per resampled turn (paper: 4).", 2)
    use_ground_truth: bool = doc("Give the critic the training-time information (the "
                                 "ablation sets false).", True)
    critic: dict[str, str] = doc(
        "Overrides of the critic trainer (`sweet train config critic`), e.g. {lr: '1e-5', "
        "engine.zero_stage: '3'}; merged over the embedded ones (CRITIC_DEFAULTS).",
        default_factory=lambda: dict(CRITIC_DEFAULTS))
    policy: dict[str, str] = doc(
        "Overrides of the policy trainers (step-level DPO, RFT, multi-turn DPO); merged over "
        "the embedded ones (POLICY_DEFAULTS).", default_factory=lambda: dict(POLICY_DEFAULTS))
    bucket: str = doc("Object-store bucket of every output (SWEET_STORE picks the store).",
                      "sweetrl")
    prefix: str = doc("Key prefix of the stage outputs in the bucket.", "pipelines")
    sample_dialogues: int = doc("Dialogues the report shows with per-turn critic scores.", 3)
    labels: dict[str, str] = doc("Free-form labels copied to the report, e.g. {experiment: a1}.",
                                 default_factory=dict)

    def __post_init__(self) -> None:
        # `--set critic.lr=...` changes that one setting, not the whole embedded set
        object.__setattr__(self, "critic", {**CRITIC_DEFAULTS, **self.critic})
        object.__setattr__(self, "policy", {**POLICY_DEFAULTS, **self.policy})
        for name in ("train_tasks", "test_tasks", "k", "max_turns", "max_tokens", "dialogues",
                     "candidates", "pairs_per_turn", "sample_dialogues"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        if self.candidates < 2:
            raise ValueError("candidates must be >= 2 (pairs need a better and a worse half)")
        from sweetrl.colbench.rollout.services import SIMULATORS

        allowed = SIMULATORS[self.domain]
        if self.simulator not in allowed:
            raise ValueError(f"simulator {self.simulator!r} does not play {self.domain} tasks; "
                             f"one of {', '.join(allowed)}")
        for name in ("expert_fraction", "turn_fraction"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")

    def critic_start(self, policy: str) -> str:
        """The critic's initial weights (and its frozen reference) for starting policy `policy`."""
        return self.critic_model or policy

    def to_json(self) -> str:
        """The settings as JSON text (how pipelines pass them to every stage)."""
        return json.dumps(to_dict(self), sort_keys=True)

    def pick(self, *names: str) -> dict[str, Any]:
        """The named fields, as a stage's cache key includes them."""
        plain = to_dict(self)
        return {n: plain[n] for n in names}


def loop_config(text: str = "", *, path: str | None = None,
                overrides: dict[str, Any] | None = None) -> LoopConfig:
    """A LoopConfig from JSON text (a stage's argument), a YAML file and/or overrides.

    Raises:
        InvalidInput: an unknown field or a bad value, naming it.
    """
    from sweetrl.errors import InvalidInput

    values: dict[str, Any] = {}
    if text:
        try:
            values = json.loads(text)
        except ValueError as exc:
            raise InvalidInput(f"pipeline settings are not JSON: {exc}") from None
    try:
        return load_config(LoopConfig, section=SECTION, path=path,
                           overrides={**values, **(overrides or {})})
    except ValueError as exc:
        raise InvalidInput(f"pipeline settings: {exc}") from None
