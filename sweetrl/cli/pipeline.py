"""``sweet pipeline``: the SWEET-RL loop and its baselines as Kubeflow pipelines.

::

    sweet pipeline run sweet-rl --local              # the whole loop here, report at the end
    sweet pipeline run rft --local --set train_tasks=32
    sweet pipeline compile                           # pipelines/compiled/*.yaml
    sweet pipeline submit sweet-rl --host http://ml-pipeline-ui.kubeflow --cluster cluster.yaml
    sweet pipeline config                            # every setting, its default and meaning

Settings (`sweetrl.pipeline.config.LoopConfig`): defaults < ``--config FILE`` (section
``pipeline``) < ``SWEET_PIPELINE__X`` < ``--set X=V``. Cluster placement
(`pipelines.cluster.ClusterSettings`): ``--cluster FILE`` (section ``cluster``).

Exit codes: 0 done; 1 a stage failed (re-run the same command to resume from it);
2 usage error.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from sweetrl.cli.common import parse_sets

app = typer.Typer(help="Run, compile and submit the SWEET-RL pipelines.", no_args_is_help=True)

NAME = typer.Argument(..., help="sweet-rl, rft, mtdpo or zero-shot.")
POLICY = typer.Option("smollm2-135m-instruct", "--policy",
                      help="Starting policy: builtin name, HF folder, .gguf or s3:// URI.")
CONFIG = typer.Option(None, "--config", "-c", exists=True, dir_okay=False,
                      help="YAML file with a 'pipeline' section (and 'cluster' for compile/submit).")
SETS = typer.Option(None, "--set", help="Override a pipeline setting: FIELD=VALUE, e.g. k=3.")
CLUSTER = typer.Option(None, "--cluster", exists=True, dir_okay=False,
                       help="YAML file with a 'cluster' section (GPUs, node selector, secrets).")


def _settings(config: Path | None, sets: list[str] | None) -> str:
    from sweetrl.errors import InvalidInput
    from sweetrl.pipeline.config import loop_config

    try:
        return loop_config(path=str(config) if config else None, overrides=parse_sets(sets)).to_json()
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc)) from None


def _name(name: str) -> str:
    from pipelines.definitions import PIPELINES

    if name not in PIPELINES:
        raise typer.BadParameter(f"unknown pipeline {name!r}; one of {', '.join(PIPELINES)}")
    return name


def _cluster(path: Path | None):
    from pipelines.cluster import SECTION, ClusterSettings
    from sweetrl.config import load_config
    from sweetrl.errors import InvalidInput

    try:
        return load_config(ClusterSettings, section=SECTION, path=path)
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("run")
def run(
    name: str = NAME,
    local: bool = typer.Option(False, "--local", help="Run here with kfp's local runner "
                               "(services on loopback, the local store); required for now: "
                               "use 'submit' for a cluster."),
    policy: str = POLICY,
    config: Path = CONFIG,
    set_: list[str] = SETS,
    out: Path = typer.Option(None, "--out", file_okay=False,
                             help="Where report.html goes (default sweet-runs/pipeline-NAME)."),
) -> None:
    """Run a whole pipeline and write its HTML report."""
    import time

    from sweetrl.pipeline.local import run_local

    name = _name(name)
    if not local:
        raise typer.BadParameter("add --local to run here; 'sweet pipeline submit' runs on a cluster")
    settings = _settings(config, set_)
    out = out or Path("sweet-runs") / f"pipeline-{name}"
    typer.echo(f"pipeline {name}: policy {policy}; settings {settings}", err=True)
    started = time.monotonic()
    try:
        report = run_local(name, policy=policy, config_json=settings, out_dir=out)
    except RuntimeError as exc:
        typer.echo(f"error: {exc}\nfix the cause and run the same command again: finished "
                   "stages are reused", err=True)
        raise typer.Exit(1) from None
    figures = json.loads((out / "figures.json").read_text())
    ranking = figures.pop("critic_ranking", None)
    for label, f in figures.items():
        if "similarity" in f:  # frontend
            lo, hi = f.get("similarity_ci95") or (0.0, 0.0)
            typer.echo(f"{label}: mean similarity {f['similarity']:.4f} [{lo:.4f}, {hi:.4f}] "
                       f"on {f['tasks']} test tasks")
        else:
            typer.echo(f"{label}: % tests passed {f['tests_passed']:.1%}, success "
                       f"{f['success_rate']:.1%} on {f['tasks']} test tasks")
    if ranking and ranking.get("accuracy") is not None:
        lo, hi = ranking["accuracy_ci95"]
        typer.echo(f"critic ranking accuracy on held-out tasks: {ranking['accuracy']:.1%} "
                   f"[{lo:.1%}, {hi:.1%}] over {ranking['pairs']} pairs")
    typer.echo(f"done in {time.monotonic() - started:.0f} s; report: {report}")


@app.command("compile")
def compile_(
    out_dir: Path = typer.Option(Path("pipelines/compiled"), "--out-dir", file_okay=False,
                                 help="Folder of the YAML files."),
    cluster: Path = CLUSTER,
) -> None:
    """Compile every pipeline to YAML for Kubeflow Pipelines."""
    from sweetrl.pipeline.local import compile_all

    for path in compile_all(out_dir, _cluster(cluster)):
        typer.echo(f"wrote {path}")


@app.command("submit")
def submit(
    name: str = NAME,
    host: str = typer.Option(..., "--host", help="KFP API endpoint, e.g. http://ml-pipeline.kubeflow:8888."),
    policy: str = POLICY,
    config: Path = CONFIG,
    set_: list[str] = SETS,
    cluster: Path = CLUSTER,
    experiment: str = typer.Option("sweet-rl", "--experiment", help="KFP experiment name."),
    namespace: str = typer.Option(None, "--namespace", help="Profile namespace (multi-user KFP)."),
    token_env: str = typer.Option("", "--token-env",
                                  help="Environment variable holding a bearer token for the endpoint."),
) -> None:
    """Compile a pipeline and start a run of it on a Kubeflow Pipelines endpoint."""
    import os

    from sweetrl.pipeline.local import submit as submit_run

    token = os.environ.get(token_env) if token_env else None
    run_id = submit_run(_name(name), host=host, policy=policy, config_json=_settings(config, set_),
                        cluster=_cluster(cluster), experiment=experiment, namespace=namespace,
                        existing_token=token)
    typer.echo(f"submitted {name}: run {run_id}")


@app.command("config")
def show_config() -> None:
    """List every pipeline setting (name, type, default, meaning)."""
    from rich.console import Console
    from rich.table import Table

    from sweetrl.config import describe
    from sweetrl.pipeline.config import LoopConfig

    table = Table("setting", "type", "default", "meaning")
    for f in describe(LoopConfig):
        table.add_row(f.name, f.type, f.default, f.doc)
    Console().print(table)
