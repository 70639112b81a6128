"""Typed configuration of the trainers: one frozen dataclass per algorithm.

Every trainer config shares the fields of `TrainConfig` (model, output, optimiser,
batching, engine, LoRA) and adds its algorithm's own (beta, normalisation, ...). They
load like every other component (`sweetrl.config.load_config`): defaults < YAML file
section (``train_critic``, ``train_policy``, ``train_rft``, ``train_mtdpo``,
``train_value_critic``) < ``SWEET_<SECTION>__<FIELD>`` environment variables <
``--set field=value`` < explicit CLI flags.

Reference settings (ALGORITHM.md): beta 0.1, learning rate 2e-7, critic 4 epochs,
policy 1 epoch, ZeRO-3, bf16, for an 8B model on 8 GPUs. Small models (SmolLM2-135M,
the tiny test model) need a much larger learning rate (1e-5 .. 1e-3) to move at all.

What this module does NOT do: read files or touch torch; trainers do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sweetrl.config import doc

__all__ = ["EngineConfig", "LoraConfig", "TrainConfig", "CriticConfig", "ValueCriticConfig",
           "PolicyDpoConfig", "RftConfig", "MultiTurnDpoConfig", "SECTIONS"]

Domain = Literal["backend", "frontend"]


@dataclass(frozen=True)
class EngineConfig:
    """DeepSpeed settings (see `sweetrl.train.strategy`)."""

    zero_stage: Literal["auto", 0, 1, 2, 3] = doc(
        "ZeRO stage: 0 (plain data parallel), 1 (optimizer state sharded), 2 (+ gradients), "
        "3 (+ parameters; the reference's choice on 8 GPUs). All run on one CPU process. "
        "'auto': 0 in a single process (sharding over one rank only adds a flat fp32 copy "
        "of the weights), 1 with several.", "auto")
    precision: Literal["auto", "bf16", "fp32"] = doc(
        "Training precision: 'auto' is bf16 on a GPU that supports it, else fp32 (CPU). "
        "The reference trains in bf16.", "auto")
    gradient_checkpointing: bool = doc(
        "Recompute activations in the backward pass: activations cost ~2 MB per token of a "
        "micro batch for SmolLM2-135M without it (multi-turn DPO at the embedded scale peaked "
        "at 16 GiB without, 5.7 GiB with, at the same speed on a CPU; docs/training.md); "
        "typically ~30% slower on a GPU.", True)
    gradient_clipping: float = doc("Clip the global gradient norm to this; 0 disables.", 1.0)
    offload_optimizer: bool = doc(
        "ZeRO-Offload: keep the optimizer state on the CPU (stage 1-3 on a GPU).", False)


@dataclass(frozen=True)
class LoraConfig:
    """Parameter-efficient training with LoRA adapters (peft)."""

    enabled: bool = doc("Train LoRA adapters instead of every weight; the checkpoint is then "
                        "an adapter folder over the base model.", False)
    r: int = doc("Rank of the adapters.", 16)
    alpha: int = doc("LoRA alpha (the update is scaled by alpha / r).", 32)
    dropout: float = doc("Dropout on the adapters' input (0 keeps the loss deterministic).", 0.0)
    target_modules: tuple[str, ...] = doc(
        "Modules to adapt: names (q_proj, v_proj, ...) or 'all-linear'.", ("all-linear",))

    def __post_init__(self) -> None:
        if self.r < 1 or self.alpha < 1:
            raise ValueError("lora.r and lora.alpha must be >= 1")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"lora.dropout must be in [0, 1), got {self.dropout}")


@dataclass(frozen=True)
class TrainConfig:
    """Fields every trainer shares."""

    model: str = doc(
        "Model to start from (and, unless reference_model is set, the frozen reference): a "
        "folder, .gguf file, s3:// checkpoint or builtin name (smollm2-135m-instruct).", "")
    out: str = doc(
        "Where the trained checkpoint goes: an s3://bucket/key URI (uploaded through the "
        "configured store, SWEET_STORE) or a local folder.", "")
    work_dir: Path | None = doc(
        "Local folder for resumable state (DeepSpeed checkpoints, cached reference "
        "logprobs, metrics.jsonl, the exported model). Default: $SWEET_HOME/train/<out>. "
        "Re-running with the same work_dir resumes.", None)
    reference_model: str = doc(
        "Frozen reference model; empty: the starting weights of `model` (computed once "
        "before the first step, no second copy in memory).", "")
    lr: float = doc("Peak learning rate (reference 2e-7 for 8B; small models need 1e-5..1e-3).",
                    2e-7)
    weight_decay: float = doc("AdamW weight decay.", 0.0)
    warmup_steps: int = doc("Linear warm-up of the learning rate from 0 over this many optimizer "
                            "steps; constant afterwards (no decay).", 0)
    epochs: int = doc("Passes over the training examples.", 1)
    micro_batch_size: int = doc(
        "Examples (pairs, or trajectories for RFT/value) per forward pass.", 1)
    gradient_accumulation_steps: int = doc(
        "Micro batches per optimizer step; global batch = micro_batch_size x this.", 8)
    max_length: int = doc(
        "Most tokens in one packed row (a turn's context plus action). An example with a "
        "turn longer than this is dropped whole, never cut; the count is logged.", 4096)
    seed: int = doc("Seed of the data order, the eval split and sampling.", 0)
    eval_fraction: float = doc(
        "Fraction of tasks held out for evaluation at the end of every epoch (split by task "
        "id, so no task is in both); 0 disables.", 0.0)
    save_every: int = doc(
        "Write a resumable DeepSpeed checkpoint every N optimizer steps (always at the end "
        "of each epoch and before stopping); 0: only then.", 0)
    keep_checkpoints: int = doc("Resumable checkpoints kept (older ones are deleted).", 2)
    max_steps: int = doc(
        "Stop after this many optimizer steps in total, with a resumable checkpoint (a "
        "re-run continues); 0: train all epochs.", 0)
    max_loss: float = doc(
        "Stop, after writing a resumable checkpoint, when a micro batch's loss exceeds "
        "this (diverged training); NaN/inf losses always stop. 0 disables the bound.", 50.0)
    log_every: int = doc("Print a progress line every N optimizer steps.", 1)
    engine: EngineConfig = doc("DeepSpeed engine settings.", default_factory=EngineConfig)
    lora: LoraConfig = doc("LoRA settings.", default_factory=LoraConfig)

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise ValueError("model is required (a folder, .gguf, s3:// URI or builtin name)")
        if not self.out.strip():
            raise ValueError("out is required (s3://bucket/key or a local folder)")
        if "://" in self.out:  # checked now, not after hours of training
            from sweetrl.errors import InvalidInput
            from sweetrl.storage.base import parse_uri

            try:
                parse_uri(self.out)
            except InvalidInput as e:
                raise ValueError(f"out: {e}") from None
        for name in ("epochs", "micro_batch_size", "gradient_accumulation_steps", "max_length",
                     "log_every", "keep_checkpoints"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        for name in ("warmup_steps", "save_every", "max_steps"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if not 0 <= self.eval_fraction < 1:
            raise ValueError(f"eval_fraction must be in [0, 1), got {self.eval_fraction!r}")
        if self.max_loss < 0:
            raise ValueError("max_loss must be >= 0 (0 disables)")


def _check_beta(beta: float) -> None:
    if not (math.isfinite(beta) and beta > 0):
        raise ValueError(f"beta must be a positive number, got {beta!r}")


@dataclass(frozen=True)
class CriticConfig(TrainConfig):
    """SWEET-RL critic: Bradley-Terry on trajectory pairs with per-turn advantages (step 3)."""

    trajectories: Path | None = doc("Trajectory JSONL (`sweet collect backend` output).", None)
    domain: Domain = doc("ColBench domain: selects the pair rule and the ground-truth phrasing.",
                         "backend")
    beta: float = doc("Advantage scale beta (reference 0.1); the critic service must use the "
                      "same value.", 0.1)
    normalization: Literal["per_turn", "trajectory"] = doc(
        "'per_turn': mean logprob per turn, summed over turns (consistent with candidate "
        "ranking); 'trajectory': means over all assistant tokens at once (the reference's).",
        "per_turn")
    use_ground_truth: bool = doc(
        "Prepend the hidden ground truth ('The final answer is: ...'); false for the "
        "'critic without training-time information' ablation.", True)
    score_end_of_turn: bool = doc(
        "Include the end-of-turn token in each action's tokens, as the critic service "
        "scores by default.", True)
    min_reward_gap: float = doc("Frontend pair rule: rewards must differ by at least this.", 0.1)
    epochs: int = doc("Passes over the pairs (reference 4).", 4)

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_beta(self.beta)
        if self.trajectories is None:
            raise ValueError("trajectories is required (a trajectory JSONL file)")


@dataclass(frozen=True)
class ValueCriticConfig(TrainConfig):
    """Ablation: a critic that regresses each turn's value on the trajectory's reward (MSE)."""

    trajectories: Path | None = doc("Trajectory JSONL (`sweet collect backend` output).", None)
    domain: Domain = doc("ColBench domain (ground-truth phrasing).", "backend")
    use_ground_truth: bool = doc("Prepend the hidden ground truth, as the SWEET-RL critic does.",
                                 True)
    score_end_of_turn: bool = doc("Include the end-of-turn token; the value is read there.", True)
    value_tokens: tuple[str, str] = doc(
        "Two words whose logit difference at a turn's last token is the value's logit: "
        "V = sigmoid(logit(first) - logit(second)).", ("Yes", "No"))
    epochs: int = doc("Passes over the trajectories.", 4)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.trajectories is None:
            raise ValueError("trajectories is required (a trajectory JSONL file)")


@dataclass(frozen=True)
class PolicyDpoConfig(TrainConfig):
    """SWEET-RL policy: step-level DPO on critic-ranked candidate pairs, plus NLL (step 7)."""

    pairs: Path | None = doc("Step-pair JSONL (`sweetrl.train.data.candidates` output).", None)
    beta: float = doc("DPO beta (reference 0.1).", 0.1)
    nll_coef: float = doc("Weight of the NLL of the chosen action's tokens (reference 0.01).",
                          0.01)
    epochs: int = doc("Passes over the pairs (reference 1).", 1)

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_beta(self.beta)
        if self.pairs is None:
            raise ValueError("pairs is required (a step-pair JSONL file)")
        if self.nll_coef < 0:
            raise ValueError("nll_coef must be >= 0")


@dataclass(frozen=True)
class RftConfig(TrainConfig):
    """Baseline: rejection fine-tuning, SFT on the assistant turns of successful trajectories."""

    trajectories: Path | None = doc("Trajectory JSONL (`sweet collect backend` output).", None)
    min_reward: float = doc("A trajectory is successful when its reward is at least this "
                            "(backend: 1.0, all tests pass).", 1.0)
    epochs: int = doc("Passes over the successful trajectories.", 1)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.trajectories is None:
            raise ValueError("trajectories is required (a trajectory JSONL file)")


@dataclass(frozen=True)
class MultiTurnDpoConfig(TrainConfig):
    """Baseline: DPO on whole trajectories (step-2 pairs), every assistant turn in the mask."""

    trajectories: Path | None = doc("Trajectory JSONL (`sweet collect backend` output).", None)
    domain: Domain = doc("ColBench domain: selects the pair rule.", "backend")
    beta: float = doc("DPO beta (reference 0.1).", 0.1)
    nll_coef: float = doc("Weight of the chosen trajectory's NLL (0: plain DPO).", 0.0)
    min_reward_gap: float = doc("Frontend pair rule: rewards must differ by at least this.", 0.1)
    epochs: int = doc("Passes over the pairs.", 1)

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_beta(self.beta)
        if self.trajectories is None:
            raise ValueError("trajectories is required (a trajectory JSONL file)")


SECTIONS: dict[type, str] = {
    CriticConfig: "train_critic",
    ValueCriticConfig: "train_value_critic",
    PolicyDpoConfig: "train_policy",
    RftConfig: "train_rft",
    MultiTurnDpoConfig: "train_mtdpo",
}
"""YAML section / environment prefix of each trainer config."""
