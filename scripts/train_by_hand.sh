#!/usr/bin/env bash
# The training CLI by hand, the pipeline's steps one command at a time (docs/training.md):
# collect trajectories (with scripted-expert demonstrations), train the critic, serve it
# and the policy, sample and rank step pairs, train the policy, the two baselines, then
# load every checkpoint back into its service. On the pipelines' embedded scale.
# Settings: MODEL, RUN (checkpoint prefix), WORK (local files), PORT (first of two gRPC
# ports); extra arguments go to every trainer (e.g. --set engine.zero_stage=2).
set -euo pipefail
cd "$(dirname "$0")/.."
sweet=.venv/bin/sweet
model=${MODEL:-smollm2-135m-instruct}
run=${RUN:-by-hand}
work=${WORK:-sweet-runs/by-hand}
port=${PORT:-50161}
ckpt=s3://checkpoints/$run
mkdir -p "$work"
step() { printf '\n\033[1;34m[by-hand]\033[0m %s (%s)\n' "$1" "$(date -u +%T)"; }

pids=()
stop_services() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap stop_services EXIT
serve() {  # serve NAME PORT LOG SETTINGS...: start a service, wait until it answers
  local name=$1 at=$2 log=$3; shift 3
  "$sweet" serve "$name" --set server.port="$at" --set server.metrics_port=-1 "$@" >"$log" 2>&1 &
  pids+=($!)
  .venv/bin/python - "127.0.0.1:$at" <<'EOF' || { tail -n 20 "$log"; exit 1; }
import sys
from sweetrl.runtime import make_sync_channel, wait_ready_sync
wait_ready_sync(make_sync_channel(sys.argv[1]), 900)
EOF
}

step "collect: 8 training tasks, 2 policy rollouts each, expert demonstrations for half"
"$sweet" collect backend --policy "$model" --tasks train --limit 8 --k 2 --expert-fraction 0.5 \
  --max-turns 3 --max-tokens 64 --out "$work/trajectories.jsonl" || [ $? -eq 1 ]

trainer=(--set lr=2e-5 --set epochs=1 --set micro_batch_size=2 --set gradient_accumulation_steps=2
         --set max_length=1024)
step "train critic (Bradley-Terry, ground truth first) -> $ckpt/critic"
"$sweet" train critic --trajectories "$work/trajectories.jsonl" --model "$model" --out "$ckpt/critic" \
  "${trainer[@]}" "$@"

step "serve the trained critic and the policy; sample 4 candidates on 10% of the turns, rank, pair"
serve critic "$port" "$work/critic.log" --set critic_model="$ckpt/critic" --set reference_model="$model" \
  --set transformers.max_model_len=0
serve policy "$((port + 1))" "$work/policy.log" --set model="$model"
"$sweet" train pairs --trajectories "$work/trajectories.jsonl" --policy-address "127.0.0.1:$((port + 1))" \
  --critic-address "127.0.0.1:$port" --out "$work/step-pairs.jsonl" --fraction 0.1 --n 4 \
  --pairs-per-turn 2 --max-tokens 64
stop_services

policy=(--set lr=1e-5 --set epochs=1 --set micro_batch_size=2 --set gradient_accumulation_steps=2
        --set max_length=1024)
step "train policy (step-level DPO + NLL) -> $ckpt/policy"
"$sweet" train policy --pairs "$work/step-pairs.jsonl" --model "$model" --out "$ckpt/policy" "${policy[@]}" "$@"
step "baseline: rejection fine-tuning -> $ckpt/rft"
"$sweet" train rft --trajectories "$work/trajectories.jsonl" --model "$model" --out "$ckpt/rft" "${policy[@]}" "$@"
step "baseline: multi-turn DPO -> $ckpt/mtdpo"
"$sweet" train mtdpo --trajectories "$work/trajectories.jsonl" --model "$model" --out "$ckpt/mtdpo" \
  "${policy[@]}" "$@"

step "the services load what the trainers saved: one held-out dialogue per policy checkpoint"
for name in policy rft mtdpo; do
  "$sweet" eval backend --policy "$ckpt/$name" --tasks test --limit 1 --max-turns 2 --max-tokens 32 \
    --out "$work/eval-$name"
done
echo "checkpoints under $ckpt; files under $work"
