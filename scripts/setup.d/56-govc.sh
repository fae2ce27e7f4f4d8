#!/usr/bin/env bash
# govc, govmomi's CLI (the sequential baseline of bench/bench_stack.py): 55-vcsim.sh builds it
# beside vcsim, from the same govmomi version.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/55-vcsim.sh"
