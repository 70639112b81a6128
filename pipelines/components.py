"""One lightweight kfp component per stage of `sweetrl.pipeline.stages`.

Each component only forwards its arguments to the library (`sweetrl.pipeline.runtime.
run_stage`), so the code that runs is the same under kfp's local runner, on a cluster
and in the unit tests of the stages. Arguments are the run's settings (JSON) and
object-store URIs; each component returns the URI of its committed output. The image
(`IMAGE`) holds the project with the train, pipelines, sandbox and simulator extras
(docker/train.Dockerfile); kfp itself is part of it, so nothing is installed at start.
"""


from kfp import dsl

from sweetrl.pipeline.config import STAGE_IMAGE as IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def collect(config_json: str, policy: str) -> str:
    """Step 1: k rollouts of the policy per training task, expert demonstrations."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("collect", config_json=config_json, policy=policy)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def evaluate(config_json: str, policy: str, label: str) -> str:
    """Greedy evaluation on the held-out test tasks."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("evaluate", config_json=config_json, policy=policy, label=label)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def preferences(config_json: str, trajectories: str) -> str:
    """Step 2: trajectory preference pairs."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("preferences", config_json=config_json, trajectories=trajectories)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def train_critic(config_json: str, policy: str, trajectories: str, preferences: str) -> str:
    """Step 3: the critic with training-time information (Bradley-Terry)."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("train_critic", config_json=config_json, policy=policy,
                     trajectories=trajectories, preferences=preferences)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def critic_eval(config_json: str, policy: str, critic: str, evaluation: str) -> str:
    """The critic's ranking accuracy on held-out expert-vs-policy dialogue pairs."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("critic_eval", config_json=config_json, policy=policy, critic=critic,
                     evaluation=evaluation)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def best_of_n(config_json: str, policy: str, trajectories: str) -> str:
    """Step 4: N candidate actions per sampled turn."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("best_of_n", config_json=config_json, policy=policy, trajectories=trajectories)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def rank(config_json: str, policy: str, critic: str, candidates: str, trajectories: str) -> str:
    """Step 5: the critic's advantage of every candidate."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("rank", config_json=config_json, policy=policy, critic=critic,
                     candidates=candidates, trajectories=trajectories)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def step_pairs(config_json: str, ranked: str, trajectories: str) -> str:
    """Step 6: step-level preference pairs."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("step_pairs", config_json=config_json, ranked=ranked, trajectories=trajectories)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def train_policy(config_json: str, policy: str, step_pairs: str) -> str:
    """Step 7: step-level DPO with the NLL term."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("train_policy", config_json=config_json, policy=policy, step_pairs=step_pairs)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def train_rft(config_json: str, policy: str, trajectories: str) -> str:
    """Baseline: rejection fine-tuning."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("train_rft", config_json=config_json, policy=policy, trajectories=trajectories)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def train_mtdpo(config_json: str, policy: str, trajectories: str, preferences: str) -> str:
    """Baseline: multi-turn DPO on the trajectory pairs."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("train_mtdpo", config_json=config_json, policy=policy,
                     trajectories=trajectories, preferences=preferences)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def report(config_json: str, pipeline: str, policy: str, baseline_eval: str, final_eval: str,
           final_label: str, trajectories: str, preferences: str, critic: str, critic_eval: str,
           ranked: str, step_pairs: str, trained: str) -> str:
    """The run's HTML report."""
    from sweetrl.pipeline.runtime import run_stage

    return run_stage("report", config_json=config_json, pipeline=pipeline, policy=policy,
                     baseline_eval=baseline_eval, final_eval=final_eval, final_label=final_label,
                     trajectories=trajectories, preferences=preferences, critic=critic,
                     critic_eval=critic_eval, ranked=ranked, step_pairs=step_pairs,
                     trained=trained)
