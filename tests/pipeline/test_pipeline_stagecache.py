"""Stage outputs are keyed by their inputs and reused once committed."""

from __future__ import annotations

import pytest

from sweetrl.pipeline.stagecache import StageOutput, fetch, manifest_metadata, read_json


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SWEET_STORE", f"file://{tmp_path / 'store'}")
    monkeypatch.setenv("SWEET_HOME", str(tmp_path / "home"))


def out(stage="collect", **inputs):
    return StageOutput(stage, inputs or {"policy": "m", "k": 2}, bucket="sweetrl", prefix="runs")


def test_keys_follow_inputs_and_stage():
    a, b = out(policy="m", k=2), out(k=2, policy="m")
    assert a.key == b.key and str(a) == f"s3://sweetrl/runs/collect/{a.key}"
    assert out(policy="m", k=3).key != a.key
    assert out("evaluate", policy="m", k=2).key != a.key
    assert a.work.parts[-3:] == ("pipeline", "collect", a.key)


def test_done_only_after_a_commit(tmp_path):
    stage = out()
    assert not stage.done()
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "summary.json").write_text('{"n": 3}')
    uri = stage.publish(folder, kind="dataset", metadata={"rows": 3})
    assert uri == str(stage.uri)
    again = out()
    assert again.done()
    assert read_json(uri, "summary.json") == {"n": 3}
    meta = manifest_metadata(uri)
    assert meta["rows"] == 3 and meta["stage"] == "collect" and meta["inputs"] == {"policy": "m", "k": 2}
    assert fetch(uri).is_dir()


def test_an_uncommitted_prefix_is_not_done(tmp_path):
    stage = out()
    partial = tmp_path / "store" / "sweetrl" / "runs" / "collect" / stage.key
    partial.mkdir(parents=True)
    (partial / "trajectories.jsonl").write_text("{}\n")  # files without a manifest
    assert not stage.done()
