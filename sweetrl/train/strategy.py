"""All DeepSpeed specifics behind one object: set-up, backward, step, save, resume, export.

Trainers call `DeepSpeedStrategy` and never import deepspeed. It runs ZeRO stage
0-3, bf16 where the hardware supports it (fp32 on a CPU unless asked), gradient
accumulation with boundaries the caller chooses (so a short last step of an epoch is
still one optimizer step), resumable DeepSpeed checkpoints (weights, optimizer,
scheduler, step counters, plus the caller's ``client_state``), and the export of the
trained weights in Hugging Face format (full weights via ``save_pretrained``, gathered
from the shards under ZeRO-3, or only the LoRA adapter).

Launch: under the ``deepspeed`` launcher or torchrun (``RANK``/``WORLD_SIZE`` set) the
process group comes from the launcher; otherwise one process initialises
torch.distributed by itself (gloo on a CPU, nccl on a GPU, world size 1, a free
loopback port), which is how tests and ``sweet train`` run on one machine.

What it does NOT do: multi-node set-up (the launcher's job), pipeline or tensor
parallelism, or fp16 loss scaling (bf16 or fp32 only).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import socket
from pathlib import Path
from typing import Any

from sweetrl.train.config import EngineConfig

__all__ = ["DeepSpeedStrategy", "peak_memory_bytes"]

_TAG = re.compile(r"^step-(\d+)$")


def _launched() -> bool:
    # The launcher variables are read here only: DeepSpeed itself requires them.
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_memory_bytes() -> int:
    """Peak GPU memory allocated by torch, or the process's peak RSS on a CPU."""
    import torch

    if torch.cuda.is_available() and torch.cuda.is_initialized():
        return int(torch.cuda.max_memory_allocated())
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


