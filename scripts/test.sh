#!/usr/bin/env bash
# Sets up this machine and runs the whole test suite, with ruff (lint and format) and mypy (package, tests, bench) first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
cd "$root"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python scripts/typecheck.py
exec .venv/bin/pytest "$@"
