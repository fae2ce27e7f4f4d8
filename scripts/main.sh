#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs provdc's main job on the embedded
# Hải Dương inventory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
exec "$root/.venv/bin/provdc" inventory validate
