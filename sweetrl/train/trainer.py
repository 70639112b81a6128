"""The training loop every algorithm shares: reference pass, steps, guards, resume, export.

An algorithm (`sweetrl.train.critic`, ``policy``, ``rft``, ``mtdpo``, ``value_critic``)
encodes its examples and supplies an `Objective`: its per-example loss on a micro
batch. `run_training` does the rest, in this order:

1. load the model (full or LoRA) and wrap it in the `DeepSpeedStrategy`;
2. the frozen reference's per-turn logprobs: read from ``reference.pt`` when its
   fingerprint matches, else ONE pass over every sequence -- with the starting
   weights themselves (before any step, so no second copy) or a separately named
   reference model -- saved for re-runs. Never recomputed per epoch;
3. resume from the latest DeepSpeed checkpoint in the work directory, if any;
4. epochs of optimizer steps (`sweetrl.train.batching`): per micro batch, the loss
   is checked (NaN/inf, or above ``max_loss``: a resumable checkpoint of the last good
   state is written and `TrainingDiverged` raised, before the bad loss touches the
   weights), then backward; one progress line per step (loss, metrics, lr, tokens/s,
   peak memory) and a line in ``metrics.jsonl``; evaluation on held-out examples and a
   checkpoint at the end of every epoch;
5. export in Hugging Face format to ``<work_dir>/model`` and publish to ``out``.

What it does NOT do: sample or score anything through the services (steps 4-5 are
`sweetrl.train.data.candidates`), or aggregate metrics across ranks (rank 0's are shown).
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from sweetrl.config import to_dict
from sweetrl.errors import SweetError
from sweetrl.models.refs import ResolvedModel
from sweetrl.train import batching, checkpoint
from sweetrl.train.config import TrainConfig
from sweetrl.train.data.encoding import Encoded

__all__ = ["Objective", "StepOutput", "TrainResult", "TrainingDiverged", "run_training"]

log = logging.getLogger(__name__)


class TrainingDiverged(SweetError):
    """The loss became NaN/inf or exceeded ``max_loss``; a resumable checkpoint was written."""

    code = "ABORTED"


@dataclass
class StepOutput:
    """An objective's result on one micro batch."""

    losses: Any
    """``[M]`` per-example losses (a tensor with gradient)."""
    metrics: dict[str, Any]
    """Name -> ``[M]`` per-example values (accuracy, margin, ...), detached."""
    tokens: int
    """Tokens the forward pass processed (for tokens/s)."""


class Objective(Protocol):
    """What an algorithm gives the loop."""

    name: str
    examples: Sequence[Any]
    """Training examples (pairs, trajectories), opaque to the loop."""
    eval_examples: Sequence[Any]
    sequences: Sequence[Encoded]
    """Every sequence the examples refer to (what the reference pass scores)."""
    needs_reference: bool
    reference: list[Any] | None
    """Set by the loop: per-sequence ``[n_turns]`` reference sums, in `sequences` order."""

    def loss(self, model: Any, examples: Sequence[Any], device: Any, pad_id: int) -> StepOutput: ...

    def metadata(self) -> dict[str, Any]:
        """Written to the checkpoint's sweet_training.json (beta, normalisation, ...)."""
        ...


@dataclass
class TrainResult:
    """What a run did."""

    out: str
    """The published checkpoint ('' when the run stopped before the end)."""
    work_dir: Path
    steps: int
    finished: bool
    history: list[dict[str, Any]] = field(default_factory=list)
    """The metrics.jsonl lines of this invocation (steps and evaluations)."""

    @property
    def evaluations(self) -> list[dict[str, Any]]:
        return [h for h in self.history if h.get("kind") == "eval"]


