#!/usr/bin/env bash
# Sets up this machine for provdc: Debian packages, the project venv and the
# cached tools (Pulumi engine, vcsim, snmpsim venv, lab root filesystem).
# Idempotent: every step skips itself when its result is already there.
# Each step lives in scripts/setup.d/NN-name.sh; `setup.sh STEP...` runs only those.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PROVDC_ROOT=$(cd "$here/.." && pwd)
export PROVDC_CACHE=${PROVDC_CACHE:-/var/cache/provdc}
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$PROVDC_CACHE"

log() { printf '[setup] %s\n' "$*" >&2; }
export -f log

steps=("$here"/setup.d/*.sh)
for step in "${steps[@]}"; do
  name=$(basename "$step" .sh)
  if [ $# -gt 0 ]; then
    want=0
    for arg in "$@"; do [[ "$name" == *"$arg"* ]] && want=1; done
    [ $want -eq 1 ] || continue
  fi
  log "step $name"
  bash "$step"
done