class DeepSpeedStrategy:
    """One DeepSpeed engine around one model (module docstring)."""

    def __init__(self, config: EngineConfig, *, lr: float, weight_decay: float = 0.0,
                 warmup_steps: int = 0, micro_batch_size: int = 1,
                 gradient_accumulation_steps: int = 1):
        self.config = config
        self.lr = lr
        self.weight_decay = weight_decay
        self.warmup_steps = warmup_steps
        self.micro_batch_size = micro_batch_size
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.engine: Any = None

    # ------------------------------------------------------------ set-up

    @staticmethod
    def setup_distributed() -> None:
        """Initialise torch.distributed once per process (module docstring)."""
        import torch
        import torch.distributed as dist

        if dist.is_initialized():
            return
        if _launched():
            import deepspeed

            deepspeed.init_distributed()
            return
        # One process: the group's address is given here, not through RANK/WORLD_SIZE/
        # MASTER_* variables, which child processes would inherit and take for a launcher's
        # (a pipeline stage started after an in-process training then joined this group's
        # port). DeepSpeed only asserts LOCAL_RANK.
        os.environ.setdefault("LOCAL_RANK", "0")
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend, init_method=f"tcp://127.0.0.1:{_free_port()}",
                                rank=0, world_size=1)

    @property
    def uses_bf16(self) -> bool:
        import torch

        if self.config.precision == "auto":
            return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
        return self.config.precision == "bf16"

    @property
    def device(self) -> Any:
        import torch

        if self.engine is not None:
            return self.engine.device
        if torch.cuda.is_available():
            return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        return torch.device("cpu")

    @property
    def is_main(self) -> bool:
        import torch.distributed as dist

        return not dist.is_initialized() or dist.get_rank() == 0

    @property
    def zero_stage(self) -> int:
        """The ZeRO stage in effect: the configured one; 'auto' is 0 in a single process
        (one rank has nothing to shard with: stage 1 only adds a flat fp32 copy of the
        weights, 10% more peak memory than TRL in BENCHMARKS.md's critic training, stage
        0 17% less) and 1 with several. Resume with the stage a run started with."""
        import torch.distributed as dist

        if self.config.zero_stage != "auto":
            return int(self.config.zero_stage)
        world = dist.get_world_size() if dist.is_initialized() else int(os.environ.get("WORLD_SIZE", "1"))
        return 0 if world == 1 else 1

    def deepspeed_config(self) -> dict[str, Any]:
        """The DeepSpeed JSON config built from the typed settings."""
        c = self.config
        stage = self.zero_stage
        zero: dict[str, Any] = {"stage": stage}
        if stage == 3:
            zero["stage3_gather_16bit_weights_on_model_save"] = True
        if c.offload_optimizer and stage >= 1:
            zero["offload_optimizer"] = {"device": "cpu"}
        warmup = max(1, self.warmup_steps)
        return {
            "train_micro_batch_size_per_gpu": self.micro_batch_size,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
            # torch's AdamW: DeepSpeed's fused Adam needs a CUDA build of its op.
            "optimizer": {"type": "AdamW", "params": {
                "lr": self.lr, "weight_decay": self.weight_decay, "betas": [0.9, 0.95],
                "eps": 1e-8, "torch_adam": True}},
            "scheduler": {"type": "WarmupLR", "params": {
                "warmup_min_lr": 0.0 if self.warmup_steps else self.lr,
                "warmup_max_lr": self.lr, "warmup_num_steps": warmup,
                "warmup_type": "linear"}},
            "gradient_clipping": c.gradient_clipping,
            "zero_optimization": zero,
            "zero_force_ds_cpu_optimizer": False,
            "bf16": {"enabled": self.uses_bf16},
            "steps_per_print": 1 << 30,
            "wall_clock_breakdown": False,
        }

    def prepare(self, model: Any) -> Any:
        """Wrap `model` (trainable parameters already chosen) in a DeepSpeed engine."""
        import deepspeed

        self.setup_distributed()
        params = [p for p in model.parameters() if p.requires_grad]
        self.engine, *_ = deepspeed.initialize(model=model, model_parameters=params,
                                               config=self.deepspeed_config())
        return self.engine

    # ------------------------------------------------------------- training

    def accumulate(self, boundary: bool) -> None:
        """Before a micro batch's forward: whether its backward ends the optimizer step."""
        self.engine.set_gradient_accumulation_boundary(boundary)

    def backward(self, loss: Any) -> None:
        """Backward of an already normalised loss (no division by the accumulation steps)."""
        self.engine.backward(loss, scale_wrt_gas=False)

    def step(self) -> None:
        """Optimizer and scheduler step at a boundary; a no-op inside an accumulation."""
        self.engine.step()

    def current_lr(self) -> float:
        return float(self.engine.get_lr()[0])

    def grad_norm(self) -> float | None:
        norm = self.engine.get_global_grad_norm()
        return None if norm is None else float(norm)

    def train_mode(self, on: bool) -> None:
        self.engine.module.train(on)

    # ----------------------------------------------------------- checkpoints

    def save_state(self, directory: Path, step: int, client_state: dict[str, Any],
                   keep: int = 2) -> str:
        """A resumable DeepSpeed checkpoint tagged ``step-<step>``; older ones beyond
        `keep` are deleted. Every rank must call it."""
        tag = f"step-{step:08d}"
        self.engine.save_checkpoint(str(directory), tag=tag, client_state=client_state)
        if self.is_main:
            tags = sorted((p for p in Path(directory).iterdir() if p.is_dir() and _TAG.match(p.name)),
                          key=lambda p: int(_TAG.match(p.name).group(1)))  # type: ignore[union-attr]
            for old in tags[:-keep]:
                shutil.rmtree(old, ignore_errors=True)
        return tag

    def load_state(self, directory: Path) -> dict[str, Any] | None:
        """The client state of the latest checkpoint in `directory`, weights and optimizer
        restored; None when there is none.

        Raises:
            FailedPrecondition: the checkpoint does not fit this engine (message says why).
        """
        if not (Path(directory) / "latest").is_file():
            return None
        try:
            path, client_state = self.engine.load_checkpoint(str(directory))
        except Exception as e:  # noqa: BLE001 - e.g. another ZeRO stage or model wrote it
            from sweetrl.errors import FailedPrecondition

            raise FailedPrecondition(
                f"cannot resume from {directory} ({type(e).__name__}: {str(e)[:300]}); it was "
                "written by a different model or engine setting: use another work_dir, or "
                "delete that folder to start over") from e
        if path is None:
            return None
        return dict(client_state or {})

    def export(self, directory: Path, tokenizer: Any) -> None:
        """The trained weights in Hugging Face format (adapter only under LoRA)."""
        state = None
        if self.zero_stage == 3:
            state = self.engine._zero3_consolidated_16bit_state_dict()  # every rank gathers
        if self.is_main:
            Path(directory).mkdir(parents=True, exist_ok=True)
            self.engine.module.save_pretrained(str(directory), state_dict=state,
                                               safe_serialization=True)
            tokenizer.save_pretrained(str(directory))

    def close(self) -> None:
        """Release the engine (its memory); the process group stays for the next one."""
        if self.engine is not None:
            destroy = getattr(self.engine, "destroy", None)
            if destroy is not None:
                destroy()
            self.engine = None
