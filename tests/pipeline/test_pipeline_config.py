"""The run's settings: JSON round trip, overrides, bad values named."""

from __future__ import annotations

import json

import pytest

from sweetrl.errors import InvalidInput
from sweetrl.pipeline.config import LoopConfig, loop_config


def test_defaults_round_trip_through_json():
    config = loop_config()
    assert config == LoopConfig()
    again = loop_config(config.to_json())
    assert again == config
    assert json.loads(config.to_json())["critic"]["lr"] == "2e-5"  # the small-model default


def test_overrides_and_pick():
    config = loop_config('{"k": 3}', overrides={"critic.epochs": "4", "max_turns": "10"})
    assert (config.k, config.max_turns, config.critic["epochs"]) == (3, 10, "4")
    assert config.pick("k", "seed") == {"k": 3, "seed": 0}
    assert config.critic_start("pol") == "pol"
    assert loop_config(overrides={"critic_model": "crit"}).critic_start("pol") == "crit"


def test_yaml_section(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("pipeline:\n  train_tasks: 40\n  backend: vllm\ncluster:\n  gpus_per_stage: 2\n")
    config = loop_config(path=str(path))
    assert (config.train_tasks, config.backend) == (40, "vllm")


@pytest.mark.parametrize("text, field", [
    ('{"k": 0}', "k"), ('{"candidates": 1}', "candidates"), ('{"expert_fraction": 2}', "expert_fraction"),
    ('{"backend": "tgi"}', "backend"), ('{"nope": 1}', "nope"), ("not json", "JSON")])
def test_bad_settings_are_named(text, field):
    with pytest.raises(InvalidInput, match=field):
        loop_config(text)


@pytest.mark.parametrize("domain, simulator, ok", [
    ("backend", "scripted", True), ("backend", "llm", True), ("backend", "vlm", False),
    ("frontend", "scripted", True), ("frontend", "vlm", True), ("frontend", "llm", False)])
def test_the_simulator_must_play_the_domain(domain, simulator, ok):
    text = json.dumps({"domain": domain, "simulator": simulator})
    if ok:
        assert loop_config(text).domain == domain
    else:
        with pytest.raises(InvalidInput, match=f"simulator '{simulator}' does not play {domain}"):
            loop_config(text)


def test_frontend_config_file_is_valid():
    from pathlib import Path

    path = Path(__file__).parents[2] / "pipelines" / "configs" / "frontend.yaml"
    config = loop_config(path=str(path))
    assert config.domain == "frontend" and config.simulator == "scripted"
    assert int(config.critic["max_length"]) >= 4096  # the critic sees the target page first


def test_trainer_overrides_merge_and_keep_dotted_keys():
    config = loop_config(overrides={"critic.engine.zero_stage": "3", "policy.lr": "1e-6"})
    assert config.critic["engine.zero_stage"] == "3" and config.critic["max_length"] == "1024"
    assert config.policy["lr"] == "1e-6" and config.policy["epochs"] == "1"
    assert loop_config(config.to_json()) == config  # how every stage receives it
