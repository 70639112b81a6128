"""The last stage: gather the run's outputs into ``report.html`` (`sweetrl.pipeline.report`).

Inputs are output URIs of earlier stages; an empty string means "this pipeline has no
such stage" (the baselines train no critic). The report is committed in the store
like every output and also copied to ``$SWEET_HOME/pipeline/reports/<name>.html``
(the local runner prints that path).
"""

from __future__ import annotations

import json
import logging
import shutil
from typing import Any

from sweetrl import envs
from sweetrl.pipeline.config import loop_config
from sweetrl.pipeline.stagecache import StageOutput, fetch, manifest_metadata, read_json

log = logging.getLogger(__name__)


def _metrics(checkpoint: str) -> list[dict[str, Any]]:
    from sweetrl.train.checkpoint import METRICS_FILE

    try:
        text = fetch(checkpoint, METRICS_FILE).read_text(encoding="utf-8")
    except Exception:  # noqa: BLE001 - an older checkpoint without its curve
        log.warning("no %s in %s", METRICS_FILE, checkpoint)
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def report(config_json: str, pipeline: str, policy: str, baseline_eval: str, final_eval: str,
           final_label: str, trajectories: str = "", preferences: str = "", critic: str = "",
           critic_eval: str = "", ranked: str = "", step_pairs: str = "", trained: str = "") -> str:
    """Write the run's report; returns its URI (the HTML file inside it)."""
    from sweetrl.pipeline.report import ReportData, render

    config = loop_config(config_json)
    inputs = {"pipeline": pipeline, "policy": policy, "baseline_eval": baseline_eval,
              "final_eval": final_eval, "final_label": final_label, "trajectories": trajectories,
              "preferences": preferences, "critic": critic, "critic_eval": critic_eval,
              "ranked": ranked, "step_pairs": step_pairs, "trained": trained}
    out = StageOutput("report", inputs, bucket=config.bucket, prefix=config.prefix)
    name = f"{pipeline}-{out.key}"
    local = envs.SWEET_HOME / "pipeline" / "reports" / f"{name}.html"
    if out.done():
        if not local.exists():
            local.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fetch(str(out.uri), "report.html"), local)
        log.info("report: %s", local)
        return str(out.uri)
    data = ReportData(title=f"SWEET-RL on ColBench {config.domain}: {pipeline}",
                      settings={"policy": policy, **json.loads(config.to_json())})
    data.evaluations.append(("zero-shot " + policy, read_json(baseline_eval, "summary.json")))
    if final_eval and final_eval != baseline_eval:
        data.evaluations.append((final_label, read_json(final_eval, "summary.json")))
    if critic:
        data.curves.append(("critic (Bradley-Terry)", _metrics(critic)))
    if trained:
        data.curves.append((final_label, _metrics(trained)))
    if trajectories:
        figures = read_json(trajectories, "summary.json")
        policy = figures.get("policy", {})
        quality = (f"mean similarity {policy.get('similarity', 0):.4f}" if config.domain == "frontend"
                   else f"success {policy.get('success_rate', 0):.1%}, "
                        f"% tests passed {policy.get('tests_passed', 0):.1%}")
        data.data.append(("collected dialogues (policy)", f"{policy.get('dialogues', 0)} over "
                          f"{policy.get('tasks', 0)} tasks, {quality}"))
        if "expert_dialogues" in figures:
            data.data.append(("scripted-expert demonstrations", (
                f"{figures['expert_dialogues']} ({figures['expert_success']} succeeded, mean "
                f"reward {figures.get('expert_reward', 0.0):.3f})")))
    if preferences:
        meta = manifest_metadata(preferences)
        data.data.append(("trajectory preference pairs", f"{meta.get('pairs')} pairs over "
                          f"{meta.get('tasks_with_pairs')} tasks ({meta.get('trajectories')} dialogues)"))
    if step_pairs:
        meta = manifest_metadata(step_pairs)
        data.data.append(("step-level pairs", f"{meta.get('pairs')} pairs over {meta.get('turns')} "
                          f"turns, mean critic margin {meta.get('mean_margin', 0.0):.4f}"))
    judged: dict[str, Any] = {}
    if critic_eval:
        judged = read_json(critic_eval, "stats.json")
        acc = judged.get("accuracy")
        lo, hi = judged.get("accuracy_ci95", [0, 1])
        data.data.append((
            "critic ranking accuracy on held-out tasks (scripted expert vs the policy; "
            + ("with" if judged.get("use_ground_truth") else "without") + " training-time information)",
            "no pair" if acc is None else f"{acc:.1%} [{lo:.1%}, {hi:.1%}] over {judged['pairs']} pairs"))
    if ranked:
        data.samples = read_json(ranked, "samples.json")
    data.outputs = {k: v for k, v in inputs.items() if v and "://" in v}
    folder = out.work / "commit"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "report.html").write_text(render(data), encoding="utf-8")
    keys = (("similarity", "similarity_ci95") if config.domain == "frontend" else
            ("tests_passed", "tests_passed_ci95", "success_rate", "success_ci95"))
    figures = {label: {k: s.get(k) for k in (*keys, "mean_turns", "tasks")}
               for label, s in data.evaluations}
    if judged:
        figures["critic_ranking"] = {k: judged.get(k) for k in ("accuracy", "accuracy_ci95", "pairs",
                                                                "use_ground_truth")}
    (folder / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    uri = out.publish(folder, kind="files", metadata={"pipeline": pipeline, "figures": figures})
    local.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / "report.html", local)
    log.info("report: %s", local)
    return uri
