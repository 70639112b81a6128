"""The pipelines: SWEET-RL and one per baseline, built for a local run or for a cluster.

=============  ===========================================================================
sweet-rl       collect -> preferences -> train critic -> best-of-N -> rank -> step pairs
               -> train policy -> evaluate; the starting policy is evaluated first, and
               the critic's ranking accuracy on held-out tasks is measured
rft            collect -> rejection fine-tuning -> evaluate
mtdpo          collect -> preferences -> multi-turn DPO -> evaluate
zero-shot      evaluate
=============  ===========================================================================

Every pipeline takes ``policy`` (the starting model: builtin name, folder or s3:// URI)
and ``config_json`` (`sweetrl.pipeline.config.LoopConfig` fields as a JSON object; the
defaults are the embedded, laptop-sized scale) and ends with the report stage. The
same collected data and the same zero-shot evaluation serve every pipeline of a
configuration: their stage outputs are keyed by their inputs
(`sweetrl.pipeline.stagecache`), so running the baselines after sweet-rl reuses them.

`build(name, cluster)` returns the pipeline function; with `cluster` settings every task
gets its Kubernetes placement (`pipelines.cluster.apply`), without them it is the local
variant that ``sweet pipeline run --local`` executes.
"""


from collections.abc import Callable
from typing import Any

from kfp import dsl

from pipelines import components as c
from pipelines.cluster import ClusterSettings, apply

DEFAULT_POLICY = "smollm2-135m-instruct"
PIPELINES = ("sweet-rl", "rft", "mtdpo", "zero-shot")
DESCRIPTIONS = {
    "sweet-rl": "SWEET-RL: critic with training-time information, step-level DPO on its rankings.",
    "rft": "Baseline: rejection fine-tuning on successful trajectories.",
    "mtdpo": "Baseline: multi-turn DPO on trajectory preference pairs.",
    "zero-shot": "Baseline: the starting policy, evaluated.",
}


def build(name: str, cluster: "ClusterSettings | None" = None) -> Callable[..., Any]:
    """The kfp pipeline function of pipeline `name` (module docstring)."""
    if name not in PIPELINES:
        raise ValueError(f"unknown pipeline {name!r}; one of {', '.join(PIPELINES)}")

    def task(component, stage: str, **arguments):
        t = component(**arguments).set_display_name(stage.replace("_", " "))
        return apply(t, stage, cluster) if cluster is not None else t

    body = _BODIES[name]

    @dsl.pipeline(name=name, description=DESCRIPTIONS[name])
    def pipeline(policy: str = DEFAULT_POLICY, config_json: str = "{}") -> str:
        return body(task, policy, config_json)

    return pipeline


def _report(task, name, policy, config_json, baseline, final, label, *, trajectories="",
            preferences="", critic="", critic_eval="", ranked="", step_pairs="", trained=""):
    return task(c.report, "report", config_json=config_json, pipeline=name, policy=policy,
                baseline_eval=baseline, final_eval=final, final_label=label,
                trajectories=trajectories, preferences=preferences, critic=critic,
                critic_eval=critic_eval, ranked=ranked, step_pairs=step_pairs,
                trained=trained).output


def _sweet_rl(task, policy, config_json):
    baseline = task(c.evaluate, "evaluate", config_json=config_json, policy=policy,
                    label="zero-shot").output
    data = task(c.collect, "collect", config_json=config_json, policy=policy).output
    prefs = task(c.preferences, "preferences", config_json=config_json, trajectories=data).output
    critic = task(c.train_critic, "train_critic", config_json=config_json, policy=policy,
                  trajectories=data, preferences=prefs).output
    judged = task(c.critic_eval, "critic_eval", config_json=config_json, policy=policy,
                  critic=critic, evaluation=baseline).output
    candidates = task(c.best_of_n, "best_of_n", config_json=config_json, policy=policy,
                      trajectories=data).output
    ranked = task(c.rank, "rank", config_json=config_json, policy=policy, critic=critic,
                  candidates=candidates, trajectories=data).output
    pairs = task(c.step_pairs, "step_pairs", config_json=config_json, ranked=ranked,
                 trajectories=data).output
    trained = task(c.train_policy, "train_policy", config_json=config_json, policy=policy,
                   step_pairs=pairs).output
    final = task(c.evaluate, "evaluate", config_json=config_json, policy=trained,
                 label="SWEET-RL").output
    return _report(task, "sweet-rl", policy, config_json, baseline, final, "SWEET-RL",
                   trajectories=data, preferences=prefs, critic=critic, critic_eval=judged,
                   ranked=ranked, step_pairs=pairs, trained=trained)


def _rft(task, policy, config_json):
    baseline = task(c.evaluate, "evaluate", config_json=config_json, policy=policy,
                    label="zero-shot").output
    data = task(c.collect, "collect", config_json=config_json, policy=policy).output
    trained = task(c.train_rft, "train_rft", config_json=config_json, policy=policy,
                   trajectories=data).output
    final = task(c.evaluate, "evaluate", config_json=config_json, policy=trained,
                 label="rejection fine-tuning").output
    return _report(task, "rft", policy, config_json, baseline, final, "rejection fine-tuning",
                   trajectories=data, trained=trained)


def _mtdpo(task, policy, config_json):
    baseline = task(c.evaluate, "evaluate", config_json=config_json, policy=policy,
                    label="zero-shot").output
    data = task(c.collect, "collect", config_json=config_json, policy=policy).output
    prefs = task(c.preferences, "preferences", config_json=config_json, trajectories=data).output
    trained = task(c.train_mtdpo, "train_mtdpo", config_json=config_json, policy=policy,
                   trajectories=data, preferences=prefs).output
    final = task(c.evaluate, "evaluate", config_json=config_json, policy=trained,
                 label="multi-turn DPO").output
    return _report(task, "mtdpo", policy, config_json, baseline, final, "multi-turn DPO",
                   trajectories=data, preferences=prefs, trained=trained)


def _zero_shot(task, policy, config_json):
    baseline = task(c.evaluate, "evaluate", config_json=config_json, policy=policy,
                    label="zero-shot").output
    return _report(task, "zero-shot", policy, config_json, baseline, baseline, "zero-shot")


_BODIES = {"sweet-rl": _sweet_rl, "rft": _rft, "mtdpo": _mtdpo, "zero-shot": _zero_shot}
