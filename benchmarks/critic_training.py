"""Critic training throughput and memory: our DeepSpeed critic trainer vs TRL's DPOTrainer.

Run from the repository root (TRL is the ``bench`` extra: ``pip install -e '.[bench]'``)::

    .venv/bin/python benchmarks/critic_training.py [--pairs 4] [--questions 1]
                                                   [--micro-batch-size 1] [--grad-accum 2]
                                                   [--max-length 1024] [--rounds 1]
                                                   [--threads 1] [--model smollm2-135m-instruct]
    .venv/bin/python benchmarks/critic_training.py --model tiny      # ~1 min: a tiny random model

The defaults take about 4.5 minutes on a quiet 2-CPU machine (about twice as long
when other jobs load it): SmolLM2 in fp32 trains at ~50-65 tokens/s on one core, so
the workload is small. ``--rounds 2`` (ours, TRL, TRL, ours) evens out drifting load.

Workload (ALGORITHM.md step 3): ``--pairs`` ColBench-backend-like tasks (the generated
functions of ``_colbench_like.py``), each with two synthetic rollouts in the trajectory
JSONL format ``sweet collect`` writes: a chosen one (reward 1.0: ``--questions``
clarifying questions, the simulated human's answers quoting the hidden function, then
``I WANT TO ANSWER:`` with the correct function) and a rejected one (reward < 1: as many
or one fewer questions, then a function with one hidden fact wrong). The backend pair
rule gives exactly one pair per task. Deterministic in ``--seed``; no model is called.

The SAME pairs, the same model (SmolLM2-135M-Instruct, fp32, CPU), the same max length,
micro batch (pairs per forward), gradient accumulation, optimizer steps (one epoch over
all pairs), AdamW (lr, betas 0.9/0.95, eps 1e-8, no weight decay, constant lr, gradient
clipping 1.0), beta, seed and torch thread count (``--threads``) go to:

* **ours**: ``sweet train critic`` as a subprocess -- the real CLI, config loading,
  trajectory parsing, pair rule, critic encoding (ground truth as the first system
  message, every assistant turn scored, user turns masked), one cached reference pass
  over the distinct trajectories, then the DeepSpeed engine (ZeRO stage of the
  trainer's default unless ``--zero-stage``), the per-turn Bradley-Terry loss, and at
  the end its resumable checkpoint and export (outside the timed steps).
* **baseline**: TRL's ``DPOTrainer`` (``trl==1.16.0``) in a child process of this script,
  on the same pairs in TRL's conversational preference format: ``prompt`` = the critic's
  view before the first assistant turn (the same "The final answer is: ..." system
  message, agent system prompt and user request), ``chosen``/``rejected`` = the rest
  of each trajectory's dialogue (every assistant turn AND the human replies between
  them: TRL masks only the prompt, so its loss also covers the user tokens; the tokens
  fed through the model are the same), ``precompute_ref_log_probs=True`` (its reference
  pass over the dataset before training, the counterpart of our cached pass) with
  ``precompute_ref_batch_size`` = the micro batch, ``loss_type=sigmoid``, no gradient
  checkpointing (TRL's default is on; ours is off), ``bf16=False``, ``use_cpu=True``,
  no saving.

What is counted, on both sides: **real (non-padding) tokens processed** in the forward
and backward passes of the training steps (ours: the trainer's own per-step count,
``Batch.n_tokens`` summed over micro batches, from ``metrics.jsonl``; TRL: the sum of
``attention_mask`` of every micro batch entering ``training_step``), divided by the
**wall time of the optimizer steps** (ours: the trainer's per-step ``seconds``, from
before the first micro batch's collation to after the optimizer step; TRL: a callback's
``on_step_begin`` to ``on_step_end``, i.e. forward/backward of every micro batch,
clipping, optimizer and scheduler step -- its collation happens before
``on_step_begin`` and is not counted, which can only favour TRL). The headline is over
all steps of the epoch (both sides train the same pairs, so the token totals agree);
the steady figure leaves out step 1 (first-touch allocations, optimizer state).
Beside it, tokens per CPU-second of the same steps (TRL: ``time.process_time`` in the
callback; ours: the child's CPU time from ``/proc`` when the parent sees its reference
line and each new step in ``metrics.jsonl``, polled every 0.1 s): with one torch thread
it is what tokens/s would be on a quiet machine, and moves much less under load.
The reference pass is measured separately (ours: the trainer's "reference pass" log
line; TRL: the time of its ``_precompute_ref_logps``), as tokens/s of the sequences it
scores. Peak memory: each trainer runs in its own child process; "peak RSS, training"
is the process's peak resident set (``ru_maxrss``) when the last optimizer step ends
(ours: ``peak_memory_gib`` of that step in ``metrics.jsonl``; TRL: the callback), and
"process peak" is the whole child's ``ru_maxrss`` from ``os.wait4`` (ours includes
writing its checkpoint and export). A run's wall time is split into set-up (start to
the reference pass), reference pass, training and after the last step (ours: the
DeepSpeed checkpoint, export and publish), from its log lines as the parent saw them
(``--keep`` keeps them, stamped, in ``*.timeline``). With ``--rounds N`` the order alternates (ours,
TRL, TRL, ours, ...) and figures are summed over rounds (peaks: the maximum).

Target (issue 5): ours not slower (tokens/s ratio >= 1) and no more memory (peak RSS
through training ratio <= 1). The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
try:  # the editable install (or PYTHONPATH, to benchmark another copy of the trainer)
    import sweetrl  # noqa: F401
except ImportError:
    sys.path.insert(1, str(REPO))

import _colbench_like as colbench  # noqa: E402
from critic_scoring import (AGENT_SYSTEM_PROMPT, ANSWERS, EDGES, FACT_PREFIXES,  # noqa: E402
                            QUESTIONS, THINGS)

MODEL = "smollm2-135m-instruct"
REFERENCE_LINE = re.compile(r"reference pass: (\d+) sequences, (\d+) tokens in ([\d.]+) s")
TRL_VERSION = "1.16.0"
MIB = 2**20

# --------------------------------------------------------------------------- data


def _facts(task: colbench.TaskSpec) -> list[str]:
    """Lines of the hidden function that hold its constants (what a user would reveal)."""
    lines = [line.strip() for line in task.ground_truth.splitlines()
             if any(ch.isdigit() for ch in line) and not line.strip().startswith("def ")]
    return lines or ["the defaults are fine"]


def _record(task: colbench.TaskSpec, rollout: int, reward: float, request: str,
            outputs: list[str], replies: list[str]) -> dict:
    """One dialogue in the trajectory JSONL format (`sweetrl.train.data.trajectories`)."""
    history = [{"role": "user", "content": request}]
    chat = [{"role": "system", "content": AGENT_SYSTEM_PROMPT},
            {"role": "user", "content": request}]
    for i, output in enumerate(outputs):
        history.append({"role": "assistant", "content": output, "output": output,
                        "input": list(chat), "messages": list(chat)})
        chat.append({"role": "assistant", "content": output})
        if i < len(replies):
            history.append({"role": "user", "content": replies[i]})
            chat.append({"role": "user", "content": replies[i]})
    return {"task": {"id": task.task_id, "problem_description": task.problem_description,
                     "ground_truth": task.ground_truth,
                     "test_cases": {f"t{i}": c for i, c in enumerate(task.calls)}},
            "dialogue_history": history, "answer": outputs[-1], "reward": reward,
            "task_id": task.task_id, "rollout": rollout}


def make_records(n_pairs: int, questions: int, seed: int) -> list[dict]:
    """Two rollouts per task (module docstring), deterministic in `seed`."""
    rng = random.Random(seed)
    records = []
    for i in range(n_pairs):
        task = colbench.make_task(rng, i)
        facts = _facts(task)
        request = (task.problem_description + " Please ask me what you need to know first; "
                   "I will answer as well as I can.")

        def rollout(k: int, n_questions: int, kind: str, reward: float) -> dict:
            outputs, replies = [], []
            for _ in range(n_questions):
                outputs.append(rng.choice(QUESTIONS).format(thing=rng.choice(THINGS),
                                                            edge=rng.choice(EDGES)))
                fact = f"{rng.choice(FACT_PREFIXES)} `{rng.choice(facts)}`"
                replies.append(rng.choice(ANSWERS).format(fact=fact))
            answer = colbench.make_answer(rng, task, kind).text
            if not answer.startswith("I WANT TO ANSWER"):
                answer = "I WANT TO ANSWER:\n" + answer
            return _record(task, k, reward, request, outputs + [answer], replies)

        records.append(rollout(0, questions, "correct", 1.0))
        records.append(rollout(1, rng.randint(max(0, questions - 1), questions), "wrong_fact",
                               rng.choice([0.0, 0.2, 0.5])))
    return records


def preference_rows(trajectory_file: Path) -> list[dict]:
    """The pairs our trainer forms (the backend rule, our parser), as TRL conversational
    preference rows: prompt = the critic's view up to the first assistant turn, with the
    ground truth prepended exactly as the critic does; chosen/rejected = the rest."""
    from services.critic.scoring import with_training_information
    from sweetrl.train.data.pairs import trajectory_pairs
    from sweetrl.train.data.trajectories import critic_dialogue, read_trajectories

    rows = []
    for pair in trajectory_pairs(read_trajectories(trajectory_file).trajectories, "backend"):
        (vc, wc), (vr, wr) = critic_dialogue(pair.chosen), critic_dialogue(pair.rejected)
        if vc[:wc[0]] != vr[:wr[0]] or pair.chosen.ground_truth != pair.rejected.ground_truth:
            raise AssertionError(f"pair of {pair.chosen.task_id}: the two sides' prompts differ")
        prompt = with_training_information("backend", pair.chosen.ground_truth,
                                           [(m.role, m.content) for m in vc[:wc[0]]])
        rows.append({"prompt": [{"role": r, "content": c} for r, c in prompt],
                     "chosen": [{"role": m.role, "content": m.content} for m in vc[wc[0]:]],
                     "rejected": [{"role": m.role, "content": m.content} for m in vr[wr[0]:]]})
    return rows


# --------------------------------------------------------------------------- children


def _env(threads: int, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    if threads:
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(threads)
    env.update(TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", HF_DATASETS_CACHE=str(home / "hf_datasets"),
               TQDM_DISABLE="1", PYTHONUNBUFFERED="1")
    return env


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process `pid` (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_child(cmd: list[str], env: dict[str, str], log: Path, timeout: float,
              timeline: Timeline) -> dict:
    """Run `cmd`, stdout+stderr to `log`, polling `timeline` every 0.1 s while it runs;
    its exit code, wall time, CPU time and peak RSS (``os.wait4``: this child only)."""
    with open(log, "w") as out:
        started = timeline.started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() - started > timeout:
                    proc.kill()
                else:
                    timeline.poll(proc.pid)
                time.sleep(0.1)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
    return {"rc": proc.returncode, "wall_s": time.perf_counter() - started,
            "cpu_s": usage.ru_utime + usage.ru_stime, "process_peak_rss": usage.ru_maxrss * 1024}


class Timeline:
    """A child's log lines stamped with (wall seconds since its start, its CPU seconds)
    when the parent first saw them (polled every 0.1 s), and, with `metrics`, the same
    stamps at the end of each step (a new step line in our trainer's metrics.jsonl: it
    records wall time only, so per-step CPU time is read from outside)."""

    def __init__(self, log: Path, metrics: Path | None = None):
        self.log, self.metrics = log, metrics
        self.started = time.perf_counter()
        self.lines: list[tuple[float, float | None, str]] = []
        self.steps: list[tuple[float, float | None]] = []
        self._offset, self._partial = 0, ""

    def poll(self, pid: int) -> None:
        now, cpu = time.perf_counter() - self.started, _cpu_seconds(pid)
        try:
            with open(self.log, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except OSError:
            data = b""
        self._offset += len(data)
        *complete, self._partial = (self._partial + data.decode(errors="replace")).split("\n")
        self.lines += [(now, cpu, line) for line in complete if line.strip()]
        if self.metrics is not None:
            try:
                n = sum('"kind": "step"' in line for line in self.metrics.read_text().splitlines())
            except OSError:
                n = 0
            self.steps += [(now, cpu)] * (n - len(self.steps))

    def write(self, path: Path) -> None:
        """The stamped lines, for a look at where a run's time went (kept with --keep)."""
        path.write_text("".join(f"{t:8.1f} {'-' if c is None else f'{c:8.1f}'}  {line[:160]}\n"
                                for t, c, line in self.lines))

    def first(self, pattern: re.Pattern | str) -> tuple[float, float | None] | None:
        for t, cpu, line in self.lines:
            if re.search(pattern, line):
                return t, cpu
        return None


