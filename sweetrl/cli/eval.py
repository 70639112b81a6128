"""``sweet eval backend|frontend``: a policy on ColBench tasks, through the services.

By default every service runs in this process on loopback: the policy (``--policy``
model on ``--backend``), the simulated human, and the judge. Backend: the human is
``--simulator scripted`` or ``llm`` (the same policy server plays the human unless
``--simulator-model`` names another), the judge the sandbox. Frontend: the human is
``scripted`` (visual diff) or ``vlm`` (``--set simulator.vlm.openai_model=...``), the
renderer draws the agent's pages and judges the answer (CLIP when it has weights,
``--set renderer.judge.clip_model=DIR``; else structural). ``--policy-address`` /
``--simulator-address`` / ``--sandbox-address`` / ``--renderer-address`` use running
services instead. One greedy rollout per task by default; results go to ``--out``:
``results.jsonl`` (resumable: a re-run skips finished dialogues), ``summary.json`` and
``report.html``.

Exit codes: 0 every dialogue judged; 1 some task lines were rejected or some
dialogues failed (a service error; recorded in results.jsonl); 2 usage error or a
service could not start.
"""

from __future__ import annotations

import asyncio
import enum
import json
import sys
import time
from pathlib import Path

import typer

from sweetrl.cli.common import parse_sets

app = typer.Typer(help="Evaluate a policy on ColBench tasks through the services.",
                  no_args_is_help=True)


class SimulatorKind(str, enum.Enum):
    scripted = "scripted"
    llm = "llm"
    vlm = "vlm"


class Engine(str, enum.Enum):
    transformers = "transformers"
    vllm = "vllm"


# Options shared with ``sweet collect backend`` (sweetrl/cli/collect.py).
POLICY = typer.Option("smollm2-135m-instruct", "--policy",
                      help="Policy model reference (HF folder, .gguf, s3:// checkpoint, builtin name).")
LIMIT = typer.Option(None, "--limit", min=1, help="Use the first N tasks (a split: generate N; default 100).")
SIMULATOR = typer.Option(SimulatorKind.scripted, "--simulator",
                         help="Simulated human: 'scripted' (no model; backend: hidden facts, "
                         "frontend: visual diff), 'llm' (backend) or 'vlm' (frontend).")
SIMULATOR_MODEL = typer.Option(None, "--simulator-model",
                               help="Model of the llm human (default: the policy's server).")
ENGINE = typer.Option(Engine.transformers, "--backend", help="Engine of in-process policy servers.")
TASK_SEED = typer.Option(0, "--task-seed", help="Seed of the generated split.")
MAX_TOKENS = typer.Option(256, "--max-tokens", min=1, help="Tokens per agent turn.")
MAX_TURNS = typer.Option(10, "--max-turns", min=1, help="Agent turns per dialogue (benchmark: 10).")
SEED = typer.Option(0, "--seed", help="Base seed of the rollouts.")
DIALOGUES = typer.Option(64, "--dialogues", min=1, help="Dialogues in progress at once.")
POLICY_CONCURRENCY = typer.Option(32, "--policy-concurrency", min=1,
                                  help="Policy calls in flight at once.")
POLICY_ADDRESS = typer.Option(None, "--policy-address", help="host:port of a running policy service.")
SIMULATOR_ADDRESS = typer.Option(None, "--simulator-address",
                                 help="host:port of a running simulator service.")
SANDBOX_ADDRESS = typer.Option(None, "--sandbox-address", help="host:port of a running sandbox service.")
RENDERER_ADDRESS = typer.Option(None, "--renderer-address",
                                help="host:port of a running renderer service.")
# A frontend turn may write a whole page (4x the backend's tokens), so its deadline is
# longer too: 32 such turns batched on a CPU policy server take well over 10 minutes.
FRONTEND_POLICY_TIMEOUT_S = 1800.0
FRONTEND_MAX_TOKENS = typer.Option(
    1024, "--max-tokens", min=1, help="Tokens per agent turn (a page needs room: a snippet "
    "cut before its closing tag is no snippet).")
CONFIG = typer.Option(None, "--config", "-c", exists=True, dir_okay=False,
                      help="YAML file: sections policy, simulator, sandbox, renderer for in-process "
                      "services.")
