"""The checked-in compiled pipelines match a fresh compile, and carry the cluster settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytest.importorskip("kfp")

from pipelines.cluster import GPU_STAGES, ClusterSettings  # noqa: E402
from pipelines.definitions import PIPELINES  # noqa: E402
from sweetrl.pipeline.local import compile_all  # noqa: E402

COMPILED = Path(__file__).resolve().parents[2] / "pipelines" / "compiled"


def test_compiled_yaml_is_in_sync(tmp_path):
    fresh = compile_all(tmp_path)
    assert sorted(p.name for p in fresh) == sorted(f"{n}.yaml" for n in PIPELINES)
    for path in fresh:
        committed = COMPILED / path.name
        assert committed.exists(), f"{committed} is missing: run 'sweet pipeline compile'"
        assert committed.read_text() == path.read_text(), \
            f"{committed} is stale: run 'sweet pipeline compile' and commit the result"


def _documents(path: Path):
    docs = list(yaml.safe_load_all(path.read_text()))
    return docs[0], (docs[1] if len(docs) > 1 else {})


def test_sweet_rl_has_every_stage_in_order():
    spec, _ = _documents(COMPILED / "sweet-rl.yaml")
    tasks = spec["root"]["dag"]["tasks"]
    assert {t["componentRef"]["name"].removeprefix("comp-").split("-2")[0] for t in tasks.values()} >= {
        "collect", "evaluate", "preferences", "train-critic", "best-of-n", "rank", "step-pairs",
        "train-policy", "report"}
    # rank consumes the critic and the candidates: the dependency edges are there
    assert set(tasks["rank"]["dependentTasks"]) == {"train-critic", "best-of-n", "collect"}
    assert "train-policy" in tasks["evaluate-2"]["dependentTasks"]


def test_cluster_settings_reach_the_tasks():
    spec, platform = _documents(COMPILED / "sweet-rl.yaml")
    executors = spec["deploymentSpec"]["executors"]
    settings = ClusterSettings()
    gpu = {name for name, ex in executors.items()
           if ex["container"].get("resources", {}).get("accelerator")}
    assert gpu and all(any(s.replace("_", "-") in name for s in GPU_STAGES) for name in gpu)
    cpu_only = [n for n in executors if any(s in n for s in ("preferences", "step-pairs", "report"))]
    assert cpu_only and not set(cpu_only) & gpu
    for ex in executors.values():
        env = {e["name"]: e["value"] for e in ex["container"].get("env", [])}
        assert env["SWEET_STORE"] == settings.store
        assert ex["container"]["image"].startswith("sweetrl/train:")
    k8s = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    secrets = {e["secretName"] for ex in k8s.values() for e in ex.get("secretAsEnv", [])}
    assert secrets == {settings.store_secret}
    assert any(ex.get("tolerations") for ex in k8s.values())


def test_custom_cluster_settings(tmp_path):
    custom = ClusterSettings(gpus_per_stage=2, node_selector={"pool": "h100"},
                             secret_env={"OPENAI_API_KEY": "sim-api/key"})
    (path,) = compile_all(tmp_path, custom, ("rft",))
    spec, platform = _documents(path)
    limits = [ex["container"]["resources"]["accelerator"] for ex in
              spec["deploymentSpec"]["executors"].values() if "resources" in ex["container"]
              and "accelerator" in ex["container"]["resources"]]
    assert limits and all(str(a.get("count", a.get("resourceCount"))) == "2" for a in limits)
    k8s = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    assert any(ex.get("nodeSelector", {}).get("labels") == {"pool": "h100"} for ex in k8s.values())
    assert any(e["secretName"] == "sim-api" for ex in k8s.values() for e in ex.get("secretAsEnv", []))
