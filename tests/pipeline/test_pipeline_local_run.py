"""`sweet pipeline run --local` end to end with kfp's local runner, on a tiny random model.

The whole SWEET-RL loop runs as kfp tasks (subprocesses), every stage's output lands in
a local store, the report is written; a second run reuses every stage (inputs
unchanged) and a failing stage stops the run with exit code 1 and a clear message.
SmolLM2 at the default scale is the README's main job (measured by hand, figures in
docs/pipelines.md); here a tiny model keeps it to a couple of minutes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("kfp")

from sweetrl.models.tiny import build_tiny_model  # noqa: E402

pytestmark = [pytest.mark.timeout(900), pytest.mark.slow]

SCALE = ["--set", "train_tasks=3", "--set", "test_tasks=2", "--set", "k=1", "--set", "max_turns=2",
         "--set", "max_tokens=16", "--set", "candidates=2", "--set", "expert_fraction=1.0",
         "--set", "turn_fraction=1.0", "--set", "critic.lr=1e-3", "--set", "policy.lr=1e-3",
         "--set", "critic.max_length=4096", "--set", "policy.max_length=4096"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipe")
    model = build_tiny_model(root / "tiny", seed=5, max_position_embeddings=8192)
    env = {**os.environ, "SWEET_HOME": str(root / "home"), "SWEET_STORE": f"file://{root / 'store'}"}
    return root, model, env


def sweet(env, *args, cwd):
    return subprocess.run([sys.executable, "-m", "sweetrl.cli.main", "pipeline", *args], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=850)


def test_sweet_rl_runs_reports_and_reuses_stages(env):
    root, model, environ = env
    out = root / "run1"
    first = sweet(environ, "run", "sweet-rl", "--local", "--policy", str(model), *SCALE,
                  "--out", str(out), cwd=root)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    log = first.stdout + first.stderr
    for stage in ("collect", "preferences", "train_critic", "critic_eval", "best_of_n", "rank",
                  "step_pairs", "train_policy", "evaluate", "report"):
        assert f"stage {stage} done" in log, stage
    html = (out / "report.html").read_text()
    assert "Held-out evaluation" in html and "SWEET-RL" in html and "data:image/png;base64" in html
    assert "critic advantage" in html
    figures = json.loads((out / "figures.json").read_text())
    ranking = figures.pop("critic_ranking")
    assert ranking["pairs"] == 2 and ranking["use_ground_truth"] is True  # expert beat the tiny policy
    assert "critic ranking accuracy on held-out tasks" in first.stdout
    assert set(figures) == {f"zero-shot {model}", "SWEET-RL"}
    assert all(f["tasks"] == 2 for f in figures.values())
    store = root / "store" / "sweetrl" / "pipelines"
    assert (store / "train_policy").is_dir() and (store / "train_critic").is_dir()
    trained = next((store / "train_policy").iterdir())
    assert (trained / "_manifest.json").exists() and (trained / "config.json").exists()
    assert not list((root / "home" / "pipeline").glob("train_*/*"))  # resume state deleted

    second = sweet(environ, "run", "sweet-rl", "--local", "--policy", str(model), *SCALE,
                   "--out", str(root / "run2"), cwd=root)
    assert second.returncode == 0, second.stderr[-4000:]
    log2 = second.stdout + second.stderr
    assert log2.count("inputs unchanged, reusing") >= 11
    assert "train_critic: step" not in log2 and "dialogue 1 finished" not in log2
    assert (root / "run2" / "report.html").read_text() == html


def test_a_stage_without_data_stops_the_run_with_its_reason(env):
    root, model, environ = env
    run = sweet(environ, "run", "mtdpo", "--local", "--policy", str(model), *SCALE,
                "--set", "expert_fraction=0", "--out", str(root / "fail"), cwd=root)
    assert run.returncode == 1
    log = run.stdout + run.stderr
    assert "no trajectory preference pair" in log and "expert_fraction" in log
    assert "run the same command again" in log


def test_frontend_variant_runs_on_the_renderer(env):
    from sweetrl.render.browser import unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    root, _, environ = env
    # the tiny tokenizer spends about a token a character: the critic's view of an expert
    # dialogue (the target page as training-time information, then the page again as the
    # answer) is ~13,000 tokens
    model = build_tiny_model(root / "tiny-long", seed=5, max_position_embeddings=32768)
    long = [f"--set={who}.{key}" for who in ("critic", "policy") for key in (
        "max_length=32768", "micro_batch_size=1", "engine.gradient_checkpointing=true")]
    out = root / "front"
    run = sweet(environ, "run", "sweet-rl", "--local", "--policy", str(model), *SCALE,
                "--set", "domain=frontend", "--set", "train_tasks=2", *long,
                "--out", str(out), cwd=root)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    html = (out / "report.html").read_text()
    assert "SWEET-RL on ColBench frontend" in html and "mean similarity [95% CI]" in html
    figures = json.loads((out / "figures.json").read_text())
    ranking = figures.pop("critic_ranking")
    assert ranking["pairs"] == 2  # the expert's page beats the tiny policy's (no page: black)
    for label, f in figures.items():
        assert f["tasks"] == 2 and 0.0 <= f["similarity"] <= 1.0, label
    collected = root / "store" / "sweetrl" / "pipelines" / "collect"
    records = [json.loads(line) for d in collected.iterdir()
               for line in (d / "trajectories.jsonl").read_text().splitlines()]
    fronts = [r for r in records if r.get("domain") == "frontend"]
    assert fronts and any(r.get("expert") and r["reward"] > 0.9 for r in fronts)