SETS = typer.Option(None, "--set", help="Override a field: rollout.X=V (retries, timeouts, "
                    "concurrency, judge...; see sweetrl/colbench/rollout/config.py) or of an "
                    "in-process service: policy.X=V, simulator.X=V, sandbox.X=V, renderer.X=V, "
                    "simulator_policy.X=V.")
RETRY_FAILED = typer.Option(False, "--retry-failed",
                            help="Run again the dialogues recorded as failed in the output.")


@app.command("backend")
def backend(
    policy: str = POLICY,
    tasks: str = typer.Option("test", "--tasks", help="'test' or 'train' (generated split), or a JSONL file."),
    limit: int = LIMIT,
    simulator: SimulatorKind = SIMULATOR,
    simulator_model: str = SIMULATOR_MODEL,
    engine: Engine = ENGINE,
    out: Path = typer.Option(Path("sweet-runs/eval-backend"), "--out", file_okay=False,
                             help="Directory for results.jsonl, summary.json and report.html."),
    temperature: float = typer.Option(0.0, "--temperature", min=0.0, max=2.0,
                                      help="Policy temperature (0: greedy)."),
    k: int = typer.Option(1, "--k", min=1, help="Rollouts per task."),
    task_seed: int = TASK_SEED,
    max_tokens: int = MAX_TOKENS,
    max_turns: int = MAX_TURNS,
    seed: int = SEED,
    dialogues: int = DIALOGUES,
    policy_concurrency: int = POLICY_CONCURRENCY,
    show: int = typer.Option(5, "--show", min=0, help="Dialogues shown in full in report.html."),
    policy_address: str = POLICY_ADDRESS,
    simulator_address: str = SIMULATOR_ADDRESS,
    sandbox_address: str = SANDBOX_ADDRESS,
    config: Path = CONFIG,
    set_: list[str] = SETS,
    retry_failed: bool = RETRY_FAILED,
) -> None:
    """Run the policy on ColBench backend tasks; print % tests passed and success rate."""
    from sweetrl.colbench.rollout.evaluate import summarize
    from sweetrl.colbench.rollout.report import write_report

    rollout = rollout_config(set_, k=k, temperature=temperature, max_tokens=max_tokens,
                             max_turns=max_turns, seed=seed, dialogues=dialogues,
                             policy_concurrency=policy_concurrency)
    plan = service_plan(policy, engine, simulator, simulator_model, policy_address,
                        simulator_address, sandbox_address, config, set_)
    out.mkdir(parents=True, exist_ok=True)
    run, rejected = execute(tasks, limit, task_seed, plan, rollout, out / "results.jsonl",
                            work_dir=out, retry_failed=retry_failed, light=False)
    summary = summarize(run.records)
    meta = {"policy": policy_address or policy, "backend": engine.value,
            "simulator": simulator_address or (simulator.value + (
                f" ({simulator_model or 'the policy model'})" if simulator is SimulatorKind.llm else "")),
            "tasks": tasks, "temperature": temperature, "max tokens per turn": max_tokens,
            "max turns": max_turns, "seconds": round(run.seconds, 1),
            "command": "sweet " + " ".join(sys.argv[1:])}
    (out / "summary.json").write_text(json.dumps(
        {**summary.to_json(), "meta": meta, "usage": run.usage}, indent=2) + "\n")
    write_report(out / "report.html", summary, run.records,
                 title="ColBench backend evaluation", meta=meta, show=show)
    for line in summary.lines():
        typer.echo(line)
    _echo_run(run, out)
    raise typer.Exit(1 if rejected or summary.failures else 0)