def phases(wall: float, reference_end: tuple[float, float | None] | None, reference_s: float,
           last_step_end: tuple[float, float | None] | None) -> dict:
    """Wall seconds of a run: set-up (start to the reference pass), reference pass,
    training steps (reference end to the last step's end), and after the last step."""
    if reference_end is None or last_step_end is None:
        return {}
    return {"setup": reference_end[0] - reference_s, "reference": reference_s,
            "training": last_step_end[0] - reference_end[0], "after": wall - last_step_end[0]}


def _tail(path: Path, n: int = 25) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-n:])


def run_ours(a: argparse.Namespace, model_ref: str, trajectories: Path, work: Path,
             env: dict[str, str]) -> dict:
    sweet = Path(sys.executable).with_name("sweet")
    cmd = [str(sweet)] if sweet.exists() else [sys.executable, "-c",
                                               "import sys; from sweetrl.cli.main import main; "
                                               "sys.exit(main())"]
    sets = {"lr": a.lr, "beta": a.beta, "micro_batch_size": a.micro_batch_size,
            "gradient_accumulation_steps": a.grad_accum, "max_length": a.max_length,
            "epochs": 1, "seed": a.seed, "engine.precision": "fp32", "log_every": 1,
            "keep_checkpoints": 1, "warmup_steps": 0, "weight_decay": 0.0,
            "engine.gradient_clipping": 1.0, "engine.gradient_checkpointing": False}
    if a.zero_stage is not None:
        sets["engine.zero_stage"] = a.zero_stage
    cmd += ["train", "critic", "--trajectories", str(trajectories), "--model", model_ref,
            "--out", str(work / "out"), "--work-dir", str(work / "run")]
    for key, value in sets.items():
        cmd += ["--set", f"{key}={value}"]
    log = work / "ours.log"
    timeline = Timeline(log, work / "run" / "metrics.jsonl")
    proc = run_child(cmd, env, log, a.timeout, timeline)
    timeline.write(work / "ours.timeline")
    if proc["rc"] != 0:
        raise RuntimeError(f"sweet train critic failed (exit {proc['rc']}):\n{_tail(log)}")
    text = log.read_text(errors="replace")
    steps = []
    for line in (work / "run" / "metrics.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if rec.get("kind") == "step":
            steps.append({"tokens": round(rec["tokens_per_s"] * rec["seconds"]),
                          "seconds": rec["seconds"], "peak_rss": rec["peak_memory_gib"] * 2**30,
                          "loss": rec["loss"]})
    ref = REFERENCE_LINE.search(text)
    ref_end = timeline.first(REFERENCE_LINE)
    marks = [ref_end] + timeline.steps if ref_end else []
    if len(marks) == len(steps) + 1 and all(c is not None for _, c in marks):
        for step, (_, before), (_, after) in zip(steps, marks, marks[1:]):
            step["cpu_s"] = after - before  # type: ignore[operator]
    pairs = re.search(r"(\d+) training pairs", text)
    return {"steps": steps, "pairs": int(pairs.group(1)) if pairs else None,
            "reference": {"sequences": int(ref.group(1)), "tokens": int(ref.group(2)),
                          "seconds": float(ref.group(3))} if ref else None,
            "phases": phases(proc["wall_s"], ref_end, float(ref.group(3)) if ref else 0.0,
                             timeline.steps[-1] if timeline.steps else None),
            "truncated_sequences": 0, "dropped": "dropped" in text, **proc}


def run_trl(a: argparse.Namespace, model_path: str, dataset: Path, work: Path,
            env: dict[str, str]) -> dict:
    spec = {"model": model_path, "dataset": str(dataset), "out": str(work / "trl_out"),
            "result": str(work / "trl_result.json"), "lr": a.lr, "beta": a.beta,
            "micro_batch_size": a.micro_batch_size, "grad_accum": a.grad_accum,
            "max_length": a.max_length, "seed": a.seed}
    spec_path = work / "trl_spec.json"
    spec_path.write_text(json.dumps(spec))
    log = work / "trl.log"
    timeline = Timeline(log)
    proc = run_child([sys.executable, str(Path(__file__).resolve()), "--trl-child",
                      str(spec_path)], env, log, a.timeout, timeline)
    timeline.write(work / "trl.timeline")
    if proc["rc"] != 0:
        raise RuntimeError(f"TRL child failed (exit {proc['rc']}):\n{_tail(log)}")
    out = json.loads(Path(spec["result"]).read_text())
    last_step = [(t, cpu) for t, cpu, line in timeline.lines if line.startswith("[bench] step ")]
    out["phases"] = phases(proc["wall_s"], timeline.first(r"^\[bench\] reference pass done"),
                           out["reference"]["seconds"], last_step[-1] if last_step else None)
    return {**out, **proc}


def trl_child(spec_path: str) -> int:
    """The baseline, in its own process: TRL's DPOTrainer on the preference rows."""
    spec = json.loads(Path(spec_path).read_text())
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, TrainerCallback
    from trl import DPOConfig, DPOTrainer

    from sweetrl.models.refs import resolve
    from sweetrl.train.modeling import load_tokenizer

    resolved = resolve(spec["model"])
    tokenizer = load_tokenizer(resolved)  # the tokenizer (and pad token) ours uses
    model = AutoModelForCausalLM.from_pretrained(resolved.path, dtype=torch.float32,
                                                 local_files_only=True)
    model.config.use_cache = False
    rows = [json.loads(line) for line in Path(spec["dataset"]).read_text().splitlines()]
    stats: dict = {"steps": [], "reference": None, "pairs": len(rows), "_tokens": 0}
    max_length = spec["max_length"]

    class Timed(DPOTrainer):
        def _precompute_ref_logps(self, dataset, name, batch_size):
            started = time.perf_counter()
            out = super()._precompute_ref_logps(dataset, name, batch_size)
            seconds = time.perf_counter() - started
            lengths = [len(r["prompt_ids"]) + len(r[side]) for r in dataset
                       for side in ("chosen_ids", "rejected_ids")]
            stats["truncated_sequences"] = sum(n > max_length for n in lengths)
            stats["reference"] = {"sequences": len(lengths), "seconds": seconds,
                                  "tokens": sum(min(n, max_length) for n in lengths)}
            print("[bench] reference pass done", flush=True)
            return out

        def training_step(self, *args, **kwargs):
            inputs = args[1] if len(args) > 1 else kwargs["inputs"]
            stats["_tokens"] += int(inputs["attention_mask"].sum())
            return super().training_step(*args, **kwargs)

    class StepTimer(TrainerCallback):
        started = cpu_started = 0.0

        def on_step_begin(self, args, state, control, **kwargs):
            self.started, self.cpu_started = time.perf_counter(), time.process_time()

        def on_step_end(self, args, state, control, **kwargs):
            seconds = time.perf_counter() - self.started
            stats["steps"].append({
                "tokens": stats["_tokens"], "seconds": seconds,
                "cpu_s": time.process_time() - self.cpu_started,
                "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})
            stats["_tokens"] = 0
            print(f"[bench] step {state.global_step} done", flush=True)

    config = DPOConfig(
        output_dir=spec["out"], per_device_train_batch_size=spec["micro_batch_size"],
        gradient_accumulation_steps=spec["grad_accum"], num_train_epochs=1, max_steps=-1,
        learning_rate=spec["lr"], lr_scheduler_type="constant", warmup_steps=0,
        weight_decay=0.0, adam_beta1=0.9, adam_beta2=0.95, adam_epsilon=1e-8,
        max_grad_norm=1.0, optim="adamw_torch", beta=spec["beta"], loss_type=["sigmoid"],
        max_length=max_length, precompute_ref_log_probs=True,
        precompute_ref_batch_size=spec["micro_batch_size"], gradient_checkpointing=False,
        bf16=False, fp16=False, use_cpu=True, seed=spec["seed"], data_seed=spec["seed"],
        logging_steps=1, report_to="none", save_strategy="no", disable_tqdm=True,
        dataloader_num_workers=0)
    trainer = Timed(model=model, args=config, train_dataset=Dataset.from_list(rows),
                    processing_class=tokenizer, callbacks=[StepTimer()])
    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    for step, loss in zip(stats["steps"], losses):
        step["loss"] = loss
    stats.pop("_tokens")
    stats["torch_threads"] = torch.get_num_threads()
    Path(spec["result"]).write_text(json.dumps(stats))
    return 0


# --------------------------------------------------------------------------- figures


def summarise(runs: list[dict]) -> dict:
    """Sums over rounds: all steps and steady steps (2..N), reference pass, peaks."""
    steps = [s for r in runs for s in r["steps"]]
    steady = [s for r in runs for s in r["steps"][1:]]

    def rate(items: list[dict], key: str = "seconds") -> float | None:
        if not items or any(key not in s for s in items):
            return None
        seconds = sum(s[key] for s in items)
        return sum(s["tokens"] for s in items) / seconds if seconds else None

    refs = [r["reference"] for r in runs if r.get("reference")]
    ref_s = sum(x["seconds"] for x in refs)
    return {
        "tokens_per_s": rate(steps), "steady_tokens_per_s": rate(steady),
        "tokens_per_cpu_s": rate(steps, "cpu_s"),
        "step_cpu_s": [round(s["cpu_s"], 2) for s in steps if "cpu_s" in s],
        "process_cpu_s": sum(r["cpu_s"] for r in runs) / len(runs),
        "steps": len(steps) // len(runs),
        "tokens_per_round": sum(s["tokens"] for s in steps) // len(runs),
        "step_s_mean": sum(s["seconds"] for s in steps) / len(steps),
        "step_s": [round(s["seconds"], 2) for s in steps],
        "step_tokens": [s["tokens"] for s in steps],
        "loss": [round(s["loss"], 4) for s in steps if "loss" in s],
        "reference_tokens": refs[0]["tokens"] if refs else None,
        "reference_s": ref_s / len(refs) if refs else None,
        "reference_tokens_per_s": sum(x["tokens"] for x in refs) / ref_s if ref_s else None,
        "peak_rss_training_mib": max(r["steps"][-1]["peak_rss"] for r in runs) / MIB,
        "peak_rss_process_mib": max(r["process_peak_rss"] for r in runs) / MIB,
        "wall_s": sum(r["wall_s"] for r in runs) / len(runs),
        "pairs": runs[0].get("pairs"), "truncated_sequences": runs[0].get("truncated_sequences"),
        "phases_s": {k: round(sum(r["phases"][k] for r in runs) / len(runs), 1)
                     for k in ("setup", "reference", "training", "after")
                     if all(r.get("phases") for r in runs)},
    }


def _r(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=4, help="tasks = preference pairs (1 epoch)")
    ap.add_argument("--questions", type=int, default=1,
                    help="clarifying questions of a chosen rollout before its answer")
    ap.add_argument("--micro-batch-size", type=int, default=1, help="pairs per forward pass")
    ap.add_argument("--grad-accum", type=int, default=2, help="micro batches per optimizer step")
    ap.add_argument("--max-length", type=int, default=None,
                    help="most tokens of a sequence (default 1024; 8192 with --model tiny)")
    ap.add_argument("--lr", type=float, default=1e-5)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--zero-stage", type=int, choices=[0, 1, 2, 3], default=None,
                    help="ours: DeepSpeed ZeRO stage (default: the trainer's default)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="runs of each trainer, order alternating (ours, TRL, TRL, ours, ...)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads of both trainers (OMP_NUM_THREADS; 0: torch's default)")
    ap.add_argument("--model", default=MODEL,
                    help="model reference (folder, .gguf, builtin name) or 'tiny' (a tiny "
                         "random Llama built here, for a quick run)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per trainer run")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs, data)")
    ap.add_argument("--trl-child", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.trl_child:
        return trl_child(a.trl_child)

    import importlib.metadata as md

    from rich.console import Console
    from rich.table import Table

    from sweetrl.models.refs import resolve

    console = Console(highlight=False, width=max(160, Console().width))
    try:
        trl_version = md.version("trl")
    except md.PackageNotFoundError:
        console.print("TRL is not installed: .venv/bin/pip install -e '.[bench]' "
                      f"(trl=={TRL_VERSION})", style="red")
        return 2
    home = Path(tempfile.mkdtemp(prefix="critic_training_"))
    try:
        if a.model == "tiny":
            from sweetrl.models.tiny import build_tiny_model

            model_ref = str(build_tiny_model(home / "tiny", seed=0, max_position_embeddings=8192))
            a.max_length = a.max_length or 8192
        else:
            model_ref = a.model
        a.max_length = a.max_length or 1024
        resolved = resolve(model_ref)
        for f in resolved.path.iterdir():  # warm the page cache: neither run pays a cold read
            if f.is_file():
                f.read_bytes()
        trajectories = home / "trajectories.jsonl"
        records = make_records(a.pairs, a.questions, a.seed)
        trajectories.write_text("".join(json.dumps(r) + "\n" for r in records))
        rows = preference_rows(trajectories)
        dataset = home / "preferences.jsonl"
        dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
        steps = -(-len(rows) // (a.micro_batch_size * a.grad_accum))
        env = _env(a.threads, home)
        console.print(
            f"[bold]critic_training[/]: {len(rows)} pairs ({len(records)} trajectories), "
            f"{resolved.name} fp32, max length {a.max_length}, micro batch {a.micro_batch_size} "
            f"pair(s) x accumulation {a.grad_accum} = {steps} optimizer steps (1 epoch), "
            f"lr {a.lr:g}, beta {a.beta:g}, torch threads {a.threads or 'default'}, "
            f"{a.rounds} round(s); CPUs {os.cpu_count()}, load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; trl {trl_version}")
        load_before = os.getloadavg()
        order = []
        for i in range(a.rounds):
            order += ["ours", "trl"] if i % 2 == 0 else ["trl", "ours"]
        runs: dict[str, list[dict]] = {"ours": [], "trl": []}
        for k, which in enumerate(order):
            work = home / f"run{k}-{which}"
            work.mkdir()
            console.print(f"run {k + 1}/{len(order)}: {which} ...", end=" ")
            if which == "ours":
                r = run_ours(a, model_ref, trajectories, work, env)
            else:
                r = run_trl(a, str(resolved.path), dataset, work, env)
            runs[which].append(r)
            shutil.rmtree(work / "run", ignore_errors=True)  # DeepSpeed checkpoint, export
            shutil.rmtree(work / "out", ignore_errors=True)
            console.print(f"{r['wall_s']:.0f} s, {len(r['steps'])} steps, load average "
                          f"{os.getloadavg()[0]:.2f}")
        load_after = os.getloadavg()
        ours, trl = summarise(runs["ours"]), summarise(runs["trl"])

        from sweetrl.train.config import EngineConfig

        stage = a.zero_stage if a.zero_stage is not None else EngineConfig().zero_stage
        table = Table(title=f"Critic training on {len(rows)} pairs, {resolved.name} fp32 "
                            f"(CPU, {a.threads or 'default'} thread(s)); {steps} steps x "
                            f"{a.micro_batch_size * a.grad_accum} pairs, {a.rounds} round(s)")
        for col in ("trainer", "tok/s", "tok/s steps 2+", "tok / CPU-s", "s/step", "tokens/epoch",
                    "ref tok/s", "ref s", "peak RSS train MiB", "peak RSS process MiB", "wall s"):
            table.add_column(col, justify="left" if col == "trainer" else "right",
                             no_wrap=col == "trainer")

        def cell(x: float | None, fmt: str = ".1f") -> str:
            return "-" if x is None else format(x, fmt)

        for name, s in ((f"ours (sweet train critic, ZeRO-{stage})", ours),
                        (f"TRL {trl_version} DPOTrainer", trl)):
            table.add_row(name, cell(s["tokens_per_s"]), cell(s["steady_tokens_per_s"]),
                          cell(s["tokens_per_cpu_s"]), cell(s["step_s_mean"], ".2f"),
                          str(s["tokens_per_round"]), cell(s["reference_tokens_per_s"]),
                          cell(s["reference_s"]), cell(s["peak_rss_training_mib"], ".0f"),
                          cell(s["peak_rss_process_mib"], ".0f"), cell(s["wall_s"], ".0f"))
        console.print(table)

        def ratio_of(key: str) -> float | None:
            return ours[key] / trl[key] if ours[key] and trl[key] else None

        ratios = {"tokens_per_s": ratio_of("tokens_per_s"),
                  "steady_tokens_per_s": ratio_of("steady_tokens_per_s"),
                  "tokens_per_cpu_s": ratio_of("tokens_per_cpu_s"),
                  "reference_tokens_per_s": ratio_of("reference_tokens_per_s"),
                  "peak_rss_training": ratio_of("peak_rss_training_mib"),
                  "peak_rss_process": ratio_of("peak_rss_process_mib")}
        token_gap = (abs(ours["tokens_per_round"] - trl["tokens_per_round"])
                     / trl["tokens_per_round"])
        same_data = (ours["pairs"] == trl["pairs"] == len(rows) and not trl["truncated_sequences"]
                     and not any(r["dropped"] for r in runs["ours"]) and token_gap < 0.02)
        meets = ratios["tokens_per_s"] >= 1.0 and ratios["peak_rss_training"] <= 1.0
        console.print("ours / TRL: "
                      + ", ".join(f"{k} {cell(v, '.3f')}" for k, v in ratios.items())
                      + " -> target (tokens/s >= 1, peak RSS training <= 1): "
                      f"{'met' if meets else 'NOT met'}")
        console.print(f"same data: {same_data} (pairs {ours['pairs']} vs {trl['pairs']}; tokens "
                      f"per epoch {ours['tokens_per_round']} vs {trl['tokens_per_round']}, "
                      f"gap {token_gap:.2%}: TRL's sequences end with the template's newline "
                      f"after the last <|im_end|>; TRL truncated {trl['truncated_sequences']} "
                      f"sequences); step s ours {ours['step_s']}, TRL {trl['step_s']}; step "
                      f"CPU-s ours {ours['step_cpu_s']}, TRL {trl['step_cpu_s']}; loss ours "
                      f"(per-turn BT) {ours['loss']}, TRL (DPO sigmoid) {trl['loss']}")
        for name, s in (("ours", ours), ("TRL", trl)):
            console.print(f"wall time of a {name} run (s): " + ", ".join(
                f"{k} {v}" for k, v in s["phases_s"].items()) + f"; process CPU "
                f"{s['process_cpu_s']:.0f} s")
        console.print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
                      "(other jobs on the machine lower the per-second figures of both; tokens "
                      "per CPU-second move much less)")
        keys = ("tokens_per_s", "steady_tokens_per_s", "tokens_per_cpu_s", "step_s_mean",
                "reference_tokens_per_s", "reference_s", "peak_rss_training_mib",
                "peak_rss_process_mib", "process_cpu_s", "wall_s")
        lists = ("step_s", "step_cpu_s", "step_tokens", "loss", "phases_s")
        result = {
            "benchmark": "critic_training", "model": resolved.name, "pairs": len(rows),
            "trajectories": len(records), "questions": a.questions, "steps": steps,
            "micro_batch_size": a.micro_batch_size, "gradient_accumulation_steps": a.grad_accum,
            "max_length": a.max_length, "threads": a.threads, "rounds": a.rounds,
            "order": order, "zero_stage": stage, "lr": a.lr, "beta": a.beta,
            "seed": a.seed, "trl_version": trl_version, "cpus": os.cpu_count(),
            "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
            **{name: {**{k: _r(s[k]) for k in keys}, "tokens_per_epoch": s["tokens_per_round"],
                      "reference_tokens": s["reference_tokens"], **{k: s[k] for k in lists}}
               for name, s in (("ours", ours), ("trl", trl))},
            "ratios": {k: _r(v) for k, v in ratios.items()},
            "same_data": same_data, "meets_target": meets,
        }
        if a.keep:
            console.print(f"work folder kept: {home}")
        print(json.dumps(result))
        return 0
    finally:
        if not a.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
