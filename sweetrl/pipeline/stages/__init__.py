"""The stages of the SWEET-RL loop and its baselines, as plain functions.

Each stage takes the run's settings as JSON text (`sweetrl.pipeline.config`) and the
object-store URIs of the outputs it consumes, and returns the URI of its own output,
committed in the store (`sweetrl.pipeline.stagecache`: a stage whose inputs did not
change returns its earlier output at once). Kubeflow components
(``pipelines/components.py``) are thin wrappers around these, so the same code runs
under kfp's local runner and on a cluster.

==================  ====================================================  ==========
stage               output (files of the committed prefix)                algorithm
==================  ====================================================  ==========
collect             trajectories.jsonl, summary.json                      step 1
evaluate            results.jsonl, summary.json, report.html              metrics
preferences         pairs.jsonl, stats.json                               step 2
train_critic        HF checkpoint (+ sweet_metrics.jsonl)                 step 3
critic_eval         stats.json (held-out ranking accuracy), scores.jsonl  ablation
best_of_n           candidates.jsonl                                      step 4
rank                ranked.jsonl, samples.json (per-turn advantages)      step 5
step_pairs          pairs.jsonl, stats.json                               step 6
train_policy        HF checkpoint                                         step 7
train_rft           HF checkpoint                                         baseline
train_mtdpo         HF checkpoint                                         baseline
report              report.html, figures.json                             -
==================  ====================================================  ==========
"""

from sweetrl.pipeline.stages.critic_eval import critic_eval
from sweetrl.pipeline.stages.data import best_of_n, preferences, rank, step_pairs
from sweetrl.pipeline.stages.report import report
from sweetrl.pipeline.stages.rollouts import collect, evaluate
from sweetrl.pipeline.stages.training import train_critic, train_mtdpo, train_policy, train_rft

__all__ = ["collect", "evaluate", "preferences", "train_critic", "critic_eval", "best_of_n", "rank",
           "step_pairs", "train_policy", "train_rft", "train_mtdpo", "report"]