def run_training(config: TrainConfig, resolved: ResolvedModel, tokenizer: Any,
                 objective: Objective, *, echo: Callable[[str], None] | None = None) -> TrainResult:
    """Train `objective` as configured (module docstring); returns what happened.

    Raises:
        TrainingDiverged: NaN/inf or exploding loss, or a non-finite gradient norm.
        FailedPrecondition: the model does not load.
    """
    from sweetrl.train.modeling import base_reference, load_model
    from sweetrl.train.strategy import DeepSpeedStrategy

    say = echo or log.info
    work = Path(config.work_dir or checkpoint.default_work_dir(config.out)).expanduser().absolute()
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.yaml").write_text(yaml.safe_dump({objective.name: to_dict(config)},
                                                     sort_keys=False))
    strategy = DeepSpeedStrategy(
        config.engine, lr=config.lr, weight_decay=config.weight_decay,
        warmup_steps=config.warmup_steps, micro_batch_size=config.micro_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps)
    strategy.setup_distributed()
    import torch

    torch.manual_seed(config.seed)  # LoRA's random init: the same run gives the same model
    model = load_model(resolved, lora=config.lora,
                       gradient_checkpointing=config.engine.gradient_checkpointing)
    engine = strategy.prepare(model)
    pad_id = tokenizer.pad_token_id
    loop = _Loop(config, objective, strategy, engine, pad_id, work, say)
    try:
        if objective.needs_reference:
            objective.reference = loop.reference(resolved)
        state = strategy.load_state(work / "deepspeed") or {}
        if state:
            say(f"resuming from step {state.get('global_step', 0)} (epoch "
                f"{state.get('epoch', 0) + 1}) in {work / 'deepspeed'}")
        finished = loop.train(state)
        if not finished:
            return TrainResult(out="", work_dir=work, steps=loop.global_step, finished=False,
                               history=loop.history)
        model_dir = work / "model"
        if strategy.is_main and model_dir.exists():
            shutil.rmtree(model_dir)  # no stale file of an earlier export (full vs adapter)
        strategy.export(model_dir, tokenizer)
        published = ""
        if strategy.is_main:
            if config.lora.enabled:
                checkpoint.fix_adapter_base(model_dir, base_reference(config.model, resolved))
            meta = {"algorithm": objective.name, "base_model": config.model,
                    "reference_model": config.reference_model or config.model,
                    "steps": loop.global_step, "epochs": config.epochs,
                    "lora": config.lora.enabled, **objective.metadata()}
            (model_dir / checkpoint.METADATA_FILE).write_text(json.dumps(meta, indent=2) + "\n")
            if (work / "metrics.jsonl").exists():  # the checkpoint carries its learning curve
                shutil.copyfile(work / "metrics.jsonl", model_dir / checkpoint.METRICS_FILE)
            published = checkpoint.publish(model_dir, config.out, meta)
            say(f"checkpoint written to {model_dir} and published to {published}")
        return TrainResult(out=published, work_dir=work, steps=loop.global_step, finished=True,
                           history=loop.history)
    finally:
        strategy.close()


