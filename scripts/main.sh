#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs provdc's main job on the embedded Hải Dương inventory,
# against the lab: inventory validate → lab up → stack up → hosts apply and verify → net push and
# compliance → monitor poll → report. Each step's JSON report lands in state/reports/; the lab stays up to explore
# (`provdc lab status`, `provdc lab down` to remove it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
cd "$root"
provdc=("$root/.venv/bin/provdc")
reports="$root/state/reports"
mkdir -p "$reports"
rm -f "$reports"/*.json

step() { printf '\n== %s\n' "$1" >&2; }

step "inventory validate"
"${provdc[@]}" inventory validate --format json --output "$reports/inventory.json" \
  || { "${provdc[@]}" inventory validate; exit 1; }

step "lab up (scale ${PROVDC_LAB_SCALE:-small})"
flock /run/provdc-lab-session.lock "${provdc[@]}" lab up --scale "${PROVDC_LAB_SCALE:-small}"
"${provdc[@]}" lab status --format json > "$reports/lab.json"

failed=0
run() {  # run NAME CMD...: the step's JSON on stdout goes to its report, its exit code is kept
  local name=$1; shift
  step "$name"
  if ! "$@" > "$reports/$name.json"; then failed=1; echo "provdc: step '$name' failed" >&2; fi
}
run stack "${provdc[@]}" stack up dc-core --target lab --yes --format json
run hosts "${provdc[@]}" hosts apply --target lab --format json
run hosts-verify "${provdc[@]}" hosts verify --target lab --format json
run net "${provdc[@]}" net push --target lab --commit --format json
run net-compliance "${provdc[@]}" net compliance --target lab --format json
run monitor "${provdc[@]}" monitor poll --target lab --format json

step "report"
"$root/.venv/bin/python" "$root/scripts/report.py" "$reports"
exit "$failed"
