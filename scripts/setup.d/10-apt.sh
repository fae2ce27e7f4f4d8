#!/usr/bin/env bash
# Debian packages every part of provdc needs. Listed in scripts/apt-packages.txt.
set -euo pipefail
mapfile -t pkgs < <(grep -v '^\s*#' "$PROVDC_ROOT/scripts/apt-packages.txt" | awk 'NF{print $1}')
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then log "apt: all ${#pkgs[@]} packages present"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "setup: root is needed to install ${missing[*]}" >&2; exit 1; fi
log "apt: installing ${missing[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