@app.command("frontend")
def frontend(
    policy: str = POLICY,
    tasks: str = typer.Option("test", "--tasks", help="'test' or 'train' (generated split), or a JSONL file."),
    limit: int = LIMIT,
    simulator: SimulatorKind = SIMULATOR,
    engine: Engine = ENGINE,
    out: Path = typer.Option(Path("sweet-runs/eval-frontend"), "--out", file_okay=False,
                             help="Directory for results.jsonl, summary.json and report.html."),
    reference_run: Path = typer.Option(
        None, "--reference-run", help="An earlier eval's --out folder (or its results.jsonl): "
        "also print the win rate against it (shared tasks; ties count half)."),
    temperature: float = typer.Option(0.0, "--temperature", min=0.0, max=2.0,
                                      help="Policy temperature (0: greedy)."),
    k: int = typer.Option(1, "--k", min=1, help="Rollouts per task."),
    task_seed: int = TASK_SEED,
    max_tokens: int = FRONTEND_MAX_TOKENS,
    max_turns: int = MAX_TURNS,
    seed: int = SEED,
    dialogues: int = DIALOGUES,
    policy_concurrency: int = POLICY_CONCURRENCY,
    show: int = typer.Option(4, "--show", min=0, help="Dialogues shown with screenshots in report.html."),
    policy_address: str = POLICY_ADDRESS,
    simulator_address: str = SIMULATOR_ADDRESS,
    renderer_address: str = RENDERER_ADDRESS,
    config: Path = CONFIG,
    set_: list[str] = SETS,
    retry_failed: bool = RETRY_FAILED,
) -> None:
    """Run the policy on ColBench frontend tasks; print the mean similarity (and win rate)."""
    from sweetrl.colbench.rollout.evaluate_frontend import read_reference, summarize_frontend
    from sweetrl.colbench.rollout.report_frontend import screenshot_hook, write_report
    from sweetrl.errors import InvalidInput

    rollout = rollout_config(set_, k=k, temperature=temperature, max_tokens=max_tokens,
                             max_turns=max_turns, seed=seed, dialogues=dialogues,
                             policy_concurrency=policy_concurrency,
                             policy_timeout_s=FRONTEND_POLICY_TIMEOUT_S)
    plan = service_plan(policy, engine, simulator, None, policy_address, simulator_address,
                        None, config, set_, domain="frontend", renderer_address=renderer_address)
    reference, reference_name = None, ""
    if reference_run is not None:
        try:
            reference, reference_name = read_reference(reference_run)
        except InvalidInput as exc:
            raise typer.BadParameter(str(exc), param_hint="--reference-run") from None
    out.mkdir(parents=True, exist_ok=True)

    run, rejected = execute(tasks, limit, task_seed, plan, rollout, out / "results.jsonl",
                            work_dir=out, retry_failed=retry_failed, light=False,
                            domain="frontend", before_close=screenshot_hook(show))
    try:
        summary = summarize_frontend(run.records, reference=reference, reference_name=reference_name)
    except InvalidInput as exc:  # the runs cannot be compared: report this run alone
        typer.echo(f"error: no win rate: {exc}", err=True)
        summary = summarize_frontend(run.records)
        rejected = rejected or [exc]
    meta = {"policy": policy_address or policy, "backend": engine.value,
            "simulator": simulator_address or simulator.value, "tasks": tasks,
            "temperature": temperature, "max tokens per turn": max_tokens, "max turns": max_turns,
            "reference run": reference_name or "-", "seconds": round(run.seconds, 1),
            "command": "sweet " + " ".join(sys.argv[1:])}
    (out / "summary.json").write_text(json.dumps(
        {**summary.to_json(), "meta": meta, "usage": run.usage}, indent=2) + "\n")
    shown, shots = run.extra
    write_report(out / "report.html", summary, run.records, title="ColBench frontend evaluation",
                 meta=meta, shown=shown, screenshots=shots)
    for line in summary.lines():
        typer.echo(line)
    _echo_run(run, out)
    raise typer.Exit(1 if rejected or summary.failures else 0)


# ------------------------------------------------------------------ shared helpers


def _echo_run(run, out: Path) -> None:
    typer.echo(f"wall time {run.seconds:.1f} s for {run.collect.written} new dialogues "
               f"({run.collect.skipped} already in the file); policy busy "
               f"{100 * run.usage['policy']['busy_fraction']:.0f}%, mean "
               f"{run.usage['policy']['mean_in_flight']:.1f} calls in flight")
    typer.echo(f"results: {out / 'results.jsonl'}  report: {out / 'report.html'}")



