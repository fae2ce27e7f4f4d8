#!/usr/bin/env bash
# snmpsim and the recordings of real devices (snmpsim-data) in a venv of Debian's python3
# under $PROVDC_CACHE/snmpsim. snmpsim refuses to run as root and drops to nobody:nogroup,
# so the venv and the recordings must be world-readable (the project's own Python may sit
# under /root, which nobody cannot read).
set -euo pipefail
venv="$PROVDC_CACHE/snmpsim"
want="snmpsim==1.2.2 snmpsim-data==1.0.1"
stamp="$venv/.provdc-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/snmpsim-command-responder" ]; then
  log "snmpsim: up to date"; exit 0
fi
umask 022
rm -rf "$venv"
/usr/bin/python3 -m venv "$venv"
export PIP_CACHE_DIR="$PROVDC_CACHE/pip"
# shellcheck disable=SC2086
"$venv/bin/pip" install -q $want
chmod -R a+rX "$venv"
chmod a+rx "$PROVDC_CACHE"
echo "$want" > "$stamp"
log "snmpsim: installed in $venv"