class _Loop:
    """State of one invocation's loop (kept out of `run_training` for readability)."""

    def __init__(self, config: TrainConfig, objective: Objective, strategy: Any, engine: Any,
                 pad_id: int, work: Path, say: Callable[[str], None]):
        import torch.distributed as dist

        self.config, self.objective, self.strategy, self.engine = config, objective, strategy, engine
        self.pad_id, self.work, self.say = pad_id, work, say
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.global_step = 0
        self.history: list[dict[str, Any]] = []
        self.global_size = config.micro_batch_size * config.gradient_accumulation_steps * self.world
        self.steps_per_epoch = math.ceil(len(objective.examples) / self.global_size)

    # -------------------------------------------------------------- reference

    def reference(self, resolved: ResolvedModel) -> list[Any]:
        from sweetrl.train.logprobs import reference_sums

        c, seqs = self.config, self.objective.sequences
        ref_name = c.reference_model or f"{c.model}@{resolved.revision}"
        fingerprint = checkpoint.reference_fingerprint(
            [ref_name, str(self.strategy.uses_bf16), c.engine.precision], seqs)
        path = self.work / "reference.pt"
        cached = checkpoint.load_reference_cache(path, fingerprint)
        if cached is not None:
            self.say(f"reference logprobs of {len(seqs)} sequences read from {path}")
            return cached
        started = time.perf_counter()
        batch = max(1, 2 * c.micro_batch_size)
        progress = _Every(self.say, "reference pass")
        if c.reference_model:
            from sweetrl.train.modeling import load_frozen

            frozen = load_frozen(c.reference_model).to(self.strategy.device)
            if self.strategy.uses_bf16:
                import torch

                frozen = frozen.to(torch.bfloat16)
            sums = reference_sums(frozen, seqs, batch_size=batch, pad_id=self.pad_id,
                                  device=self.strategy.device, progress=progress)
            del frozen
        else:  # the starting weights are the reference: score before any step
            self.strategy.train_mode(False)
            sums = reference_sums(self.engine, seqs, batch_size=batch, pad_id=self.pad_id,
                                  device=self.strategy.device, progress=progress)
            self.strategy.train_mode(True)
        if self.strategy.is_main:
            checkpoint.save_reference_cache(path, fingerprint, sums)
        tokens = sum(s.n_tokens for s in seqs)
        seconds = time.perf_counter() - started
        self.say(f"reference pass: {len(seqs)} sequences, {tokens} tokens in {seconds:.1f} s "
                 f"({tokens / max(seconds, 1e-9):.0f} tok/s), cached in {path}")
        return sums

    # ------------------------------------------------------------------- loop

    def train(self, state: dict[str, Any]) -> bool:
        """Run the remaining steps; True when every epoch is done."""
        c = self.config
        self.global_step = int(state.get("global_step", 0))
        if state.get("finished"):
            return True
        if c.max_steps and self.global_step >= c.max_steps:
            self.say(f"max_steps {c.max_steps} already reached in {self.work}; nothing to do")
            return False
        if state and state.get("global_size") not in (None, self.global_size):
            self.say(f"warning: the global batch changed ({state['global_size']} -> "
                     f"{self.global_size}); resuming at the same step index")
        start_epoch, start_step = int(state.get("epoch", 0)), int(state.get("step_in_epoch", 0))
        for epoch in range(start_epoch, c.epochs):
            order = batching.epoch_order(len(self.objective.examples), c.seed, epoch)
            batches = batching.global_batches(order, self.global_size)
            for step_in_epoch in range(start_step if epoch == start_epoch else 0, len(batches)):
                self._step(batches[step_in_epoch], epoch, step_in_epoch)
                done = step_in_epoch + 1 == len(batches)
                if c.max_steps and self.global_step >= c.max_steps and not (
                        done and epoch + 1 == c.epochs):
                    self._save(epoch, step_in_epoch + 1)
                    self.say(f"stopped after {self.global_step} steps (max_steps); a re-run "
                             f"with the same work_dir resumes ({self.work})")
                    return False
                if c.save_every and self.global_step % c.save_every == 0 and not done:
                    self._save(epoch, step_in_epoch + 1)
            self._evaluate(epoch)
            self._save(epoch + 1, 0, finished=epoch + 1 == c.epochs)
        if start_epoch >= c.epochs:  # state from a run with fewer epochs: mark it done
            self._save(c.epochs, 0, finished=True)
        return True

    def _step(self, batch: list[int], epoch: int, step_in_epoch: int) -> None:
        import torch

        c, obj = self.config, self.objective
        started = time.perf_counter()
        micro = batching.micro_batches(batch, c.micro_batch_size, self.rank, self.world)
        totals: dict[str, float] = {}
        tokens = 0
        for j, chunk in enumerate(micro):
            self.strategy.accumulate(boundary=j == len(micro) - 1)
            examples = [obj.examples[i] for i, _ in chunk]
            weights = torch.tensor([w for _, w in chunk], device=self.strategy.device)
            out = obj.loss(self.engine, examples, self.strategy.device, self.pad_id)
            real = weights > 0
            mean = float(out.losses.detach()[real].mean()) if bool(real.any()) else 0.0
            if not math.isfinite(mean) or (c.max_loss and mean > c.max_loss):
                self._diverged(mean, epoch, step_in_epoch, j)
            loss = (out.losses * weights).sum() * self.world / len(batch)
            self.strategy.backward(loss)
            self.strategy.step()
            tokens += out.tokens
            _add(totals, "loss", out.losses.detach(), weights)
            for name, values in out.metrics.items():
                _add(totals, name, values, weights)
        self.global_step += 1
        norm = self.strategy.grad_norm()
        if norm is not None and not math.isfinite(norm):
            raise TrainingDiverged(
                f"the gradient norm is {norm} at step {self.global_step}: the weights are no "
                f"longer usable; the last resumable checkpoint in {self.work / 'deepspeed'} is "
                "from before it. Lower lr or check the data, then re-run to resume.")
        n = totals.pop("_n", 1.0) or 1.0
        seconds = time.perf_counter() - started
        from sweetrl.train.strategy import peak_memory_bytes

        record = {"kind": "step", "step": self.global_step, "epoch": epoch + 1,
                  **{k: v / n for k, v in totals.items()}, "lr": self.strategy.current_lr(),
                  "grad_norm": norm, "tokens_per_s": tokens / max(seconds, 1e-9),
                  "peak_memory_gib": peak_memory_bytes() / 2**30, "seconds": seconds}
        self._record(record)
        if self.global_step % c.log_every == 0 or step_in_epoch + 1 == self.steps_per_epoch:
            extra = " ".join(f"{k} {record[k]:.4f}" for k in totals if k != "loss")
            self.say(f"step {self.global_step}/{self.steps_per_epoch * c.epochs} epoch "
                     f"{epoch + 1}/{c.epochs} loss {record['loss']:.4f} {extra} lr "
                     f"{record['lr']:.2e} {record['tokens_per_s']:.0f} tok/s peak "
                     f"{record['peak_memory_gib']:.2f} GiB")

    def _evaluate(self, epoch: int) -> None:
        import torch

        obj, c = self.objective, self.config
        if not obj.eval_examples:
            return
        totals: dict[str, float] = {}
        self.strategy.train_mode(False)
        with torch.no_grad():
            for start in range(0, len(obj.eval_examples), c.micro_batch_size):
                examples = obj.eval_examples[start:start + c.micro_batch_size]
                out = obj.loss(self.engine, examples, self.strategy.device, self.pad_id)
                ones = torch.ones(len(examples), device=self.strategy.device)
                _add(totals, "loss", out.losses, ones)
                for name, values in out.metrics.items():
                    _add(totals, name, values, ones)
        self.strategy.train_mode(True)
        n = totals.pop("_n", 1.0) or 1.0
        record = {"kind": "eval", "step": self.global_step, "epoch": epoch + 1,
                  "examples": len(obj.eval_examples), **{k: v / n for k, v in totals.items()}}
        self._record(record)
        self.say(f"eval epoch {epoch + 1}/{c.epochs} ({len(obj.eval_examples)} held out): " +
                 " ".join(f"{k} {record[k]:.4f}" for k in totals))

    # ------------------------------------------------------------- checkpoints

    def _save(self, epoch: int, step_in_epoch: int, finished: bool = False) -> None:
        state = {"epoch": epoch, "step_in_epoch": step_in_epoch, "global_step": self.global_step,
                 "global_size": self.global_size, "finished": finished,
                 "objective": self.objective.name}
        self.strategy.save_state(self.work / "deepspeed", self.global_step, state,
                                 keep=self.config.keep_checkpoints)

    def _diverged(self, mean: float, epoch: int, step_in_epoch: int, micro: int) -> None:
        # The bad micro batch has not been backpropagated and the optimizer has not
        # stepped since global_step: the saved weights are the last good ones, and a
        # re-run repeats this step.
        self._save(epoch, step_in_epoch)
        what = "not finite" if not math.isfinite(mean) else f"above max_loss {self.config.max_loss:g}"
        raise TrainingDiverged(
            f"training stopped: the loss is {mean} ({what}) at step {self.global_step + 1}, epoch "
            f"{epoch + 1}, micro batch {micro + 1}. A resumable checkpoint of step "
            f"{self.global_step} is in {self.work / 'deepspeed'}; lower lr (now "
            f"{self.config.lr:g}) or check the data, then re-run with the same work_dir to resume.")

    def _record(self, record: dict[str, Any]) -> None:
        self.history.append(record)
        if self.strategy.is_main:
            with open(self.work / "metrics.jsonl", "a") as f:
                f.write(json.dumps(record) + "\n")


def _add(totals: dict[str, float], name: str, values: Any, weights: Any) -> None:
    totals[name] = totals.get(name, 0.0) + float((values.float() * weights).sum())
    if name == "loss":
        totals["_n"] = totals.get("_n", 0.0) + float(weights.sum())


class _Every:
    """Progress of a long pass, printed about every 10%."""

    def __init__(self, say: Callable[[str], None], what: str):
        self.say, self.what, self.next = say, what, 0.1

    def __call__(self, done: int, total: int) -> None:
        if total and done / total >= self.next and done < total:
            self.say(f"{self.what}: {done}/{total}")
            self.next = math.floor(done / total * 10 + 1) / 10

