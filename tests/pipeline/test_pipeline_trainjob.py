"""Training stages as Kubeflow Trainer TrainJobs: the object, the wait, and the worker."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from sweetrl.errors import FailedPrecondition
from sweetrl.pipeline import trainjob
from sweetrl.pipeline.trainjob import TrainJobSettings, manifest, submit_and_wait


class FakeApi:
    """CustomObjectsApi stand-in: records calls, answers with scripted statuses."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.created, self.deleted, self.polls = [], [], 0

    def create_namespaced_custom_object(self, group, version, namespace, plural, body):
        assert (group, version, plural) == ("trainer.kubeflow.org", "v1alpha1", "trainjobs")
        self.created.append((namespace, body))

    def get_namespaced_custom_object(self, group, version, namespace, plural, name):
        self.polls += 1
        return {"status": self.statuses.pop(0) if self.statuses else {}}

    def delete_namespaced_custom_object(self, group, version, namespace, plural, name):
        self.deleted.append(name)


WORK = {"kind": "critic", "stage": "train_critic", "flags": {"model": "m", "out": "s3://b/c"},
        "files": {"trajectories": "s3://b/t/trajectories.jsonl"}, "overrides": {"lr": "1e-5"}}
DONE = {"conditions": [{"type": "Created", "status": "True"}, {"type": "Complete", "status": "True"}]}


def test_manifest_runs_the_worker_on_every_node(monkeypatch):
    monkeypatch.setenv("SWEET_STORE", "http://minio:9000")
    s = TrainJobSettings(runtime="deepspeed-distributed", num_nodes=2, gpus_per_node=4)
    body = manifest("sweet-train-critic-1", WORK, s, "ml")
    spec = body["spec"]
    assert body["kind"] == "TrainJob" and body["metadata"]["namespace"] == "ml"
    assert spec["runtimeRef"] == {"name": "deepspeed-distributed"}
    trainer = spec["trainer"]
    assert trainer["numNodes"] == 2 and trainer["resourcesPerNode"]["limits"]["nvidia.com/gpu"] == 4
    assert trainer["image"].startswith("sweetrl/train:")
    assert trainer["command"][:3] == ["python", "-m", "sweetrl.pipeline.trainjob"]
    assert json.loads(__import__("base64").urlsafe_b64decode(trainer["command"][3])) == WORK
    env = {e["name"]: e for e in trainer["env"]}
    assert env["SWEET_STORE"]["value"] == "http://minio:9000"
    assert env["SWEET_S3_SECRET_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "sweetrl-s3", "key": "secretkey"}


def test_wait_until_complete():
    api = FakeApi([{}, {"conditions": [{"type": "Created", "status": "True"}]}, DONE])
    submit_and_wait("j", WORK, TrainJobSettings(runtime="r", namespace="ml", poll_s=0), api, sleep=lambda _: None)
    assert len(api.created) == 1 and api.polls == 3 and not api.deleted


def test_a_failed_trainjob_names_its_reason():
    failed = {"conditions": [{"type": "Failed", "status": "True", "reason": "OOMKilled",
                              "message": "node 1"}]}
    with pytest.raises(FailedPrecondition, match="OOMKilled node 1"):
        submit_and_wait("j", WORK, TrainJobSettings(runtime="r", namespace="ml", poll_s=0),
                        FakeApi([failed]), sleep=lambda _: None)


def test_timeout_deletes_the_trainjob():
    api = FakeApi([])
    with pytest.raises(FailedPrecondition, match="did not finish"):
        submit_and_wait("j", WORK, TrainJobSettings(runtime="r", namespace="ml", poll_s=1, timeout_s=2),
                        api, sleep=lambda _: None)
    assert api.deleted == ["j"]


@pytest.mark.timeout(600)
def test_a_training_stage_through_a_trainjob_publishes_its_checkpoint(tmp_path, monkeypatch):
    """The stage submits a TrainJob; here the 'cluster' runs the worker in this process."""
    from sweetrl.models.tiny import build_tiny_model
    from sweetrl.pipeline.config import loop_config
    from sweetrl.pipeline.stagecache import StageOutput
    from sweetrl.pipeline.stages import training
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))
    from train_helpers import marker_records, write_jsonl

    monkeypatch.setenv("SWEET_STORE", f"file://{tmp_path / 'store'}")
    monkeypatch.setenv("SWEET_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWEET_TRAINJOB__RUNTIME", "deepspeed-distributed")
    model = build_tiny_model(tmp_path / "tiny", seed=2)
    data = StageOutput("collect", {"t": 1}, bucket="sweetrl", prefix="p")
    folder = tmp_path / "traj"
    folder.mkdir()
    write_jsonl(folder / "trajectories.jsonl", marker_records(3, seed=3))
    data.publish(folder, kind="trajectories")
    submitted = []

    def fake_cluster(name, work, settings, api=None, sleep=None):
        submitted.append((name, settings.runtime))
        json.dumps(work)  # what travels in the TrainJob's command
        trainjob.run_worker(work)

    monkeypatch.setattr(trainjob, "submit_and_wait", fake_cluster)
    config = loop_config(overrides={"critic.lr": "1e-3", "critic.max_length": "512"})
    uri = training.train_critic(config.to_json(), str(model), str(data.uri), "s3://sweetrl/p/prefs/x")
    assert submitted and submitted[0][1] == "deepspeed-distributed"
    assert submitted[0][0].startswith("sweet-train-critic-")
    assert uri.startswith("s3://sweetrl/pipelines/train_critic/")
    from sweetrl.storage import materialize
    assert (materialize(uri) / "config.json").exists()
