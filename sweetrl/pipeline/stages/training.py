"""Training stages: the critic (step 3), the policy (step 7) and the baselines.

Each runs the library's trainer (`sweetrl.train`, DeepSpeed behind one strategy) with
the trainer's typed config built from the run's overrides (``LoopConfig.critic`` /
``LoopConfig.policy``) and publishes the checkpoint to the stage's output URI, where
the policy and critic services load it. The trainer's work folder is the stage's
(`StageOutput.work`): a stage killed mid-training resumes from its last DeepSpeed
checkpoint; once the checkpoint is published the work folder is deleted. A loss that
diverges stops the stage with the trainer's message. With a Kubeflow Trainer runtime
configured, the training runs as a multi-node TrainJob instead
(`sweetrl.pipeline.trainjob`).
"""

from __future__ import annotations

import logging
import shutil
from typing import Any

from sweetrl.pipeline.config import LoopConfig, loop_config
from sweetrl.pipeline.stagecache import StageOutput, fetch

log = logging.getLogger(__name__)


def run_trainer(kind: str, stage: str, flags: dict[str, Any], overrides: dict[str, str]) -> str:
    """Run trainer `kind` with `overrides` < `flags` (which name out and work_dir); the
    published checkpoint URI ('' on ranks other than 0)."""
    import importlib

    from sweetrl import config as cfg
    from sweetrl.errors import FailedPrecondition
    from sweetrl.train import config as train_config

    cls_name, module, function = TRAINERS[kind]
    cls = getattr(train_config, cls_name)
    settings = cfg.load_config(cls, section=train_config.SECTIONS[cls], overrides={**overrides, **flags})
    result = getattr(importlib.import_module(module), function)(
        settings, echo=lambda text: log.info("%s: %s", stage, text))
    if not result.finished:
        raise FailedPrecondition(f"{stage} stopped after {result.steps} steps (max_steps in "
                                 "the overrides); re-run the stage to continue")
    return result.out


TRAINERS = {"critic": ("CriticConfig", "sweetrl.train.critic", "train_critic"),
            "policy": ("PolicyDpoConfig", "sweetrl.train.policy", "train_policy"),
            "rft": ("RftConfig", "sweetrl.train.rft", "train_rft"),
            "mtdpo": ("MultiTurnDpoConfig", "sweetrl.train.mtdpo", "train_mtdpo")}


def _train(kind: str, out: StageOutput, flags: dict[str, Any], files: dict[str, str],
           overrides: dict[str, str]) -> str:
    """Train here, or as a Kubeflow Trainer TrainJob when one is configured
    (`sweetrl.pipeline.trainjob`); `files` are flags whose values are store URIs."""
    from sweetrl.errors import FailedPrecondition
    from sweetrl.pipeline import trainjob

    flags = {**flags, "out": str(out.uri)}
    job = trainjob.settings()
    if not job.runtime:
        local = {name: str(fetch(uri)) for name, uri in files.items()}
        uri = run_trainer(kind, out.stage, {**flags, **local, "work_dir": str(out.work)}, overrides)
        # published: the resume state (DeepSpeed checkpoints, ~15 bytes a parameter) and
        # the cached reference pass are dead weight now; a re-run reuses the output
        shutil.rmtree(out.work, ignore_errors=True)
        return uri
    work = {"kind": kind, "stage": out.stage, "flags": {**flags, "work_dir": "/tmp/sweet-train"},
            "files": files, "overrides": overrides}
    trainjob.submit_and_wait(f"sweet-{out.stage.replace('_', '-')}-{out.key}", work, job)
    if not out.done():
        raise FailedPrecondition(f"the TrainJob of {out.stage} finished without publishing {out.uri}")
    return str(out.uri)


def _stage(name: str, config: LoopConfig, inputs: dict[str, Any], overrides: dict[str, str]) -> StageOutput:
    return StageOutput(name, {**inputs, "train": overrides}, bucket=config.bucket, prefix=config.prefix)


def train_critic(config_json: str, policy: str, trajectories: str, preferences: str) -> str:
    """Step 3: the Bradley-Terry critic on the trajectory pairs (`preferences` checked them)."""
    config = loop_config(config_json)
    start = config.critic_start(policy)
    out = _stage("train_critic", config, {"trajectories": trajectories, "preferences": preferences,
                                          "model": start, **config.pick(
                                              "domain", "use_ground_truth")}, config.critic)
    if out.done():
        return str(out)
    return _train("critic", out, {"model": start, "domain": config.domain,
                                  "use_ground_truth": str(config.use_ground_truth).lower()},
                  {"trajectories": f"{trajectories}/trajectories.jsonl"}, config.critic)


def train_policy(config_json: str, policy: str, step_pairs: str) -> str:
    """Step 7: step-level DPO with the NLL term on the critic-ranked pairs."""
    config = loop_config(config_json)
    out = _stage("train_policy", config, {"policy": policy, "pairs": step_pairs}, config.policy)
    if out.done():
        return str(out)
    return _train("policy", out, {"model": policy}, {"pairs": f"{step_pairs}/pairs.jsonl"},
                  config.policy)


def train_rft(config_json: str, policy: str, trajectories: str) -> str:
    """Baseline: rejection fine-tuning on the successful trajectories."""
    config = loop_config(config_json)
    out = _stage("train_rft", config, {"policy": policy, "trajectories": trajectories}, config.policy)
    if out.done():
        return str(out)
    return _train("rft", out, {"model": policy}, {"trajectories": f"{trajectories}/trajectories.jsonl"},
                  config.policy)


def train_mtdpo(config_json: str, policy: str, trajectories: str, preferences: str) -> str:
    """Baseline: multi-turn DPO on the trajectory pairs (every assistant turn); runs after
    `preferences` checked that there are some."""
    config = loop_config(config_json)
    out = _stage("train_mtdpo", config, {"policy": policy, "trajectories": trajectories,
                                         "preferences": preferences, "domain": config.domain},
                 config.policy)
    if out.done():
        return str(out)
    return _train("mtdpo", out, {"model": policy, "domain": config.domain},
                  {"trajectories": f"{trajectories}/trajectories.jsonl"}, config.policy)
