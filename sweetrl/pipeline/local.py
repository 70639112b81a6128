"""Run a pipeline with kfp's local runner, and compile or submit pipelines for a cluster.

`run_local` executes a pipeline of ``pipelines/definitions.py`` in this machine's
Python environment (``kfp.local.SubprocessRunner(use_venv=False)``): each stage is a
subprocess running the component's code, the order is kfp's, task logs stream to
the terminal. Stage outputs go to the configured object store (by default the local
directory store under ``$SWEET_HOME/store``), so a second run reuses every stage whose
inputs did not change, and a run that failed at a stage resumes there. kfp's own
outputs (the returned URIs) go to ``pipeline_root``.

`compile_all` writes every pipeline's YAML for a cluster (`ClusterSettings`);
`submit` sends one to a Kubeflow Pipelines endpoint with ``kfp.Client``.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def run_local(name: str, *, policy: str, config_json: str, out_dir: Path,
              pipeline_root: Path | None = None) -> Path:
    """Run pipeline `name` locally; returns the report's path, copied into `out_dir`.

    Raises:
        RuntimeError: a stage failed (kfp names the task; its log says why).
    """
    from kfp import local

    from pipelines.definitions import build
    from sweetrl.pipeline.stagecache import fetch

    root = pipeline_root or Path(tempfile.mkdtemp(prefix="sweet-kfp-"))
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(root),
               raise_on_error=True)
    task = build(name)(policy=policy, config_json=config_json)
    report_uri = task.output
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "report.html"
    shutil.copyfile(fetch(report_uri, "report.html"), target)
    shutil.copyfile(fetch(report_uri, "figures.json"), out_dir / "figures.json")
    (out_dir / "report-uri.txt").write_text(report_uri + "\n")
    return target


def compile_all(out_dir: Path, cluster=None, names: tuple[str, ...] | None = None) -> list[Path]:
    """Compile pipelines (all by default) for a cluster into `out_dir`/<name>.yaml."""
    from kfp import compiler

    from pipelines.cluster import ClusterSettings
    from pipelines.definitions import PIPELINES, build

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names or PIPELINES:
        path = out_dir / f"{name}.yaml"
        compiler.Compiler().compile(build(name, cluster or ClusterSettings()), str(path))
        written.append(path)
    return written


def submit(name: str, *, host: str, policy: str, config_json: str, cluster=None,
           experiment: str = "sweet-rl", namespace: str | None = None,
           existing_token: str | None = None) -> str:
    """Compile pipeline `name` and start a run on the KFP endpoint `host`; the run id."""
    import kfp

    with tempfile.TemporaryDirectory() as tmp:
        (path,) = compile_all(Path(tmp), cluster, (name,))
        client = kfp.Client(host=host, namespace=namespace, existing_token=existing_token)
        run = client.create_run_from_pipeline_package(
            str(path), arguments={"policy": policy, "config_json": config_json},
            experiment_name=experiment, namespace=namespace)
    return run.run_id