def rollout_config(sets: list[str] | None, **values):
    """RolloutConfig from CLI values (``dialogues`` is max_dialogues) and ``--set rollout.X=V``
    (any other field, e.g. rollout.attempts=8; also SWEET_ROLLOUT__X); exits 2 on a bad value."""
    from sweetrl.colbench.rollout.config import RolloutConfig
    from sweetrl.config import load_config
    from sweetrl.errors import InvalidInput

    values["max_dialogues"] = values.pop("dialogues")
    extra = {k[len("rollout."):]: v for k, v in parse_sets(sets).items() if k.startswith("rollout.")}
    try:
        return load_config(RolloutConfig, section="rollout", overrides={**values, **extra})
    except (InvalidInput, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None


def service_plan(policy, engine, simulator, simulator_model, policy_address, simulator_address,
                 sandbox_address, config, set_, *, domain="backend", renderer_address=None):
    from sweetrl.colbench.rollout.services import ServicePlan
    from sweetrl.errors import InvalidInput

    plan = ServicePlan(policy_model=policy, policy_backend=engine.value, simulator=simulator.value,
                       simulator_model=simulator_model, policy_address=policy_address,
                       simulator_address=simulator_address, sandbox_address=sandbox_address,
                       domain=domain, renderer_address=renderer_address, config_file=config,
                       overrides={k: v for k, v in parse_sets(set_).items() if not k.startswith("rollout.")})
    try:
        plan.check()
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc)) from None
    return plan


def execute(tasks_source, limit, task_seed, plan, rollout, results_path, *, work_dir,
            retry_failed, light, domain="backend", before_close=None):
    """Resolve tasks of `domain`, run the rollouts with progress; (RunResult, rejected lines).
    Exits 2 when nothing can run. `before_close` as in `run_rollouts`."""
    from sweetrl.colbench.rollout.run import resolve_tasks, run_rollouts
    from sweetrl.errors import InvalidInput, SweetError

    progress = Progress(domain)

    async def go():
        tasks, rejected, path = await resolve_tasks(tasks_source, limit, seed=task_seed,
                                                    work_dir=work_dir, domain=domain)
        for err in rejected:
            typer.echo(f"rejected: {err}", err=True)
        if not tasks:
            raise InvalidInput(f"no usable task in {path}")
        typer.echo(f"{len(tasks)} tasks from {path}", err=True)
        run = await run_rollouts(tasks, plan, rollout, results_path, retry_failed=retry_failed,
                                 light=light, on_start=progress.start, on_record=progress.update,
                                 before_close=before_close)
        return run, rejected

    try:
        return asyncio.run(go())
    except InvalidInput as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except (SweetError, RuntimeError, OSError) as exc:
        typer.echo(f"error: a service could not start or be reached: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        progress.stop()


class Progress:
    """A progress bar on an interactive stderr; otherwise a line every 10% (and at least each minute).
    Backend: dialogues that succeeded; frontend: the mean similarity so far."""

    def __init__(self, domain: str = "backend") -> None:
        self.domain = domain
        self.total = self.done = self.wins = self.failed = 0
        self.reward_sum = 0.0
        self.bar = None
        self.last = 0.0

    def start(self, addresses: dict[str, str], total: int) -> None:
        self.total, self.started, self.last = total, time.monotonic(), time.monotonic()
        typer.echo("services: " + ", ".join(f"{k} {v}" for k, v in addresses.items()), err=True)
        typer.echo(f"running {total} dialogues", err=True)
        if sys.stderr.isatty() and total:
            from rich.console import Console
            from rich.progress import Progress as Bar

            self.bar = Bar(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("dialogues", total=total)

    def update(self, record: dict) -> None:
        self.done += 1
        self.wins += bool(record.get("success"))
        self.failed += record.get("error") is not None
        self.reward_sum += record.get("reward") or 0.0
        if self.domain == "frontend":
            judged = max(1, self.done - self.failed)
            text = (f"dialogues {self.done}/{self.total}: mean similarity "
                    f"{self.reward_sum / judged:.3f}, {self.failed} failed")
        else:
            text = f"dialogues {self.done}/{self.total}: {self.wins} succeeded, {self.failed} failed"
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, description=text)
            return
        now = time.monotonic()
        step = max(1, self.total // 10)
        if self.done % step == 0 or self.done == self.total or now - self.last > 60:
            self.last = now
            typer.echo(f"{text} ({now - self.started:.0f} s)", err=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
