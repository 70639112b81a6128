#!/usr/bin/env bash
# Issue 5's experiment: SmolLM2-135M on generated ColBench backend tasks (scripted human),
# zero-shot vs rejection fine-tuning vs multi-turn DPO vs SWEET-RL, and the critic with and
# without training-time information, all on the pipelines' embedded scale (same collected
# data, same trainer settings: the stage cache shares collection and the zero-shot run).
# Extra arguments go to every run (e.g. --set train_tasks=32). Writes
# docs/experiments/smollm2-backend.md from the runs' figures.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=sweet-runs/experiment
.venv/bin/sweet pipeline run sweet-rl --local --out "$runs/sweet-rl" "$@"
.venv/bin/sweet pipeline run sweet-rl --local --out "$runs/sweet-rl-no-ground-truth" --set use_ground_truth=false "$@"
.venv/bin/sweet pipeline run rft --local --out "$runs/rft" "$@"
.venv/bin/sweet pipeline run mtdpo --local --out "$runs/mtdpo" "$@"
.venv/bin/python scripts/experiment_report.py "$runs" docs/experiments/smollm2-backend.md \
  --command "bash scripts/experiment_smollm2.sh $*"
