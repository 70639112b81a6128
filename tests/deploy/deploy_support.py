"""Helpers of the deployment checks: the chart rendered with `helm template`.

Nothing here needs a cluster or Docker. Tests that run helm skip, saying how to get
it, when the binary is missing (scripts/install_helm.sh puts it in .venv/bin).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "sweetrl"
DOCKER = REPO / "docker"
RELEASE = "rl"
NAMESPACE = "sweet"

# The overlays CI renders; each is the default values plus these files and --set's.
SCENARIOS: dict[str, tuple[str, ...]] = {
    "default": (),
    "gpu": ("-f", str(CHART / "values-gpu.yaml")),
    "external-s3": ("-f", str(CHART / "values-external-s3.yaml")),
    # the opt-in frontend renderer on the defaults
    "renderer": ("--set", "renderer.enabled=true"),
    # every optional object on: renderer, simulator model, monitoring, TLS, gVisor sandbox
    "everything": ("--set", "renderer.enabled=true,simulatorModel.enabled=true,"
                   "metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true,"
                   "metrics.dashboard.enabled=true,tls.enabled=true,tls.existingSecret=rl-tls,"
                   "sandbox.isolation=process,sandbox.runtimeClassName=gvisor,"
                   "pipelines.namespace=kubeflow"),
}


def helm_binary() -> str | None:
    """.venv's helm (what set-up installs), else one on PATH."""
    local = Path(sys.executable).parent / "helm"
    return str(local) if local.exists() else shutil.which("helm")


def run_helm(*args: str) -> subprocess.CompletedProcess:
    helm = helm_binary()
    if helm is None:
        pytest.skip("helm is not installed: run scripts/install_helm.sh "
                    "(scripts/setup.sh --extras dev does)")
    return subprocess.run([helm, *args], capture_output=True, text=True, timeout=120)


_rendered: dict[tuple[str, ...], list[dict]] = {}


def render(*args: str) -> list[dict]:
    """`helm template` of the chart with extra arguments: the parsed objects (cached)."""
    if args not in _rendered:
        proc = run_helm("template", RELEASE, str(CHART), "--namespace", NAMESPACE, *args)
        assert proc.returncode == 0, proc.stderr
        _rendered[args] = [doc for doc in yaml.safe_load_all(proc.stdout) if doc]
    return _rendered[args]


def render_scenario(name: str) -> list[dict]:
    return render(*SCENARIOS[name])


def objects(docs: list[dict], kind: str) -> dict[str, dict]:
    """The rendered objects of one kind, by name."""
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def component(obj: dict) -> str:
    return obj["metadata"]["labels"]["app.kubernetes.io/component"]


def pod_specs(docs: list[dict]) -> dict[str, dict]:
    """Pod templates of every workload (Deployment, StatefulSet, Job), by object name."""
    return {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in docs
            if d["kind"] in ("Deployment", "StatefulSet", "Job")}


def env_of(container: dict) -> dict[str, object]:
    """name -> value (or the valueFrom mapping) of a container's environment."""
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def load_values(*files: str) -> dict:
    """values.yaml merged with overlay files (dicts merged, other values replaced)."""
    def merge(base: dict, over: dict) -> dict:
        for key, value in over.items():
            base[key] = merge(base.get(key, {}), value) if isinstance(value, dict) \
                and isinstance(base.get(key), dict) else value
        return base

    values: dict = {}
    for name in ("values.yaml", *files):
        merge(values, yaml.safe_load((CHART / name).read_text()))
    return values
