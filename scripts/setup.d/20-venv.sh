#!/usr/bin/env bash
# The project venv in .venv, from Debian's python3 so that unprivileged
# helpers (snmpsim drops to nobody) can read it too.
set -euo pipefail
venv="$PROVDC_ROOT/.venv"
stamp="$venv/.provdc-stamp"
want=$(cat "$PROVDC_ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then log "venv: up to date"; exit 0; fi
[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
export PIP_CACHE_DIR="$PROVDC_CACHE/pip"
"$venv/bin/pip" install -q -U pip setuptools wheel
"$venv/bin/pip" install -q -e "$PROVDC_ROOT[dev]"
echo "$want" > "$stamp"
log "venv: installed"
